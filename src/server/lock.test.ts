import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { scratchDir } from "../testing/scratch.js";
import { STALE_UNREADABLE_MS, withFileLock } from "./lock.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("withFileLock: holders never overlap, and nothing is left beside the file afterwards", async () => {
  const dir = scratchDir("mirkit-lock-");
  const file = path.join(dir, "lib.mkcl");
  let inside = 0, most = 0;
  const order: number[] = [];
  await Promise.all(Array.from({ length: 16 }, (_, i) => withFileLock(file, async () => {
    inside++;
    most = Math.max(most, inside);
    await sleep(5);
    order.push(i);
    inside--;
  })));
  assert.equal(most, 1);
  assert.equal(order.length, 16);
  assert.deepEqual(readdirSync(dir), []);
});

test("withFileLock: a lock whose owner on this host is dead is taken over at once", async () => {
  const dir = scratchDir("mirkit-lock-");
  const file = path.join(dir, "lib.mkcl");
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
  writeFileSync(`${file}.lock`, JSON.stringify({ host: hostname(), pid: Number(dead) }));
  const t0 = Date.now();
  assert.equal(await withFileLock(file, async () => "ran", 5000), "ran");
  assert.ok(Date.now() - t0 < 2000);
  assert.deepEqual(readdirSync(dir), []);
});

test("withFileLock: a live owner is waited for, and the error names the file and the owner", async () => {
  const dir = scratchDir("mirkit-lock-");
  const file = path.join(dir, "lib.mkcl");
  writeFileSync(`${file}.lock`, JSON.stringify({ host: hostname(), pid: process.pid }));
  await assert.rejects(withFileLock(file, async () => "ran", 200), new RegExp(`lib\\.mkcl: locked by ${hostname()} pid ${process.pid} for over 0\\.2 s`));
  // Another host's lock is never taken over (its pid means nothing here).
  writeFileSync(`${file}.lock`, JSON.stringify({ host: `${hostname()}-elsewhere`, pid: 1 }));
  await assert.rejects(withFileLock(file, async () => "ran", 200), /locked by .*-elsewhere pid 1/);
});

test("withFileLock: an unreadable lock (emptied by a kill) is waited for while fresh, taken over once stale", async () => {
  const dir = scratchDir("mirkit-lock-");
  const file = path.join(dir, "lib.mkcl");
  writeFileSync(`${file}.lock`, "");
  await assert.rejects(withFileLock(file, async () => "ran", 200), /locked by \? pid \?/);
  const old = (Date.now() - STALE_UNREADABLE_MS - 5000) / 1000;
  utimesSync(`${file}.lock`, old, old);
  assert.equal(await withFileLock(file, async () => "ran", 2000), "ran");
  assert.deepEqual(readdirSync(dir), []);
});
