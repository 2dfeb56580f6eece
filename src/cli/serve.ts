/**
 * `mirkit serve`: the HTTP API (jobs) and the browser demo on one port; jobs
 * run on worker threads in this process, or, with --redis, on `mirkit
 * worker` processes anywhere. `mirkit worker`: a Redis worker.
 */
import { existsSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Command } from "commander";
import { InvalidInputError } from "../errors.js";
import { resolveModel } from "../io/model-files.js";
import { createService, SERVICE_DEFAULTS } from "../server/api.js";
import { ThreadPool } from "../server/pool.js";
import { EmbeddedBackend, RedisBackend, startRedisWorker, type JobBackend } from "../server/queue.js";
import type { ModelNames } from "../server/tasks.js";
import { intOption } from "./options.js";

/** Where uploads and results live unless --store says: one per user, shared by serve and worker on a machine. */
export function defaultStore(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "mirkit", "service");
}

const storeHelp = "folder for uploads and results, shared by the API and its workers (a shared mount when workers run on other machines)";

/** The models jobs use, checked now (a bad name is an error at start, not in every job). */
function modelNames(o: { separationModel?: string; multipitchModel?: string; coversModel?: string; pianoModel?: string; partsModel?: string }): ModelNames {
  for (const m of [o.separationModel, o.multipitchModel, o.coversModel, o.pianoModel, o.partsModel]) if (m !== undefined && !existsSync(resolveModel(m))) throw new InvalidInputError("no such model file", { file: m });
  return { separation: o.separationModel, multipitch: o.multipitchModel, covers: o.coversModel, piano: o.pianoModel, parts: o.partsModel };
}

/** Stops cleanly on Ctrl-C or SIGTERM. */
function onStop(stop: () => Promise<void>): void {
  let stopping = false;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      if (stopping) return;
      stopping = true;
      void stop().finally(() => process.exit(0));
    });
  }
}

export function addServeCommand(program: Command): void {
  program
    .command("serve")
    .description("Serve the HTTP API (POST /v1/jobs for separate, multipitch, covers.add, covers.query; OpenAPI docs at /docs) and the browser demo (web/; build it with npm run build:web).")
    .option("--port <n>", "TCP port (0: any free port)", intOption("--port", 0, 65535), 8080)
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option("--store <dir>", storeHelp, defaultStore())
    .option("--redis <url>", "queue jobs in Redis for `mirkit worker` processes (e.g. redis://127.0.0.1:6379) instead of running them here")
    .option("-j, --concurrency <n>", "jobs run at once in this process (embedded queue)", intOption("--concurrency", 1, 64), 1)
    .option("--db <file>", "covers library for covers.add and covers.query jobs")
    .option("--separation-model <name>", "the separate jobs' model: a shipped name (mirkit models) or an .onnx file (default: the shipped one)")
    .option("--multipitch-model <name>", "the multipitch jobs' model, e.g. a trimmed one (default: the shipped full one)")
    .option("--covers-model <name>", "the covers jobs' embedding model (default: the shipped one)")
    .option("--piano-model <name>", "the transcribe jobs' piano model (default: the shipped one)")
    .option("--parts-model <name>", "the transcribe jobs' multi-instrument model, for jobs with instruments=K (default: the shipped one)")
    .option("--max-upload-mb <n>", "largest upload, MiB", intOption("--max-upload-mb", 1), SERVICE_DEFAULTS.maxUploadBytes / 2 ** 20)
    .option("--max-seconds <n>", "longest audio, seconds", intOption("--max-seconds", 1), SERVICE_DEFAULTS.maxAudioSeconds)
    .option("--max-queued <n>", "jobs that may wait; more are answered 429 with Retry-After", intOption("--max-queued", 1), 100)
    .option("--ttl <seconds>", "how long a finished job's results are kept", intOption("--ttl", 1), SERVICE_DEFAULTS.ttlSeconds)
    .option("--api-key <key>", "require this key on /v1 routes (Authorization: Bearer KEY); also MIRKIT_API_KEY")
    .option("--key-for-localhost", "require the key from localhost too (by default local clients need none)")
    .addHelpText("after", [
      "", "Examples:",
      "  $ mirkit serve --port 8080                     # API at http://127.0.0.1:8080/v1/jobs, docs at /docs",
      "  $ curl -s -X POST --data-binary @song.mp3 -H 'content-type: audio/mpeg' 'http://127.0.0.1:8080/v1/jobs?task=separate'",
      "  $ curl -s http://127.0.0.1:8080/v1/jobs/ID     # state, progress, result URLs",
      "  $ mirkit serve --redis redis://127.0.0.1:6379 & mirkit worker --redis redis://127.0.0.1:6379 -j 2",
    ].join("\n"))
    .action(async (o: { port: number; host: string; store: string; redis?: string; concurrency: number; db?: string; separationModel?: string; multipitchModel?: string; coversModel?: string; pianoModel?: string; partsModel?: string; maxUploadMb: number; maxSeconds: number; maxQueued: number; ttl: number; apiKey?: string; keyForLocalhost?: boolean }) => {
      const store = path.resolve(o.store);
      const backend: JobBackend = o.redis
        ? await RedisBackend.connect(o.redis, { maxQueued: o.maxQueued, ttlSeconds: o.ttl })
        : new EmbeddedBackend(new ThreadPool(o.concurrency, store, modelNames(o)), o.maxQueued);
      const apiKey = o.apiKey ?? (process.env.MIRKIT_API_KEY || undefined);
      const app = await createService({
        backend, store, db: o.db && path.resolve(o.db), maxUploadBytes: o.maxUploadMb * 2 ** 20, maxAudioSeconds: o.maxSeconds, ttlSeconds: o.ttl,
        apiKey, keyForLocalhost: o.keyForLocalhost === true,
      });
      try {
        await app.listen({ port: o.port, host: o.host });
      } catch (e) {
        await backend.close();
        throw new InvalidInputError(`cannot listen on ${o.host}:${o.port} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      const addr = app.server.address();
      const port = typeof addr === "object" && addr ? addr.port : o.port;
      process.stderr.write(`mirkit service at http://${o.host}:${port}/ (API /v1/jobs, docs /docs; jobs ${o.redis ? `in Redis at ${o.redis}` : `in this process, ${o.concurrency} at a time`}; Ctrl-C to stop)\n`);
      onStop(async () => {
        await app.close();
        await backend.close();
      });
    });

  program
    .command("worker")
    .description("Run service jobs from a Redis queue (mirkit serve --redis): any number of workers on any number of machines; a job whose worker dies is taken over by another.")
    .requiredOption("--redis <url>", "the Redis the service queues in, e.g. redis://127.0.0.1:6379")
    .option("-j, --concurrency <n>", "jobs run at once (one worker thread each)", intOption("--concurrency", 1, 64), 1)
    .option("--store <dir>", storeHelp, defaultStore())
    .option("--separation-model <name>", "the separate jobs' model (shipped name or .onnx file)")
    .option("--multipitch-model <name>", "the multipitch jobs' model (shipped name or .onnx file)")
    .option("--covers-model <name>", "the covers jobs' embedding model (shipped name or .onnx file)")
    .option("--piano-model <name>", "the transcribe jobs' piano model (shipped name or .onnx file)")
    .option("--parts-model <name>", "the transcribe jobs' multi-instrument model (shipped name or .onnx file)")
    .option("--lock-ms <ms>", "a job's lock lifetime: a dead worker's job is taken over after about this long", intOption("--lock-ms", 500), 30_000)
    .addHelpText("after", "\nExample:\n  $ mirkit worker --redis redis://10.0.0.5:6379 -j 2 --store /mnt/mirkit")
    .action(async (o: { redis: string; concurrency: number; store: string; lockMs: number; separationModel?: string; multipitchModel?: string; coversModel?: string; pianoModel?: string; partsModel?: string }) => {
      const quiet = program.opts().quiet === true;
      const w = await startRedisWorker(o.redis, {
        concurrency: o.concurrency, store: path.resolve(o.store), lockMs: o.lockMs, models: modelNames(o),
        onEvent: (event, id, detail) => {
          if (!quiet) process.stderr.write(`${new Date().toISOString()} ${event} ${id}${detail ? `: ${detail}` : ""}\n`);
        },
      });
      process.stderr.write(`mirkit worker ${process.pid} on ${o.redis}, ${o.concurrency} job(s) at a time (Ctrl-C to stop)\n`);
      onStop(() => w.close());
    });
}
