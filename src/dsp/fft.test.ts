import * as assert from "node:assert/strict";
import { test } from "node:test";
import { expectAllClose, noise } from "../testing/assert.js";
import { fftInPlace, ifftInPlace, irfft, RealFft, realFft, rfft } from "./fft.js";
import { fastFftEngine } from "./fft-wasm.js";

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

const forcedJs = process.env.MIRKIT_FFT === "js" ? "MIRKIT_FFT=js forces the JavaScript fallback" : false;
test("the PFFFT WebAssembly engine loads in Node and agrees with the float64 JavaScript FFT to float32 precision", { skip: forcedJs }, () => {
  assert.equal(fastFftEngine(), "pffft-wasm");
  for (const n of [32, 64, 512, 2048, 8192]) {
    const x = noise(n, n, 1);
    const js = new RealFft(n), fast = realFft(n, { precision: "single" });
    const a = { re: new Float64Array(n / 2 + 1), im: new Float64Array(n / 2 + 1) };
    const b = { re: new Float64Array(n / 2 + 1), im: new Float64Array(n / 2 + 1) };
    js.forward(x, a.re, a.im);
    fast.forward(x, b.re, b.im);
    // float32 arithmetic: error grows like √(log N)·ε32·‖x‖; ‖x‖ ≈ √(N/3) for uniform noise in ±1.
    const tol = 1e-6 * Math.sqrt(n);
    expectAllClose(b.re, a.re, { atol: tol, rtol: 0 });
    expectAllClose(b.im, a.im, { atol: tol, rtol: 0 });
    // The ordered view and the windowed entry point give the same numbers.
    const ordered = fast.forwardOrdered(x, 0);
    assert.equal(ordered[0], b.re[0]);
    assert.equal(ordered[1], b.re[n / 2]);
    assert.equal(ordered[2], b.re[1]);
    assert.equal(ordered[3], b.im[1]);
    const ones = new Float32Array(n).fill(1);
    const re = new Float32Array(n / 2 + 3), im = new Float32Array(n / 2 + 3);
    fast.forwardWindowed(x, 0, ones, re, im, 2);
    expectAllClose(re.subarray(2), b.re, { atol: 1e-6, rtol: 1e-6 });
    // The inverse (PFFFT backward, float32) brings the signal back.
    const back = new Float64Array(n);
    fast.inverse(b.re, b.im, back);
    expectAllClose(back, x, { atol: 1e-6, rtol: 0 });
  }
});

test("forwardFrames (blocks through the SIMD post-passes) equals frame-by-frame float64 transforms, Hann or any window, any hop", () => {
  // Sizes from the smallest vector loop to one whose block holds 32 frames; counts that cross block
  // boundaries (2048 → 128 frames per block); hops below, at and above N (above N: frames copied one by one).
  for (const [n, hop, count] of [[16, 4, 50], [32, 7, 9000], [2048, 512, 300], [2048, 3000, 5], [8192, 2048, 40]] as const) {
    const x = noise(hop * (count - 1) + n + 11, n + hop, 1);
    const hann = Float32Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
    const other = Float32Array.from({ length: n }, (_, i) => Math.sin((Math.PI * (i + 0.5)) / n) ** 3);
    const ref = new RealFft(n), fast = realFft(n, { precision: "single" });
    const nb = n / 2 + 1, fr = new Float64Array(n), rr = new Float64Array(nb), ri = new Float64Array(nb);
    for (const window of [undefined, other]) {
      const w = window ?? hann;
      const re = new Float32Array(count * nb + 5), im = new Float32Array(count * nb + 5);
      fast.forwardFrames(x, 11, hop, count, window, re, im, 5);
      for (const t of [0, 1, count >> 1, count - 1]) {
        for (let i = 0; i < n; i++) fr[i] = x[11 + t * hop + i] * w[i];
        ref.forward(fr, rr, ri);
        const tol = 2e-6 * Math.sqrt(n);
        expectAllClose(re.subarray(5 + t * nb, 5 + (t + 1) * nb), rr, { atol: tol, rtol: 0 });
        expectAllClose(im.subarray(5 + t * nb, 5 + (t + 1) * nb), ri, { atol: tol, rtol: 0 });
      }
      assert.equal(re[4], 0, "nothing written before outOffset");
    }
  }
});
