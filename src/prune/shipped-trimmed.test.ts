/**
 * The shipped trimmed models (multif0-late-trimmed, separation-tfc-tdf-trimmed):
 * each ONNX file agrees with its jax-js network rebuilt from its
 * .safetensors at the trimmed widths (≤ 1e-4); the widths its recipe lists
 * are its tensors' unit groups; it is smaller than the model it was trimmed
 * from, and never its family's default.
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { init, type Array as JArray } from "@jax-js/jax";
import { MODELS_DIR, resolveModel, shippedModel } from "../io/model-files.js";
import { MULTIPITCH_MODEL_PREFIX } from "../models/pitch/model.js";
import { SEPARATION_MODEL_PREFIX } from "../models/separation/model.js";
import { inputChannels, multiF0Salience, type MultiF0Config, type MultiF0Params } from "../models/pitch/multif0.js";
import { unetMask, type UNetParams } from "../models/separation/unet.js";
import { decodeSafetensors } from "../nn/safetensors.js";
import { OnnxModel } from "../nn/runtime.js";
import { ortNode } from "../node.js";
import { arrayValues, randomArray } from "../testing/arrays.js";
import { maxAbsDiff } from "../testing/assert.js";
import { multif0Groups } from "./multif0.js";
import { unetGroups } from "./unet.js";
import { tensorParameters, treeOf, type Tensors, type UnitGroup } from "./units.js";

await init("wasm");
const ort = await ortNode();

const cases: { name: string; groups: (t: Tensors) => UnitGroup[]; input: (model: Record<string, unknown>) => number[]; graph: (t: Tensors, x: JArray, model: Record<string, unknown>) => JArray }[] = [
  {
    name: "multif0-late-trimmed", groups: multif0Groups,
    input: (m) => [1, inputChannels(m as unknown as MultiF0Config), 360, 24],
    graph: (t, x, m) => multiF0Salience(treeOf<MultiF0Params>(t), x, m as unknown as MultiF0Config, "lax"),
  },
  {
    name: "separation-tfc-tdf-trimmed", groups: unetGroups,
    input: (m) => [1, 4, m.bins as number, 32],
    graph: (t, x) => unetMask(treeOf<UNetParams>(t), x, "lax"),
  },
];

for (const c of cases) {
  test(`shipped ${c.name}: ONNX Runtime agrees with its jax-js network from the safetensors (≤ 1e-4), at the widths its recipe lists`, async () => {
    const file = (name: string, ext: string) => path.join(MODELS_DIR, `${name}.${ext}`);
    const recipe = JSON.parse(readFileSync(file(c.name, "recipe.json"), "utf8")) as { trimmedFrom: string; model: Record<string, unknown> & { widths: Record<string, number> } };
    const tensors = decodeSafetensors(new Uint8Array(readFileSync(file(c.name, "safetensors"))), c.name).tensors;
    assert.deepEqual(Object.fromEntries(c.groups(tensors).map((g) => [g.name, g.size])), recipe.model.widths);
    const full = decodeSafetensors(new Uint8Array(readFileSync(file(recipe.trimmedFrom, "safetensors"))), recipe.trimmedFrom).tensors;
    assert.ok(tensorParameters(tensors) < 0.7 * tensorParameters(full), `${tensorParameters(tensors)} of ${tensorParameters(full)} parameters`);
    const dims = c.input(recipe.model);
    const x = randomArray(dims, 3, "uniform");
    const onnx = await OnnxModel.load(ort, new Uint8Array(readFileSync(file(c.name, "onnx"))));
    const got = (await onnx.run({ [onnx.inputNames[0]]: { data: x.ref.dataSync() as Float32Array, dims } }))[onnx.outputNames[0]].data;
    const want = arrayValues(c.graph(tensors, x, recipe.model));
    assert.ok(maxAbsDiff(got, want) <= 1e-4, `ONNX vs jax-js ${maxAbsDiff(got, want)}`);
    await onnx.dispose();
  });
}

test("trimmed models are chosen by name, never a family's default", () => {
  assert.equal(path.basename(shippedModel(SEPARATION_MODEL_PREFIX, "separation", "-")), "separation-tfc-tdf.onnx");
  assert.equal(path.basename(shippedModel(MULTIPITCH_MODEL_PREFIX, "multi-F0", "-")), "multif0-late.onnx");
  assert.equal(path.basename(resolveModel("separation-tfc-tdf-trimmed")), "separation-tfc-tdf-trimmed.onnx");
});
