/**
 * A pool of worker threads that run jobs (server/job-thread.ts), so a long
 * separation never blocks the process's event loop (the API, or a Redis
 * worker renewing its job locks). One job per thread at a time; threads keep
 * their models between jobs; an aborted job's thread is terminated at once
 * (the model may be mid-chunk) and replaced on demand.
 */
import { Worker } from "node:worker_threads";
import { MirError } from "../errors.js";
import type { ThreadMessage } from "./job-thread.js";
import type { JobOutcome, JobSpec } from "./tasks.js";

/** A job's failure: `input` when the input (not the machine) is at fault, so a retry cannot help. */
export class JobError extends Error {
  constructor(message: string, readonly input: boolean) {
    super(message);
    this.name = "JobError";
  }
}

export class JobCancelledError extends Error {
  constructor() {
    super("cancelled");
    this.name = "JobCancelledError";
  }
}

interface Waiting {
  readonly spec: JobSpec;
  readonly onProgress?: (f: number) => void;
  readonly signal?: AbortSignal;
  readonly resolve: (o: JobOutcome) => void;
  readonly reject: (e: Error) => void;
}

export class ThreadPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: Waiting[] = [];
  private busy = 0;
  private readonly running = new Set<Worker>();
  private closed = false;

  constructor(readonly size: number, private readonly store: string, private readonly models: { separation?: string; multipitch?: string } = {}) {
    if (!(Number.isInteger(size) && size >= 1)) throw new MirError(`a pool needs at least one thread, got ${size}`);
  }

  /** Runs `spec` on a free thread (waits for one); rejects with JobCancelledError when `signal` aborts. */
  run(spec: JobSpec, o: { onProgress?: (f: number) => void; signal?: AbortSignal } = {}): Promise<JobOutcome> {
    if (this.closed) return Promise.reject(new MirError("the job pool is closed"));
    return new Promise((resolve, reject) => {
      this.waiting.push({ spec, ...o, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.waiting.length > 0 && this.busy < this.size) {
      const job = this.waiting.shift()!;
      if (job.signal?.aborted) {
        job.reject(new JobCancelledError());
        continue;
      }
      this.busy++;
      this.start(job, this.idle.pop() ?? new Worker(new URL("./job-thread.js", import.meta.url), { workerData: { models: this.models } }));
    }
  }

  private start(job: Waiting, w: Worker): void {
    let settled = false;
    const finish = (keep: boolean, f: () => void) => {
      if (settled) return;
      settled = true;
      this.running.delete(w);
      w.off("message", onMessage).off("error", onError).off("exit", onExit);
      job.signal?.removeEventListener("abort", onAbort);
      this.busy--;
      if (keep && !this.closed) this.idle.push(w);
      else void w.terminate();
      f();
      this.next();
    };
    const onMessage = (m: ThreadMessage) => {
      if (m.type === "progress") job.onProgress?.(m.fraction);
      else if (m.type === "done") finish(true, () => job.resolve(m.outcome as JobOutcome));
      else finish(true, () => job.reject(new JobError(m.message, m.input)));
    };
    const onError = (e: Error) => finish(false, () => job.reject(new JobError(`worker thread failed: ${e.message}`, false)));
    const onExit = (code: number) => finish(false, () => job.reject(new JobError(`worker thread exited (code ${code})`, false)));
    const onAbort = () => finish(false, () => job.reject(new JobCancelledError()));
    this.running.add(w);
    w.on("message", onMessage).on("error", onError).on("exit", onExit);
    job.signal?.addEventListener("abort", onAbort, { once: true });
    w.postMessage({ spec: job.spec, store: this.store });
  }

  /** Jobs running and waiting. */
  get load(): { running: number; waiting: number } {
    return { running: this.busy, waiting: this.waiting.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.waiting.splice(0)) j.reject(new JobCancelledError());
    await Promise.all([...this.idle.splice(0), ...this.running].map((w) => w.terminate()));
  }
}
