/**
 * The service's cost and throughput on `multipitch` jobs over 30 s files:
 * - the library called directly (runJob in this process: decode, HCQT, CNN,
 *   peaks, the three result files) against one job at a time through the
 *   API (upload, checks, queue, worker thread, result files), embedded and
 *   on Redis: the overhead of API + queue (goal: < 5 % for a 30 s file);
 * - throughput (jobs per minute) and p50/p99 latency (submit → completed, as
 *   a client following the job's server-sent events sees it) of a burst of jobs with 1, 2 and 4
 *   Redis worker processes on this machine.
 *   npm run bench:service [-- --jobs 16 --repeats 15]
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createService } from "../src/server/api.js";
import { ThreadPool } from "../src/server/pool.js";
import { EmbeddedBackend, RedisBackend, redisConnection, startRedisWorker, type JobBackend } from "../src/server/queue.js";
import { ModelCache, runJob } from "../src/server/tasks.js";
import { startRedis } from "../src/testing/redis.js";
import { toneWav } from "../src/testing/service.js";

const SECONDS = 30;
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

if (process.argv[2] === "--worker") {
  // A worker process of the Redis runs (what `mirkit worker` runs).
  const w = await startRedisWorker(process.argv[3], { concurrency: 1, store: process.argv[4] });
  process.send!("ready");
  process.on("SIGTERM", () => void w.close().then(() => process.exit(0)));
} else {
  await main();
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

async function main(): Promise<void> {
  const jobs = arg("--jobs", 16), repeats = arg("--repeats", 15);
  const store = mkdtempSync(path.join(os.tmpdir(), "mirkit-bench-service-"));
  const audio = toneWav(SECONDS, { seed: 5 });
  const file = path.join(store, "in.wav");
  writeFileSync(file, audio);
  const rows: string[][] = [];
  try {
    // The library directly, in this process (models loaded once beforehand, like a warm worker), alternated
    // with the service's jobs below so that both see the same machine state.
    const models = new ModelCache();
    const direct: number[] = [];
    let runs = 0;
    const directly = async (): Promise<number> => {
      const t0 = performance.now();
      await runJob({ id: `d${runs}`, task: "multipitch", options: {}, input: file, out: path.join(store, `direct${runs++}`) }, { store, models });
      return performance.now() - t0;
    };
    await directly(); // loads the model

    const through = async (backend: JobBackend, label: string, workers: number, burst: boolean, commands?: () => Promise<number>) => {
      const app = await createService({ backend, store, demo: false });
      await app.listen({ port: 0, host: "127.0.0.1" });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const one = async (): Promise<number> => {
        const t0 = performance.now();
        const r = await fetch(`${url}/v1/jobs?task=multipitch`, { method: "POST", body: audio, headers: { "content-type": "audio/wav" } });
        if (r.status !== 202) throw new Error(`submit: ${r.status} ${await r.text()}`);
        const { id } = await r.json();
        // Follow the job's server-sent events to its end, as a client would.
        const text = await (await fetch(`${url}/v1/jobs/${id}/events`)).text();
        const t = performance.now() - t0;
        if (!/^event: completed$/m.test(text)) throw new Error(`job ${id} did not complete: ${text.slice(-300)}`);
        return t;
      };
      try {
        // Warm every worker (model loading), then measure.
        await Promise.all(Array.from({ length: workers * 2 }, one));
        if (!burst) {
          const lat: number[] = [], own: number[] = [];
          for (let i = 0; i < repeats; i++) {
            own.push(await directly());
            lat.push(await one());
          }
          direct.push(...own);
          const p50 = quantile(lat, 0.5), base = quantile(own, 0.5);
          rows.push([label, String(workers), (p50 / 1000).toFixed(3), (quantile(lat, 0.99) / 1000).toFixed(3), ((60_000 / p50)).toFixed(1), `${(100 * (p50 / base - 1)).toFixed(1)} % (library ${(base / 1000).toFixed(3)} s)`]);
        } else {
          const c0 = commands ? await commands() : 0;
          const t0 = performance.now();
          const lat = await Promise.all(Array.from({ length: jobs }, one));
          const wall = performance.now() - t0;
          const perJob = commands ? ((await commands()) - c0 - 1) / jobs : NaN;
          rows.push([`${label}, burst of ${jobs}${commands ? ` (${perJob.toFixed(0)} Redis commands per job)` : ""}`, String(workers), (quantile(lat, 0.5) / 1000).toFixed(3), (quantile(lat, 0.99) / 1000).toFixed(3), ((60_000 * jobs) / wall).toFixed(1), "—"]);
        }
      } finally {
        await app.close();
        await backend.close();
      }
    };

    await through(new EmbeddedBackend(new ThreadPool(1, store), 1000), "API + embedded queue, one job at a time", 1, false);
    const redis = await startRedis();
    if (!redis) {
      rows.push(["Redis runs skipped: redis-server is not installed", "", "", "", "", ""]);
    } else {
      try {
        for (const workers of [1, 2, 4]) {
          const procs: ChildProcess[] = [];
          for (let i = 0; i < workers; i++) {
            const p = fork(fileURLToPath(import.meta.url), ["--worker", redis.url, store], { stdio: "inherit" });
            procs.push(p);
            await new Promise<void>((res, rej) => (p.once("message", () => res()), p.once("exit", (c) => rej(new Error(`worker exited ${c}`)))));
          }
          try {
            if (workers === 1) await through(await RedisBackend.connect(redis.url, { maxQueued: 1000, ttlSeconds: 600 }), "API + Redis + worker process, one job at a time", 1, false);
            // Commands the Redis server processed (all clients), to size Redis for many machines.
            const probe = redisConnection(redis.url);
            await probe.connect();
            const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await probe.info("stats"))![1]);
            try {
              await through(await RedisBackend.connect(redis.url, { maxQueued: 1000, ttlSeconds: 600 }), "API + Redis + worker processes", workers, true, commands);
            } finally {
              probe.disconnect();
            }
          } finally {
            for (const p of procs) p.kill("SIGTERM");
            await Promise.all(procs.map((p) => new Promise((res) => (p.exitCode !== null ? res(0) : p.once("exit", res)))));
          }
        }
      } finally {
        await redis.stop();
      }
    }
    await models.dispose();
    rows.unshift(["library directly (runJob), alternated with the one-at-a-time runs", "—", (quantile(direct, 0.5) / 1000).toFixed(3), (quantile(direct, 0.99) / 1000).toFixed(3), (60_000 / quantile(direct, 0.5)).toFixed(1), "—"]);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
  const cpu = os.cpus();
  console.log(`multipitch jobs on ${SECONDS} s mono WAV files; ${cpu.length} × ${cpu[0]?.model ?? "CPU"}; Node ${process.version}\n`);
  console.log("| path | workers | p50 latency (s) | p99 latency (s) | jobs / min | overhead over the library (p50) |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}
