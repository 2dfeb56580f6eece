/**
 * Multi-instrument transcription by deep spherical clustering (Tanaka et al.,
 * ISMIR 2020): audio → the multi-F0 model's HCQT and pitchgram → notes (the
 * pitchgram's peaks linked into notes, tasks/f0-notes.ts) → the part-embedding
 * model's unit vectors at every note's time–pitch bins → one vector a note
 * (their normalised mean) → spherical k-means into K parts (or K chosen by the
 * silhouette) → parts ordered by their mean pitch, highest first.
 *
 * Part identities are kept over the whole piece: the audio streams through
 * in segments (memory bounded by the segment: audio, HCQT, pitchgram and
 * embeddings of one segment at a time), and what is kept of each frame is its
 * peaks with one byte-quantised embedding each (16 bytes a peak); the notes
 * are clustered once, at the end, all together, so no note changes track
 * because it fell in another segment (the complaint about segment-wise
 * multi-instrument transcribers).
 *
 * The baseline the results compare with clusters the same notes by a
 * hand-made timbre description (`timbreFeatures`): the cepstrum of the note's
 * harmonic amplitudes (the HCQT's log magnitudes at harmonics 1–5 at the
 * note's pitch, averaged over the note; the DCT of that envelope without its
 * level) and the slope of its level over time (decay), with k-means.
 */
import { asBlocks, type AudioSignal } from "../io/audio.js";
import { encodeMidi } from "../io/midi.js";
import { HCQT_DEFAULTS } from "../dsp/hcqt.js";
import { hzToBin, multipitchInput, MULTIPITCH_BINS, MULTIPITCH_HOP, MULTIPITCH_RATE, pickPeaks } from "../models/pitch/contract.js";
import { MULTIF0_TIME_RADIUS, type Fusion } from "../models/pitch/multif0.js";
import { PART_TIME_RADIUS } from "../models/transcription/clustering.js";
import { PART_PITCHES, partFeatures, pitchBin, type PartNote } from "../models/transcription/parts-contract.js";
import { kMeans, silhouette } from "../nn/kmeans.js";
import { runChunked, type OnnxModel } from "../nn/runtime.js";
import { f0ToNotes } from "./f0-notes.js";
import { segmentStream } from "./segments.js";

/** The two networks and their settings (models/transcription/model.ts loads them from a recipe). */
export interface PartsModels {
  readonly pitchgram: OnnxModel;
  readonly fusion: Fusion;
  /** Peak threshold on the pitchgram. */
  readonly threshold: number;
  readonly embedding: OnnxModel;
  /** `instruments: "auto"` gives one part when the best silhouette of 2–5 parts is below this. */
  readonly autoMinSilhouette: number;
}

export interface PartsOptions {
  /** Parts to split the notes into (1–5), or "auto" (chosen by the silhouette of the clustering). */
  readonly instruments: number | "auto";
  /** How notes are clustered: the learned embeddings (default) or the timbre baseline. */
  readonly method?: "embedding" | "timbre";
  /** Seconds of audio per segment (memory bound); default 60. */
  readonly segmentSeconds?: number;
  readonly onProgress?: (fraction: number) => void;
  readonly signal?: AbortSignal;
}

/** A transcribed note and its part (0 = the part with the highest mean pitch). */
export interface PartedNote {
  readonly onset: number;
  readonly offset: number;
  readonly pitch: number;
  readonly velocity: number;
  readonly part: number;
}

export interface PartsResult {
  readonly notes: PartedNote[];
  /** Parts found (≤ the number asked for when there are fewer notes). */
  readonly parts: number;
  /** The silhouette of the clustering (cosine for embeddings), −1…1. */
  readonly silhouette: number;
  readonly seconds: number;
}

const FRAME = MULTIPITCH_HOP / MULTIPITCH_RATE;
const H = HCQT_DEFAULTS.harmonics.length;
/** Frames of context each side of a segment: the multi-F0 model's (4 s) plus the embedding's radius. */
const MARGIN_FRAMES = Math.ceil((4 * MULTIPITCH_RATE) / MULTIPITCH_HOP) + PART_TIME_RADIUS;
export const MAX_INSTRUMENTS = 5;

/** What is kept of one frame: its peaks (Hz), an embedding per peak (D int8) and the HCQT magnitudes at it (H bytes). */
interface FrameKeep { readonly freqs: Float64Array; readonly emb: Int8Array; readonly mag: Uint8Array }

/** The kept frames of a stream, and the embedding size. */
export interface PartsFrames { readonly frames: FrameKeep[]; readonly dims: number }

/**
 * Streams audio blocks through both networks, segment by segment; returns every frame's peaks with their
 * embeddings and magnitudes. `onSegment` sees each segment's whole maps (the bench reads embeddings at
 * the true notes): embeddings [D, 72, core] and magnitudes [H, 360, core], frames from `first`.
 */
export async function partsFrames(m: PartsModels, blocks: AsyncIterable<AudioSignal>, o: { readonly segmentSeconds?: number; readonly totalSeconds?: number; readonly onProgress?: (f: number) => void; readonly signal?: AbortSignal; readonly onSegment?: (emb: Float32Array, mag: Float32Array, dims: number, core: number, first: number) => void }): Promise<PartsFrames> {
  const coreFrames = Math.max(64, Math.round(((o.segmentSeconds ?? 60) * MULTIPITCH_RATE) / MULTIPITCH_HOP));
  const totalGuess = o.totalSeconds !== undefined ? Math.floor(o.totalSeconds / FRAME) + 1 : undefined;
  const frames: FrameKeep[] = [];
  let dims = 0;
  const F = MULTIPITCH_BINS, P = PART_PITCHES;
  for await (const _ of segmentStream(blocks, { rate: MULTIPITCH_RATE, hop: MULTIPITCH_HOP, marginFrames: MARGIN_FRAMES, coreFrames, what: "transcribe", signal: o.signal }, async (audio, from, first, core) => {
    const input = multipitchInput(audio, m.fusion);
    const T = input.frames, off = first - from;
    const sal = (await runChunked(m.pitchgram, { data: input.data, dims: [1, input.channels, F, T] }, { chunk: 512, overlap: 4 * MULTIF0_TIME_RADIUS, signal: o.signal })).data;
    const feats = partFeatures(input.data, sal, T);
    const emb = (await runChunked(m.embedding, { data: feats, dims: [1, feats.length / (P * T), P, T] }, { chunk: 512, overlap: 4 * PART_TIME_RADIUS, signal: o.signal })).data;
    const D = emb.length / (P * T);
    dims = D;
    const salCore = new Float32Array(F * core);
    for (let k = 0; k < F; k++) salCore.set(sal.subarray(k * T + off, k * T + off + core), k * core);
    const peaks = pickPeaks(salCore, F, core, m.threshold, first);
    for (let t = 0; t < core; t++) {
      const fs = peaks.freqs[t], e = new Int8Array(fs.length * D), g = new Uint8Array(fs.length * H);
      fs.forEach((f, j) => {
        const p = pitchBin(69 + 12 * Math.log2(f / 440));
        if (p >= 0) for (let d = 0; d < D; d++) e[j * D + d] = Math.round(emb[(d * P + p) * T + off + t] * 127);
        const k = Math.max(0, Math.min(F - 1, Math.round(hzToBin(f))));
        for (let h = 0; h < H; h++) g[j * H + h] = Math.round(Math.max(0, Math.min(1, input.data[(h * F + k) * T + off + t])) * 255);
      });
      frames.push({ freqs: fs, emb: e, mag: g });
    }
    if (o.onSegment) {
      const eCore = new Float32Array(D * P * core), mCore = new Float32Array(H * F * core);
      for (let r = 0; r < D * P; r++) eCore.set(emb.subarray(r * T + off, r * T + off + core), r * core);
      for (let r = 0; r < H * F; r++) mCore.set(input.data.subarray(r * T + off, r * T + off + core), r * core);
      o.onSegment(eCore, mCore, D, core, first);
    }
    if (totalGuess) o.onProgress?.(Math.min(1, (first + core) / totalGuess));
  })) void _;
  o.onProgress?.(1);
  return { frames, dims };
}

/** A note's vectors: its embedding (unit) and its timbre description, and its frame count (the clustering weight). */
export interface NoteVectors { readonly emb: Float64Array; readonly timbre: Float64Array; readonly weight: number; readonly level: number }

/** Reads a note's bins: the embedding and HCQT magnitudes at (frame, semitone), or undefined where nothing is there. */
export type BinLookup = (frame: number, pitch: number) => { readonly emb: ArrayLike<number>; readonly mag: ArrayLike<number> } | undefined;

/** Looks notes up among the kept peaks: in each frame, the peak nearest the note's pitch, within a semitone. */
export function peakLookup(pf: PartsFrames): BinLookup {
  const D = pf.dims;
  return (t, pitch) => {
    const fr = pf.frames[t];
    if (!fr) return undefined;
    let best = -1, bd = 1;
    fr.freqs.forEach((f, j) => { const d = Math.abs(69 + 12 * Math.log2(f / 440) - pitch); if (d <= bd) { bd = d; best = j; } });
    if (best < 0) return undefined;
    return { emb: Array.from(fr.emb.subarray(best * D, (best + 1) * D), (v) => v / 127), mag: Array.from(fr.mag.subarray(best * H, (best + 1) * H), (v) => v / 255) };
  };
}

const TIMBRE_DIMS = 5;

/** The vectors of each note: mean embedding (normalised), harmonic-envelope cepstrum and decay, level. */
export function noteVectors(notes: readonly PartNote[], lookup: BinLookup, dims: number): NoteVectors[] {
  return notes.map((n) => {
    const emb = new Float64Array(dims), env = new Float64Array(H);
    const levels: number[] = [];
    let count = 0;
    for (let t = Math.max(0, Math.round(n.onset / FRAME)); t * FRAME < n.offset; t++) {
      const b = lookup(t, n.pitch);
      if (!b) continue;
      for (let d = 0; d < dims; d++) emb[d] += b.emb[d];
      for (let h = 0; h < H; h++) env[h] += b.mag[h];
      levels.push(b.mag[1]);
      count++;
    }
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += emb[d] ** 2;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let d = 0; d < dims; d++) emb[d] /= norm;
    // Harmonic envelope: harmonics 1–5 (channels 1…5), level removed; its DCT-II without the 0th term.
    const e = Array.from(env.subarray(1), (v) => v / Math.max(1, count));
    const mean = e.reduce((a, b) => a + b, 0) / e.length;
    const timbre = new Float64Array(TIMBRE_DIMS);
    for (let c = 1; c < e.length; c++) timbre[c - 1] = e.reduce((s, v, i) => s + (v - mean) * Math.cos((Math.PI * c * (i + 0.5)) / e.length), 0);
    // Decay: the least-squares slope of the fundamental's log level per second.
    const L = levels.length;
    if (L > 1) {
      const tm = (L - 1) / 2, lm = levels.reduce((a, b) => a + b, 0) / L;
      let num = 0, den = 0;
      levels.forEach((l, i) => { num += (i - tm) * (l - lm); den += (i - tm) ** 2; });
      timbre[TIMBRE_DIMS - 1] = num / den / FRAME;
    }
    return { emb, timbre, weight: Math.max(1, count), level: e[0] ?? 0 };
  });
}

/** Rows of the clustering input: unit embeddings, or z-scored timbre descriptions. */
function clusterInput(vecs: readonly NoteVectors[], method: "embedding" | "timbre"): { x: Float64Array; d: number } {
  if (method === "embedding") {
    const d = vecs[0]?.emb.length ?? 0;
    const x = new Float64Array(vecs.length * d);
    vecs.forEach((v, i) => x.set(v.emb, i * d));
    return { x, d };
  }
  const d = TIMBRE_DIMS, x = new Float64Array(vecs.length * d);
  for (let c = 0; c < d; c++) {
    const col = vecs.map((v) => v.timbre[c]);
    const mu = col.reduce((a, b) => a + b, 0) / Math.max(1, col.length);
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - mu) ** 2, 0) / Math.max(1, col.length)) || 1;
    col.forEach((v, i) => (x[i * d + c] = (v - mu) / sd));
  }
  return { x, d };
}

/** At most this many notes go into a silhouette (an even subsample; it is O(n²)). */
const SILHOUETTE_NOTES = 600;

/**
 * Part of each note: k-means (spherical for embeddings, Euclidean for timbre) into `k` parts, or, for
 * "auto", the k of 2–5 with the best silhouette (1 when that is below `minSilhouette`); parts are then
 * renumbered by their weighted mean pitch, highest first.
 */
export function clusterNotes(notes: readonly PartNote[], vecs: readonly NoteVectors[], k: number | "auto", method: "embedding" | "timbre", minSilhouette: number): { parts: Int32Array; k: number; silhouette: number } {
  const { x, d } = clusterInput(vecs, method);
  const metric = method === "embedding" ? "cosine" : "euclidean";
  const weights = vecs.map((v) => v.weight);
  const n = notes.length;
  const stride = Math.max(1, Math.ceil(n / SILHOUETTE_NOTES));
  const sample = Array.from({ length: Math.ceil(n / stride) }, (_, i) => i * stride);
  const sx = new Float64Array(sample.length * d);
  sample.forEach((i, j) => sx.set(x.subarray(i * d, (i + 1) * d), j * d));
  const sil = (labels: Int32Array) => silhouette(sx, d, sample.map((i) => labels[i]), { metric, weights: sample.map((i) => weights[i]) });
  const run = (kk: number) => kMeans(x, d, kk, { metric, weights, restarts: 8, seed: 7 });
  let best: { labels: Int32Array; k: number; silhouette: number };
  if (k === "auto") {
    best = { labels: new Int32Array(n), k: 1, silhouette: 0 };
    let top = -Infinity, topRun = best;
    for (let kk = 2; kk <= Math.min(MAX_INSTRUMENTS, n); kk++) {
      const r = run(kk), s = sil(r.labels);
      if (s > top) { top = s; topRun = { labels: r.labels, k: kk, silhouette: s }; }
    }
    if (top >= minSilhouette) best = topRun;
  } else {
    const r = run(Math.min(k, Math.max(1, n)));
    best = { labels: r.labels, k: Math.min(k, Math.max(1, n)), silhouette: sil(r.labels) };
  }
  // Renumber by mean pitch, highest first.
  const sum = new Float64Array(best.k), mass = new Float64Array(best.k);
  notes.forEach((note, i) => { sum[best.labels[i]] += note.pitch * weights[i]; mass[best.labels[i]] += weights[i]; });
  const order = Array.from({ length: best.k }, (_, c) => c).sort((a, b) => sum[b] / Math.max(1e-9, mass[b]) - sum[a] / Math.max(1e-9, mass[a]));
  const rank = new Int32Array(best.k);
  order.forEach((c, r) => (rank[c] = r));
  return { parts: Int32Array.from(best.labels, (c) => rank[c]), k: best.k, silhouette: best.silhouette };
}

/** A re-attack splits a note when the fundamental's level rises by this much (dB) within REATTACK_FRAMES. */
export const REATTACK_DB = 6;
const REATTACK_FRAMES = 3;
/** Pieces of a split note are at least this long (frames, ≈ 70 ms). */
const MIN_PIECE_FRAMES = 6;

/**
 * Notes of a stream's kept frames: the pitchgram's peaks linked into notes (tasks/f0-notes.ts), then each
 * note split where its fundamental is struck again (its HCQT level, 80 dB full scale, rises by
 * `reattackDb` within 3 frames): repeated notes of one pitch that the peaks alone run together.
 */
export function framesToNotes(pf: PartsFrames, o: { readonly reattackDb?: number } = {}): PartNote[] {
  const times = Float64Array.from(pf.frames, (_, t) => t * FRAME);
  const rise = (o.reattackDb ?? REATTACK_DB) / 80;
  const lookup = peakLookup(pf);
  return f0ToNotes(times, pf.frames.map((f) => f.freqs)).flatMap((n) => {
    const t0 = Math.round(n.onset / FRAME), t1 = Math.round(n.offset / FRAME);
    const level = Array.from({ length: t1 - t0 }, (_, i) => lookup(t0 + i, n.pitch)?.mag[1] ?? 0);
    const cuts = [t0];
    for (let i = 1; i < level.length; i++) {
      const t = t0 + i;
      const low = Math.min(...level.slice(Math.max(0, i - REATTACK_FRAMES), i));
      if (level[i] - low >= rise && t - cuts[cuts.length - 1] >= MIN_PIECE_FRAMES && t1 - t >= MIN_PIECE_FRAMES) cuts.push(t);
    }
    cuts.push(t1);
    return cuts.slice(0, -1).map((c, i) => ({ onset: i === 0 ? n.onset : c * FRAME, offset: i === cuts.length - 2 ? n.offset : cuts[i + 1] * FRAME, pitch: n.pitch }));
  }).sort((x, y) => x.onset - y.onset || y.pitch - x.pitch);
}

/** Velocity from a note's fundamental level (the HCQT's normalised log magnitude, 0…1). */
const velocityOf = (level: number) => Math.max(1, Math.min(127, Math.round(30 + 90 * level)));

/**
 * Notes in parts over a stream of audio blocks (any rate and channel count): the whole pipeline, with part
 * identities kept across segments (one clustering at the end).
 */
export async function transcribePartsStream(m: PartsModels, blocks: AsyncIterable<AudioSignal>, o: PartsOptions & { readonly totalSeconds?: number }): Promise<PartsResult> {
  if (o.instruments !== "auto" && !(Number.isInteger(o.instruments) && o.instruments >= 1 && o.instruments <= MAX_INSTRUMENTS)) throw new RangeError(`instruments must be 1–${MAX_INSTRUMENTS} or "auto", got ${o.instruments}`);
  const pf = await partsFrames(m, blocks, o);
  const notes = framesToNotes(pf);
  const vecs = noteVectors(notes, peakLookup(pf), pf.dims);
  const c = clusterNotes(notes, vecs, o.instruments, o.method ?? "embedding", m.autoMinSilhouette);
  return {
    notes: notes.map((n, i) => ({ ...n, velocity: velocityOf(vecs[i].level), part: c.parts[i] })).sort((a, b) => a.onset - b.onset || b.pitch - a.pitch),
    parts: c.k, silhouette: c.silhouette, seconds: pf.frames.length * FRAME,
  };
}

/** transcribePartsStream over a whole signal in memory. */
export async function transcribeParts(audio: AudioSignal, m: PartsModels, o: PartsOptions): Promise<PartsResult> {
  return transcribePartsStream(m, asBlocks(audio), { ...o, totalSeconds: (audio.channels[0]?.length ?? 0) / audio.sampleRate });
}


/** A Standard MIDI File with one track per part ("part 1" the highest), on piano (the instruments are not named). */
export function partsToMidi(notes: readonly PartedNote[], parts: number, options: { readonly tempoBpm?: number } = {}): Uint8Array {
  return encodeMidi(Array.from({ length: parts }, (_, k) => ({ name: `part ${k + 1}`, program: 0, drums: false, notes: notes.filter((n) => n.part === k) })), options);
}
