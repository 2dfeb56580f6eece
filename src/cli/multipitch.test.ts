import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { soundFontsAvailable } from "../io/soundfonts.js";
import { readPng } from "../testing/png.js";
import { scratchDir } from "../testing/scratch.js";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");
const fonts = soundFontsAvailable(["timgm6mb"]);
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

test("mirkit multipitch: the shipped model finds the four voices of a held-out-SoundFont SATB item (mir_eval Accuracy > 0.6)", { skip: fonts !== true ? fonts : false }, () => {
  const dir = scratchDir("mirkit-mp-");
  // Seed 77 is in no training, validation or test set; TimGM6mb was held out of training.
  const s = run("synth", "choir", "--voices", "soundfont", "--fonts", "timgm6mb", "--n", "1", "--seed", "77", "--seconds", "8", "--out", dir, "--quiet");
  assert.equal(s.status, 0, s.stderr);
  const item = path.join(dir, "item0000");
  const r = run("multipitch", path.join(item, "mixture.wav"), "-o", path.join(dir, "est.txt"), "--salience", path.join(dir, "s.png"), "--quiet");
  assert.equal(r.status, 0, r.stderr);
  const rows = readFileSync(path.join(dir, "est.txt"), "utf8").trim().split("\n");
  assert.ok(Math.abs(Number(rows[1].split("\t")[0]) - 256 / 22050) < 1e-5, "frames every 256 samples at 22050 Hz");
  const e = run("eval", "multipitch", "--ref", path.join(item, "multipitch.txt"), "--est", path.join(dir, "est.txt"));
  assert.equal(e.status, 0, e.stderr);
  const scores = JSON.parse(e.stdout) as { Accuracy: number; Precision: number; Recall: number };
  assert.ok(scores.Accuracy > 0.6, JSON.stringify(scores));
  const png = readPng(new Uint8Array(readFileSync(path.join(dir, "s.png"))));
  assert.ok(png.width > 400 && png.height > 200);
});

test("mirkit multipitch: clear errors for a missing file, a bad threshold and a model without its recipe", () => {
  const dir = scratchDir("mirkit-mp-");
  const missing = run("multipitch", path.join(dir, "nope.wav"), "-o", path.join(dir, "o.txt"));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope\.wav: no such file/);
  const bad = run("multipitch", path.join(dir, "nope.wav"), "-o", path.join(dir, "o.txt"), "--threshold", "3");
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--threshold must be between 0 and 1/);
  const noRecipe = run("multipitch", path.join(dir, "nope.wav"), "-o", path.join(dir, "o.txt"), "--model", path.join(dir, "m.onnx"));
  assert.equal(noRecipe.status, 1);
  assert.match(noRecipe.stderr, /m\.onnx: no such model file/);
  assert.ok(!existsSync(path.join(dir, "o.txt")), "no output on failure");
});
