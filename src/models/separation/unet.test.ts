import * as assert from "node:assert/strict";
import { test } from "node:test";
import { init, numpy as np, tree, type Array as JArray } from "@jax-js/jax";
import { ortNode } from "../../node.js";
import { arrayValues, fitFixedBatch, randomArray } from "../../testing/arrays.js";
import { exportOnnx } from "../../nn/onnx/export.js";
import { OnnxModel } from "../../nn/runtime.js";
import { initUNet, separationLoss, unetMask, type BlockKind, type UNetConfig } from "./unet.js";

await init("wasm");
const ort = await ortNode();

const rand = randomArray;
const values = arrayValues;

for (const block of ["tfc", "tdf", "tfc-tdf", "tdc", "tfc-rnn"] as BlockKind[]) {
  test(`U-Net with ${block} blocks: mask shape and range; matmul and lax paths agree; ONNX Runtime agrees (≤ 1e-4) at the traced length and another`, async () => {
    // The RNN variant unrolls a GRU over frequency at trace time: keep it small.
    const rnn = block === "tfc-rnn";
    const cfg: UNetConfig = { block, bins: rnn ? 16 : 32, channels: rnn ? 4 : 6, depth: rnn ? 1 : 2, layers: 2, growth: 4 };
    const p = initUNet(cfg, 1);
    const x = rand([1, 4, cfg.bins, rnn ? 4 : 8], 2);
    const a = unetMask(tree.ref(p), x.ref, "matmul");
    assert.deepEqual(a.shape, [1, 2, cfg.bins, x.shape[3]]);
    const av = values(a);
    assert.ok(av.every((v) => v >= 0 && v <= 1));
    const bv = values(unetMask(tree.ref(p), x.ref, "lax"));
    let worst = 0;
    av.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - bv[i]))));
    assert.ok(worst < 1e-4, `matmul vs lax ${worst}`);
    const fn = (q: typeof p, xx: JArray) => unetMask(q, xx, "lax");
    const model = await OnnxModel.load(ort, exportOnnx(fn, p, [x.ref], { dynamicAxes: [{ 3: "frames" }], dynamicStep: 2 ** cfg.depth }));
    for (const frames of [x.shape[3], 5 * 2 ** cfg.depth]) {
      const xi = frames === x.shape[3] ? x.ref : rand([1, 4, cfg.bins, frames], 3);
      const expected = frames === x.shape[3] ? bv : values(fn(tree.ref(p), xi.ref));
      const out = (await model.run({ input0: { data: xi.dataSync() as Float32Array, dims: xi.shape } })).output0.data;
      let w2 = 0;
      expected.forEach((v, i) => (w2 = Math.max(w2, Math.abs(v - out[i]))));
      assert.ok(w2 <= 1e-4, `${frames} frames: ONNX vs jax-js ${w2}`);
    }
    x.dispose();
    await model.dispose();
  });
}

test("U-Net training steps reduce the separation loss on a fixed batch", () => {
  const cfg: UNetConfig = { block: "tfc-tdf", bins: 32, channels: 8, depth: 2, layers: 2, growth: 4 };
  let p = initUNet(cfg, 3);
  const mix = rand([2, 4, 32, 16], 4);
  // Target: the mixture with the upper half of the spectrum removed (a maskable target).
  const keep = np.array(Float32Array.from({ length: 32 }, (_, f) => (f < 16 ? 1 : 0))).reshape([1, 1, 32, 1]);
  const voc = mix.ref.mul(keep);
  const { first, last } = fitFixedBatch(separationLoss, p, [mix, voc], 30, 3e-3);
  assert.ok(last < first * 0.5, `loss ${first} → ${last}`);
});
