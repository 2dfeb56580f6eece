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
import { choirMixtureFile } from "../src/data/datasets.js";
import * as path from "node:path";
import { init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { evaluateMultipitch, type MultipitchScores } from "../src/eval/multipitch.js";
import { parseRaggedTimeSeries } from "../src/eval/io.js";
import { decodeWav } from "../src/io/wav.js";
import { FUSIONS, initMultiF0, inputChannels, multiF0Loss, multiF0Salience, type Fusion, type MultiF0Config } from "../src/models/pitch/multif0.js";
import { namedLeaves, parameterCount, Rng } from "../src/nn/layers.js";
import { countFlops, exportOnnx } from "../src/nn/onnx/export.js";
import { OnnxModel } from "../src/nn/runtime.js";
import { decodeSafetensors, encodeSafetensors } from "../src/nn/safetensors.js";
import { cosineLr, fromNamed, train } from "../src/nn/train.js";
import { ortNode } from "../src/node.js";
import { trainingBudget } from "./budget.js";
import { multipitchInput, MULTIPITCH_BINS, MULTIPITCH_HOP, MULTIPITCH_RATE, pickPeaks, salienceTargets, toModelSignal } from "../src/models/pitch/contract.js";
import { multipitchWithModel } from "../src/tasks/multipitch.js";

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
const C = inputChannels(cfg), F = MULTIPITCH_BINS;
const PATCH = 24, CROP = 180, BATCH = 8, LR = peakLr;

type Item = { dir: string; name: string };
const items = (dir: string): Item[] => (JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { items: { name: string }[] }).items.map((it) => ({ dir, name: it.name }));
const mixtureFile = (it: Item, wet: boolean) => choirMixtureFile(path.join(it.dir, it.name), wet);
function loadSignal(file: string): Float32Array {
  const a = decodeWav(new Uint8Array(readFileSync(file)));
  return toModelSignal(a.channels, a.sampleRate);
}
function loadTruth(it: Item): { times: Float64Array; values: Float64Array[] } {
  return parseRaggedTimeSeries(readFileSync(path.join(it.dir, it.name, "multipitch.txt"), "utf8"), "multipitch.txt");
}

// Training features, quantised to bytes to keep a few hundred songs in memory: magnitude in [0, 1] → 0…255,
// phase differentials in [−1, 1] → 0…254.
type Song = { x: Uint8Array; y: Uint8Array; frames: number };
function featurise(it: Item, wet: boolean): Song {
  const input = multipitchInput(loadSignal(mixtureFile(it, wet)), fusion);
  const T = input.frames;
  const x = new Uint8Array(input.data.length);
  const H = cfg.harmonics;
  for (let c = 0; c < C; c++) {
    const phase = c >= H;
    for (let i = c * F * T; i < (c + 1) * F * T; i++) x[i] = phase ? Math.round((input.data[i] + 1) * 127) : Math.round(input.data[i] * 255);
  }
  const truth = loadTruth(it);
  const f0s = Array.from({ length: T }, (_, t) => truth.values[Math.min(truth.values.length - 1, Math.round((t * MULTIPITCH_HOP) / MULTIPITCH_RATE / 0.01))]);
  const y = Uint8Array.from(salienceTargets(f0s, F), (v) => Math.round(v * 255));
  return { x, y, frames: T };
}
const t0 = performance.now();
const songs = trainDirs.flatMap(items).map((it, i) => featurise(it, i % 2 === 1));
console.error(`${songs.length} training songs featurised in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

function batch(step: number): JArray[] {
  const r = new Rng(SEED * 100003 + step);
  const x = new Float32Array(BATCH * C * CROP * PATCH), y = new Float32Array(BATCH * CROP * PATCH);
  for (let b = 0; b < BATCH; b++) {
    const s = songs[Math.floor(r.uniform() * songs.length)];
    const t0 = Math.floor(r.uniform() * (s.frames - PATCH));
    const k0 = Math.floor(r.uniform() * (F - CROP + 1));
    for (let c = 0; c < C; c++) {
      const phase = c >= cfg.harmonics;
      for (let k = 0; k < CROP; k++) {
        const src = (c * F + k0 + k) * s.frames + t0, dst = ((b * C + c) * CROP + k) * PATCH;
        for (let t = 0; t < PATCH; t++) x[dst + t] = phase ? s.x[src + t] / 127 - 1 : s.x[src + t] / 255;
      }
    }
    for (let k = 0; k < CROP; k++) {
      const src = (k0 + k) * s.frames + t0, dst = (b * CROP + k) * PATCH;
      for (let t = 0; t < PATCH; t++) y[dst + t] = s.y[src + t] / 255;
    }
  }
  return [np.array(x).reshape([BATCH, C, CROP, PATCH]), np.array(y).reshape([BATCH, CROP, PATCH])];
}

const budget = trainingBudget(fixedSteps, minutes, 50);
const result = await train({
  init: () => (initFile ? fromNamed(initMultiF0(cfg, SEED), "", decodeSafetensors(new Uint8Array(readFileSync(initFile)), initFile).tensors) : initMultiF0(cfg, SEED)),
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
const onnx = exportOnnx((p: typeof params, x: JArray) => multiF0Salience(p, x, cfg, "lax"), params, [np.zeros([1, C, F, 16])], { dynamicAxes: [{ 3: "frames" }] });
writeFileSync(`${base}.onnx`, onnx);
const named: Record<string, { shape: number[]; data: Float32Array }> = {};
for (const [n, leaf] of namedLeaves(params)) named[n] = { shape: leaf.shape, data: leaf.ref.dataSync() as Float32Array };
writeFileSync(`${base}.safetensors`, encodeSafetensors(named, { fusion, steps: String(result.stepsDone) }));

// Salience once per (item, dry/wet); thresholds are swept on the stored peaks of the validation sets.
const model = await OnnxModel.load(await ortNode(), onnx);
const THRESHOLDS = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7];
type Run = { truth: ReturnType<typeof loadTruth>; sal: Float32Array; frames: number; seconds: number };
async function salienceRuns(dirsList: string[], wet: boolean): Promise<{ runs: Run[]; computeSeconds: number; audioSeconds: number }> {
  const runs: Run[] = [];
  let computeSeconds = 0, audioSeconds = 0;
  for (const it of dirsList.flatMap(items)) {
    const signal = loadSignal(mixtureFile(it, wet));
    const t = performance.now();
    let sal: Float32Array = new Float32Array(0), frames = 0;
    await multipitchWithModel(model, signal, { fusion, threshold: 1.1, onSalience: (s, n) => { sal = s; frames = n; } });
    computeSeconds += (performance.now() - t) / 1000;
    audioSeconds += signal.length / MULTIPITCH_RATE;
    runs.push({ truth: loadTruth(it), sal, frames, seconds: signal.length / MULTIPITCH_RATE });
  }
  return { runs, computeSeconds, audioSeconds };
}
const KEYS = ["Precision", "Recall", "Accuracy"] as const;
type Scores = { Precision: number; Recall: number; Accuracy: number; F: number };
function score(runs: Run[], threshold: number): Scores {
  const sums: Scores = { Precision: 0, Recall: 0, Accuracy: 0, F: 0 };
  for (const r of runs) {
    const est = pickPeaks(r.sal, F, r.frames, threshold);
    const s: MultipitchScores = evaluateMultipitch({ times: r.truth.times, freqs: r.truth.values }, { times: est.times, freqs: est.freqs });
    for (const k of KEYS) sums[k] += s[k];
  }
  const out: Scores = { ...sums };
  for (const k of KEYS) out[k] = sums[k] / runs.length;
  out.F = (2 * out.Precision * out.Recall) / Math.max(1e-12, out.Precision + out.Recall);
  return out;
}
const val = [...(await salienceRuns(valDirs, false)).runs, ...(await salienceRuns(valDirs, true)).runs];
const sweep = THRESHOLDS.map((th) => ({ th, ...score(val, th) }));
const best = sweep.reduce((a, b) => (b.Accuracy > a.Accuracy ? b : a));
console.error(`validation: threshold ${best.th} → Accuracy ${best.Accuracy.toFixed(3)}`);
const test: Record<string, Scores & { items: number }> = {};
let computeSeconds = 0, audioSeconds = 0;
for (const dir of testDirs) {
  for (const wet of [false, true]) {
    const r = await salienceRuns([dir], wet);
    computeSeconds += r.computeSeconds;
    audioSeconds += r.audioSeconds;
    test[`${path.basename(dir)}${wet ? " (wet: recorded or reverb)" : ""}`] = { ...score(r.runs, best.th), items: r.runs.length };
  }
}
const gflopsPerSecond = (countFlops((p: typeof params, x: JArray) => multiF0Salience(p, x, cfg, "lax"), params, [np.zeros([1, C, F, 16])]) / 16) * (MULTIPITCH_RATE / MULTIPITCH_HOP) / 1e9;
const metrics = { fusion, parameters: parameterCount(params), gflopsPerSecond, steps: result.stepsDone, trainSeconds, threshold: best.th, validationAccuracy: best.Accuracy, test, realtime: audioSeconds / computeSeconds };
const manifestCommand = (d: string) => (JSON.parse(readFileSync(path.join(d, "manifest.json"), "utf8")) as { command: string }).command;
const recipe = {
  command: `node dist-bench/scripts/train-multif0.js ${fusion} ${outDir} ${result.stepsDone} TRAIN=${trainDirs.join(",")} VAL=${valDirs.join(",")} TEST=${testDirs.join(",")}${initFile ? ` INIT=${initFile}` : ""} LR=${LR}`,
  ...(initFile ? { initialWeights: initFile } : {}),
  seed: SEED, model: cfg, hcqt: { sampleRate: MULTIPITCH_RATE, hopLength: MULTIPITCH_HOP, bins: F }, patchFrames: PATCH, cropBins: CROP, batch: BATCH,
  optimiser: `Adam, cosine ${LR}${initFile && fixedSteps ? ` decaying to 0 over ${fixedSteps} steps` : ""}, warm-up 50`, loss: "BCE against Gaussian-blurred (σ = 1 bin) F0 targets",
  trainData: trainDirs.map(manifestCommand), validationData: valDirs.map(manifestCommand), testData: testDirs.map(manifestCommand),
  thresholdSweep: sweep,
  metrics,
};
writeFileSync(`${base}.recipe.json`, JSON.stringify(recipe, null, 2) + "\n");
console.log(JSON.stringify(metrics));
