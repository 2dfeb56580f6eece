import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { encodeEntry, MAGIC, type LibraryEntry } from "../covers/library.js";
import { frameRecord } from "../io/records.js";
import { encodeWav } from "../io/wav.js";
import { Rng } from "../random.js";
import { sine } from "../testing/assert.js";
import { openCoversLibrary, repairLibrary } from "./covers.js";
import { scratchDir } from "../testing/scratch.js";

const dir = scratchDir("mirkit-covlib-");
const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "../cli/main.js");

function entry(i: number, frames = 20): LibraryEntry {
  const r = new Rng(i + 1);
  const f = () => Float32Array.from({ length: frames * 12 }, () => r.uniform());
  return { path: `/music/song${String(i).padStart(2, "0")}.wav`, durationSeconds: frames / 2, sizeBytes: 1000 + i, features: { hpcp: f(), melody: f(), salience: f(), nFrames: frames } };
}

/** A library file of `n` entries; returns its path and each record's byte offset. */
async function library(name: string, n: number): Promise<{ file: string; offsets: number[] }> {
  const file = path.join(dir, name);
  const lib = await openCoversLibrary(file);
  for (let i = 0; i < n; i++) await lib.add(entry(i));
  await lib.close();
  const offsets: number[] = [];
  let at = MAGIC.length;
  for (let i = 0; i < n; i++) { offsets.push(at); at += 8 + encodeEntry(entry(i)).length; }
  return { file, offsets };
}

const paths = async (file: string) => (await openCoversLibrary(file, { readOnly: true })).entries.map((e) => e.path);

test("covers library: a flipped byte mid-file loses that record only, is reported, and the next add keeps every other record (no cut)", async () => {
  const { file, offsets } = await library("flip.mkcl", 12);
  const bytes = readFileSync(file);
  bytes[offsets[5] + 200] ^= 0x40; // inside record 5's features
  writeFileSync(file, bytes);
  const lib = await openCoversLibrary(file, { readOnly: true });
  assert.equal(lib.entries.length, 11);
  assert.ok(!lib.has(entry(5).path));
  assert.equal(lib.damage.length, 1);
  assert.equal(lib.damage[0].offset, offsets[5]);
  const size = statSync(file).size;
  const w = await openCoversLibrary(file);
  await w.add(entry(40));
  await w.close();
  assert.ok(statSync(file).size > size, "appended, nothing cut");
  assert.deepEqual(await paths(file), [...Array.from({ length: 12 }, (_, i) => i).filter((i) => i !== 5).map((i) => entry(i).path), entry(40).path]);
});

test("covers library: a bad length field mid-file is skipped by resynchronising on the next record", async () => {
  const { file, offsets } = await library("len.mkcl", 6);
  const bytes = readFileSync(file);
  bytes.writeUInt32LE(0x7fffffff, offsets[2]);
  writeFileSync(file, bytes);
  assert.deepEqual(await paths(file), [0, 1, 3, 4, 5].map((i) => entry(i).path));
  const w = await openCoversLibrary(file);
  await w.close();
  assert.equal(statSync(file).size, bytes.length, "a writer cut nothing");
});

test("covers library: a torn tail (an interrupted add) is ignored, then cut by the next add", async () => {
  const { file } = await library("torn.mkcl", 4);
  const whole = readFileSync(file);
  writeFileSync(file, Buffer.concat([whole, Buffer.from(frameRecord(encodeEntry(entry(9))).subarray(0, 300))]));
  const lib = await openCoversLibrary(file, { readOnly: true });
  assert.equal(lib.entries.length, 4);
  assert.equal(lib.damage.length, 0, "a torn tail is not damage");
  const w = await openCoversLibrary(file);
  assert.equal(statSync(file).size, whole.length);
  await w.add(entry(9));
  await w.close();
  assert.equal((await paths(file)).length, 5);
});

test("covers library: records whose checksum holds but whose contents are invalid are skipped and listed", async () => {
  const bad = (meta: string, floats: number[]) => {
    const head = new TextEncoder().encode(meta + "\n");
    const p = new Uint8Array(head.length + 4 * floats.length);
    p.set(head);
    const v = new DataView(p.buffer);
    floats.forEach((x, i) => v.setFloat32(head.length + 4 * i, x, true));
    return frameRecord(p);
  };
  const zeros = (n: number) => new Array<number>(n).fill(0);
  const records = [
    frameRecord(encodeEntry(entry(0))),
    bad('{"path": oops', zeros(24)),
    bad('{"path":"/a.wav","durationSeconds":1,"sizeBytes":1,"nFrames":999,"views":2}', zeros(24)),
    bad('{"path":"/b.wav","durationSeconds":1,"sizeBytes":1,"nFrames":-1,"views":2}', []),
    bad('{"path":"/c.wav","durationSeconds":1,"sizeBytes":1,"nFrames":1,"views":2}', [NaN, ...zeros(23)]),
    frameRecord(encodeEntry(entry(1))),
  ];
  const file = path.join(dir, "invalid.mkcl");
  writeFileSync(file, Buffer.concat([MAGIC, ...records]));
  const lib = await openCoversLibrary(file, { readOnly: true });
  assert.deepEqual(lib.entries.map((e) => e.path), [entry(0).path, entry(1).path]);
  assert.equal(lib.damage.length, 4);
  assert.match(lib.damage.map((d) => d.reason).join("; "), /not JSON.*999 frames.*frame count \(-1\).*non-finite/);
});

test("covers repair: rewrites the library with its intact records, keeps the original as .bak", async () => {
  const { file, offsets } = await library("repair.mkcl", 5);
  const bytes = readFileSync(file);
  bytes[offsets[1] + 100] ^= 1;
  writeFileSync(file, bytes);
  const r = await repairLibrary(file);
  assert.equal(r.kept, 4);
  assert.equal(r.dropped.length, 1);
  assert.deepEqual(readFileSync(r.backup), bytes, "the original is kept");
  const lib = await openCoversLibrary(file, { readOnly: true });
  assert.deepEqual(lib.entries.map((e) => e.path), [0, 2, 3, 4].map((i) => entry(i).path));
  assert.equal(lib.damage.length, 0);
});

test("mirkit covers add: an undecodable file in a folder is skipped with a warning, the rest added, exit 1 listing it; query warns about damage", () => {
  const music = path.join(dir, "music");
  mkdirSync(music, { recursive: true });
  for (const [i, f] of [220, 330].entries()) writeFileSync(path.join(music, `tone${i}.wav`), encodeWav({ sampleRate: 22050, channels: [sine(f, 22050, 22050 * 4, 0.5)] }));
  writeFileSync(path.join(music, "broken.wav"), "RIFF....WAVEjunk");
  const db = path.join(dir, "cli.mkcl");
  const r = spawnSync(process.execPath, [BIN, "--quiet", "covers", "add", music, "--db", db], { encoding: "utf8" });
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^mirkit: .*broken\.wav: .*\(not added; 2 other file\(s\) were\)$/);
  assert.equal((spawnSync(process.execPath, [BIN, "--quiet", "covers", "query", path.join(music, "tone0.wav"), "--db", db, "--json"], { encoding: "utf8" }).stdout.match(/"path"/g) ?? []).length, 2, "both tones are in");
  // Two bad files: a warning line each, then the list.
  writeFileSync(path.join(music, "broken2.wav"), "RIFF....WAVEjunk");
  const r2 = spawnSync(process.execPath, [BIN, "--quiet", "covers", "add", music, "--db", db], { encoding: "utf8" });
  assert.equal(r2.status, 1);
  const l2 = r2.stderr.trim().split("\n");
  assert.equal(l2.length, 3, r2.stderr);
  assert.match(l2[2], /^mirkit: 2 files could not be added: .*broken\.wav, .*broken2\.wav$/);
  const bytes = readFileSync(db);
  bytes[MAGIC.length + 300] ^= 0xff;
  writeFileSync(db, bytes);
  const q = spawnSync(process.execPath, [BIN, "--quiet", "covers", "query", path.join(music, "tone1.wav"), "--db", db, "--json"], { encoding: "utf8" });
  assert.equal(q.status, 0, q.stderr);
  assert.equal((JSON.parse(q.stdout) as unknown[]).length, 1, "the intact entry is listed");
  assert.match(q.stderr, /warning: .*cli\.mkcl: 1 damaged record\(s\) skipped.*covers repair/);
});
