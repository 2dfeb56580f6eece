import * as assert from "node:assert/strict";
import { test } from "node:test";
import { expectAllClose, noise, rng } from "../testing/assert.js";
import { referenceAvailable, runReference } from "../testing/reference.js";
import { irfft } from "./fft.js";
import { designResampleFilter, resample, resampledLength, resampleWith, StreamResampler } from "./resample.js";

const skipScipy = referenceAvailable(["numpy", "scipy"]) === true ? false : String(referenceAvailable(["numpy", "scipy"]));

/** |H(f)| in dB relative to the DC gain `up`; f in cycles per upsampled sample. */
function responseDb(taps: Float64Array, up: number, f: number): number {
  let re = 0, im = 0;
  const c = (taps.length - 1) / 2;
  for (let i = 0; i < taps.length; i++) {
    re += taps[i] * Math.cos(2 * Math.PI * f * (i - c));
    im -= taps[i] * Math.sin(2 * Math.PI * f * (i - c));
  }
  return 20 * Math.log10(Math.hypot(re, im) / up);
}

for (const [label, up, down] of [["44.1 kHz → 22.05 kHz", 1, 2], ["22.05 kHz → 44.1 kHz", 2, 1], ["48 kHz → 44.1 kHz", 147, 160]] as const) {
  for (const [quality, passTo, maxRipple, maxStop] of [["hq", 0.88, 0.001, -85], ["fast", 0.8, 0.01, -60]] as const) {
    test(`${quality} filter ${label}: pass-band ripple < ${maxRipple} dB to ${passTo}·Nyquist, stop band > ${-maxStop} dB down from Nyquist`, () => {
      const f = designResampleFilter(up, down, quality);
      const maxRate = Math.max(f.up, f.down);
      const nyq = 0.5 / maxRate; // lower rate's Nyquist in cycles per upsampled sample
      let ripple = 0, stop = -Infinity;
      for (let i = 0; i <= 200; i++) ripple = Math.max(ripple, Math.abs(responseDb(f.taps, f.up, (passTo * nyq * i) / 200)));
      // Stop band sampled from the Nyquist to 4× it or the upsampled Nyquist (the response keeps falling beyond).
      const top = Math.min(4 * nyq, 0.5);
      for (let i = 0; i <= 600; i++) stop = Math.max(stop, responseDb(f.taps, f.up, nyq + ((top - nyq) * i) / 600));
      assert.ok(ripple < maxRipple, `pass-band ripple ${ripple} dB`);
      assert.ok(stop < maxStop, `stop-band level ${stop} dB`);
    });
  }
}

test("44.1k → 22.05k → 44.1k round trip of noise band-limited to 9 kHz: error < −70 dB", () => {
  const n = 1 << 15, nb = n / 2 + 1;
  const r = rng(5);
  const re = new Float64Array(nb), im = new Float64Array(nb);
  for (let k = 1; k < nb; k++) if ((k * 44100) / n < 9000) { re[k] = r() - 0.5; im[k] = r() - 0.5; }
  const x64 = irfft(re, im, n);
  let peak = 0;
  for (const v of x64) peak = Math.max(peak, Math.abs(v));
  const x = Float32Array.from(x64, (v) => (0.5 * v) / peak);
  const down = resample(x, 44100, 22050);
  assert.equal(down.length, n / 2);
  const back = resample(down, 22050, 44100);
  assert.equal(back.length, n);
  let se = 0, sx = 0;
  // The ends lack filter support (the signal is not periodic there): skip 64 low-rate periods each side.
  for (let i = 256; i < n - 256; i++) { se += (back[i] - x[i]) ** 2; sx += x[i] ** 2; }
  const db = 10 * Math.log10(se / sx);
  assert.ok(db < -70, `round-trip error ${db.toFixed(1)} dB`);
});

for (const [up, down] of [[1, 2], [2, 1], [3, 2], [147, 160], [160, 147]] as const) {
  test(`quality "scipy" equals scipy.signal.resample_poly (up ${up}, down ${down})`, { skip: skipScipy }, () => {
    const x = noise(997, up * 31 + down);
    const y = resampleWith(x, designResampleFilter(up, down, "scipy"));
    const ref = runReference<{ y: number[] }>("resample.py", { x: Array.from(x), up, down });
    assert.equal(y.length, resampledLength(x.length, up, down));
    // float32 output against float64 scipy.
    expectAllClose(y, ref.y, { atol: 2e-6, rtol: 1e-5 });
  });
}

test("resample: same rate is a copy, bad rates are a clear error", () => {
  const x = noise(10, 1);
  const y = resample(x, 16000, 16000);
  assert.deepEqual(y, x);
  assert.notEqual(y, x);
  assert.throws(() => resample(x, 44100.5, 22050), /sample rates must be positive integers/);
});

test("StreamResampler: blocks of any size give the whole-signal resample (44.1k → 22.05k, 16k → 22.05k, 48k → 44.1k; the SIMD path and scipy's float64 one)", () => {
  for (const [from, to] of [[44100, 22050], [16000, 22050], [48000, 44100]] as const) for (const quality of ["hq", "scipy"] as const) {
    const x = noise(20011, 3, 0.5);
    // The float64 loop over the whole signal; resample() itself takes the stream's SIMD path.
    const whole = resampleWith(x, designResampleFilter(to, from, quality));
    const direct = resample(x, from, to, { quality });
    assert.ok(direct.every((v, i) => Math.abs(v - whole[i]) < 1e-6) && direct.length === whole.length, `resample ${from}→${to} ${quality}`);
    for (const block of [1, 777, 20011]) {
      const s = new StreamResampler(from, to, { quality });
      const parts: Float32Array[] = [];
      for (let i = 0; i < x.length; i += block) parts.push(s.push(x.subarray(i, i + block)));
      parts.push(s.end());
      const y = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) { y.set(p, at); at += p.length; }
      assert.equal(y.length, whole.length, `${from}→${to} ${quality}, blocks of ${block}`);
      let worst = 0;
      for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i] - whole[i]));
      assert.ok(worst < 1e-6, `${from}→${to} ${quality}, blocks of ${block}: ${worst}`);
    }
  }
});
