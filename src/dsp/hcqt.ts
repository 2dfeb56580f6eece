/**
 * Harmonic CQT (Bittner et al., ISMIR 2017), with the per-bin phase
 * differentials that Cuesta, McFee & Gómez (ISMIR 2020) feed to their
 * multiple-F0 CNN. Channel h is a CQT whose bin k sits at
 * harmonics[h]·fminHz·2^{k/B}, so bin k of every channel lines up with the
 * same candidate F0. Reference settings (the defaults): harmonics
 * {0.5, 1, 2, 3, 4, 5}, 60 bins per octave (20 cents), 6 octaves from C1,
 * 22050 Hz, hop 256.
 *
 * Layout: channel-major then frame-major, data[(h·nFrames + t)·nBins + k].
 */
import { InvalidInputError } from "../errors.js";
import { cqt } from "./cqt.js";
import { C1_HZ } from "./chroma.js";
import { wasmBase64 as hcqtConvWasm } from "./wasm/hcqtconv.js";
import { instantiateSimd } from "./wasm-simd.js";

export interface HcqtOptions {
  readonly harmonics?: readonly number[];
  readonly fminHz?: number;
  readonly binsPerOctave?: number;
  readonly nOctaves?: number;
  readonly hopLength?: number;
}

/** The grid of an HCQT: its harmonics, frames and bins per channel. */
export interface HcqtGrid {
  readonly harmonics: readonly number[];
  readonly nFrames: number;
  readonly nBins: number;
  readonly binsPerOctave: number;
  readonly fminHz: number;
  readonly hopLength: number;
  readonly sampleRate: number;
}

export interface Hcqt extends HcqtGrid {
  /** Log magnitude scaled to [0, 1]: (amplitude_to_db(|C|, ref = max over all channels) / 80) + 1, floored at 0. */
  readonly magnitude: Float32Array;
  /** Frame-to-frame phase difference per bin, wrapped to (−π, π] and divided by π; frame 0 is 0. */
  readonly phaseDiff: Float32Array;
}

export const HCQT_DEFAULTS = { harmonics: [0.5, 1, 2, 3, 4, 5], fminHz: C1_HZ, binsPerOctave: 60, nOctaves: 6, hopLength: 256 } as const;

/**
 * atan2 with |error| < 1.2e-5 rad (Abramowitz & Stegun 4.4.49 on |z| ≤ 1,
 * folded to the full circle), 3–4× faster than Math.atan2 here; the phase
 * features are float32 and divided by π, so the error is below their resolution
 * of interest. atan2(0, 0) = 0, as Math.atan2.
 */
export function atan2Approx(y: number, x: number): number {
  const ax = Math.abs(x), ay = Math.abs(y);
  if (ax === 0 && ay === 0) return 0;
  const swap = ay > ax;
  const z = swap ? ax / ay : ay / ax;
  const z2 = z * z;
  let r = z * (0.999866 + z2 * (-0.3302995 + z2 * (0.180141 + z2 * (-0.085133 + z2 * 0.0208351))));
  if (swap) r = Math.PI / 2 - r;
  if (x < 0) r = Math.PI - r;
  return y < 0 ? -r : r;
}

/**
 * Bin offset of harmonic h in the shared transform: round(B·log2(h / hmin)).
 * Octave harmonics (0.5, 1, 2, 4) land exactly; the 3rd and 5th are rounded to
 * the nearest bin (0.11 and 0.32 of a 20-cent bin: 2 and 6 cents), as
 * basic-pitch stacks its harmonics by shifting one CQT.
 */
export function harmonicShift(h: number, hMin: number, binsPerOctave: number): number {
  return Math.round(binsPerOctave * Math.log2(h / hMin));
}

/**
 * The transform every HCQT channel is a window of: log magnitude (scaled as `Hcqt.magnitude`) and phase
 * differential of one CQT, frame-major, `span` bins per frame; channel h is bins
 * [shifts[h], shifts[h] + nBins) of it.
 */
export interface SharedHcqt extends HcqtGrid {
  readonly logMag: Float32Array;
  readonly phase: Float32Array;
  readonly span: number;
  readonly shifts: readonly number[];
}

/**
 * The HCQT as one CQT shifted per harmonic: a single transform spans
 * hmin·fmin … hmax·fmin·2^{(nBins−1)/B} (9.3 octaves for the defaults instead
 * of 6 transforms of 6 octaves), is converted to log magnitude and phase
 * differential once; `hcqt` and `hcqtTensor` cut the channels from it. 3.5×
 * less transform and conversion work than one CQT per harmonic.
 */
export function sharedHcqt(signal: Float32Array, sampleRate: number, options: HcqtOptions = {}): SharedHcqt {
  const harmonics = options.harmonics ?? HCQT_DEFAULTS.harmonics;
  const fminHz = options.fminHz ?? HCQT_DEFAULTS.fminHz;
  const binsPerOctave = options.binsPerOctave ?? HCQT_DEFAULTS.binsPerOctave;
  const nBins = (options.nOctaves ?? HCQT_DEFAULTS.nOctaves) * binsPerOctave;
  const hopLength = options.hopLength ?? HCQT_DEFAULTS.hopLength;
  if (harmonics.length === 0 || harmonics.some((h) => !(h > 0))) throw new InvalidInputError(`hcqt: harmonics must be positive numbers, got [${harmonics.join(", ")}]`);
  const hMin = Math.min(...harmonics);
  const shifts = harmonics.map((h) => harmonicShift(h, hMin, binsPerOctave));
  const span = Math.max(...shifts) + nBins;
  const C = cqt(signal, sampleRate, { fminHz: fminHz * hMin, nBins: span, binsPerOctave, hopLength });
  const { re, im, nFrames } = C;
  // Log magnitude: amplitude_to_db with ref = the maximum over the bins inside some channel's window (the
  // windows of the default harmonics cover bins 0…558), amin 1e-5, top_db 80, /80 + 1, floored at 0:
  // (10·log10(p) − ref)/80 + 1. Phase: arg(C_t · conj(C_{t−1})), the wrapped phase advance; frame 0 is 0.
  const inside = new Uint8Array(span);
  for (const s of shifts) inside.fill(1, s, s + nBins);
  const runs: [number, number][] = [];
  for (let k = 0; k < span; k++) if (inside[k] === 1) { if (runs.length > 0 && runs[runs.length - 1][1] === k) runs[runs.length - 1][1] = k + 1; else runs.push([k, k + 1]); }
  let maxMag = 0;
  for (let t = 0; t < nFrames; t++) for (const [a, b] of runs) for (let k = t * span + a; k < t * span + b; k++) maxMag = Math.max(maxMag, Math.fround(re[k] * re[k] + im[k] * im[k]));
  const ref = 10 * Math.log10(Math.max(1e-10, maxMag));
  const level: DbScale = { floorPower: Math.max(1e-10, Math.pow(10, (ref - 80) / 10)), floorValue: Math.max(0, (-100 - ref) / 80 + 1), scale: (10 * Math.LN2) / Math.LN10 / 80, offset: 1 - ref / 80 };
  const w = loadConv();
  const { logMag, phase } = w ? convertSimd(w, re, im, nFrames, span, level) : convertJs(re, im, span, level);
  return { logMag, phase, span, shifts, harmonics, nFrames, nBins, binsPerOctave, fminHz, hopLength, sampleRate };
}

/** The log-magnitude scale of a shared HCQT: floorValue at or below floorPower, else log2(p)·scale + offset. */
interface DbScale { readonly floorPower: number; readonly floorValue: number; readonly scale: number; readonly offset: number }

/** The conversions in JavaScript (no WebAssembly SIMD). */
function convertJs(re: Float32Array, im: Float32Array, span: number, d: DbScale): { logMag: Float32Array; phase: Float32Array } {
  const all = re.length;
  const power = new Float32Array(all);
  for (let i = 0; i < all; i++) power[i] = re[i] * re[i] + im[i] * im[i];
  // log2 of a positive normal float32 from its bits: the exponent plus a degree-6 polynomial of the
  // mantissa (|error| < 2.2e-6, i.e. < 2e-7 on the [0, 1] scale), 3× faster than Math.log here.
  const bits = new Int32Array(power.buffer, power.byteOffset, all);
  const logMag = power; // converted in place
  for (let i = 0; i < all; i++) {
    const p = power[i];
    if (p <= d.floorPower) { logMag[i] = d.floorValue; continue; }
    const b = bits[i], m = (b & 0x7fffff) * (1 / 8388608);
    const l2 = ((b >> 23) - 127) + (((((((-0.025123486819600818 * m + 0.11929956026904394) * m - 0.27462541216943226) * m + 0.4555286816016601) * m - 0.7175584249408518) * m + 1.4424753948539148) * m) + 2.1204909327526447e-6);
    logMag[i] = l2 * d.scale + d.offset;
  }
  const phase = new Float32Array(all);
  for (let a = span; a < all; a++) {
    const b = a - span;
    phase[a] = atan2Approx(im[a] * re[b] - re[a] * im[b], re[a] * re[b] + im[a] * im[b]) / Math.PI;
  }
  return { logMag, phase };
}

/** Our SIMD conversions (wasm/hcqtconv.wat), loaded on first use; null where WebAssembly SIMD is missing. */
interface HcqtConv {
  readonly memory: WebAssembly.Memory;
  logmag(re: number, im: number, out: number, n: number, floorPower: number, floorValue: number, scale: number, offset: number): void;
  phase(re: number, im: number, out: number, n: number, span: number): void;
}
let conv: HcqtConv | null | undefined;
const loadConv = (): HcqtConv | null => (conv === undefined ? (conv = instantiateSimd<HcqtConv>(hcqtConvWasm)) : conv);
/** Frames per call into hcqtconv.wat: its memory stays at a few MB whatever the signal's length. */
const CONV_BLOCK = 256;

/**
 * The conversions in WebAssembly SIMD, CONV_BLOCK frames at a time (each block with the frame before it, for
 * the phase): 4–5× faster than the JavaScript path, to within float32 rounding of it (the log magnitude
 * within 1e-6, the phase where the magnitude is not noise within 1e-5 of a half turn).
 */
function convertSimd(w: HcqtConv, re: Float32Array, im: Float32Array, nFrames: number, span: number, d: DbScale): { logMag: Float32Array; phase: Float32Array } {
  const region = (CONV_BLOCK + 1) * span + 8; // floats: a block, the frame before it, and room for the last vector
  const need = 16 * region;
  if (w.memory.buffer.byteLength < need) w.memory.grow(Math.ceil((need - w.memory.buffer.byteLength) / 65536));
  const heap = new Float32Array(w.memory.buffer);
  const [reAt, imAt, lmAt, phAt] = [0, 1, 2, 3].map((k) => k * region);
  const logMag = new Float32Array(nFrames * span), phase = new Float32Array(nFrames * span);
  for (let t0 = 0; t0 < nFrames; t0 += CONV_BLOCK) {
    const t1 = Math.min(nFrames, t0 + CONV_BLOCK), from = Math.max(0, t0 - 1) * span, n = t1 * span - from;
    heap.set(re.subarray(from, t1 * span), reAt);
    heap.set(im.subarray(from, t1 * span), imAt);
    heap.fill(0, reAt + n, reAt + n + 8);
    heap.fill(0, imAt + n, imAt + n + 8);
    w.logmag(4 * reAt, 4 * imAt, 4 * lmAt, n, d.floorPower, d.floorValue, d.scale, d.offset);
    w.phase(4 * reAt, 4 * imAt, 4 * phAt, n, span);
    const skip = t0 * span - from; // the frame before the block, when there is one
    logMag.set(heap.subarray(lmAt + skip, lmAt + n), t0 * span);
    if (t0 > 0) phase.set(heap.subarray(phAt + skip, phAt + n), t0 * span);
    else phase.set(heap.subarray(phAt + span, phAt + n), span); // frame 0 stays 0
  }
  return { logMag, phase };
}

/** The HCQT of a signal, channel by channel (a copy of each window of the shared transform). */
export function hcqt(signal: Float32Array, sampleRate: number, options: HcqtOptions = {}): Hcqt {
  const s = sharedHcqt(signal, sampleRate, options);
  const { nFrames, nBins, span } = s;
  const size = nFrames * nBins;
  const magnitude = new Float32Array(s.harmonics.length * size);
  const phaseDiff = new Float32Array(s.harmonics.length * size);
  for (const [h, shift] of s.shifts.entries()) for (let t = 0; t < nFrames; t++) {
    const from = t * span + shift, to = h * size + t * nBins;
    magnitude.set(s.logMag.subarray(from, from + nBins), to);
    phaseDiff.set(s.phase.subarray(from, from + nBins), to);
  }
  return { magnitude, phaseDiff, harmonics: s.harmonics, nFrames, nBins, binsPerOctave: s.binsPerOctave, fminHz: s.fminHz, hopLength: s.hopLength, sampleRate };
}

/**
 * The channels of a shared HCQT in a model's layout [C, F, T] (time last): the magnitude channels, then,
 * with `phase`, the phase-differential ones.
 */
export function hcqtTensor(s: SharedHcqt, phase: boolean): Float32Array {
  const data = new Float32Array((phase ? 2 : 1) * s.shifts.length * s.nBins * s.nFrames);
  hcqtFrames(s, phase, data, 0, s.nFrames, s.nFrames);
  return data;
}

/**
 * Frames [start, start + len) of `hcqtTensor(s, phase)` into `out` laid out [C, F, width] (frame t at
 * column t − start), so a model's input can be cut chunk by chunk without the whole tensor: each chunk is
 * transposed from the shared transform while it is in cache, eight frames at a time (eight reads a bin
 * apart in the source, eight contiguous writes; 2.5× faster than tiles of one frame per write loop).
 */
export function hcqtFrames(s: SharedHcqt, phase: boolean, out: Float32Array, start: number, len: number, width: number): void {
  const { nBins: F, span, shifts } = s;
  const sources = phase ? [s.logMag, s.phase] : [s.logMag];
  const H = shifts.length;
  if (start < 0 || len < 0 || start + len > s.nFrames || width < len || out.length < sources.length * H * F * width) {
    throw new InvalidInputError(`hcqtFrames: frames [${start}, ${start + len}) of ${s.nFrames} do not fit an output of width ${width} and ${out.length} values`);
  }
  const s2 = 2 * span, s3 = 3 * span, s4 = 4 * span, s5 = 5 * span, s6 = 6 * span, s7 = 7 * span, end = start + len;
  for (let kind = 0; kind < sources.length; kind++) {
    const src = sources[kind];
    for (let h = 0; h < H; h++) {
      const base = (kind * H + h) * F * width - start, shift = shifts[h];
      let t0 = start;
      for (; t0 + 8 <= end; t0 += 8) {
        for (let k = 0, i = t0 * span + shift, d = base + t0; k < F; k++, i++, d += width) {
          out[d] = src[i]; out[d + 1] = src[i + span]; out[d + 2] = src[i + s2]; out[d + 3] = src[i + s3];
          out[d + 4] = src[i + s4]; out[d + 5] = src[i + s5]; out[d + 6] = src[i + s6]; out[d + 7] = src[i + s7];
        }
      }
      for (; t0 < end; t0++) for (let k = 0, i = t0 * span + shift, d = base + t0; k < F; k++, i++, d += width) out[d] = src[i];
    }
  }
}
