/**
 * YIN fundamental-frequency estimation (de Cheveigné & Kawahara, JASA 2002):
 * the cumulative-mean-normalised difference function of each frame, the
 * first dip below `threshold` (else the global minimum, marked unvoiced when
 * it stays above `voicingThreshold`), refined by parabolic interpolation.
 * Frames are centred at t·hop. Returns F0 in Hz per frame, 0 when unvoiced.
 */
import { InvalidInputError } from "../errors.js";

export interface YinOptions {
  readonly fminHz?: number;
  readonly fmaxHz?: number;
  readonly hopLength?: number;
  /** Frame (integration window) length in samples; default 2.5 periods of fmin. */
  readonly frameLength?: number;
  readonly threshold?: number;
  /** Frames whose best dip exceeds this are unvoiced. */
  readonly voicingThreshold?: number;
  /** Frames quieter than this RMS are unvoiced. */
  readonly minRms?: number;
}

export function yin(signal: Float32Array, sampleRate: number, options: YinOptions = {}): { f0: Float32Array; hopLength: number } {
  const fmin = options.fminHz ?? 60, fmax = options.fmaxHz ?? 1000;
  if (!(fmin > 0 && fmax > fmin && fmax < sampleRate / 2)) throw new InvalidInputError(`yin: need 0 < fminHz < fmaxHz < sampleRate/2, got ${fmin}, ${fmax} at ${sampleRate} Hz`);
  const hop = options.hopLength ?? Math.round(sampleRate / 100);
  const tauMax = Math.ceil(sampleRate / fmin), tauMin = Math.floor(sampleRate / fmax);
  const W = options.frameLength ?? Math.ceil(2.5 * tauMax);
  const th = options.threshold ?? 0.1, vth = options.voicingThreshold ?? 0.35, minRms = options.minRms ?? 1e-4;
  const nFrames = 1 + Math.floor(signal.length / hop);
  const f0 = new Float32Array(nFrames);
  const d = new Float64Array(tauMax + 2);
  for (let t = 0; t < nFrames; t++) {
    const start = t * hop - Math.floor((W + tauMax) / 2);
    if (start < 0 || start + W + tauMax + 1 > signal.length) continue;
    let e = 0;
    for (let i = 0; i < W; i++) e += signal[start + i] * signal[start + i];
    if (Math.sqrt(e / W) < minRms) continue;
    d[0] = 1;
    let cum = 0;
    for (let tau = 1; tau <= tauMax + 1; tau++) {
      let s = 0;
      for (let i = 0; i < W; i++) {
        const diff = signal[start + i] - signal[start + i + tau];
        s += diff * diff;
      }
      cum += s;
      d[tau] = cum > 0 ? (s * tau) / cum : 1;
    }
    let best = -1;
    for (let tau = Math.max(2, tauMin); tau <= tauMax; tau++) {
      if (d[tau] < th) {
        while (tau + 1 <= tauMax && d[tau + 1] < d[tau]) tau++;
        best = tau;
        break;
      }
    }
    if (best < 0) {
      let m = Infinity;
      for (let tau = Math.max(2, tauMin); tau <= tauMax; tau++) if (d[tau] < m) { m = d[tau]; best = tau; }
      if (m > vth) continue;
    }
    const a = d[best - 1], b = d[best], c = d[best + 1];
    const den = a - 2 * b + c;
    const shift = den !== 0 ? (0.5 * (a - c)) / den : 0;
    f0[t] = sampleRate / (best + Math.max(-1, Math.min(1, shift)));
  }
  return { f0, hopLength: hop };
}
