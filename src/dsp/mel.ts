/**
 * Mel scale and mel filterbanks, ported from librosa 0.10
 * (`librosa.mel_frequencies`, `librosa.filters.mel`). Conventions: `htk`
 * selects the HTK formula 2595·log10(1 + f/700); otherwise the Slaney
 * (Auditory Toolbox) scale, linear below 1 kHz and logarithmic above.
 * `norm: "slaney"` scales each triangle to unit area in Hz, as librosa does
 * by default.
 */
import { InvalidInputError } from "../errors.js";
import { filterRanges } from "./filterbank.js";
import { stftFrameCount, stftFrames, type StftOptions } from "./stft.js";
import type { Filterbank, Spectrogram } from "./types.js";

const F_SP = 200 / 3; // Hz per mel below 1 kHz (Slaney)
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

export function hzToMel(hz: number, htk = false): number {
  if (htk) return 2595 * Math.log10(1 + hz / 700);
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
}

export function melToHz(mel: number, htk = false): number {
  if (htk) return 700 * (Math.pow(10, mel / 2595) - 1);
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/** `n` frequencies (Hz) evenly spaced on the mel scale from fminHz to fmaxHz inclusive. */
export function melFrequencies(n: number, fminHz: number, fmaxHz: number, htk = false): Float64Array {
  const a = hzToMel(fminHz, htk), b = hzToMel(fmaxHz, htk);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = melToHz(n === 1 ? a : a + ((b - a) * i) / (n - 1), htk);
  return out;
}

export interface MelOptions {
  readonly nMels?: number;
  readonly fminHz?: number;
  /** Default sampleRate/2. */
  readonly fmaxHz?: number;
  readonly htk?: boolean;
  readonly norm?: "slaney" | "none";
}

/** Triangular mel filters over the nFft/2+1 bins of an nFft-point real FFT. */
export function melFilterbank(sampleRate: number, nFft: number, options: MelOptions = {}): Filterbank {
  const nMels = options.nMels ?? 128;
  const fmin = options.fminHz ?? 0;
  const fmax = options.fmaxHz ?? sampleRate / 2;
  const htk = options.htk ?? false;
  if (!(fmin >= 0 && fmax > fmin && fmax <= sampleRate / 2 + 1e-9)) {
    throw new InvalidInputError(`melFilterbank: need 0 ≤ fminHz < fmaxHz ≤ sampleRate/2, got ${fmin}..${fmax} Hz at ${sampleRate} Hz`);
  }
  const nBins = Math.floor(nFft / 2) + 1;
  const melF = melFrequencies(nMels + 2, fmin, fmax, htk);
  const weights = new Float32Array(nMels * nBins);
  for (let m = 0; m < nMels; m++) {
    const left = melF[m], centre = melF[m + 1], right = melF[m + 2];
    const enorm = (options.norm ?? "slaney") === "slaney" ? 2 / (right - left) : 1;
    for (let k = 0; k < nBins; k++) {
      const f = (k * sampleRate) / nFft;
      const lower = (f - left) / (centre - left);
      const upper = (right - f) / (right - centre);
      const w = Math.max(0, Math.min(lower, upper));
      weights[m * nBins + k] = w * enorm;
    }
  }
  return { weights, nFilters: nMels, nBins };
}

/**
 * Mel spectrogram of a mono signal (librosa's `feature.melspectrogram`):
 * |STFT|^power projected on the mel filterbank. Shape nFrames × nMels.
 * Each frame is reduced as soon as it is transformed (no full complex STFT in memory).
 */
export function melSpectrogram(
  signal: Float32Array,
  sampleRate: number,
  options: StftOptions & MelOptions & { readonly power?: number } = {},
): Spectrogram {
  const nFft = options.nFft ?? 2048;
  const fb = melFilterbank(sampleRate, nFft, options);
  const nb = nFft / 2 + 1, nMels = fb.nFilters, power = options.power ?? 2;
  const { lo, hi } = filterRanges(fb);
  const run = 64, re = new Float32Array(run * nb), im = new Float32Array(run * nb), p = new Float32Array(nb);
  const nFrames = stftFrameCount(signal.length, { ...options, nFft });
  const out = new Float32Array(Math.max(0, nFrames) * nMels);
  const r = stftFrames(signal, { ...options, nFft }, "melSpectrogram", run, () => ({ re, im, offset: 0 }), (t0, count) => {
    for (let f = 0; f < count; f++) {
      const o = f * nb, t = t0 + f;
      for (let k = 0; k < nb; k++) {
        const q = re[o + k] * re[o + k] + im[o + k] * im[o + k];
        p[k] = power === 2 ? q : power === 1 ? Math.sqrt(q) : Math.pow(q, power / 2);
      }
      for (let m = 0; m < nMels; m++) {
        let s = 0;
        for (let k = lo[m]; k <= hi[m]; k++) s += fb.weights[m * nb + k] * p[k];
        out[t * nMels + m] = s;
      }
    }
  });
  return { data: out, nFrames: r.nFrames, nBins: nMels, hopLength: r.hopLength, sampleRate };
}
