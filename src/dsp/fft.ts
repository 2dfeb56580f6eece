/**
 * Fast Fourier transforms over Float64Array.
 *
 * Power-of-two sizes use an iterative radix-2 transform with precomputed
 * twiddles and bit reversal; other sizes use Bluestein's chirp-z algorithm on
 * top of it. Real transforms of size N run as one complex transform of size
 * N/2 (the even/odd packing trick), so an rfft costs about half a cfft.
 * Plans are cached per size. Sign convention: forward X[k] = Σ x[n] e^{-2πikn/N},
 * inverse scaled by 1/N (numpy's).
 */
import { InvalidInputError } from "../errors.js";
import { forwardFramesOneByOne, type RealFftEngine } from "./fft-engine.js";
import { wasmRealFft } from "./fft-wasm.js";

export type { RealFftEngine } from "./fft-engine.js";

const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** The smallest power of two ≥ n. */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** In-place complex FFT plan for one power-of-two size. */
class Pow2Plan {
  readonly rev: Uint32Array;
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  constructor(readonly n: number) {
    const bits = Math.log2(n);
    this.rev = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
    this.cos = new Float64Array(n / 2);
    this.sin = new Float64Array(n / 2);
    for (let i = 0; i < n / 2; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / n);
      this.sin[i] = -Math.sin((2 * Math.PI * i) / n);
    }
  }

  /** Forward transform in place (inverse: conjugate in and out, as callers do). */
  run(re: Float64Array, im: Float64Array): void {
    const { n, rev, cos, sin } = this;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        let t = re[i]; re[i] = re[j]; re[j] = t;
        t = im[i]; im[i] = im[j]; im[j] = t;
      }
    }
    // Size-2 butterflies have unit twiddles.
    for (let i = 0; i + 1 < n; i += 2) {
      const ar = re[i], ai = im[i], br = re[i + 1], bi = im[i + 1];
      re[i] = ar + br; im[i] = ai + bi;
      re[i + 1] = ar - br; im[i + 1] = ai - bi;
    }
    // Size-4 butterflies: twiddles 1 and -i.
    for (let i = 0; i + 3 < n; i += 4) {
      const ar = re[i], ai = im[i], br = re[i + 2], bi = im[i + 2];
      re[i] = ar + br; im[i] = ai + bi;
      re[i + 2] = ar - br; im[i + 2] = ai - bi;
      const cr = re[i + 1], ci = im[i + 1], dr = im[i + 3], di = -re[i + 3];
      re[i + 1] = cr + dr; im[i + 1] = ci + di;
      re[i + 3] = cr - dr; im[i + 3] = ci - di;
    }
    for (let size = 8; size <= n; size <<= 1) {
      const half = size >> 1;
      const step = n / size;
      for (let j = 0; j < half; j++) {
        const wr = cos[j * step], wi = sin[j * step];
        for (let i = j; i < n; i += size) {
          const k = i + half;
          const xr = re[k] * wr - im[k] * wi;
          const xi = re[k] * wi + im[k] * wr;
          re[k] = re[i] - xr; im[k] = im[i] - xi;
          re[i] += xr; im[i] += xi;
        }
      }
    }
  }
}

/** Bluestein plan: a size-n DFT as a convolution of size m = pow2 ≥ 2n-1. */
class BluesteinPlan {
  readonly m: number;
  readonly inner: Pow2Plan;
  readonly wr: Float64Array; // chirp e^{-iπk²/n}
  readonly wi: Float64Array;
  readonly br: Float64Array; // FFT of the conjugate chirp, wrapped
  readonly bi: Float64Array;
  constructor(readonly n: number) {
    let m = 1;
    while (m < 2 * n - 1) m <<= 1;
    this.m = m;
    this.inner = pow2Plan(m);
    this.wr = new Float64Array(n);
    this.wi = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const a = (Math.PI * ((k * k) % (2 * n))) / n;
      this.wr[k] = Math.cos(a);
      this.wi[k] = -Math.sin(a);
    }
    this.br = new Float64Array(m);
    this.bi = new Float64Array(m);
    for (let k = 0; k < n; k++) {
      this.br[k] = this.wr[k];
      this.bi[k] = -this.wi[k];
      if (k > 0) {
        this.br[m - k] = this.wr[k];
        this.bi[m - k] = -this.wi[k];
      }
    }
    this.inner.run(this.br, this.bi);
  }

  run(re: Float64Array, im: Float64Array): void {
    const { n, m, wr, wi, br, bi, inner } = this;
    const ar = new Float64Array(m);
    const ai = new Float64Array(m);
    for (let k = 0; k < n; k++) {
      ar[k] = re[k] * wr[k] - im[k] * wi[k];
      ai[k] = re[k] * wi[k] + im[k] * wr[k];
    }
    inner.run(ar, ai);
    for (let k = 0; k < m; k++) {
      const r = ar[k] * br[k] - ai[k] * bi[k];
      const i = ar[k] * bi[k] + ai[k] * br[k];
      ar[k] = r;
      ai[k] = -i; // conjugate for the inverse transform
    }
    inner.run(ar, ai);
    for (let k = 0; k < n; k++) {
      const r = ar[k] / m, i = -ai[k] / m;
      re[k] = r * wr[k] - i * wi[k];
      im[k] = r * wi[k] + i * wr[k];
    }
  }
}

const pow2Plans = new Map<number, Pow2Plan>();
const bluesteinPlans = new Map<number, BluesteinPlan>();

function pow2Plan(n: number): Pow2Plan {
  let p = pow2Plans.get(n);
  if (p === undefined) pow2Plans.set(n, (p = new Pow2Plan(n)));
  return p;
}

function checkSize(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw new InvalidInputError(`${what}: transform size must be a positive integer, got ${n}`);
}

/** Complex forward DFT in place. */
export function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  checkSize(n, "fft");
  if (im.length !== n) throw new InvalidInputError(`fft: real and imaginary parts differ in length (${n} vs ${im.length})`);
  if (n === 1) return;
  if (isPow2(n)) return pow2Plan(n).run(re, im);
  let p = bluesteinPlans.get(n);
  if (p === undefined) bluesteinPlans.set(n, (p = new BluesteinPlan(n)));
  p.run(re, im);
}

/** Complex inverse DFT in place, scaled by 1/N. */
export function ifftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 0; i < n; i++) im[i] = -im[i];
  fftInPlace(re, im);
  for (let i = 0; i < n; i++) {
    re[i] /= n;
    im[i] = -im[i] / n;
  }
}

export interface RealFftOptions {
  /**
   * "double" (default): the float64 JavaScript transform. "single": float32
   * is enough (the result is stored as float32), so power-of-two sizes ≥ 32
   * use the PFFFT WebAssembly engine where it loads (see fft-wasm.ts), 5–9×
   * faster; other sizes, or hosts without WebAssembly SIMD, get JavaScript.
   */
  readonly precision?: "single" | "double";
}

/** The engine for size n: PFFFT for single precision where it serves (power of two ≥ 32), the float64 JavaScript transform otherwise. */
export function realFft(n: number, options: RealFftOptions = {}): RealFftEngine {
  return (options.precision === "single" ? wasmRealFft(n) : undefined) ?? new RealFft(n);
}

/** The float64 JavaScript engine: an N/2 complex transform with the even/odd packing trick. */
export class RealFft implements RealFftEngine {
  private readonly half: number;
  private readonly zr: Float64Array;
  private readonly zi: Float64Array;
  private readonly tc: Float64Array; // cos(2πk/N)
  private readonly ts: Float64Array; // -sin(2πk/N)
  readonly hasFastHann = false;

  constructor(readonly n: number) {
    checkSize(n, "RealFft");
    if (n % 2 !== 0) throw new InvalidInputError(`RealFft: size must be even, got ${n}`);
    this.half = n / 2;
    this.zr = new Float64Array(this.half);
    this.zi = new Float64Array(this.half);
    this.tc = new Float64Array(this.half + 1);
    this.ts = new Float64Array(this.half + 1);
    for (let k = 0; k <= this.half; k++) {
      this.tc[k] = Math.cos((2 * Math.PI * k) / n);
      this.ts[k] = -Math.sin((2 * Math.PI * k) / n);
    }
  }

  forward(x: ArrayLike<number>, outRe: Float64Array | Float32Array, outIm: Float64Array | Float32Array): void {
    const { half: m, zr, zi, tc, ts } = this;
    for (let i = 0; i < m; i++) {
      zr[i] = x[2 * i];
      zi[i] = x[2 * i + 1];
    }
    fftInPlace(zr, zi);
    outRe[0] = zr[0] + zi[0];
    outIm[0] = 0;
    outRe[m] = zr[0] - zi[0];
    outIm[m] = 0;
    for (let k = 1; k < m; k++) {
      const ar = zr[k], ai = zi[k], br = zr[m - k], bi = -zi[m - k]; // Z[k], conj Z[M-k]
      const er = 0.5 * (ar + br), ei = 0.5 * (ai + bi);
      // O = (Z[k] - conj Z[M-k]) / 2i
      const or = 0.5 * (ai - bi), oi = -0.5 * (ar - br);
      const wr = tc[k], wi = ts[k];
      outRe[k] = er + wr * or - wi * oi;
      outIm[k] = ei + wr * oi + wi * or;
    }
  }

  forwardWindowed(x: Float32Array, start: number, window: Float32Array, outRe: Float32Array, outIm: Float32Array, outOffset: number): void {
    const frame = (this.frame ??= new Float64Array(this.n));
    for (let i = 0; i < this.n; i++) frame[i] = x[start + i] * window[i];
    this.forward(frame, outRe.subarray(outOffset, outOffset + this.half + 1), outIm.subarray(outOffset, outOffset + this.half + 1));
  }
  private frame: Float64Array | undefined;

  forwardHann(x: Float32Array, start: number, outRe: Float32Array, outIm: Float32Array, outOffset: number): void {
    const w = (this.hann ??= Float32Array.from({ length: this.n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / this.n)));
    this.forwardWindowed(x, start, w, outRe, outIm, outOffset);
  }
  private hann: Float32Array | undefined;

  forwardFrames(x: Float32Array, first: number, hop: number, count: number, window: Float32Array | undefined,
    outRe: Float32Array, outIm: Float32Array, outOffset: number): void {
    forwardFramesOneByOne(this, x, first, hop, count, window, outRe, outIm, outOffset);
  }

  forwardOrdered(x: Float32Array, start: number): Float32Array {
    const re = (this.orderedRe ??= new Float64Array(this.half + 1)), im = (this.orderedIm ??= new Float64Array(this.half + 1));
    this.forward(x.subarray(start, start + this.n), re, im);
    const out = (this.ordered ??= new Float32Array(this.n));
    out[0] = re[0];
    out[1] = re[this.half];
    for (let k = 1; k < this.half; k++) { out[2 * k] = re[k]; out[2 * k + 1] = im[k]; }
    return out;
  }
  private ordered: Float32Array | undefined;
  private orderedRe: Float64Array | undefined;
  private orderedIm: Float64Array | undefined;

  inverse(re: ArrayLike<number>, im: ArrayLike<number>, out: Float64Array | Float32Array): void {
    const { half: m, zr, zi, tc, ts } = this;
    for (let k = 0; k < m; k++) {
      const ar = re[k], ai = k === 0 ? 0 : im[k];
      const br = re[m - k], bi = k === 0 ? 0 : -im[m - k]; // conj X[M-k]
      const er = 0.5 * (ar + br), ei = 0.5 * (ai + bi);
      const dr = 0.5 * (ar - br), di = 0.5 * (ai - bi);
      // O = D / W^k, with W^k = tc - i·(-ts); dividing by a unit phasor multiplies by its conjugate.
      const wr = tc[k], wi = -ts[k];
      const or = dr * wr - di * wi, oi = dr * wi + di * wr;
      zr[k] = er - oi; // Z = E + iO
      zi[k] = ei + or;
    }
    ifftInPlace(zr, zi);
    for (let i = 0; i < m; i++) {
      out[2 * i] = zr[i];
      out[2 * i + 1] = zi[i];
    }
  }
}

const realPlans = new Map<number, RealFft>();

/** Forward real DFT returning N/2+1 complex bins (numpy.fft.rfft). Odd N uses a complex transform. */
export function rfft(x: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  checkSize(n, "rfft");
  const nb = Math.floor(n / 2) + 1;
  if (n % 2 === 1 || n === 2) {
    const re = Float64Array.from(x as ArrayLike<number>);
    const im = new Float64Array(n);
    fftInPlace(re, im);
    return { re: re.slice(0, nb), im: im.slice(0, nb) };
  }
  let p = realPlans.get(n);
  if (p === undefined) realPlans.set(n, (p = new RealFft(n)));
  const re = new Float64Array(nb);
  const im = new Float64Array(nb);
  p.forward(x, re, im);
  return { re, im };
}

/** Inverse of rfft for an even output length n (numpy.fft.irfft). */
export function irfft(re: ArrayLike<number>, im: ArrayLike<number>, n: number): Float64Array {
  checkSize(n, "irfft");
  if (re.length !== Math.floor(n / 2) + 1) throw new InvalidInputError(`irfft: expected ${Math.floor(n / 2) + 1} bins for n=${n}, got ${re.length}`);
  const out = new Float64Array(n);
  if (n % 2 === 1 || n === 2) {
    const fr = new Float64Array(n), fi = new Float64Array(n);
    for (let k = 0; k < re.length; k++) {
      fr[k] = re[k]; fi[k] = im[k];
      if (k > 0) { fr[n - k] = re[k]; fi[n - k] = -im[k]; }
    }
    fi[0] = 0;
    ifftInPlace(fr, fi);
    return fr;
  }
  let p = realPlans.get(n);
  if (p === undefined) realPlans.set(n, (p = new RealFft(n)));
  p.inverse(re, im, out);
  return out;
}
