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
import { asBlocks, type AudioSignal } from "../io/audio.js";
import { MULTIPITCH_HOP, MULTIPITCH_RATE, multipitchSource, pickPeaks } from "../models/pitch/contract.js";
import type { MultipitchModel } from "../models/pitch/model.js";
import { MULTIF0_TIME_RADIUS, type Fusion } from "../models/pitch/multif0.js";
import { OnnxModel, runChunked, type TensorSource } from "../nn/runtime.js";
import { segmentStream } from "./segments.js";

export interface MultipitchOptions {
  readonly fusion: Fusion;
  readonly threshold: number;
  /** Seconds of audio per segment (memory bound); default 60. */
  readonly segmentSeconds?: number;
  readonly onProgress?: (fraction: number) => void;
  /** Cancels the job: it rejects with the signal's reason before the next chunk of model input. */
  readonly signal?: AbortSignal;
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
 * segments of `segmentSeconds` whose HCQTs carry 4 s of context each side
 * (tasks/segments.ts); yields each segment's frames in order. Memory is
 * bounded by the segment, whatever the stream's length. `totalSeconds`,
 * when known, only drives progress.
 */
export async function* multipitchStream(model: OnnxModel, blocks: AsyncIterable<AudioSignal>, o: MultipitchOptions & { readonly totalSeconds?: number }): AsyncGenerator<{ times: Float64Array; freqs: Float64Array[] }> {
  const coreFrames = Math.max(64, Math.round(((o.segmentSeconds ?? 60) * MULTIPITCH_RATE) / MULTIPITCH_HOP));
  const totalGuess = o.totalSeconds !== undefined ? Math.floor((o.totalSeconds * MULTIPITCH_RATE) / MULTIPITCH_HOP) + 1 : undefined;
  yield* segmentStream(blocks, { rate: MULTIPITCH_RATE, hop: MULTIPITCH_HOP, marginFrames: MARGIN_FRAMES, coreFrames, what: "multipitch", signal: o.signal }, async (audio, from, first, core) => {
    const input = multipitchSource(audio, o.fusion);
    // The HCQT needs the segment's margins (long low-frequency kernels); the CNN only the frames its output
    // sees: the core ± MULTIF0_TIME_RADIUS, which gives the core the values a pass over the whole segment would.
    const off = first - from, a = Math.max(0, off - MULTIF0_TIME_RADIUS), b = Math.min(input.frames, off + core + MULTIF0_TIME_RADIUS), T = b - a;
    const window: TensorSource = { dims: [...input.source.dims.slice(0, -1), T], fill: (out, start, len, width) => input.source.fill(out, a + start, len, width) };
    const seg = await runChunked(model, window, {
      chunk: 512, overlap: 4 * MULTIF0_TIME_RADIUS, signal: o.signal,
      onProgress: totalGuess ? (f) => o.onProgress?.(Math.min(1, (first + f * core) / totalGuess)) : undefined,
    });
    const sal = new Float32Array(input.bins * core);
    for (let k = 0; k < input.bins; k++) for (let t = 0; t < core && off - a + t < T; t++) sal[k * core + t] = seg.data[k * T + off - a + t];
    o.onSalience?.(sal, core, first);
    return pickPeaks(sal, input.bins, core, o.threshold, first);
  });
  o.onProgress?.(1);
}
