/**
 * Decoding of whole files held in memory: WAV and FLAC by our own readers; MP3
 * and Ogg Vorbis by the wasm decoders of the `wasm-audio-decoders` family (they
 * run in Node and in browsers, with no ffmpeg). The format is sniffed from the
 * bytes, never from the file name.
 */
import { OggVorbisDecoder } from "@wasm-audio-decoders/ogg-vorbis";
import { MPEGDecoder } from "mpg123-decoder";
import { InvalidInputError, UnsupportedFormatError } from "../errors.js";
import { checkAudioFormat, type AudioSignal } from "./audio.js";
import { TAIL_BYTES, truncation } from "./completeness.js";
import { FlacDecoder } from "./flac-decode.js";
import { decodeWav } from "./wav.js";

export type AudioFormat = "wav" | "flac" | "mp3" | "ogg-vorbis";

/** Identifies the container/codec from the first bytes; throws for anything we cannot decode. */
export function sniffFormat(bytes: Uint8Array, file?: string): AudioFormat {
  if (bytes.length === 0) throw new InvalidInputError("the file is empty (0 bytes); expected audio", { file });
  const head = String.fromCharCode(...bytes.subarray(0, Math.min(64, bytes.length)));
  if (head.startsWith("RIFF") || head.startsWith("RF64")) return "wav";
  if (head.startsWith("fLaC")) return "flac";
  if (head.startsWith("OggS")) {
    if (head.includes("\x01vorbis")) return "ogg-vorbis";
    const codec = head.includes("OpusHead") ? "Opus" : head.includes("FLAC") ? "FLAC" : "an unknown codec";
    throw new UnsupportedFormatError(`Ogg file holds ${codec}; mirkit decodes Ogg Vorbis (convert with ffmpeg)`, { file });
  }
  if (head.startsWith("ID3") || (bytes.length > 1 && bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0)) {
    if (head.startsWith("ID3") && bytes.length >= 10) {
      // An ID3v2 tag may precede FLAC as well as MP3: look behind it.
      const tagSize = ((bytes[6] & 0x7f) << 21) | ((bytes[7] & 0x7f) << 14) | ((bytes[8] & 0x7f) << 7) | (bytes[9] & 0x7f);
      const after = 10 + tagSize;
      if (after + 4 <= bytes.length && String.fromCharCode(...bytes.subarray(after, after + 4)) === "fLaC") return "flac";
    }
    return "mp3";
  }
  throw new UnsupportedFormatError(
    `unrecognised audio format (first bytes "${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ")}"); mirkit reads WAV, FLAC, MP3 and Ogg Vorbis`,
    { file },
  );
}

interface WasmDecoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  /** `inputBytes`: how far into the stream the decoder was when it failed. */
  errors: { message: string; inputBytes?: number }[];
}

/** Turns a wasm decoder's result into an AudioSignal, or a typed error naming the file. */
export function checkDecoded(result: WasmDecoded, format: AudioFormat, file?: string): AudioSignal {
  if (result.errors.length > 0) {
    const e = result.errors[0];
    const where = e.inputBytes !== undefined ? ` near byte ${e.inputBytes}` : "";
    const after = result.samplesDecoded > 0 ? ` after ${result.samplesDecoded} samples` : "";
    throw new InvalidInputError(`corrupt ${format} data${where}${after}: ${e.message}`, { file });
  }
  if (result.samplesDecoded === 0 || result.channelData.length === 0) {
    throw new InvalidInputError(`no audio could be decoded from this ${format} file (truncated or empty stream)`, { file });
  }
  checkAudioFormat(result.sampleRate, result.channelData.length, file);
  return {
    sampleRate: result.sampleRate,
    channels: result.channelData.map((c) => (c.length === result.samplesDecoded ? c : c.subarray(0, result.samplesDecoded))),
  };
}

/** A streaming decoder for one compressed format: push byte chunks, get PCM. */
export interface StreamDecoder {
  decode(chunk: Uint8Array): Promise<WasmDecoded>;
  flush(): Promise<WasmDecoded>;
  free(): void;
}

/** Creates a ready streaming decoder for FLAC, MP3 or Ogg Vorbis. */
export async function createStreamDecoder(format: Exclude<AudioFormat, "wav">, file?: string): Promise<StreamDecoder> {
  const none = async (): Promise<WasmDecoded> => ({ channelData: [], samplesDecoded: 0, sampleRate: 0, errors: [] });
  if (format === "flac") {
    const d = new FlacDecoder(file);
    const toDecoded = (frames: Float32Array[][]): WasmDecoded =>
      concatDecoded(frames.map((f) => ({ channelData: f, samplesDecoded: f[0].length, sampleRate: d.streamInfo!.sampleRate, errors: [] })));
    return {
      decode: async (c) => toDecoded(d.push(c)),
      flush: async () => {
        d.finish();
        return none();
      },
      free: () => {},
    };
  }
  if (format === "ogg-vorbis") {
    const d = new OggVorbisDecoder();
    await d.ready;
    return { decode: (c) => d.decode(c), flush: () => d.flush(), free: () => d.free() };
  }
  const d = new MPEGDecoder();
  await d.ready;
  // mpg123-decoder also prints each error on the console; it reaches the caller once, in `errors`.
  return { decode: async (c) => withoutConsoleLines("mpg123-decoder", () => d.decode(c)), flush: none, free: () => d.free() };
}

/** Runs `f` with console.error lines that begin with `prefix` dropped. */
function withoutConsoleLines<T>(prefix: string, f: () => T): T {
  const original = console.error;
  console.error = (...args: unknown[]) => {
    if (!(typeof args[0] === "string" && args[0].startsWith(prefix))) original(...args);
  };
  try {
    return f();
  } finally {
    console.error = original;
  }
}

/** Refuses a truncated MP3 or Ogg file (see completeness.ts); `tail`: the file's last bytes. */
export function checkComplete(format: AudioFormat, tail: Uint8Array, size: number, file?: string): void {
  if (format !== "mp3" && format !== "ogg-vorbis") return;
  const why = truncation(format, tail, size);
  if (why !== undefined) throw new InvalidInputError(why, { file });
}

/** Decodes a complete audio file held in memory (WAV, FLAC, MP3 or Ogg Vorbis). */
export async function decodeAudio(bytes: Uint8Array, options: { readonly file?: string } = {}): Promise<AudioSignal> {
  const { file } = options;
  const format = sniffFormat(bytes, file);
  if (format === "wav") return decodeWav(bytes, file);
  checkComplete(format, bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)), bytes.length, file);
  const decoder = await createStreamDecoder(format, file);
  try {
    const parts = [await decoder.decode(bytes), await decoder.flush()];
    return checkDecoded(concatDecoded(parts), format, file);
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    throw new InvalidInputError(`corrupt ${format} data: ${e instanceof Error ? e.message : String(e)}`, { file, cause: e });
  } finally {
    decoder.free();
  }
}

/** Joins successive decoder outputs into one. */
export function concatDecoded(parts: WasmDecoded[]): WasmDecoded {
  const nonEmpty = parts.filter((p) => p.samplesDecoded > 0);
  const total = nonEmpty.reduce((s, p) => s + p.samplesDecoded, 0);
  const nc = nonEmpty.length === 0 ? 0 : nonEmpty[0].channelData.length;
  const channelData = Array.from({ length: nc }, () => new Float32Array(total));
  let at = 0;
  for (const p of nonEmpty) {
    for (let c = 0; c < nc; c++) channelData[c].set(p.channelData[c].subarray(0, p.samplesDecoded), at);
    at += p.samplesDecoded;
  }
  return {
    channelData,
    samplesDecoded: total,
    sampleRate: nonEmpty.length === 0 ? 0 : nonEmpty[0].sampleRate,
    errors: parts.flatMap((p) => p.errors),
  };
}
