/**
 * Exports a trained separation U-Net with a fixed number of frames, for models whose graph cannot keep a
 * dynamic time axis (the TFC-RNN U-Net: its GRU is unrolled at trace time), and writes its recipe.
 *   node --stack-size=60000 dist-bench/scripts/export-fixed.js WEIGHTS.safetensors OUT_BASE BLOCK STEPS TRAIN_COMMAND
 */
import { readFileSync, writeFileSync } from "node:fs";
import { init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { initUNet, unetMask, type BlockKind, type UNetConfig } from "../src/models/separation/unet.js";
import { parameterCount } from "../src/nn/layers.js";
import { countFlops, exportOnnx } from "../src/nn/onnx/export.js";
import { decodeSafetensors } from "../src/nn/safetensors.js";
import { fromNamed } from "../src/nn/train.js";
import type { SeparationModelConfig } from "../src/tasks/separate.js";

const [weights, outBase, block, steps, command] = process.argv.slice(2);
await init("wasm");
// The settings of scripts/train-separation.ts.
const cfg: UNetConfig = { block: block as BlockKind, bins: 256, channels: 8, depth: 3, layers: 2, growth: 6 };
const FRAMES = 32;
const stft: SeparationModelConfig = { sampleRate: 22050, nFft: 512, hopLength: 128, frameMultiple: 8, fixedFrames: FRAMES };
const params = fromNamed(initUNet(cfg, 1), "", decodeSafetensors(new Uint8Array(readFileSync(weights)), weights).tensors);
const fn = (p: typeof params, x: JArray) => unetMask(p, x, "lax");
writeFileSync(`${outBase}.onnx`, exportOnnx(fn, params, [np.zeros([1, 4, cfg.bins, FRAMES])]));
const gflopsPerSecond = (countFlops(fn, params, [np.zeros([1, 4, cfg.bins, FRAMES])]) / FRAMES) * (stft.sampleRate / stft.hopLength) / 1e9;
writeFileSync(`${outBase}.recipe.json`, JSON.stringify({ command, export: `node --stack-size=60000 dist-bench/scripts/export-fixed.js ${process.argv.slice(2, 6).join(" ")} …`, model: cfg, stft, metrics: { steps: Number(steps), parameters: parameterCount(params), gflopsPerSecond } }, null, 2) + "\n");
