/**
 * Spotify's basic-pitch as the benches' anchor: its ONNX model
 * (../shared/anchors/basic-pitch/nmp.onnx, Apache-2.0) in onnxruntime-node,
 * with its own pre- and post-processing (basic_pitch/inference.py): 22050 Hz
 * mono, windows of 43844 samples overlapping by 30 frames (the signal padded
 * with half of that in front), 15 frames dropped at each window edge, frames
 * at 256/22050 s, cut to the signal's length. Outputs: the 264-bin contour
 * (3 bins a semitone from 27.5 Hz) and the 88-key note activations.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { OnnxModel } from "../src/nn/runtime.js";
import { ortNode } from "../src/node.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const NMP = path.join(ROOT, "..", "shared", "anchors", "basic-pitch", "nmp.onnx");
export const BP_HOP = 256;
const BP = { window: 43844, hop: BP_HOP, overlapFrames: 30 } as const;

export interface BasicPitchOutput { contour: Float32Array[]; note: Float32Array[]; onset: Float32Array[] }

export async function loadBasicPitch(): Promise<OnnxModel> {
  if (!existsSync(NMP)) throw new Error(`basic-pitch's ONNX model is not at ${NMP} (the ../shared anchors)`);
  return OnnxModel.load(await ortNode(), new Uint8Array(readFileSync(NMP)));
}

/** Frame-by-frame contour and note activations of a 22050 Hz mono signal. */
export async function runBasicPitch(nmp: OnnxModel, x: Float32Array): Promise<BasicPitchOutput> {
  const overlap = BP.overlapFrames * BP.hop, step = BP.window - overlap, drop = BP.overlapFrames / 2;
  const padded = new Float32Array(overlap / 2 + x.length);
  padded.set(x, overlap / 2);
  const contour: Float32Array[] = [], note: Float32Array[] = [], onset: Float32Array[] = [];
  const [cName, nName, oName] = [":0", ":1", ":2"].map((e) => nmp.outputNames.find((n) => n.endsWith(e))!);
  for (let start = 0; start < padded.length; start += step) {
    const win = new Float32Array(BP.window);
    win.set(padded.subarray(start, start + BP.window));
    const out = await nmp.run({ [nmp.inputNames[0]]: { data: win, dims: [1, BP.window, 1] } });
    for (const [name, list, bins] of [[cName, contour, 264], [nName, note, 88], [oName, onset, 88]] as const) {
      const o = out[name], frames = o.dims[1];
      for (let t = drop; t < frames - drop; t++) list.push(o.data.slice(t * bins, (t + 1) * bins));
    }
  }
  const n = Math.floor(x.length / BP.hop);
  return { contour: contour.slice(0, n), note: note.slice(0, n), onset: onset.slice(0, n) };
}

/**
 * Times of basic-pitch's output frames by its model_frames_to_time: frame i at i·256/22050 s, minus a
 * correction of (256/22050)·(172 − 43844/256) + 0.0018 s per 172 frames for the windows' overlap.
 */
export function basicPitchFrameTime(i: number, corrected = true): number {
  const windowOffset = corrected ? (BP.hop / 22050) * (172 - BP.window / BP.hop) + 0.0018 : 0;
  return (i * BP.hop) / 22050 - windowOffset * Math.floor(i / 172);
}

export interface BasicPitchNoteOptions {
  /** Defaults: basic-pitch's predict() (onset 0.5, frame 0.3, minimum note 127.70 ms = 11 frames, inferred onsets, the melodia trick). */
  readonly onsetThreshold?: number;
  readonly frameThreshold?: number;
  readonly minFrames?: number;
  readonly melodiaTrick?: boolean;
  /** basic-pitch's frame-time correction (default true; false: frame i at i·256/22050 s). */
  readonly timeCorrection?: boolean;
}

/**
 * Notes from basic-pitch's posteriors by its published rule (note_creation.output_to_notes_polyphonic,
 * reimplemented): onsets inferred from frame increases (over 1 and 2 frames, scaled to the onset
 * posterior's maximum) are merged into the onset posterior; its local maxima in time above the onset
 * threshold start notes, latest first, each followed while the note posterior stays above the frame
 * threshold (up to 11 frames of tolerance), kept when longer than the minimum, its energy (and the
 * neighbouring keys') removed; then the melodia trick adds notes grown both ways from the largest
 * remaining frame energy. Velocity: the mean note posterior × 127.
 */
export function basicPitchNotes(out: BasicPitchOutput, o: BasicPitchNoteOptions = {}): { onset: number; offset: number; pitch: number; velocity: number }[] {
  const onsetThr = o.onsetThreshold ?? 0.5, frameThr = o.frameThreshold ?? 0.3, minLen = o.minFrames ?? 11, tol = 11;
  const T = out.note.length, K = 88;
  const frames = out.note, energy = frames.map((f) => Float32Array.from(f));
  const onsets = out.onset.map((f) => Float32Array.from(f));
  // Inferred onsets: the largest frame increase over 1 or 2 frames, clipped at 0, scaled to the onsets' maximum.
  const diff = Array.from({ length: T }, () => new Float32Array(K));
  let maxOnset = 0, maxDiff = 0;
  for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) {
    let d = Infinity;
    for (const n of [1, 2]) d = Math.min(d, frames[t][k] - (t - n >= 0 ? frames[t - n][k] : 0));
    d = Math.max(0, t < 2 ? 0 : d);
    diff[t][k] = d;
    maxDiff = Math.max(maxDiff, d);
    maxOnset = Math.max(maxOnset, onsets[t][k]);
  }
  for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) onsets[t][k] = Math.max(onsets[t][k], maxDiff > 0 ? (diff[t][k] * maxOnset) / maxDiff : 0);
  const starts: [number, number][] = [];
  for (let t = 1; t < T - 1; t++) for (let k = 0; k < K; k++) {
    const v = onsets[t][k];
    if (v > onsets[t - 1][k] && v > onsets[t + 1][k] && v >= onsetThr) starts.push([t, k]);
  }
  starts.sort((a, b) => b[0] - a[0] || b[1] - a[1]);
  const notes: { onset: number; offset: number; pitch: number; velocity: number }[] = [];
  const add = (s: number, e: number, k: number) => {
    let mean = 0;
    for (let t = s; t < e; t++) mean += frames[t][k] / (e - s);
    notes.push({ onset: basicPitchFrameTime(s, o.timeCorrection), offset: basicPitchFrameTime(e, o.timeCorrection), pitch: k + 21, velocity: Math.max(1, Math.min(127, Math.round(mean * 127))) });
  };
  const clear = (t: number, k: number) => {
    energy[t][k] = 0;
    if (k < K - 1) energy[t][k + 1] = 0;
    if (k > 0) energy[t][k - 1] = 0;
  };
  for (const [s, k] of starts) {
    if (s >= T - 1) continue;
    let i = s + 1, miss = 0;
    while (i < T - 1 && miss < tol) {
      miss = energy[i][k] < frameThr ? miss + 1 : 0;
      i++;
    }
    i -= miss;
    if (i - s <= minLen) continue;
    for (let t = s; t < i; t++) clear(t, k);
    add(s, i, k);
  }
  if (o.melodiaTrick ?? true) {
    // The largest remaining energy, again and again: energies only ever drop to 0, so visiting the cells above
    // the threshold in decreasing order of their value, skipping those zeroed since, is the same sequence of
    // maxima as a full argmax each time (basic-pitch's np.argmax), in O(n log n).
    const cells: [number, number, number][] = [];
    for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) if (energy[t][k] > frameThr) cells.push([energy[t][k], t, k]);
    cells.sort((x, y) => y[0] - x[0] || x[1] * K + x[2] - (y[1] * K + y[2]));
    for (const [v, bt, bk] of cells) {
      if (energy[bt][bk] !== v) continue;
      energy[bt][bk] = 0;
      let i = bt + 1, miss = 0;
      while (i < T - 1 && miss < tol) {
        miss = energy[i][bk] < frameThr ? miss + 1 : 0;
        clear(i, bk);
        i++;
      }
      const end = i - 1 - miss;
      i = bt - 1;
      miss = 0;
      while (i > 0 && miss < tol) {
        miss = energy[i][bk] < frameThr ? miss + 1 : 0;
        clear(i, bk);
        i--;
      }
      const start = i + 1 + miss;
      if (end - start <= minLen) continue;
      add(start, end, bk);
    }
  }
  return notes.sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
}
