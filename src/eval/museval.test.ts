import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { decodeWav } from "../io/wav.js";
import { NumpyRandomState } from "../testing/mt19937.js";
import { referenceAvailable, runReference, SHARED, sharedAvailable } from "../testing/reference.js";
import { musevalV4, nanMedian } from "./separation.js";

const DIR = path.join(SHARED, "audio/musdb18-sample");
const skip = sharedAvailable("audio/musdb18-sample") === true ? false : String(sharedAvailable("audio/musdb18-sample"));

test("NumpyRandomState reproduces np.random.seed(0); np.random.random(5)", () => {
  const r = new NumpyRandomState(0);
  // The well-known first draws of numpy's legacy generator with seed 0.
  const expected = [0.5488135039273248, 0.7151893663724195, 0.6027633760716439, 0.5448831829968969, 0.4236547993389047];
  for (const e of expected) assert.equal(r.random(), e);
});

test("NumpyRandomState equals Debian numpy's draws for the museval estimates (seed 0, 300032 × 2 twice), sampled across the stream", { skip: referenceAvailable(["numpy"]) === true ? false : String(referenceAvailable(["numpy"])) }, () => {
  const n = 300032, total = 4 * n;
  const indices = [0, 1, 2, 623, 624, 625, 1247, 99999, 2 * n - 1, 2 * n, 2 * n + 1, total - 2, total - 1];
  const { values } = runReference<{ values: number[] }>("random_estimates.py", { seed: 0, n, indices });
  const rs = new NumpyRandomState(0);
  const all = new Float64Array(total);
  for (let i = 0; i < total; i++) all[i] = rs.random();
  indices.forEach((i, k) => assert.equal(all[i], values[k], `draw ${i}`));
});

test("museval v4 on the MUSDB18 sample with numpy's seed-0 random estimates reproduces museval's per-second scores within 0.1 dB", { skip }, () => {
  const load = (f: string) => decodeWav(new Uint8Array(readFileSync(path.join(DIR, f)))).channels;
  const vocals = load("vocals.wav");
  const [drums, bass, other] = ["drums.wav", "bass.wav", "other.wav"].map(load);
  const accompaniment = vocals.map((_, c) => Float64Array.from(drums[c], (v, i) => v + bass[c][i] + other[c][i]));
  const n = vocals[0].length;
  // np.random.seed(0); vocals = np.random.random((n, 2)); accompaniment = np.random.random((n, 2)) — row-major.
  const rs = new NumpyRandomState(0);
  const draw = () => {
    const ch = [new Float64Array(n), new Float64Array(n)];
    for (let i = 0; i < n; i++) { ch[0][i] = rs.random(); ch[1][i] = rs.random(); }
    return ch;
  };
  const estVocals = draw(), estAcc = draw();
  const frames = musevalV4([vocals, accompaniment], [estVocals, estAcc], 44100);
  const expected = JSON.parse(readFileSync(path.join(DIR, "museval-expected-random-estimates.json"), "utf8"));
  ["vocals", "accompaniment"].forEach((name, j) => {
    const target = expected.targets.find((t: { name: string }) => t.name === name);
    assert.equal(frames[j].length, target.frames.length, `${name}: number of 1 s frames`);
    target.frames.forEach((f: { time: number; metrics: Record<string, number> }, t: number) => {
      assert.equal(frames[j][t].time, f.time);
      for (const m of ["SDR", "SIR", "SAR", "ISR"] as const) {
        assert.ok(Math.abs(frames[j][t][m] - f.metrics[m]) < 0.1, `${name} frame ${t} ${m}: ${frames[j][t][m]} vs museval ${f.metrics[m]}`);
      }
    });
    // museval's aggregate: median over frames.
    const med = nanMedian(frames[j].map((f) => f.SDR));
    assert.ok(Math.abs(med - nanMedian(target.frames.map((f: { metrics: { SDR: number } }) => f.metrics.SDR))) < 0.1);
  });
});
