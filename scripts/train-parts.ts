/**
 * Trains the part-embedding network (src/models/transcription/clustering.ts)
 * on `mirkit synth multi` datasets with the deep-clustering loss, over the
 * pitchgram of a multi-F0 model, and exports it to ONNX (with a parity check
 * against jax-js).
 *   node dist-bench/scripts/train-parts.js OUT_DIR STEPS TRAIN=dir,dir VAL=dir PITCHGRAM=model.onnx [WIDTH=24] [DIMS=16] [LR=0.002] [SEED=1] [AUTO=0.12] [VALEVERY=250]
 * PITCHGRAM is a multi-F0 model with its recipe beside it (fusion, threshold); it is copied beside the
 * output as parts.pitchgram.onnx. AUTO is the share of the notes' embedding moment a part's direction must
 * hold for `--instruments auto` to count it (tune it with bench/instruments.ts --val).
 * Training items alternate between the dry mixture and the recorded one (`synth multi --chain`). Writes
 * OUT_DIR/parts.onnx, .safetensors and .recipe.json (command, seed, data, validation loss); held-out scores
 * come from bench/instruments.ts.
 */
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { init, jit, numpy as np, tree, type Array as JArray } from "@jax-js/jax";
import { initPartEmbedding, ONSET_POSITIVE_WEIGHT, ONSET_WEIGHT, partEmbeddingLoss, partEmbeddings, type PartEmbeddingConfig, type PartEmbeddingParams } from "../src/models/transcription/clustering.js";
import { PART_CHANNELS, PART_OUTPUTS } from "../src/models/transcription/parts-contract.js";
import { parameterCount } from "../src/nn/layers.js";
import { OnnxModel } from "../src/nn/runtime.js";
import { encodeSafetensors } from "../src/nn/safetensors.js";
import { cosineLr, train } from "../src/nn/train.js";
import { tensorsOf } from "../src/prune/units.js";
import { ortNode } from "../src/node.js";
import { trainingBudget } from "./budget.js";
import { exportPartEmbedding, featuriseParts, multiItems, partBatch, PART_BATCH, PART_PATCH, type PartSong } from "../src/tasks/instruments-training.js";

const [outDir, stepsArg, ...sets] = process.argv.slice(2);
const arg = (key: string) => (sets.find((s) => s.startsWith(`${key}=`)) ?? `${key}=`).slice(key.length + 1);
const dirs = (key: string) => arg(key).split(",").filter(Boolean);
const trainDirs = dirs("TRAIN"), valDirs = dirs("VAL"), pitchgramFile = arg("PITCHGRAM");
const STEPS = Number(stepsArg), LR = Number(arg("LR") || 2e-3), SEED = Number(arg("SEED") || 1);
const cfg: PartEmbeddingConfig = { channels: PART_CHANNELS, width: Number(arg("WIDTH") || 24), dims: Number(arg("DIMS") || 16) };
if (!(STEPS > 0) || !pitchgramFile || trainDirs.length === 0) throw new Error("usage: train-parts OUT_DIR STEPS TRAIN=dir,dir VAL=dir PITCHGRAM=model.onnx");
await init("wasm");

const ort = await ortNode();
const pitchgram = await OnnxModel.load(ort, new Uint8Array(readFileSync(pitchgramFile)));
const t0 = performance.now();
const featurise = async (ds: readonly string[], alternate: boolean): Promise<PartSong[]> => {
  const out: PartSong[] = [];
  for (const [i, it] of ds.flatMap(multiItems).entries()) out.push(await featuriseParts(it, alternate ? i % 2 === 1 : false, pitchgram, "late"));
  return out;
};
const songs = await featurise(trainDirs, true);
const valSongs = [...(await featurise(valDirs, false)), ...(await (async () => { const o: PartSong[] = []; for (const it of valDirs.flatMap(multiItems)) o.push(await featuriseParts(it, true, pitchgram, "late")); return o; })())];
console.error(`${songs.length} training and ${valSongs.length} validation songs featurised in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

// Validation: the mean loss over fixed batches of the validation songs (dry and recorded).
const valBatches = Array.from({ length: 12 }, (_, i) => partBatch(valSongs, i, 777));
const valLoss = jit((p: PartEmbeddingParams, x: JArray, y: JArray, yy: JArray, norm: JArray, on: JArray) => partEmbeddingLoss(p, x, y, yy, norm, on));
/** Takes ownership of `p` (train() hands its validate a reference it must release). */
const validate = (p: PartEmbeddingParams) => {
  let s = 0;
  for (const b of valBatches) s += (valLoss(tree.ref(p), b[0].ref, b[1].ref, b[2].ref, b[3].ref, b[4].ref).dataSync() as Float32Array)[0];
  tree.dispose(p);
  return s / valBatches.length;
};
const budget = trainingBudget(STEPS, Infinity, 50);
const result = await train({
  init: () => initPartEmbedding(cfg, SEED),
  loss: (p, x, y, yy, norm, on) => partEmbeddingLoss(p, x, y, yy, norm, on),
  batch: (step) => partBatch(songs, step, SEED),
  steps: STEPS,
  schedule: cosineLr(LR, { warmup: 50 }),
  validate,
  validateEvery: Number(arg("VALEVERY") || 250),
  ...budget.options,
});
const trainSeconds = budget.seconds();
console.error(`trained ${result.stepsDone} steps in ${trainSeconds.toFixed(0)} s; best validation loss ${result.bestMetric.toFixed(4)}`);
songs.length = 0;

mkdirSync(outDir, { recursive: true });
const params = result.best;
const base = path.join(outDir, "parts");
const { onnx, gflopsPerSecond } = exportPartEmbedding(params);
writeFileSync(`${base}.onnx`, onnx);
// The pitchgram travels with the model (parts.pitchgram.onnx), with its fusion and tuned peak threshold.
writeFileSync(`${base}.pitchgram.onnx`, readFileSync(pitchgramFile));
const pgRecipe = JSON.parse(readFileSync(pitchgramFile.replace(/\.onnx$/, ".recipe.json"), "utf8")) as { command: string; model: { fusion: string }; metrics: { threshold: number; validationAccuracy?: number; test?: unknown } };
writeFileSync(`${base}.safetensors`, encodeSafetensors(tensorsOf(params), { config: JSON.stringify(cfg), steps: String(result.stepsDone) }));

// Parity on a validation patch: jax-js against ONNX Runtime.
const x = valBatches[0][0].slice([0, 1]); // the export's batch axis is 1
const want = partEmbeddings(tree.ref(params), x.ref, "lax").map((y) => y.dataSync() as Float32Array);
const model = await OnnxModel.load(ort, onnx);
const outs = await model.run({ [model.inputNames[0]]: { data: x.dataSync() as Float32Array, dims: [1, PART_CHANNELS, 72, PART_PATCH] } });
let parity = 0;
PART_OUTPUTS.forEach((name, o) => { for (let i = 0; i < want[o].length; i++) parity = Math.max(parity, Math.abs(want[o][i] - outs[name].data[i])); });
console.error(`parity: max |jax − onnx| = ${parity.toExponential(2)}`);

const manifestCommand = (d: string) => (JSON.parse(readFileSync(path.join(d, "manifest.json"), "utf8")) as { command: string }).command;
const metrics = { parameters: parameterCount(params), gflopsPerSecond, steps: result.stepsDone, trainSeconds, validationLoss: result.bestMetric, parity, autoMinShare: Number(arg("AUTO") || 0.12) };
const recipe = {
  command: `node dist-bench/scripts/train-parts.js ${outDir} ${STEPS} TRAIN=${trainDirs.join(",")} VAL=${valDirs.join(",")} PITCHGRAM=${pitchgramFile} WIDTH=${cfg.width} DIMS=${cfg.dims} LR=${LR} SEED=${SEED}`,
  seed: SEED, model: cfg,
  pitchgram: { file: pitchgramFile, fusion: pgRecipe.model.fusion, threshold: pgRecipe.metrics.threshold, command: pgRecipe.command, validationAccuracy: pgRecipe.metrics.validationAccuracy, test: pgRecipe.metrics.test },
  patchFrames: PART_PATCH, batch: PART_BATCH,
  optimiser: `Adam, cosine ${LR} decaying to 0 over ${STEPS} steps, warm-up 50; the weights of the best validation loss (every 250 steps)`,
  loss: `deep clustering (Hershey et al. 2016): ‖VᵀV‖² − 2‖VᵀY‖² + ‖YᵀY‖² over the bins exactly one part plays, / (their count)²; + ${ONSET_WEIGHT} × BCE of the onsets (1 at the onset frame, 0.5 either side; positives weighted ${ONSET_POSITIVE_WEIGHT})`,
  trainData: trainDirs.map(manifestCommand), validationData: valDirs.map(manifestCommand),
  // The loss every 250 steps and every validation (the whole log is thousands of lines).
  log: result.log.split("\n").filter((l, i) => i === 0 || Number(l.split(",")[0]) % 250 === 0 || (l.split(",")[3] ?? "") !== "").join("\n"),
  metrics,
};
writeFileSync(`${base}.recipe.json`, JSON.stringify(recipe, null, 2) + "\n");
console.log(JSON.stringify(metrics));
np.zeros([1]).dispose();
