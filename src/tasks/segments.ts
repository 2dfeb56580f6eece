/**
 * Audio streams cut into overlapping segments for frame-wise models: blocks
 * of any rate and channel count are mixed to mono, resampled to the model's
 * rate as they arrive (StreamResampler) and buffered; a segment is handed to
 * `process` once the audio of its core frames and `marginFrames` of context
 * each side has arrived (fewer at the ends). Frames are centred, frame j on
 * sample j·hop, and a signal of n samples has ⌊n/hop⌋ + 1 of them. Audio no
 * later segment needs is dropped, so memory is bounded by a segment whatever
 * the stream's length.
 */
import { StreamResampler } from "../dsp/resample.js";
import { InvalidInputError } from "../errors.js";
import { toMono, type AudioSignal } from "../io/audio.js";

export interface SegmentOptions {
  /** The model's sample rate. */
  readonly rate: number;
  readonly hop: number;
  /** Frames of context each side of a segment's core. */
  readonly marginFrames: number;
  /** Core frames per segment. */
  readonly coreFrames: number;
  /** The job's name, for errors ("multipitch: the audio is empty"). */
  readonly what: string;
  readonly signal?: AbortSignal;
}

/**
 * `process(audio, from, first, core, totalFrames)` for each segment in order: `audio` holds the samples of
 * frames [from, …) (frame `from` centred on its first sample), the core is frames [first, first + core);
 * totalFrames is Infinity until the stream has ended. Yields what `process` returns.
 */
export async function* segmentStream<T>(
  blocks: AsyncIterable<AudioSignal>, o: SegmentOptions,
  process: (audio: Float32Array, from: number, first: number, core: number, totalFrames: number) => Promise<T>,
): AsyncGenerator<T> {
  const { hop, marginFrames: margin, coreFrames } = o;
  let buf = new Float32Array(0);
  let bufStart = 0, bufEnd = 0; // absolute sample indices at o.rate
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
  const segment = async (totalFrames: number): Promise<T> => {
    const core = Math.min(coreFrames, totalFrames - first);
    const from = Math.max(0, first - margin);
    const to = Math.min(totalFrames, first + core + margin);
    const a = from * hop, b = Math.min(bufEnd, (to - 1) * hop + 1);
    const out = await process(buf.subarray(a - bufStart, b - bufStart), from, first, core, totalFrames);
    first += core;
    const keep = Math.max(bufStart, Math.min(bufEnd, (first - margin) * hop));
    buf.copyWithin(0, keep - bufStart, bufEnd - bufStart);
    bufStart = keep;
    return out;
  };
  o.signal?.throwIfAborted();
  for await (const block of blocks) {
    o.signal?.throwIfAborted();
    if (block.channels.length === 0) throw new InvalidInputError(`${o.what}: the audio is empty (no channels)`);
    if (!resampler) {
      rate = block.sampleRate;
      nc = block.channels.length;
      resampler = new StreamResampler(rate, o.rate);
    } else if (block.sampleRate !== rate || block.channels.length !== nc) {
      throw new InvalidInputError(`${o.what}: a block of ${block.channels.length} channels at ${block.sampleRate} Hz in a stream of ${nc} at ${rate} Hz`);
    }
    append(resampler.push(toMono(block)));
    // A segment is ready once the audio of its last context frame has arrived.
    while (bufEnd >= (first + coreFrames + margin - 1) * hop + 1 + hop) yield await segment(Infinity);
  }
  if (!resampler) throw new InvalidInputError(`${o.what}: the audio is empty`);
  append(resampler.end());
  if (bufEnd === 0) throw new InvalidInputError(`${o.what}: the audio is empty`);
  const totalFrames = Math.floor(bufEnd / hop) + 1;
  while (first < totalFrames) yield await segment(totalFrames);
}
