import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { sine } from "../testing/assert.js";
import { cqt, cqtFrequencies } from "./cqt.js";
import { atan2Approx, harmonicShift, hcqt, hcqtFrames, hcqtTensor, sharedHcqt } from "./hcqt.js";
import { magnitude } from "./types.js";

const sr = 22050;
const midiHz = (m: number) => 440 * 2 ** ((m - 69) / 12);
const C1 = midiHz(24);

function peakBin(data: Float32Array, nBins: number, t: number): number {
  let best = 0;
  for (let k = 1; k < nBins; k++) if (data[t * nBins + k] > data[t * nBins + best]) best = k;
  return best;
}

test("cqtFrequencies: bin 12·n of a 12-bin-per-octave CQT from C1 is C(1+n)", () => {
  const f = cqtFrequencies(84, C1, 12);
  assert.ok(Math.abs(f[36] - midiHz(60)) < 1e-9);
  assert.ok(Math.abs(f[45] - 440) < 1e-9);
});

for (const midi of [30, 45, 60, 69, 84, 100]) {
  test(`a sine at MIDI ${midi} peaks in CQT bin ${midi - 24} with |C| ≈ √L/2 (every octave, decimated or not)`, () => {
    const x = sine(midiHz(midi), sr, 2 * sr, 1);
    const C = magnitude(cqt(x, sr, { hopLength: 512, nBins: 84 }));
    const t = Math.floor(C.nFrames / 2);
    assert.equal(peakBin(C.data, 84, t), midi - 24);
    // Filter length at the input rate: Q·sr/f, Q = 1/α for 12 bins per octave.
    const r = 2 ** (2 / 12), q = (r + 1) / (r - 1);
    const expected = Math.sqrt((q * sr) / midiHz(midi)) / 2;
    const got = C.data[t * 84 + midi - 24];
    assert.ok(Math.abs(got / expected - 1) < 0.01, `|C| ${got} vs √L/2 ${expected}`);
  });
}

test("VQT (gamma): filters Q·sr/(f + γ/α) long, so a sine still peaks in its bin with |C| ≈ √L/2 and a click at a low bin is sharp in time; γ = 0 is the CQT exactly", () => {
  const r = 2 ** (2 / 12), alpha = (r - 1) / (r + 1), erb = (24.7 * alpha) / 0.108;
  for (const [midi, gamma] of [[30, erb], [45, 10], [69, erb]] as const) {
    const x = sine(midiHz(midi), sr, 2 * sr, 1);
    const C = magnitude(cqt(x, sr, { hopLength: 512, nBins: 84, gamma: gamma === erb ? "erb" : gamma }));
    const t = Math.floor(C.nFrames / 2);
    assert.equal(peakBin(C.data, 84, t), midi - 24);
    const expected = Math.sqrt(sr / (alpha * midiHz(midi) + gamma)) / 2;
    const got = C.data[t * 84 + midi - 24];
    assert.ok(Math.abs(got / expected - 1) < 0.01, `MIDI ${midi}, γ ${gamma}: |C| ${got} vs √L/2 ${expected}`);
  }
  // A click: frames above half the peak at the lowest bin (C1: filters of 0.52 s in the CQT, 0.07 s in the ERB VQT; hop 23 ms).
  const click = new Float32Array(4 * sr);
  click[2 * sr] = 1;
  const spread = (gamma?: "erb") => {
    const C = magnitude(cqt(click, sr, { hopLength: 512, nBins: 84, ...(gamma ? { gamma } : {}) }));
    const col = Array.from({ length: C.nFrames }, (_, t) => C.data[t * 84]);
    const peak = Math.max(...col);
    return col.filter((v) => v > peak / 2).length;
  };
  assert.ok(spread() >= 8 && spread("erb") <= 3, `half-max frames: CQT ${spread()}, VQT ${spread("erb")}`);
  const x = sine(midiHz(50), sr, sr, 1);
  assert.deepEqual(cqt(x, sr, { hopLength: 512, nBins: 84, gamma: 0 }), cqt(x, sr, { hopLength: 512, nBins: 84 }));
  assert.throws(() => cqt(x, sr, { gamma: -1 }), /gamma must be ≥ 0/);
});

test("CQT frame count and hop follow librosa's centred framing; silence gives zeros", () => {
  const C = cqt(new Float32Array(sr), sr, { hopLength: 512 });
  assert.equal(C.nFrames, 1 + Math.floor(sr / 512));
  assert.ok(C.re.every((v) => v === 0) && C.im.every((v) => v === 0));
});

test("CQT phase: a cosine's phase at the frame centre is read back", () => {
  const f = midiHz(69);
  const x = sine(f, sr, sr, 1, Math.PI / 2); // sin(ωt + π/2) = cos(ωt)
  const C = cqt(x, sr, { hopLength: 512, nBins: 84 });
  const k = 69 - 24;
  for (const t of [10, 20]) {
    const i = t * 84 + k;
    const expected = (2 * Math.PI * f * t * 512) / sr;
    const d = Math.atan2(Math.sin(Math.atan2(C.im[i], C.re[i]) - expected), Math.cos(Math.atan2(C.im[i], C.re[i]) - expected));
    assert.ok(Math.abs(d) < 0.01, `phase error ${d} at frame ${t}`);
  }
});

test("CQT rejects a top bin above Nyquist with a message that says how to fix it", () => {
  assert.throws(() => cqt(new Float32Array(1000), 8000, { nBins: 84 }), /above the Nyquist.*lower fminHz or nBins/);
});

test("HCQT: the harmonics of a harmonic tone line up in the F0's bin in every channel", () => {
  const f0 = midiHz(57); // A3, 220 Hz
  const n = sr;
  const x = new Float32Array(n);
  for (let h = 1; h <= 5; h++) {
    const s = sine(h * f0, sr, n, 0.3 / h);
    for (let i = 0; i < n; i++) x[i] += s[i];
  }
  const H = hcqt(x, sr);
  assert.equal(H.nBins, 360);
  assert.equal(H.harmonics.length, 6);
  const k = Math.round(60 * Math.log2(f0 / C1)); // 20-cent bins from C1
  const t = Math.floor(H.nFrames / 2);
  // Bin k of channel h holds harmonic h of the F0, so summing channels peaks at the F0's bin.
  const sum = new Float32Array(H.nBins);
  for (let h = 1; h < 6; h++) {
    const row = (h * H.nFrames + t) * H.nBins;
    assert.ok(H.magnitude[row + k] > 0.7, `harmonic ${H.harmonics[h]}: ${H.magnitude[row + k]} (within 24 dB of the max)`);
    for (let j = 0; j < H.nBins; j++) sum[j] += H.magnitude[row + j];
  }
  assert.equal(peakBin(sum, H.nBins, 0), k);
  assert.ok(H.magnitude.every((v) => v >= 0 && v <= 1));
  assert.ok(H.phaseDiff.every((v) => v >= -1 && v <= 1));
  // A stationary sinusoid advances its phase by 2π·f·hop/sr per frame.
  const a = (1 * H.nFrames + t) * H.nBins + k;
  const expected = ((((2 * Math.PI * f0 * 256) / sr + Math.PI) % (2 * Math.PI)) - Math.PI) / Math.PI;
  assert.ok(Math.abs(H.phaseDiff[a] - expected) < 0.01, `phase diff ${H.phaseDiff[a]} vs ${expected}`);
});

test("atan2Approx is within 1.2e-5 rad of Math.atan2 around the circle", () => {
  let worst = 0;
  for (let i = 0; i < 10000; i++) {
    const a = (2 * Math.PI * i) / 10000 - Math.PI, r = 0.001 + (i % 7);
    worst = Math.max(worst, Math.abs(atan2Approx(r * Math.sin(a), r * Math.cos(a)) - Math.atan2(r * Math.sin(a), r * Math.cos(a))));
  }
  assert.ok(worst < 1.2e-5, `max error ${worst}`);
  assert.equal(atan2Approx(0, 0), 0);
  assert.equal(atan2Approx(0, -1), Math.PI);
});

test("CQT over the HCQT's 5th-harmonic range stays flat across octave seams near the Nyquist (±0.05 dB of √L/2)", () => {
  const fmin = 5 * C1, bpo = 60, nBins = 360;
  const f = cqtFrequencies(nBins, fmin, bpo);
  const r = 2 ** (2 / bpo), q = (r + 1) / (r - 1);
  // The top bin of each decimated octave (299, 239, 179) sits at 0.94–0.95 of that level's Nyquist.
  for (const k of [359, 300, 299, 298, 240, 239, 180, 179, 60, 59]) {
    const C = cqt(sine(f[k], sr, sr), sr, { fminHz: fmin, nBins, binsPerOctave: bpo, hopLength: 256 });
    const i = Math.floor(C.nFrames / 2) * nBins + k;
    const db = 20 * Math.log10(Math.hypot(C.re[i], C.im[i]) / (Math.sqrt((q * sr) / f[k]) / 2));
    assert.ok(Math.abs(db) < 0.05, `bin ${k} (${f[k].toFixed(0)} Hz): ${db.toFixed(3)} dB`);
  }
});

test("HCQT channels are windows of one shared CQT: the 3rd and 5th harmonics within 0.32 of a bin of exact; the model layout (hcqtTensor) holds the same values as hcqt", () => {
  assert.deepEqual([0.5, 1, 2, 3, 4, 5].map((h) => harmonicShift(h, 0.5, 60)), [0, 60, 120, 155, 180, 199]);
  for (const h of [3, 5]) assert.ok(Math.abs(harmonicShift(h, 0.5, 60) - 60 * Math.log2(h / 0.5)) <= 0.32);
  const x = sine(midiHz(50), sr, sr / 2, 0.3);
  for (let i = 0; i < x.length; i++) x[i] += 0.1 * Math.sin(i * 0.77);
  const H = hcqt(x, sr), S = sharedHcqt(x, sr), T = H.nFrames, F = H.nBins;
  const tensor = hcqtTensor(S, true);
  assert.equal(tensor.length, 2 * 6 * F * T);
  for (let h = 0; h < 6; h++) for (let t = 0; t < T; t += 7) for (let k = 0; k < F; k += 5) {
    assert.equal(tensor[(h * F + k) * T + t], H.magnitude[(h * T + t) * F + k]);
    assert.equal(tensor[((6 + h) * F + k) * T + t], H.phaseDiff[(h * T + t) * F + k]);
  }
  // Chunk by chunk (hcqtFrames, as inference cuts its input): any frame range, into a wider buffer, gives the
  // same columns, and the columns past the range are left alone.
  for (const [start, len, width] of [[0, T, T], [3, 13, 16], [T - 9, 9, 12], [5, 0, 4]]) {
    const out = new Float32Array(2 * 6 * F * width).fill(-7);
    hcqtFrames(S, true, out, start, len, width);
    for (let c = 0; c < 12; c++) for (let k = 0; k < F; k += 3) for (let t = 0; t < width; t++) {
      assert.equal(out[(c * F + k) * width + t], t < len ? tensor[(c * F + k) * T + start + t] : -7, `frames ${start}+${len}: channel ${c}, bin ${k}, column ${t}`);
    }
  }
  assert.throws(() => hcqtFrames(S, true, new Float32Array(2 * 6 * F * 8), T - 4, 8, 8), /hcqtFrames: frames/);
});

test("the HCQT's JavaScript fallbacks (MIRKIT_SIMD=off: no WebAssembly SIMD decimation or kernel application) give the SIMD path's values", () => {
  const script = `
    const { sharedHcqt } = await import(${JSON.stringify(new URL("./hcqt.js", import.meta.url).href)});
    const x = new Float32Array(3 * 22050).map((_, i) => Math.sin(i * 0.05) * 0.3 + Math.sin(i * 0.71) * 0.1 + (i % 101 === 0 ? 0.5 : 0));
    const s = sharedHcqt(x, 22050);
    process.stdout.write(JSON.stringify({ mag: Array.from(s.logMag.subarray(0, 200000)), phase: Array.from(s.phase.subarray(0, 200000)) }));`;
  const run = (simd: string) => {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, MIRKIT_SIMD: simd }, maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { mag: number[]; phase: number[] };
  };
  const simd = run("on"), js = run("off");
  let worstMag = 0, worstPhase = 0;
  for (let i = 0; i < simd.mag.length; i++) {
    worstMag = Math.max(worstMag, Math.abs(simd.mag[i] - js.mag[i]));
    // Phase of bins near silence is noise either way; compare where the magnitude is above the floor by 20 dB.
    if (simd.mag[i] > 0.25) worstPhase = Math.max(worstPhase, Math.abs(simd.phase[i] - js.phase[i]));
  }
  assert.ok(worstMag > 0, "the two runs took different paths (float32 sums in another order differ somewhere)");
  assert.ok(worstMag < 1e-4, `log magnitude: ${worstMag}`);
  assert.ok(worstPhase < 1e-3, `phase differential: ${worstPhase}`);
});
