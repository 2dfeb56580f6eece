/**
 * Trimming the separation U-Net: the trimmed network equals the original
 * with the removed units' outputs set to zero (an activation mask through
 * the U-Net's tap, before any retraining), masking equals trimming, the
 * ONNX export is smaller and agrees with jax-js; the activation criterion
 * scores every group.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { exportUNet, initUNet, unetMask, type UNetConfig, type UNetParams } from "../models/separation/unet.js";
import { OnnxModel } from "../nn/runtime.js";
import { ortNode } from "../node.js";
import { arrayValues, randomArray } from "../testing/arrays.js";
import { maxAbsDiff } from "../testing/assert.js";
import { unetActivations, unetGroups } from "./unet.js";
import { magnitudeScores, maskTensors, selectUnits, tensorParameters, tensorsOf, treeOf, trimTensors, type Keep } from "./units.js";

await init("wasm");

const cfg: UNetConfig = { block: "tfc-tdf", bins: 64, channels: 6, depth: 2, layers: 2, growth: 4 };

function nonzeroBiases(seed: number) {
  const t = tensorsOf(initUNet(cfg, seed));
  // Nonzero biases, so a removed unit that leaked (TDF(0) ≠ 0) would show.
  for (const [n, x] of Object.entries(t)) if (n.endsWith(".b")) x.data.forEach((_, i) => (x.data[i] = 0.05 * ((i % 5) - 2)));
  return t;
}

/** The original network with the units outside `keep` zeroed where they are computed. */
function zeroedUnits(p: UNetParams, x: JArray, keep: Keep): JArray {
  return unetMask(p, x, "matmul", {
    tap: (name, h, axis) => {
      const k = keep[name];
      if (!k) return h;
      const shape = h.shape.map((s, a) => (a === axis ? s : 1));
      const m = new Float32Array(h.shape[axis]);
      for (const i of k) m[i] = 1;
      return h.mul(np.array(m).reshape(shape));
    },
  });
}

test("U-Net unit groups: every dense layer, block output, TDF bottleneck, down- and upsampling conv", () => {
  const groups = unetGroups(tensorsOf(initUNet(cfg, 1)));
  const names = groups.map((g) => `${g.name}:${g.size}`);
  assert.deepEqual(names.slice(0, 6), ["first:6", "down.0.block.tfc.convs.0:4", "down.0.block.tfc.convs.1:4", "down.0.block.tdf:16", "down.0.block:6", "down.0.pool:6"]);
  assert.ok(names.includes("middle:6") && names.includes("up.1.unpool:6") && names.includes("up.1.block:6"));
  assert.equal(groups.length, 1 + 2 * 5 + 4 + 2 * 5);
  // The decoder block reads [skip, upsampled]: the unpool's units sit after the skip's 6 channels.
  const unpool = groups.find((g) => g.name === "up.0.unpool")!;
  assert.deepEqual(unpool.consumers.map((c) => `${c.tensor}@${c.offset}`), ["up.0.block.tfc.convs.0.w@6", "up.0.block.tfc.convs.1.w@6", "up.0.block.tfc.out.w@6"]);
  assert.throws(() => unetGroups(tensorsOf(initUNet({ ...cfg, block: "tfc-rnn" }, 1))), /recurrent blocks/);
});

test("a trimmed U-Net equals the original with the removed units' outputs zeroed, masking equals trimming, and its smaller ONNX agrees", async () => {
  const full = nonzeroBiases(3);
  const groups = unetGroups(full);
  const keep = selectUnits(magnitudeScores(full, groups), 0.5, "global");
  const trimmed = trimTensors(full, groups, keep);
  assert.ok(tensorParameters(trimmed) < 0.6 * tensorParameters(full), `${tensorParameters(trimmed)} of ${tensorParameters(full)} parameters`);
  const x = randomArray([1, 4, cfg.bins, 16], 11, "uniform");
  const a = arrayValues(unetMask(treeOf<UNetParams>(trimmed), x.ref));
  const zeroed = arrayValues(zeroedUnits(treeOf<UNetParams>(full), x.ref, keep));
  assert.ok(maxAbsDiff(a, zeroed) < 1e-5, `trimmed vs units zeroed ${maxAbsDiff(a, zeroed)}`);
  const masked = arrayValues(unetMask(treeOf<UNetParams>(maskTensors(full, groups, keep)), x.ref));
  assert.ok(maxAbsDiff(a, masked) < 1e-5, `trimmed vs masked ${maxAbsDiff(a, masked)}`);
  const orig = arrayValues(unetMask(treeOf<UNetParams>(full), x.ref));
  assert.ok(maxAbsDiff(a, orig) > 1e-3, "the removed units mattered");

  const p = treeOf<UNetParams>(trimmed);
  const bytes = exportUNet(p, cfg), bytesFull = exportUNet(treeOf<UNetParams>(full), cfg);
  assert.ok(bytes.length < 0.7 * bytesFull.length, `ONNX ${bytes.length} vs ${bytesFull.length} bytes`);
  const model = await OnnxModel.load(await ortNode(), bytes);
  const got = (await model.run({ input0: { data: x.ref.dataSync() as Float32Array, dims: x.shape } })).output0.data;
  const want = arrayValues(unetMask(p, x, "lax"));
  assert.ok(maxAbsDiff(got, want) <= 1e-4, `ONNX vs jax-js ${maxAbsDiff(got, want)}`);
  await model.dispose();
});

test("the U-Net activation criterion scores every unit group; a growth channel with zero weights scores zero", () => {
  const t = tensorsOf(initUNet(cfg, 4));
  const w = t["down.1.block.tfc.convs.0.w"];
  w.data.fill(0, 0, w.data.length / w.shape[0]); // its channel 0: weights 0, bias 0 → relu(0) = 0
  const acts = unetActivations(treeOf<UNetParams>(t), [randomArray([2, 4, cfg.bins, 8], 5, "uniform")]);
  const groups = unetGroups(t);
  assert.deepEqual(Object.keys(acts).sort(), groups.map((g) => g.name).sort());
  for (const g of groups) assert.equal(acts[g.name].length, g.size, g.name);
  assert.equal(acts["down.1.block.tfc.convs.0"][0], 0);
  assert.ok(acts["down.1.block.tfc.convs.0"].slice(1).some((v) => v > 0));
});
