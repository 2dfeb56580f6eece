/** `mirkit info`: format, duration, rate, channels, peak and loudness, streaming the file. */
import { LoudnessMeter } from "../dsp/loudness.js";
import { streamAudioFile, type StreamInfo } from "../io/file.js";
import { InvalidInputError } from "../errors.js";
import type { Progress } from "./progress.js";

export interface AudioInfo {
  readonly file: string;
  readonly format: string;
  readonly sizeBytes: number;
  readonly durationSeconds: number;
  readonly frames: number;
  readonly sampleRate: number;
  readonly channels: number;
  /** Largest absolute sample value (1 = full scale). */
  readonly peak: number;
  readonly peakDbfs: number;
  /** Integrated loudness, ITU-R BS.1770-4; null for silence or under 400 ms. */
  readonly loudnessLufs: number | null;
}

export async function audioInfo(file: string, progress?: Progress): Promise<AudioInfo> {
  let stream: StreamInfo | undefined;
  let meter: LoudnessMeter | undefined;
  let frames = 0, peak = 0, sampleRate = 0, channels = 0;
  for await (const block of streamAudioFile(file, { onInfo: (i) => (stream = i) })) {
    if (meter === undefined) {
      sampleRate = block.sampleRate;
      channels = block.channels.length;
      meter = new LoudnessMeter(sampleRate, channels);
    }
    meter.push(block.channels);
    for (const ch of block.channels) for (let i = 0; i < ch.length; i++) {
      const a = Math.abs(ch[i]);
      if (a > peak) peak = a;
    }
    frames += block.channels[0].length;
    // Progress by samples for WAV (exact), by bytes elsewhere would need the decoder's position; samples·bytes estimate is enough.
    if (stream !== undefined) progress?.update(Math.min(1, (frames * channels * 2) / stream.sizeBytes), "reading");
  }
  if (meter === undefined || stream === undefined || frames === 0) throw new InvalidInputError("no audio samples in the file", { file });
  const lufs = meter.integrated();
  return {
    file,
    format: stream.format,
    sizeBytes: stream.sizeBytes,
    durationSeconds: frames / sampleRate,
    frames,
    sampleRate,
    channels,
    peak,
    peakDbfs: peak > 0 ? 20 * Math.log10(peak) : -Infinity,
    loudnessLufs: Number.isFinite(lufs) ? lufs : null,
  };
}

function clock(seconds: number): string {
  const m = Math.floor(seconds / 60), s = seconds - 60 * m;
  return `${m}:${s.toFixed(2).padStart(5, "0")}`;
}

export function formatInfo(i: AudioInfo): string {
  const rows: [string, string][] = [
    ["format", i.format.toUpperCase()],
    ["duration", `${clock(i.durationSeconds)} (${i.durationSeconds.toFixed(3)} s, ${i.frames} frames)`],
    ["sample rate", `${i.sampleRate} Hz`],
    ["channels", String(i.channels)],
    ["peak", i.peak > 0 ? `${i.peakDbfs.toFixed(2)} dBFS (${i.peak.toFixed(4)})` : "silent"],
    ["loudness", i.loudnessLufs === null ? "n/a (silent or shorter than 0.4 s)" : `${i.loudnessLufs.toFixed(1)} LUFS`],
  ];
  return [i.file, ...rows.map(([k, v]) => `  ${k.padEnd(13)}${v}`)].join("\n");
}
