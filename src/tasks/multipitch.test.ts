import * as assert from "node:assert/strict";
import { test } from "node:test";
import { init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { initMultiF0, inputChannels, multiF0Salience, type MultiF0Config } from "../models/pitch/multif0.js";
import { ortNode } from "../node.js";
import { exportOnnx } from "../nn/onnx/export.js";
import { OnnxModel } from "../nn/runtime.js";
import { sine } from "../testing/assert.js";
import { binToHz, hzToBin, MULTIPITCH_BINS, MULTIPITCH_RATE, multipitch, multipitchStream, multipitchWithModel, pickPeaks, salienceTargets, toModelSignal } from "./multipitch.js";

await init("wasm");

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

test("multipitchWithModel: short segments give the same F0s as one segment (the margins cover the HCQT's longest filter)", async () => {
  const cfg: MultiF0Config = { fusion: "early", harmonics: 6, width: 4, dilation: 3 };
  const p = initMultiF0(cfg, 5);
  const model = await OnnxModel.load(await ortNode(), exportOnnx((q: typeof p, x: JArray) => multiF0Salience(q, x, cfg, "lax"), p, [np.zeros([1, inputChannels(cfg), MULTIPITCH_BINS, 16])], { dynamicAxes: [{ 3: "frames" }] }));
  // Steady tones: the HCQT's level reference (the maximum) is the same in every segment.
  const n = 14 * MULTIPITCH_RATE;
  const a = sine(220, MULTIPITCH_RATE, n, 0.3), b = sine(330, MULTIPITCH_RATE, n, 0.2), x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = a[i] + b[i];
  const sal = async (segmentSeconds: number) => {
    const parts: Float32Array[] = [];
    const r = await multipitchWithModel(model, x, { fusion: "early", threshold: 0.5, segmentSeconds, onSalience: (s) => parts.push(s.slice()) });
    return { r, parts };
  };
  const whole = await sal(60), split = await sal(4);
  assert.equal(whole.parts.length, 1);
  assert.ok(split.parts.length >= 3);
  assert.equal(split.r.times.length, whole.r.times.length);
  // Salience, frame by frame, across the segment boundaries.
  const T = whole.r.times.length, F = MULTIPITCH_BINS;
  let worst = 0, t0 = 0;
  for (const part of split.parts) {
    const len = part.length / F;
    for (let k = 0; k < F; k++) for (let t = 0; t < len; t++) worst = Math.max(worst, Math.abs(part[k * len + t] - whole.parts[0][k * T + t0 + t]));
    t0 += len;
  }
  assert.equal(t0, T);
  assert.ok(worst < 1e-3, `max salience difference ${worst}`);
  await model.dispose();
});

test("multipitchStream: 44.1 kHz stereo blocks give the F0s of the whole signal resampled at once", async () => {
  const cfg: MultiF0Config = { fusion: "late", harmonics: 6, width: 4, dilation: 3 };
  const p = initMultiF0(cfg, 6);
  const onnx = await OnnxModel.load(await ortNode(), exportOnnx((q: typeof p, x: JArray) => multiF0Salience(q, x, cfg, "lax"), p, [np.zeros([1, inputChannels(cfg), MULTIPITCH_BINS, 16])], { dynamicAxes: [{ 3: "frames" }] }));
  const n = 13 * 44100;
  const left = sine(196, 44100, n, 0.3), right = sine(247, 44100, n, 0.2);
  const audio = { sampleRate: 44100, channels: [left, right] };
  const whole = await multipitch(audio, { model: { onnx, fusion: "late", threshold: 0.5 }, segmentSeconds: 5 });
  const blocks = (async function* () { for (let i = 0; i < n; i += 30000) yield { sampleRate: 44100, channels: [left.slice(i, i + 30000), right.slice(i, i + 30000)] }; })();
  const times: number[] = [];
  const freqs: Float64Array[] = [];
  for await (const part of multipitchStream(onnx, blocks, { fusion: "late", threshold: 0.5, segmentSeconds: 5 })) { times.push(...part.times); freqs.push(...part.freqs); }
  assert.deepEqual(times, Array.from(whole.times));
  let same = 0;
  freqs.forEach((f, i) => { if (f.length === whole.freqs[i].length && f.every((v, k) => Math.abs(v - whole.freqs[i][k]) < 0.01)) same++; });
  assert.ok(same >= 0.99 * times.length, `${same} of ${times.length} frames agree`);
  await onnx.dispose();
});
