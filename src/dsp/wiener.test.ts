import * as assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../random.js";
import type { ComplexSpectrogram } from "./types.js";
import { wienerFilter } from "./wiener.js";

const F = 12, T = 40;
function spec(fill: (t: number, f: number) => [number, number]): ComplexSpectrogram {
  const re = new Float32Array(F * T), im = new Float32Array(F * T);
  for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) [re[t * F + f], im[t * F + f]] = fill(t, f);
  return { re, im, nFrames: T, nBins: F, hopLength: 1, sampleRate: 1 };
}
const add = (a: ComplexSpectrogram, b: ComplexSpectrogram) => ({ ...a, re: a.re.map((v, i) => v + b.re[i]), im: a.im.map((v, i) => v + b.im[i]) });
const scale = (a: ComplexSpectrogram, g: number) => ({ ...a, re: a.re.map((v) => v * g), im: a.im.map((v) => v * g) });
const maxDiff = (a: ComplexSpectrogram, b: ComplexSpectrogram) => {
  let w = 0;
  for (let i = 0; i < a.re.length; i++) w = Math.max(w, Math.abs(a.re[i] - b.re[i]), Math.abs(a.im[i] - b.im[i]));
  return w;
};

const r0 = new Rng(1);
const S = spec(() => [r0.normal(), r0.normal()]), N = spec(() => [r0.normal(), r0.normal()]);
// Target panned (1, 0.2), the other source (0.1, 1): distinct spatial directions, overlapping spectra.
const X: [ComplexSpectrogram, ComplexSpectrogram] = [add(S, scale(N, 0.1)), add(scale(S, 0.2), N)];
const TRUTH: [ComplexSpectrogram, ComplexSpectrogram] = [S, scale(S, 0.2)];
const error = (y: readonly ComplexSpectrogram[]) => Math.max(maxDiff(y[0], TRUTH[0]), maxDiff(y[1], TRUTH[1]));

test("Wiener filter: an exact first estimate of panned sources is a fixed point (two sources, two channels: determined)", () => {
  assert.ok(error(wienerFilter(X, TRUTH)) < 1e-4);
});

test("Wiener filter: levels that are wrong bin by bin are corrected from the spatial statistics", () => {
  const r = new Rng(4);
  const gains = Float32Array.from({ length: F * T }, () => r.range(0.5, 1.5));
  const first = TRUTH.map((t) => ({ ...t, re: t.re.map((v, i) => v * gains[i]), im: t.im.map((v, i) => v * gains[i]) })) as [ComplexSpectrogram, ComplexSpectrogram];
  const rms = (y: readonly ComplexSpectrogram[]) => {
    let e = 0;
    for (let c = 0; c < 2; c++) for (let i = 0; i < F * T; i++) e += (y[c].re[i] - TRUTH[c].re[i]) ** 2 + (y[c].im[i] - TRUTH[c].im[i]) ** 2;
    return Math.sqrt(e / (4 * F * T));
  };
  const before = rms(first), after = rms(wienerFilter(X, first));
  assert.ok(after < 0.6 * before, `RMS error ${before} → ${after}`);
});

test("Wiener filter: mono in stereo (rank-1 covariances) reduces to the single-channel Wiener gain v_s / (v_s + v_n)", () => {
  const r = new Rng(3);
  const x0 = spec(() => [r.normal(), r.normal()]);
  const target = scale(x0, 0.3);
  const y = wienerFilter([x0, x0], [target, target]);
  // v_s = 0.09|x|², v_n = 0.49|x|² → gain 0.09 / 0.58.
  assert.ok(maxDiff(y[0], scale(x0, 0.09 / 0.58)) < 1e-3, `${maxDiff(y[0], scale(x0, 0.09 / 0.58))}`);
  assert.ok(y[0].re.every(Number.isFinite));
  assert.throws(() => wienerFilter([x0, x0], [target, { ...target, nFrames: 3 }]), /share one shape/);
});
