/**
 * Short-time Fourier transform and its inverse, with librosa's conventions:
 * frames of `nFft` samples every `hopLength`; with `center` the signal is
 * padded by nFft/2 on both sides so frame t is centred at t·hopLength; the
 * window (periodic by default) of `winLength` is zero-padded to nFft at the
 * centre. Output is nFrames × (nFft/2+1), frame-major (see types.ts).
 *
 * One difference from librosa ≥ 0.10: `padMode` defaults to "reflect" (the
 * convention librosa used before 0.10 and most published models were trained
 * with); pass "constant" for librosa 0.10's zero padding.
 */
import { InvalidInputError } from "../errors.js";
import { RealFft, realFft } from "./fft.js";
import type { ComplexSpectrogram } from "./types.js";
import { getWindow, padCenter, type WindowName } from "./window.js";

export interface StftOptions {
  readonly nFft?: number;
  /** Hop in samples; default nFft/4. */
  readonly hopLength?: number;
  /** Window length in samples; default nFft. */
  readonly winLength?: number;
  /** A window name (periodic form) or explicit window samples of length winLength. */
  readonly window?: WindowName | Float64Array;
  readonly center?: boolean;
  readonly padMode?: "reflect" | "constant";
}

interface ResolvedStft {
  nFft: number;
  hopLength: number;
  window: Float64Array; // padded to nFft
  center: boolean;
  padMode: "reflect" | "constant";
}

function resolve(options: StftOptions, what: string): ResolvedStft {
  const nFft = options.nFft ?? 2048;
  const hopLength = options.hopLength ?? Math.floor(nFft / 4);
  const winLength = options.winLength ?? nFft;
  if (!Number.isInteger(nFft) || nFft < 2 || nFft % 2 !== 0) throw new InvalidInputError(`${what}: nFft must be an even integer ≥ 2, got ${nFft}`);
  if (!Number.isInteger(hopLength) || hopLength < 1) throw new InvalidInputError(`${what}: hopLength must be a positive integer, got ${hopLength}`);
  const w = options.window ?? "hann";
  const raw = typeof w === "string" ? getWindow(w, winLength) : w;
  if (raw.length > nFft) throw new InvalidInputError(`${what}: window length ${raw.length} exceeds nFft ${nFft}`);
  return { nFft, hopLength, window: padCenter(raw, nFft), center: options.center ?? true, padMode: options.padMode ?? "reflect" };
}

/** Sample of the padded signal at index i (i may lie outside [0, n)). */
function paddedSample(x: Float32Array, i: number, mode: "reflect" | "constant"): number {
  const n = x.length;
  if (i >= 0 && i < n) return x[i];
  if (mode === "constant" || n === 1) return 0;
  // numpy's "reflect": mirror about the end samples without repeating them, period 2(n-1).
  const period = 2 * (n - 1);
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return x[j];
}

/** Number of frames stft returns for a signal of `length` samples. */
export function stftFrameCount(length: number, options: StftOptions = {}): number {
  const { nFft, hopLength, center } = resolve(options, "stft");
  const padded = center ? length + 2 * Math.floor(nFft / 2) : length;
  return padded < nFft ? 0 : 1 + Math.floor((padded - nFft) / hopLength);
}

/**
 * Computes the STFT in runs of consecutive frames: `sink(t0, count)` names
 * where frames t0 … t0+count−1 go (re/im from `offset`, nBins per frame),
 * and `after(t0, count)` is called once they are there. Runs are at most
 * `maxRun` frames long; frames that need padding come one at a time. The
 * shared engine of `stft` (one run into the whole spectrogram) and of
 * features that reduce frames as they come (mel), which then need no
 * full-size complex buffers.
 */
export function stftFrames(
  signal: Float32Array,
  options: StftOptions,
  what: string,
  maxRun: number,
  sink: (t0: number, count: number) => { re: Float32Array; im: Float32Array; offset: number },
  after?: (t0: number, count: number) => void,
): { nFrames: number; nBins: number; hopLength: number } {
  const { nFft, hopLength, window, center, padMode } = resolve(options, what);
  const nFrames = stftFrameCount(signal.length, options);
  if (nFrames === 0) {
    throw new InvalidInputError(`${what}: signal of ${signal.length} samples is shorter than nFft=${nFft}; use center=true or a smaller nFft`);
  }
  const nBins = nFft / 2 + 1;
  const fft = realFft(nFft, { precision: "single" });
  const frame = new Float64Array(nFft);
  // The default periodic Hann over the whole frame is applied in the frequency domain (3 taps), saving a pass.
  const plainHann = (options.window ?? "hann") === "hann" && (options.winLength ?? nFft) === nFft && fft.hasFastHann;
  const window32 = plainHann ? undefined : Float32Array.from(window);
  const offset = center ? Math.floor(nFft / 2) : 0;
  // Frames [inLo, inHi) lie wholly inside the signal.
  const inLo = Math.min(nFrames, Math.ceil(offset / hopLength));
  const inHi = Math.max(inLo, Math.min(nFrames, Math.floor((signal.length - nFft + offset) / hopLength) + 1));
  for (let t = 0; t < nFrames; ) {
    if (t >= inLo && t < inHi) {
      const count = Math.min(maxRun, inHi - t);
      const out = sink(t, count);
      fft.forwardFrames(signal, t * hopLength - offset, hopLength, count, window32, out.re, out.im, out.offset);
      after?.(t, count);
      t += count;
    } else {
      const start = t * hopLength - offset, out = sink(t, 1);
      for (let i = 0; i < nFft; i++) frame[i] = paddedSample(signal, start + i, padMode) * window[i];
      fft.forward(frame, out.re.subarray(out.offset, out.offset + nBins), out.im.subarray(out.offset, out.offset + nBins));
      after?.(t, 1);
      t += 1;
    }
  }
  return { nFrames, nBins, hopLength };
}

/** Complex STFT of a mono signal. */
export function stft(signal: Float32Array, sampleRate: number, options: StftOptions = {}): ComplexSpectrogram {
  const nFrames = stftFrameCount(signal.length, options);
  const nBins = (options.nFft ?? 2048) / 2 + 1;
  const re = new Float32Array(Math.max(0, nFrames) * nBins), im = new Float32Array(Math.max(0, nFrames) * nBins);
  const r = stftFrames(signal, options, "stft", nFrames, (t) => ({ re, im, offset: t * nBins }));
  return { re, im, nFrames: r.nFrames, nBins: r.nBins, hopLength: r.hopLength, sampleRate };
}

/**
 * Inverse STFT by weighted overlap-add, normalised by the summed squared
 * window where it is non-negligible (librosa's `istft`). `length` trims or
 * zero-pads the output to exactly that many samples. `precision: "single"`
 * takes PFFFT's float32 inverse where WebAssembly SIMD is available.
 */
export function istft(spec: ComplexSpectrogram, options: StftOptions & { readonly length?: number; readonly precision?: "double" | "single" } = {}): Float32Array {
  const nFft = options.nFft ?? 2 * (spec.nBins - 1);
  if (nFft / 2 + 1 !== spec.nBins) throw new InvalidInputError(`istft: nFft=${nFft} needs ${nFft / 2 + 1} bins, spectrogram has ${spec.nBins}`);
  const opts = resolve({ ...options, nFft, hopLength: options.hopLength ?? spec.hopLength }, "istft");
  const { hopLength, window, center } = opts;
  let nFrames = spec.nFrames;
  if (options.length !== undefined) {
    const padded = center ? options.length + 2 * Math.floor(nFft / 2) : options.length;
    nFrames = Math.min(nFrames, 1 + Math.ceil((padded - nFft) / hopLength));
  }
  const total = nFft + hopLength * (nFrames - 1);
  const y = new Float64Array(total);
  const wss = new Float64Array(total);
  // "single": PFFFT's float32 inverse where it is available (several times faster; float32 outputs anyway).
  const fft = options.precision === "single" ? realFft(nFft, { precision: "single" }) : new RealFft(nFft);
  const frame = new Float64Array(nFft);
  const nb = spec.nBins;
  for (let t = 0; t < nFrames; t++) {
    fft.inverse(spec.re.subarray(t * nb, (t + 1) * nb), spec.im.subarray(t * nb, (t + 1) * nb), frame);
    const at = t * hopLength;
    for (let i = 0; i < nFft; i++) {
      y[at + i] += frame[i] * window[i];
      wss[at + i] += window[i] * window[i];
    }
  }
  const tiny = 1.1754943508222875e-38; // float32 tiny, librosa's threshold
  for (let i = 0; i < total; i++) if (wss[i] > tiny) y[i] /= wss[i];
  const start = center ? Math.floor(nFft / 2) : 0;
  const length = options.length ?? (center ? total - 2 * Math.floor(nFft / 2) : total);
  const out = new Float32Array(Math.max(0, length));
  for (let i = 0; i < out.length && start + i < total; i++) out[i] = y[start + i];
  return out;
}
