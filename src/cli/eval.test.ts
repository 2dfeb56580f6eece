import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { SHARED, sharedAvailable } from "../testing/reference.js";
import { scratchDir } from "../testing/scratch.js";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");
const F = path.join(SHARED, "fixtures/mir_eval");
const skip = sharedAvailable("fixtures/mir_eval") === true ? false : String(sharedAvailable("fixtures/mir_eval"));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

function sameScores(got: Record<string, number>, expected: Record<string, number>, tol: number) {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(expected).sort());
  for (const k of Object.keys(expected)) assert.ok(Math.abs(got[k] - expected[k]) <= tol, `${k}: ${got[k]} vs ${expected[k]}`);
}

for (const [task, ref, est, out, extra] of [
  ["multipitch", "multipitch/ref00.txt", "multipitch/est00.txt", "multipitch/output00.json", []],
  ["melody", "melody/ref01.txt", "melody/est01.txt", "melody/output01.json", []],
  ["transcription", "transcription/ref02.txt", "transcription/est02.txt", "transcription/output02.json", []],
  ["transcription", "transcription_velocity/ref3.txt", "transcription_velocity/est3.txt", "transcription_velocity/output3.json", ["--velocity"]],
] as const) {
  test(`mirkit eval ${task} ${extra.join(" ")} prints mir_eval's keys and values for ${ref}`, { skip }, () => {
    const r = run("eval", task, ...extra, "--ref", path.join(F, ref), "--est", path.join(F, est));
    assert.equal(r.code, 0, r.err);
    sameScores(JSON.parse(r.out), JSON.parse(readFileSync(path.join(F, out), "utf8")), 1e-6);
  });
}

test("mirkit eval separation prints {Sources}; --all adds the Framewise, Images and Images Framewise blocks", { skip }, () => {
  const exp = JSON.parse(readFileSync(path.join(F, "separation/output07.json"), "utf8"));
  const base = ["eval", "separation", "--ref", path.join(F, "separation/ref07"), "--est", path.join(F, "separation/est07")];
  const r = run(...base);
  assert.equal(r.code, 0, r.err);
  const got = JSON.parse(r.out);
  assert.deepEqual(Object.keys(got), ["Sources"]);
  for (const k of ["Source to Distortion", "Source to Interference", "Source to Artifact"]) {
    got.Sources[k].forEach((v: number, i: number) => assert.ok(Math.abs(v - exp.Sources[k][i]) < 2e-4, `${k}[${i}]`));
  }
  assert.deepEqual(got.Sources["Source permutation"], exp.Sources["Source permutation"]);
  const all = JSON.parse(run(...base, "--all", "--win", String(exp.Framewise.win), "--hop", String(exp.Framewise.hop)).out);
  assert.deepEqual(Object.keys(all), ["Sources", "Framewise", "Images", "Images Framewise"]);
  assert.equal(all.Framewise.win, exp.Framewise.win);
  all.Framewise["Source to Distortion"].flat().forEach((v: number, i: number) => assert.ok(Math.abs(v - exp.Framewise["Source to Distortion"].flat()[i]) < 2e-4));
  assert.ok("Image to Spatial" in all.Images);
});

test("mirkit eval covers reads a CSV matrix and a label file", () => {
  const dir = scratchDir("mirkit-eval-");
  writeFileSync(path.join(dir, "d.csv"), "0,1,5\n1,0,4\n5,4,0\n");
  writeFileSync(path.join(dir, "l.txt"), "a\na\n-\n");
  const r = run("eval", "covers", "--distances", path.join(dir, "d.csv"), "--labels", path.join(dir, "l.txt"));
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out);
  assert.equal(s.MAP, 1);
  assert.equal(s.Queries, 2);
  assert.equal(s["Queries without relevant items"], 1);
  const bad = run("eval", "covers", "--distances", path.join(dir, "d.csv"), "--labels", path.join(dir, "missing.txt"));
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^mirkit: .*missing\.txt: no such file\n$/);
});

test("mirkit eval: unsorted melody times are scored (as mir_eval does), times in milliseconds get mir_eval's hint, a missing option is a usage error", { skip }, () => {
  const dir = scratchDir("mirkit-eval-");
  writeFileSync(path.join(dir, "bad.txt"), "0.2 440\n0.1 440\n");
  const r = run("eval", "melody", "--ref", path.join(dir, "bad.txt"), "--est", path.join(F, "melody/est00.txt"));
  assert.equal(r.code, 0, r.err);
  assert.ok("Overall Accuracy" in JSON.parse(r.out));
  const h = run("eval", "multipitch", "--ref", path.join(dir, "ms.txt"), "--est", path.join(dir, "ms.txt"));
  assert.equal(h.code, 1);
  writeFileSync(path.join(dir, "ms.txt"), "1000.0 440\n40000 440\n");
  const big = run("eval", "multipitch", "--ref", path.join(dir, "ms.txt"), "--est", path.join(dir, "ms.txt"));
  assert.equal(big.code, 1);
  assert.match(big.err, /did you supply event times in seconds\?/);
  assert.equal(run("eval", "multipitch", "--ref", path.join(dir, "ms.txt")).code, 2);
});
