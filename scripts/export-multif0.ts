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
import { decodeSafetensors } from "../src/nn/safetensors.js";
import { treeOf } from "../src/prune/units.js";
import { checkAgainstJax } from "./onnx-check.js";

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
const diff = await checkAgainstJax(weights, onnx, [[1, inputChannels(cfg), MULTIPITCH_BINS, 40]], (x: JArray) => multiF0Salience(params, x, cfg, "lax"));
writeFileSync(out, onnx);
console.log(`${out}: multi-F0 (${cfg.fusion}), dynamic frame axis, ONNX vs jax-js ${diff.toExponential(1)}`);
