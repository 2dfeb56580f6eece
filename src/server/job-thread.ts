/**
 * A worker thread of the service's pool (server/pool.ts): runs one job at a
 * time with runJob, keeping its models loaded between jobs, and posts
 * progress, the outcome or the error. A "cancel" message aborts the job at
 * its next chunk of model input (ONNX Runtime runs off this thread's event
 * loop, so the message is seen while a chunk runs); "exit" disposes the
 * models and ends the thread. Terminating a thread while ONNX Runtime works
 * for it can abort the whole process, so the pool never does that to a
 * thread it can ask.
 */
import { parentPort, workerData } from "node:worker_threads";
import { MirError } from "../errors.js";
import { ModelCache, runJob, type JobSpec, type ModelNames } from "./tasks.js";

export type ThreadMessage =
  | { readonly type: "progress"; readonly fraction: number }
  | { readonly type: "done"; readonly outcome: unknown }
  | { readonly type: "error"; readonly message: string; readonly input: boolean };

export type ThreadCommand =
  | { readonly type: "run"; readonly spec: JobSpec; readonly store: string }
  | { readonly type: "cancel" }
  | { readonly type: "exit" };

const port = parentPort;
if (port) {
  const models = new ModelCache((workerData as { models?: ModelNames } | undefined)?.models);
  let current: { abort: AbortController; done: Promise<void> } | undefined;
  const post = (m: ThreadMessage) => port.postMessage(m);
  const run = async (spec: JobSpec, store: string, abort: AbortController) => {
    let last = -1;
    try {
      const outcome = await runJob(spec, {
        store, models, signal: abort.signal,
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
  };
  port.on("message", async (msg: ThreadCommand) => {
    if (msg.type === "run") {
      const abort = new AbortController();
      const done = run(msg.spec, msg.store, abort).finally(() => {
        if (current?.abort === abort) current = undefined;
      });
      current = { abort, done };
    } else if (msg.type === "cancel") {
      current?.abort.abort();
    } else {
      current?.abort.abort();
      await current?.done;
      await models.dispose();
      port.close();
      process.exit(0);
    }
  });
}
