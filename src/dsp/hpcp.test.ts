import * as assert from "node:assert/strict";
import { test } from "node:test";
import { sine } from "../testing/assert.js";
import { hpcp, hpcpFromPeaks, spectralPeaks } from "./hpcp.js";
import { RealFft } from "./fft.js";
import { getWindow } from "./window.js";

const sr = 44100;
const midiHz = (m: number) => 440 * 2 ** ((m - 69) / 12);

function argmax(a: ArrayLike<number>, from = 0, n = a.length): number {
  let best = from;
  for (let i = from; i < from + n; i++) if (a[i] > a[best]) best = i;
  return best - from;
}

test("spectralPeaks: a windowed sine's peak is found within 0.5 Hz and near its amplitude", () => {
  const f = 1234.5, n = 4096;
  const x = sine(f, sr, n, 0.8);
  const w = getWindow("blackmanharris62", n);
  const fft = new RealFft(n);
  const re = new Float64Array(n / 2 + 1), im = new Float64Array(n / 2 + 1);
  fft.forward(Array.from(x, (v, i) => v * w[i]), re, im);
  let wsum = 0;
  for (const v of w) wsum += v;
  const mag = Array.from(re, (r, k) => Math.hypot(r, im[k]) / (wsum / 2));
  const p = spectralPeaks(mag, sr, { maxPeaks: 1 });
  assert.equal(p.freqsHz.length, 1);
  assert.ok(Math.abs(p.freqsHz[0] - f) < 0.5, `peak at ${p.freqsHz[0]}`);
  assert.ok(Math.abs(p.magnitudes[0] - 0.8) < 0.02, `amplitude ${p.magnitudes[0]}`);
});

test("hpcpFromPeaks: hand-derived contributions of one peak at A4 with 2 harmonics", () => {
  const out = new Float64Array(12);
  hpcpFromPeaks({ freqsHz: Float64Array.of(440), magnitudes: Float64Array.of(2) }, out, { nHarmonics: 2, harmonicWeight: 0.5 });
  // n=1: A (bin 0) gets 2² = 4; n=2: 220 Hz is also A, weight 0.5 → +2. Nothing else (window ±0.5 semitone, cos² = 0 at the edges).
  assert.ok(Math.abs(out[0] - 6) < 1e-12);
  for (let b = 1; b < 12; b++) assert.ok(Math.abs(out[b]) < 1e-12);
  const out3 = new Float64Array(12);
  hpcpFromPeaks({ freqsHz: Float64Array.of(440 * 2 ** (3 / 12)), magnitudes: Float64Array.of(1) }, out3, { nHarmonics: 3, harmonicWeight: 0.6 });
  // C5: n=1 → C (bin 3), n=2 → C (bin 3), n=3 → C5/3, 12·log2(3) ≈ 19.02 semitones down, nearest bin
  // 3 − 19 ≡ 8 (F) at distance d = 12·log2(3) − 19: 1 + 0.6 at bin 3, 0.36·cos²(πd) at bin 8.
  const d = 12 * Math.log2(3) - 19;
  assert.ok(Math.abs(out3[3] - 1.6) < 1e-9, `bin 3: ${out3[3]}`);
  assert.ok(Math.abs(out3[8] - 0.36 * Math.cos(Math.PI * d) ** 2) < 1e-9, `bin 8: ${out3[8]}`);
});

for (const [midi, size] of [[69, 12], [60, 12], [64, 36], [55, 24]] as const) {
  const bin = (((midi - 69) % 12) + 12) % 12 * (size / 12);
  test(`HPCP (${size} bins) of a harmonic tone at MIDI ${midi} peaks at bin ${bin} (bin 0 = A)`, () => {
    const x = new Float32Array(sr);
    for (let h = 1; h <= 6; h++) {
      const s = sine(h * midiHz(midi), sr, sr, 0.5 / h);
      for (let i = 0; i < x.length; i++) x[i] += s[i];
    }
    const H = hpcp(x, sr, { size });
    assert.equal(H.nBins, size);
    assert.equal(H.hopLength, 512);
    const t = Math.floor(H.nFrames / 2);
    assert.equal(argmax(H.data, t * size, size), bin);
    assert.ok(Math.abs(H.data[t * size + bin] - 1) < 1e-6, "unit max");
  });
}

test("HPCP ignores content outside 100–3500 Hz and leaves silence at zero", () => {
  const H = hpcp(sine(80, sr, sr), sr);
  // Frames whose 4096-sample window lies inside the signal (edge frames see a truncated tone, which is broadband).
  assert.ok(H.data.subarray(4 * 12, (H.nFrames - 4) * 12).every((v) => v === 0));
  assert.ok(hpcp(new Float32Array(sr), sr).data.every((v) => v === 0));
});

test("HPCP with whitening is invariant to a spectral tilt of a chord", () => {
  // C major triad with flat partials, and the same with partials falling 12 dB per octave.
  const make = (tilt: number) => {
    const x = new Float32Array(sr);
    for (const m of [60, 64, 67]) for (let h = 1; h <= 8; h++) {
      const s = sine(h * midiHz(m), sr, sr, 0.1 * Math.pow(h, -tilt));
      for (let i = 0; i < x.length; i++) x[i] += s[i];
    }
    return hpcp(x, sr);
  };
  const a = make(0), b = make(2);
  const t = Math.floor(a.nFrames / 2);
  for (const bin of [3, 7, 10]) assert.ok(a.data[t * 12 + bin] > 0.3 && b.data[t * 12 + bin] > 0.3, `chord tone bin ${bin}`);
  let d = 0;
  for (let k = 0; k < 12; k++) d = Math.max(d, Math.abs(a.data[t * 12 + k] - b.data[t * 12 + k]));
  assert.ok(d < 0.35, `max profile difference ${d}`);
});
