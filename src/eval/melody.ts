/**
 * Port of mir_eval.melody (0.7). Conventions: a melody is (time, frequency)
 * per frame, frequency ≤ 0 meaning unvoiced (its absolute value still a pitch
 * guess); voicing may be continuous in [0, 1] (`estVoicing`, `refReward`);
 * frequencies become cents above 10 Hz; the estimate is resampled onto the
 * reference's time grid (linear pitch, step voicing) unless `hop` asks both
 * onto a constant grid; pitches match within 50 cents.
 */
import { InvalidInputError } from "../errors.js";
import { allClose } from "./util.js";

export interface MelodyScores {
  "Voicing Recall": number;
  "Voicing False Alarm": number;
  "Raw Pitch Accuracy": number;
  "Raw Chroma Accuracy": number;
  "Overall Accuracy": number;
}

export interface MelodyOptions {
  /** Continuous estimated voicing in [0, 1], one per estimate frame. */
  readonly estVoicing?: ArrayLike<number>;
  /** Continuous reference voicing (reward) in [0, 1], one per reference frame. */
  readonly refReward?: ArrayLike<number>;
  readonly centTolerance?: number;
  readonly baseFrequency?: number;
  readonly hop?: number;
  readonly kind?: "linear" | "zero" | "nearest";
}

const round10 = (x: number) => Math.round(x * 1e10) / 1e10; // np.round(x, 10) for the magnitudes of time stamps

/**
 * scipy interp1d (assume_sorted=False: the knots are first sorted by x with a
 * stable sort, as its argsort(kind="mergesort")); no extrapolation: callers
 * keep xNew inside [min x, max x].
 */
function interp(xIn: Float64Array, yIn: Float64Array, xNew: Float64Array, kind: "linear" | "zero" | "nearest"): Float64Array {
  let x = xIn, y = yIn;
  if (x.some((v, i) => i > 0 && v < x[i - 1])) {
    const order = Array.from(x, (_, i) => i).sort((a, b) => xIn[a] - xIn[b] || a - b);
    x = Float64Array.from(order, (i) => xIn[i]);
    y = Float64Array.from(order, (i) => yIn[i]);
  }
  const out = new Float64Array(xNew.length);
  const n = x.length;
  for (let i = 0; i < xNew.length; i++) {
    const t = xNew[i];
    if (!(t >= x[0] && t <= x[n - 1])) throw new InvalidInputError(`melody: time ${t} lies outside the interpolation range [${x[0]}, ${x[n - 1]}]`);
    if (kind === "nearest") {
      let lo = 0, hi = n - 1;
      while (lo < hi) { const m = (lo + hi) >> 1; if ((x[m] + x[m + 1]) / 2 < t) lo = m + 1; else hi = m; }
      out[i] = y[lo];
      continue;
    }
    if (kind === "zero") {
      // The last knot ≤ t.
      let lo = 0, hi = n - 1;
      while (lo < hi) { const m = (lo + hi + 1) >> 1; if (x[m] <= t) lo = m; else hi = m - 1; }
      out[i] = y[lo];
      continue;
    }
    // scipy's linear interp1d: hi = clip(searchsorted(x, t, 'left'), 1, n−1), lo = hi − 1,
    // y = y_lo + (y_hi − y_lo)/(x_hi − x_lo)·(t − x_lo) (so a knot is reached from the left).
    let a = 0, b = n;
    while (a < b) { const m = (a + b) >> 1; if (x[m] < t) a = m + 1; else b = m; }
    const hiK = Math.min(Math.max(a, 1), n - 1), loK = hiK - 1;
    out[i] = n === 1 ? y[0] : ((y[hiK] - y[loK]) / (x[hiK] - x[loK])) * (t - x[loK]) + y[loK];
  }
  return out;
}


/** mir_eval.melody.resample_melody_series. */
export function resampleMelodySeries(
  times: Float64Array, freqs: Float64Array, voicing: Float64Array, timesNew: Float64Array, kind: "linear" | "zero" | "nearest" = "linear",
): { freqs: Float64Array; voicing: Float64Array } {
  if (allClose(times, timesNew)) return { freqs, voicing };
  let t = times.map(round10);
  const tn = timesNew.map(round10);
  let f = freqs, v = voicing;
  let tnMax = -Infinity, tMax = -Infinity;
  for (const x of tn) tnMax = Math.max(tnMax, x);
  for (const x of t) tMax = Math.max(tMax, x);
  if (tnMax > tMax) {
    t = Float64Array.from([...t, tnMax]);
    f = Float64Array.from([...f, 0]);
    v = Float64Array.from([...v, 0]);
  }
  let fr: Float64Array;
  if (kind !== "zero" && kind !== "nearest") {
    // Hold the last voiced pitch through unvoiced frames so interpolation does not slide to 0.
    const held = Float64Array.from(f);
    for (let n = 1; n < f.length; n++) if (f[n] === 0) held[n] = held[n - 1];
    fr = interp(t, held, tn, kind);
    const mask = interp(t, f, tn, "zero");
    for (let i = 0; i < fr.length; i++) if (mask[i] === 0) fr[i] = 0;
  } else {
    fr = interp(t, f, tn, kind);
  }
  const binary = v.every((x) => x === 0 || x === 1);
  const vr = kind === "nearest" || (kind === "linear" && !binary) ? interp(t, v, tn, kind) : interp(t, v, tn, "zero");
  return { freqs: fr, voicing: vr };
}

/** mir_eval.melody.constant_hop_timebase. */
function constantHopTimebase(hop: number, endTime: number): Float64Array {
  const end = round10(endTime);
  const n = Math.floor(end / hop);
  const last = hop * n;
  return Float64Array.from({ length: n + 1 }, (_, i) => round10(n === 0 ? 0 : (last * i) / n));
}

const hz2cents = (f: Float64Array, base: number) => f.map((v) => (v === 0 ? 0 : 1200 * Math.log2(Math.abs(v) / base)));

/** mir_eval.melody.to_cent_voicing: both series as (voicing, cents) on the reference's frames. */
export function toCentVoicing(
  refTime: ArrayLike<number>, refFreq: ArrayLike<number>, estTime: ArrayLike<number>, estFreq: ArrayLike<number>, options: MelodyOptions = {},
): { refVoicing: Float64Array; refCent: Float64Array; estVoicing: Float64Array; estCent: Float64Array } {
  // Times need not be sorted: mir_eval (through scipy's interp1d) sorts the knots it interpolates, and so do we.
  if (refTime.length !== refFreq.length || estTime.length !== estFreq.length) throw new InvalidInputError("melody: times and frequencies must have the same length");
  let rt = Float64Array.from(refTime), rf = Float64Array.from(refFreq);
  let et = Float64Array.from(estTime), ef = Float64Array.from(estFreq);
  let rr = options.refReward === undefined ? undefined : Float64Array.from(options.refReward);
  let ev = options.estVoicing === undefined ? undefined : Float64Array.from(options.estVoicing);
  if (rt.length === 0 || et.length === 0) throw new InvalidInputError("melody: reference and estimate need at least one frame each");
  if (rt[0] > 0) {
    rt = Float64Array.from([0, ...rt]); rf = Float64Array.from([rf[0], ...rf]);
    if (rr) rr = Float64Array.from([rr[0], ...rr]);
  }
  if (et[0] > 0) {
    et = Float64Array.from([0, ...et]); ef = Float64Array.from([ef[0], ...ef]);
    if (ev) ev = Float64Array.from([ev[0], ...ev]);
  }
  const voicingOf = (f: Float64Array, v: Float64Array | undefined) => {
    if (v === undefined) return f.map((x) => (x > 0 ? 1 : 0));
    const out = Float64Array.from(v);
    f.forEach((x, i) => { if (x === 0) out[i] = 0; });
    return out;
  };
  let refVoicing: Float64Array = voicingOf(rf, rr), estVoicing: Float64Array = voicingOf(ef, ev);
  const base = options.baseFrequency ?? 10;
  let refCent: Float64Array = hz2cents(rf, base), estCent: Float64Array = hz2cents(ef, base);
  const kind = options.kind ?? "linear";
  if (options.hop !== undefined) {
    let maxR = -Infinity, maxE = -Infinity;
    for (const v of rt) maxR = Math.max(maxR, v);
    for (const v of et) maxE = Math.max(maxE, v);
    ({ freqs: refCent, voicing: refVoicing } = resampleMelodySeries(rt, refCent, refVoicing, constantHopTimebase(options.hop, maxR), kind));
    ({ freqs: estCent, voicing: estVoicing } = resampleMelodySeries(et, estCent, estVoicing, constantHopTimebase(options.hop, maxE), kind));
  } else {
    ({ freqs: estCent, voicing: estVoicing } = resampleMelodySeries(et, estCent, estVoicing, rt, kind));
  }
  const n = refCent.length;
  const fit = (a: Float64Array) => { const o = new Float64Array(n); o.set(a.subarray(0, Math.min(n, a.length))); return o; };
  return { refVoicing, refCent, estVoicing: fit(estVoicing), estCent: fit(estCent) };
}

function checkVoicing(v: Float64Array, what: string): void {
  for (const x of v) if (x < 0 || x > 1) throw new InvalidInputError(`melody: ${what} voicing must be between 0 and 1, got ${x}`);
}

/** Port of mir_eval.melody.evaluate (0.7). */
export function evaluateMelody(
  ref: { readonly times: ArrayLike<number>; readonly freqs: ArrayLike<number> },
  est: { readonly times: ArrayLike<number>; readonly freqs: ArrayLike<number> },
  options: MelodyOptions = {},
): MelodyScores {
  const { refVoicing: rv, refCent: rc, estVoicing: ev, estCent: ec } = toCentVoicing(ref.times, ref.freqs, est.times, est.freqs, options);
  checkVoicing(rv, "reference");
  checkVoicing(ev, "estimated");
  const tol = options.centTolerance ?? 50;
  const n = rv.length;
  let refVoiced = 0, refUnvoiced = 0, recallNum = 0, faNum = 0, sumRv = 0;
  for (let i = 0; i < n; i++) {
    sumRv += rv[i];
    if (rv[i] > 0) { refVoiced++; recallNum += ev[i]; }
    if (rv[i] === 0) { refUnvoiced++; faNum += ev[i]; }
  }
  const empty = n === 0 || ev.length === 0;
  const vxRecall = empty ? 0 : refVoiced === 0 ? 1 : recallNum / refVoiced;
  const vxFa = empty ? 0 : refUnvoiced === 0 ? 0 : faNum / refUnvoiced;
  let rpaNum = 0, rcaNum = 0, nonzero = 0, oaVoiced = 0, oaUnvoiced = 0;
  for (let i = 0; i < n; i++) {
    if (ec[i] !== 0 && rc[i] !== 0) {
      nonzero++;
      const d = Math.abs(rc[i] - ec[i]);
      if (d < tol) { rpaNum += rv[i]; oaVoiced += rv[i] * ev[i]; }
      const octave = 1200 * Math.floor(d / 1200 + 0.5);
      if (Math.abs(d - octave) < tol) rcaNum += rv[i];
    }
    oaUnvoiced += (1 - (rv[i] > 0 ? 1 : 0)) * (1 - ev[i]);
  }
  const pitchEmpty = n === 0 || sumRv === 0 || nonzero === 0;
  const rpa = pitchEmpty ? 0 : rpaNum / sumRv;
  const rca = pitchEmpty ? 0 : rcaNum / sumRv;
  const ratio = sumRv === 0 ? 0 : refVoiced / sumRv;
  const oa = empty ? 0 : (ratio * oaVoiced + oaUnvoiced) / n;
  return { "Voicing Recall": vxRecall, "Voicing False Alarm": vxFa, "Raw Pitch Accuracy": rpa, "Raw Chroma Accuracy": rca, "Overall Accuracy": oa };
}
