/**
 * Applying a filterbank to a spectrogram, and per-frame normalisation: the
 * two steps mel, chroma and CQT-based features share.
 */
import { InvalidInputError } from "../errors.js";
import type { Filterbank, Spectrogram } from "./types.js";

/** Per filter, the first and last non-zero bin (mel and chroma rows are mostly zeros); hi < lo for an empty row. */
export function filterRanges(fb: Filterbank): { lo: Int32Array; hi: Int32Array } {
  const lo = new Int32Array(fb.nFilters), hi = new Int32Array(fb.nFilters);
  for (let f = 0; f < fb.nFilters; f++) {
    let a = fb.nBins, b = -1;
    for (let k = 0; k < fb.nBins; k++) {
      if (fb.weights[f * fb.nBins + k] !== 0) {
        if (a === fb.nBins) a = k;
        b = k;
      }
    }
    lo[f] = a;
    hi[f] = b;
  }
  return { lo, hi };
}

/** out[t, f] = Σ_k weights[f, k] · spec[t, k]; skips zero weights, so sparse banks stay cheap. */
export function applyFilterbank(spec: Spectrogram, fb: Filterbank): Spectrogram {
  if (spec.nBins !== fb.nBins) {
    throw new InvalidInputError(`applyFilterbank: filterbank expects ${fb.nBins} bins, spectrogram has ${spec.nBins}; use the same nFft for both`);
  }
  const { lo, hi } = filterRanges(fb);
  const out = new Float32Array(spec.nFrames * fb.nFilters);
  for (let t = 0; t < spec.nFrames; t++) {
    const row = t * spec.nBins;
    for (let f = 0; f < fb.nFilters; f++) {
      const w = f * fb.nBins;
      let s = 0;
      for (let k = lo[f]; k <= hi[f]; k++) s += fb.weights[w + k] * spec.data[row + k];
      out[t * fb.nFilters + f] = s;
    }
  }
  return { data: out, nFrames: spec.nFrames, nBins: fb.nFilters, hopLength: spec.hopLength, sampleRate: spec.sampleRate };
}

export type FrameNorm = "inf" | "l1" | "l2" | "none";

/**
 * Normalises each frame (row) of a frame-major array to unit norm, librosa's
 * `util.normalize(S, norm, axis=0)` with `threshold` = float32 tiny: frames
 * whose norm is below it are left as they are (silence stays zero).
 */
export function normalizeFrames(data: Float32Array, nBins: number, norm: FrameNorm): Float32Array {
  const out = Float32Array.from(data);
  if (norm === "none") return out;
  const tiny = 1.1754943508222875e-38;
  for (let t = 0; t * nBins < out.length; t++) {
    let n = 0;
    for (let k = 0; k < nBins; k++) {
      const v = Math.abs(out[t * nBins + k]);
      if (norm === "inf") n = Math.max(n, v);
      else if (norm === "l1") n += v;
      else n += v * v;
    }
    if (norm === "l2") n = Math.sqrt(n);
    if (n < tiny) continue;
    for (let k = 0; k < nBins; k++) out[t * nBins + k] /= n;
  }
  return out;
}
