/**
 * A pool of worker threads that run jobs (server/job-thread.ts), so a long
 * separation never blocks the process's event loop (the API, or a Redis
 * worker renewing its job locks). One job per thread at a time; threads keep
 * their models between jobs. An aborted job is asked to stop (it does at its
 * next chunk of model input) and its thread serves the next job; a thread
 * that does not answer within `stopMs` is terminated.
 */
import { Worker } from "node:worker_threads";
import { MirError } from "../errors.js";
import type { ThreadCommand, ThreadMessage } from "./job-thread.js";
import type { JobOutcome, JobSpec, ModelNames } from "./tasks.js";

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
  readonly onStart?: () => void;
  readonly signal?: AbortSignal;
  readonly resolve: (o: JobOutcome) => void;
  readonly reject: (e: Error) => void;
}

const send = (w: Worker, c: ThreadCommand) => w.postMessage(c);

export class ThreadPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: Waiting[] = [];
  private readonly running = new Map<Worker, Promise<void>>();
  private closed = false;

  constructor(readonly size: number, private readonly store: string, private readonly models: ModelNames = {}, private readonly stopMs = 30_000) {
    if (!(Number.isInteger(size) && size >= 1)) throw new MirError(`a pool needs at least one thread, got ${size}`);
  }

  /** Runs `spec` on a free thread (waits for one); rejects with JobCancelledError when `signal` aborts. */
  run(spec: JobSpec, o: { onProgress?: (f: number) => void; onStart?: () => void; signal?: AbortSignal } = {}): Promise<JobOutcome> {
    if (this.closed) return Promise.reject(new MirError("the job pool is closed"));
    return new Promise((resolve, reject) => {
      const job: Waiting = { spec, ...o, resolve, reject };
      this.waiting.push(job);
      // Cancelled while it waits: out of the line at once.
      o.signal?.addEventListener("abort", () => {
        const i = this.waiting.indexOf(job);
        if (i >= 0) this.waiting.splice(i, 1), reject(new JobCancelledError());
      }, { once: true });
      this.next();
    });
  }

  private next(): void {
    while (this.waiting.length > 0 && this.running.size < this.size && !this.closed) {
      const job = this.waiting.shift()!;
      if (job.signal?.aborted) {
        job.reject(new JobCancelledError());
        continue;
      }
      this.start(job, this.idle.pop() ?? new Worker(new URL("./job-thread.js", import.meta.url), { workerData: { models: this.models } }));
    }
  }

  private start(job: Waiting, w: Worker): void {
    let settled = false, timer: NodeJS.Timeout | undefined;
    let release!: () => void;
    this.running.set(w, new Promise<void>((r) => (release = r)));
    const finish = (keep: boolean, f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      w.off("message", onMessage).off("error", onError).off("exit", onExit);
      job.signal?.removeEventListener("abort", onAbort);
      this.running.delete(w);
      if (keep && !this.closed) this.idle.push(w);
      else if (keep) send(w, { type: "exit" });
      else void w.terminate();
      release();
      f();
      this.next();
    };
    const cancelled = () => job.signal?.aborted === true;
    const onMessage = (m: ThreadMessage) => {
      if (m.type === "progress") {
        if (!cancelled()) job.onProgress?.(m.fraction);
      } else if (cancelled()) finish(true, () => job.reject(new JobCancelledError()));
      else if (m.type === "done") finish(true, () => job.resolve(m.outcome as JobOutcome));
      else finish(true, () => job.reject(new JobError(m.message, m.input)));
    };
    const onError = (e: Error) => finish(false, () => job.reject(cancelled() ? new JobCancelledError() : new JobError(`worker thread failed: ${e.message}`, false)));
    const onExit = (code: number) => finish(false, () => job.reject(cancelled() ? new JobCancelledError() : new JobError(`worker thread exited (code ${code})`, false)));
    const onAbort = () => {
      send(w, { type: "cancel" });
      timer = setTimeout(() => finish(false, () => job.reject(new JobCancelledError())), this.stopMs);
    };
    w.on("message", onMessage).on("error", onError).on("exit", onExit);
    job.signal?.addEventListener("abort", onAbort, { once: true });
    send(w, { type: "run", spec: job.spec, store: this.store });
    job.onStart?.();
  }

  /** Rejects the waiting jobs, lets the running ones finish (callers abort them first), and ends every thread. */
  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.waiting.splice(0)) j.reject(new JobCancelledError());
    await Promise.all(this.running.values());
    await Promise.all(this.idle.splice(0).map((w) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => void w.terminate(), this.stopMs);
      w.once("exit", () => (clearTimeout(timer), resolve()));
      send(w, { type: "exit" });
    })));
  }
}
