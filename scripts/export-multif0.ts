/**
 * Re-exports a trained multi-F0 model (its .safetensors; fusion from the file's
 * metadata, the rest from its recipe) to ONNX with a dynamic frame axis, e.g.
 * after an exporter or graph change; the weights and recipe stay as they are.
 *   node dist-bench/scripts/export-multif0.js WEIGHTS.safetensors OUT.onnx
 */
import { readFileSync, writeFileSync } from "node:fs";
import { init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { MULTIPITCH_BINS } from "../src/models/pitch/contract.js";
import { initMultiF0, inputChannels, multiF0Salience, type MultiF0Config } from "../src/models/pitch/multif0.js";
import { exportOnnx } from "../src/nn/onnx/export.js";
import { decodeSafetensors } from "../src/nn/safetensors.js";
import { fromNamed } from "../src/nn/train.js";

const [weights, out] = process.argv.slice(2);
if (!weights || !out) {
  console.error("usage: node dist-bench/scripts/export-multif0.js WEIGHTS.safetensors OUT.onnx");
  process.exit(2);
}
await init("wasm");
const recipe = JSON.parse(readFileSync(weights.replace(/\.safetensors$/, ".recipe.json"), "utf8")) as { model: MultiF0Config };
const cfg = recipe.model;
const file = decodeSafetensors(new Uint8Array(readFileSync(weights)), weights);
const params = fromNamed(initMultiF0(cfg, 1), "", file.tensors);
writeFileSync(out, exportOnnx((p: typeof params, x: JArray) => multiF0Salience(p, x, cfg, "lax"), params, [np.zeros([1, inputChannels(cfg), MULTIPITCH_BINS, 16])], { dynamicAxes: [{ 3: "frames" }] }));
console.log(`${out}: multi-F0 (${cfg.fusion}), dynamic frame axis`);
