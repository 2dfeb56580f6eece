import * as assert from "node:assert/strict";
import { test } from "node:test";
import { init, jit, numpy as np, tree, valueAndGrad, type Array as JArray } from "@jax-js/jax";
import { ortNode } from "../../node.js";
import { exportOnnx } from "../../nn/onnx/export.js";
import { adamInit, adamStep } from "../../nn/optim.js";
import { OnnxModel } from "../../nn/runtime.js";
import { arrayValues, randomArray } from "../../testing/arrays.js";
import { maxAbsDiff } from "../../testing/assert.js";
import { initPartEmbedding, partEmbeddingLoss, partEmbeddings, PART_TIME_RADIUS, type PartEmbeddingParams } from "./clustering.js";
import { MAX_PARTS, NO_PART, PART_CHANNELS, PART_OUTPUTS, PART_PITCHES, partFeatures, partLabels, SHARED } from "./parts-contract.js";

await init("wasm");
const cfg = { channels: PART_CHANNELS, width: 6, dims: 4 };

test("part embeddings: unit vectors per bin; jax-js and the ONNX export agree within 1e-4 at two lengths", async () => {
  const params = initPartEmbedding(cfg, 2);
  const fn = (p: PartEmbeddingParams, x: JArray) => partEmbeddings(p, x, "lax");
  const onnx = exportOnnx(fn, tree.ref(params), [np.zeros([1, PART_CHANNELS, PART_PITCHES, 24])], { dynamicAxes: [{ 3: "frames" }], outputNames: PART_OUTPUTS });
  const model = await OnnxModel.load(await ortNode(), onnx);
  for (const T of [24, 41]) {
    const x = randomArray([1, PART_CHANNELS, PART_PITCHES, T], T, "uniform");
    const xs = arrayValues(x.ref);
    const [wantEmb, wantOnsets] = partEmbeddings(tree.ref(params), x, "lax").map(arrayValues);
    const outs = await model.run({ [model.inputNames[0]]: { data: Float32Array.from(xs), dims: [1, PART_CHANNELS, PART_PITCHES, T] } });
    const got = outs.embeddings.data;
    assert.equal(got.length, cfg.dims * PART_PITCHES * T);
    assert.ok(maxAbsDiff(got, wantEmb) < 1e-4, `T=${T}: ${maxAbsDiff(got, wantEmb)}`);
    assert.equal(outs.onsets.data.length, PART_PITCHES * T);
    assert.ok(maxAbsDiff(outs.onsets.data, wantOnsets) < 1e-4);
    assert.ok(outs.onsets.data.every((v) => v > 0 && v < 0.05), "onsets start near their base rate");
    // Every bin's vector has unit length.
    for (const i of [0, 17, PART_PITCHES * T - 1]) {
      let s = 0;
      for (let d = 0; d < cfg.dims; d++) s += got[d * PART_PITCHES * T + i] ** 2;
      assert.ok(Math.abs(s - 1) < 1e-4, `bin ${i}: |v|² = ${s}`);
    }
  }
  await model.dispose();
  tree.dispose(params);
  assert.equal(PART_TIME_RADIUS, 16);
});

test("training loss: deep clustering falls by half in 100 Adam steps that separate two parts; unlabelled bins do not count; onsets are learnt", () => {
  const T = 16;
  // Random spectra, except that the first channel is bright (1) where part 1 plays and dark (0) where part 0 does.
  const xv = Float32Array.from(arrayValues(randomArray([1, PART_CHANNELS, PART_PITCHES, T], 9, "uniform")));
  for (let p = 0; p < PART_PITCHES; p++) xv.fill(p < PART_PITCHES / 2 ? 0 : 1, p * T, (p + 1) * T);
  // Onsets in frame 3 of the high half, where the second channel is 1 (0 elsewhere): learnable from the input.
  const on = new Float32Array(PART_PITCHES * T);
  for (let p = 0; p < PART_PITCHES; p++) for (let t = 0; t < T; t++) {
    const struck = p >= PART_PITCHES / 2 && t === 3;
    xv[(PART_PITCHES + p) * T + t] = struck ? 1 : 0;
    on[p * T + t] = struck ? 1 : 0;
  }
  const x = np.array(xv).reshape([1, PART_CHANNELS, PART_PITCHES, T]);
  // Part 0 on the low half of the pitches, part 1 on the high half, in every frame; bin (0, 0) unlabelled.
  const y = new Float32Array(PART_PITCHES * T * MAX_PARTS);
  let n0 = 0, n1 = 0;
  for (let p = 0; p < PART_PITCHES; p++) for (let t = 0; t < T; t++) {
    if (p === 0 && t === 0) continue;
    const k = p < PART_PITCHES / 2 ? 0 : 1;
    y[(p * T + t) * MAX_PARTS + k] = 1;
    if (k === 0) n0++; else n1++;
  }
  const yy = np.array([n0 * n0 + n1 * n1]), norm = np.array([(n0 + n1) ** 2]);
  const labels = np.array(y).reshape([1, PART_PITCHES, T, MAX_PARTS]);
  const onsets = np.array(on).reshape([1, PART_PITCHES, T]);
  let params = initPartEmbedding({ ...cfg, width: 12 }, 5);
  const step = jit(valueAndGrad((p: PartEmbeddingParams, a: JArray, b: JArray, c: JArray, d: JArray, e: JArray) => partEmbeddingLoss(p, a, b, c, d, e)));
  const losses: number[] = [];
  let adam = adamInit(params);
  for (let i = 0; i < 100; i++) {
    const [loss, grads] = step(tree.ref(params), x.ref, labels.ref, yy.ref, norm.ref, onsets.ref) as unknown as [JArray, PartEmbeddingParams];
    losses.push(arrayValues(loss)[0]);
    ({ params, state: adam } = adamStep(params, grads, adam, { lr: 0.01 }));
  }
  assert.ok(losses[0] > 0 && losses[0] <= 5, `first loss ${losses[0]}`);
  assert.ok(losses.at(-1)! < 0.5 * losses[0], `loss ${losses.map((l) => l.toFixed(3)).join(" ")}`);
  const prob = arrayValues(partEmbeddings(tree.ref(params), x.ref, "lax")[1]);
  const p = PART_PITCHES - 10;
  assert.ok(prob[p * T + 3] > 0.5 && prob[p * T + 8] < 0.2 && prob[10 * T + 3] < 0.2, `onset ${prob[p * T + 3]}, elsewhere ${prob[p * T + 8]}, ${prob[10 * T + 3]}`);
  tree.dispose(params);
  tree.dispose(adam.m);
  tree.dispose(adam.v);
  for (const a of [x, labels, yy, norm, onsets]) a.dispose();
});

test("part labels: one part's index, NO_PART where none plays, SHARED on a unison; features pool the 20-cent grid per semitone", () => {
  const frame = 0.01;
  const labels = partLabels([[{ onset: 0, offset: 0.05, pitch: 60 }], [{ onset: 0.03, offset: 0.08, pitch: 60 }, { onset: 0, offset: 0.02, pitch: 30 }]], 10, frame);
  const at = (pitch: number, t: number) => labels[(pitch - 24) * 10 + t];
  assert.deepEqual([at(60, 0), at(60, 2), at(60, 3), at(60, 4), at(60, 5), at(60, 7), at(60, 8)], [0, 0, SHARED, SHARED, 1, 1, NO_PART]);
  assert.deepEqual([at(30, 0), at(30, 1), at(30, 2)], [1, 1, NO_PART]);
  const T = 3, mag = new Float32Array(6 * 360 * T), sal = new Float32Array(360 * T);
  mag[(1 * 360 + 5 * 12 + 2) * T + 1] = 0.7; // harmonic channel 1, two bins above C2's centre, frame 1
  sal[(5 * 12 - 2) * T + 2] = 0.9; // two bins below C2
  sal[(5 * 12 - 3) * T + 0] = 0.5; // three bins below: B1's
  const f = partFeatures(mag, sal, T);
  const P = PART_PITCHES;
  assert.ok(Math.abs(f[(1 * P + 12) * T + 1] - 0.7) < 1e-6);
  assert.ok(Math.abs(f[(6 * P + 12) * T + 2] - 0.9) < 1e-6);
  assert.equal(f[(6 * P + 12) * T + 0], 0);
  assert.equal(f[(6 * P + 11) * T + 0], 0.5);
  assert.equal(f[(7 * P + 71) * T], 1); // register channel
});
