/**
 * The fast path for power-of-two real transforms: PFFFT (Julien Pommier's
 * SIMD FFT, FFTPACK licence) compiled to WebAssembly by the npm package
 * @echogarden/pffft-wasm, whose SIMD binary we embed (wasm/pffft.ts, made by
 * scripts/build-wasm.sh) and instantiate synchronously on first use, with the
 * three host functions it imports written here: importing mirkit runs no
 * WebAssembly and awaits nothing. Where WebAssembly SIMD is missing (or
 * MIRKIT_FFT=js is set) callers get the JavaScript FFT of fft.ts instead.
 *
 * Arithmetic is float32 (relative error ≈ 1e-7), which suits transforms whose
 * output is stored as float32 anyway (STFT, CQT, HPCP frames). Measured on
 * the 2-core dev machine, a 2048-point real transform: 2.0 µs here, 17.6 µs
 * in our JavaScript radix-2, 10.5 µs in fft.js.
 *
 * Runs of STFT frames (forwardFrames) leave PFFFT's interleaved output to our
 * own SIMD module (wasm/spectrum.wat): the split into re/im, with the Hann
 * window applied there as a 3-tap filter, costs 0.6 µs per 2048-point frame
 * against 5 µs in JavaScript (measured on a slower 2-core machine, where the
 * whole STFT went from 363× to 467× realtime beside scipy's 360×).
 */

import { forwardFramesOneByOne, type RealFftEngine } from "./fft-engine.js";
import { wasmBase64 as pffftWasm } from "./wasm/pffft.js";
import { wasmBase64 as spectrumWasm } from "./wasm/spectrum.js";
import { decodeBase64, instantiateSimd } from "./wasm-simd.js";

interface PffftModule {
  readonly HEAPF32: Float32Array;
  _pffft_new_setup(n: number, kind: number): number;
  _pffft_aligned_malloc(bytes: number): number;
  _pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: number): void;
}

const PFFFT_REAL = 0;
const PFFFT_FORWARD = 0;
const PFFFT_BACKWARD = 1;

/** Our SIMD post-passes (src/dsp/wasm/spectrum.wat): ordered spectra → split re/im, optionally Hann-filtered. */
interface SpectrumPost {
  memory: WebAssembly.Memory;
  split(src: number, re: number, im: number, n: number, frames: number): void;
  hann(src: number, re: number, im: number, n: number, frames: number): void;
}


/** Frames per block in forwardFrames: about 1 MB of spectra at a time. */
const blockFrames = (n: number) => Math.max(1, Math.floor(262144 / n));


/**
 * PFFFT instantiated without emscripten's loader. The binary's imports are
 * emscripten's (minified) a.a = __assert_fail, a.b = emscripten_resize_heap,
 * a.c = _emscripten_memcpy_js; its exports d = memory, e = the static
 * constructors, f = pffft_aligned_malloc, k = pffft_new_setup,
 * p = pffft_transform_ordered. The names belong to the embedded binary, so
 * they change only when scripts/build-wasm.sh embeds another build (then
 * read them from that build's pffft.js, as here from 0.4.2's).
 */
function instantiatePffft(): PffftModule | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.MIRKIT_FFT === "js") return undefined;
  try {
    let memory: WebAssembly.Memory | undefined;
    let heap = new Float32Array(0);
    const bytes = () => new Uint8Array(memory!.buffer);
    const imports = {
      a: {
        a: () => { throw new Error("PFFFT: assertion failed"); },
        b: (requested: number) => {
          const have = memory!.buffer.byteLength;
          try {
            memory!.grow(Math.ceil(((requested >>> 0) - have) / 65536));
            return 1;
          } catch {
            return 0;
          }
        },
        c: (dest: number, src: number, num: number) => { bytes().copyWithin(dest, src, src + num); },
      },
    };
    const exports = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(pffftWasm)), imports).exports as Record<string, unknown>;
    memory = exports.d as WebAssembly.Memory;
    (exports.e as () => void)();
    const m: PffftModule = {
      // The heap view is replaced whenever the memory has grown.
      get HEAPF32() {
        if (heap.buffer !== memory!.buffer) heap = new Float32Array(memory!.buffer);
        return heap;
      },
      _pffft_aligned_malloc: exports.f as (bytes: number) => number,
      _pffft_new_setup: exports.k as (n: number, kind: number) => number,
      _pffft_transform_ordered: exports.p as (setup: number, input: number, output: number, work: number, direction: number) => void,
    };
    // Smoke test: the DC bin of a constant signal (SIMD may compile yet fail at run time on odd hosts).
    const probe = new WasmRealFft(m, 64);
    const re = new Float64Array(33), im = new Float64Array(33);
    probe.forward(new Float64Array(64).fill(1), re, im);
    return Math.abs(re[0] - 64) < 1e-4 ? m : undefined;
  } catch {
    return undefined; // no WebAssembly (SIMD) here: the JavaScript FFT serves
  }
}

/** One transform size: a PFFFT setup and its aligned input, output and work buffers in the wasm heap. */
export class WasmRealFft implements RealFftEngine {
  readonly hasFastHann = true;
  private readonly setup: number;
  private readonly input: number;
  private readonly output: number;
  private readonly work: number;
  private block: { input: number; output: number } | undefined;

  constructor(private readonly m: PffftModule, readonly n: number) {
    this.setup = m._pffft_new_setup(n, PFFFT_REAL);
    if (this.setup === 0) throw new Error(`PFFFT has no plan for size ${n}`);
    this.input = m._pffft_aligned_malloc(4 * n);
    this.output = m._pffft_aligned_malloc(4 * n);
    this.work = m._pffft_aligned_malloc(4 * n);
  }

  /** x (length n) → outRe/outIm (n/2+1 bins), e^{-2πikn/N} convention, unscaled. */
  forward(x: ArrayLike<number>, outRe: Float64Array | Float32Array, outIm: Float64Array | Float32Array): void {
    const heap = this.m.HEAPF32; // re-read: the heap view is replaced if wasm memory grows
    const base = this.input >> 2;
    for (let i = 0; i < this.n; i++) heap[base + i] = x[i];
    this.run(outRe, outIm);
  }

  /**
   * The transform of x[start … start+n) · window, written to outRe/outIm at
   * `outOffset` (n/2+1 bins): no frame copy, no subarrays, one pass each way.
   */
  forwardWindowed(x: Float32Array, start: number, window: Float32Array, outRe: Float32Array, outIm: Float32Array, outOffset: number): void {
    const m = this.m;
    let heap = m.HEAPF32;
    const n = this.n, base = this.input >> 2;
    for (let i = 0; i < n; i++) heap[base + i] = x[start + i] * window[i];
    m._pffft_transform_ordered(this.setup, this.input, this.output, this.work, PFFFT_FORWARD);
    heap = m.HEAPF32;
    const o = this.output >> 2, half = n >> 1;
    outRe[outOffset] = heap[o];
    outIm[outOffset] = 0;
    outRe[outOffset + half] = heap[o + 1];
    outIm[outOffset + half] = 0;
    for (let k = 1, j = o + 2; k < half; k++, j += 2) {
      outRe[outOffset + k] = heap[j];
      outIm[outOffset + k] = heap[j + 1];
    }
  }

  /**
   * The transform of x[start … start+n) times the periodic Hann window, done
   * as a 3-tap convolution in frequency (X_w[k] = ½X[k] − ¼X[k−1] − ¼X[k+1]),
   * so the frame is copied with one memcpy and never multiplied sample by sample.
   */
  forwardHann(x: Float32Array, start: number, outRe: Float32Array, outIm: Float32Array, outOffset: number): void {
    const m = this.m;
    m.HEAPF32.set(x.subarray(start, start + this.n), this.input >> 2);
    m._pffft_transform_ordered(this.setup, this.input, this.output, this.work, PFFFT_FORWARD);
    const h = m.HEAPF32, o = this.output >> 2, half = this.n >> 1;
    // Ordered layout: X0 = h[o] (real), X(N/2) = h[o+1] (real), Xk = h[o+2k] + i·h[o+2k+1] for 0 < k < N/2.
    // Neighbours beyond the ends by symmetry of a real signal: X(−1) = conj X1, X(N/2+1) = conj X(N/2−1).
    const x0 = h[o], xh = h[o + 1];
    outRe[outOffset] = 0.5 * x0 - 0.5 * h[o + 2];
    outIm[outOffset] = 0;
    outRe[outOffset + 1] = 0.5 * h[o + 2] - 0.25 * (x0 + h[o + 4]);
    outIm[outOffset + 1] = 0.5 * h[o + 3] - 0.25 * h[o + 5];
    // Rolling neighbours: two reads per bin.
    let pr = h[o + 2], pi = h[o + 3], cr = h[o + 4], ci = h[o + 5];
    for (let k = 2, j = o + 6; k < half - 1; k++, j += 2) {
      const nr = h[j], ni = h[j + 1];
      outRe[outOffset + k] = 0.5 * cr - 0.25 * (pr + nr);
      outIm[outOffset + k] = 0.5 * ci - 0.25 * (pi + ni);
      pr = cr; pi = ci; cr = nr; ci = ni;
    }
    const jl = o + 2 * (half - 1);
    outRe[outOffset + half - 1] = 0.5 * h[jl] - 0.25 * (h[jl - 2] + xh);
    outIm[outOffset + half - 1] = 0.5 * h[jl + 1] - 0.25 * h[jl - 1];
    outRe[outOffset + half] = 0.5 * xh - 0.5 * h[jl];
    outIm[outOffset + half] = 0;
  }

  /**
   * The transform of x[start … start+n) in PFFFT's ordered layout
   * [X0, X(N/2), Re X1, Im X1, …], as a view into the wasm heap that the next
   * call overwrites: no copies out, for callers that read a few bins.
   */
  forwardOrdered(x: Float32Array, start: number): Float32Array {
    const heap = this.m.HEAPF32;
    heap.set(x.subarray(start, start + this.n), this.input >> 2);
    this.m._pffft_transform_ordered(this.setup, this.input, this.output, this.work, PFFFT_FORWARD);
    return this.m.HEAPF32.subarray(this.output >> 2, (this.output >> 2) + this.n);
  }

  /** Whether forwardFrames goes in blocks: our SIMD post-pass loaded, and n large enough for its loops. */
  private get framesInBlocks(): boolean {
    return spectrumPost() !== undefined && this.n >= 16;
  }

  /**
   * `count` frames x[first + t·hop … + n) (all inside x), each times `window`
   * (the periodic Hann of length n where undefined), into outRe/outIm from
   * `outOffset`, n/2+1 bins per frame. Frames go through in blocks: the span
   * of a block is copied into the wasm heap once (Hann) or frame by frame
   * with the window applied (others), transformed, and split into re/im by
   * the SIMD post-pass, whose output is copied out with one memcpy per block.
   */
  forwardFrames(x: Float32Array, first: number, hop: number, count: number, window: Float32Array | undefined,
    outRe: Float32Array, outIm: Float32Array, outOffset: number): void {
    if (!this.framesInBlocks) return forwardFramesOneByOne(this, x, first, hop, count, window, outRe, outIm, outOffset);
    const n = this.n, nb = n / 2 + 1, post = spectrumPost()!;
    const m = this.m, B = blockFrames(n);
    const blk = (this.block ??= { input: m._pffft_aligned_malloc(4 * B * n), output: m._pffft_aligned_malloc(4 * B * n) });
    // Our module's memory: B ordered spectra, then B re rows, then B im rows.
    const need = 4 * B * (n + 2 * nb);
    if (post.memory.buffer.byteLength < need) post.memory.grow(Math.ceil((need - post.memory.buffer.byteLength) / 65536));
    const reAt = 4 * B * n, imAt = reAt + 4 * B * nb;
    // Consecutive frames fit the input block as one span; PFFFT needs each frame 16-byte aligned.
    const spanned = window === undefined && hop <= n && hop % 4 === 0;
    for (let t0 = 0; t0 < count; t0 += B) {
      const c = Math.min(B, count - t0), start = first + t0 * hop;
      if (spanned) m.HEAPF32.set(x.subarray(start, start + (c - 1) * hop + n), blk.input >> 2);
      for (let k = 0; k < c; k++) {
        let input = blk.input + 4 * k * hop;
        if (!spanned) {
          input = blk.input;
          const heap = m.HEAPF32, base = input >> 2, s = start + k * hop;
          if (window === undefined) heap.set(x.subarray(s, s + n), base);
          else for (let i = 0; i < n; i++) heap[base + i] = x[s + i] * window[i];
        }
        m._pffft_transform_ordered(this.setup, input, blk.output + 4 * k * n, this.work, PFFFT_FORWARD);
      }
      const ours = new Float32Array(post.memory.buffer);
      ours.set(m.HEAPF32.subarray(blk.output >> 2, (blk.output >> 2) + c * n), 0);
      if (window === undefined) post.hann(0, reAt, imAt, n, c);
      else post.split(0, reAt, imAt, n, c);
      outRe.set(ours.subarray(reAt >> 2, (reAt >> 2) + c * nb), outOffset + t0 * nb);
      outIm.set(ours.subarray(imAt >> 2, (imAt >> 2) + c * nb), outOffset + t0 * nb);
    }
  }

  /** Inverse real DFT: spectrum (n/2+1 bins) → out (length n), scaled by 1/n; float32 arithmetic. */
  inverse(re: ArrayLike<number>, im: ArrayLike<number>, out: Float64Array | Float32Array): void {
    const m = this.m, n = this.n, half = n >> 1;
    let heap = m.HEAPF32;
    const base = this.input >> 2;
    heap[base] = re[0];
    heap[base + 1] = re[half];
    for (let k = 1; k < half; k++) { heap[base + 2 * k] = re[k]; heap[base + 2 * k + 1] = im[k]; }
    m._pffft_transform_ordered(this.setup, this.input, this.output, this.work, PFFFT_BACKWARD);
    heap = m.HEAPF32;
    const o = this.output >> 2;
    for (let i = 0; i < n; i++) out[i] = heap[o + i] / n;
  }

  private run(outRe: Float64Array | Float32Array, outIm: Float64Array | Float32Array): void {
    const heap = this.m.HEAPF32;
    this.m._pffft_transform_ordered(this.setup, this.input, this.output, this.work, PFFFT_FORWARD);
    const out = this.output >> 2, half = this.n / 2;
    // Ordered real layout: [X0, X(N/2), Re X1, Im X1, Re X2, Im X2, …].
    outRe[0] = heap[out];
    outIm[0] = 0;
    outRe[half] = heap[out + 1];
    outIm[half] = 0;
    for (let k = 1; k < half; k++) {
      outRe[k] = heap[out + 2 * k];
      outIm[k] = heap[out + 2 * k + 1];
    }
  }
}

let pffft: PffftModule | undefined | null = null; // null: not tried yet
let spectrum: SpectrumPost | undefined | null = null;
const plans = new Map<number, WasmRealFft>();

function loadedPffft(): PffftModule | undefined {
  if (pffft === null) pffft = instantiatePffft();
  return pffft;
}

function spectrumPost(): SpectrumPost | undefined {
  // Without WebAssembly SIMD (or with MIRKIT_SIMD=off) the per-frame JavaScript post-pass serves.
  if (spectrum === null) spectrum = loadedPffft() === undefined ? undefined : instantiateSimd<SpectrumPost>(spectrumWasm) ?? undefined;
  return spectrum;
}

/** A cached PFFFT plan for a power-of-two size ≥ 32, or undefined where PFFFT is unavailable (loaded on the first call). */
export function wasmRealFft(n: number): WasmRealFft | undefined {
  if (n < 32 || (n & (n - 1)) !== 0) return undefined;
  const m = loadedPffft();
  if (m === undefined) return undefined;
  let p = plans.get(n);
  if (p === undefined) plans.set(n, (p = new WasmRealFft(m, n)));
  return p;
}

/** Which engine single-precision transforms use: "pffft-wasm" or "js" (loads PFFFT if it was not yet). */
export function fastFftEngine(): "pffft-wasm" | "js" {
  return loadedPffft() === undefined ? "js" : "pffft-wasm";
}
