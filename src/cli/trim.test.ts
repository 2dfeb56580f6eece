/**
 * `mirkit trim` end to end on a tiny dataset (two 4-second formant choirs),
 * a couple of retraining steps per round: every round's model is smaller and
 * runs in `mirkit multipitch`; the run resumes where it stopped; a folder of
 * another run and an inapplicable criterion are refused with one line. The
 * separation U-Net trims the same way (songs from `mirkit synth separation`),
 * and its rounds run in `mirkit separate`.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { scratchDir } from "../testing/scratch.js";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

test("mirkit trim: smaller models round after round, each usable with --model; resumable; clear refusals", { timeout: 600_000 }, () => {
  const dir = scratchDir("mirkit-trim-");
  const data = path.join(dir, "data");
  const s = run("synth", "choir", "--voices", "formant", "--n", "2", "--seed", "3", "--seconds", "4", "--rate", "22050", "--out", data, "--quiet");
  assert.equal(s.status, 0, s.stderr);
  const out = path.join(dir, "run");
  const common = ["--model", "multif0-late", "--data", data, "--val", data, "--steps", "2", "--rate", "0.3", "-o", out, "-q"];
  const first = run("trim", ...common, "--rounds", "2");
  assert.equal(first.status, 0, first.stderr);
  assert.deepEqual([...first.stderr.matchAll(/^round +(\d+): +(\d+) parameters/gm)].map((m) => Number(m[1])), [0, 1, 2]);
  const onnx = (k: number) => path.join(out, `round-${k}`, `multif0-late-trim${k}.onnx`);
  const sizes = [0, 1, 2].map((k) => statSync(onnx(k)).size);
  assert.ok(sizes[1] < sizes[0] && sizes[2] < sizes[1], `ONNX sizes ${sizes.join(", ")}`);
  const recipe = JSON.parse(readFileSync(onnx(2).replace(/\.onnx$/, ".recipe.json"), "utf8"));
  assert.equal(recipe.trimmedFrom, "multif0-late");
  assert.equal(recipe.round, 2);
  assert.ok(recipe.metrics.parameters < 0.6 * JSON.parse(readFileSync(onnx(0).replace(/\.onnx$/, ".recipe.json"), "utf8")).metrics.parameters);

  const item = path.join(data, "item0000", "mixture.wav");
  const mp = run("multipitch", item, "-o", "-", "--model", onnx(2));
  assert.equal(mp.status, 0, mp.stderr);
  assert.ok(mp.stdout.trim().split("\n").length > 300, "a row per frame");

  const resumed = run("trim", ...common, "--rounds", "3");
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.deepEqual([...resumed.stderr.matchAll(/^round +(\d+):/gm)].map((m) => Number(m[1])), [3], "rounds 0–2 are not redone");
  assert.ok(existsSync(onnx(3)));
  assert.equal(JSON.parse(readFileSync(path.join(out, "state.json"), "utf8")).rows.length, 4);

  const other = run("trim", ...common.map((a) => (a === "0.3" ? "0.5" : a)), "--rounds", "3");
  assert.equal(other.status, 1);
  assert.match(other.stderr, /holds a trimming run with other options/);
  assert.equal(other.stderr.trim().split("\n").length, 1);
  const bn = run("trim", ...common.map((a) => (a === out ? path.join(dir, "bn") : a)), "--criterion", "batchnorm");
  assert.equal(bn.status, 1);
  assert.match(bn.stderr, /no batch norm; use --criterion magnitude or activation/);
});

test("mirkit trim on the separation U-Net: smaller rounds usable in mirkit separate; songs at another rate are refused", { timeout: 600_000 }, () => {
  const dir = scratchDir("mirkit-trim-sep-");
  const data = path.join(dir, "songs");
  const s = run("synth", "separation", "--voices", "formant", "--n", "2", "--seed", "5", "--seconds", "6", "--rate", "22050", "--instrumental", "0", "--out", data, "--quiet");
  assert.equal(s.status, 0, s.stderr);
  const out = path.join(dir, "run");
  const r = run("trim", "--model", "separation-tfc-tdf", "--criterion", "activation", "--data", data, "--val", data, "--steps", "2", "--rounds", "1", "--rate", "0.3", "-o", out, "-q");
  assert.equal(r.status, 0, r.stderr);
  const rows = [...r.stderr.matchAll(/^round +(\d+): +(\d+) parameters.*validation vocals SDR \(dB\) (-?[\d.]+)/gm)];
  assert.deepEqual(rows.map((m) => Number(m[1])), [0, 1]);
  assert.ok(Number(rows[1][2]) < 0.8 * Number(rows[0][2]), `parameters ${rows[1][2]} vs ${rows[0][2]}`);
  assert.ok(Number.isFinite(Number(rows[0][3])), "round 0 is scored");
  const onnx = path.join(out, "round-1", "separation-tfc-tdf-trim1.onnx");
  const recipe = JSON.parse(readFileSync(onnx.replace(/\.onnx$/, ".recipe.json"), "utf8"));
  assert.equal(recipe.trimmedFrom, "separation-tfc-tdf");
  assert.equal(recipe.stft.sampleRate, 22050, "the recipe carries what loading the model needs");
  const units = (w: Record<string, number>) => Object.values(w).reduce((a, b) => a + b, 0);
  const full = JSON.parse(readFileSync(path.join(out, "round-0", "separation-tfc-tdf-trim0.recipe.json"), "utf8")).model.widths;
  assert.equal(Object.keys(recipe.model.widths).length, 35, "every unit group of the depth-3 U-Net: first, 5 per encoder and decoder level, 4 in the middle");
  assert.ok(units(recipe.model.widths) < 0.8 * units(full), `units ${units(recipe.model.widths)} of ${units(full)}`);

  const sep = run("separate", path.join(data, "item0000", "mixture.wav"), "--model", onnx, "-o", path.join(dir, "sep"), "-q");
  assert.equal(sep.status, 0, sep.stderr);
  assert.ok(statSync(path.join(dir, "sep", "mixture", "vocals.wav")).size > 44);

  const loud = path.join(dir, "songs-44k");
  assert.equal(run("synth", "separation", "--voices", "formant", "--n", "1", "--seed", "6", "--seconds", "4", "--out", loud, "--quiet").status, 0);
  const wrong = run("trim", "--model", "separation-tfc-tdf", "--data", loud, "--val", data, "--steps", "2", "--rounds", "1", "-o", path.join(dir, "run2"), "-q");
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /at 44100 Hz and the model works at 22050 Hz/);
  assert.equal(wrong.stderr.trim().split("\n").length, 1);
});
