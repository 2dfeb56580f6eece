import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { expectAllClose, sine } from "../testing/assert.js";
import { SHARED, sharedAvailable } from "../testing/reference.js";
import { censFromChroma, chromaCens, chromaCqt, chromaFilterbank, chromaStft } from "./chroma.js";

const skipShared = sharedAvailable("fixtures/librosa") === true ? false : String(sharedAvailable("fixtures/librosa"));

for (const id of ["001", "002", "003"]) {
  test(`chroma filterbank reproduces librosa's reference feature-chromafb-${id}`, { skip: skipShared }, () => {
    const f = JSON.parse(readFileSync(path.join(SHARED, "fixtures/librosa", `feature-chromafb-${id}.json`), "utf8"));
    // librosa's test: tuning from the A440 parameter, no octave weighting when octwidth is 0, A-based bins.
    const tuning = f.nchroma * (Math.log2(f.a440) - Math.log2(440));
    const fb = chromaFilterbank(f.sr, f.nfft, { nChroma: f.nchroma, tuning, ctroct: f.ctroct, octwidth: f.octwidth === 0 ? null : f.octwidth, baseC: false });
    const nb = f.nfft / 2 + 1;
    const expected: number[] = [];
    for (let c = 0; c < f.nchroma; c++) for (let k = 0; k < nb; k++) expected.push(f.wts.data[c * f.nfft + k]);
    expectAllClose(fb.weights, expected, { atol: 1e-7, rtol: 1e-5 });
  });
}

function argmaxFrame(data: Float32Array, nBins: number, t: number): number {
  let best = 0;
  for (let k = 1; k < nBins; k++) if (data[t * nBins + k] > data[t * nBins + best]) best = k;
  return best;
}

const sr = 22050;
const midiHz = (m: number) => 440 * 2 ** ((m - 69) / 12);

for (const midi of [60, 64, 69, 47]) {
  test(`a sine at MIDI ${midi} peaks in chroma bin ${midi % 12} (STFT and CQT chroma)`, () => {
    const x = sine(midiHz(midi), sr, sr);
    const cs = chromaStft(x, sr, { nFft: 4096, hopLength: 512 });
    const cq = chromaCqt(x, sr, { hopLength: 512 });
    const t = Math.floor(cs.nFrames / 2);
    assert.equal(argmaxFrame(cs.data, 12, t), midi % 12);
    assert.equal(argmaxFrame(cq.data, 12, Math.floor(cq.nFrames / 2)), midi % 12);
    assert.ok(Math.abs(cs.data[t * 12 + (midi % 12)] - 1) < 1e-6, "unit-max normalisation");
  });
}

test("CENS: hand-checked quantisation and unit L2 frames; silence stays zero", () => {
  // One frame all in C (0.7), some D (0.3): quantised 1.0 and 0.75 → after smoothing (one frame) and L2: 0.8, 0.6.
  const n = 5, data = new Float32Array(n * 12);
  data[2 * 12 + 0] = 0.7;
  data[2 * 12 + 2] = 0.3;
  const cens = censFromChroma({ data, nFrames: n, nBins: 12, hopLength: 512, sampleRate: sr }, 1);
  expectAllClose(Array.from(cens.data.subarray(24, 36)), [0.8, 0, 0.6, 0, 0, 0, 0, 0, 0, 0, 0, 0], { atol: 1e-6 });
  assert.ok(cens.data.subarray(0, 24).every((v) => v === 0));
  const real = chromaCens(sine(midiHz(67), sr, sr), sr);
  const t = Math.floor(real.nFrames / 2);
  let s = 0;
  for (let c = 0; c < 12; c++) s += real.data[t * 12 + c] ** 2;
  assert.ok(Math.abs(s - 1) < 1e-5);
  assert.equal(argmaxFrame(real.data, 12, t), 7);
});
