/**
 * A worker thread of the service's pool (server/pool.ts): runs one job at a
 * time with runJob, keeping its models loaded between jobs, and posts
 * progress, the outcome or the error. Cancelling terminates the thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { MirError } from "../errors.js";
import { ModelCache, runJob, type JobSpec } from "./tasks.js";

export type ThreadMessage =
  | { readonly type: "progress"; readonly fraction: number }
  | { readonly type: "done"; readonly outcome: unknown }
  | { readonly type: "error"; readonly message: string; readonly input: boolean };

const port = parentPort;
if (port) {
  const models = new ModelCache((workerData as { models?: { separation?: string; multipitch?: string } } | undefined)?.models);
  port.on("message", async (msg: { spec: JobSpec; store: string }) => {
    const post = (m: ThreadMessage) => port.postMessage(m);
    let last = -1;
    try {
      const outcome = await runJob(msg.spec, {
        store: msg.store,
        models,
        onProgress: (f) => {
          // Whole percents only: a message per model chunk would flood the queue's progress writes.
          const p = Math.floor(Math.min(1, Math.max(0, f)) * 100);
          if (p !== last) post({ type: "progress", fraction: (last = p) / 100 });
        },
      });
      post({ type: "done", outcome });
    } catch (e) {
      post({ type: "error", message: e instanceof Error ? e.message : String(e), input: e instanceof MirError });
    }
  });
}
