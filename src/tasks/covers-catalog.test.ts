import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { encodeEntry, MAGIC_V1, type LibraryEntry } from "../covers/library.js";
import { logBytes } from "../io/records.js";
import { Rng } from "../random.js";
import { tinyEmbedder } from "../testing/cover-embedder.js";
import { CoversCatalog, indexFiles } from "./covers-catalog.js";
import { migrateLibrary, openCoversLibrary, queryLibrary, repairLibrary } from "./covers.js";
import { scratchDir } from "../testing/scratch.js";

const dir = scratchDir("mirkit-catalog-");
const embedder = await tinyEmbedder();

function entry(i: number, frames = 20): LibraryEntry {
  const r = new Rng(i + 1);
  const f = () => Float32Array.from({ length: frames * 12 }, () => r.uniform());
  return { path: `/music/song${String(i).padStart(3, "0")}.wav`, durationSeconds: frames / 2, sizeBytes: 1000 + i, features: { hpcp: f(), melody: f(), salience: f(), nFrames: frames } };
}

async function catalog(name: string, n: number): Promise<string> {
  const db = path.join(dir, name);
  const cat = await CoversCatalog.open(db, embedder);
  for (let i = 0; i < n; i++) await cat.add(entry(i));
  await cat.close();
  return db;
}

/** Each entry's own embedding finds it first, at distance ≈ 0. */
async function assertSelfFound(db: string, ids: readonly number[]): Promise<void> {
  const cat = await CoversCatalog.open(db, embedder, { readOnly: true });
  assert.equal(cat.size, ids.length);
  for (const i of ids) {
    const [m] = await cat.nearest(await embedder.embed(entry(i).features), 1);
    assert.equal(m.entry.path, entry(i).path);
    assert.ok(m.distance < 1e-4, `distance ${m.distance}`);
    assert.deepEqual(m.entry.features.hpcp, entry(i).features.hpcp, "the record read back by offset is the entry");
  }
  await cat.close();
}

test("covers catalog: entries are stored with their embedding, indexed, found by it after reopening; the index files are written", async () => {
  const db = await catalog("basic.mkcl", 30);
  assert.ok(existsSync(indexFiles(db).index) && existsSync(indexFiles(db).meta));
  await assertSelfFound(db, Array.from({ length: 30 }, (_, i) => i));
  const lib = await openCoversLibrary(db, { readOnly: true });
  assert.equal(lib.entries[3].embedding?.model, "covers-tiny");
  assert.equal(lib.entries[3].embedding?.vector.length, 8);
});

test("covers catalog: records the index does not cover (a crash after the fsync, before the index was saved) are indexed at the next open", async () => {
  const db = await catalog("catchup.mkcl", 5);
  const meta = readFileSync(indexFiles(db).meta);
  const index = readFileSync(indexFiles(db).index);
  const cat = await CoversCatalog.open(db, embedder);
  for (let i = 5; i < 9; i++) await cat.add(entry(i));
  await cat.close();
  writeFileSync(indexFiles(db).meta, meta); // the index as it was before those adds
  writeFileSync(indexFiles(db).index, index);
  await assertSelfFound(db, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test("covers catalog: an index that does not match the log (log replaced, cut, or another model) is rebuilt from the log", async () => {
  const db = await catalog("stale.mkcl", 6);
  const other = await catalog("stale-other.mkcl", 3);
  writeFileSync(db, readFileSync(other)); // the same name now holds another library; its index files are the old ones
  await assertSelfFound(db, [0, 1, 2]);
  const db2 = await catalog("cut.mkcl", 6);
  writeFileSync(db2, readFileSync(db2).subarray(0, statSync(db2).size - 30)); // the last record torn
  await assertSelfFound(db2, [0, 1, 2, 3, 4]);
  const db3 = await catalog("model.mkcl", 4);
  const another = await tinyEmbedder("covers-tiny-2", 9);
  const cat = await CoversCatalog.open(db3, another, { readOnly: true });
  const [m] = await cat.nearest(await another.embed(entry(2).features), 1);
  assert.equal(m.entry.path, entry(2).path, "re-embedded with the other model");
  await cat.close();
  assert.equal(JSON.parse(readFileSync(indexFiles(db3).meta, "utf8")).model, "covers-tiny-2");
  await another.dispose();
});

test("covers catalog: an add through a catalog opened before another writer's add indexes that add too", async () => {
  const db = await catalog("two.mkcl", 2);
  const a = await CoversCatalog.open(db, embedder);
  const b = await CoversCatalog.open(db, embedder);
  await a.add(entry(2));
  await a.close();
  await b.add(entry(3)); // b's view of the log ends before a's record
  await b.close();
  await assertSelfFound(db, [0, 1, 2, 3]);
});

test("covers catalog: kill -9 during adds loses no entry reported as added", async () => {
  const db = path.join(dir, "killed.mkcl");
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "../testing/catalog-writer.js");
  const child = spawn(process.execPath, [script, db, "400"], { stdio: ["ignore", "pipe", "inherit"] });
  const reported: string[] = [];
  let buf = "";
  await new Promise<void>((resolve) => {
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split("\n");
      buf = lines.pop()!;
      reported.push(...lines.filter(Boolean));
      if (reported.length >= 25 && !child.killed) { child.kill("SIGKILL"); resolve(); }
    });
    child.on("exit", () => resolve());
  });
  await new Promise((r) => child.on("exit", r));
  assert.ok(reported.length >= 25);
  const cat = await CoversCatalog.open(db, embedder);
  for (const p of reported) assert.ok(cat.has(p), `${p} was reported added`);
  await cat.close();
  const ids = Array.from({ length: cat.size }, (_, i) => i);
  await assertSelfFound(db, ids);
});

test("a format-1 library is refused with the migrate command by add and query, and migrate rewrites it with embeddings, keeping the original", async () => {
  const db = path.join(dir, "old.mkcl");
  const v1 = logBytes(MAGIC_V1, [0, 1, 2, 3].map((i) => encodeEntry(entry(i))));
  writeFileSync(db, v1);
  await assert.rejects(CoversCatalog.open(db, embedder), /old\.mkcl: is a format-1 mirkit covers library .*mirkit covers migrate --db .*old\.mkcl/);
  await assert.rejects(queryLibrary(db, "/nonexistent.wav", { embedder }), /format-1/);
  await assert.rejects(openCoversLibrary(db), /format-1/);
  assert.deepEqual(readFileSync(db), Buffer.from(v1), "untouched");
  const r = await migrateLibrary(db, { embedder });
  assert.deepEqual(r, { entries: 4, from: 1, backup: `${db}.v1.bak` });
  assert.deepEqual(readFileSync(`${db}.v1.bak`), Buffer.from(v1));
  await assertSelfFound(db, [0, 1, 2, 3]);
  // Migrating again rebuilds the index only.
  assert.equal((await migrateLibrary(db, { embedder })).from, 2);
});

test("covers repair drops the index (record offsets change) and the next open rebuilds it", async () => {
  const db = await catalog("repair.mkcl", 5);
  const bytes = readFileSync(db);
  bytes[8 + 8 + 100] ^= 1; // inside the first record
  writeFileSync(db, bytes);
  await repairLibrary(db);
  assert.ok(!existsSync(indexFiles(db).index));
  await assertSelfFound(db, [1, 2, 3, 4]);
});
