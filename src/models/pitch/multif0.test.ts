import * as assert from "node:assert/strict";
import { test } from "node:test";
import { init, numpy as np, tree, type Array as JArray } from "@jax-js/jax";
import { ortNode } from "../../node.js";
import { arrayValues, fitFixedBatch, randomArray } from "../../testing/arrays.js";
import { exportOnnx } from "../../nn/onnx/export.js";
import { OnnxModel } from "../../nn/runtime.js";
import { maxAbsDiff } from "../../testing/assert.js";
import { FUSIONS, initMultiF0, inputChannels, multiF0Logits, multiF0Loss, multiF0Salience, type MultiF0Config } from "./multif0.js";

await init("wasm");
const ort = await ortNode();

const rand = (shape: number[], seed: number) => randomArray(shape, seed, "uniform");
const values = arrayValues;

for (const fusion of FUSIONS) {
  test(`multi-F0 CNN (${fusion}): salience shape and range; matmul and lax paths agree; ONNX Runtime agrees (≤ 1e-4) at two lengths`, async () => {
    const cfg: MultiF0Config = { fusion, harmonics: 6, width: 4, dilation: 3 };
    const p = initMultiF0(cfg, 1);
    const x = rand([1, inputChannels(cfg), 60, 10], 2);
    const a = values(multiF0Salience(tree.ref(p), x.ref, cfg, "matmul"));
    const b = multiF0Salience(tree.ref(p), x.ref, cfg, "lax");
    assert.deepEqual(b.shape, [1, 60, 10]);
    const bv = values(b);
    assert.ok(bv.every((v) => v > 0 && v < 1));
    assert.ok(maxAbsDiff(a, bv) < 1e-5, `matmul vs lax ${maxAbsDiff(a, bv)}`);
    const model = await OnnxModel.load(ort, exportOnnx((q: typeof p, xx: JArray) => multiF0Salience(q, xx, cfg, "lax"), p, [np.zeros([1, inputChannels(cfg), 60, 16])], { dynamicAxes: [{ 3: "frames" }] }));
    const out = (await model.run({ input0: { data: x.ref.dataSync() as Float32Array, dims: x.shape } })).output0;
    assert.deepEqual(out.dims, [1, 60, 10]);
    assert.ok(maxAbsDiff(out.data, bv) <= 1e-4, `ONNX vs jax-js ${maxAbsDiff(out.data, bv)}`);
    const longer = rand([1, inputChannels(cfg), 60, 37], 3);
    const want = values(multiF0Salience(tree.ref(p), longer.ref, cfg, "lax"));
    const got = (await model.run({ input0: { data: longer.dataSync() as Float32Array, dims: longer.shape } })).output0.data;
    assert.ok(maxAbsDiff(got, want) <= 1e-4);
    await model.dispose();
    x.dispose();
  });
}

test("multi-F0 CNN: the input must have the fusion's channel count", () => {
  const cfg: MultiF0Config = { fusion: "late", harmonics: 6, width: 4, dilation: 3 };
  const p = initMultiF0(cfg, 1);
  assert.throws(() => multiF0Logits(p, np.zeros([1, 6, 60, 8]), cfg), /\[batch, 12, bins, frames\]/);
});

test("multi-F0 CNN: training steps lower the BCE on a fixed batch whose target is a bin of the input", () => {
  const cfg: MultiF0Config = { fusion: "late", harmonics: 6, width: 4, dilation: 2 };
  const p = initMultiF0(cfg, 3);
  const x = rand([2, 12, 40, 8], 4);
  // Target: where the first magnitude channel exceeds 0.8 (learnable from the input alone).
  const y = x.ref.slice([], 0).greater(0.8).astype(np.float32);
  const { first, last } = fitFixedBatch((q: typeof p, xx: JArray, yy: JArray) => multiF0Loss(q, xx, yy, cfg), p, [x, y], 150, 2e-2);
  // A constant prediction of the base rate (0.2) scores its entropy, 0.50 nats: the model must do better.
  assert.ok(last < 0.35 && last < 0.5 * first, `loss ${first} → ${last}`);
});
