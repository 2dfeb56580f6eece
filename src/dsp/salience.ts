/**
 * Pitch salience by harmonic summation of spectral peaks (Salamon & Gómez,
 * IEEE TASLP 2012, §II-B): every peak (within `dynamicRangeDb` of the
 * frame's strongest) votes for the F0 candidates of which it could be the
 * h-th harmonic (h = 1…nHarmonics, weight α^{h−1}), spread over ±1
 * semitone with a cos² window, in 10-cent bins from `fminHz` over
 * `nOctaves`. Magnitudes are raised to β = 1 (linear), as in the paper.
 * Output: nFrames × nBins, frame t centred at t·hop.
 */
import { realFft } from "./fft.js";
import { spectralPeaks } from "./hpcp.js";
import type { Spectrogram } from "./types.js";
import { getWindow } from "./window.js";

export interface SalienceOptions {
  readonly frameSize?: number;
  readonly hopLength?: number;
  readonly fminHz?: number;
  readonly nOctaves?: number;
  readonly binsPerSemitone?: number;
  readonly nHarmonics?: number;
  readonly alpha?: number;
  readonly dynamicRangeDb?: number;
  readonly maxPeaks?: number;
}

export function pitchSalience(signal: Float32Array, sampleRate: number, options: SalienceOptions = {}): Spectrogram & { fminHz: number; binsPerSemitone: number } {
  const frameSize = options.frameSize ?? 2048, hop = options.hopLength ?? Math.max(1, Math.round((128 * sampleRate) / 22050));
  const fmin = options.fminHz ?? 55, octaves = options.nOctaves ?? 5, bps = options.binsPerSemitone ?? 10;
  const nBins = octaves * 12 * bps;
  const H = options.nHarmonics ?? 20, alpha = options.alpha ?? 0.8, range = options.dynamicRangeDb ?? 40;
  const window = getWindow("hann", frameSize);
  const fft = realFft(frameSize, { precision: "single" });
  const nb = frameSize / 2 + 1;
  const re = new Float64Array(nb), im = new Float64Array(nb), mag = new Float64Array(nb);
  const frame = new Float64Array(frameSize);
  const nFrames = 1 + Math.floor(signal.length / hop);
  const out = new Float32Array(nFrames * nBins);
  const weights = Float64Array.from({ length: H }, (_, h) => Math.pow(alpha, h));
  for (let t = 0; t < nFrames; t++) {
    const start = t * hop - frameSize / 2;
    for (let i = 0; i < frameSize; i++) {
      const s = start + i;
      frame[i] = s >= 0 && s < signal.length ? signal[s] * window[i] : 0;
    }
    fft.forward(frame, re, im);
    let top = 0;
    for (let k = 0; k < nb; k++) { mag[k] = Math.hypot(re[k], im[k]); if (mag[k] > top) top = mag[k]; }
    if (top === 0) continue;
    const peaks = spectralPeaks(mag, sampleRate, { maxPeaks: options.maxPeaks ?? 50, minFreqHz: fmin, maxFreqHz: Math.min(5000, sampleRate / 2), minMagnitude: top * Math.pow(10, -range / 20) });
    const row = t * nBins;
    for (let p = 0; p < peaks.freqsHz.length; p++) {
      const a = peaks.magnitudes[p];
      for (let h = 1; h <= H; h++) {
        const f0 = peaks.freqsHz[p] / h;
        if (f0 < fmin) break;
        const b = 12 * bps * Math.log2(f0 / fmin);
        const lo = Math.ceil(b - bps), hi = Math.floor(b + bps);
        for (let k = Math.max(0, lo); k <= Math.min(nBins - 1, hi); k++) {
          const c = Math.cos((Math.PI / 2) * ((k - b) / bps));
          out[row + k] += weights[h - 1] * a * c * c;
        }
      }
    }
  }
  return { data: out, nFrames, nBins, hopLength: hop, sampleRate, fminHz: fmin, binsPerSemitone: bps };
}

/**
 * A predominant-melody contour from a salience map: Viterbi over salience
 * bins with a cost on pitch jumps (per semitone), then voicing by a frame
 * salience threshold (a fraction of the track's mean peak salience).
 * A simplified take on Melodia's contour tracking. Returns F0 in Hz, 0 unvoiced.
 */
export function trackMelody(sal: Spectrogram & { fminHz: number; binsPerSemitone: number }, options: { jumpCostPerSemitone?: number; voicingRatio?: number; stride?: number } = {}): Float32Array {
  const { nFrames, nBins } = sal;
  const stride = options.stride ?? 2; // candidate bins every `stride` (20 cents) to keep the Viterbi cheap
  const cands = Math.ceil(nBins / stride);
  const jump = options.jumpCostPerSemitone ?? 0.08;
  const f0 = new Float32Array(nFrames);
  if (nFrames === 0) return f0;
  // Normalised log-salience per frame.
  const score = new Float32Array(nFrames * cands);
  const peak = new Float32Array(nFrames);
  for (let t = 0; t < nFrames; t++) {
    let m = 0;
    for (let c = 0; c < cands; c++) { const v = sal.data[t * nBins + c * stride]; score[t * cands + c] = v; if (v > m) m = v; }
    peak[t] = m;
    for (let c = 0; c < cands; c++) score[t * cands + c] = m > 0 ? score[t * cands + c] / m : 0;
  }
  const costPerBin = (jump * stride) / sal.binsPerSemitone;
  const back = new Int32Array(nFrames * cands);
  let prev = Float32Array.from(score.subarray(0, cands)), cur = new Float32Array(cands);
  const maxJumpBins = Math.ceil((12 * sal.binsPerSemitone) / stride); // look an octave either way
  for (let t = 1; t < nFrames; t++) {
    for (let c = 0; c < cands; c++) {
      let best = -Infinity, arg = c;
      for (let d = Math.max(0, c - maxJumpBins); d <= Math.min(cands - 1, c + maxJumpBins); d++) {
        const v = prev[d] - costPerBin * Math.abs(c - d);
        if (v > best) { best = v; arg = d; }
      }
      cur[c] = best + score[t * cands + c];
      back[t * cands + c] = arg;
    }
    [prev, cur] = [cur, prev];
  }
  let c = 0;
  for (let k = 1; k < cands; k++) if (prev[k] > prev[c]) c = k;
  let mean = 0;
  for (const v of peak) mean += v;
  mean /= nFrames;
  const thr = (options.voicingRatio ?? 0.3) * mean;
  for (let t = nFrames - 1; t >= 0; t--) {
    f0[t] = peak[t] > thr ? sal.fminHz * Math.pow(2, (c * stride) / (12 * sal.binsPerSemitone)) : 0;
    if (t > 0) c = back[t * cands + c];
  }
  return f0;
}
