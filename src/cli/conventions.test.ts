/**
 * The command line's conventions (demucs, basic-pitch): files and folders as
 * inputs, default output places, `-o -` for text on standard output, one JSON
 * shape whatever the number of inputs, covers query and compare agreeing.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { encodeWav } from "../io/wav.js";
import { sine } from "../testing/assert.js";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");
const dir = mkdtempSync(path.join(tmpdir(), "mirkit-conv-"));
const run = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [BIN, "--quiet", ...args], { cwd, encoding: "utf8" });
const music = path.join(dir, "music");
mkdirSync(path.join(music, "live"), { recursive: true });
writeFileSync(path.join(music, "a.wav"), encodeWav({ sampleRate: 22050, channels: [sine(220, 22050, 22050 * 3, 0.4)] }));
writeFileSync(path.join(music, "live", "b.wav"), encodeWav({ sampleRate: 22050, channels: [sine(330, 22050, 22050 * 3, 0.4)] }));
writeFileSync(path.join(music, "notes.txt"), "not audio, skipped by extension\n");

test("folders are inputs (walked recursively, audio by extension); several inputs write one output each into a folder", () => {
  const info = run(dir, "info", "--json", music);
  assert.equal(info.status, 0, info.stderr);
  assert.deepEqual((JSON.parse(info.stdout) as { file: string }[]).map((r) => path.basename(r.file)), ["a.wav", "b.wav"]);
  const mp = run(dir, "multipitch", music, "-o", "f0");
  assert.equal(mp.status, 0, mp.stderr);
  assert.deepEqual(readdirSync(path.join(dir, "f0")).sort(), ["a.multipitch.txt", "b.multipitch.txt"]);
  const plot = run(dir, "plot", music, "--kind", "chroma", "-o", "pics");
  assert.equal(plot.status, 0, plot.stderr);
  assert.deepEqual(readdirSync(path.join(dir, "pics")).sort(), ["a.chroma.png", "b.chroma.png"]);
});

test("default outputs: separate writes separated/<name>/, multipitch <name>.multipitch.txt, plot <name>.<kind>.png, in the current folder", () => {
  const cwd = path.join(dir, "work");
  mkdirSync(cwd);
  copyFileSync(path.join(music, "a.wav"), path.join(cwd, "song.wav"));
  assert.equal(run(cwd, "separate", "song.wav").status, 0);
  assert.deepEqual(readdirSync(path.join(cwd, "separated", "song")).sort(), ["accompaniment.wav", "vocals.wav"]);
  assert.equal(run(cwd, "multipitch", "song.wav").status, 0);
  assert.ok(existsSync(path.join(cwd, "song.multipitch.txt")));
  assert.equal(run(cwd, "plot", "song.wav").status, 0);
  assert.ok(existsSync(path.join(cwd, "song.stft.png")));
});

test("-o - writes text to standard output, for one input; outputs that cannot be text refuse it", () => {
  const one = run(dir, "multipitch", path.join(music, "a.wav"), "-o", "-");
  assert.equal(one.status, 0, one.stderr);
  assert.equal(one.stdout, readFileSync(path.join(dir, "f0", "a.multipitch.txt"), "utf8"));
  assert.ok(!existsSync(path.join(dir, "-")), "no file named -");
  const two = run(dir, "multipitch", music, "-o", "-");
  assert.equal(two.status, 1);
  assert.match(two.stderr, /-o - writes one input's F0s to standard output; got 2 inputs/);
  const png = run(dir, "plot", path.join(music, "a.wav"), "-o", "-");
  assert.equal(png.status, 1);
  assert.match(png.stderr, /cannot go to standard output/);
});
