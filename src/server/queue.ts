/**
 * Where the service's jobs wait and run. Two backends behind one interface:
 * - embedded (the default): an in-process queue whose jobs run on a pool of
 *   worker threads; its state lives in memory (a restart forgets it);
 * - Redis (BullMQ): the API enqueues, `mirkit worker` processes on any number
 *   of machines run them; a job whose worker dies is taken over by another
 *   (BullMQ's stalled-job detection) and one that fails three times is
 *   failed with its error (a fault in the input fails at once: retrying
 *   cannot help). Cancelling marks the job in Redis and tells the worker
 *   that holds it over a pub/sub channel.
 * Files (uploads and results) live in a store folder that the API and the
 * workers share: one machine, or a shared mount for several.
 */
import { EventEmitter } from "node:events";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { Queue, QueueEvents, UnrecoverableError, Worker as BullWorker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { JobCancelledError, JobError, ThreadPool } from "./pool.js";
import type { JobFile, JobOutcome, JobSpec, ModelNames } from "./tasks.js";

export type JobState = "queued" | "active" | "completed" | "failed" | "cancelled";
export const TERMINAL: readonly JobState[] = ["completed", "failed", "cancelled"];

export interface JobStatus {
  readonly id: string;
  readonly task: string;
  readonly state: JobState;
  readonly progress: number;
  readonly files: readonly JobFile[];
  readonly value?: unknown;
  readonly error?: string;
  readonly createdAt: number;
  readonly finishedAt?: number;
}

/** The queue holds as many waiting jobs as it may: try again after `retryAfter` seconds. */
export class QueueFullError extends Error {
  constructor(readonly retryAfter: number) {
    super("the job queue is full");
    this.name = "QueueFullError";
  }
}

export interface JobBackend {
  /** Enqueues a job; throws QueueFullError when `maxQueued` jobs wait already. */
  submit(spec: JobSpec): Promise<void>;
  status(id: string): Promise<JobStatus | undefined>;
  /** Stops the job if it is queued or running (its files are the caller's to remove); false for an unknown id. */
  cancel(id: string): Promise<boolean>;
  /** Forgets a finished job (results expired). */
  forget(id: string): Promise<void>;
  /** Calls `listener` whenever the job's state or progress may have changed; returns the unsubscriber. */
  watch(id: string, listener: () => void): () => void;
  close(): Promise<void>;
}

/** The job's own folder in the store: its upload and its results. */
export const jobDir = (store: string, id: string): string => path.join(store, "jobs", id);

/** Seconds a client should wait before retrying a full queue: the waiting jobs' share of recent job times. */
function retryAfter(waiting: number, workers: number, meanSeconds: number): number {
  return Math.max(1, Math.min(600, Math.ceil(((waiting + 1) * meanSeconds) / Math.max(1, workers))));
}

interface Entry {
  spec: JobSpec;
  state: JobState;
  progress: number;
  outcome?: JobOutcome;
  error?: string;
  createdAt: number;
  finishedAt?: number;
  readonly abort: AbortController;
  /** Settles when the job has stopped, whatever the outcome. */
  settled?: Promise<void>;
}

export class EmbeddedBackend implements JobBackend {
  private readonly jobs = new Map<string, Entry>();
  private readonly changes = new EventEmitter().setMaxListeners(0);
  private meanSeconds = 10;

  constructor(private readonly pool: ThreadPool, private readonly maxQueued: number) {}

  async submit(spec: JobSpec): Promise<void> {
    const waiting = [...this.jobs.values()].filter((j) => j.state === "queued").length;
    if (waiting >= this.maxQueued) throw new QueueFullError(retryAfter(waiting, this.pool.size, this.meanSeconds));
    const e: Entry = { spec, state: "queued", progress: 0, createdAt: Date.now(), abort: new AbortController() };
    this.jobs.set(spec.id, e);
    let started = 0;
    e.settled = this.pool.run(spec, {
      signal: e.abort.signal,
      onStart: () => {
        if (e.state === "queued") (e.state = "active"), (started = Date.now()), this.changes.emit(spec.id);
      },
      onProgress: (f) => {
        if (e.state === "active") (e.progress = f), this.changes.emit(spec.id);
      },
    }).then(
      (outcome) => {
        if (e.state === "cancelled") return;
        Object.assign(e, { state: "completed", progress: 1, outcome, finishedAt: Date.now() });
        if (started) this.meanSeconds = 0.8 * this.meanSeconds + 0.2 * ((Date.now() - started) / 1000);
      },
      (err: Error) => {
        if (e.state === "cancelled") return;
        Object.assign(e, { state: err instanceof JobCancelledError ? "cancelled" : "failed", error: err.message, finishedAt: Date.now() });
      },
    ).finally(() => this.changes.emit(spec.id));
  }

  async status(id: string): Promise<JobStatus | undefined> {
    const e = this.jobs.get(id);
    if (!e) return undefined;
    return { id, task: e.spec.task, state: e.state, progress: e.progress, files: e.outcome?.files ?? [], value: e.outcome?.value, error: e.error, createdAt: e.createdAt, finishedAt: e.finishedAt };
  }

  /** Resolves once the job has stopped (at its next chunk of model input), so its files can go. */
  async cancel(id: string): Promise<boolean> {
    const e = this.jobs.get(id);
    if (!e) return false;
    if (!TERMINAL.includes(e.state)) {
      Object.assign(e, { state: "cancelled", finishedAt: Date.now() });
      this.changes.emit(id);
      e.abort.abort();
      await e.settled;
    }
    return true;
  }

  async forget(id: string): Promise<void> {
    this.jobs.delete(id);
    this.changes.emit(id);
  }

  watch(id: string, listener: () => void): () => void {
    this.changes.on(id, listener);
    return () => this.changes.off(id, listener);
  }

  async close(): Promise<void> {
    for (const e of this.jobs.values()) e.abort.abort();
    await Promise.all([...this.jobs.values()].map((e) => e.settled));
    await this.pool.close();
  }
}

export const QUEUE_NAME = "mirkit-jobs";
const cancelKey = (id: string) => `mirkit:cancelled:${id}`;
const CANCEL_CHANNEL = "mirkit:cancel";

/** A Redis connection as BullMQ needs it (no retry limit per command: a worker waits out a Redis restart). */
export function redisConnection(url: string): Redis {
  try {
    new URL(url);
  } catch {
    throw new JobError(`--redis must be a URL like redis://127.0.0.1:6379, got "${url}"`, true);
  }
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
}

/** Connects, or fails with one line naming the server. */
async function connect(url: string): Promise<Redis> {
  const r = redisConnection(url);
  r.on("error", () => {}); // reconnects on its own; a first failure is reported below
  try {
    await Promise.race([r.connect(), new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), 5000))]);
  } catch (e) {
    r.disconnect();
    throw new JobError(`cannot reach Redis at ${url} (${(e as Error).message})`, true);
  }
  return r;
}

const STATES: Record<string, JobState> = { waiting: "queued", delayed: "queued", prioritized: "queued", "waiting-children": "queued", active: "active", completed: "completed", failed: "failed" };

export interface RedisBackendOptions {
  readonly maxQueued: number;
  /** Seconds a finished job's record is kept in Redis. */
  readonly ttlSeconds: number;
  readonly attempts?: number;
}

export class RedisBackend implements JobBackend {
  private events?: QueueEvents;
  private readonly changes = new EventEmitter().setMaxListeners(0);
  private constructor(private readonly conn: Redis, readonly queue: Queue, private readonly o: RedisBackendOptions, private readonly url: string) {}

  /** Job events from Redis (progress, completion, failure, removal), on a connection of their own opened on first use. */
  watch(id: string, listener: () => void): () => void {
    if (!this.events) {
      this.events = new QueueEvents(QUEUE_NAME, { connection: redisConnection(this.url) });
      this.events.on("error", () => {});
      for (const ev of ["active", "progress", "completed", "failed", "removed"] as const) this.events.on(ev, ({ jobId }: { jobId: string }) => this.changes.emit(jobId));
    }
    this.changes.on(id, listener);
    return () => this.changes.off(id, listener);
  }

  static async connect(url: string, o: RedisBackendOptions): Promise<RedisBackend> {
    const conn = await connect(url);
    return new RedisBackend(conn, new Queue(QUEUE_NAME, { connection: conn }), o, url);
  }

  async submit(spec: JobSpec): Promise<void> {
    const c = await this.queue.getJobCounts("wait", "prioritized", "delayed", "active");
    const waiting = (c.wait ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0);
    if (waiting >= this.o.maxQueued) throw new QueueFullError(retryAfter(waiting, Math.max(1, c.active ?? 0), 10));
    await this.add(spec);
  }

  /** Enqueues without the length check (batch jobs: the coordinator paces itself). Re-adding an id already queued or kept is a no-op. */
  add(spec: JobSpec): Promise<Job> {
    return this.queue.add(spec.task, spec, {
      jobId: spec.id,
      attempts: this.o.attempts ?? 3,
      backoff: { type: "fixed", delay: 1000 },
      removeOnComplete: { age: this.o.ttlSeconds },
      removeOnFail: { age: this.o.ttlSeconds },
    });
  }

  async status(id: string): Promise<JobStatus | undefined> {
    const job = await this.queue.getJob(id);
    const cancelled = (await this.conn.exists(cancelKey(id))) === 1;
    if (!job) return cancelled ? { id, task: "", state: "cancelled", progress: 0, files: [], createdAt: 0 } : undefined;
    const raw = await job.getState();
    const state: JobState = cancelled ? "cancelled" : STATES[raw] ?? "queued";
    const outcome = job.returnvalue as JobOutcome | null | undefined;
    const progress = typeof job.progress === "number" ? job.progress : 0;
    return {
      id, task: job.name, state, progress: state === "completed" ? 1 : progress,
      files: state === "completed" ? outcome?.files ?? [] : [], value: state === "completed" ? outcome?.value : undefined,
      error: state === "failed" ? job.failedReason : undefined,
      createdAt: job.timestamp, finishedAt: job.finishedOn ?? undefined,
    };
  }

  async cancel(id: string): Promise<boolean> {
    const job = await this.queue.getJob(id);
    if (!job) return (await this.conn.exists(cancelKey(id))) === 1;
    const state = await job.getState();
    if (state === "completed" || state === "failed") return true;
    await this.conn.set(cancelKey(id), "1", "EX", this.o.ttlSeconds);
    if (state !== "active") await job.remove().catch(() => {}); // taken meanwhile: the worker sees the mark
    await this.conn.publish(CANCEL_CHANNEL, id);
    this.changes.emit(id);
    return true;
  }

  async forget(id: string): Promise<void> {
    await this.queue.remove(id).catch(() => {});
  }

  async close(): Promise<void> {
    await this.events?.close();
    await this.queue.close();
    this.conn.disconnect();
  }
}

export interface WorkerOptions {
  readonly concurrency: number;
  readonly store: string;
  readonly models?: ModelNames;
  /** How long a job's lock lasts without renewal: a dead worker's job is taken over after about this long. */
  readonly lockMs?: number;
  readonly onEvent?: (event: "started" | "completed" | "failed" | "cancelled", id: string, detail?: string) => void;
}

/**
 * A Redis worker: takes jobs from the queue, `concurrency` at a time, and
 * runs each on its thread pool. Resolves to a handle that stops it.
 */
export async function startRedisWorker(url: string, o: WorkerOptions): Promise<{ close: () => Promise<void>; worker: BullWorker }> {
  const conn = await connect(url);
  const sub = await connect(url);
  const pool = new ThreadPool(o.concurrency, o.store, o.models);
  const running = new Map<string, AbortController>();
  await sub.subscribe(CANCEL_CHANNEL);
  sub.on("message", (_channel: string, id: string) => running.get(id)?.abort());
  const lockDuration = o.lockMs ?? 30_000;
  const worker = new BullWorker<JobSpec, JobOutcome>(QUEUE_NAME, async (job) => {
    const id = job.id!;
    const ac = new AbortController();
    running.set(id, ac);
    try {
      if ((await conn.exists(cancelKey(id))) === 1) throw new JobCancelledError();
      o.onEvent?.("started", id);
      let last = 0;
      const out = await pool.run(job.data, {
        signal: ac.signal,
        onProgress: (f) => {
          if (f - last < 0.05 && f < 1) return; // a Redis write per 5 %
          last = f;
          job.updateProgress(f).catch(() => {});
        },
      });
      o.onEvent?.("completed", id);
      return out;
    } catch (e) {
      if (e instanceof JobCancelledError) {
        // A service job's folder (upload and results) is in the store; a batch job's folder is the user's, never removed here.
        if (!path.isAbsolute(job.data.out)) await fs.rm(path.dirname(path.resolve(o.store, job.data.out)), { recursive: true, force: true }).catch(() => {});
        o.onEvent?.("cancelled", id);
        throw new UnrecoverableError("cancelled");
      }
      o.onEvent?.("failed", id, (e as Error).message);
      if (e instanceof JobError && e.input) throw new UnrecoverableError(e.message);
      throw e;
    } finally {
      running.delete(id);
    }
  }, { connection: conn, concurrency: o.concurrency, lockDuration, stalledInterval: Math.max(500, Math.floor(lockDuration / 2)), maxStalledCount: 2 });
  worker.on("error", () => {}); // connection trouble: BullMQ reconnects
  await worker.waitUntilReady();
  return {
    worker,
    close: async () => {
      await worker.close();
      await pool.close();
      sub.disconnect();
      conn.disconnect();
    },
  };
}
