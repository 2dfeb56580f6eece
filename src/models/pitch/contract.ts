/**
 * The multi-F0 models' contract: the input (HCQT of a mono 22050 Hz signal,
 * magnitude then phase-differential channels, [C, F, T] time last), the
 * training target (Gaussian-blurred F0s on the same 20-cent grid) and the
 * decoding of a salience map into F0s (peaks above a threshold). Training
 * (scripts/train-multif0.ts) and inference (tasks/multipitch.ts) share it.
 */
import { HCQT_DEFAULTS, hcqtFrames, sharedHcqt } from "../../dsp/hcqt.js";
import type { TensorSource } from "../../nn/runtime.js";
import { resample } from "../../dsp/resample.js";
import { InvalidInputError } from "../../errors.js";
import { toMono } from "../../io/audio.js";
import type { Fusion } from "./multif0.js";

export const MULTIPITCH_RATE = 22050;
export const MULTIPITCH_HOP = HCQT_DEFAULTS.hopLength;
export const MULTIPITCH_BINS = HCQT_DEFAULTS.nOctaves * HCQT_DEFAULTS.binsPerOctave;

/** Centre frequency of salience bin k (20-cent grid from C1). */
export function binToHz(k: number): number {
  return HCQT_DEFAULTS.fminHz * Math.pow(2, k / HCQT_DEFAULTS.binsPerOctave);
}

/** Fractional salience bin of a frequency. */
export function hzToBin(hz: number): number {
  return HCQT_DEFAULTS.binsPerOctave * Math.log2(hz / HCQT_DEFAULTS.fminHz);
}

/**
 * The model input [C, F, T] (time last) for a mono 22050 Hz signal:
 * magnitude channels, then (except for "magnitude" models) phase-differential
 * channels.
 */
export function multipitchInput(signal: Float32Array, fusion: Fusion): { data: Float32Array; channels: number; bins: number; frames: number } {
  const { source, channels, bins, frames } = multipitchSource(signal, fusion);
  const data = new Float32Array(channels * bins * frames);
  source.fill(data, 0, frames, frames);
  return { data, channels, bins, frames };
}

/**
 * multipitchInput as a chunk source for runChunked: the same values, transposed chunk by chunk from the
 * shared HCQT (dsp/hcqt.ts, hcqtFrames), so inference never holds the whole [C, F, T] tensor.
 */
export function multipitchSource(signal: Float32Array, fusion: Fusion): { source: TensorSource; channels: number; bins: number; frames: number } {
  const h = sharedHcqt(signal, MULTIPITCH_RATE);
  const withPhase = fusion !== "magnitude";
  const channels = (withPhase ? 2 : 1) * h.harmonics.length;
  return {
    source: { dims: [1, channels, h.nBins, h.nFrames], fill: (out, start, len, width) => hcqtFrames(h, withPhase, out, start, len, width) },
    channels, bins: h.nBins, frames: h.nFrames,
  };
}

/**
 * Gaussian-blurred F0 targets [F, T] for frame times `t·hop/rate`: for each
 * F0 the value at bin k is exp(−(k − b)² / 2σ²) with b the F0's fractional
 * bin and σ in bins; overlapping voices take the maximum.
 */
export function salienceTargets(f0s: readonly ArrayLike<number>[], bins: number, sigmaBins = 1): Float32Array {
  const T = f0s.length;
  const y = new Float32Array(bins * T);
  const reach = Math.ceil(4 * sigmaBins);
  for (let t = 0; t < T; t++) {
    for (const f of Array.from(f0s[t])) {
      if (!(f > 0)) continue;
      const b = hzToBin(f);
      for (let k = Math.max(0, Math.floor(b) - reach); k <= Math.min(bins - 1, Math.ceil(b) + reach); k++) {
        const v = Math.exp(-((k - b) ** 2) / (2 * sigmaBins * sigmaBins));
        if (v > y[k * T + t]) y[k * T + t] = v;
      }
    }
  }
  return y;
}

/**
 * Peak picking on a salience map [F, T]: per frame, the local maxima along
 * frequency above `threshold`, refined by parabolic interpolation of the
 * peak and its neighbours.
 */
export function pickPeaks(salience: Float32Array, bins: number, frames: number, threshold: number, firstFrame = 0): { times: Float64Array; freqs: Float64Array[] } {
  const times = new Float64Array(frames);
  const freqs: Float64Array[] = [];
  const peaks: number[] = [];
  for (let t = 0; t < frames; t++) {
    times[t] = ((firstFrame + t) * MULTIPITCH_HOP) / MULTIPITCH_RATE;
    peaks.length = 0;
    for (let k = 0; k < bins; k++) {
      const v = salience[k * frames + t];
      if (v < threshold) continue;
      const lo = k > 0 ? salience[(k - 1) * frames + t] : -Infinity, hi = k + 1 < bins ? salience[(k + 1) * frames + t] : -Infinity;
      if (!(v > lo && v >= hi)) continue;
      let offset = 0;
      if (k > 0 && k + 1 < bins) {
        const den = lo - 2 * v + hi;
        if (den < 0) offset = Math.max(-0.5, Math.min(0.5, (0.5 * (lo - hi)) / den));
      }
      peaks.push(binToHz(k + offset));
    }
    freqs.push(Float64Array.from(peaks));
  }
  return { times, freqs };
}

/** Mixes channels to mono and resamples to the model's rate. */
export function toModelSignal(channels: readonly Float32Array[], sampleRate: number): Float32Array {
  if (channels.length === 0 || channels[0].length === 0) throw new InvalidInputError("multipitch: the audio is empty");
  const mono = toMono({ sampleRate, channels });
  return sampleRate === MULTIPITCH_RATE ? mono : resample(mono, sampleRate, MULTIPITCH_RATE);
}

