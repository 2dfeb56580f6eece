/**
 * Shared pieces of the mir_eval ports: F-measure, numpy's decimal rounding,
 * the maximum bipartite matching mir_eval uses (Hopcroft–Karp, visited in the
 * same order, so that when several maximum matchings exist we pick the one
 * mir_eval picks: metrics that read the matched pairs, such as the average
 * overlap ratio, then agree exactly), event matching within a window, and
 * input validation with mir_eval's limits and hints.
 */
import { InvalidInputError } from "../errors.js";

/** Port of mir_eval.util.f_measure (0.7): 0 when precision and recall are both 0. */
export function fMeasure(precision: number, recall: number, beta = 1): number {
  if (precision === 0 && recall === 0) return 0;
  return ((1 + beta * beta) * precision * recall) / (beta * beta * precision + recall);
}

/** numpy's round-half-to-even (np.rint). */
export function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** np.around(x, decimals): rint(x·10^d)/10^d, as numpy computes it. */
export function around(x: number, decimals: number): number {
  const s = Math.pow(10, decimals);
  return rint(x * s) / s;
}

/**
 * Maximum-cardinality bipartite matching (Hopcroft–Karp). `graph` maps each
 * left vertex to its right neighbours, in insertion order. Returns right →
 * left. Follows the traversal order of mir_eval.util._bipartite_match (after
 * Eppstein's implementation): a greedy start, then layered augmentations.
 */
export function bipartiteMatch(graph: Map<number, number[]>): Map<number, number> {
  const matching = new Map<number, number>();
  for (const [u, vs] of graph) {
    for (const v of vs) {
      if (!matching.has(v)) {
        matching.set(v, u);
        break;
      }
    }
  }
  const UNMATCHED = -1; // sentinel for "first layer" in pred
  for (;;) {
    const preds = new Map<number, number[]>();
    const unmatched: number[] = [];
    const pred = new Map<number, number>();
    for (const u of graph.keys()) pred.set(u, UNMATCHED);
    for (const u of matching.values()) pred.delete(u);
    let layer = [...pred.keys()];
    while (layer.length > 0 && unmatched.length === 0) {
      const newLayer = new Map<number, number[]>();
      for (const u of layer) {
        for (const v of graph.get(u)!) {
          if (!preds.has(v)) {
            const list = newLayer.get(v);
            if (list === undefined) newLayer.set(v, [u]);
            else list.push(u);
          }
        }
      }
      layer = [];
      for (const [v, us] of newLayer) {
        preds.set(v, us);
        const m = matching.get(v);
        if (m !== undefined) {
          layer.push(m);
          pred.set(m, v);
        } else {
          unmatched.push(v);
        }
      }
    }
    if (unmatched.length === 0) return matching;
    const recurse = (v: number): boolean => {
      const L = preds.get(v);
      if (L === undefined) return false;
      preds.delete(v);
      for (const u of L) {
        if (pred.has(u)) {
          const pu = pred.get(u)!;
          pred.delete(u);
          if (pu === UNMATCHED || recurse(pu)) {
            matching.set(v, u);
            return true;
          }
        }
      }
      return false;
    };
    for (const v of unmatched) recurse(v);
  }
}

/** Builds mir_eval's graph from hits (ref_i, est_i) in order: est → [ref…]; matches; returns sorted (ref, est) pairs. */
export function matchFromHits(hitsRef: readonly number[], hitsEst: readonly number[]): [number, number][] {
  const graph = new Map<number, number[]>();
  for (let k = 0; k < hitsRef.length; k++) {
    const list = graph.get(hitsEst[k]);
    if (list === undefined) graph.set(hitsEst[k], [hitsRef[k]]);
    else list.push(hitsRef[k]);
  }
  // mir_eval sorts the (right = ref, left = est) items.
  return [...bipartiteMatch(graph).entries()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/**
 * Port of mir_eval.util.match_events (0.7): the largest one-to-one set of
 * pairs with distance(ref[i], est[j]) ≤ window. Without `distance`, |ref − est|,
 * with hits enumerated as mir_eval's _fast_hit_windows does (by estimate, then
 * by sorted reference); with it, row-major over (ref, est) as np.where does.
 */
export function matchEvents(
  ref: ArrayLike<number>,
  est: ArrayLike<number>,
  window: number,
  distance?: (r: number, e: number) => number,
): [number, number][] {
  const hr: number[] = [], he: number[] = [];
  if (distance !== undefined) {
    for (let i = 0; i < ref.length; i++) for (let j = 0; j < est.length; j++) if (distance(ref[i], est[j]) <= window) { hr.push(i); he.push(j); }
  } else {
    const order = Array.from({ length: ref.length }, (_, i) => i).sort((a, b) => ref[a] - ref[b] || a - b);
    const sorted = order.map((i) => ref[i]);
    for (let j = 0; j < est.length; j++) {
      const lo = lowerBound(sorted, est[j] - window), hi = upperBound(sorted, est[j] + window);
      for (let k = lo; k < hi; k++) { hr.push(order[k]); he.push(j); }
    }
  }
  return matchFromHits(hr, he);
}

function lowerBound(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] < x) lo = m + 1; else hi = m; }
  return lo;
}
function upperBound(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] <= x) lo = m + 1; else hi = m; }
  return lo;
}

/** mir_eval's limits. */
export const MAX_TIME = 30000;
export const MAX_FREQ = 5000;
export const MIN_FREQ = 20;

/** mir_eval.util.validate_events: times ≤ maxTime and non-decreasing. */
export function validateEvents(times: ArrayLike<number>, what: string, maxTime = MAX_TIME): void {
  for (let i = 0; i < times.length; i++) {
    if (!Number.isFinite(times[i])) throw new InvalidInputError(`${what}: time ${times[i]} at row ${i + 1} is not a number`);
    if (times[i] > maxTime) throw new InvalidInputError(`${what}: an event at time ${times[i]} is greater than the maximum allowable time of ${maxTime} (did you supply event times in seconds?)`);
    if (i > 0 && times[i] < times[i - 1]) throw new InvalidInputError(`${what}: events should be in increasing order (row ${i + 1}: ${times[i]} after ${times[i - 1]})`);
  }
}

/** mir_eval.util.validate_frequencies with allow_negatives = false. */
export function validateFrequencies(freqs: ArrayLike<number>, what: string, minFreq = MIN_FREQ, maxFreq = MAX_FREQ): void {
  for (let i = 0; i < freqs.length; i++) {
    const f = Math.abs(freqs[i]);
    if (!(f <= maxFreq)) throw new InvalidInputError(`${what}: a frequency of ${freqs[i]} is greater than the maximum allowable value of max_freq = ${maxFreq} (did you supply frequency values in Hz?)`);
    if (f < minFreq) throw new InvalidInputError(`${what}: a frequency of ${freqs[i]} is less than the minimum allowable value of min_freq = ${minFreq} (did you supply frequency values in Hz?)`);
  }
}

/** mir_eval.util.validate_intervals: non-negative, strictly positive durations. */
export function validateIntervals(intervals: readonly (readonly [number, number])[], what: string): void {
  intervals.forEach(([on, off], i) => {
    if (!Number.isFinite(on) || !Number.isFinite(off)) throw new InvalidInputError(`${what}: interval ${i + 1} (${on}, ${off}) is not a pair of numbers`);
    if (on < 0 || off < 0) throw new InvalidInputError(`${what}: negative interval times found (note ${i + 1}: ${on}, ${off})`);
    if (off <= on) throw new InvalidInputError(`${what}: all interval durations must be strictly positive (note ${i + 1}: onset ${on}, offset ${off})`);
  });
}

/** Mean with compensated (Neumaier) summation, as precise as numpy's pairwise sum or better. */
export function mean(xs: ArrayLike<number>): number {
  return fsum(xs) / xs.length;
}

export function fsum(xs: ArrayLike<number>): number {
  let s = 0, c = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i], t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}

/** np.allclose(a, b) with its defaults (rtol 1e-5, atol 1e-8); false when the lengths differ. */
export function allClose(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= 1e-8 + 1e-5 * Math.abs(b[i]))) return false;
  return true;
}
