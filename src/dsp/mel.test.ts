import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { expectAllClose, sine } from "../testing/assert.js";
import { referenceAvailable, runReference, SHARED, sharedAvailable } from "../testing/reference.js";
import { hzToMel, melFilterbank, melSpectrogram, melToHz } from "./mel.js";

const skipShared = sharedAvailable("fixtures/librosa") === true ? false : String(sharedAvailable("fixtures/librosa"));
const skipRef = referenceAvailable(["numpy"]) === true ? false : String(referenceAvailable(["numpy"]));

test("mel scale: hand-derived points (Slaney linear below 1 kHz, HTK 1000 Hz ≈ 1000 mel)", () => {
  assert.ok(Math.abs(hzToMel(200) - 3) < 1e-12);
  assert.ok(Math.abs(hzToMel(1000) - 15) < 1e-12);
  assert.ok(Math.abs(hzToMel(6400) - 42) < 1e-12); // 15 + ln(6.4)/(ln(6.4)/27)
  assert.ok(Math.abs(hzToMel(1000, true) - 999.9855) < 1e-3);
  for (const f of [0, 50, 999, 1000, 4321, 11025]) {
    assert.ok(Math.abs(melToHz(hzToMel(f)) - f) < 1e-9);
    assert.ok(Math.abs(melToHz(hzToMel(f, true), true) - f) < 1e-9);
  }
});

for (const id of ["001", "002", "003", "004"]) {
  test(`mel filterbank reproduces librosa's reference feature-melfb-${id}`, { skip: skipShared }, () => {
    const f = JSON.parse(readFileSync(path.join(SHARED, "fixtures/librosa", `feature-melfb-${id}.json`), "utf8"));
    const fb = melFilterbank(f.sr, f.nfft, { nMels: f.nfilts, fminHz: f.fmin, fmaxHz: f.fmax, htk: f.htk === 1 });
    const nb = f.nfft / 2 + 1;
    const expected: number[] = [];
    for (let m = 0; m < f.nfilts; m++) for (let k = 0; k < nb; k++) expected.push(f.wts.data[m * f.nfft + k]);
    // float32 weights against float64 MATLAB: rtol 1e-5 is numpy's default; atol covers rounding near zero crossings.
    expectAllClose(fb.weights, expected, { atol: 1e-7, rtol: 1e-5 });
  });
}

for (const [sr, nFft, nMels, fmin, fmax, htk] of [[22050, 2048, 128, 0, 11025, false], [44100, 4096, 64, 30, 8000, true], [16000, 512, 40, 20, 7600, false]] as const) {
  test(`mel filterbank equals the numpy reference (sr ${sr}, nFft ${nFft}, ${nMels} mels, ${htk ? "HTK" : "Slaney"})`, { skip: skipRef }, () => {
    const fb = melFilterbank(sr, nFft, { nMels, fminHz: fmin, fmaxHz: fmax, htk });
    const ref = runReference<{ weights: number[] }>("mel.py", { sr, n_fft: nFft, n_mels: nMels, fmin, fmax, htk });
    expectAllClose(fb.weights, ref.weights, { atol: 1e-9, rtol: 1e-6 });
  });
}

test("a 1 kHz sine puts its mel energy in the filter centred nearest 1 kHz", () => {
  const sr = 22050;
  const S = melSpectrogram(sine(1000, sr, sr), sr, { nFft: 2048, hopLength: 512, nMels: 64 });
  assert.equal(S.nBins, 64);
  const t = Math.floor(S.nFrames / 2);
  let best = 0;
  for (let m = 1; m < 64; m++) if (S.data[t * 64 + m] > S.data[t * 64 + best]) best = m;
  // Filter m is centred at mel_f[m+1] of 66 mel-spaced points from 0 to 11025 Hz.
  const centres = Array.from({ length: 64 }, (_, m) => melToHz((hzToMel(11025) * (m + 1)) / 65));
  let nearest = 0;
  for (let m = 1; m < 64; m++) if (Math.abs(centres[m] - 1000) < Math.abs(centres[nearest] - 1000)) nearest = m;
  assert.equal(best, nearest);
});

test("melFilterbank rejects fmax above Nyquist with a message naming both", () => {
  assert.throws(() => melFilterbank(8000, 256, { fmaxHz: 5000 }), /fmaxHz.*8000 Hz/);
});
