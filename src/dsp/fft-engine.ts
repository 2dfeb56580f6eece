/** The interface both real-FFT engines implement (fft.ts: float64 JavaScript; fft-wasm.ts: PFFFT). */

/**
 * Real transforms of one size N, reusable in frame loops (no allocation per
 * call). Two engines implement it: RealFft (float64 JavaScript) and
 * WasmRealFft (PFFFT, float32); `realFft(n, options)` picks one.
 */
export interface RealFftEngine {
  readonly n: number;
  /** Whether `forwardHann` takes a fast path (a 3-tap filter in frequency) rather than multiplying the window in. */
  readonly hasFastHann: boolean;
  /** Forward real DFT: x (length N, not modified) → outRe/outIm (length N/2+1). */
  forward(x: ArrayLike<number>, outRe: Float64Array | Float32Array, outIm: Float64Array | Float32Array): void;
  /** forward(x[start … start+N) · window) into outRe/outIm at `outOffset`, reading x in place; the frame must lie inside x. */
  forwardWindowed(x: Float32Array, start: number, window: Float32Array, outRe: Float32Array, outIm: Float32Array, outOffset: number): void;
  /** forwardWindowed with the periodic Hann window of length N. */
  forwardHann(x: Float32Array, start: number, outRe: Float32Array, outIm: Float32Array, outOffset: number): void;
  /**
   * `count` frames x[first + t·hop … + N), each times `window` (the periodic
   * Hann of length N where undefined), into outRe/outIm from `outOffset`,
   * N/2+1 bins per frame; every frame must lie inside x.
   */
  forwardFrames(x: Float32Array, first: number, hop: number, count: number, window: Float32Array | undefined, outRe: Float32Array, outIm: Float32Array, outOffset: number): void;
  /**
   * The transform of x[start … start+N) in the ordered real layout
   * [X0, X(N/2), Re X1, Im X1, …, Re X(N/2−1), Im X(N/2−1)]. The returned
   * array is reused by the next call: read what you need, then call again.
   */
  forwardOrdered(x: Float32Array, start: number): Float32Array;
  /** Inverse real DFT: spectrum (N/2+1 bins) → out (length N), scaled by 1/N. */
  inverse(re: ArrayLike<number>, im: ArrayLike<number>, out: Float64Array | Float32Array): void;
}

/** forwardFrames one frame at a time through an engine's forwardHann / forwardWindowed. */
export function forwardFramesOneByOne(fft: RealFftEngine, x: Float32Array, first: number, hop: number, count: number, window: Float32Array | undefined,
  outRe: Float32Array, outIm: Float32Array, outOffset: number): void {
  const nb = fft.n / 2 + 1;
  for (let t = 0; t < count; t++) {
    if (window === undefined) fft.forwardHann(x, first + t * hop, outRe, outIm, outOffset + t * nb);
    else fft.forwardWindowed(x, first + t * hop, window, outRe, outIm, outOffset + t * nb);
  }
}

