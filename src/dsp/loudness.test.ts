import * as assert from "node:assert/strict";
import { test } from "node:test";
import { noise, sine } from "../testing/assert.js";
import { integratedLoudness, LoudnessMeter } from "./loudness.js";

test("BS.1770: a 997 Hz full-scale sine in one channel measures −3.01 LUFS (the standard's calibration), at 48 and 44.1 kHz", () => {
  for (const sr of [48000, 44100]) {
    const l = integratedLoudness([sine(997, sr, 5 * sr)], sr);
    assert.ok(Math.abs(l + 3.01) < 0.05, `${sr} Hz: ${l}`);
  }
});

test("BS.1770: the same sine in both stereo channels is 3 LU louder; −20 dB gain is −20 LU", () => {
  const sr = 48000, x = sine(997, sr, 5 * sr);
  const mono = integratedLoudness([x], sr);
  assert.ok(Math.abs(integratedLoudness([x, x], sr) - mono - 3.0103) < 0.01);
  assert.ok(Math.abs(integratedLoudness([x.map((v) => v * 0.1)], sr) - mono + 20) < 0.01);
});

test("BS.1770 gating: adding silence does not change the loudness; silence is −Infinity", () => {
  const sr = 48000, x = noise(4 * sr, 3, 0.3);
  const padded = new Float32Array(12 * sr);
  padded.set(x, 4 * sr);
  // Without gating the padded signal would read 4.8 LU lower (a third of the time is sound); the
  // blocks straddling the edges (partly silent, above the relative gate) still pull it down a little.
  const diff = integratedLoudness([padded], sr) - integratedLoudness([x], sr);
  assert.ok(Math.abs(diff) < 0.5, `difference ${diff} LU`);
  assert.equal(integratedLoudness([new Float32Array(sr)], sr), -Infinity);
});

test("LoudnessMeter: streaming in odd-sized blocks equals one push", () => {
  const sr = 44100, x = noise(3 * sr, 9, 0.5);
  const m = new LoudnessMeter(sr, 1);
  for (let i = 0; i < x.length; i += 1237) m.push([x.subarray(i, Math.min(x.length, i + 1237))]);
  assert.ok(Math.abs(m.integrated() - integratedLoudness([x], sr)) < 1e-9);
});
