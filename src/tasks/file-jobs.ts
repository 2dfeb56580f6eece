/**
 * The file-level jobs that both the command line and the service run
 * (Node-only, exported from "mirkit/node"): one audio file in, streamed
 * through a model, files or values out. Memory is bounded by a segment,
 * whatever the file's length; progress is a fraction; an AbortSignal
 * cancels between chunks of model input and removes what was half-written.
 */
import { transcribePartsStream, type PartsModels, type PartsResult } from "./instruments.js";
import { encodeWithTool } from "../io/encoders.js";
import { makeOutputDir, readAudioFile, scratchDir, WavFileWriter, withAudioStream, writeAudioFile, type AudioStream } from "../io/file.js";
import type { WavEncoding } from "../io/wav.js";
import { audioLength } from "../io/audio.js";
import { InvalidInputError } from "../errors.js";
import { lyricsAlignment, type AlignedPhoneme, type LyricsLine } from "../lyrics/phonemes.js";
import type { MultipitchModel } from "../models/pitch/model.js";
import type { SeparationModel } from "../models/separation/model.js";
import { multipitchStream } from "./multipitch.js";
import type { PianoNote } from "../models/transcription/contract.js";
import type { PianoTranscriber } from "../models/transcription/model.js";
import { transcribeStream } from "./transcribe.js";
import { separate, separateStream } from "./separate.js";
import * as path from "node:path";

export type StemFormat = "wav" | "flac" | "mp3" | "ogg";

export interface SeparateFileOptions {
  readonly model: SeparationModel;
  readonly format?: StemFormat;
  /** WAV/FLAC sample format (default float32 for WAV, pcm16 for FLAC; MP3/Ogg ignore it). */
  readonly encoding?: WavEncoding;
  readonly wiener?: boolean;
  /** Fraction done; `secondsDone` stands in where a compressed input does not say its length up front. */
  readonly onProgress?: (fraction: number, secondsDone?: number) => void;
  readonly signal?: AbortSignal;
  /** Informed models: what is sung when, as aligned phonemes, or as timed lyrics lines (LRC) spread over their lines. */
  readonly phonemes?: readonly AlignedPhoneme[];
  readonly lyrics?: readonly LyricsLine[];
  /** Named in errors about the alignment (its file). */
  readonly alignmentName?: string;
}

/** Slack allowed past the audio's end before an alignment is taken for another song's. */
const ALIGNMENT_SLACK_SECONDS = 1;

/** The aligned phonemes of a separation (LRC lines spread over the audio), checked against its length when known. */
function informedAlignment(file: string, seconds: number | undefined, o: SeparateFileOptions): readonly AlignedPhoneme[] | undefined {
  const segs = o.lyrics ? lyricsAlignment(o.lyrics, seconds ?? Infinity) : o.phonemes;
  if (segs === undefined || seconds === undefined) return segs;
  const name = o.alignmentName ?? "the alignment";
  const end = o.lyrics ? o.lyrics[o.lyrics.length - 1].start : segs[segs.length - 1]?.end ?? 0;
  if (segs.length === 0 || end > seconds + ALIGNMENT_SLACK_SECONDS) {
    throw new InvalidInputError(`${name} runs to ${end.toFixed(1)} s but ${path.basename(file)} lasts ${seconds.toFixed(1)} s; is it the alignment of another song?`);
  }
  return segs;
}

/**
 * Separates `file` into `dir`/vocals.<format> and accompaniment.<format> (the
 * folder is made) and returns the two paths. WAV is streamed block by block;
 * MP3/Ogg are the same 16-bit WAV stems made in a scratch folder, then
 * encoded into place; FLAC is encoded from the whole stems in memory.
 */
export async function separateFile(file: string, dir: string, o: SeparateFileOptions): Promise<string[]> {
  const format = o.format ?? "wav";
  const encoding = o.encoding ?? (format === "flac" ? "pcm16" : "float32");
  const stems = ["vocals", "accompaniment"].map((s) => path.join(dir, `${s}.${format}`));
  if (format === "flac") {
    const audio = await readAudioFile(file);
    const phonemes = informedAlignment(file, audioLength(audio) / audio.sampleRate, o);
    const { vocals, accompaniment } = await separate(audio, { model: o.model, wiener: o.wiener === true, onProgress: o.onProgress, signal: o.signal, phonemes });
    await makeOutputDir(dir);
    await writeAudioFile(stems[0], { sampleRate: audio.sampleRate, channels: vocals }, { format: "flac", encoding });
    await writeAudioFile(stems[1], { sampleRate: audio.sampleRate, channels: accompaniment }, { format: "flac", encoding });
    return stems;
  }
  const scratch = format === "wav" ? undefined : await scratchDir();
  try {
    const wavs = scratch ? ["vocals", "accompaniment"].map((s) => path.join(scratch.path, `${s}.wav`)) : stems;
    await streamStems(file, wavs, scratch ? "pcm16" : encoding, o, scratch ? undefined : dir);
    if (scratch) {
      await makeOutputDir(dir);
      for (const [k, wav] of wavs.entries()) await encodeWithTool(format as "mp3" | "ogg", wav, stems[k]);
    }
  } finally {
    await scratch?.done();
  }
  return stems;
}

/** Separates `file` into two WAV files as it streams (WavFileWriter: temporary siblings until closed). */
async function streamStems(file: string, outs: string[], encoding: WavEncoding, o: SeparateFileOptions, makeDir?: string): Promise<void> {
  await withAudioStream(file, async ({ sampleRate, channels, frames: total, blocks }) => {
    const phonemes = informedAlignment(file, total ? total / sampleRate : undefined, o);
    if (makeDir !== undefined) await makeOutputDir(makeDir);
    const writers = [await WavFileWriter.open(outs[0], sampleRate, channels, encoding), await WavFileWriter.open(outs[1], sampleRate, channels, encoding)];
    try {
      let done = 0;
      for await (const out of separateStream(blocks, { model: o.model, wiener: o.wiener === true, onProgress: total ? o.onProgress : undefined, totalFrames: total, signal: o.signal, phonemes })) {
        await writers[0].write(out.vocals);
        await writers[1].write(out.accompaniment);
        done += out.vocals[0].length;
        if (!total) o.onProgress?.(0, done / sampleRate);
      }
      for (const w of writers) await w.close();
    } catch (e) {
      for (const w of writers) await w.abort();
      throw e;
    }
  });
}

/** The stream's length in seconds where its header says. */
const secondsOf = (s: AudioStream) => (s.frames !== undefined ? s.frames / s.sampleRate : undefined);

export interface MultipitchFileOptions {
  readonly model: MultipitchModel;
  /** Peak-picking threshold (default: the model's). */
  readonly threshold?: number;
  readonly onProgress?: (fraction: number) => void;
  /** Each segment's salience (bins × frames, frame-major rows) and its first frame. */
  readonly onSalience?: (salience: Float32Array, frames: number, firstFrame: number) => void;
  /** Called once the file's header is read, with its length in seconds where the header says. */
  readonly onOpen?: (totalSeconds: number | undefined) => void;
  readonly signal?: AbortSignal;
}

/** Every F0 per frame of `file`, streamed: times in seconds and the F0s (Hz) of each frame. */
export async function multipitchFile(file: string, o: MultipitchFileOptions): Promise<{ times: number[]; freqs: Float64Array[] }> {
  return withAudioStream(file, async (s) => {
    const times: number[] = [];
    const freqs: Float64Array[] = [];
    const totalSeconds = secondsOf(s);
    o.onOpen?.(totalSeconds);
    for await (const part of multipitchStream(o.model.onnx, s.blocks, {
      fusion: o.model.fusion, threshold: o.threshold ?? o.model.threshold, totalSeconds,
      onProgress: o.onProgress, onSalience: o.onSalience, signal: o.signal,
    })) {
      for (const t of part.times) times.push(t);
      for (const f of part.freqs) freqs.push(f);
    }
    return { times, freqs };
  });
}

export interface TranscribeFileOptions {
  readonly model: PianoTranscriber;
  readonly onProgress?: (fraction: number) => void;
  /** Called once the file's header is read, with its length in seconds where the header says. */
  readonly onOpen?: (totalSeconds: number | undefined) => void;
  readonly signal?: AbortSignal;
}

/** The piano notes of `file`, streamed (memory bounded by a segment), sorted by onset then pitch. */
export async function transcribeFile(file: string, o: TranscribeFileOptions): Promise<PianoNote[]> {
  return withAudioStream(file, async (s) => {
    const totalSeconds = secondsOf(s);
    o.onOpen?.(totalSeconds);
    const notes: PianoNote[] = [];
    for await (const part of transcribeStream(s.blocks, { model: o.model, totalSeconds, onProgress: o.onProgress, signal: o.signal })) notes.push(...part);
    return notes.sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
  });
}

export interface TranscribePartsFileOptions {
  readonly model: PartsModels;
  /** Parts (1–5) or "auto". */
  readonly instruments: number | "auto";
  readonly method?: "embedding" | "timbre";
  readonly onProgress?: (fraction: number) => void;
  /** Called once the file's header is read, with its length in seconds where the header says. */
  readonly onOpen?: (totalSeconds: number | undefined) => void;
  readonly signal?: AbortSignal;
}

/** The notes of `file` in parts (multi-instrument transcription), streamed: memory bounded by a segment plus a few bytes a note frame. */
export async function transcribePartsFile(file: string, o: TranscribePartsFileOptions): Promise<PartsResult> {
  return withAudioStream(file, (s) => {
    const totalSeconds = secondsOf(s);
    o.onOpen?.(totalSeconds);
    return transcribePartsStream(o.model, s.blocks, { instruments: o.instruments, method: o.method, totalSeconds, onProgress: o.onProgress, signal: o.signal });
  });
}
