/**
 * Training and scoring the multi-F0 CNN on `mirkit synth choir` datasets
 * (Node-only: it reads the datasets' files), shared by the training script
 * (scripts/train-multif0.ts) and trimming (tasks/trim.ts): songs featurised
 * once into bytes, batches of random patches drawn by step, saliences of
 * whole items through an ONNX model, and mir_eval multipitch scores at a
 * threshold (or the best of a sweep); the ONNX export and its cost.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { numpy as np, type Array as JArray } from "@jax-js/jax";
import { choirMixtureFile } from "../data/datasets.js";
import { parseRaggedTimeSeries } from "../eval/io.js";
import { evaluateMultipitch } from "../eval/multipitch.js";
import { decodeWav } from "../io/wav.js";
import { multipitchInput, MULTIPITCH_BINS, MULTIPITCH_HOP, MULTIPITCH_RATE, pickPeaks, salienceTargets, toModelSignal } from "../models/pitch/contract.js";
import { inputChannels, multiF0Salience, type MultiF0Config, type MultiF0Params } from "../models/pitch/multif0.js";
import { countFlops, exportOnnx } from "../nn/onnx/export.js";
import type { OnnxModel } from "../nn/runtime.js";
import { Rng } from "../random.js";
import { multipitchWithModel } from "./multipitch.js";

const F = MULTIPITCH_BINS;
export const PATCH = 24, CROP = 180, BATCH = 8;

export type ChoirItem = { dir: string; name: string };
export const choirItems = (dir: string): ChoirItem[] => (JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { items: { name: string }[] }).items.map((it) => ({ dir, name: it.name }));
const mixtureFile = (it: ChoirItem, wet: boolean) => choirMixtureFile(path.join(it.dir, it.name), wet);

/** An audio file as the multi-F0 model hears it: mono, 22050 Hz. */
export function loadSignal(file: string): Float32Array {
  const a = decodeWav(new Uint8Array(readFileSync(file)));
  return toModelSignal(a.channels, a.sampleRate);
}

export function loadTruth(it: ChoirItem): { times: Float64Array; values: Float64Array[] } {
  return parseRaggedTimeSeries(readFileSync(path.join(it.dir, it.name, "multipitch.txt"), "utf8"), "multipitch.txt");
}

/** A song's features and targets, quantised to bytes to keep a few hundred songs in memory: magnitude [0, 1] → 0…255, phase differentials [−1, 1] → 0…254. */
export type Song = { x: Uint8Array; y: Uint8Array; frames: number };

export function featurise(it: ChoirItem, wet: boolean, cfg: MultiF0Config): Song {
  const input = multipitchInput(loadSignal(mixtureFile(it, wet)), cfg.fusion);
  const T = input.frames, C = inputChannels(cfg), H = cfg.harmonics;
  const x = new Uint8Array(input.data.length);
  for (let c = 0; c < C; c++) {
    const phase = c >= H;
    for (let i = c * F * T; i < (c + 1) * F * T; i++) x[i] = phase ? Math.round((input.data[i] + 1) * 127) : Math.round(input.data[i] * 255);
  }
  const truth = loadTruth(it);
  const f0s = Array.from({ length: T }, (_, t) => truth.values[Math.min(truth.values.length - 1, Math.round((t * MULTIPITCH_HOP) / MULTIPITCH_RATE / 0.01))]);
  const y = Uint8Array.from(salienceTargets(f0s, F), (v) => Math.round(v * 255));
  return { x, y, frames: T };
}

/** The training songs of `dirs`: items alternate between the dry mixture and the recorded (or reverberant) one. */
export function trainingSongs(dirs: readonly string[], cfg: MultiF0Config): Song[] {
  return dirs.flatMap(choirItems).map((it, i) => featurise(it, i % 2 === 1, cfg));
}

/** The batch of a step: BATCH random patches (PATCH frames × CROP bins), seeded by the step. */
export function trainingBatch(songs: readonly Song[], step: number, seed: number, cfg: MultiF0Config): JArray[] {
  const r = new Rng(seed * 100003 + step);
  const C = inputChannels(cfg);
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

/** One item's salience through a model, with its truth. */
export type SalienceRun = { truth: ReturnType<typeof loadTruth>; sal: Float32Array; frames: number; seconds: number };

/** Saliences of every item of `dirs` (dry or wet mixtures), and the model's compute time. */
export async function salienceRuns(model: OnnxModel, dirs: readonly string[], wet: boolean, cfg: MultiF0Config): Promise<{ runs: SalienceRun[]; computeSeconds: number; audioSeconds: number }> {
  const runs: SalienceRun[] = [];
  let computeSeconds = 0, audioSeconds = 0;
  for (const it of dirs.flatMap(choirItems)) {
    const signal = loadSignal(mixtureFile(it, wet));
    const t = performance.now();
    let sal: Float32Array = new Float32Array(0), frames = 0;
    await multipitchWithModel(model, signal, { fusion: cfg.fusion, threshold: 1.1, onSalience: (s, n) => { sal = s; frames = n; } });
    computeSeconds += (performance.now() - t) / 1000;
    audioSeconds += signal.length / MULTIPITCH_RATE;
    runs.push({ truth: loadTruth(it), sal, frames, seconds: signal.length / MULTIPITCH_RATE });
  }
  return { runs, computeSeconds, audioSeconds };
}

export type MultipitchSetScores = { Precision: number; Recall: number; Accuracy: number; F: number };
const KEYS = ["Precision", "Recall", "Accuracy"] as const;

/** Mean mir_eval multipitch scores over the runs at a peak threshold. */
export function scoreRuns(runs: readonly SalienceRun[], threshold: number): MultipitchSetScores {
  const sums: MultipitchSetScores = { Precision: 0, Recall: 0, Accuracy: 0, F: 0 };
  for (const r of runs) {
    const est = pickPeaks(r.sal, F, r.frames, threshold);
    const s = evaluateMultipitch({ times: r.truth.times, freqs: r.truth.values }, { times: est.times, freqs: est.freqs });
    for (const k of KEYS) sums[k] += s[k];
  }
  const out: MultipitchSetScores = { ...sums };
  for (const k of KEYS) out[k] = sums[k] / Math.max(1, runs.length);
  out.F = (2 * out.Precision * out.Recall) / Math.max(1e-12, out.Precision + out.Recall);
  return out;
}

export const THRESHOLDS = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7];

/** The threshold sweep on validation runs and the best threshold by Accuracy. */
export function sweepThreshold(runs: readonly SalienceRun[]): { sweep: (MultipitchSetScores & { th: number })[]; best: MultipitchSetScores & { th: number } } {
  const sweep = THRESHOLDS.map((th) => ({ th, ...scoreRuns(runs, th) }));
  return { sweep, best: sweep.reduce((a, b) => (b.Accuracy > a.Accuracy ? b : a)) };
}

/** Frames of the example input the export traces (the frame axis stays dynamic). */
const TRACE_FRAMES = 16;

/** The inference graph as ONNX (frames dynamic) and its cost in GFLOP per second of audio. */
export function exportMultif0(params: MultiF0Params, cfg: MultiF0Config): { onnx: Uint8Array; gflopsPerSecond: number } {
  const fn = (p: MultiF0Params, x: JArray) => multiF0Salience(p, x, cfg, "lax");
  const example = () => [np.zeros([1, inputChannels(cfg), F, TRACE_FRAMES])];
  const onnx = exportOnnx(fn, params, example(), { dynamicAxes: [{ 3: "frames" }] });
  return { onnx, gflopsPerSecond: ((countFlops(fn, params, example()) / TRACE_FRAMES) * (MULTIPITCH_RATE / MULTIPITCH_HOP)) / 1e9 };
}

export type HeldOutScores = Record<string, MultipitchSetScores & { items: number }>;

/**
 * A model's scores: the peak threshold swept on the validation sets (dry and wet mixtures), then each
 * held-out set, dry and wet (named `<set><wetLabel>`), at that threshold; ×realtime over the held-out sets.
 */
export async function scoreMultif0(model: OnnxModel, valDirs: readonly string[], testDirs: readonly string[], cfg: MultiF0Config, wetLabel: string): Promise<ReturnType<typeof sweepThreshold> & { test: HeldOutScores; realtime: number }> {
  const val = [...(await salienceRuns(model, valDirs, false, cfg)).runs, ...(await salienceRuns(model, valDirs, true, cfg)).runs];
  const { sweep, best } = sweepThreshold(val);
  const test: HeldOutScores = {};
  let computeSeconds = 0, audioSeconds = 0;
  for (const dir of testDirs) {
    for (const wet of [false, true]) {
      const r = await salienceRuns(model, [dir], wet, cfg);
      computeSeconds += r.computeSeconds;
      audioSeconds += r.audioSeconds;
      test[`${path.basename(dir)}${wet ? wetLabel : ""}`] = { ...scoreRuns(r.runs, best.th), items: r.runs.length };
    }
  }
  return { sweep, best, test, realtime: audioSeconds / computeSeconds };
}
