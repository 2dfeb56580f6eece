import * as assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { init, numpy as np, tree, valueAndGrad, type Array as JArray } from "@jax-js/jax";
import { MODELS_DIR } from "../../io/model-files.js";
import { ortNode } from "../../node.js";
import { decodeSafetensors } from "../../nn/safetensors.js";
import { fromNamed } from "../../nn/train.js";
import { exportOnnx } from "../../nn/onnx/export.js";
import { OnnxModel } from "../../nn/runtime.js";
import { arrayValues, fitFixedBatch, randomArray } from "../../testing/arrays.js";
import { maxAbsDiff } from "../../testing/assert.js";
import { frontBins, keyAligned, KEYS, PIANO_CQT_BINS, PIANO_MELS, type PianoFront } from "./contract.js";
import { initPiano, oneHotStates, pianoAcoustic, pianoAcousticGraph, pianoFrameLogits, pianoLogits, pianoLoss, pianoStep, pianoStepGraph, pianoWidths, type PianoConfig, type PianoParams } from "./piano.js";

await init("wasm");
const ort = await ortNode();
/** Sub-harmonics ¼ and ⅓ beside the default harmonics (PianoConfig.harmonics). */
const SUB = [0.25, 1 / 3, 0.5, 1, 2, 3, 4, 5];
const small = (kind: "ar" | "frame", front: PianoFront = "mel", harmonics?: readonly number[], frameHead?: number): PianoConfig =>
  keyAligned(front) ? { front, kind, states: 5, channels: [2, 3], features: 3, hidden: 4, embed: 2, weights: [1, 20, 2, 5, 20], ...(harmonics ? { harmonics } : {}), ...(frameHead ? { frameHead } : {}) } : { kind, states: 5, channels: [2, 3], features: 12, hidden: 8, embed: 2, weights: [1, 20, 2, 5, 20] };

/** Random states 0–4 per frame and key, [1, T, 88] int32. */
function randomStates(T: number, seed: number): JArray {
  const u = arrayValues(randomArray([1, T, KEYS], seed, "uniform"));
  return np.array(Int32Array.from(u, (v) => Math.floor(v * 5)), { dtype: np.int32 }).reshape([1, T, KEYS]);
}

for (const [kind, front, harmonics, frameHead] of [["ar", "mel"], ["frame", "mel"], ["ar", "keys"], ["frame", "keys"], ["ar", "keys", SUB], ["ar", "keys", SUB, 3]] as const) {
  const BINS = frontBins(front), label = `${kind}, ${front}${harmonics ? ", harmonics ¼…5" : ""}${frameHead ? ", frame head" : ""}`;
  test(`piano model (${label}): the step model run frame by frame equals the sequence model with the same previous states`, () => {
    const cfg = small(kind, front, harmonics, frameHead);
    const { params, stats } = initPiano(cfg, 3);
    const T = 6;
    const x = randomArray([1, T, BINS], 4, "uniform");
    const { features } = pianoAcoustic(params, x, { train: false, stats, front, harmonics });
    const prev = randomStates(T, 5);
    const seqFrame = frameHead ? arrayValues(pianoFrameLogits(params, cfg, features)) : undefined;
    const seq = arrayValues(pianoLogits(params, cfg, features.ref, oneHotStates(prev.ref, 5)));
    const oneHot = arrayValues(oneHotStates(prev, 5));
    const { features: F, state: H } = pianoWidths(cfg);
    let h = np.zeros([1, H]), c = np.zeros([1, H]);
    const f = arrayValues(features);
    for (let t = 0; t < T; t++) {
      const [logits, h2, c2, frameLogits] = pianoStep(params, cfg, np.array(f.slice(t * F, (t + 1) * F)).reshape([1, F]), np.array(oneHot.slice(t * KEYS * 5, (t + 1) * KEYS * 5)).reshape([1, KEYS * 5]), h, c);
      h = h2;
      c = c2;
      const got = arrayValues(logits);
      assert.ok(maxAbsDiff(got, seq.slice(t * KEYS * 5, (t + 1) * KEYS * 5)) < 1e-5, `frame ${t}`);
      assert.equal(frameLogits === undefined, !frameHead);
      if (seqFrame) assert.ok(maxAbsDiff(arrayValues(frameLogits), seqFrame.slice(t * KEYS * 5, (t + 1) * KEYS * 5)) < 1e-5, `frame head, frame ${t}`);
    }
    h.dispose();
    c.dispose();
  });

  test(`piano model (${label}): ONNX Runtime agrees with jax-js (≤ 1e-4): the acoustic graph at two lengths and the step graph`, async () => {
    const cfg = small(kind, front, harmonics, frameHead);
    const { params, stats } = initPiano(cfg, 7);
    const w = pianoWidths(cfg);
    // Non-trivial running statistics, as a trained model has.
    const st = stats.map((s, i) => ({ mean: randomArray(s.mean.shape, 10 + i, "uniform"), var: randomArray(s.var.shape, 20 + i, "uniform").add(0.5) })) as typeof stats;
    const acoustic = await OnnxModel.load(ort, exportOnnx(pianoAcousticGraph(st, front, harmonics), params, [np.zeros([1, 16, BINS])], { dynamicAxes: [{ 1: "frames" }] }));
    for (const T of [16, 41]) {
      const x = randomArray([1, T, BINS], T, "uniform");
      const [feat, vel] = pianoAcousticGraph(st, front, harmonics)(tree.ref(params), x.ref).map(arrayValues);
      const out = await acoustic.run({ input0: { data: Float32Array.from(arrayValues(x)), dims: [1, T, BINS] } });
      assert.deepEqual(out.output0.dims, [1, T, w.features]);
      assert.deepEqual(out.output1.dims, [1, T, KEYS]);
      assert.ok(maxAbsDiff(out.output0.data, feat) <= 1e-4 && maxAbsDiff(out.output1.data, vel) <= 1e-4, `T = ${T}`);
    }
    const inputs = [randomArray([1, w.features], 1, "uniform"), oneHotStates(randomStates(1, 2), 5).reshape([1, KEYS * 5]), randomArray([1, w.state], 3, "uniform"), randomArray([1, w.state], 4, "uniform")];
    const [i0, i1, i2, i3] = inputs;
    const want = pianoStepGraph(cfg)(tree.ref(params), i0.ref, i1.ref, i2.ref, i3.ref).map(arrayValues);
    const step = await OnnxModel.load(ort, exportOnnx(pianoStepGraph(cfg), params, inputs.map((a) => a.ref)));
    const got = await step.run(Object.fromEntries(inputs.map((a, i) => [`input${i}`, { data: Float32Array.from(arrayValues(a)), dims: a.shape }])));
    assert.equal(want.length, frameHead ? 4 : 3);
    for (let i = 0; i < want.length; i++) assert.ok(maxAbsDiff(got[`output${i}`].data, want[i]) <= 1e-4, `step output ${i}`);
    await Promise.all([acoustic.dispose(), step.dispose()]);
  });
}

for (const harmonics of [undefined, SUB]) test(`piano model (keys${harmonics ? ", harmonics ¼…5" : ""}): every key shares one detector: the input moved up a key (3 CQT bins) moves the features up a key`, () => {
  const cfg = small("ar", "keys", harmonics);
  const { params, stats } = initPiano(cfg, 11);
  const T = 5;
  const x0 = Float32Array.from(arrayValues(randomArray([1, T, PIANO_CQT_BINS], 12, "uniform")));
  const x1 = new Float32Array(x0.length);
  for (let t = 0; t < T; t++) x1.set(x0.subarray(t * PIANO_CQT_BINS, (t + 1) * PIANO_CQT_BINS - 3), t * PIANO_CQT_BINS + 3);
  const feats = (x: Float32Array) => arrayValues(pianoAcoustic(params, np.array(x).reshape([1, T, PIANO_CQT_BINS]), { train: false, stats, front: "keys", harmonics }).features);
  const f0 = feats(x0), f1 = feats(x1);
  const C = cfg.features;
  // Keys whose inputs (±2 keys of convs, harmonics −36…+84 bins; below the transform the padding is zero in both) stay inside it in both.
  let most = 0, moved = 0;
  for (let t = 0; t < T; t++) for (let k = 16; k <= 64; k++) for (let c = 0; c < C; c++) {
    most = Math.max(most, Math.abs(f0[(t * KEYS + k - 1) * C + c]));
    moved = Math.max(moved, Math.abs(f1[(t * KEYS + k) * C + c] - f0[(t * KEYS + k - 1) * C + c]));
  }
  assert.ok(most > 1e-3, "the features are not all zero");
  assert.ok(moved < 1e-5, `key k's features of the moved input differ from key k−1's by ${moved}`);
  // Not the same for every key: the features depend on where the input is.
  assert.ok(maxAbsDiff(f0, f1) > 1e-3);
});

test("piano model: training steps lower the loss on a fixed batch whose states follow the input", () => {
  const cfg = small("ar");
  const { params, stats } = initPiano(cfg, 1);
  const T = 8;
  const x = randomArray([2, T, PIANO_MELS], 2, "uniform");
  // Key k sounds (sustain) where mel band 2k is above 0.5; the previous states are the truth one frame earlier.
  const xv = arrayValues(x.ref);
  const y = new Int32Array(2 * T * KEYS), prev = new Int32Array(2 * T * KEYS);
  for (let b = 0; b < 2; b++) for (let t = 0; t < T; t++) for (let k = 0; k < KEYS; k++) {
    y[(b * T + t) * KEYS + k] = xv[(b * T + t) * PIANO_MELS + 2 * k] > 0.5 ? 2 : 0;
    if (t > 0) prev[(b * T + t) * KEYS + k] = y[(b * T + t - 1) * KEYS + k];
  }
  const arr = (a: Int32Array) => np.array(a, { dtype: np.int32 }).reshape([2, T, KEYS]);
  const zeros = np.zeros([2, T, KEYS]);
  const { first, last } = fitFixedBatch(pianoLoss(cfg, stats), params, [x, arr(y), arr(prev), zeros.ref, zeros], 120, 2e-2);
  assert.ok(last < 0.5 * first, `loss ${first} → ${last}`);
});

test("piano model (frame head): detached, its loss leaves the convs' gradient to the autoregressive head's; attached, it adds to it", () => {
  const cfg = small("ar", "keys", SUB, 3);
  const { params, stats } = initPiano(cfg, 13);
  const T = 8;
  const x = randomArray([1, T, PIANO_CQT_BINS], 14, "uniform");
  const y = randomStates(T, 15), prev = randomStates(T, 16), v = randomArray([1, T, KEYS], 17, "uniform"), mask = randomArray([1, T, KEYS], 18, "uniform");
  const convGrad = (c: PianoConfig) => {
    const [, g] = valueAndGrad((p: PianoParams) => pianoLoss(c, stats)(p, x.ref, y.ref, prev.ref, v.ref, mask.ref))(tree.ref(params)) as unknown as [JArray, PianoParams];
    return arrayValues(g.conv[0].w);
  };
  const arOnly = convGrad({ ...cfg, frameHead: undefined }), detached = convGrad({ ...cfg, frameHeadDetached: true }), attached = convGrad(cfg);
  assert.ok(maxAbsDiff(detached, arOnly) < 1e-6, "detached: the convs learn from the autoregressive head alone");
  assert.ok(maxAbsDiff(attached, arOnly) > 1e-4, "attached: the frame head's loss reaches the convs");
});

for (const name of ["piano-ar", "piano-mel-ar", "piano-frame"]) test(`the shipped ${name} model: its two ONNX graphs equal its safetensors weights run in jax-js (≤ 1e-4)`, async (t) => {
  const base = path.join(MODELS_DIR, name);
  if (!existsSync(`${base}.onnx`)) return t.skip(`models/${name}.onnx is not here`);
  const recipe = JSON.parse(readFileSync(`${base}.recipe.json`, "utf8")) as { model: PianoConfig };
  const cfg: PianoConfig = { ...recipe.model };
  const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(`${base}.safetensors`)), "piano-ar.safetensors");
  const fresh = initPiano(cfg, 1);
  const params = fromNamed(fresh.params, "params.", tensors), stats = fromNamed(fresh.stats, "stats.", tensors);
  const acoustic = await OnnxModel.load(ort, new Uint8Array(readFileSync(`${base}.onnx`)));
  const step = await OnnxModel.load(ort, new Uint8Array(readFileSync(`${base}.step.onnx`)));
  const front = cfg.front ?? "mel", bins = frontBins(front), w = pianoWidths(cfg);
  const x = randomArray([1, 37, bins], 5, "uniform");
  const [feat, vel] = pianoAcousticGraph(stats, front, cfg.harmonics)(tree.ref(params), x.ref).map(arrayValues);
  const out = await acoustic.run({ [keyAligned(front) ? "cqt" : "logmel"]: { data: Float32Array.from(arrayValues(x)), dims: [1, 37, bins] } });
  assert.ok(maxAbsDiff(out.features.data, feat) <= 1e-4 && maxAbsDiff(out.velocity.data, vel) <= 1e-4);
  const inputs = [randomArray([1, w.features], 6, "uniform"), oneHotStates(randomStates(1, 7), 5).reshape([1, KEYS * 5]), randomArray([1, w.state], 8, "uniform"), randomArray([1, w.state], 9, "uniform")];
  const [i0, i1, i2, i3] = inputs;
  const want = pianoStepGraph(cfg)(tree.ref(params), i0.ref, i1.ref, i2.ref, i3.ref).map(arrayValues);
  const names = ["features", "previous", "h", "c"];
  const got = await step.run(Object.fromEntries(inputs.map((a, i) => [names[i], { data: Float32Array.from(arrayValues(a)), dims: a.shape }])));
  const outputs = ["logits", "h_out", "c_out", ...(cfg.frameHead ? ["frame_logits"] : [])];
  assert.equal(want.length, outputs.length);
  outputs.forEach((n, i) => assert.ok(maxAbsDiff(got[n].data, want[i]) <= 1e-4, n));
  await Promise.all([acoustic.dispose(), step.dispose()]);
});
