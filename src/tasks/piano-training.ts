/**
 * Training the piano transcription models (Node-only: it reads the data
 * files scripts/piano-data.ts writes): log-mel inputs kept as bytes, the
 * batch of a step (random crops of `frames` frames, seeded by the step) with
 * the states, the states one frame earlier (teacher forcing) and the onset
 * velocities, and the batch-norm statistics measured over training batches.
 */
import { readFileSync } from "node:fs";
import { numpy as np, type Array as JArray } from "@jax-js/jax";
import { frontBins, keyAligned, KEYS, LOWEST_KEY, noteStates, OFF, OFFSET, ONSET, PIANO_FPS, REONSET, SUSTAIN, type PianoFront, type PianoNote, type StateCount } from "../models/transcription/contract.js";
import { pianoAcoustic, type PianoParams, type PianoStats } from "../models/transcription/piano.js";
import { Rng } from "../random.js";

export interface PianoDataItem {
  readonly name: string;
  readonly seed: number;
  readonly font: string;
  readonly program: number;
  readonly chain: boolean;
  readonly frames: number;
  /** Byte offset of the item's features in the .bin file. */
  readonly offset: number;
  /** [onset, offset, pitch, velocity]. */
  readonly notes: readonly (readonly [number, number, number, number])[];
}

/** The byte range of each front end's input: log-mel about −1.05…2.3; the key-aligned CQT 0…4 (0 is silence). */
const RANGE: Record<PianoFront, { lo: number; span: number }> = { mel: { lo: -1.1, span: 3.5 }, keys: { lo: 0, span: 4 }, vqt: { lo: 0, span: 4 } };

/** Model input values as bytes. */
export function quantiseInput(x: Float32Array, front: PianoFront = "mel"): Uint8Array {
  const { lo, span } = RANGE[front];
  return Uint8Array.from(x, (v) => Math.max(0, Math.min(255, Math.round(((v - lo) / span) * 255))));
}

export interface PianoPiece {
  readonly name: string;
  readonly front: PianoFront;
  readonly x: Uint8Array;
  readonly frames: number;
  readonly notes: PianoNote[];
  /** States for each state count, computed on demand. */
  states(count: StateCount): Uint8Array;
  /** Onset velocities per frame and key (onsetVelocities), computed on demand. */
  velocities(): Float32Array;
}

/** The pieces of data files (each `<base>.json` + `<base>.bin`). */
export function loadPianoPieces(bases: readonly string[]): PianoPiece[] {
  return bases.flatMap((base) => {
    const bin = new Uint8Array(readFileSync(`${base}.bin`));
    const { items, front = "mel" } = JSON.parse(readFileSync(`${base}.json`, "utf8")) as { items: PianoDataItem[]; front?: PianoFront };
    const bins = frontBins(front);
    return items.map((it) => {
      const notes = it.notes.map(([onset, offset, pitch, velocity]) => ({ onset, offset, pitch, velocity }));
      const cache = new Map<StateCount, Uint8Array>();
      let velocities: Float32Array | undefined;
      const piece: PianoPiece = {
        name: it.name, front, frames: it.frames, notes, x: bin.subarray(it.offset, it.offset + it.frames * bins),
        states: (count: StateCount) => cache.get(count) ?? cache.set(count, noteStates(notes, it.frames, count)).get(count)!,
        velocities: () => (velocities ??= onsetVelocities(piece)),
      };
      return piece;
    });
  });
}

/** Velocity per frame and key at onset frames (0 elsewhere), scaled to 0–1 by /127. */
function onsetVelocities(p: PianoPiece): Float32Array {
  const out = new Float32Array(p.frames * KEYS);
  const st = p.states(5);
  for (const n of p.notes) {
    const t = Math.round(n.onset * PIANO_FPS), k = n.pitch - LOWEST_KEY;
    if (t < p.frames && k >= 0 && k < KEYS && (st[t * KEYS + k] === ONSET || st[t * KEYS + k] === REONSET)) out[t * KEYS + k] = n.velocity / 127;
  }
  return out;
}

/**
 * The batch of a step: `batch` crops of `frames` frames from random pieces,
 * with a random gain (±6 dB, a shift of the log input; the key-aligned one floored at 0). Arrays: x [B, T, bins],
 * states [B, T, 88] int32, prev [B, T, 88] int32, velocity [B, T, 88],
 * mask [B, T, 88]. `stateNoise` p > 0: the decoder's own mistakes in the previous states (statePerturbation).
 */
export function pianoBatch(pieces: readonly PianoPiece[], step: number, seed: number, o: { batch: number; frames: number; states: StateCount; stateNoise?: number }): JArray[] {
  const r = new Rng(seed * 100003 + step);
  const { batch: B, frames: T } = o;
  const front = pieces[0].front, F = frontBins(front), { lo, span } = RANGE[front], floor = keyAligned(front) ? 0 : -Infinity;
  if (pieces.some((p) => p.front !== front)) throw new Error("pianoBatch: the pieces mix front ends");
  const x = new Float32Array(B * T * F), y = new Int32Array(B * T * KEYS), prev = new Int32Array(B * T * KEYS);
  const vel = new Float32Array(B * T * KEYS), mask = new Float32Array(B * T * KEYS);
  for (let b = 0; b < B; b++) {
    const p = pieces[Math.floor(r.uniform() * pieces.length)];
    const t0 = Math.floor(r.uniform() * Math.max(1, p.frames - T));
    const gain = Math.log(Math.pow(10, r.range(-6, 6) / 20)) / 4;
    const st = p.states(o.states), v = p.velocities();
    for (let t = 0; t < T; t++) {
      const src = t0 + t, row = b * T + t;
      if (src >= p.frames) continue;
      for (let f = 0; f < F; f++) x[row * F + f] = Math.max(floor, lo + (p.x[src * F + f] / 255) * span + gain);
      for (let k = 0; k < KEYS; k++) {
        const s = st[src * KEYS + k];
        y[row * KEYS + k] = s;
        prev[row * KEYS + k] = src > 0 ? st[(src - 1) * KEYS + k] : 0;
        if (v[src * KEYS + k] > 0) {
          vel[row * KEYS + k] = v[src * KEYS + k];
          mask[row * KEYS + k] = 1;
        }
      }
    }
  }
  if (o.stateNoise) statePerturbation(y, prev, B, T, o.stateNoise, new Rng(seed * 100003 + step + 0x5eed));
  return [
    np.array(x).reshape([B, T, F]), np.array(y, { dtype: np.int32 }).reshape([B, T, KEYS]), np.array(prev, { dtype: np.int32 }).reshape([B, T, KEYS]),
    np.array(vel).reshape([B, T, KEYS]), np.array(mask).reshape([B, T, KEYS]),
  ];
}

/**
 * Teacher forcing with the greedy decoder's two common mistakes written into the previous states, and the
 * targets that recover from them (states [B, T, 88] and prev, in place; 5 states). With probability p a note
 * ends late: its sustain goes on for 1–8 frames past the true offset in `prev` (the target there: offset,
 * end it now); the last of those offset targets is drawn again like a note's, so with probability p the
 * decoder holds on for another 1–8 frames, and so on (lateness with a geometric tail). With probability p/2 a note ends early: after a random sustain frame the previous states say
 * offset, then off, to the note's end (the target: stay off, no second onset on the sounding note). The
 * mistakes themselves are never targets.
 * Without this the model never sees a previous "sustain" over silence, and holds notes on.
 */
export function statePerturbation(y: Int32Array, prev: Int32Array, B: number, T: number, p: number, r: Rng): void {
  const at = (b: number, t: number, k: number) => (b * T + t) * KEYS + k;
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < KEYS; k++) {
      let start = -1; // the first sustain frame of the note being scanned
      for (let t = 0; t < T; t++) {
        const s = y[at(b, t, k)];
        if (s === SUSTAIN && start < 0) start = t;
        if (s !== OFFSET) {
          if (s !== SUSTAIN) start = -1;
          continue;
        }
        const u = r.uniform();
        if (u < p) {
          // Late: frames t+1 … t+late keep sustain in prev and are taught offset; frame t+late+1 sees offset.
          const late = 1 + Math.floor(r.uniform() * 8);
          let free = 0;
          while (free <= late && t + 1 + free < T && y[at(b, t + 1 + free, k)] === OFF) free++;
          const n = Math.min(late, free - 1);
          for (let j = 1; j <= n; j++) {
            prev[at(b, t + j, k)] = SUSTAIN;
            y[at(b, t + j, k)] = OFFSET;
          }
          if (n > 0 && t + n + 1 < T) prev[at(b, t + n + 1, k)] = OFFSET;
        } else if (u < 1.5 * p && start >= 0 && t - start >= 2) {
          // Early: the decoder said offset at frame m (start < m < t; its target stays sustain), so prev says
          // offset at m + 1 and off after, and the targets are off until the true offset at t.
          const m = start + 1 + Math.floor(r.uniform() * (t - start - 1));
          for (let j = m + 1; j <= t; j++) {
            prev[at(b, j, k)] = j === m + 1 ? OFFSET : OFF;
            y[at(b, j, k)] = OFF;
          }
          if (t + 1 < T) prev[at(b, t + 1, k)] = OFF;
        }
        start = -1;
      }
    }
  }
}

/** Running batch-norm statistics: the mean over `batches` training batches of each batch's statistics. */
export function batchStatistics(params: PianoParams, init: PianoStats, batchOf: (i: number) => JArray[], batches: number, front: PianoFront = "mel", harmonics?: readonly number[]): PianoStats {
  const sums = init.map((s) => ({ mean: new Float64Array(s.mean.shape[0]), var: new Float64Array(s.var.shape[0]) }));
  for (let i = 0; i < batches; i++) {
    const [x, ...rest] = batchOf(i);
    for (const a of rest) a.dispose();
    const { features, stats } = pianoAcoustic(params, x, { train: true, stats: init, momentum: 1, front, harmonics });
    features.dispose();
    stats.forEach((s, l) => {
      const m = s.mean.dataSync() as Float32Array, v = s.var.dataSync() as Float32Array;
      for (let c = 0; c < m.length; c++) {
        sums[l].mean[c] += m[c] / batches;
        sums[l].var[c] += v[c] / batches;
      }
    });
  }
  return sums.map((s) => ({ mean: np.array(Float32Array.from(s.mean)), var: np.array(Float32Array.from(s.var)) })) as PianoStats;
}
