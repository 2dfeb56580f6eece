/**
 * The in-memory audio type shared by every layer: planar Float32 channels,
 * nominally in [-1, 1], all of the same length, plus the sample rate in Hz.
 */
export interface AudioSignal {
  readonly sampleRate: number;
  readonly channels: readonly Float32Array[];
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
