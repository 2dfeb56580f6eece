/**
 * Re-exports a trained informed or multitask separation U-Net (its
 * .safetensors; conditioning, activation head and U-Net from its recipe) to
 * ONNX, e.g. after an exporter change, and checks the new file against
 * jax-js (≤ 1e-4) on every output; the weights and recipe stay as they are.
 * Prints the new GFLOP per second of audio (the recipe's is not changed).
 * (The recurrent lyrics model has no convolutions the exporter changes.)
 *   node dist-bench/scripts/export-informed.js WEIGHTS.safetensors OUT.onnx
 */
import { readFileSync, writeFileSync } from "node:fs";
import { init, tree, type Array as JArray } from "@jax-js/jax";
import { exportInformed, informedGraph, informedInputs, initInformed, isConditioned, type InformedConfig } from "../src/models/separation/informed.js";
import { decodeSafetensors } from "../src/nn/safetensors.js";
import { fromNamed } from "../src/nn/train.js";
import { checkAgainstJax } from "./onnx-check.js";
import type { SeparationModelConfig } from "../src/models/separation/contract.js";
import { separationGflopsPerSecond } from "../src/tasks/separation-training.js";

const [weights, out] = process.argv.slice(2);
if (!weights || !out) {
  console.error("usage: node dist-bench/scripts/export-informed.js WEIGHTS.safetensors OUT.onnx");
  process.exit(2);
}
await init("wasm");
const recipe = JSON.parse(readFileSync(weights.replace(/\.safetensors$/, ".recipe.json"), "utf8")) as { stft: SeparationModelConfig; model: { arch?: string; conditioning: InformedConfig["conditioning"]; activation: boolean; unet?: InformedConfig["unet"] } };
if (recipe.model.unet === undefined) throw new Error(`${weights}: not a U-Net (arch ${recipe.model.arch}); nothing to re-export`);
const cfg: InformedConfig = { unet: recipe.model.unet, conditioning: recipe.model.conditioning, activation: recipe.model.activation };
const params = fromNamed(initInformed(cfg, 1), "", decodeSafetensors(new Uint8Array(readFileSync(weights)), weights).tensors);
const onnx = exportInformed(params, cfg);
const conditioned = isConditioned(cfg.conditioning);
const shapes = informedInputs(cfg.unet.bins, 40, conditioned).map((a) => { const s = a.shape; a.dispose(); return s; });
const diff = await checkAgainstJax(weights, onnx, shapes, (...x: JArray[]) => (informedGraph(cfg) as (p: typeof params, ...x: JArray[]) => JArray | JArray[])(tree.ref(params), ...x));
writeFileSync(out, onnx);
const gflops = separationGflopsPerSecond(informedGraph(cfg), params, recipe.stft, conditioned, cfg.unet.bins);
console.log(`${out}: informed U-Net (${cfg.conditioning}${cfg.activation ? ", activation head" : ""}), ${gflops.toFixed(4)} GFLOP/s, ONNX vs jax-js ${diff.toExponential(1)}`);
