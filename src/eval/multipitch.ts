/**
 * Port of mir_eval.multipitch (0.7). Conventions: frames are time stamps in
 * seconds, each with zero or more F0s in Hz; an estimate on another time grid
 * is resampled to the reference's by nearest neighbour (times outside the
 * estimate's range get no F0s); a reference and an estimated F0 match within
 * half a semitone (`window`, in semitones), one-to-one per frame; the chroma
 * variants compare F0s modulo an octave. Scores are summed over all frames
 * before dividing ("macro" level), as mir_eval does.
 */
import { InvalidInputError } from "../errors.js";
import { allClose, matchEvents, validateEvents, validateFrequencies } from "./util.js";

export interface MultipitchScores {
  Precision: number;
  Recall: number;
  Accuracy: number;
  "Substitution Error": number;
  "Miss Error": number;
  "False Alarm Error": number;
  "Total Error": number;
  "Chroma Precision": number;
  "Chroma Recall": number;
  "Chroma Accuracy": number;
  "Chroma Substitution Error": number;
  "Chroma Miss Error": number;
  "Chroma False Alarm Error": number;
  "Chroma Total Error": number;
}

export interface MultipitchInput {
  readonly times: ArrayLike<number>;
  readonly freqs: readonly ArrayLike<number>[];
}

/** mir_eval.multipitch.resample_multipitch: nearest frame (ties to the earlier), empty outside [t0, tN]. */
export function resampleMultipitch(times: ArrayLike<number>, freqs: readonly ArrayLike<number>[], target: ArrayLike<number>): ArrayLike<number>[] {
  const empty = new Float64Array(0);
  if (target.length === 0) return [];
  if (times.length === 0) return Array.from({ length: target.length }, () => empty);
  const n = times.length;
  const out: ArrayLike<number>[] = [];
  for (let i = 0; i < target.length; i++) {
    const t = target[i];
    if (t < times[0] || t > times[n - 1] || Number.isNaN(t)) { out.push(empty); continue; }
    // scipy's nearest: midpoints between knots, searchsorted(side='left'): a tie goes to the earlier knot.
    let lo = 0, hi = n - 1;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if ((times[m] + times[m + 1]) / 2 < t) lo = m + 1;
      else hi = m;
    }
    out.push(freqs[lo]);
  }
  return out;
}


const toMidi = (f: ArrayLike<number>) => Float64Array.from(f as ArrayLike<number>, (v) => 69 + 12 * Math.log2(v / 440));
const mod = (x: number, n: number) => x - n * Math.floor(x / n); // np.mod: result has the divisor's sign

function accuracy(tp: number[], nRef: number[], nEst: number[]): [number, number, number] {
  let t = 0, r = 0, e = 0, d = 0;
  for (let i = 0; i < tp.length; i++) { t += tp[i]; r += nRef[i]; e += nEst[i]; d += nEst[i] + nRef[i] - tp[i]; }
  return [e > 0 ? t / e : 0, r > 0 ? t / r : 0, d > 0 ? t / d : 0];
}

function errors(tp: number[], nRef: number[], nEst: number[]): [number, number, number, number] {
  let r = 0;
  for (const v of nRef) r += v;
  if (r === 0) return [0, 0, 0, 0];
  let sub = 0, miss = 0, fa = 0, tot = 0;
  for (let i = 0; i < tp.length; i++) {
    sub += Math.min(nRef[i], nEst[i]) - tp[i];
    miss += Math.max(nRef[i] - nEst[i], 0);
    fa += Math.max(nEst[i] - nRef[i], 0);
    tot += Math.max(nRef[i], nEst[i]) - tp[i];
  }
  return [sub / r, miss / r, fa / r, tot / r];
}

/** Port of mir_eval.multipitch.evaluate (0.7). `window` is in semitones (default 0.5). */
export function evaluateMultipitch(ref: MultipitchInput, est: MultipitchInput, options: { readonly window?: number } = {}): MultipitchScores {
  const window = options.window ?? 0.5;
  validateEvents(ref.times, "reference times");
  validateEvents(est.times, "estimated times");
  if (ref.times.length !== ref.freqs.length) throw new InvalidInputError("reference times and frequencies have unequal lengths");
  if (est.times.length !== est.freqs.length) throw new InvalidInputError("estimate times and frequencies have unequal lengths");
  ref.freqs.forEach((f) => validateFrequencies(f, "reference"));
  est.freqs.forEach((f) => validateFrequencies(f, "estimate"));
  const estFreqs = allClose(est.times, ref.times) ? est.freqs : resampleMultipitch(est.times, est.freqs, ref.times);
  const refMidi = ref.freqs.map(toMidi), estMidi = estFreqs.map(toMidi);
  const nRef = refMidi.map((f) => f.length), nEst = estMidi.map((f) => f.length);
  const tp: number[] = [], tpChroma: number[] = [];
  const circular = (a: number, b: number) => {
    const d = Math.abs(mod(a, 12) - mod(b, 12));
    return Math.min(d, 12 - d);
  };
  for (let i = 0; i < refMidi.length; i++) {
    const r = refMidi[i], e = estMidi[i] ?? new Float64Array(0);
    tp.push(matchEvents(r, e, window).length);
    tpChroma.push(matchEvents(r.map((v) => mod(v, 12)), e.map((v) => mod(v, 12)), window, circular).length);
  }
  const [p, rc, acc] = accuracy(tp, nRef, nEst);
  const [es, em, ef, et] = errors(tp, nRef, nEst);
  const [cp, cr, cacc] = accuracy(tpChroma, nRef, nEst);
  const [ces, cem, cef, cet] = errors(tpChroma, nRef, nEst);
  return {
    Precision: p, Recall: rc, Accuracy: acc,
    "Substitution Error": es, "Miss Error": em, "False Alarm Error": ef, "Total Error": et,
    "Chroma Precision": cp, "Chroma Recall": cr, "Chroma Accuracy": cacc,
    "Chroma Substitution Error": ces, "Chroma Miss Error": cem, "Chroma False Alarm Error": cef, "Chroma Total Error": cet,
  };
}
