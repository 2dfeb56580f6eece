import * as assert from "node:assert/strict";
import { test } from "node:test";
import { init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { initMultiF0, inputChannels, MULTIF0_TIME_RADIUS, multiF0Salience, type MultiF0Config } from "../models/pitch/multif0.js";
import { ortNode } from "../node.js";
import { exportOnnx } from "../nn/onnx/export.js";
import { OnnxModel, runChunked } from "../nn/runtime.js";
import { sine } from "../testing/assert.js";
import { MULTIPITCH_BINS, MULTIPITCH_RATE } from "../models/pitch/contract.js";
import { MultipitchModel } from "../models/pitch/model.js";
import { multipitch, multipitchStream, multipitchWithModel } from "./multipitch.js";

await init("wasm");

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
  const whole = await multipitch(audio, { model: new MultipitchModel(onnx, "late", 0.5), segmentSeconds: 5 });
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

test("the multi-F0 CNN sees MULTIF0_TIME_RADIUS frames each side: chunks overlapping by 4× that give the salience of one run", async () => {
  const cfg: MultiF0Config = { fusion: "late", harmonics: 6, width: 4, dilation: 3 };
  const params = initMultiF0(cfg, 3);
  const C = inputChannels(cfg), T = 300;
  const onnx = exportOnnx((p: typeof params, x: JArray) => multiF0Salience(p, x, cfg, "lax"), params, [np.zeros([1, C, MULTIPITCH_BINS, 16])], { dynamicAxes: [{ 3: "frames" }] });
  const model = await OnnxModel.load(await ortNode(), onnx);
  const data = Float32Array.from({ length: C * MULTIPITCH_BINS * T }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5);
  const input = { data, dims: [1, C, MULTIPITCH_BINS, T] };
  const whole = (await model.run({ [model.inputNames[0]]: input }))[model.outputNames[0]].data;
  const chunked = (await runChunked(model, input, { chunk: 64, overlap: 4 * MULTIF0_TIME_RADIUS })).data;
  let worst = 0;
  for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - chunked[i]));
  assert.ok(worst < 1e-5, `chunked vs whole: ${worst}`);
  // With too little overlap the chunk edges show.
  const short = (await runChunked(model, input, { chunk: 64, overlap: 4 })).data;
  let edge = 0;
  for (let i = 0; i < whole.length; i++) edge = Math.max(edge, Math.abs(whole[i] - short[i]));
  assert.ok(edge > 1e-3, `an overlap of 4 frames should differ (${edge})`);
  await model.dispose();
});
