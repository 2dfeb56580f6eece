/**
 * Trimming: a trimmed network equals the original with the removed units'
 * outputs set to zero (before any retraining), it is physically smaller, and
 * its ONNX export agrees with jax-js; unit selection keeps the right counts.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { initMultiF0, inputChannels, multiF0Logits, multiF0Salience, type MultiF0Config, type MultiF0Params } from "../models/pitch/multif0.js";
import { exportOnnx } from "../nn/onnx/export.js";
import { OnnxModel } from "../nn/runtime.js";
import { ortNode } from "../node.js";
import { arrayValues, randomArray } from "../testing/arrays.js";
import { maxAbsDiff } from "../testing/assert.js";
import { multif0Activations, multif0Groups } from "./multif0.js";
import { composeKeep, gatherAxis, magnitudeScores, maskTensors, selectUnits, tensorParameters, tensorsOf, treeOf, trimTensors } from "./units.js";

await init("wasm");

test("gatherAxis keeps the chosen slices along any axis", () => {
  const t = { shape: [2, 3, 2], data: Float32Array.from({ length: 12 }, (_, i) => i) };
  assert.deepEqual(gatherAxis(t, 1, [0, 2]), { shape: [2, 2, 2], data: Float32Array.from([0, 1, 4, 5, 6, 7, 10, 11]) });
  assert.deepEqual(gatherAxis(t, 0, [1]).data, Float32Array.from([6, 7, 8, 9, 10, 11]));
  assert.deepEqual(gatherAxis(t, 2, [1]).data, Float32Array.from([1, 3, 5, 7, 9, 11]));
});

test("selectUnits: local drops the rate in each group, global one cut-off over normalised scores; every group keeps a unit", () => {
  const scores = { a: [5, 1, 3, 4, 2], b: [10, 9, 1, 8, 7], c: [0.1] };
  const local = selectUnits(scores, 0.4, "local");
  assert.deepEqual(local, { a: [0, 2, 3], b: [0, 1, 3], c: [0] });
  // Normalised: a = [1, .2, .6, .8, .4], b = [1, .9, .1, .8, .7], c = [1]; 11 units × 0.4 → 4 go: b2, a1, a4, a2.
  const global = selectUnits(scores, 0.4, "global");
  assert.deepEqual(global, { a: [0, 3], b: [0, 1, 3, 4], c: [0] });
  assert.deepEqual(selectUnits({ x: [3, 1] }, 0.9, "local"), { x: [0] });
  assert.deepEqual(composeKeep({ a: [0, 2, 5, 7] }, { a: [1, 3] }), { a: [2, 7] });
  assert.throws(() => selectUnits(scores, 1, "local"), /rate must be between 0 and 1/);
});

const cfg: MultiF0Config = { fusion: "late", harmonics: 6, width: 8, dilation: 3 };

test("a trimmed multi-F0 net equals the original with the removed units zeroed, is smaller, and exports to a smaller ONNX that agrees", async () => {
  const full = tensorsOf(initMultiF0(cfg, 5));
  // Make biases nonzero so a removed unit would show if it leaked.
  for (const [n, t] of Object.entries(full)) if (n.endsWith(".b")) t.data.forEach((_, i) => (t.data[i] = 0.1 * ((i % 3) - 1)));
  const groups = multif0Groups(full);
  assert.deepEqual(groups.map((g) => `${g.name}:${g.size}`), ["mag.0:8", "mag.1:8", "phase.0:8", "phase.1:8", "trunk.0:8", "trunk.1:8"]);
  const keep = selectUnits(magnitudeScores(full, groups), 0.5, "global");
  const trimmed = trimTensors(full, groups, keep);
  const masked = maskTensors(full, groups, keep);
  assert.ok(tensorParameters(trimmed) < 0.5 * tensorParameters(full), `${tensorParameters(trimmed)} of ${tensorParameters(full)} parameters`);
  assert.equal(trimmed["trunk.0.w"].shape[1], keep["mag.1"].length + keep["phase.1"].length);
  const x = randomArray([1, inputChannels(cfg), 60, 12], 7, "uniform");
  const a = arrayValues(multiF0Logits(treeOf<MultiF0Params>(trimmed), x.ref, cfg));
  const b = arrayValues(multiF0Logits(treeOf<MultiF0Params>(masked), x.ref, cfg));
  assert.ok(maxAbsDiff(a, b) < 1e-5, `trimmed vs masked ${maxAbsDiff(a, b)}`);
  const c = arrayValues(multiF0Logits(treeOf<MultiF0Params>(full), x.ref, cfg));
  assert.ok(maxAbsDiff(a, c) > 1e-3, "the removed units mattered");

  const p = treeOf<MultiF0Params>(trimmed);
  const fn = (q: MultiF0Params, xx: JArray) => multiF0Salience(q, xx, cfg, "lax");
  const bytesTrim = exportOnnx(fn, p, [np.zeros([1, inputChannels(cfg), 60, 16])], { dynamicAxes: [{ 3: "frames" }] });
  const bytesFull = exportOnnx(fn, treeOf<MultiF0Params>(full), [np.zeros([1, inputChannels(cfg), 60, 16])], { dynamicAxes: [{ 3: "frames" }] });
  assert.ok(bytesTrim.length < 0.6 * bytesFull.length, `ONNX ${bytesTrim.length} vs ${bytesFull.length} bytes`);
  const model = await OnnxModel.load(await ortNode(), bytesTrim);
  const got = (await model.run({ input0: { data: x.ref.dataSync() as Float32Array, dims: x.shape } })).output0.data;
  const want = arrayValues(multiF0Salience(p, x, cfg, "lax"));
  assert.ok(maxAbsDiff(got, want) <= 1e-4, `ONNX vs jax-js ${maxAbsDiff(got, want)}`);
  await model.dispose();
});

test("the activation criterion: mean |activation| per channel of every hidden layer; a channel with zero weights scores zero", () => {
  const t = tensorsOf(initMultiF0(cfg, 9));
  t["trunk.0.w"].data.fill(0, 0, t["trunk.0.w"].data.length / 8); // channel 0 of trunk.0: weights 0, bias 0 → relu(0) = 0
  const acts = multif0Activations(treeOf<MultiF0Params>(t), [randomArray([2, inputChannels(cfg), 40, 8], 3, "uniform")], cfg);
  assert.deepEqual(Object.keys(acts).sort(), ["mag.0", "mag.1", "phase.0", "phase.1", "trunk.0", "trunk.1"]);
  assert.equal(acts["trunk.0"][0], 0);
  assert.ok(acts["trunk.0"].slice(1).some((v) => v > 0));
});
