/**
 * A FLAC encoder, pure over Float32 channels.
 *
 * It uses what the format offers without linear prediction: fixed polynomial
 * predictors of order 0–4 (FLAC spec §"FIXED subframe"), constant subframes
 * for digital silence, stereo decorrelation (left/side, right/side, mid/side)
 * chosen per frame, and partitioned Rice coding of the residual with the
 * partition order and parameters chosen per subframe. Fixed block size 4096.
 * The output is lossless with respect to the quantized samples. Frame headers
 * carry the sample rate and sample size themselves (FLAC's streamable
 * subset), so decoders that start mid-stream or skip STREAMINFO stay in sync.
 */
import { InvalidInputError } from "../errors.js";
import type { AudioSignal } from "./audio.js";
import { BitWriter, crc16, crc8 } from "./bits.js";
import { quantize } from "./wav.js";

const BLOCK_SIZE = 4096;
const MAX_PARTITION_ORDER = 8;

export interface FlacOptions {
  /** Bits per sample of the stored integers: 16 (default) or 24. */
  readonly bitsPerSample?: 16 | 24;
}

/** Encodes audio as a FLAC file. Samples are rounded to the bit depth and clipped to [-1, 1). */
export function encodeFlac(audio: AudioSignal, options: FlacOptions = {}): Uint8Array {
  const bps = options.bitsPerSample ?? 16;
  const nc = audio.channels.length;
  if (nc < 1 || nc > 8) throw new InvalidInputError(`encodeFlac: FLAC holds 1 to 8 channels, got ${nc}`);
  const rate = audio.sampleRate;
  if (!Number.isInteger(rate) || rate < 1 || rate > 655350) {
    throw new InvalidInputError(`encodeFlac: sample rate ${rate} Hz is outside FLAC's 1..655350 Hz`);
  }
  const n = audio.channels[0].length;
  const scale = 2 ** (bps - 1);
  const ints = audio.channels.map((ch) => {
    if (ch.length !== n) throw new InvalidInputError(`encodeFlac: channels differ in length (${ch.length} vs ${n})`);
    const q = new Int32Array(n);
    for (let i = 0; i < n; i++) q[i] = quantize(ch[i], scale);
    return q;
  });

  const w = new BitWriter();
  w.writeBits(0x664c6143, 32); // "fLaC"
  const streamInfoAt = w.byteLength;
  for (let i = 0; i < 38; i++) w.writeBits(0, 8); // placeholder, patched below

  let minFrame = Infinity;
  let maxFrame = 0;
  for (let start = 0, frameNo = 0; start < n; start += BLOCK_SIZE, frameNo++) {
    const len = Math.min(BLOCK_SIZE, n - start);
    const before = w.byteLength;
    writeFrame(w, ints.map((q) => q.subarray(start, start + len)), bps, rate, frameNo);
    const size = w.byteLength - before;
    minFrame = Math.min(minFrame, size);
    maxFrame = Math.max(maxFrame, size);
  }

  const out = w.bytes().slice();
  const info = new BitWriter();
  info.writeBits(1, 1); // last metadata block
  info.writeBits(0, 7); // STREAMINFO
  info.writeBits(34, 24);
  const blockField = Math.max(16, Math.min(BLOCK_SIZE, n));
  info.writeBits(blockField, 16);
  info.writeBits(blockField, 16);
  info.writeBits(n === 0 ? 0 : minFrame, 24);
  info.writeBits(maxFrame, 24);
  info.writeBits(rate, 20);
  info.writeBits(nc - 1, 3);
  info.writeBits(bps - 1, 5);
  info.writeBits(Math.floor(n / 2 ** 32), 4);
  info.writeBits(n >>> 0, 32);
  for (let i = 0; i < 16; i++) info.writeBits(0, 8); // MD5 unset (allowed by the spec)
  out.set(info.bytes(), streamInfoAt);
  return out;
}

type Assignment = { code: number; chans: Int32Array[]; extraBit: number[] };

/** The rates a frame header names by a code alone (FLAC format, frame header "sample rate"). */
const RATE_CODES: ReadonlyMap<number, number> = new Map([[88200, 1], [176400, 2], [192000, 3], [8000, 4], [16000, 5], [22050, 6], [24000, 7], [32000, 8], [44100, 9], [48000, 10], [96000, 11]]);

/**
 * The frame header's sample-rate field: a code, or a code plus the rate at
 * the end of the header (in kHz, Hz or tens of Hz). Only a rate none of these
 * can hold falls back to "from STREAMINFO" (code 0), outside the streamable subset.
 */
export function rateCode(rate: number): { code: number; value: number; bits: number } {
  const named = RATE_CODES.get(rate);
  if (named !== undefined) return { code: named, value: 0, bits: 0 };
  if (rate % 1000 === 0 && rate / 1000 <= 255) return { code: 12, value: rate / 1000, bits: 8 };
  if (rate <= 65535) return { code: 13, value: rate, bits: 16 };
  if (rate % 10 === 0 && rate / 10 <= 65535) return { code: 14, value: rate / 10, bits: 16 };
  return { code: 0, value: 0, bits: 0 };
}

function writeFrame(w: BitWriter, block: Int32Array[], bps: number, sampleRate: number, frameNo: number): void {
  const len = block[0].length;
  const assignment = chooseAssignment(block);
  const frameStart = w.byteLength;
  w.writeBits(0xfff8, 16); // sync, reserved, fixed block size
  w.writeBits(0b0111, 4); // block size: 16-bit (size-1) at end of header
  const rate = rateCode(sampleRate);
  w.writeBits(rate.code, 4);
  w.writeBits(assignment.code, 4);
  w.writeBits(bps === 16 ? 0b100 : 0b110, 3); // sample size in the header (16 or 24 bits), as the streamable subset asks
  w.writeBits(0, 1);
  writeUtf8Number(w, frameNo);
  w.writeBits(len - 1, 16);
  if (rate.bits > 0) w.writeBits(rate.value, rate.bits);
  w.writeBits(crc8(w.bytes().subarray(frameStart)), 8);
  assignment.chans.forEach((ch, i) => writeSubframe(w, ch, bps + assignment.extraBit[i]));
  w.alignToByte();
  w.writeBits(crc16(w.bytes().subarray(frameStart)), 16);
}

/** Picks independent or one of the three stereo decorrelations, by estimated residual size. */
function chooseAssignment(block: Int32Array[]): Assignment {
  if (block.length !== 2) return { code: block.length - 1, chans: block, extraBit: block.map(() => 0) };
  const [l, r] = block;
  const len = l.length;
  const mid = new Int32Array(len);
  const side = new Int32Array(len);
  for (let i = 0; i < len; i++) {
    side[i] = l[i] - r[i];
    mid[i] = (l[i] + r[i]) >> 1; // the spec's mid: floor((L+R)/2); the lost bit is recovered from side
  }
  const cost = [l, r, mid, side].map((c) => bestFixedOrder(c).cost);
  const options: [number, Assignment][] = [
    [cost[0] + cost[1], { code: 0b0001, chans: [l, r], extraBit: [0, 0] }],
    [cost[0] + cost[3], { code: 0b1000, chans: [l, side], extraBit: [0, 1] }],
    [cost[3] + cost[1], { code: 0b1001, chans: [side, r], extraBit: [1, 0] }],
    [cost[2] + cost[3], { code: 0b1010, chans: [mid, side], extraBit: [0, 1] }],
  ];
  options.sort((a, b) => a[0] - b[0]);
  return options[0][1];
}

function writeUtf8Number(w: BitWriter, v: number): void {
  if (v < 0x80) {
    w.writeBits(v, 8);
    return;
  }
  let nBytes = 2;
  while (v >= 2 ** (5 * nBytes + 1)) nBytes++;
  const lead = (0xff00 >> nBytes) & 0xff;
  w.writeBits(lead | Math.floor(v / 2 ** (6 * (nBytes - 1))), 8);
  for (let i = nBytes - 2; i >= 0; i--) w.writeBits(0x80 | (Math.floor(v / 2 ** (6 * i)) & 0x3f), 8);
}

/** Residual of the fixed polynomial predictor of the given order, for samples order..len-1. */
function fixedResidual(x: Int32Array, order: number): Float64Array {
  const len = x.length;
  const res = new Float64Array(Math.max(0, len - order));
  for (let i = order; i < len; i++) {
    let p: number;
    switch (order) {
      case 0: p = 0; break;
      case 1: p = x[i - 1]; break;
      case 2: p = 2 * x[i - 1] - x[i - 2]; break;
      case 3: p = 3 * x[i - 1] - 3 * x[i - 2] + x[i - 3]; break;
      default: p = 4 * x[i - 1] - 6 * x[i - 2] + 4 * x[i - 3] - x[i - 4];
    }
    res[i - order] = x[i] - p;
  }
  return res;
}

function bestFixedOrder(x: Int32Array): { order: number; cost: number } {
  let best = { order: 0, cost: Infinity };
  const maxOrder = Math.min(4, x.length - 1);
  for (let order = 0; order <= maxOrder; order++) {
    const res = fixedResidual(x, order);
    let sum = 0;
    for (let i = 0; i < res.length; i++) sum += Math.abs(res[i]);
    // Rice cost of a Laplacian residual grows with log2 of the mean magnitude.
    const cost = res.length * Math.log2(1 + sum / Math.max(1, res.length)) + order * 32;
    if (cost < best.cost) best = { order, cost };
  }
  return best;
}

function writeSubframe(w: BitWriter, x: Int32Array, bps: number): void {
  let constant = true;
  for (let i = 1; i < x.length && constant; i++) constant = x[i] === x[0];
  if (constant) {
    w.writeBits(0, 8); // pad bit, type CONSTANT, no wasted bits
    w.writeSigned(x[0], bps);
    return;
  }
  const { order } = bestFixedOrder(x);
  const res = fixedResidual(x, order);
  const rice = planRice(res, x.length, order);
  const verbatimBits = x.length * bps;
  if (rice.bits + order * bps >= verbatimBits) {
    w.writeBits(0b00000010, 8); // VERBATIM
    for (let i = 0; i < x.length; i++) w.writeSigned(x[i], bps);
    return;
  }
  w.writeBits(0, 1);
  w.writeBits(0b001000 | order, 6); // FIXED, order
  w.writeBits(0, 1);
  for (let i = 0; i < order; i++) w.writeSigned(x[i], bps);
  writeResidual(w, res, rice, x.length, order);
}

interface RicePlan {
  partitionOrder: number;
  params: number[];
  /** 5-bit parameters (method 01) when a parameter exceeds 14. */
  wide: boolean;
  bits: number;
}

const zigzag = (r: number) => (r >= 0 ? 2 * r : -2 * r - 1);

function riceParamFor(sum: number, count: number): number {
  if (count === 0 || sum <= count) return 0;
  return Math.min(30, Math.max(0, Math.floor(Math.log2(sum / count))));
}

function planRice(res: Float64Array, blockLen: number, order: number): RicePlan {
  let best: RicePlan | undefined;
  for (let po = 0; po <= MAX_PARTITION_ORDER; po++) {
    const parts = 1 << po;
    if (blockLen % parts !== 0 || blockLen / parts <= order) break;
    const partLen = blockLen / parts;
    const params: number[] = [];
    let bits = 0;
    let start = 0;
    for (let p = 0; p < parts; p++) {
      const count = p === 0 ? partLen - order : partLen;
      let sum = 0;
      for (let i = start; i < start + count; i++) sum += zigzag(res[i]);
      const k = riceParamFor(sum, count);
      let partBits = 0;
      for (let i = start; i < start + count; i++) partBits += Math.floor(zigzag(res[i]) / 2 ** k) + 1 + k;
      params.push(k);
      bits += partBits;
      start += count;
    }
    const wide = params.some((k) => k > 14);
    bits += parts * (wide ? 5 : 4) + 6;
    if (best === undefined || bits < best.bits) best = { partitionOrder: po, params, wide, bits };
  }
  return best!;
}

function writeResidual(w: BitWriter, res: Float64Array, plan: RicePlan, blockLen: number, order: number): void {
  w.writeBits(plan.wide ? 1 : 0, 2);
  w.writeBits(plan.partitionOrder, 4);
  const partLen = blockLen >> plan.partitionOrder;
  let start = 0;
  plan.params.forEach((k, p) => {
    w.writeBits(k, plan.wide ? 5 : 4);
    const count = p === 0 ? partLen - order : partLen;
    for (let i = start; i < start + count; i++) {
      const u = zigzag(res[i]);
      const q = Math.floor(u / 2 ** k);
      w.writeUnary(q);
      if (k > 0) w.writeBits(u - q * 2 ** k, k);
    }
    start += count;
  });
}
