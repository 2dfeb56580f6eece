import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { encodeEntry } from "../covers/library.js";
import { frameRecord } from "../io/records.js";
import { openCoversLibrary } from "../tasks/covers.js";
import { soundFontsAvailable } from "../io/soundfonts.js";
import { scratchDir } from "../testing/scratch.js";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");
const fonts = soundFontsAvailable(["fluid", "timgm6mb"]);
const readLibrary = async (file: string) => (await openCoversLibrary(file, { readOnly: true })).entries;
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

test("covers add / query / compare / eval on a small synthetic cover set; the library survives a torn write", { skip: fonts !== true ? fonts : false }, async () => {
  const dir = scratchDir("mirkit-covers-");
  const data = path.join(dir, "set");
  assert.equal(run("synth", "covers", "--n", "3", "--versions", "2", "--noise", "2", "--seconds", "8", "--rate", "22050", "--fonts", "fluid,timgm6mb", "--out", data, "--quiet").status, 0);
  const db = path.join(dir, "lib.mkcl");
  const add = run("covers", "add", data, "--db", db, "--quiet");
  assert.equal(add.status, 0, add.stderr);
  assert.equal((await readLibrary(db)).length, 8);
  // Re-running add skips what is in.
  const size = statSync(db).size;
  assert.equal(run("covers", "add", data, "--db", db, "--quiet").status, 0);
  assert.equal(statSync(db).size, size);
  // A crash mid-append leaves a torn record: readers ignore it, the next add cuts it off.
  writeFileSync(db, Buffer.concat([readFileSync(db), Buffer.from([200, 0, 0, 0, 1, 2, 3])]));
  assert.equal((await readLibrary(db)).length, 8);
  truncateSync(db, size - 10); // and a torn last record: 7 intact entries remain
  assert.equal((await readLibrary(db)).length, 7);
  assert.equal(run("covers", "add", data, "--db", db, "--quiet").status, 0);
  assert.equal((await readLibrary(db)).length, 8);
  // Query: a version's own work comes first among the other items.
  const q = run("covers", "query", path.join(data, "w0001_v0", "mixture.wav"), "--db", db, "-k", "3", "--json");
  assert.equal(q.status, 0, q.stderr);
  const rows = JSON.parse(q.stdout) as { path: string; distance: number }[];
  assert.equal(rows.length, 3);
  assert.ok(rows.every((r) => typeof r.path === "string" && typeof r.distance === "number"));
  const others = rows.filter((r) => !r.path.includes("w0001_v0"));
  assert.ok(others[0].path.includes("w0001_v1"), `nearest other item: ${others[0].path}`);
  // The other methods: the index alone (its own recording first, at cosine distance ≈ 0), and alignment over every entry.
  const qe = run("covers", "query", path.join(data, "w0001_v0", "mixture.wav"), "--db", db, "-k", "3", "--method", "embedding", "--json");
  assert.equal(qe.status, 0, qe.stderr);
  const erows = JSON.parse(qe.stdout) as { path: string; distance: number; embeddingDistance: number; hpcpDistance: number | null }[];
  assert.ok(erows[0].path.includes("w0001_v0") && erows[0].distance < 1e-3 && erows[0].hpcpDistance === null, JSON.stringify(erows[0]));
  const qa = run("covers", "query", path.join(data, "w0001_v0", "mixture.wav"), "--db", db, "-k", "3", "--method", "alignment", "--json");
  assert.equal(qa.status, 0, qa.stderr);
  assert.equal((JSON.parse(qa.stdout) as unknown[]).length, 3);
  const badMethod = run("covers", "query", path.join(data, "w0001_v0", "mixture.wav"), "--db", db, "--method", "fast");
  assert.equal(badMethod.status, 1);
  assert.match(badMethod.stderr, /^mirkit: --method must be one of two-stage, embedding, alignment, got "fast"\n$/);
  const c = run("covers", "compare", path.join(data, "w0000_v0", "mixture.wav"), path.join(data, "w0000_v1", "mixture.wav"), "--json");
  assert.equal(c.status, 0, c.stderr);
  const cmp = JSON.parse(c.stdout);
  assert.ok(typeof cmp.cover === "boolean" && cmp.distance > 0);
  const e = run("covers", "eval", "--dataset", data, "--json", "--quiet");
  assert.equal(e.status, 0, e.stderr);
  const ev = JSON.parse(e.stdout);
  assert.ok(ev.scores["HPCP + Qmax"].MAP > 0.5, `MAP ${ev.scores["HPCP + Qmax"].MAP}`);
  assert.ok(Object.keys(ev.scores).some((k) => k.startsWith("embedding (covers-")) && Object.keys(ev.scores).some((k) => k.startsWith("two-stage (covers-")), Object.keys(ev.scores).join(", "));
  // A file that is not a library is refused, not overwritten.
  writeFileSync(path.join(dir, "junk.mkcl"), "hello");
  const bad = run("covers", "add", data, "--db", path.join(dir, "junk.mkcl"), "--quiet");
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /not a mirkit covers library/);
  assert.equal(readFileSync(path.join(dir, "junk.mkcl"), "utf8"), "hello");
  // A library from before embeddings: one line naming the migration, the file untouched; migrate makes it usable.
  const v1 = path.join(dir, "v1.mkcl");
  const old = await readLibrary(db);
  writeFileSync(v1, Buffer.concat([Buffer.from("MKCOVER1"), ...old.map((e) => Buffer.from(frameRecord(encodeEntry({ ...e, embedding: undefined }))))]));
  const before = readFileSync(v1);
  for (const args of [["covers", "add", data, "--db", v1], ["covers", "query", path.join(data, "w0000_v0", "mixture.wav"), "--db", v1]]) {
    const r = run(...args, "--quiet");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^mirkit: .*v1\.mkcl: is a format-1 mirkit covers library .*run mirkit covers migrate --db .*v1\.mkcl .*\n$/);
  }
  assert.deepEqual(readFileSync(v1), before);
  const mig = run("covers", "migrate", "--db", v1, "--quiet");
  assert.equal(mig.status, 0, mig.stderr);
  assert.deepEqual(readFileSync(`${v1}.v1.bak`), before);
  const q2 = run("covers", "query", path.join(data, "w0000_v0", "mixture.wav"), "--db", v1, "-k", "1", "--method", "embedding", "--json");
  assert.equal(q2.status, 0, q2.stderr);
  assert.match((JSON.parse(q2.stdout) as { path: string }[])[0].path, /w0000_v0/);
});
