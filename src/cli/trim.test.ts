/**
 * `mirkit trim` end to end on a tiny dataset (two 4-second formant choirs),
 * a couple of retraining steps per round: every round's model is smaller and
 * runs in `mirkit multipitch`; the run resumes where it stopped; a folder of
 * another run and an inapplicable criterion are refused with one line.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

test("mirkit trim: smaller models round after round, each usable with --model; resumable; clear refusals", { timeout: 600_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mirkit-trim-"));
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
