import * as assert from "node:assert/strict";
import { test } from "node:test";
import { expectAllClose, noise } from "../testing/assert.js";
import { fftInPlace, ifftInPlace, irfft, rfft } from "./fft.js";

function naiveDft(re: ArrayLike<number>, im: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const or = new Float64Array(n), oi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * ((k * t) % n)) / n;
      or[k] += re[t] * Math.cos(a) - im[t] * Math.sin(a);
      oi[k] += re[t] * Math.sin(a) + im[t] * Math.cos(a);
    }
  }
  return { re: or, im: oi };
}

for (const n of [1, 2, 4, 8, 16, 64, 256, 3, 5, 12, 100, 243]) {
  test(`complex FFT of size ${n} equals the naive DFT and inverts`, () => {
    const re = Float64Array.from(noise(n, n));
    const im = Float64Array.from(noise(n, n + 1000));
    const want = naiveDft(re, im);
    const gr = re.slice(), gi = im.slice();
    fftInPlace(gr, gi);
    expectAllClose(gr, want.re, { atol: 1e-9 * n, rtol: 0 });
    expectAllClose(gi, want.im, { atol: 1e-9 * n, rtol: 0 });
    ifftInPlace(gr, gi);
    expectAllClose(gr, re, { atol: 1e-12, rtol: 0 });
    expectAllClose(gi, im, { atol: 1e-12, rtol: 0 });
  });
}

for (const n of [2, 8, 64, 1024, 6, 10, 9]) {
  test(`real FFT of size ${n} matches the complex FFT's first n/2+1 bins and irfft inverts it`, () => {
    const x = noise(n, 7 * n);
    const want = naiveDft(x, new Float64Array(n));
    const got = rfft(x);
    const nb = Math.floor(n / 2) + 1;
    expectAllClose(got.re, want.re.slice(0, nb), { atol: 1e-9 * n, rtol: 0 });
    expectAllClose(got.im, want.im.slice(0, nb), { atol: 1e-9 * n, rtol: 0 });
    if (n % 2 === 0) expectAllClose(irfft(got.re, got.im, n), x, { atol: 1e-6, rtol: 0 });
  });
}

test("Parseval: Σx² = (1/N) Σ|X|² over the full spectrum", () => {
  const n = 4096;
  const x = noise(n, 3);
  const { re, im } = rfft(x);
  let time = 0, freq = 0;
  for (const v of x) time += v * v;
  for (let k = 0; k < re.length; k++) {
    const p = re[k] * re[k] + im[k] * im[k];
    freq += k === 0 || k === n / 2 ? p : 2 * p;
  }
  assert.ok(Math.abs(time - freq / n) < 1e-9 * time, `${time} vs ${freq / n}`);
});

test("an impulse has a flat magnitude spectrum", () => {
  const x = new Float32Array(512);
  x[37] = 1;
  const { re, im } = rfft(x);
  for (let k = 0; k < re.length; k++) assert.ok(Math.abs(Math.hypot(re[k], im[k]) - 1) < 1e-12);
});
