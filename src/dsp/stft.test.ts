import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { decodeWav } from "../io/wav.js";
import { toMono } from "../io/audio.js";
import { expectAllClose, noise, sine } from "../testing/assert.js";
import { referenceAvailable, runReference, SHARED, sharedAvailable } from "../testing/reference.js";
import { istft, stft } from "./stft.js";
import { getWindow } from "./window.js";

const LIBROSA = path.join(SHARED, "fixtures/librosa");

interface Fixture {
  nfft: number;
  hop_length: number;
  hann_w: number;
  D: { shape: [number, number]; real: number[]; imag: number[] };
  Dinv?: { shape: [number, number]; data: number[] };
}

function fixtureSignal(): Float32Array {
  return toMono(decodeWav(new Uint8Array(readFileSync(path.join(LIBROSA, "test1_22050.wav")))));
}

function fixtureOptions(f: Fixture) {
  return f.hann_w === 0
    ? { nFft: f.nfft, hopLength: f.hop_length, window: "rect" as const, center: false }
    : { nFft: f.nfft, hopLength: f.hop_length, winLength: f.hann_w, window: "hann" as const, center: false };
}

for (const id of ["005", "006", "012"]) {
  test(`STFT reproduces librosa's reference core-stft-${id}`, { skip: sharedAvailable("fixtures/librosa") === true ? false : String(sharedAvailable("fixtures/librosa")) }, () => {
    const f = JSON.parse(readFileSync(path.join(LIBROSA, `core-stft-${id}.json`), "utf8")) as Fixture;
    const spec = stft(fixtureSignal(), 22050, fixtureOptions(f));
    const [nb, nt] = f.D.shape;
    assert.equal(spec.nBins, nb);
    assert.equal(spec.nFrames, nt);
    // The stored D is bins × frames; librosa's test compares against its conjugate.
    const re = new Float64Array(nb * nt), im = new Float64Array(nb * nt);
    for (let k = 0; k < nb; k++) for (let t = 0; t < nt; t++) {
      re[t * nb + k] = f.D.real[k * nt + t];
      im[t * nb + k] = -f.D.imag[k * nt + t];
    }
    // float32 output vs float64 MATLAB: atol covers float32 rounding of values up to ~10.
    expectAllClose(spec.re, re, { atol: 1e-5, rtol: 1e-5 });
    expectAllClose(spec.im, im, { atol: 1e-5, rtol: 1e-5 });
  });
}

for (const id of ["005", "006"]) {
  test(`ISTFT reproduces librosa's reference core-istft-${id}`, { skip: sharedAvailable("fixtures/librosa") === true ? false : String(sharedAvailable("fixtures/librosa")) }, () => {
    const f = JSON.parse(readFileSync(path.join(LIBROSA, `core-istft-${id}.json`), "utf8")) as Fixture;
    const [nb, nt] = f.D.shape;
    // As with the STFT fixtures, the stored D is the conjugate of the transform.
    const re = new Float32Array(nb * nt), im = new Float32Array(nb * nt);
    for (let k = 0; k < nb; k++) for (let t = 0; t < nt; t++) {
      re[t * nb + k] = f.D.real[k * nt + t];
      im[t * nb + k] = -f.D.imag[k * nt + t];
    }
    const opts = fixtureOptions(f);
    const y = istft({ re, im, nBins: nb, nFrames: nt, hopLength: f.hop_length, sampleRate: 22050 }, opts);
    // The MATLAB reference predates librosa's window-sum normalisation: it is the plain
    // overlap-add, i.e. our output times the overlap-added squared window.
    const w = opts.window === "rect" ? getWindow("rect", f.nfft) : getWindow("hann", f.hann_w);
    const wss = new Float64Array(y.length);
    for (let t = 0; t < nt; t++) for (let i = 0; i < w.length; i++) wss[t * f.hop_length + i] += w[i] * w[i];
    // Dan Ellis's istft.m, which made the Hann fixtures, also scales its synthesis window by 2/3.
    const scale = opts.window === "rect" ? 1 : 2 / 3;
    const unnormalised = Array.from(y, (v, i) => v * wss[i] * scale);
    expectAllClose(unnormalised, f.Dinv!.data, { atol: 1e-6, rtol: 1e-5 });
  });
}

for (const [nFft, hop, window] of [[2048, 512, "hann"], [1024, 256, "hann"], [512, 128, "hamming"], [2048, 1024, "hann"]] as const) {
  test(`STFT → ISTFT round trip (nFft ${nFft}, hop ${hop}, ${window}) has RMS error < 1e-6`, () => {
    const x = noise(22050, 11, 0.5);
    const y = istft(stft(x, 22050, { nFft, hopLength: hop, window }), { window, length: x.length });
    let se = 0;
    for (let i = 0; i < x.length; i++) se += (x[i] - y[i]) ** 2;
    const rms = Math.sqrt(se / x.length);
    assert.ok(rms < 1e-6, `RMS ${rms}`);
    // PFFFT's float32 inverse (separation's output path): the same to float32 rounding.
    const z = istft(stft(x, 22050, { nFft, hopLength: hop, window }), { window, length: x.length, precision: "single" });
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(z[i] - y[i]));
    assert.ok(worst < 1e-5, `single vs double: ${worst}`);
  });
}

test("STFT of a sine peaks at the sine's bin", () => {
  const sr = 22050, nFft = 2048;
  const bin = 93; // exact bin frequency
  const spec = stft(sine((bin * sr) / nFft, sr, sr, 1), sr, { nFft });
  const t = 10;
  let best = 0;
  for (let k = 0; k < spec.nBins; k++) {
    const m = Math.hypot(spec.re[t * spec.nBins + k], spec.im[t * spec.nBins + k]);
    if (m > Math.hypot(spec.re[t * spec.nBins + best], spec.im[t * spec.nBins + best])) best = k;
  }
  assert.equal(best, bin);
  // A unit sine under a Hann window of N samples peaks at N/4.
  assert.ok(Math.abs(Math.hypot(spec.re[t * spec.nBins + bin], spec.im[t * spec.nBins + bin]) - nFft / 4) < 1e-2);
});

const py = referenceAvailable(["numpy", "scipy"]);
test("STFT equals a numpy/scipy STFT with reflect padding (differential)", { skip: py === true ? false : py }, () => {
  const x = noise(5000, 5, 0.8);
  const want = runReference<{ re: number[]; im: number[]; shape: [number, number] }>("stft.py", {
    x: Array.from(x), n_fft: 512, hop: 160, win: Array.from(getWindow("hann", 400)),
  });
  const spec = stft(x, 16000, { nFft: 512, hopLength: 160, winLength: 400 });
  assert.deepEqual([spec.nFrames, spec.nBins], want.shape);
  expectAllClose(spec.re, want.re, { atol: 2e-5, rtol: 1e-5 }); // float32 output
  expectAllClose(spec.im, want.im, { atol: 2e-5, rtol: 1e-5 });
});
