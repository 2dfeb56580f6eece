/**
 * Multi-instrument transcription by deep spherical clustering (Tanaka et al.,
 * ISMIR 2020): audio → the multi-F0 model's HCQT and pitchgram → notes on the
 * semitone grid (`framesToNotes`) → the part-embedding model's unit vectors
 * at every note's time–pitch bins → one vector a note (their normalised mean)
 * → spherical k-means into K parts (or K chosen by the silhouette) → parts
 * ordered by their mean pitch, highest first.
 *
 * Part identities are kept over the whole piece: the audio streams through
 * in segments (memory bounded by the segment: audio, HCQT, pitchgram and
 * embeddings of one segment at a time), and what is kept of each frame is
 * its active semitone bins, about 30 bytes each (a byte-quantised embedding,
 * salience, levels); the notes are clustered once, at the end, all together,
 * so no note changes track because it fell in another segment (the complaint
 * about segment-wise multi-instrument transcribers).
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
import { multipitchInput, MULTIPITCH_BINS, MULTIPITCH_HOP, MULTIPITCH_RATE } from "../models/pitch/contract.js";
import { MULTIF0_TIME_RADIUS, type Fusion } from "../models/pitch/multif0.js";
import { PART_TIME_RADIUS } from "../models/transcription/clustering.js";
import { MAX_PARTS, PART_OUTPUTS, PART_PITCH_LO, PART_PITCHES, partFeatures, pitchBin, type PartNote } from "../models/transcription/parts-contract.js";
import { kMeans, momentShares, silhouette } from "../nn/kmeans.js";
import { runChunked, runChunkedAll, type OnnxModel } from "../nn/runtime.js";
import { segmentStream } from "./segments.js";

/** The two networks and their settings (models/transcription/model.ts loads them from a recipe). */
export interface PartsModels {
  readonly pitchgram: OnnxModel;
  readonly fusion: Fusion;
  /** Peak threshold on the pitchgram. */
  readonly threshold: number;
  readonly embedding: OnnxModel;
  /** `instruments: "auto"` counts the eigen-directions of the notes' embeddings holding at least this share (parts-model.ts). */
  readonly autoMinShare: number;
}

export interface PartsOptions {
  /** Parts to split the notes into (1–5), or "auto" (estimated from the notes' embeddings: `estimateParts`). */
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
export const MAX_INSTRUMENTS = MAX_PARTS;

/**
 * What is kept of a run of frames, on the semitone grid, packed flat: frame `first + i` holds entries
 * start[i] … start[i + 1] − 1, one per semitone bin whose pooled salience reaches half the peak threshold
 * or whose onset probability reaches KEEP_ONSET (bins ascending), each with its salience and onset
 * probability (bytes), embedding (D int8) and HCQT magnitudes (H bytes): about 25 bytes a bin and 4 a frame.
 */
export interface KeptSegment { readonly first: number; readonly start: Uint32Array; readonly bins: Uint8Array; readonly sal: Uint8Array; readonly onset: Uint8Array; readonly emb: Int8Array; readonly mag: Uint8Array }

/** The kept segments of a stream (in order), its frame count, the embedding size and the pitchgram's peak threshold. */
export interface PartsFrames { readonly segments: readonly KeptSegment[]; readonly frames: number; readonly dims: number; readonly threshold: number }

/** Packs per-frame kept bins (each frame's bins ascending, `dims` embedding numbers a bin) into one segment starting at frame `first`. */
export function packFrames(frames: readonly { bins: ArrayLike<number>; sal: ArrayLike<number>; onset: ArrayLike<number>; emb: ArrayLike<number>; mag: ArrayLike<number> }[], dims: number, first = 0): KeptSegment {
  const start = new Uint32Array(frames.length + 1);
  frames.forEach((f, i) => (start[i + 1] = start[i] + f.bins.length));
  const n = start[frames.length], D = dims;
  const seg = { first, start, bins: new Uint8Array(n), sal: new Uint8Array(n), onset: new Uint8Array(n), emb: new Int8Array(n * D), mag: new Uint8Array(n * H) };
  frames.forEach((f, i) => {
    seg.bins.set(Array.from(f.bins), start[i]);
    seg.sal.set(Array.from(f.sal), start[i]);
    seg.onset.set(Array.from(f.onset), start[i]);
    seg.emb.set(Array.from(f.emb), start[i] * D);
    seg.mag.set(Array.from(f.mag), start[i] * H);
  });
  return seg;
}

/** The multi-F0 model's input (HCQT magnitudes, then phase differentials: [C, 360, T]) and its salience [360, T] for a mono 22050 Hz signal. */
export async function pitchgramOf(model: OnnxModel, fusion: Fusion, signal: Float32Array, abort?: AbortSignal): Promise<{ input: Float32Array; salience: Float32Array; frames: number }> {
  const input = multipitchInput(signal, fusion);
  const out = await runChunked(model, { data: input.data, dims: [1, input.channels, input.bins, input.frames] }, { chunk: 512, overlap: 4 * MULTIF0_TIME_RADIUS, signal: abort });
  return { input: input.data, salience: out.data, frames: input.frames };
}

/** Bins are kept (and notes continue) down to this share of the peak threshold, or from this onset probability. */
const KEEP_RATIO = 0.5, KEEP_ONSET = 0.1;
const byte = (v: number) => Math.round(Math.max(0, Math.min(1, v)) * 255);

/**
 * Streams audio blocks through both networks, segment by segment; returns what is kept of every frame
 * (about 20 bytes per active bin). `onSegment` sees each segment's whole maps (the bench reads
 * embeddings at the true notes): embeddings [D, 72, core] and magnitudes [H, 360, core], frames from `first`.
 */
export async function partsFrames(m: PartsModels, blocks: AsyncIterable<AudioSignal>, o: { readonly segmentSeconds?: number; readonly totalSeconds?: number; readonly onProgress?: (f: number) => void; readonly signal?: AbortSignal; readonly onSegment?: (emb: Float32Array, mag: Float32Array, dims: number, core: number, first: number) => void }): Promise<PartsFrames> {
  const coreFrames = Math.max(64, Math.round(((o.segmentSeconds ?? 60) * MULTIPITCH_RATE) / MULTIPITCH_HOP));
  const totalGuess = o.totalSeconds !== undefined ? Math.floor(o.totalSeconds / FRAME) + 1 : undefined;
  const segments: KeptSegment[] = [];
  let dims = 0, total = 0;
  const F = MULTIPITCH_BINS, P = PART_PITCHES, keep = m.threshold * KEEP_RATIO;
  for await (const _ of segmentStream(blocks, { rate: MULTIPITCH_RATE, hop: MULTIPITCH_HOP, marginFrames: MARGIN_FRAMES, coreFrames, what: "transcribe", signal: o.signal }, async (audio, from, first, core) => {
    const { input, salience: sal, frames: T } = await pitchgramOf(m.pitchgram, m.fusion, audio, o.signal);
    const off = first - from;
    const feats = partFeatures(input, sal, T);
    const outs = await runChunkedAll(m.embedding, { [m.embedding.inputNames[0]]: { data: feats, dims: [1, feats.length / (P * T), P, T] } }, { chunk: 512, overlap: 4 * PART_TIME_RADIUS, signal: o.signal });
    const emb = outs[PART_OUTPUTS[0]].data, ons = outs[PART_OUTPUTS[1]].data;
    const D = emb.length / (P * T);
    dims = D;
    const pooledSal = (p: number, t: number) => feats[(H * P + p) * T + t]; // the features' salience channel
    const kept: { bins: number[]; sal: number[]; onset: number[]; emb: number[]; mag: number[] }[] = [];
    for (let t = 0; t < core; t++) {
      const tt = off + t, f = { bins: [] as number[], sal: [] as number[], onset: [] as number[], emb: [] as number[], mag: [] as number[] };
      for (let p = 0; p < P; p++) {
        if (!(pooledSal(p, tt) >= keep || ons[p * T + tt] >= KEEP_ONSET)) continue;
        f.bins.push(p);
        f.sal.push(byte(pooledSal(p, tt)));
        f.onset.push(byte(ons[p * T + tt]));
        for (let d = 0; d < D; d++) f.emb.push(Math.round(emb[(d * P + p) * T + tt] * 127));
        const k = p * (HCQT_DEFAULTS.binsPerOctave / 12);
        for (let h = 0; h < H; h++) f.mag.push(byte(input[(h * F + k) * T + tt]));
      }
      kept.push(f);
    }
    segments.push(packFrames(kept, D, first));
    total = first + core;
    if (o.onSegment) {
      const eCore = new Float32Array(D * P * core), mCore = new Float32Array(H * F * core);
      for (let r = 0; r < D * P; r++) eCore.set(emb.subarray(r * T + off, r * T + off + core), r * core);
      for (let r = 0; r < H * F; r++) mCore.set(input.subarray(r * T + off, r * T + off + core), r * core);
      o.onSegment(eCore, mCore, D, core, first);
    }
    if (totalGuess) o.onProgress?.(Math.min(1, (first + core) / totalGuess));
  })) void _;
  o.onProgress?.(1);
  return { segments, frames: total, dims, threshold: m.threshold };
}

/** Where bin `p` of frame `t` is kept: its segment and entry, or undefined. */
function keptAt(pf: PartsFrames, t: number, p: number): { seg: KeptSegment; j: number } | undefined {
  const segs = pf.segments;
  let lo = 0, hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segs[mid].first <= t) lo = mid; else hi = mid - 1;
  }
  const seg = segs[lo], i = t - (seg?.first ?? 0);
  if (!seg || i < 0 || i + 1 >= seg.start.length) return undefined;
  let a = seg.start[i], b = seg.start[i + 1] - 1;
  while (a <= b) {
    const mid = (a + b) >> 1;
    if (seg.bins[mid] === p) return { seg, j: mid };
    if (seg.bins[mid] < p) a = mid + 1; else b = mid - 1;
  }
  return undefined;
}

/** A note's vectors: its embedding (unit) and its timbre description, and its frame count (the clustering weight). */
export interface NoteVectors { readonly emb: Float64Array; readonly timbre: Float64Array; readonly weight: number; readonly level: number }

/** Reads a note's bins: the embedding and HCQT magnitudes at (frame, semitone), or undefined where nothing is there. */
export type BinLookup = (frame: number, pitch: number) => { readonly emb: ArrayLike<number>; readonly mag: ArrayLike<number> } | undefined;

/** Looks notes up among the kept bins of each frame. */
export function keptLookup(pf: PartsFrames): BinLookup {
  const D = pf.dims;
  return (t, pitch) => {
    const k = keptAt(pf, t, pitchBin(pitch));
    if (!k) return undefined;
    const { seg, j } = k;
    return { emb: Array.from(seg.emb.subarray(j * D, (j + 1) * D), (v) => v / 127), mag: Array.from(seg.mag.subarray(j * H, (j + 1) * H), (v) => v / 255) };
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
 * The number of parts for "auto": how many eigen-directions of the notes' weighted embedding second moment
 * hold at least `minShare` of it (1–5). Deep-clustering embeddings aim at one direction per part, mutually
 * orthogonal, so each part's direction holds about its share of the notes. Chosen over the best
 * silhouette of 2–5 clusters, which found the right count on 18 % of the validation pieces (this, at the
 * tuned share, on more: docs/results.md).
 */
export function estimateParts(vecs: readonly NoteVectors[], minShare: number): number {
  return Math.max(1, Math.min(MAX_INSTRUMENTS, vecs.length, embeddingShares(vecs).filter((v) => v >= minShare).length));
}

/** The shares of the notes' weighted embedding second moment along its eigen-directions, largest first (nn/kmeans.ts momentShares). */
export function embeddingShares(vecs: readonly NoteVectors[]): number[] {
  const { x, d } = clusterInput(vecs, "embedding");
  return vecs.length && d ? momentShares(x, d, vecs.map((v) => v.weight)) : [];
}

/**
 * Part of each note: k-means (spherical for embeddings, Euclidean for timbre) into `k` parts ("auto":
 * `estimateParts` with `minShare`, from the embeddings whatever the method); parts are then renumbered by
 * their weighted mean pitch, highest first. The silhouette is reported.
 */
export function clusterNotes(notes: readonly PartNote[], vecs: readonly NoteVectors[], k: number | "auto", method: "embedding" | "timbre", minShare: number): { parts: Int32Array; k: number; silhouette: number } {
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
  const kk = Math.min(k === "auto" ? estimateParts(vecs, minShare) : k, Math.max(1, n));
  const r = run(kk);
  const best = { labels: r.labels, k: kk, silhouette: sil(r.labels) };
  // Renumber by mean pitch, highest first.
  const sum = new Float64Array(best.k), mass = new Float64Array(best.k);
  notes.forEach((note, i) => { sum[best.labels[i]] += note.pitch * weights[i]; mass[best.labels[i]] += weights[i]; });
  const order = Array.from({ length: best.k }, (_, c) => c).sort((a, b) => sum[b] / Math.max(1e-9, mass[b]) - sum[a] / Math.max(1e-9, mass[a]));
  const rank = new Int32Array(best.k);
  order.forEach((c, r) => (rank[c] = r));
  return { parts: Int32Array.from(best.labels, (c) => rank[c]), k: best.k, silhouette: best.silhouette };
}

export interface NoteDecoding {
  /** Onset peaks (local maxima over ±2 frames) at or above this probability start and split notes (default 0.3, chosen on validation). */
  readonly onsetThreshold?: number;
  /** Notes continue while the pooled salience stays above this share of the peak threshold (default 0.5; at least the keep ratio). */
  readonly offRatio?: number;
  /** Frames a note may fall below that and still continue (default 2). */
  readonly gapFrames?: number;
  /** Shorter notes are dropped (frames, default 5 ≈ 58 ms). */
  readonly minFrames?: number;
}

/** Frames after an onset peak within which the salience must take over for a note to start. */
const ONSET_LEAD = 4;

/**
 * Notes on the semitone grid, from the onset and salience posteriors (as basic-pitch decodes its onset
 * and note posteriors): a note starts at an onset peak of its semitone that the pooled salience takes up
 * within 4 frames, lasts while the pooled salience stays above `offRatio` × threshold (through gaps of
 * `gapFrames`), and a new onset peak splits it: repeated notes of one pitch. Salience without an onset
 * starts nothing: on validation, starting notes at bare salience peaks as well (for legato notes) added
 * mostly octave ghosts (note F1 0.51 against 0.59).
 */
export function framesToNotes(pf: PartsFrames, o: NoteDecoding = {}): PartNote[] {
  const off = Math.max(KEEP_RATIO, o.offRatio ?? 0.5) * pf.threshold * 255, gap = o.gapFrames ?? 2, minLen = o.minFrames ?? 5;
  const onThr = (o.onsetThreshold ?? 0.3) * 255;
  const T = pf.frames;
  const notes: PartNote[] = [];
  // One semitone at a time, its salience and onset over every frame (reused buffers; a scan of the kept entries fills them).
  const sal = new Uint8Array(T), ons = new Uint8Array(T), count = new Int32Array(T + 1);
  for (let p = 0; p < PART_PITCHES; p++) {
    const pitch = p + PART_PITCH_LO;
    sal.fill(0);
    ons.fill(0);
    for (const seg of pf.segments) {
      for (let j = 0; j < seg.bins.length; j++) {
        if (seg.bins[j] !== p) continue;
        // The entry's frame: the last frame whose entries start at or before j (bins of a frame are contiguous).
        let lo = 0, hi = seg.start.length - 2;
        while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (seg.start[mid] <= j) lo = mid; else hi = mid - 1; }
        sal[seg.first + lo] = seg.sal[j];
        ons[seg.first + lo] = seg.onset[j];
      }
    }
    // Onset peaks: at or above the threshold and the largest within ±2 frames (the first of equal ones).
    for (let t = 0; t < T; t++) {
      let top = ons[t] >= onThr;
      for (let u = Math.max(0, t - 2); top && u <= Math.min(T - 1, t + 2); u++) if (ons[u] > ons[t] || (ons[u] === ons[t] && u < t)) top = false;
      count[t + 1] = count[t] + (top ? 1 : 0);
    }
    const isOnset = (t: number) => count[t + 1] > count[t];
    const supported = (t: number) => { for (let u = t; u <= Math.min(T - 1, t + ONSET_LEAD); u++) if (sal[u] >= off) return true; return false; };
    let start = -1, last = -1;
    const end = () => { if (last + 1 - start >= minLen) notes.push({ onset: start * FRAME, offset: (last + 1) * FRAME, pitch }); start = -1; };
    for (let t = 0; t < T; t++) {
      const struck = isOnset(t) && supported(t);
      if (start >= 0) {
        if (struck && t - start >= minLen) { last = t - 1; end(); start = t; last = t; continue; }
        if (sal[t] >= off) last = t;
        else if (t - last > gap) end();
        continue;
      }
      if (struck) { start = t; last = t; }
    }
    if (start >= 0) end();
  }
  return notes.sort((x, y) => x.onset - y.onset || y.pitch - x.pitch);
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
  const vecs = noteVectors(notes, keptLookup(pf), pf.dims);
  const c = clusterNotes(notes, vecs, o.instruments, o.method ?? "embedding", m.autoMinShare);
  return {
    notes: notes.map((n, i) => ({ ...n, velocity: velocityOf(vecs[i].level), part: c.parts[i] })).sort((a, b) => a.onset - b.onset || b.pitch - a.pitch),
    parts: c.k, silhouette: c.silhouette, seconds: pf.frames * FRAME,
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
