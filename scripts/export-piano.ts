/**
 * Exports a trained piano model (scripts/train-piano.ts's folder: weights
 * and config) to the two ONNX graphs mirkit runs: <out>.onnx (the acoustic
 * model, dynamic frame axis) and <out>.step.onnx (one autoregressive step),
 * with <out>.safetensors and a <out>.recipe.json that scripts/piano-eval.ts
 * completes with held-out scores. `--reexport models/NAME` writes a shipped
 * model's two graphs again from its .safetensors and recipe (e.g. after an
 * exporter or graph change), checks them against jax-js (≤ 1e-4) and leaves
 * the weights and recipe as they are.
 *   node dist-bench/scripts/export-piano.js /tmp/piano/ar5 models/piano-ar
 *   node dist-bench/scripts/export-piano.js --reexport models/piano-ar
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { init, numpy as np } from "@jax-js/jax";
import { frontBins, keyAligned, KEYS } from "../src/models/transcription/contract.js";
import { initPiano, pianoAcousticGraph, pianoStepGraph, pianoWidths, type PianoConfig, type PianoParams, type PianoStats } from "../src/models/transcription/piano.js";
import { tree, type Array as JArray } from "@jax-js/jax";
import { checkAgainstJax } from "./onnx-check.js";
import { parameterCount } from "../src/nn/layers.js";
import { countFlops, exportOnnx } from "../src/nn/onnx/export.js";
import { decodeSafetensors } from "../src/nn/safetensors.js";
import { fromNamed } from "../src/nn/train.js";

const [dir, out] = process.argv.slice(2);
if (!dir || !out) throw new Error("usage: node dist-bench/scripts/export-piano.js TRAIN_DIR OUT_BASE | --reexport models/NAME");
await init("wasm");
const T = 32;
const stepInputsOf = (cfg: PianoConfig) => {
  const w = pianoWidths(cfg);
  return [np.zeros([1, w.features]), np.zeros([1, KEYS * cfg.states]), np.zeros([1, w.state]), np.zeros([1, w.state])];
};
/**
 * Writes <out>.onnx (the acoustic graph, checked against jax-js) and <out>.step.onnx; returns the acoustic
 * graph's difference and its FLOPs per frame with the step's.
 */
async function writeGraphs(cfg: PianoConfig, params: PianoParams, stats: PianoStats, out: string): Promise<{ diff: number; flopsPerFrame: number }> {
  const front = cfg.front ?? "mel", bins = frontBins(front);
  const acousticGraph = pianoAcousticGraph(stats, front, cfg.harmonics), stepInputs = stepInputsOf(cfg);
  const acoustic = exportOnnx(acousticGraph, params, [np.zeros([1, T, bins])], { inputNames: [keyAligned(front) ? "cqt" : "logmel"], outputNames: ["features", "velocity"], dynamicAxes: [{ 1: "frames" }] });
  const step = exportOnnx(pianoStepGraph(cfg), params, stepInputs, { inputNames: ["features", "previous", "h", "c"], outputNames: ["logits", "h_out", "c_out", ...(cfg.frameHead ? ["frame_logits"] : [])] });
  const diff = await checkAgainstJax(`${out} (acoustic graph)`, acoustic, [[1, 41, bins]], (x: JArray) => acousticGraph(tree.ref(params), x));
  writeFileSync(`${out}.onnx`, acoustic);
  writeFileSync(`${out}.step.onnx`, step);
  return { diff, flopsPerFrame: countFlops(acousticGraph, params, [np.zeros([1, T, bins])]) / T + countFlops(pianoStepGraph(cfg), params, stepInputs) };
}
const load = (cfg: PianoConfig, file: string) => {
  const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(file)), file);
  const fresh = initPiano(cfg, 1);
  return { params: fromNamed(fresh.params, "params.", tensors), stats: fromNamed(fresh.stats, "stats.", tensors) };
};

if (dir === "--reexport") {
  const cfg = (JSON.parse(readFileSync(`${out}.recipe.json`, "utf8")) as { model: PianoConfig }).model;
  const { params, stats } = load(cfg, `${out}.safetensors`);
  const { diff } = await writeGraphs(cfg, params, stats, out);
  console.log(`${out}.onnx + .step.onnx re-exported (acoustic graph vs jax-js ${diff.toExponential(1)})`);
  process.exit(0);
}

const trained = JSON.parse(readFileSync(`${dir}/config.json`, "utf8")) as { config: PianoConfig; command: string; steps: number; seed: number; parameters: number; pieces: number };
const cfg = trained.config;
const { params, stats } = load(cfg, `${dir}/weights.safetensors`);
const { diff: acousticDiff, flopsPerFrame } = await writeGraphs(cfg, params, stats, out);
const front = cfg.front ?? "mel";
copyFileSync(`${dir}/weights.safetensors`, `${out}.safetensors`);
const recipe = {
  task: `piano transcription (issue 17): ${keyAligned(front) ? `key-aligned ${front === "vqt" ? "VQT" : "CQT"} → per-key acoustic model → per-key` : "log-mel → acoustic model →"} autoregressive multi-state decoding`,
  model: {
    ...(cfg.front ? { front: cfg.front } : {}), ...(cfg.harmonics ? { harmonics: cfg.harmonics } : {}), kind: cfg.kind, states: cfg.states, features: cfg.features, hidden: cfg.hidden, channels: cfg.channels, embed: cfg.embed, weights: cfg.weights,
    // A frame head ends a sustained note after steerFrames frames it calls silent (piano-eval.js --steer chooses).
    ...(cfg.frameHead ? { frameHead: cfg.frameHead, steerFrames: 2 } : {}),
    // The unweighted posterior's argmax until scripts/piano-eval.ts --tune adds the onset bias chosen on validation.
    decodeBias: cfg.weights.slice(0, cfg.states).map((w) => -Math.log(w)),
  },
  training: { command: trained.command, steps: trained.steps, seed: trained.seed, pieces: trained.pieces },
  metrics: { parameters: parameterCount(params), gflopsPerSecond: Number(((flopsPerFrame * 31.25) / 1e9).toFixed(4)) },
};
writeFileSync(`${out}.recipe.json`, JSON.stringify(recipe, null, 2) + "\n");
console.log(`${out}.onnx + .step.onnx (acoustic graph vs jax-js ${acousticDiff.toExponential(1)}): ${front}, ${cfg.kind}, ${cfg.states} states, ${recipe.metrics.parameters} parameters, ${recipe.metrics.gflopsPerSecond} GFLOP per second of audio`);
