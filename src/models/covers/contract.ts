/**
 * The cover embedding's contract: its input is a recording's stored cover
 * features (covers/features.ts, 2 frames per second) laid out view-major
 * [3, 12, T] (HPCP, melody, salience; a library entry without the salience
 * view gets zeros there), and the time-stretch used in training. Training
 * (scripts/train-covers.ts) and inference (models/covers/model.ts) share it.
 */
import { PITCH_CLASSES } from "./embedding.js";

export const COVER_VIEWS = 3;

/** A recording's stored cover features (covers/features.ts's CoverFeatures): nFrames × 12 each, frame-major. */
export interface CoverViews {
  readonly hpcp: Float32Array;
  readonly melody: Float32Array;
  readonly salience?: Float32Array;
  readonly nFrames: number;
}

/** Features [3, 12, T], view-major, time last. */
export function coverInput(f: CoverViews): Float32Array {
  const T = f.nFrames;
  const out = new Float32Array(COVER_VIEWS * PITCH_CLASSES * T);
  const views = [f.hpcp, f.melody, f.salience];
  views.forEach((v, i) => {
    if (!v) return;
    for (let t = 0; t < T; t++) for (let k = 0; k < PITCH_CLASSES; k++) out[(i * PITCH_CLASSES + k) * T + t] = v[t * PITCH_CLASSES + k];
  });
  return out;
}

/**
 * Input [rows, T] resampled in time by `factor` (> 1: a faster version,
 * fewer frames), by linear interpolation; returns the new frame count.
 */
export function stretchFrames(x: Float32Array, rows: number, frames: number, factor: number): { data: Float32Array; frames: number } {
  const n = Math.max(1, Math.round(frames / factor));
  const out = new Float32Array(rows * n);
  for (let t = 0; t < n; t++) {
    const pos = Math.min(frames - 1, t * factor);
    const i = Math.floor(pos), w = pos - i, j = Math.min(frames - 1, i + 1);
    for (let r = 0; r < rows; r++) out[r * n + t] = (1 - w) * x[r * frames + i] + w * x[r * frames + j];
  }
  return { data: out, frames: n };
}

/** Input [rows, T] re-sequenced: the frame spans [start, end) in the order given (spans may repeat or be left out), as a version changes a song's structure. */
export function rearrangeFrames(x: Float32Array, rows: number, frames: number, spans: readonly (readonly [number, number])[]): { data: Float32Array; frames: number } {
  for (const [a, b] of spans) if (!(Number.isInteger(a) && Number.isInteger(b) && 0 <= a && a < b && b <= frames)) throw new RangeError(`rearrangeFrames: span [${a}, ${b}) is not inside ${frames} frames`);
  const n = spans.reduce((s, [a, b]) => s + b - a, 0);
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    let t = 0;
    for (const [a, b] of spans) { out.set(x.subarray(r * frames + a, r * frames + b), r * n + t); t += b - a; }
  }
  return { data: out, frames: n };
}

/** Frames [start, start + length) of input [rows, T]; past the end it wraps around (a song shorter than the crop repeats). */
export function cropFrames(x: Float32Array, rows: number, frames: number, start: number, length: number): Float32Array {
  const out = new Float32Array(rows * length);
  for (let r = 0; r < rows; r++) for (let t = 0; t < length; t++) out[r * length + t] = x[r * frames + ((start + t) % frames)];
  return out;
}
