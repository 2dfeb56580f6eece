/**
 * A FLAC decoder, pure TypeScript, streaming by frames.
 *
 * Reads every subframe type of the format (CONSTANT, VERBATIM, FIXED, LPC),
 * both Rice residual methods with escapes, wasted bits, and all stereo
 * decorrelations, and checks each frame's CRC-8 and CRC-16. We wrote it
 * because the npm wasm decoder we tried (@wasm-audio-decoders/flac 0.2.11,
 * codec-parser 2.5.0) found no frames even in files made by the reference
 * `flac` tool.
 */
import { InvalidInputError, UnsupportedFormatError } from "../errors.js";
import { checkAudioFormat } from "./audio.js";
import { crc16, crc8 } from "./bits.js";

class NeedMoreData extends Error {}

class BitReader {
  pos = 0; // bit position
  constructor(readonly bytes: Uint8Array) {}

  readBits(n: number): number {
    let v = 0;
    while (n > 0) {
      const byteIdx = this.pos >>> 3;
      if (byteIdx >= this.bytes.length) throw new NeedMoreData();
      const bitOff = this.pos & 7;
      const avail = 8 - bitOff;
      const take = n < avail ? n : avail;
      const chunk = (this.bytes[byteIdx] >>> (avail - take)) & ((1 << take) - 1);
      v = v * (1 << take) + chunk;
      this.pos += take;
      n -= take;
    }
    return v;
  }

  readSigned(n: number): number {
    if (n === 0) return 0;
    const v = this.readBits(n);
    return v >= 2 ** (n - 1) ? v - 2 ** n : v;
  }

  readUnary(): number {
    let q = 0;
    for (;;) {
      const byteIdx = this.pos >>> 3;
      if (byteIdx >= this.bytes.length) throw new NeedMoreData();
      const bitOff = this.pos & 7;
      const rest = (this.bytes[byteIdx] << bitOff) & 0xff;
      if (rest === 0) {
        q += 8 - bitOff;
        this.pos += 8 - bitOff;
        continue;
      }
      const lead = Math.clz32(rest) - 24;
      q += lead;
      this.pos += lead + 1;
      return q;
    }
  }

  alignToByte(): void {
    this.pos = (this.pos + 7) & ~7;
  }
}

export interface FlacStreamInfo {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  readonly totalSamples: number;
}

/** Incremental decoder: push bytes, receive whole frames as Float32 channels. */
export class FlacDecoder {
  private buf = new Uint8Array(0);
  private info: FlacStreamInfo | undefined;
  private headerDone = false;
  private consumed = 0;

  constructor(private readonly file?: string) {}

  get streamInfo(): FlacStreamInfo | undefined {
    return this.info;
  }

  /** Feeds bytes; returns the samples of every frame completed by them. */
  push(chunk: Uint8Array): Float32Array[][] {
    const merged = new Uint8Array(this.buf.length + chunk.length);
    merged.set(this.buf);
    merged.set(chunk, this.buf.length);
    this.buf = merged;
    const frames: Float32Array[][] = [];
    let offset = 0;
    try {
      if (!this.headerDone) {
        offset = this.readHeader();
        this.headerDone = true;
      }
      while (offset < this.buf.length) {
        const r = new BitReader(this.buf.subarray(offset));
        frames.push(this.readFrame(r));
        offset += r.pos >>> 3;
      }
    } catch (e) {
      if (!(e instanceof NeedMoreData)) throw e;
    }
    this.consumed += offset;
    this.buf = this.buf.slice(offset);
    return frames;
  }

  /** Call at end of input: throws if a partial frame or no header remains. */
  finish(): void {
    if (!this.headerDone) throw new InvalidInputError("truncated FLAC file: the stream header is incomplete", { file: this.file });
    if (this.buf.length > 0) {
      throw new InvalidInputError(`truncated FLAC file: ${this.buf.length} bytes of an incomplete frame at byte ${this.consumed}`, { file: this.file });
    }
  }

  private corrupt(msg: string): never {
    throw new InvalidInputError(`corrupt FLAC data near byte ${this.consumed}: ${msg}`, { file: this.file });
  }

  /** Parses "fLaC" and the metadata blocks; returns the offset of the first frame. */
  private readHeader(): number {
    const b = this.buf;
    let pos = 0;
    if (b.length < 10) throw new NeedMoreData();
    if (b[0] === 0x49 && b[1] === 0x44 && b[2] === 0x33) {
      pos = 10 + (((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f));
    }
    if (b.length < pos + 8) throw new NeedMoreData();
    if (String.fromCharCode(b[pos], b[pos + 1], b[pos + 2], b[pos + 3]) !== "fLaC") {
      throw new InvalidInputError('not a FLAC file: missing "fLaC" marker', { file: this.file });
    }
    pos += 4;
    for (;;) {
      if (b.length < pos + 4) throw new NeedMoreData();
      const last = (b[pos] & 0x80) !== 0;
      const type = b[pos] & 0x7f;
      const len = (b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3];
      if (b.length < pos + 4 + len) throw new NeedMoreData();
      if (type === 0) {
        const r = new BitReader(b.subarray(pos + 4, pos + 4 + len));
        r.readBits(16 + 16 + 24 + 24);
        const sampleRate = r.readBits(20);
        const channels = r.readBits(3) + 1;
        const bitsPerSample = r.readBits(5) + 1;
        const totalSamples = r.readBits(36);
        checkAudioFormat(sampleRate, channels, this.file);
        if (bitsPerSample < 4) throw new InvalidInputError(`STREAMINFO declares ${bitsPerSample} bits per sample; FLAC needs 4 to 32`, { file: this.file });
        this.info = { sampleRate, channels, bitsPerSample, totalSamples };
      }
      pos += 4 + len;
      if (last) break;
    }
    if (this.info === undefined) throw new InvalidInputError("FLAC file has no STREAMINFO block", { file: this.file });
    return pos;
  }

  private readFrame(r: BitReader): Float32Array[] {
    const info = this.info!;
    const sync = r.readBits(15);
    if (sync !== 0x7ffc) this.corrupt("lost frame sync");
    r.readBits(1); // blocking strategy
    const bsCode = r.readBits(4);
    const srCode = r.readBits(4);
    const chCode = r.readBits(4);
    const ssCode = r.readBits(3);
    r.readBits(1);
    // UTF-8-style coded frame/sample number.
    const first = r.readBits(8);
    let extra = 0;
    while (extra < 7 && (first & (0x80 >> extra)) !== 0) extra++;
    if (extra === 1 || extra > 7) this.corrupt("bad frame number encoding");
    for (let i = 1; i < extra; i++) r.readBits(8);
    let blockSize: number;
    if (bsCode === 1) blockSize = 192;
    else if (bsCode >= 2 && bsCode <= 5) blockSize = 576 << (bsCode - 2);
    else if (bsCode === 6) blockSize = r.readBits(8) + 1;
    else if (bsCode === 7) blockSize = r.readBits(16) + 1;
    else if (bsCode >= 8) blockSize = 256 << (bsCode - 8);
    else this.corrupt("reserved block size code");
    if (srCode === 12) r.readBits(8);
    else if (srCode === 13 || srCode === 14) r.readBits(16);
    else if (srCode === 15) this.corrupt("invalid sample rate code");
    const headerEnd = r.pos >>> 3;
    const crc = r.readBits(8);
    if (crc8(r.bytes.subarray(0, headerEnd)) !== crc) this.corrupt("frame header CRC mismatch");
    const bps = [info.bitsPerSample, 8, 12, 0, 16, 20, 24, 32][ssCode];
    if (bps === 0) this.corrupt("reserved sample size code");
    let nc: number;
    if (chCode < 8) nc = chCode + 1;
    else if (chCode <= 10) nc = 2;
    else this.corrupt("reserved channel assignment");
    if (nc !== info.channels) this.corrupt(`frame has ${nc} channels, stream has ${info.channels}`);
    const chans: Float64Array[] = [];
    for (let c = 0; c < nc; c++) {
      const sideBit = (chCode === 8 && c === 1) || (chCode === 9 && c === 0) || (chCode === 10 && c === 1) ? 1 : 0;
      chans.push(this.readSubframe(r, blockSize, bps + sideBit));
    }
    r.alignToByte();
    const frameEnd = r.pos >>> 3;
    const footer = r.readBits(16);
    if (crc16(r.bytes.subarray(0, frameEnd)) !== footer) this.corrupt("frame CRC-16 mismatch");
    if (chCode >= 8) {
      const [a, b] = chans;
      for (let i = 0; i < blockSize; i++) {
        if (chCode === 8) b[i] = a[i] - b[i]; // left/side
        else if (chCode === 9) a[i] = a[i] + b[i]; // side/right
        else {
          const side = b[i];
          const mid = a[i] * 2 + (side & 1);
          a[i] = (mid + side) / 2;
          b[i] = (mid - side) / 2;
        }
      }
    }
    const scale = 1 / 2 ** (bps - 1);
    return chans.map((c) => Float32Array.from(c, (v) => v * scale));
  }

  private readSubframe(r: BitReader, n: number, bps: number): Float64Array {
    if (r.readBits(1) !== 0) this.corrupt("subframe padding bit set");
    const type = r.readBits(6);
    let wasted = 0;
    if (r.readBits(1) === 1) wasted = r.readUnary() + 1;
    const sbps = bps - wasted;
    const out = new Float64Array(n);
    if (type === 0) out.fill(r.readSigned(sbps));
    else if (type === 1) for (let i = 0; i < n; i++) out[i] = r.readSigned(sbps);
    else if (type >= 8 && type <= 12) {
      const order = type - 8;
      for (let i = 0; i < order; i++) out[i] = r.readSigned(sbps);
      this.readResidual(r, n, order, out);
      for (let i = order; i < n; i++) {
        switch (order) {
          case 1: out[i] += out[i - 1]; break;
          case 2: out[i] += 2 * out[i - 1] - out[i - 2]; break;
          case 3: out[i] += 3 * out[i - 1] - 3 * out[i - 2] + out[i - 3]; break;
          case 4: out[i] += 4 * out[i - 1] - 6 * out[i - 2] + 4 * out[i - 3] - out[i - 4]; break;
        }
      }
    } else if (type >= 32) {
      const order = type - 31;
      for (let i = 0; i < order; i++) out[i] = r.readSigned(sbps);
      const precision = r.readBits(4) + 1;
      if (precision === 16) this.corrupt("invalid LPC coefficient precision");
      const shift = r.readSigned(5);
      if (shift < 0) this.corrupt("negative LPC shift");
      const coefs = new Float64Array(order);
      for (let i = 0; i < order; i++) coefs[i] = r.readSigned(precision);
      this.readResidual(r, n, order, out);
      const div = 2 ** shift;
      for (let i = order; i < n; i++) {
        let sum = 0;
        for (let j = 0; j < order; j++) sum += coefs[j] * out[i - 1 - j];
        out[i] += Math.floor(sum / div);
      }
    } else {
      throw new UnsupportedFormatError(`reserved FLAC subframe type ${type}`, { file: this.file });
    }
    if (wasted > 0) for (let i = 0; i < n; i++) out[i] *= 2 ** wasted;
    return out;
  }

  /** Reads a partitioned Rice residual into out[order..n). */
  private readResidual(r: BitReader, n: number, order: number, out: Float64Array): void {
    const method = r.readBits(2);
    if (method > 1) this.corrupt("reserved residual coding method");
    const paramBits = method === 0 ? 4 : 5;
    const escape = method === 0 ? 15 : 31;
    const po = r.readBits(4);
    const parts = 1 << po;
    const partLen = n >> po;
    if (partLen * parts !== n || partLen < order) this.corrupt("residual partition order does not fit the block");
    let i = order;
    for (let p = 0; p < parts; p++) {
      const count = p === 0 ? partLen - order : partLen;
      const k = r.readBits(paramBits);
      if (k === escape) {
        const raw = r.readBits(5);
        for (let j = 0; j < count; j++) out[i++] = r.readSigned(raw);
        continue;
      }
      for (let j = 0; j < count; j++) {
        const u = r.readUnary() * 2 ** k + (k > 0 ? r.readBits(k) : 0);
        out[i++] = u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      }
    }
  }
}
