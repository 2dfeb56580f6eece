/**
 * Chroma features, ported from librosa 0.10: the STFT chroma filterbank
 * (`filters.chroma`, Dan Ellis's fft2chromamx), `chroma_stft`, `chroma_cqt`
 * and `chroma_cens`. Conventions: chroma bin 0 is C when `baseC` (librosa's
 * default) and A otherwise; frames are normalised to unit max (`norm: "inf"`)
 * unless asked otherwise; `tuning` is in fractions of a chroma bin.
 */
import { InvalidInputError } from "../errors.js";
import { cqt, type CqtOptions } from "./cqt.js";
import { applyFilterbank, normalizeFrames, type FrameNorm } from "./filterbank.js";
import { stft, type StftOptions } from "./stft.js";
import { magnitude, type Filterbank, type Spectrogram } from "./types.js";
import { getWindow } from "./window.js";

export interface ChromaFilterOptions {
  readonly nChroma?: number;
  /** Deviation from A440 in fractions of a chroma bin. */
  readonly tuning?: number;
  /** Centre (in octaves, relative to A0/16·…, librosa's convention) of the Gaussian octave weighting. */
  readonly ctroct?: number;
  /** Width in octaves of the octave weighting; null for none. */
  readonly octwidth?: number | null;
  readonly baseC?: boolean;
}

/** Chroma filterbank over nFft/2+1 bins, librosa's `filters.chroma(norm=2)`. */
export function chromaFilterbank(sampleRate: number, nFft: number, options: ChromaFilterOptions = {}): Filterbank {
  const nChroma = options.nChroma ?? 12;
  const tuning = options.tuning ?? 0;
  const ctroct = options.ctroct ?? 5;
  const octwidth = options.octwidth === undefined ? 2 : options.octwidth;
  const baseC = options.baseC ?? true;
  if (!Number.isInteger(nChroma) || nChroma < 1) throw new InvalidInputError(`chromaFilterbank: nChroma must be a positive integer, got ${nChroma}`);
  const a440 = 440 * Math.pow(2, tuning / nChroma);
  // Fractional chroma bin of every FFT bin; the DC bin is put 1.5 octaves below bin 1.
  const frqbins = new Float64Array(nFft);
  for (let k = 1; k < nFft; k++) frqbins[k] = nChroma * Math.log2((k * sampleRate) / nFft / (a440 / 16));
  frqbins[0] = frqbins[1] - 1.5 * nChroma;
  const width = new Float64Array(nFft);
  for (let k = 0; k < nFft - 1; k++) width[k] = Math.max(frqbins[k + 1] - frqbins[k], 1);
  width[nFft - 1] = 1;
  const half = Math.round(nChroma / 2);
  const nBins = Math.floor(nFft / 2) + 1;
  const weights = new Float32Array(nChroma * nBins);
  const col = new Float64Array(nChroma);
  const roll = baseC ? 3 * Math.floor(nChroma / 12) : 0;
  for (let k = 0; k < nBins; k++) {
    let norm = 0;
    for (let c = 0; c < nChroma; c++) {
      const d = ((((frqbins[k] - c + half + 10 * nChroma) % nChroma) + nChroma) % nChroma) - half;
      const v = Math.exp(-0.5 * Math.pow((2 * d) / width[k], 2));
      col[c] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    const oct = octwidth === null ? 1 : Math.exp(-0.5 * Math.pow((frqbins[k] / nChroma - ctroct) / octwidth, 2));
    for (let c = 0; c < nChroma; c++) {
      const row = (((c - roll) % nChroma) + nChroma) % nChroma;
      weights[row * nBins + k] = (col[c] / norm) * oct;
    }
  }
  return { weights, nFilters: nChroma, nBins };
}

export interface ChromaOptions extends ChromaFilterOptions {
  readonly norm?: FrameNorm;
}

/** Chroma from the power STFT, librosa's `chroma_stft` (tuning given, not estimated). Shape nFrames × nChroma. */
export function chromaStft(signal: Float32Array, sampleRate: number, options: StftOptions & ChromaOptions = {}): Spectrogram {
  const nFft = options.nFft ?? 2048;
  const power = magnitude(stft(signal, sampleRate, { ...options, nFft }), 2);
  const raw = applyFilterbank(power, chromaFilterbank(sampleRate, nFft, options));
  return { ...raw, data: normalizeFrames(raw.data, raw.nBins, options.norm ?? "inf") };
}

/**
 * Folds a CQT magnitude whose bins are `binsPerOctave` per octave starting at
 * a C (librosa's `cq_to_chroma` with fmin = C1): each chroma bin sums the CQT
 * bins of that pitch class, merging bins per chroma bin when binsPerOctave is
 * a multiple of nChroma (centred, as librosa's cq_to_chroma does).
 */
export function foldToChroma(cqtMag: Spectrogram, binsPerOctave: number, nChroma = 12): Spectrogram {
  if (binsPerOctave % nChroma !== 0) throw new InvalidInputError(`foldToChroma: binsPerOctave (${binsPerOctave}) must be a multiple of nChroma (${nChroma})`);
  const merge = binsPerOctave / nChroma;
  // librosa rolls by −(merge // 2) so each chroma bin is centred on its pitch.
  const shift = Math.floor(merge / 2);
  const out = new Float32Array(cqtMag.nFrames * nChroma);
  for (let t = 0; t < cqtMag.nFrames; t++) {
    for (let b = 0; b < cqtMag.nBins; b++) {
      const c = Math.floor((((b + shift) % binsPerOctave) / merge)) % nChroma;
      out[t * nChroma + c] += cqtMag.data[t * cqtMag.nBins + b];
    }
  }
  return { ...cqtMag, data: out, nBins: nChroma };
}

/** Chroma from the CQT magnitude, librosa's `chroma_cqt` (fmin C1, 7 octaves, 36 bins per octave). */
export function chromaCqt(
  signal: Float32Array,
  sampleRate: number,
  options: Omit<CqtOptions, "fminHz"> & { readonly nChroma?: number; readonly norm?: FrameNorm; readonly nOctaves?: number } = {},
): Spectrogram {
  const nChroma = options.nChroma ?? 12;
  const bpo = options.binsPerOctave ?? 3 * nChroma;
  const nOctaves = options.nOctaves ?? 7;
  const C = cqt(signal, sampleRate, { ...options, fminHz: C1_HZ, binsPerOctave: bpo, nBins: options.nBins ?? nOctaves * bpo });
  const chroma = foldToChroma(magnitude(C, 1), bpo, nChroma);
  return { ...chroma, data: normalizeFrames(chroma.data, nChroma, options.norm ?? "inf") };
}

/** C1 in Hz (MIDI 24), librosa's note_to_hz("C1"). */
export const C1_HZ = 440 * Math.pow(2, (24 - 69) / 12);

/**
 * Chroma Energy Normalised Statistics (Müller & Ewert), librosa's
 * `chroma_cens`: L1-normalised chroma_cqt, quantised by thresholds
 * 0.4/0.2/0.1/0.05 (weights ¼ each), smoothed over `winLenSmooth` frames with
 * a symmetric Hann window (zero outside the signal), then L2-normalised.
 */
export function chromaCens(
  signal: Float32Array,
  sampleRate: number,
  options: Omit<CqtOptions, "fminHz"> & { readonly nChroma?: number; readonly winLenSmooth?: number } = {},
): Spectrogram {
  const chroma = chromaCqt(signal, sampleRate, { ...options, norm: "l1" });
  return censFromChroma(chroma, options.winLenSmooth ?? 41);
}

/** The CENS post-processing of an L1-normalised chroma (see chromaCens). */
export function censFromChroma(chroma: Spectrogram, winLenSmooth = 41): Spectrogram {
  const { nFrames, nBins } = chroma;
  const quant = new Float32Array(chroma.data.length);
  for (let i = 0; i < quant.length; i++) {
    const v = chroma.data[i];
    quant[i] = 0.25 * ((v > 0.4 ? 1 : 0) + (v > 0.2 ? 1 : 0) + (v > 0.1 ? 1 : 0) + (v > 0.05 ? 1 : 0));
  }
  const w = getWindow("hann", winLenSmooth + 2, { periodic: false });
  let wsum = 0;
  for (const v of w) wsum += v;
  const half = Math.floor(w.length / 2);
  const out = new Float32Array(quant.length);
  for (let t = 0; t < nFrames; t++) {
    for (let c = 0; c < nBins; c++) {
      let s = 0;
      for (let j = 0; j < w.length; j++) {
        const src = t + j - half; // scipy.ndimage.convolve: symmetric window, so correlation = convolution
        if (src >= 0 && src < nFrames) s += quant[src * nBins + c] * w[j];
      }
      out[t * nBins + c] = s / wsum;
    }
  }
  return { ...chroma, data: normalizeFrames(out, nBins, "l2") };
}
