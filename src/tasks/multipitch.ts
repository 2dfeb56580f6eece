/**
 * Multiple-F0 estimation with a salience CNN (models/pitch/multif0.ts) in
 * ONNX Runtime: audio → mono 22050 Hz → HCQT (magnitude and phase
 * differentials) → salience [360 bins × frames] → peaks above a threshold →
 * F0 set per frame (mir_eval multipitch format).
 *
 * Long inputs are processed in audio segments whose HCQTs overlap by a
 * margin longer than half the longest CQT filter (the 0.5-harmonic C1 filter
 * is ≈ 5 s long at 20-cent resolution), so the salience of a segment's core
 * equals that of the whole-file HCQT up to float rounding, and memory is
 * bounded by the segment length.
 */
import { hcqt, HCQT_DEFAULTS } from "../dsp/hcqt.js";
import { resample, StreamResampler } from "../dsp/resample.js";
import { InvalidInputError } from "../errors.js";
import { asBlocks, toMono, type AudioSignal } from "../io/audio.js";
import type { Fusion } from "../models/pitch/multif0.js";
import { OnnxModel, runChunked } from "../nn/runtime.js";

export const MULTIPITCH_RATE = 22050;
export const MULTIPITCH_HOP = HCQT_DEFAULTS.hopLength;
export const MULTIPITCH_BINS = HCQT_DEFAULTS.nOctaves * HCQT_DEFAULTS.binsPerOctave;

/** Centre frequency of salience bin k (20-cent grid from C1). */
export function binToHz(k: number): number {
  return HCQT_DEFAULTS.fminHz * Math.pow(2, k / HCQT_DEFAULTS.binsPerOctave);
}

/** Fractional salience bin of a frequency. */
export function hzToBin(hz: number): number {
  return HCQT_DEFAULTS.binsPerOctave * Math.log2(hz / HCQT_DEFAULTS.fminHz);
}

/**
 * The model input [C, F, T] (time last) for a mono 22050 Hz signal:
 * magnitude channels, then (except for "magnitude" models) phase-differential
 * channels.
 */
export function multipitchInput(signal: Float32Array, fusion: Fusion): { data: Float32Array; channels: number; bins: number; frames: number } {
  const h = hcqt(signal, MULTIPITCH_RATE);
  const H = h.harmonics.length, F = h.nBins, T = h.nFrames;
  const kinds = fusion === "magnitude" ? [h.magnitude] : [h.magnitude, h.phaseDiff];
  const data = new Float32Array(kinds.length * H * F * T);
  kinds.forEach((src, kind) => {
    for (let c = 0; c < H; c++) {
      const dst = (kind * H + c) * F * T;
      for (let t = 0; t < T; t++) {
        const row = (c * T + t) * F;
        for (let k = 0; k < F; k++) data[dst + k * T + t] = src[row + k];
      }
    }
  });
  return { data, channels: kinds.length * H, bins: F, frames: T };
}

/**
 * Gaussian-blurred F0 targets [F, T] for frame times `t·hop/rate`: for each
 * F0 the value at bin k is exp(−(k − b)² / 2σ²) with b the F0's fractional
 * bin and σ in bins; overlapping voices take the maximum.
 */
export function salienceTargets(f0s: readonly ArrayLike<number>[], bins: number, sigmaBins = 1): Float32Array {
  const T = f0s.length;
  const y = new Float32Array(bins * T);
  const reach = Math.ceil(4 * sigmaBins);
  for (let t = 0; t < T; t++) {
    for (const f of Array.from(f0s[t])) {
      if (!(f > 0)) continue;
      const b = hzToBin(f);
      for (let k = Math.max(0, Math.floor(b) - reach); k <= Math.min(bins - 1, Math.ceil(b) + reach); k++) {
        const v = Math.exp(-((k - b) ** 2) / (2 * sigmaBins * sigmaBins));
        if (v > y[k * T + t]) y[k * T + t] = v;
      }
    }
  }
  return y;
}

/**
 * Peak picking on a salience map [F, T]: per frame, the local maxima along
 * frequency above `threshold`, refined by parabolic interpolation of the
 * peak and its neighbours.
 */
export function pickPeaks(salience: Float32Array, bins: number, frames: number, threshold: number, firstFrame = 0): { times: Float64Array; freqs: Float64Array[] } {
  const times = new Float64Array(frames);
  const freqs: Float64Array[] = [];
  const peaks: number[] = [];
  for (let t = 0; t < frames; t++) {
    times[t] = ((firstFrame + t) * MULTIPITCH_HOP) / MULTIPITCH_RATE;
    peaks.length = 0;
    for (let k = 0; k < bins; k++) {
      const v = salience[k * frames + t];
      if (v < threshold) continue;
      const lo = k > 0 ? salience[(k - 1) * frames + t] : -Infinity, hi = k + 1 < bins ? salience[(k + 1) * frames + t] : -Infinity;
      if (!(v > lo && v >= hi)) continue;
      let offset = 0;
      if (k > 0 && k + 1 < bins) {
        const den = lo - 2 * v + hi;
        if (den < 0) offset = Math.max(-0.5, Math.min(0.5, (0.5 * (lo - hi)) / den));
      }
      peaks.push(binToHz(k + offset));
    }
    freqs.push(Float64Array.from(peaks));
  }
  return { times, freqs };
}

/** A loaded multi-F0 model: the ONNX session, its input kind and its tuned peak threshold. */
export interface MultipitchModel {
  readonly onnx: OnnxModel;
  readonly fusion: Fusion;
  readonly threshold: number;
}

/** Mixes channels to mono and resamples to the model's rate. */
export function toModelSignal(channels: readonly Float32Array[], sampleRate: number): Float32Array {
  if (channels.length === 0 || channels[0].length === 0) throw new InvalidInputError("multipitch: the audio is empty");
  const mono = toMono({ sampleRate, channels });
  return sampleRate === MULTIPITCH_RATE ? mono : resample(mono, sampleRate, MULTIPITCH_RATE);
}

export interface MultipitchOptions {
  readonly fusion: Fusion;
  readonly threshold: number;
  /** Seconds of audio per segment (memory bound); default 60. */
  readonly segmentSeconds?: number;
  readonly onProgress?: (fraction: number) => void;
  /** Called with each segment's salience core [F, frames] (for plots); frames counted from `firstFrame`. */
  readonly onSalience?: (salience: Float32Array, frames: number, firstFrame: number) => void;
}

/** Frames of context each side of a segment: 4 s, more than half the longest HCQT filter (≈ 5.3 s) plus the decimation filters; at 3 s, phase differentials of near-silent bins still differed at the segment edges (tests). */
const MARGIN_FRAMES = Math.ceil((4 * MULTIPITCH_RATE) / MULTIPITCH_HOP);

/** F0 sets per frame for a mono 22050 Hz signal. */
export async function multipitchWithModel(model: OnnxModel, signal: Float32Array, o: MultipitchOptions): Promise<{ times: Float64Array; freqs: Float64Array[] }> {
  return collect(multipitchStream(model, asBlocks({ sampleRate: MULTIPITCH_RATE, channels: [signal] }), { ...o, totalSeconds: signal.length / MULTIPITCH_RATE }));
}

/** F0 sets per frame of any audio (any rate and channel count), in mir_eval's multipitch layout. */
export async function multipitch(audio: AudioSignal, options: { readonly model: MultipitchModel } & Partial<Omit<MultipitchOptions, "fusion">>): Promise<{ times: Float64Array; freqs: Float64Array[] }> {
  const { model, ...rest } = options;
  const n = audio.channels[0]?.length ?? 0;
  return collect(multipitchStream(model.onnx, asBlocks(audio), { ...rest, fusion: model.fusion, threshold: rest.threshold ?? model.threshold, totalSeconds: n / audio.sampleRate }));
}

async function collect(parts: AsyncIterable<{ times: Float64Array; freqs: Float64Array[] }>): Promise<{ times: Float64Array; freqs: Float64Array[] }> {
  const times: number[] = [];
  const freqs: Float64Array[] = [];
  for await (const p of parts) {
    for (const t of p.times) times.push(t);
    for (const f of p.freqs) freqs.push(f);
  }
  return { times: Float64Array.from(times), freqs };
}

/**
 * Multiple F0s over a stream of audio blocks (one rate and channel count):
 * mixed to mono, resampled to 22050 Hz as it arrives (StreamResampler), and
 * cut into segments of `segmentSeconds` whose HCQTs carry 4 s of context each
 * side; yields each segment's frames in order. Memory is bounded by the
 * segment, whatever the stream's length. `totalSeconds`, when known, only
 * drives progress.
 */
export async function* multipitchStream(model: OnnxModel, blocks: AsyncIterable<AudioSignal>, o: MultipitchOptions & { readonly totalSeconds?: number }): AsyncGenerator<{ times: Float64Array; freqs: Float64Array[] }> {
  const coreFrames = Math.max(64, Math.round(((o.segmentSeconds ?? 60) * MULTIPITCH_RATE) / MULTIPITCH_HOP));
  const totalGuess = o.totalSeconds !== undefined ? Math.floor((o.totalSeconds * MULTIPITCH_RATE) / MULTIPITCH_HOP) + 1 : undefined;
  let buf = new Float32Array(0);
  let bufStart = 0, bufEnd = 0; // absolute sample indices at 22050 Hz
  let first = 0; // the next segment's first core frame
  let resampler: StreamResampler | undefined;
  let rate = 0, nc = 0;
  const append = (x: Float32Array) => {
    const used = bufEnd - bufStart;
    if (used + x.length > buf.length) {
      const grown = new Float32Array(Math.max(2 * (used + x.length), 1 << 16));
      grown.set(buf.subarray(0, used));
      buf = grown;
    }
    buf.set(x, used);
    bufEnd += x.length;
  };
  // One segment: core frames [first, first + core) of a signal whose frames end at totalFrames (Infinity while streaming).
  const segment = async (totalFrames: number) => {
    const core = Math.min(coreFrames, totalFrames - first);
    const from = Math.max(0, first - MARGIN_FRAMES);
    const to = Math.min(totalFrames, first + core + MARGIN_FRAMES);
    // Audio of frames [from, to): frame j is centred on sample j·hop.
    const a = from * MULTIPITCH_HOP, b = Math.min(bufEnd, (to - 1) * MULTIPITCH_HOP + 1);
    const input = multipitchInput(buf.subarray(a - bufStart, b - bufStart), o.fusion);
    const seg = await runChunked(model, { data: input.data, dims: [1, input.channels, input.bins, input.frames] }, {
      chunk: 512, overlap: 64,
      onProgress: totalGuess ? (f) => o.onProgress?.(Math.min(1, (first + f * core) / totalGuess)) : undefined,
    });
    const T = input.frames, off = first - from;
    const sal = new Float32Array(input.bins * core);
    for (let k = 0; k < input.bins; k++) for (let t = 0; t < core && off + t < T; t++) sal[k * core + t] = seg.data[k * T + off + t];
    o.onSalience?.(sal, core, first);
    const picked = pickPeaks(sal, input.bins, core, o.threshold, first);
    first += core;
    // Drop the audio no later segment needs.
    const keep = Math.max(bufStart, Math.min(bufEnd, (first - MARGIN_FRAMES) * MULTIPITCH_HOP));
    buf.copyWithin(0, keep - bufStart, bufEnd - bufStart);
    bufStart = keep;
    return picked;
  };
  for await (const block of blocks) {
    if (block.channels.length === 0) throw new InvalidInputError("multipitch: the audio is empty (no channels)");
    if (!resampler) {
      rate = block.sampleRate;
      nc = block.channels.length;
      resampler = new StreamResampler(rate, MULTIPITCH_RATE);
    } else if (block.sampleRate !== rate || block.channels.length !== nc) {
      throw new InvalidInputError(`multipitch: a block of ${block.channels.length} channels at ${block.sampleRate} Hz in a stream of ${nc} at ${rate} Hz`);
    }
    append(resampler.push(toMono(block)));
    // A segment is ready once the audio of its last context frame has arrived.
    while (bufEnd >= (first + coreFrames + MARGIN_FRAMES - 1) * MULTIPITCH_HOP + 1 + MULTIPITCH_HOP) yield await segment(Infinity);
  }
  if (!resampler) throw new InvalidInputError("multipitch: the audio is empty");
  append(resampler.end());
  if (bufEnd === 0) throw new InvalidInputError("multipitch: the audio is empty");
  const totalFrames = Math.floor(bufEnd / MULTIPITCH_HOP) + 1; // centred frames, as hcqt gives
  while (first < totalFrames) yield await segment(totalFrames);
  o.onProgress?.(1);
}
