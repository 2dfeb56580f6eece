/**
 * Re-exports a trained plain separation U-Net (its .safetensors, at whatever
 * widths its tensors have: full or trimmed; bins and depth from its recipe)
 * to ONNX with a dynamic frame axis, e.g. after an exporter fix, and checks
 * the new file against jax-js (≤ 1e-4); the weights and recipe stay as they
 * are. Prints the new GFLOP per second of audio (the recipe's is not changed).
 *   node dist-bench/scripts/export-separation.js WEIGHTS.safetensors OUT.onnx
 */
import { readFileSync, writeFileSync } from "node:fs";
import { init, type Array as JArray } from "@jax-js/jax";
import type { SeparationModelConfig } from "../src/models/separation/contract.js";
import { unetMask, type UNetConfig, type UNetParams } from "../src/models/separation/unet.js";
import { decodeSafetensors } from "../src/nn/safetensors.js";
import { treeOf } from "../src/prune/units.js";
import { exportSeparation } from "../src/tasks/separation-training.js";
import { checkAgainstJax } from "./onnx-check.js";

const [weights, out] = process.argv.slice(2);
if (!weights || !out) {
  console.error("usage: node dist-bench/scripts/export-separation.js WEIGHTS.safetensors OUT.onnx");
  process.exit(2);
}
await init("wasm");
const recipe = JSON.parse(readFileSync(weights.replace(/\.safetensors$/, ".recipe.json"), "utf8")) as { model: UNetConfig; stft: SeparationModelConfig };
const tensors = decodeSafetensors(new Uint8Array(readFileSync(weights)), weights).tensors;
const params = treeOf<UNetParams>(tensors);
const { onnx, gflopsPerSecond } = exportSeparation(params, recipe.model, recipe.stft);
const diff = await checkAgainstJax(weights, onnx, [[1, 4, recipe.model.bins, 40]], (x: JArray) => unetMask(params, x, "lax"));
writeFileSync(out, onnx);
console.log(`${out}: ${recipe.model.block} U-Net, dynamic frame axis, ${gflopsPerSecond.toFixed(4)} GFLOP/s, ONNX vs jax-js ${diff.toExponential(1)}`);
