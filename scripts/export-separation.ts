/**
 * Re-exports a trained separation U-Net (its .safetensors, block from the
 * file's metadata) to ONNX with a dynamic frame axis, e.g. after an exporter
 * fix; the weights and recipe stay as they are.
 *   node dist-bench/scripts/export-separation.js WEIGHTS.safetensors OUT.onnx
 */
import { readFileSync, writeFileSync } from "node:fs";
import { init } from "@jax-js/jax";
import { exportUNet, initUNet, type BlockKind } from "../src/models/separation/unet.js";
import { decodeSafetensors } from "../src/nn/safetensors.js";
import { fromNamed } from "../src/nn/train.js";
import { separationUNet } from "./separation-setup.js";

const [weights, out] = process.argv.slice(2);
if (!weights || !out) {
  console.error("usage: node dist-bench/scripts/export-separation.js WEIGHTS.safetensors OUT.onnx");
  process.exit(2);
}
await init("wasm");
const file = decodeSafetensors(new Uint8Array(readFileSync(weights)), weights);
const block = file.metadata.block as BlockKind | undefined;
if (block === undefined) throw new Error(`${weights}: no "block" in the safetensors metadata`);
const cfg = separationUNet(block);
writeFileSync(out, exportUNet(fromNamed(initUNet(cfg, 1), "", file.tensors), cfg));
console.log(`${out}: ${block} U-Net, dynamic frame axis`);
