/**
 * The contract of the part-embedding model (clustering.ts), shared by
 * training (tasks/instruments-training.ts) and inference
 * (tasks/instruments.ts): the semitone grid, the input features built from
 * the multi-F0 model's HCQT and salience, and the part labels of the bins.
 *
 * Grid: 72 semitones from C1 (MIDI 24) to B6 (MIDI 95), the multi-F0 grid
 * (20-cent bins, 5 a semitone) pooled by the maximum over the 5 bins around
 * each semitone; frames are the HCQT's (hop 256 at 22050 Hz, ≈ 11.6 ms).
 *
 * Channels (PART_CHANNELS = 8): the six HCQT log-magnitude channels (the
 * sub-harmonic ½, the fundamental, harmonics 2–5: the spectrum as seen from
 * that pitch, i.e. its timbre), the salience (the pitchgram), and the bin's
 * register (0 at C1 … 1 at B6), so the embedding may use pitch as a cue.
 */
import { HCQT_DEFAULTS } from "../../dsp/hcqt.js";

export const PART_PITCH_LO = 24;
export const PART_PITCHES = 72;
export const PART_CHANNELS = HCQT_DEFAULTS.harmonics.length + 2;
const BINS_PER_SEMITONE = HCQT_DEFAULTS.binsPerOctave / 12;
const HCQT_BINS = HCQT_DEFAULTS.nOctaves * HCQT_DEFAULTS.binsPerOctave;

/** The embedding graph's outputs: unit vectors [1, D, 72, T] and onset probabilities [1, 72, T]. */
export const PART_OUTPUTS = ["embeddings", "onsets"];

/** The most parts a piece is split into (labels are one-hot over this many). */
export const MAX_PARTS = 5;

/** Semitone bin (0…71) of a MIDI pitch, or −1 outside the grid. */
export function pitchBin(midi: number): number {
  const p = Math.round(midi) - PART_PITCH_LO;
  return p >= 0 && p < PART_PITCHES ? p : -1;
}

/**
 * Features [PART_CHANNELS, 72, T] from the HCQT log magnitudes [H, 360, T] (hcqtTensor without phase,
 * or its first H channels) and the salience [360, T], both time last.
 */
export function partFeatures(logMag: Float32Array, salience: Float32Array, frames: number): Float32Array {
  const H = HCQT_DEFAULTS.harmonics.length, T = frames, P = PART_PITCHES;
  if (logMag.length < H * HCQT_BINS * T || salience.length !== HCQT_BINS * T) throw new RangeError(`partFeatures: expected ${H}×${HCQT_BINS}×${T} magnitudes and ${HCQT_BINS}×${T} salience`);
  const out = new Float32Array(PART_CHANNELS * P * T);
  const pool = (src: Float32Array, base: number, dst: number) => {
    for (let p = 0; p < P; p++) {
      const c = p * BINS_PER_SEMITONE, lo = Math.max(0, c - 2), hi = Math.min(HCQT_BINS - 1, c + 2);
      const o = dst + p * T;
      for (let t = 0; t < T; t++) out[o + t] = src[base + lo * T + t];
      for (let k = lo + 1; k <= hi; k++) {
        const row = base + k * T;
        for (let t = 0; t < T; t++) if (src[row + t] > out[o + t]) out[o + t] = src[row + t];
      }
    }
  };
  for (let h = 0; h < H; h++) pool(logMag, h * HCQT_BINS * T, h * P * T);
  pool(salience, 0, H * P * T);
  for (let p = 0; p < P; p++) out.fill(p / (P - 1), ((H + 1) * P + p) * T, ((H + 1) * P + p + 1) * T);
  return out;
}

/** A note of a part: onset and offset in seconds, MIDI pitch. */
export interface PartNote { readonly onset: number; readonly offset: number; readonly pitch: number }

/** Label of a bin no part plays. */
export const NO_PART = -1;
/** Label of a bin two or more parts play (a unison): no single part to learn. */
export const SHARED = -2;

/**
 * Part labels [72, T] of frames at times t·hop/rate: the index of the one part sounding at that semitone,
 * NO_PART, or SHARED.
 */
export function partLabels(parts: readonly (readonly PartNote[])[], frames: number, frameSeconds: number): Int8Array {
  const T = frames;
  const labels = new Int8Array(PART_PITCHES * T).fill(NO_PART);
  parts.forEach((notes, k) => {
    for (const n of notes) {
      const p = pitchBin(n.pitch);
      if (p < 0) continue;
      for (let t = Math.max(0, Math.ceil(n.onset / frameSeconds)); t < T && t * frameSeconds < n.offset; t++) {
        const i = p * T + t;
        labels[i] = labels[i] === NO_PART || labels[i] === k ? k : SHARED;
      }
    }
  });
  return labels;
}

/**
 * Onset targets [72, T] for frames at times t·hop/rate: 1 in the frame nearest each note's onset at its
 * semitone, 0.5 in the frames either side (onsets are known to a frame; the HCQT smears them further),
 * 0 elsewhere.
 */
export function onsetTargets(parts: readonly (readonly PartNote[])[], frames: number, frameSeconds: number): Float32Array {
  const T = frames;
  const y = new Float32Array(PART_PITCHES * T);
  for (const notes of parts) for (const n of notes) {
    const p = pitchBin(n.pitch), t = Math.round(n.onset / frameSeconds);
    if (p < 0 || t >= T) continue;
    for (const [dt, v] of [[0, 1], [-1, 0.5], [1, 0.5]] as const) {
      const u = t + dt;
      if (u >= 0 && u < T && v > y[p * T + u]) y[p * T + u] = v;
    }
  }
  return y;
}
