/**
 * Cover-song features (Serra et al. 2008/2009; Salamon et al. 2013): a
 * 12-bin HPCP sequence and a melody pitch-class sequence, both averaged into
 * half-second frames and scaled to unit maximum per frame. Pure functions
 * over a mono signal; any sample rate (resampled to 22050 Hz).
 */
import { hpcp } from "../dsp/hpcp.js";
import { resample } from "../dsp/resample.js";
import { pitchSalience, trackMelody } from "../dsp/salience.js";

export const FEATURE_RATE_HZ = 2; // frames per second after aggregation
const SR = 22050;

export interface CoverFeatures {
  /** nFrames × 12, frame-major. */
  readonly hpcp: Float32Array;
  readonly melody: Float32Array;
  /** Multi-pitch view: the whole pitch-salience map folded to pitch class (optional in older libraries). */
  readonly salience?: Float32Array;
  readonly nFrames: number;
}

function aggregate(data: Float32Array, framesPerSecond: number, nFramesIn: number): { out: Float32Array; n: number } {
  const per = Math.max(1, Math.round(framesPerSecond / FEATURE_RATE_HZ));
  const n = Math.floor(nFramesIn / per);
  const out = new Float32Array(n * 12);
  for (let t = 0; t < n; t++) {
    for (let f = t * per; f < (t + 1) * per; f++) for (let k = 0; k < 12; k++) out[t * 12 + k] += data[f * 12 + k];
    let m = 0;
    for (let k = 0; k < 12; k++) m = Math.max(m, out[t * 12 + k]);
    if (m > 0) for (let k = 0; k < 12; k++) out[t * 12 + k] /= m;
  }
  return { out, n };
}

export function coverFeatures(signal: Float32Array, sampleRate: number): CoverFeatures {
  const x = sampleRate === SR ? signal : resample(signal, sampleRate, SR);
  const h = hpcp(x, SR, { size: 12 });
  const hp = aggregate(h.data, SR / h.hopLength, h.nFrames);
  // Melody: salience at 512-sample hops (23 ms), tracked, folded to pitch class (bin 0 = A, as HPCP).
  const sal = pitchSalience(x, SR, { hopLength: 512, nHarmonics: 10, maxPeaks: 30, nOctaves: 4, fminHz: 82.5 });
  const f0 = trackMelody(sal);
  const pc = new Float32Array(f0.length * 12);
  f0.forEach((f, t) => {
    if (f <= 0) return;
    const semis = 12 * Math.log2(f / 440);
    const k = ((Math.round(semis) % 12) + 12) % 12;
    pc[t * 12 + k] = 1;
  });
  const mel = aggregate(pc, SR / 512, f0.length);
  // Multi-pitch view: salience folded to 12 pitch classes per frame (10 bins per semitone from fmin = E2).
  const folded = new Float32Array(sal.nFrames * 12);
  const offset = Math.round(12 * Math.log2(82.5 / 440)); // semitones from A4 to fmin
  for (let t = 0; t < sal.nFrames; t++) for (let k = 0; k < sal.nBins; k++) {
    const pcIdx = ((((Math.round(k / sal.binsPerSemitone) + offset) % 12) + 12) % 12);
    folded[t * 12 + pcIdx] += sal.data[t * sal.nBins + k];
  }
  const multi = aggregate(folded, SR / 512, sal.nFrames);
  const n = Math.min(hp.n, mel.n, multi.n);
  return { hpcp: hp.out.slice(0, n * 12), melody: mel.out.slice(0, n * 12), salience: multi.out.slice(0, n * 12), nFrames: n };
}
