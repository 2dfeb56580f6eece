/**
 * WAV (RIFF/WAVE) reading and writing, pure over bytes.
 *
 * Conventions: integer PCM is scaled to [-1, 1) by 2^(bits-1) (8-bit is
 * unsigned with a 128 offset, as the format defines); float data is passed
 * through. WAVE_FORMAT_EXTENSIBLE is read by its sub-format GUID, and written
 * whenever there are more than two channels or more than 16 bits, as the
 * Microsoft spec asks.
 */
import { InvalidInputError, UnsupportedFormatError } from "../errors.js";
import { checkAudioFormat, type AudioSignal } from "./audio.js";

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

/** Where the sample data of a WAV file lies and how to read it. */
export interface WavLayout {
  readonly sampleRate: number;
  readonly numChannels: number;
  readonly bitsPerSample: number;
  readonly float: boolean;
  /** Byte offset of the first sample in the file. */
  readonly dataOffset: number;
  /** Length of the sample data in bytes (whole frames only). */
  readonly dataBytes: number;
}

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/**
 * Parses the header chunks of a WAV file. `bytes` may be only the start of the
 * file (enough to reach the data chunk); `fileSize` is the whole file's size,
 * used to check that the data chunk is really there.
 */
export function parseWavHeader(bytes: Uint8Array, fileSize: number, file?: string): WavLayout {
  const bad = (msg: string) => new InvalidInputError(msg, { file });
  if (fileSize === 0) throw bad("the file is empty (0 bytes); expected a WAV file");
  if (bytes.length < 12) throw bad(`truncated WAV header: ${bytes.length} bytes, a RIFF header needs 12`);
  const riff = fourcc(bytes, 0);
  if (riff !== "RIFF" && riff !== "RF64") throw bad(`not a WAV file: starts with "${printable(bytes, 4)}", expected "RIFF"`);
  if (fourcc(bytes, 8) !== "WAVE") throw bad(`not a WAV file: RIFF form type is "${fourcc(bytes, 8)}", expected "WAVE"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 12;
  let fmt: { tag: number; channels: number; rate: number; bits: number; blockAlign: number } | undefined;
  let rf64DataSize: number | undefined;
  while (pos + 8 <= bytes.length) {
    const id = fourcc(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === "ds64" && body + 16 <= bytes.length) {
      rf64DataSize = Number(view.getBigUint64(body + 8, true));
    } else if (id === "fmt ") {
      if (size < 16 || body + 16 > bytes.length) throw bad(`truncated WAV header: fmt chunk has ${size} bytes, needs 16`);
      let tag = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const rate = view.getUint32(body + 4, true);
      const blockAlign = view.getUint16(body + 12, true);
      const bits = view.getUint16(body + 14, true);
      if (tag === FORMAT_EXTENSIBLE) {
        if (size < 40 || body + 26 > bytes.length) throw bad("truncated WAV header: WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes");
        tag = view.getUint16(body + 24, true); // first two bytes of the sub-format GUID
      }
      fmt = { tag, channels, rate, bits, blockAlign };
    } else if (id === "data") {
      if (fmt === undefined) throw bad("WAV data chunk comes before its fmt chunk");
      return checkLayout(fmt, body, size, rf64DataSize, fileSize, file);
    }
    pos = body + size + (size & 1);
  }
  if (fmt === undefined) throw bad("truncated WAV header: no fmt chunk found");
  throw bad("WAV file has no data chunk (truncated, or header only)");
}

function checkLayout(
  fmt: { tag: number; channels: number; rate: number; bits: number; blockAlign: number },
  dataOffset: number,
  declared: number,
  rf64DataSize: number | undefined,
  fileSize: number,
  file: string | undefined,
): WavLayout {
  const bad = (msg: string) => new InvalidInputError(msg, { file });
  const float = fmt.tag === FORMAT_FLOAT;
  if (fmt.tag !== FORMAT_PCM && !float) {
    throw new UnsupportedFormatError(
      `unsupported WAV codec (format tag 0x${fmt.tag.toString(16)}); mirkit reads PCM and IEEE float WAV. Convert it with e.g. "ffmpeg -i in.wav -c:a pcm_s16le out.wav"`,
      { file },
    );
  }
  const okBits = float ? [32, 64] : [8, 16, 24, 32];
  if (!okBits.includes(fmt.bits)) {
    throw new UnsupportedFormatError(`unsupported WAV bit depth ${fmt.bits} for ${float ? "float" : "PCM"} data (expected ${okBits.join(", ")})`, { file });
  }
  checkAudioFormat(fmt.rate, fmt.channels, file);
  const frameBytes = (fmt.bits / 8) * fmt.channels;
  let size = declared === 0xffffffff && rf64DataSize !== undefined ? rf64DataSize : declared;
  const available = fileSize - dataOffset;
  // Streaming writers leave 0 or 0xFFFFFFFF in the size field: then the data runs to the end of the file.
  if (declared === 0 || declared === 0xffffffff) size = Math.max(0, available);
  if (size > available) {
    throw bad(`truncated WAV data: the data chunk declares ${size} bytes but only ${Math.max(0, available)} follow`);
  }
  const dataBytes = size - (size % frameBytes);
  if (dataBytes === 0) throw bad("WAV data chunk holds no samples (zero-length data)");
  return { sampleRate: fmt.rate, numChannels: fmt.channels, bitsPerSample: fmt.bits, float, dataOffset, dataBytes };
}

function printable(bytes: Uint8Array, n: number): string {
  let s = "";
  for (let i = 0; i < Math.min(n, bytes.length); i++) {
    const c = bytes[i];
    s += c >= 32 && c < 127 ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`;
  }
  return s;
}

/**
 * Converts interleaved sample bytes (whole frames) to planar Float32 channels.
 * Throws on NaN or infinite float samples: they poison every later sum.
 */
export function wavBytesToChannels(bytes: Uint8Array, layout: WavLayout, file?: string, firstFrame = 0): Float32Array[] {
  const { numChannels: nc, bitsPerSample: bits, float } = layout;
  const bps = bits / 8;
  const nFrames = Math.floor(bytes.length / (bps * nc));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = Array.from({ length: nc }, () => new Float32Array(nFrames));
  let p = 0;
  for (let i = 0; i < nFrames; i++) {
    for (let c = 0; c < nc; c++, p += bps) {
      let v: number;
      if (float) {
        v = bits === 32 ? view.getFloat32(p, true) : view.getFloat64(p, true);
        if (!Number.isFinite(v)) {
          throw new InvalidInputError(`WAV holds a non-finite sample (${v}) at frame ${firstFrame + i}, channel ${c}`, { file });
        }
      } else if (bits === 16) v = view.getInt16(p, true) / 32768;
      else if (bits === 24) v = (((bytes[p + 2] << 24) | (bytes[p + 1] << 16) | (bytes[p] << 8)) >> 8) / 8388608;
      else if (bits === 32) v = view.getInt32(p, true) / 2147483648;
      else v = (bytes[p] - 128) / 128;
      out[c][i] = v;
    }
  }
  return out;
}

/** Decodes a whole WAV file held in memory. */
export function decodeWav(bytes: Uint8Array, file?: string): AudioSignal {
  const layout = parseWavHeader(bytes, bytes.length, file);
  const data = bytes.subarray(layout.dataOffset, layout.dataOffset + layout.dataBytes);
  return { sampleRate: layout.sampleRate, channels: wavBytesToChannels(data, layout, file) };
}

export type WavEncoding = "pcm16" | "pcm24" | "float32";

/**
 * Encodes planar channels as a WAV file. PCM is rounded to nearest and clipped
 * to the representable range (no dither).
 */
export function encodeWav(audio: AudioSignal, options: { readonly encoding?: WavEncoding } = {}): Uint8Array {
  const encoding = options.encoding ?? "pcm16";
  const nc = audio.channels.length;
  if (nc === 0) throw new InvalidInputError("encodeWav: audio has no channels");
  const n = audio.channels[0].length;
  for (const ch of audio.channels) {
    if (ch.length !== n) throw new InvalidInputError(`encodeWav: channels differ in length (${ch.length} vs ${n})`);
  }
  const bits = encoding === "pcm16" ? 16 : encoding === "pcm24" ? 24 : 32;
  const bps = bits / 8;
  if (nc * bps > 0xffff) throw new InvalidInputError(`encodeWav: ${nc} channels of ${bits} bits do not fit a WAV frame (block align is 16-bit)`);
  const extensible = nc > 2 || bits > 16;
  const fmtSize = extensible ? 40 : 16;
  const dataBytes = n * nc * bps;
  const total = 12 + 8 + fmtSize + 8 + dataBytes;
  if (total > 0xffffffff) throw new InvalidInputError(`encodeWav: ${total} bytes exceed the 4 GiB limit of RIFF WAV`);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  const tag = encoding === "float32" ? FORMAT_FLOAT : FORMAT_PCM;
  ascii(0, "RIFF");
  view.setUint32(4, total - 8, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, extensible ? FORMAT_EXTENSIBLE : tag, true);
  view.setUint16(22, nc, true);
  view.setUint32(24, audio.sampleRate, true);
  view.setUint32(28, audio.sampleRate * nc * bps, true);
  view.setUint16(32, nc * bps, true);
  view.setUint16(34, bits, true);
  let pos = 36;
  if (extensible) {
    view.setUint16(36, 22, true); // cbSize
    view.setUint16(38, bits, true); // valid bits
    view.setUint32(40, nc <= 18 ? 2 ** nc - 1 : 0, true); // channel mask: the first nc speakers
    // Sub-format GUID: tag-0000-0010-8000-00AA00389B71
    view.setUint16(44, tag, true);
    out.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 46);
    pos = 60;
  }
  ascii(pos, "data");
  view.setUint32(pos + 4, dataBytes, true);
  pos += 8;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nc; c++, pos += bps) {
      const v = audio.channels[c][i];
      if (encoding === "float32") view.setFloat32(pos, v, true);
      else if (encoding === "pcm16") view.setInt16(pos, quantize(v, 32768), true);
      else {
        const q = quantize(v, 8388608);
        out[pos] = q & 0xff;
        out[pos + 1] = (q >> 8) & 0xff;
        out[pos + 2] = (q >> 16) & 0xff;
      }
    }
  }
  return out;
}

/** Rounds v·scale to the nearest integer in [-scale, scale-1]; NaN becomes 0. */
export function quantize(v: number, scale: number): number {
  const q = Math.round(v * scale);
  if (!(q > -scale)) return q !== q ? 0 : -scale;
  return q > scale - 1 ? scale - 1 : q;
}
