/**
 * Re-exports a trained multi-F0 model (its .safetensors, at whatever widths
 * its tensors have: full or trimmed; the rest from its recipe) to ONNX with a
 * dynamic frame axis, e.g. after an exporter or graph change, and checks the
 * new file against jax-js (≤ 1e-4); the weights and recipe stay as they are.
 * A model whose recipe sits inside another's (parts-spherical's pitchgram)
 * names that recipe and its key.
 *   node dist-bench/scripts/export-multif0.js WEIGHTS.safetensors OUT.onnx [RECIPE.json KEY]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { MULTIPITCH_BINS } from "../src/models/pitch/contract.js";
import { inputChannels, multiF0Salience, type MultiF0Config, type MultiF0Params } from "../src/models/pitch/multif0.js";
import { exportOnnx } from "../src/nn/onnx/export.js";
import { OnnxModel } from "../src/nn/runtime.js";
import { decodeSafetensors } from "../src/nn/safetensors.js";
import { ortNode } from "../src/node.js";
import { treeOf } from "../src/prune/units.js";
import { arrayValues, randomArray } from "../src/testing/arrays.js";
import { maxAbsDiff } from "../src/testing/assert.js";

const [weights, out, recipeFile, key] = process.argv.slice(2);
if (!weights || !out) {
  console.error("usage: node dist-bench/scripts/export-multif0.js WEIGHTS.safetensors OUT.onnx");
  process.exit(2);
}
await init("wasm");
const outer = JSON.parse(readFileSync(recipeFile ?? weights.replace(/\.safetensors$/, ".recipe.json"), "utf8")) as Record<string, { model: MultiF0Config }> & { model: MultiF0Config };
const cfg = key === undefined ? outer.model : outer[key].model;
const params = treeOf<MultiF0Params>(decodeSafetensors(new Uint8Array(readFileSync(weights)), weights).tensors);
const onnx = exportOnnx((p: MultiF0Params, x: JArray) => multiF0Salience(p, x, cfg, "lax"), params, [np.zeros([1, inputChannels(cfg), MULTIPITCH_BINS, 16])], { dynamicAxes: [{ 3: "frames" }] });
const dims = [1, inputChannels(cfg), MULTIPITCH_BINS, 40];
const x = randomArray(dims, 3, "uniform");
const model = await OnnxModel.load(await ortNode(), onnx);
const got = (await model.run({ [model.inputNames[0]]: { data: x.ref.dataSync() as Float32Array, dims } }))[model.outputNames[0]].data;
const diff = maxAbsDiff(got, arrayValues(multiF0Salience(params, x, cfg, "lax")));
if (!(diff <= 1e-4)) throw new Error(`${weights}: the new ONNX differs from jax-js by ${diff}`);
writeFileSync(out, onnx);
console.log(`${out}: multi-F0 (${cfg.fusion}), dynamic frame axis, ONNX vs jax-js ${diff.toExponential(1)}`);
