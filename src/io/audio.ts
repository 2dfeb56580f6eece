/**
 * The in-memory audio type shared by every layer: planar Float32 channels,
 * nominally in [-1, 1], all of the same length, plus the sample rate in Hz.
 */
import { InvalidInputError } from "../errors.js";

export interface AudioSignal {
  readonly sampleRate: number;
  readonly channels: readonly Float32Array[];
}

/** The sample rates audio can have (1 kHz … 768 kHz); a header outside them is damaged. */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 768000;
/** The most channels a file may declare (Ogg Vorbis's limit; WAV's 16-bit field would allow 65535). */
export const MAX_CHANNELS = 255;

/**
 * Refuses a decoded format no audio has: a sample rate outside 1–768 kHz or a
 * channel count outside 1–255, before any work sizes buffers from it.
 */
export function checkAudioFormat(sampleRate: number, channels: number, file?: string): void {
  if (!Number.isInteger(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new InvalidInputError(`the header declares a sample rate of ${sampleRate} Hz, outside the ${MIN_SAMPLE_RATE / 1000}–${MAX_SAMPLE_RATE / 1000} kHz audio can have (a damaged header?)`, { file });
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
    throw new InvalidInputError(`the header declares ${channels} channels; expected 1 to ${MAX_CHANNELS} (a damaged header?)`, { file });
  }
}

/** Number of samples per channel. */
export function audioLength(audio: AudioSignal): number {
  return audio.channels.length === 0 ? 0 : audio.channels[0].length;
}

/** Mean of the channels (librosa's `to_mono`); returns the input's array when it is already mono. */
export function toMono(audio: AudioSignal): Float32Array {
  const { channels } = audio;
  if (channels.length === 1) return channels[0];
  const n = audioLength(audio);
  const out = new Float32Array(n);
  const scale = 1 / channels.length;
  for (const ch of channels) for (let i = 0; i < n; i++) out[i] += ch[i];
  for (let i = 0; i < n; i++) out[i] *= scale;
  return out;
}

/** The whole signal as a one-block stream, for the streaming tasks. */
export async function* asBlocks(audio: AudioSignal): AsyncGenerator<AudioSignal> {
  yield audio;
}
