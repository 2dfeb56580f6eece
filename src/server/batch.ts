/**
 * Batch work fanned out to Redis workers (`mirkit covers add DIR --redis`,
 * `mirkit separate DIR --redis`). The coordinator enqueues one job per file
 * under an id derived from the file (path, size, mtime, what is asked), a
 * window of jobs at a time, and handles each result as it comes back.
 * Re-running skips what is done (stems on disk, entries in the library), and
 * a job that finished while no coordinator listened is found under its id
 * and used, not run again. Only the coordinator writes the covers library,
 * one record per file, after checking the file is not in yet: a `kill -9` of
 * a worker (its job is taken over) or of the coordinator (the rerun resumes)
 * loses nothing reported as added and adds nothing twice. Workers read the
 * inputs and write the stems by path: every machine must see the same paths.
 */
import { createHash } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { QueueEvents, type Job } from "bullmq";
import type { LibraryDamage } from "../covers/library.js";
import { listAudioFiles } from "../io/file.js";
import type { CoverEmbedder } from "../models/covers/model.js";
import { withCatalog } from "../tasks/covers.js";
import { withFileLock } from "./lock.js";
import { QUEUE_NAME, RedisBackend, redisConnection } from "./queue.js";
import { extractedEntry, type JobOutcome, type JobSpec } from "./tasks.js";

export interface BatchItem {
  readonly spec: JobSpec;
  /** The input file, for messages. */
  readonly file: string;
}

export interface BatchOptions {
  /** Jobs in the queue at once (default 64). */
  readonly window?: number;
  readonly onProgress?: (done: number, total: number, file: string) => void;
  readonly signal?: AbortSignal;
}

/** A batch job's id: the file's identity and what is asked of it. */
export async function batchJobId(kind: string, file: string, extra = ""): Promise<string> {
  const st = await fs.stat(file);
  return `${kind}-${createHash("sha256").update(`${path.resolve(file)}\0${st.size}\0${st.mtimeMs}\0${extra}`).digest("hex").slice(0, 32)}`;
}

/**
 * Runs `items` on the workers, `window` at a time; `onDone` handles each
 * outcome (in completion order) before the job's record is dropped from
 * Redis. Returns the files that failed and why.
 */
export async function runBatch(url: string, items: readonly BatchItem[], onDone: (item: BatchItem, outcome: JobOutcome) => Promise<void>, o: BatchOptions = {}): Promise<{ file: string; message: string }[]> {
  const backend = await RedisBackend.connect(url, { maxQueued: Infinity, ttlSeconds: 7 * 86400 });
  const events = new QueueEvents(QUEUE_NAME, { connection: redisConnection(url) });
  const failed: { file: string; message: string }[] = [];
  let done = 0;
  try {
    await events.waitUntilReady();
    const window = o.window ?? 64;
    // Each job in flight holds a listener on the queue and on its events while it is waited for.
    backend.queue.setMaxListeners(window + 16);
    events.setMaxListeners(window + 16);
    let next = 0;
    const running = new Set<Promise<void>>();
    const one = async (item: BatchItem) => {
      let job: Job | undefined = await backend.queue.getJob(item.spec.id);
      if (job && (await job.getState()) === "failed") {
        await job.remove(); // a rerun tries a failed file again
        job = undefined;
      }
      job ??= await backend.add(item.spec);
      let outcome: JobOutcome | undefined;
      try {
        outcome = (await job.waitUntilFinished(events)) as JobOutcome;
      } catch (e) {
        failed.push({ file: item.file, message: (e as Error).message });
      }
      if (outcome) await onDone(item, outcome);
      await job.remove().catch(() => {});
      o.onProgress?.(++done, items.length, item.file);
    };
    while (next < items.length || running.size > 0) {
      o.signal?.throwIfAborted();
      while (next < items.length && running.size < window) {
        const p: Promise<void> = one(items[next++]).finally(() => running.delete(p));
        running.add(p);
      }
      if (running.size > 0) await Promise.race(running);
    }
  } finally {
    await events.close();
    await backend.close();
  }
  return failed;
}

/** `covers add` on the workers: features extracted there, written here (the one writer), each file once. */
export async function batchCoversAdd(url: string, db: string, inputs: readonly string[], o: BatchOptions & { readonly embedder: CoverEmbedder }): Promise<{ added: number; total: number; failed: { file: string; message: string }[]; damage: readonly LibraryDamage[] }> {
  const files = await listAudioFiles(inputs);
  let added = 0;
  // The catalog is reopened for each write under the file lock (the service's workers may add to it too).
  return withCatalog(db, o.embedder, {}, async (lib) => {
    const todo = files.filter((f) => !lib.has(path.resolve(f)));
    const items = await Promise.all(todo.map(async (f) => ({
      file: f,
      spec: { id: await batchJobId("covers", f), task: "covers.extract", options: {}, input: path.resolve(f), out: "" } satisfies JobSpec,
    })));
    const failed = await runBatch(url, items, async (item, outcome) => {
      const entry = extractedEntry(outcome.value, item.file);
      if (lib.has(entry.path)) return;
      await withFileLock(db, () => lib.add(entry));
      added++;
    }, o);
    return { added, total: lib.size, failed, damage: lib.damage };
  });
}

/** `separate` on the workers: `pairs` of input file and stem folder; inputs whose stems exist are skipped. */
export async function batchSeparate(url: string, pairs: readonly { file: string; dir: string }[], options: { format: "wav" | "flac"; wiener: boolean }, o: BatchOptions = {}): Promise<{ done: number; skipped: number; failed: { file: string; message: string }[] }> {
  const stems = (dir: string) => ["vocals", "accompaniment"].map((s) => path.join(dir, `${s}.${options.format}`));
  const todo = pairs.filter((p) => !stems(p.dir).every((s) => existsSync(s)));
  const items = await Promise.all(todo.map(async (p) => ({
    file: p.file,
    spec: { id: await batchJobId("separate", p.file, `${path.resolve(p.dir)}\0${options.format}\0${options.wiener}`), task: "separate", options: { ...options }, input: path.resolve(p.file), out: path.resolve(p.dir) } satisfies JobSpec,
  })));
  let done = 0;
  const failed = await runBatch(url, items, async () => void done++, o);
  return { done, skipped: pairs.length - todo.length, failed };
}
