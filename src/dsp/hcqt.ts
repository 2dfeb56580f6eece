/**
 * Harmonic CQT (Bittner et al., ISMIR 2017), with the per-bin phase
 * differentials that Cuesta, McFee & Gómez (ISMIR 2020) feed to their
 * multiple-F0 CNN. Channel h is a CQT whose bin k sits at
 * harmonics[h]·fminHz·2^{k/B}, so bin k of every channel lines up with the
 * same candidate F0. Reference settings (the defaults): harmonics
 * {0.5, 1, 2, 3, 4, 5}, 60 bins per octave (20 cents), 6 octaves from C1,
 * 22050 Hz, hop 256.
 *
 * Layout: channel-major then frame-major, data[(h·nFrames + t)·nBins + k].
 */
import { InvalidInputError } from "../errors.js";
import { cqt } from "./cqt.js";
import { C1_HZ } from "./chroma.js";

export interface HcqtOptions {
  readonly harmonics?: readonly number[];
  readonly fminHz?: number;
  readonly binsPerOctave?: number;
  readonly nOctaves?: number;
  readonly hopLength?: number;
}

export interface Hcqt {
  /** Log magnitude scaled to [0, 1]: (amplitude_to_db(|C|, ref = max over all channels) / 80) + 1, floored at 0. */
  readonly magnitude: Float32Array;
  /** Frame-to-frame phase difference per bin, wrapped to (−π, π] and divided by π; frame 0 is 0. */
  readonly phaseDiff: Float32Array;
  readonly harmonics: readonly number[];
  readonly nFrames: number;
  readonly nBins: number;
  readonly binsPerOctave: number;
  readonly fminHz: number;
  readonly hopLength: number;
  readonly sampleRate: number;
}

export const HCQT_DEFAULTS = { harmonics: [0.5, 1, 2, 3, 4, 5], fminHz: C1_HZ, binsPerOctave: 60, nOctaves: 6, hopLength: 256 } as const;

export function hcqt(signal: Float32Array, sampleRate: number, options: HcqtOptions = {}): Hcqt {
  const harmonics = options.harmonics ?? HCQT_DEFAULTS.harmonics;
  const fminHz = options.fminHz ?? HCQT_DEFAULTS.fminHz;
  const binsPerOctave = options.binsPerOctave ?? HCQT_DEFAULTS.binsPerOctave;
  const nBins = (options.nOctaves ?? HCQT_DEFAULTS.nOctaves) * binsPerOctave;
  const hopLength = options.hopLength ?? HCQT_DEFAULTS.hopLength;
  if (harmonics.length === 0 || harmonics.some((h) => !(h > 0))) throw new InvalidInputError(`hcqt: harmonics must be positive numbers, got [${harmonics.join(", ")}]`);
  const channels = harmonics.map((h) => cqt(signal, sampleRate, { fminHz: fminHz * h, nBins, binsPerOctave, hopLength }));
  const nFrames = Math.min(...channels.map((c) => c.nFrames));
  const size = nFrames * nBins;
  const magnitude = new Float32Array(harmonics.length * size);
  const phaseDiff = new Float32Array(harmonics.length * size);
  let maxMag = 0;
  channels.forEach((c, h) => {
    for (let i = 0; i < size; i++) {
      const m = Math.hypot(c.re[i], c.im[i]);
      magnitude[h * size + i] = m;
      if (m > maxMag) maxMag = m;
    }
    for (let t = 1; t < nFrames; t++) {
      for (let k = 0; k < nBins; k++) {
        const a = t * nBins + k, b = a - nBins;
        // arg(C_t · conj(C_{t−1})) is the wrapped phase advance.
        const d = Math.atan2(c.im[a] * c.re[b] - c.re[a] * c.im[b], c.re[a] * c.re[b] + c.im[a] * c.im[b]);
        phaseDiff[h * size + a] = d / Math.PI;
      }
    }
  });
  // amplitude_to_db with ref = max, amin 1e-5, top_db 80, then /80 + 1.
  const ref = 20 * Math.log10(Math.max(1e-5, maxMag));
  for (let i = 0; i < magnitude.length; i++) {
    const db = Math.max(20 * Math.log10(Math.max(1e-5, magnitude[i])) - ref, -80);
    magnitude[i] = db / 80 + 1;
  }
  return { magnitude, phaseDiff, harmonics, nFrames, nBins, binsPerOctave, fminHz, hopLength, sampleRate };
}
