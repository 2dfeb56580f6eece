/**
 * Training data of the part-embedding model (Node-only: it reads `mirkit
 * synth multi` datasets): each item's HCQT and pitchgram (through the
 * multi-F0 model in ONNX Runtime) pooled to the semitone grid
 * (parts-contract.ts), quantised to bytes, with the part label of every bin;
 * batches of random patches drawn by step; the ONNX export and its cost.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { numpy as np, type Array as JArray } from "@jax-js/jax";
import { choirMixtureFile } from "../data/datasets.js";
import { parseNotes } from "../eval/io.js";
import { MULTIPITCH_HOP, MULTIPITCH_RATE } from "../models/pitch/contract.js";
import type { Fusion } from "../models/pitch/multif0.js";
import { partEmbeddings, type PartEmbeddingParams } from "../models/transcription/clustering.js";
import { MAX_PARTS, onsetTargets, PART_CHANNELS, PART_OUTPUTS, PART_PITCHES, partFeatures, partLabels, type PartNote } from "../models/transcription/parts-contract.js";
import { countFlops, exportOnnx } from "../nn/onnx/export.js";
import type { OnnxModel } from "../nn/runtime.js";
import { Rng } from "../random.js";
import { hzToMidi } from "../data/score.js";
import { pitchgramOf } from "./instruments.js";
import { loadSignal } from "./multif0-training.js";

export const PART_PATCH = 96, PART_BATCH = 6;
const P = PART_PITCHES;
const FEATURES = PART_CHANNELS - 1; // the register channel is rebuilt, not stored

export interface MultiItem { readonly dir: string; readonly name: string; readonly parts: readonly { name: string; program: number; instrument?: string }[] }

/** The items of a `synth multi` dataset and their pitched parts. */
export function multiItems(dir: string): MultiItem[] {
  const m = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { kind: string; items: { name: string; parts: { name: string; program: number; drums: boolean; instrument?: string }[] }[] };
  if (m.kind !== "multi") throw new Error(`${dir}: a "${m.kind}" dataset, not a multi one`);
  return m.items.map((it) => ({ dir, name: it.name, parts: it.parts.filter((p) => !p.drums) }));
}

/** Each pitched part's notes (mir_eval files beside the mixture). */
export function itemPartNotes(it: MultiItem): PartNote[][] {
  return it.parts.map((p) => {
    const n = parseNotes(readFileSync(path.join(it.dir, it.name, `${p.name}.notes.txt`), "utf8"), `${p.name}.notes.txt`);
    return n.intervals.map(([onset, offset], i) => ({ onset, offset, pitch: Math.round(hzToMidi(n.pitches[i])) }));
  });
}

/** A mixture as the multi-F0 model hears it (mono, 22050 Hz): the dry one, or the recorded one. */
export function itemSignal(it: MultiItem, wet: boolean): Float32Array {
  return loadSignal(choirMixtureFile(path.join(it.dir, it.name), wet));
}

/** A featurised item: features (without the register channel) and salience-free labels, as bytes. */
export interface PartSong { readonly x: Uint8Array; readonly labels: Int8Array; readonly onsets: Uint8Array; readonly frames: number; readonly parts: number }

export async function featuriseParts(it: MultiItem, wet: boolean, model: OnnxModel, fusion: Fusion): Promise<PartSong> {
  const { input, salience, frames } = await pitchgramOf(model, fusion, itemSignal(it, wet));
  const f = partFeatures(input, salience, frames);
  const x = new Uint8Array(FEATURES * P * frames);
  for (let i = 0; i < x.length; i++) x[i] = Math.round(Math.max(0, Math.min(1, f[i])) * 255);
  const notes = itemPartNotes(it), frameSeconds = MULTIPITCH_HOP / MULTIPITCH_RATE;
  return { x, labels: partLabels(notes, frames, frameSeconds), onsets: Uint8Array.from(onsetTargets(notes, frames, frameSeconds), (v) => Math.round(v * 2)), frames, parts: it.parts.length };
}

/**
 * The batch of a step: PART_BATCH patches of PART_PATCH frames over all 72 pitches, each from a random
 * item at a random time where at least two parts play (a few tries); features [B, C, 72, PATCH], one-hot
 * labels [B, 72, PATCH, MAX_PARTS], as one-element arrays the sum of the items' ‖YᵀY‖² and of their
 * labelled-bin counts squared (the loss's `yy` and `norm`), and onset targets [B, 72, PATCH].
 */
export function partBatch(songs: readonly PartSong[], step: number, seed: number): JArray[] {
  const r = new Rng(seed * 100003 + step);
  const T = PART_PATCH, C = PART_CHANNELS, K = MAX_PARTS;
  const x = new Float32Array(PART_BATCH * C * P * T), y = new Float32Array(PART_BATCH * P * T * K), on = new Float32Array(PART_BATCH * P * T);
  let yy = 0, norm = 0;
  for (let b = 0; b < PART_BATCH; b++) {
    let s = songs[0], t0 = 0, counts = new Float64Array(K);
    for (let tries = 0; tries < 8; tries++) {
      s = songs[Math.floor(r.uniform() * songs.length)];
      t0 = Math.floor(r.uniform() * Math.max(1, s.frames - T));
      counts = new Float64Array(K);
      for (let p = 0; p < P; p++) for (let t = 0; t < T && t0 + t < s.frames; t++) { const l = s.labels[p * s.frames + t0 + t]; if (l >= 0) counts[l]++; }
      if (counts.filter((c) => c > 0).length >= 2) break;
    }
    for (let c = 0; c < FEATURES; c++) {
      for (let p = 0; p < P; p++) {
        const src = (c * P + p) * s.frames + t0, dst = ((b * C + c) * P + p) * T;
        for (let t = 0; t < T && t0 + t < s.frames; t++) x[dst + t] = s.x[src + t] / 255;
      }
    }
    for (let p = 0; p < P; p++) x.fill(p / (P - 1), ((b * C + FEATURES) * P + p) * T, ((b * C + FEATURES) * P + p + 1) * T);
    for (let p = 0; p < P; p++) for (let t = 0; t < T && t0 + t < s.frames; t++) {
      const l = s.labels[p * s.frames + t0 + t];
      if (l >= 0) y[((b * P + p) * T + t) * K + l] = 1; // NO_PART and SHARED are negative
      on[(b * P + p) * T + t] = s.onsets[p * s.frames + t0 + t] / 2;
    }
    let n = 0;
    for (const c of counts) { yy += c * c; n += c; }
    norm += n * n;
  }
  return [np.array(x).reshape([PART_BATCH, C, P, T]), np.array(y).reshape([PART_BATCH, P, T, K]), np.array([yy]), np.array([Math.max(1, norm)]), np.array(on).reshape([PART_BATCH, P, T])];
}

const TRACE_FRAMES = 40;

/** The inference graph as ONNX (frames dynamic) and its cost in GFLOP per second of audio. */
export function exportPartEmbedding(params: PartEmbeddingParams): { onnx: Uint8Array; gflopsPerSecond: number } {
  const fn = (p: PartEmbeddingParams, x: JArray) => partEmbeddings(p, x, "lax");
  const example = () => [np.zeros([1, PART_CHANNELS, P, TRACE_FRAMES])];
  const onnx = exportOnnx(fn, params, example(), { dynamicAxes: [{ 3: "frames" }], inputNames: ["features"], outputNames: PART_OUTPUTS });
  return { onnx, gflopsPerSecond: ((countFlops(fn, params, example()) / TRACE_FRAMES) * (MULTIPITCH_RATE / MULTIPITCH_HOP)) / 1e9 };
}
