/**
 * Exports a trained piano model (scripts/train-piano.ts's folder: weights
 * and config) to the two ONNX graphs mirkit runs: <out>.onnx (the acoustic
 * model, dynamic frame axis) and <out>.step.onnx (one autoregressive step),
 * with <out>.safetensors and a <out>.recipe.json that scripts/piano-eval.ts
 * completes with held-out scores.
 *   node dist-bench/scripts/export-piano.js /tmp/piano/ar5 models/piano-ar
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { init, numpy as np } from "@jax-js/jax";
import { KEYS, PIANO_MELS } from "../src/models/transcription/contract.js";
import { initPiano, pianoAcousticGraph, pianoStepGraph, type PianoConfig } from "../src/models/transcription/piano.js";
import { parameterCount } from "../src/nn/layers.js";
import { countFlops, exportOnnx } from "../src/nn/onnx/export.js";
import { decodeSafetensors } from "../src/nn/safetensors.js";
import { fromNamed } from "../src/nn/train.js";

const [dir, out] = process.argv.slice(2);
if (!dir || !out) throw new Error("usage: node dist-bench/scripts/export-piano.js TRAIN_DIR OUT_BASE");
await init("wasm");
const trained = JSON.parse(readFileSync(`${dir}/config.json`, "utf8")) as { config: PianoConfig; command: string; steps: number; seed: number; parameters: number; pieces: number };
const cfg = trained.config;
const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(`${dir}/weights.safetensors`)), "weights.safetensors");
const fresh = initPiano(cfg, 1);
const params = fromNamed(fresh.params, "params.", tensors), stats = fromNamed(fresh.stats, "stats.", tensors);
const T = 32;
writeFileSync(`${out}.onnx`, exportOnnx(pianoAcousticGraph(stats), params, [np.zeros([1, T, PIANO_MELS])], { inputNames: ["logmel"], outputNames: ["features", "velocity"], dynamicAxes: [{ 1: "frames" }] }));
const stepInputs = [np.zeros([1, cfg.features]), np.zeros([1, KEYS * cfg.states]), np.zeros([1, cfg.hidden]), np.zeros([1, cfg.hidden])];
writeFileSync(`${out}.step.onnx`, exportOnnx(pianoStepGraph(cfg), params, stepInputs, { inputNames: ["features", "previous", "h", "c"], outputNames: ["logits", "h_out", "c_out"] }));
const flopsPerFrame = countFlops(pianoAcousticGraph(stats), params, [np.zeros([1, T, PIANO_MELS])]) / T + countFlops(pianoStepGraph(cfg), params, stepInputs);
copyFileSync(`${dir}/weights.safetensors`, `${out}.safetensors`);
const recipe = {
  task: "piano transcription (issue 17): log-mel → acoustic model → autoregressive multi-state decoding",
  model: {
    kind: cfg.kind, states: cfg.states, features: cfg.features, hidden: cfg.hidden, channels: cfg.channels, embed: cfg.embed, weights: cfg.weights,
    // The unweighted posterior's argmax until scripts/piano-eval.ts --tune adds the onset bias chosen on validation.
    decodeBias: cfg.weights.slice(0, cfg.states).map((w) => -Math.log(w)),
  },
  training: { command: trained.command, steps: trained.steps, seed: trained.seed, pieces: trained.pieces },
  metrics: { parameters: parameterCount(params), gflopsPerSecond: Number(((flopsPerFrame * 31.25) / 1e9).toFixed(4)) },
};
writeFileSync(`${out}.recipe.json`, JSON.stringify(recipe, null, 2) + "\n");
console.log(`${out}.onnx + .step.onnx: ${cfg.kind}, ${cfg.states} states, ${recipe.metrics.parameters} parameters, ${recipe.metrics.gflopsPerSecond} GFLOP per second of audio`);
