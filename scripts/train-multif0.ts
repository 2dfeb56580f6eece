/**
 * Trains a multiple-F0 salience CNN (src/models/pitch/multif0.ts) on
 * `mirkit synth choir` datasets, tunes the peak-picking threshold on
 * validation sets, and scores held-out test sets with our mir_eval
 * multipitch port.
 *   node dist-bench/scripts/train-multif0.js FUSION OUT_DIR MINUTES|STEPS TRAIN=dir,dir VAL=dir,dir TEST=dir,dir [INIT=weights.safetensors] [LR=0.002]
 * MINUTES (e.g. "20m") stops at a time budget; STEPS (a bare number) at exactly that step (reproducible).
 * INIT continues from earlier weights. Training items alternate between the dry mixture and the
 * recorded one (mixture_recorded.wav, from `synth choir --chain`), or the reverberant one where an item
 * has no recording; validation and test sets are scored on both. Writes OUT_DIR/multif0-<fusion>.onnx, .safetensors and
 * .recipe.json (command, seed, data, threshold, metrics).
 */
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { init } from "@jax-js/jax";
import { FUSIONS, initMultiF0, multiF0Loss, type Fusion, type MultiF0Config, type MultiF0Params } from "../src/models/pitch/multif0.js";
import { parameterCount } from "../src/nn/layers.js";
import { OnnxModel } from "../src/nn/runtime.js";
import { decodeSafetensors, encodeSafetensors } from "../src/nn/safetensors.js";
import { cosineLr, train } from "../src/nn/train.js";
import { multif0Groups } from "../src/prune/multif0.js";
import { tensorsOf, treeOf } from "../src/prune/units.js";
import { ortNode } from "../src/node.js";
import { trainingBudget } from "./budget.js";
import { MULTIPITCH_BINS, MULTIPITCH_HOP, MULTIPITCH_RATE } from "../src/models/pitch/contract.js";
import { BATCH, CROP, exportMultif0, PATCH, scoreMultif0, trainingBatch, trainingSongs } from "../src/tasks/multif0-training.js";

const [fusionArg, outDir, budgetArg, ...sets] = process.argv.slice(2);
const fusion = fusionArg as Fusion;
if (!FUSIONS.includes(fusion)) throw new Error(`fusion must be one of ${FUSIONS.join(", ")}`);
const dirs = (key: string) => (sets.find((s) => s.startsWith(`${key}=`)) ?? `${key}=`).slice(key.length + 1).split(",").filter(Boolean);
const trainDirs = dirs("TRAIN"), valDirs = dirs("VAL"), testDirs = dirs("TEST");
const initFile = dirs("INIT")[0], peakLr = Number(dirs("LR")[0] ?? 2e-3);
const fixedSteps = /^\d+$/.test(budgetArg) ? Number(budgetArg) : undefined;
const minutes = fixedSteps === undefined ? Number(budgetArg.replace(/m$/, "")) : Infinity;
await init("wasm");
const SEED = 1;
const cfg: MultiF0Config = { fusion, harmonics: 6, width: 16, dilation: 3 };
const F = MULTIPITCH_BINS;
const LR = peakLr;

const t0 = performance.now();
const songs = trainingSongs(trainDirs, cfg);
console.error(`${songs.length} training songs featurised in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
const batch = (step: number) => trainingBatch(songs, step, SEED, cfg);

const budget = trainingBudget(fixedSteps, minutes, 50);
const result = await train({
  // Earlier weights of any widths (a trimmed model's too: the network takes its widths from the tensors).
  init: () => (initFile ? treeOf<MultiF0Params>(decodeSafetensors(new Uint8Array(readFileSync(initFile)), initFile).tensors) : initMultiF0(cfg, SEED)),
  loss: (p, x, y) => multiF0Loss(p, x, y, cfg),
  batch,
  // A continued run with a step count decays to zero over its own steps; others keep the rate near its
  // peak over their ~1000 steps (a 100000-step horizon), as the first shipped model was trained.
  steps: initFile && fixedSteps ? fixedSteps : 100000,
  schedule: cosineLr(LR, { warmup: 50 }),
  ...budget.options,
});
const trainSeconds = budget.seconds();
console.error(`trained ${result.stepsDone} steps in ${trainSeconds.toFixed(0)} s`);
songs.length = 0;

mkdirSync(outDir, { recursive: true });
const params = result.params;
const base = path.join(outDir, `multif0-${fusion}`);
const { onnx, gflopsPerSecond } = exportMultif0(params, cfg);
writeFileSync(`${base}.onnx`, onnx);
writeFileSync(`${base}.safetensors`, encodeSafetensors(tensorsOf(params), { fusion, steps: String(result.stepsDone) }));

// Salience once per (item, dry/wet); thresholds are swept on the stored peaks of the validation sets.
const model = await OnnxModel.load(await ortNode(), onnx);
const { sweep, best, test, realtime } = await scoreMultif0(model, valDirs, testDirs, cfg, " (wet: recorded or reverb)");
console.error(`validation: threshold ${best.th} → Accuracy ${best.Accuracy.toFixed(3)}`);
const metrics = { fusion, parameters: parameterCount(params), gflopsPerSecond, steps: result.stepsDone, trainSeconds, threshold: best.th, validationAccuracy: best.Accuracy, test, realtime };
const manifestCommand = (d: string) => (JSON.parse(readFileSync(path.join(d, "manifest.json"), "utf8")) as { command: string }).command;
const recipe = {
  command: `node dist-bench/scripts/train-multif0.js ${fusion} ${outDir} ${result.stepsDone} TRAIN=${trainDirs.join(",")} VAL=${valDirs.join(",")} TEST=${testDirs.join(",")}${initFile ? ` INIT=${initFile}` : ""} LR=${LR}`,
  ...(initFile ? { initialWeights: initFile } : {}),
  seed: SEED, model: { ...cfg, widths: Object.fromEntries(multif0Groups(tensorsOf(params)).map((g) => [g.name, g.size])) }, hcqt: { sampleRate: MULTIPITCH_RATE, hopLength: MULTIPITCH_HOP, bins: F }, patchFrames: PATCH, cropBins: CROP, batch: BATCH,
  optimiser: `Adam, cosine ${LR}${initFile && fixedSteps ? ` decaying to 0 over ${fixedSteps} steps` : ""}, warm-up 50`, loss: "BCE against Gaussian-blurred (σ = 1 bin) F0 targets",
  trainData: trainDirs.map(manifestCommand), validationData: valDirs.map(manifestCommand), testData: testDirs.map(manifestCommand),
  thresholdSweep: sweep,
  metrics,
};
writeFileSync(`${base}.recipe.json`, JSON.stringify(recipe, null, 2) + "\n");
console.log(JSON.stringify(metrics));
