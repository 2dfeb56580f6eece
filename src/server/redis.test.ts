/**
 * The service on Redis (BullMQ) with real worker processes (`mirkit
 * worker`): a folder processed exactly once by two workers, a worker killed
 * with SIGKILL mid-job (the other finishes it), a coordinator killed
 * mid-batch (the rerun completes it, nothing twice), cancellation, retries.
 * Each test run starts its own redis-server on a free port.
 */
import * as assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { openCoversLibrary } from "../tasks/covers.js";
import { REDIS_MISSING, startRedis, type RedisHandle } from "../testing/redis.js";
import { toneWav, waitFor } from "../testing/service.js";
import { createService } from "./api.js";
import { jobDir, RedisBackend } from "./queue.js";
import { scratchDir } from "../testing/scratch.js";

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "cli", "main.js");
let redis: RedisHandle | undefined;
let store: string;
const children: ChildProcess[] = [];

before(async () => {
  redis = await startRedis();
  store = scratchDir("mirkit-redis-store-");
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await redis?.stop();
  rmSync(store, { recursive: true, force: true });
});

interface Proc { readonly child: ChildProcess; log: string; readonly exited: Promise<number | null> }

function mirkit(args: string[]): Proc {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const p: Proc = { child, log: "", exited: new Promise((r) => child.once("exit", (code) => r(code))) };
  child.stdout!.on("data", (d: Buffer) => (p.log += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (p.log += d.toString()));
  return p;
}

async function worker(lockMs = 30_000): Promise<Proc> {
  const w = mirkit(["worker", "--redis", redis!.url, "--store", store, "--lock-ms", String(lockMs)]);
  await waitFor(() => (/mirkit worker \d+ on/.test(w.log) ? true : undefined), "a worker to start", 30_000);
  return w;
}

async function stop(...ps: Proc[]): Promise<void> {
  for (const p of ps) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
  await Promise.all(ps.map((p) => p.exited));
}

const ids = (log: string, event: string) => [...log.matchAll(new RegExp(`^\\S+ ${event} (\\S+)`, "gm"))].map((m) => m[1]);

function folderOf20(): string {
  const dir = scratchDir("mirkit-batch-");
  for (let k = 0; k < 20; k++) writeFileSync(path.join(dir, `song${String(k).padStart(2, "0")}.wav`), toneWav(4, { seed: k }));
  return dir;
}

async function libraryPaths(db: string): Promise<string[]> {
  const lib = await openCoversLibrary(db, { readOnly: true });
  await lib.close();
  return lib.entries.map((e) => e.path);
}

test("two workers on one Redis process a folder of 20 files exactly once; a rerun adds nothing", async (t) => {
  if (!redis) return t.skip(REDIS_MISSING);
  const dir = folderOf20();
  const db = path.join(dir, "lib.mkcl");
  const [a, b] = [await worker(), await worker()];
  const coord = mirkit(["covers", "add", dir, "--db", db, "--redis", redis.url, "-q"]);
  assert.equal(await coord.exited, 0, coord.log);
  const paths = await libraryPaths(db);
  assert.equal(paths.length, 20);
  assert.equal(new Set(paths).size, 20, "each file once");
  const done = [...ids(a.log, "completed"), ...ids(b.log, "completed")];
  assert.equal(done.length, 20, "each job ran once");
  assert.equal(new Set(done).size, 20);
  assert.ok(ids(a.log, "completed").length > 0 && ids(b.log, "completed").length > 0, "both workers took jobs");
  const again = mirkit(["covers", "add", dir, "--db", db, "--redis", redis.url]);
  assert.equal(await again.exited, 0, again.log);
  assert.match(again.log, /added 0 file\(s\); 20 in/);
  assert.equal([...ids(a.log, "completed"), ...ids(b.log, "completed")].length, 20, "no job ran again");
  // The same for separation: stems where `mirkit separate` would write them; a rerun skips them.
  const out = path.join(dir, "stems");
  const sep = mirkit(["separate", path.join(dir, "song00.wav"), path.join(dir, "song01.wav"), "-o", out, "--redis", redis.url, "-q"]);
  assert.equal(await sep.exited, 0, sep.log);
  for (const song of ["song00", "song01"]) for (const stem of ["vocals", "accompaniment"]) assert.ok(existsSync(path.join(out, song, `${stem}.wav`)), `${song}/${stem}`);
  const sepAgain = mirkit(["separate", path.join(dir, "song00.wav"), path.join(dir, "song01.wav"), "-o", out, "--redis", redis.url]);
  assert.equal(await sepAgain.exited, 0, sepAgain.log);
  assert.match(sepAgain.log, /separated 0 file\(s\) into .*; 2 already done, skipped/);
  await stop(a, b);
  rmSync(dir, { recursive: true, force: true });
});

test("a coordinator killed mid-batch loses nothing it added; the rerun completes the library, each file once", async (t) => {
  if (!redis) return t.skip(REDIS_MISSING);
  const dir = folderOf20();
  const db = path.join(dir, "lib.mkcl");
  const w = await worker();
  const coord = mirkit(["covers", "add", dir, "--db", db, "--redis", redis.url, "-q"]);
  await waitFor(async () => (existsSync(db) && (await libraryPaths(db)).length >= 3 ? true : undefined), "some files added", 60_000, 20);
  coord.child.kill("SIGKILL");
  await coord.exited;
  const before = await libraryPaths(db);
  assert.ok(before.length >= 3 && before.length < 20, `${before.length} added before the kill`);
  const rerun = mirkit(["covers", "add", dir, "--db", db, "--redis", redis.url, "-q"]);
  assert.equal(await rerun.exited, 0, rerun.log);
  const paths = await libraryPaths(db);
  assert.equal(paths.length, 20);
  assert.equal(new Set(paths).size, 20);
  for (const p of before) assert.ok(paths.includes(p));
  await stop(w);
  rmSync(dir, { recursive: true, force: true });
});

async function service(): Promise<{ app: FastifyInstance; base: string; backend: RedisBackend }> {
  const backend = await RedisBackend.connect(redis!.url, { maxQueued: 10, ttlSeconds: 600 });
  const app = await createService({ backend, store, demo: false });
  await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, backend, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

const submit = async (base: string, query: string, body: Uint8Array<ArrayBuffer>) => (await (await fetch(`${base}/v1/jobs?${query}`, { method: "POST", body, headers: { "content-type": "audio/wav" } })).json()).id as string;
const job = async (base: string, id: string) => (await fetch(`${base}/v1/jobs/${id}`)).json() as Promise<{ state: string; progress: number; error?: string; results: { name: string; url: string }[] }>;

test("a worker killed with SIGKILL mid-job: the other worker completes the job", async (t) => {
  if (!redis) return t.skip(REDIS_MISSING);
  const s = await service();
  const [a, b] = [await worker(1000), await worker(1000)];
  try {
    const seconds = 90;
    const id = await submit(s.base, "task=separate", toneWav(seconds, { channels: 2 }));
    const holder = await waitFor(() => (ids(a.log, "started").includes(id) ? a : ids(b.log, "started").includes(id) ? b : undefined), "a worker to take the job", 30_000);
    const other = holder === a ? b : a;
    await waitFor(async () => ((await job(s.base, id)).progress > 0 ? true : undefined), "progress", 60_000);
    holder.child.kill("SIGKILL");
    await holder.exited;
    const done = await waitFor(async () => {
      const j = await job(s.base, id);
      return ["completed", "failed"].includes(j.state) ? j : undefined;
    }, "the job to complete elsewhere", 120_000, 200);
    assert.equal(done.state, "completed", done.error);
    assert.ok(ids(other.log, "completed").includes(id), other.log);
    const wav = new Uint8Array(await (await fetch(s.base + done.results[0].url)).arrayBuffer());
    const frames = (wav.length - 44) / (4 * 2);
    assert.ok(Math.abs(frames - seconds * 22050) < 100, `vocals hold ${frames} frames`);
  } finally {
    await stop(a, b);
    await s.app.close();
    await s.backend.close();
  }
});

test("cancelling a job on a worker stops it there and removes its files; retries: three for a machine fault, one for bad input", async (t) => {
  if (!redis) return t.skip(REDIS_MISSING);
  const s = await service();
  const w = await worker(2000);
  try {
    const id = await submit(s.base, "task=separate", toneWav(90, { channels: 2 }));
    await waitFor(async () => ((await job(s.base, id)).progress > 0 ? true : undefined), "progress", 60_000);
    const r = await fetch(`${s.base}/v1/jobs/${id}`, { method: "DELETE" });
    assert.equal((await r.json()).state, "cancelled");
    await waitFor(() => (ids(w.log, "cancelled").includes(id) ? true : undefined), "the worker to stop the job", 30_000);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(existsSync(jobDir(store, id)), false, "the job's folder is gone");
    assert.equal((await job(s.base, id)).state, "cancelled");

    // A fault that is not the input's (here: a task this worker does not know) is tried three times.
    const odd = "00000000-0000-4000-8000-000000000001";
    await s.backend.add({ id: odd, task: "hum" as never, options: {}, input: "x", out: "y" });
    const failed = await waitFor(async () => ((await s.backend.status(odd))?.state === "failed" ? s.backend.status(odd) : undefined), "three attempts", 30_000);
    assert.match(failed!.error ?? "", /does not know task "hum"/);
    assert.equal((await s.backend.queue.getJob(odd))!.attemptsMade, 3);

    // Bad input fails at once: a covers query on a file that is not a library.
    const notLib = path.join(store, "not-a-library.mkcl");
    writeFileSync(notLib, "nope");
    const bad = "00000000-0000-4000-8000-000000000002";
    mkdirSync(jobDir(store, bad), { recursive: true });
    writeFileSync(path.join(jobDir(store, bad), "input"), toneWav(3));
    await s.backend.add({ id: bad, task: "covers.query", options: {}, input: path.join("jobs", bad, "input"), out: path.join("jobs", bad, "out"), db: notLib });
    const st = await waitFor(async () => ((await s.backend.status(bad))?.state === "failed" ? s.backend.status(bad) : undefined), "the bad job", 30_000);
    assert.match(st!.error ?? "", /not a mirkit covers library/);
    assert.equal((await s.backend.queue.getJob(bad))!.attemptsMade, 1);
  } finally {
    await stop(w);
    await s.app.close();
    await s.backend.close();
  }
});
