import * as assert from "node:assert/strict";
import { test } from "node:test";
import { sine } from "../../testing/assert.js";
import { binToHz, hzToBin, MULTIPITCH_BINS, pickPeaks, salienceTargets, toModelSignal } from "./contract.js";

test("salience targets: a Gaussian of σ = 1 bin around each F0, maximum where voices overlap", () => {
  const f = binToHz(100);
  const y = salienceTargets([[f], [], [f, binToHz(101.5)]], MULTIPITCH_BINS);
  const at = (k: number, t: number) => y[k * 3 + t];
  assert.ok(Math.abs(at(100, 0) - 1) < 1e-6);
  assert.ok(Math.abs(at(101, 0) - Math.exp(-0.5)) < 1e-6);
  assert.ok(Math.abs(at(98, 0) - Math.exp(-2)) < 1e-6);
  assert.equal(at(100, 1), 0);
  // Frame 2: bin 101 is 1 bin from the first voice and 0.5 from the second.
  assert.ok(Math.abs(at(101, 2) - Math.exp(-0.125)) < 1e-6);
  assert.ok(Math.abs(hzToBin(binToHz(123.4)) - 123.4) < 1e-9);
});

test("peak picking: local maxima above the threshold, refined to a fraction of a bin", () => {
  const F = MULTIPITCH_BINS, T = 2;
  const sal = new Float32Array(F * T);
  const bump = (centre: number, height: number, t: number) => {
    for (let k = 0; k < F; k++) sal[k * T + t] = Math.max(sal[k * T + t], height * Math.exp(-((k - centre) ** 2) / 2));
  };
  bump(100.3, 0.9, 0);
  bump(200, 0.2, 0); // below the threshold
  bump(150.8, 0.6, 1);
  const { times, freqs } = pickPeaks(sal, F, T, 0.3, 10);
  assert.deepEqual(Array.from(times), [(10 * 256) / 22050, (11 * 256) / 22050]);
  assert.equal(freqs[0].length, 1);
  assert.ok(Math.abs(hzToBin(freqs[0][0]) - 100.3) < 0.1, `${hzToBin(freqs[0][0])}`);
  assert.equal(freqs[1].length, 1);
  assert.ok(Math.abs(hzToBin(freqs[1][0]) - 150.8) < 0.1);
});

test("toModelSignal: channels mixed to mono at 22050 Hz; empty audio is an error", () => {
  const left = sine(440, 44100, 44100), right = sine(440, 44100, 44100, 0.5);
  const m = toModelSignal([left, right], 44100);
  assert.equal(m.length, 22050);
  let peak = 0;
  for (let i = 1000; i < 21000; i++) peak = Math.max(peak, Math.abs(m[i]));
  assert.ok(Math.abs(peak - 0.75) < 0.01, `${peak}`);
  assert.throws(() => toModelSignal([new Float32Array(0)], 44100), /empty/);
});

