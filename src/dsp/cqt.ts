/**
 * Constant-Q transform, following librosa 0.10's `cqt` (a `vqt` with γ = 0):
 * the octaves are computed from the top down; each octave's filters are
 * Hann-windowed complex sinusoids of length Q·sr/f (Q = filterScale/α,
 * α = (2^{2/B} − 1)/(2^{2/B} + 1) for B bins per octave), L1-normalised,
 * applied in the frequency domain to a centred, zero-padded STFT with a
 * sparsified kernel; between octaves the signal is low-passed and decimated
 * by 2 and the hop halved. With `scale` (librosa's default) the response is
 * multiplied by √(filter length), so a unit sine at a bin centre gives
 * |C| ≈ √L/2.
 *
 * Differences from librosa, on purpose: decimation uses our Kaiser-sinc
 * resampler (librosa uses soxr), and the kernel is applied as an inner
 * product with the conjugate filter, so the phase of C[t, k] is the phase of
 * the bin's sinusoid at the frame centre t·hop/sr.
 *
 * Speed: the pyramid halves in WebAssembly SIMD (dsp/decimate.ts) and the
 * kernels are applied to blocks of frames by our SIMD module
 * (wasm/cqtrows.wat, two complex bins per vector step); both fall back to
 * JavaScript where WebAssembly SIMD is missing.
 *
 * Output: ComplexSpectrogram, nFrames × nBins, bin k at fminHz·2^{k/B}.
 */
import { InvalidInputError } from "../errors.js";
import { fftInPlace, nextPow2, realFft } from "./fft.js";
import { halve } from "./decimate.js";
import { wasmBase64 as cqtRowsWasm } from "./wasm/cqtrows.js";
import { instantiateSimd } from "./wasm-simd.js";
import { designResampleFilter, resampleWith } from "./resample.js";
import type { ComplexSpectrogram } from "./types.js";
import { getWindow } from "./window.js";

export interface CqtOptions {
  /** Hop in samples at the input rate; must be divisible by 2^(octaves−1) for full-speed decimation. Default 512. */
  readonly hopLength?: number;
  /** Frequency of bin 0; default C1 (32.70 Hz). */
  readonly fminHz?: number;
  readonly nBins?: number;
  readonly binsPerOctave?: number;
  /** Filter length multiplier (librosa's filter_scale); larger = narrower bands, longer filters. */
  readonly filterScale?: number;
  /** Deviation from A440 tuning in fractions of a bin. */
  readonly tuning?: number;
  /** Fraction of each kernel's L1 mass that may be dropped to sparsify it (librosa: 0.01). */
  readonly sparsity?: number;
  readonly scale?: boolean;
  /**
   * Bandwidth offset γ in Hz: a variable-Q transform (librosa's `vqt`), each filter Q·sr/(f + γ/α) long, so the
   * low bins keep a usable time resolution (γ = 0, the default, is the CQT). `"erb"`: librosa's default,
   * 24.7·α/0.108, the bandwidths of the ear's equivalent rectangular bands.
   */
  readonly gamma?: number | "erb";
}

/** Hann's equivalent noise bandwidth in bins, as librosa's WINDOW_BANDWIDTHS["hann"]. */
const HANN_BANDWIDTH = 1.50018310546875;

/** Centre frequencies of the CQT bins. */
export function cqtFrequencies(nBins: number, fminHz: number, binsPerOctave: number, tuning = 0): Float64Array {
  const f0 = fminHz * Math.pow(2, tuning / binsPerOctave);
  return Float64Array.from({ length: nBins }, (_, k) => f0 * Math.pow(2, k / binsPerOctave));
}

/** The relative bandwidth α of B bins per octave: (2^{2/B} − 1)/(2^{2/B} + 1). */
function relativeBandwidth(binsPerOctave: number): number {
  const r = Math.pow(2, 2 / binsPerOctave);
  return (r - 1) / (r + 1);
}

interface KernelRow {
  readonly bin: number;
  /** First FFT bin of the kept contiguous band. */
  readonly lo: number;
  /** conj(B[lo + n]) · gain, real and imaginary parts. */
  readonly re: Float64Array;
  readonly im: Float64Array;
}

interface OctaveKernel {
  readonly nFft: number;
  readonly rows: KernelRow[];
}


/** Kernels depend only on their parameters; many files (and the HCQT's channels) reuse them. */
const kernelCache = new Map<string, OctaveKernel>();
const KERNEL_CACHE_SIZE = 256;

/**
 * The frequency-domain kernels of one octave at rate `sr`. `gains[k]` folds the
 * 1/N of Parseval and the output scaling into the stored conjugate spectrum.
 * Sparsity (librosa's `sparsify_rows`): each kernel keeps the band of FFT bins
 * around its peak, grown towards the larger neighbour, until it holds
 * (1 − sparsity) of the kernel's L1 mass over bins 0…N/2.
 */
function octaveKernel(freqs: Float64Array, bins: number[], sr: number, q: number, lift: number, hopLength: number, sparsity: number, gains: Float64Array): OctaveKernel {
  const key = [sr, q, lift, hopLength, sparsity, ...bins.map((b) => `${freqs[b]}:${gains[b]}:${b}`)].join(",");
  const hit = kernelCache.get(key);
  if (hit !== undefined) return hit;
  let maxLen = 0;
  for (const b of bins) maxLen = Math.max(maxLen, (q * sr) / (freqs[b] + lift));
  let nFft = nextPow2(Math.ceil(maxLen));
  nFft = Math.max(nFft, nextPow2(2 * hopLength)); // librosa: at least 2^(1+⌈log2 hop⌉)
  const rows: KernelRow[] = [];
  const re = new Float64Array(nFft), im = new Float64Array(nFft);
  const half = nFft / 2;
  const mags = new Float64Array(half + 1);
  for (const b of bins) {
    const len = (q * sr) / (freqs[b] + lift);
    const start = Math.floor(-len / 2), count = Math.floor(len / 2) - start;
    const w = getWindow("hann", count);
    let l1 = 0;
    for (const v of w) l1 += v;
    re.fill(0);
    im.fill(0);
    const offset = Math.floor((nFft - count) / 2);
    for (let j = 0; j < count; j++) {
      const ph = (2 * Math.PI * freqs[b] * (start + j)) / sr;
      re[offset + j] = (w[j] * Math.cos(ph)) / l1;
      im[offset + j] = (w[j] * Math.sin(ph)) / l1;
    }
    fftInPlace(re, im);
    let total = 0, peak = 0;
    for (let j = 0; j <= half; j++) {
      mags[j] = Math.sqrt(re[j] * re[j] + im[j] * im[j]);
      total += mags[j];
      if (mags[j] > mags[peak]) peak = j;
    }
    let lo = peak, hi = peak, acc = mags[peak];
    while (acc < (1 - sparsity) * total && (lo > 0 || hi < half - 1)) {
      const left = lo > 0 ? mags[lo - 1] : -1, right = hi < half - 1 ? mags[hi + 1] : -1;
      if (left >= right) acc += mags[--lo];
      else acc += mags[++hi];
    }
    const g = gains[b] / nFft;
    // Frame time reference: the kernel's centre sits at index offset − start, the STFT frame's at N/2.
    // Shift so the phase refers to the frame centre: multiply by e^{2πi j (centre − N/2)/N}, then conjugate.
    const shift = offset - start - half;
    const n = hi - lo + 1;
    const kr = new Float64Array(n), ki = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const j = lo + i, a = (2 * Math.PI * j * shift) / nFft;
      kr[i] = g * (re[j] * Math.cos(a) - im[j] * Math.sin(a));
      ki[i] = -g * (re[j] * Math.sin(a) + im[j] * Math.cos(a));
    }
    rows.push({ bin: b, lo, re: kr, im: ki });
  }
  const kernel = { nFft, rows };
  if (kernelCache.size >= KERNEL_CACHE_SIZE) kernelCache.delete(kernelCache.keys().next().value as string);
  kernelCache.set(key, kernel);
  return kernel;
}

function resolveOptions(sampleRate: number, options: CqtOptions) {
  const hopLength = options.hopLength ?? 512;
  const fminHz = options.fminHz ?? 440 * Math.pow(2, (24 - 69) / 12);
  const binsPerOctave = options.binsPerOctave ?? 12;
  const nBins = options.nBins ?? 7 * binsPerOctave;
  const filterScale = options.filterScale ?? 1;
  // librosa's wavelet_lengths: Q·sr/(f + γ/α) with Q = filterScale/α.
  const alpha = relativeBandwidth(binsPerOctave), q = filterScale / alpha;
  const gamma = options.gamma === "erb" ? (24.7 * alpha) / 0.108 : options.gamma ?? 0;
  if (!(gamma >= 0)) throw new InvalidInputError(`cqt: gamma must be ≥ 0 Hz or "erb", got ${options.gamma}`);
  // Filters are Q·sr/(f + lift) long: lift = γ/α (0 for the CQT).
  const lift = gamma / alpha;
  const freqs = cqtFrequencies(nBins, fminHz, binsPerOctave, options.tuning ?? 0);
  if (!Number.isInteger(hopLength) || hopLength < 1) throw new InvalidInputError(`cqt: hopLength must be a positive integer, got ${hopLength}`);
  if (!Number.isInteger(nBins) || nBins < 1 || !Number.isInteger(binsPerOctave) || binsPerOctave < 1) {
    throw new InvalidInputError(`cqt: nBins and binsPerOctave must be positive integers, got ${nBins} and ${binsPerOctave}`);
  }
  const cutoff = freqs[nBins - 1] * (1 + (0.5 * HANN_BANDWIDTH) / q) + 0.5 * gamma;
  if (!(fminHz > 0) || cutoff > sampleRate / 2) {
    throw new InvalidInputError(
      `cqt: the top bin (${freqs[nBins - 1].toFixed(1)} Hz) has its filter cutoff at ${cutoff.toFixed(1)} Hz, above the Nyquist frequency ${sampleRate / 2} Hz; lower fminHz or nBins, or resample up`,
    );
  }
  return { hopLength, binsPerOctave, nBins, q, lift, freqs, cutoff, sparsity: options.sparsity ?? 0.01, scale: options.scale ?? true };
}

/**
 * The decimation filter of the CQT pyramid. Each level's top octave reaches
 * ≈ 0.95 of that level's Nyquist (when the CQT's top bin does at the input
 * rate, as the HCQT's 5th harmonic does), so the pass band must stay flat up
 * to there: cutoff at the Nyquist, 96 zero crossings, Kaiser β 9. What aliases
 * lands above 0.97 Nyquist, beyond the top kernel. The general "hq" design
 * (cutoff 0.94) cost the top bins of each octave 5 dB.
 */
const PYRAMID_DESIGN = { zeroCrossings: 96, beta: 9, rolloff: 1 } as const;
let halfBand: ReturnType<typeof designResampleFilter> | undefined;

/**
 * The signal at rates sr, sr/2, sr/4, … (anti-aliased, amplitude kept),
 * computed on demand and shared by every CQT of the same signal (the HCQT's
 * harmonics all decimate the same input).
 */
export class DecimationPyramid {
  private readonly levels: Float32Array[];
  constructor(signal: Float32Array) {
    this.levels = [signal];
  }
  level(j: number): Float32Array {
    while (this.levels.length <= j) {
      const x = this.levels[this.levels.length - 1], f = (halfBand ??= designResampleFilter(1, 2, PYRAMID_DESIGN));
      this.levels.push(halve(x, f) ?? resampleWith(x, f));
    }
    return this.levels[j];
  }
}

function twoFactors(n: number): number {
  let c = 0;
  while (n % 2 === 0 && n > 0) { n /= 2; c++; }
  return c;
}

/** Complex CQT of a mono signal; pass a shared `pyramid` to reuse decimated copies across calls on the same signal. */
export function cqt(signal: Float32Array, sampleRate: number, options: CqtOptions = {}, pyramid = new DecimationPyramid(signal)): ComplexSpectrogram {
  const o = resolveOptions(sampleRate, options);
  const { binsPerOctave: bpo, nBins, freqs, q, lift } = o;
  const nOctaves = Math.ceil(nBins / bpo);
  // Output scaling per bin, from lengths at the input rate: √L with `scale`, else L (librosa).
  const gains = Float64Array.from(freqs, (f) => {
    const len = (q * sampleRate) / (f + lift);
    return o.scale ? Math.sqrt(len) : len;
  });
  // Early downsampling (librosa's __early_downsample_count): decimate while the
  // top filter stays well below the Nyquist and the hop keeps enough factors of two.
  const early = Math.min(
    Math.max(0, Math.ceil(Math.log2((0.85 * (sampleRate / 2)) / o.cutoff)) - 1 - 1),
    Math.max(0, twoFactors(o.hopLength) - nOctaves + 1),
  );
  let level = early;
  let y = pyramid.level(level);
  let sr = sampleRate / 2 ** early, hop = o.hopLength / 2 ** early;

  const nFramesOut = 1 + Math.floor(signal.length / o.hopLength);
  const re = new Float32Array(nFramesOut * nBins), im = new Float32Array(nFramesOut * nBins);
  let nFrames = nFramesOut;
  for (let oct = 0; oct < nOctaves; oct++) {
    const hiBin = nBins - oct * bpo;
    const bins: number[] = [];
    for (let b = Math.max(0, hiBin - bpo); b < hiBin; b++) bins.push(b);
    const kernel = octaveKernel(freqs, bins, sr, q, lift, hop, o.sparsity, gains);
    nFrames = Math.min(nFrames, 1 + Math.floor(y.length / hop));
    cqtResponse(y, hop, kernel, re, im, nBins, nFrames);
    if (hop % 2 === 0 && oct < nOctaves - 1) { y = pyramid.level(++level); sr /= 2; hop /= 2; }
  }
  if (nFrames < nFramesOut) {
    return { re: re.slice(0, nFrames * nBins), im: im.slice(0, nFrames * nBins), nFrames, nBins, hopLength: o.hopLength, sampleRate };
  }
  return { re, im, nFrames, nBins, hopLength: o.hopLength, sampleRate };
}

/** The ordered spectrum of y[start, start + n), zero-padded where it overhangs y (`frame`: n floats of scratch). */
function centredFrame(fft: ReturnType<typeof realFft>, y: Float32Array, start: number, frame: Float32Array): Float32Array {
  const n = frame.length;
  if (start >= 0 && start + n <= y.length) return fft.forwardOrdered(y, start);
  frame.fill(0);
  const from = Math.max(0, start), to = Math.min(y.length, start + n);
  if (to > from) frame.set(y.subarray(from, to), from - start);
  return fft.forwardOrdered(frame, 0);
}

/** Our SIMD kernel application (wasm/cqtrows.wat), loaded on first use; null where WebAssembly SIMD is missing. */
interface CqtRows {
  readonly memory: WebAssembly.Memory;
  apply(x: number, stride: number, frames: number, k: number, rows: number, nRows: number, out: number): void;
}
let cqtRows: CqtRows | null | undefined;
const loadCqtRows = (): CqtRows | null => (cqtRows === undefined ? (cqtRows = instantiateSimd<CqtRows>(cqtRowsWasm)) : cqtRows);

/** A kernel in cqtrows.wat's layout: rows [first bin ≥ 1, pairs, offset] and duplicated coefficients; bin-0 terms apart. */
interface PackedKernel { readonly rows: Int32Array; readonly coeffs: Float32Array; readonly dc: { row: number; re: number; im: number }[] }
const packed = new WeakMap<OctaveKernel, PackedKernel>();
function pack(kernel: OctaveKernel): PackedKernel {
  const hit = packed.get(kernel);
  if (hit) return hit;
  const rows = new Int32Array(3 * kernel.rows.length), parts: number[] = [], dc: PackedKernel["dc"] = [];
  kernel.rows.forEach((row, r) => {
    let { lo } = row, n0 = 0;
    if (lo === 0) { dc.push({ row: r, re: row.re[0], im: row.im[0] }); lo = 1; n0 = 1; }
    const count = row.re.length - n0, pairs = Math.ceil(count / 2);
    rows[3 * r] = lo; rows[3 * r + 1] = pairs; rows[3 * r + 2] = parts.length;
    for (let q = 0; q < pairs; q++) {
      const a = n0 + 2 * q, b = a + 1 < row.re.length ? a + 1 : -1;
      const kr0 = row.re[a], ki0 = row.im[a], kr1 = b >= 0 ? row.re[b] : 0, ki1 = b >= 0 ? row.im[b] : 0;
      parts.push(kr0, kr0, kr1, kr1, ki0, ki0, ki1, ki1);
    }
  });
  const p = { rows, coeffs: Float32Array.from(parts), dc };
  packed.set(kernel, p);
  return p;
}

/** Frames per call into cqtrows.wat. */
const CQT_BLOCK = 128;

/** Applies one octave's kernel to centred, zero-padded frames of y. */
function cqtResponse(y: Float32Array, hop: number, kernel: OctaveKernel, outRe: Float32Array, outIm: Float32Array, nBins: number, nFrames: number): void {
  const w = loadCqtRows();
  if (!w) return cqtResponseJs(y, hop, kernel, outRe, outIm, nBins, nFrames);
  const { nFft, rows } = kernel;
  const fft = realFft(nFft, { precision: "single" });
  const frame = new Float32Array(nFft);
  const half = nFft / 2;
  const pk = pack(kernel), nRows = rows.length;
  // Our memory: coefficients, row table, then CQT_BLOCK spectra (each with 4 zero floats after it), then the output.
  const stride = nFft + 4;
  const kAt = 0, rowsAt = kAt + 4 * pk.coeffs.length, xAt = Math.ceil((rowsAt + 4 * pk.rows.length) / 16) * 16, outAt = xAt + 4 * stride * CQT_BLOCK;
  const need = outAt + 8 * nRows * CQT_BLOCK;
  if (w.memory.buffer.byteLength < need) w.memory.grow(Math.ceil((need - w.memory.buffer.byteLength) / 65536));
  const heap = new Float32Array(w.memory.buffer);
  heap.set(pk.coeffs, kAt >> 2);
  new Int32Array(w.memory.buffer).set(pk.rows, rowsAt >> 2);
  for (let t0 = 0; t0 < nFrames; t0 += CQT_BLOCK) {
    const count = Math.min(CQT_BLOCK, nFrames - t0);
    for (let f = 0; f < count; f++) {
      const X = centredFrame(fft, y, (t0 + f) * hop - half, frame);
      const at = (xAt >> 2) + f * stride;
      heap.set(X, at);
      heap.fill(0, at + nFft, at + stride);
    }
    w.apply(xAt, stride, count, kAt, rowsAt, nRows, outAt);
    const o = outAt >> 2;
    for (let f = 0; f < count; f++) {
      const base = (t0 + f) * nBins, x0 = heap[(xAt >> 2) + f * stride]; // bin 0 (DC) of this frame
      for (let r = 0; r < nRows; r++) {
        outRe[base + rows[r].bin] = heap[o + 2 * (f * nRows + r)];
        outIm[base + rows[r].bin] = heap[o + 2 * (f * nRows + r) + 1];
      }
      for (const d of pk.dc) { outRe[base + rows[d.row].bin] += x0 * d.re; outIm[base + rows[d.row].bin] += x0 * d.im; }
    }
  }
}

/** cqtResponse in JavaScript, where WebAssembly SIMD is missing. */
function cqtResponseJs(y: Float32Array, hop: number, kernel: OctaveKernel, outRe: Float32Array, outIm: Float32Array, nBins: number, nFrames: number): void {
  const { nFft, rows } = kernel;
  const fft = realFft(nFft, { precision: "single" });
  const frame = new Float32Array(nFft);
  const half = nFft / 2;
  for (let t = 0; t < nFrames; t++) {
    const X = centredFrame(fft, y, t * hop - half, frame);
    for (const row of rows) {
      let sr = 0, si = 0;
      const { lo, re, im } = row;
      // Ordered layout: bin j ≥ 1 at [2j, 2j+1]; bin 0 (DC, real) at [0]; kernels stop below bin N/2.
      let n0 = 0;
      if (lo === 0) { sr = X[0] * re[0]; si = X[0] * im[0]; n0 = 1; }
      for (let n = n0, q = 2 * (lo + n0); n < re.length; n++, q += 2) {
        const ar = X[q], ai = X[q + 1];
        sr += ar * re[n] - ai * im[n];
        si += ar * im[n] + ai * re[n];
      }
      outRe[t * nBins + row.bin] = sr;
      outIm[t * nBins + row.bin] = si;
    }
  }
}
