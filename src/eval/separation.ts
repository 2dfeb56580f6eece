/**
 * Source separation metrics. Ports of mir_eval.separation (0.7):
 * bss_eval_sources, bss_eval_images and their framewise variants; museval's
 * BSS Eval v4 (time-invariant 512-tap distortion filters estimated on the
 * whole track, metrics per 1 s window, NaN where a window has a silent
 * source); SI-SDR; and the MDX challenge's "new SDR".
 *
 * Conventions: sources are [source][channel] → samples (equal lengths);
 * the mono functions take [source] → samples. Energies are summed over all
 * channels. Decompositions (Vincent et al. 2006): s_true is the reference
 * image, e_spat + s_true its projection on the delayed reference's own
 * channels, e_interf the extra part explained by the other sources,
 * e_artif the rest of the estimate. Projections come from bss.ts (block
 * Toeplitz solves instead of dense ones; the results are the same
 * projections). Reference channels that are exact linear combinations of
 * other reference channels (e.g. a mono source copied to two channels) are
 * dropped from the basis: the span, hence every metric, is unchanged, where
 * mir_eval falls back to a least-squares solve of the singular system.
 *
 * Where we differ on purpose: signals much shorter than the 512-tap
 * distortion filter (a few samples) make every projection underdetermined;
 * the estimate is then explained almost exactly and both implementations
 * return roundoff: mir_eval 314–331 dB or inf on a 1-sample pair, we 327 dB
 * or inf (printed as null in JSON). Those digits are the linear solvers'
 * rounding, not a measurement, and are not matched.
 */
import { InvalidInputError } from "../errors.js";
import { blockToeplitzSolve, filterAndSum, laggedXcorr, SingularError } from "./bss.js";

export type MultiSource = readonly (readonly ArrayLike<number>[])[];

const FILTER_LEN = 512;
export const MAX_SOURCES = 100;

function db(num: number, den: number): number {
  return den === 0 ? Infinity : 10 * Math.log10(num / den);
}

function validate(ref: MultiSource, est: MultiSource): { nsrc: number; nchan: number; n: number } {
  if (ref.length !== est.length) throw new InvalidInputError(`separation: ${ref.length} reference sources but ${est.length} estimates; the shapes must match`);
  if (ref.length > MAX_SOURCES) throw new InvalidInputError(`separation: ${ref.length} sources is more than MAX_SOURCES = ${MAX_SOURCES}`);
  const nsrc = ref.length;
  if (nsrc === 0) return { nsrc: 0, nchan: 0, n: 0 };
  const nchan = ref[0].length, n = ref[0][0]?.length ?? 0;
  for (const [what, set] of [["reference", ref], ["estimate", est]] as const) {
    set.forEach((src, j) => {
      if (src.length !== nchan) throw new InvalidInputError(`separation: ${what} ${j} has ${src.length} channels, expected ${nchan}`);
      src.forEach((ch) => {
        if (ch.length !== n) throw new InvalidInputError(`separation: ${what} ${j} has ${ch.length} samples, expected ${n} (all sources must have the same length)`);
      });
    });
  }
  if (anySilent(ref)) throw new InvalidInputError("separation: every reference source must be non-silent (not all zeros); a silent reference makes the evaluation ambiguous");
  if (anySilent(est)) throw new InvalidInputError("separation: every estimated source must be non-silent (not all zeros); a silent estimate leaves the system underdetermined");
  return { nsrc, nchan, n };
}

/** mir_eval's _any_source_silent: a source whose channel-summed signal is zero at every sample. */
function anySilent(set: MultiSource, start = 0, end = Infinity): boolean {
  return set.some((src) => {
    const n = Math.min(end, src[0].length);
    for (let i = start; i < n; i++) {
      let s = 0;
      for (const ch of src) s += ch[i];
      if (s !== 0) return false;
    }
    return true;
  });
}

/** Indices of `subset` whose channels are not (to 1e-10 of their energy) linear combinations of earlier kept ones, judged on the lag-0 Gram matrix. */
function independent(RR: Float64Array[][], subset: number[], L: number): number[] {
  const kept: number[] = [];
  const g = (i: number, j: number) => RR[i][j][L - 1];
  for (const k of subset) {
    // Residual energy of channel k after projecting on the span of kept channels (via the Gram matrix).
    const m = kept.length;
    const v = new Float64Array(m);
    for (let a = 0; a < m; a++) v[a] = g(kept[a], k);
    const coef = solveSym(kept.map((a) => kept.map((b) => g(a, b))), v);
    let proj = 0;
    for (let a = 0; a < m; a++) proj += coef[a] * v[a];
    const energy = g(k, k);
    if (energy > 0 && energy - proj > 1e-10 * energy) kept.push(k);
  }
  return kept;
}

function solveSym(A: number[][], b: Float64Array): Float64Array {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let j = c; j <= n; j++) M[r][j] -= f * M[c][j];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let j = r + 1; j < n; j++) s -= M[r][j] * x[j];
    x[r] = s / M[r][r];
  }
  return x;
}

interface Correlations {
  readonly RR: Float64Array[][];
  readonly RE: Float64Array[][];
  /** Signal length in samples. */
  readonly length?: number;
}

/** Reference×reference and reference×estimate lagged correlations, in one pass over the signals. */
function correlations(refs: readonly ArrayLike<number>[], ests: readonly ArrayLike<number>[], L: number): Correlations {
  const c = laggedXcorr(refs, [...refs, ...ests], L);
  return { RR: c.map((row) => row.slice(0, refs.length)), RE: c.map((row) => row.slice(refs.length)), length: refs[0]?.length ?? 0 };
}

/**
 * Distortion filters projecting each estimate channel in `estCols` onto the
 * delayed reference channels in `subset`: result[col][k] (L taps, null for
 * references outside the subset or dropped as dependent).
 */
function solveFilters(corr: Correlations, subset: number[], estCols: number[], L: number, nRefs: number, ridge: number): (Float64Array | null)[][] {
  const use = independent(corr.RR, subset, L);
  const K = use.length, c = estCols.length;
  const y = new Float64Array(L * K * c);
  for (let a = 0; a < L; a++) for (let i = 0; i < K; i++) for (let col = 0; col < c; col++) y[(a * K + i) * c + col] = corr.RE[use[i]][estCols[col]][L - 1 - a];
  const R = (m: number) => {
    const out = new Float64Array(K * K);
    for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) out[i * K + j] = corr.RR[use[i]][use[j]][m + L - 1];
    return out;
  };
  let x: Float64Array;
  // More unknowns (K·L) than samples in the delayed signals (n + L − 1): G is singular. The projection is
  // still unique; a ridge of 1e-10 of the mean energy keeps the recursion stable and only removes
  // null-space components, which carry no energy (mir_eval falls back to lstsq or an LU on the singular matrix).
  const n = corr.length ?? Infinity;
  if (K * L > n + L - 1) {
    let trace = 0;
    for (const k of use) trace += corr.RR[k][k][L - 1];
    ridge = Math.max(ridge, 1e-10 * (trace / Math.max(1, K)));
  }
  try {
    x = blockToeplitzSolve(R, L, K, y, c, ridge);
  } catch (e) {
    if (!(e instanceof SingularError)) throw e;
    let trace = 0;
    for (const k of use) trace += corr.RR[k][k][L - 1];
    x = blockToeplitzSolve(R, L, K, y, c, ridge + 1e-12 * (trace / Math.max(1, K)));
  }
  return estCols.map((_, col) => {
    const row: (Float64Array | null)[] = Array.from({ length: nRefs }, () => null);
    use.forEach((k, i) => {
      const h = new Float64Array(L);
      for (let a = 0; a < L; a++) h[a] = x[(a * K + i) * c + col];
      row[k] = h;
    });
    return row;
  });
}

const sumSq = (xs: readonly ArrayLike<number>[]) => {
  let s = 0;
  for (const x of xs) for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
};
const sumSqDiff = (a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[], len: number) => {
  let s = 0;
  for (let c = 0; c < a.length; c++) for (let i = 0; i < len; i++) {
    const d = (i < a[c].length ? a[c][i] : 0) - (i < b[c].length ? b[c][i] : 0);
    s += d * d;
  }
  return s;
};

export interface ImageScores { sdr: number; isr: number; sir: number; sar: number }

/**
 * Scores of every (jtrue, jest) pair asked for, over samples [start, end):
 * the filters come from `filters` (global, museval) or are estimated on the
 * window (mir_eval). Returns scores[jtrue][jest] (undefined where not asked).
 */
function scorePairs(
  ref: MultiSource, est: MultiSource, start: number, end: number, pairs: [number, number][], L: number,
  globalFilters?: { all: (Float64Array | null)[][]; own: Map<string, (Float64Array | null)[][]> },
): { images: ImageScores; sources: { sdr: number; sir: number; sar: number } }[][] {
  const nsrc = ref.length, nchan = ref[0].length, n = end - start;
  const refs = ref.flatMap((src) => src.map((ch) => sliceOf(ch, start, end)));
  const ests = est.flatMap((src) => src.map((ch) => sliceOf(ch, start, end)));
  const nRefs = refs.length;
  const estCols = (j: number) => Array.from({ length: nchan }, (_, c) => j * nchan + c);
  const all: (Float64Array | null)[][] = [];
  const own = new Map<string, (Float64Array | null)[][]>();
  if (globalFilters) {
    all.push(...globalFilters.all);
    for (const [k, v] of globalFilters.own) own.set(k, v);
  } else {
    const corr = correlations(refs, ests, L);
    all.push(...solveFilters(corr, refs.map((_, k) => k), ests.map((_, e) => e), L, nRefs, 0));
    const byTrue = new Map<number, number[]>();
    for (const [jt, je] of pairs) byTrue.set(jt, [...(byTrue.get(jt) ?? []), je]);
    for (const [jt, jes] of byTrue) {
      const cols = jes.flatMap(estCols);
      const f = solveFilters(corr, estCols(jt), cols, L, nRefs, 0);
      jes.forEach((je, i) => own.set(`${jt},${je}`, f.slice(i * nchan, (i + 1) * nchan)));
    }
  }
  const outLen = n + L - 1;
  const jes = [...new Set(pairs.map(([, je]) => je))];
  const projAllRows = jes.flatMap((je) => estCols(je).map((col) => all[col]));
  const projAll = filterAndSum(refs, projAllRows, L, outLen);
  const ownRows = pairs.flatMap(([jt, je]) => own.get(`${jt},${je}`)!);
  const projOwn = filterAndSum(refs, ownRows, L, outLen);
  const result: { images: ImageScores; sources: { sdr: number; sir: number; sar: number } }[][] = Array.from({ length: nsrc }, () => []);
  pairs.forEach(([jt, je], p) => {
    const pa = projAll.slice(jes.indexOf(je) * nchan, (jes.indexOf(je) + 1) * nchan);
    const po = projOwn.slice(p * nchan, (p + 1) * nchan);
    const sTrue = refs.slice(jt * nchan, (jt + 1) * nchan);
    const e = ests.slice(je * nchan, (je + 1) * nchan);
    const eTrue = sumSq(sTrue), eOwn = sumSq(po), eAll = sumSq(pa);
    const images: ImageScores = {
      sdr: db(eTrue, sumSqDiff(e, sTrue, outLen)),
      isr: db(eTrue, sumSqDiff(po, sTrue, outLen)),
      sir: db(eOwn, sumSqDiff(pa, po, outLen)),
      sar: db(eAll, sumSqDiff(e, pa, outLen)),
    };
    const sources = { sdr: db(eOwn, sumSqDiff(e, po, outLen)), sir: images.sir, sar: images.sar };
    result[jt][je] = { images, sources };
  });
  return result;
}

function sliceOf(x: ArrayLike<number>, start: number, end: number): Float64Array {
  const out = new Float64Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = x[i];
  return out;
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  const rec = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) { out.push(prefix); return; }
    rest.forEach((v, i) => rec([...prefix, v], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  rec([], Array.from({ length: n }, (_, i) => i));
  return out; // lexicographic, as itertools.permutations
}

export interface BssImagesResult { sdr: number[]; isr: number[]; sir: number[]; sar: number[]; perm: number[] }
export interface BssSourcesResult { sdr: number[]; sir: number[]; sar: number[]; perm: number[] }

/** Evaluates the whole signal; with `computePermutation`, the estimate order maximising the mean SIR (mir_eval). */
function evalWhole(ref: MultiSource, est: MultiSource, computePermutation: boolean, version: "images" | "sources", start = 0, end?: number): BssImagesResult {
  const nsrc = ref.length;
  const stop = end ?? ref[0][0].length;
  const pairs: [number, number][] = [];
  for (let jt = 0; jt < nsrc; jt++) for (let je = 0; je < nsrc; je++) if (computePermutation || jt === je) pairs.push([jt, je]);
  const s = scorePairs(ref, est, start, stop, pairs, FILTER_LEN);
  let perm = Array.from({ length: nsrc }, (_, i) => i);
  if (computePermutation) {
    let best = -Infinity;
    for (const p of permutations(nsrc)) {
      // mean over true sources j of SIR(estimate p[j] for source j)
      let m = 0;
      for (let j = 0; j < nsrc; j++) m += s[j][p[j]][version].sir;
      m /= nsrc;
      if (m > best) { best = m; perm = p; }
    }
  }
  const pick = (f: (x: { images: ImageScores; sources: { sdr: number; sir: number; sar: number } }) => number) => perm.map((je, jt) => f(s[jt][je]));
  return version === "images"
    ? { sdr: pick((x) => x.images.sdr), isr: pick((x) => x.images.isr), sir: pick((x) => x.images.sir), sar: pick((x) => x.images.sar), perm }
    : { sdr: pick((x) => x.sources.sdr), isr: [], sir: pick((x) => x.sources.sir), sar: pick((x) => x.sources.sar), perm };
}

const asMulti = (x: readonly ArrayLike<number>[]): MultiSource => x.map((s) => [s]);

/** Port of mir_eval.separation.bss_eval_sources (0.7). */
export function bssEvalSources(ref: readonly ArrayLike<number>[], est: readonly ArrayLike<number>[], options: { computePermutation?: boolean } = {}): BssSourcesResult {
  const { nsrc } = validate(asMulti(ref), asMulti(est));
  if (nsrc === 0) return { sdr: [], sir: [], sar: [], perm: [] };
  const r = evalWhole(asMulti(ref), asMulti(est), options.computePermutation ?? true, "sources");
  return { sdr: r.sdr, sir: r.sir, sar: r.sar, perm: r.perm };
}

/** Port of mir_eval.separation.bss_eval_images (0.7). */
export function bssEvalImages(ref: MultiSource, est: MultiSource, options: { computePermutation?: boolean } = {}): BssImagesResult {
  const { nsrc } = validate(ref, est);
  if (nsrc === 0) return { sdr: [], isr: [], sir: [], sar: [], perm: [] };
  return evalWhole(ref, est, options.computePermutation ?? true, "images");
}

export interface Framewise<T> { readonly scores: { [K in keyof T]: number[][] }; readonly nwin: number }

function framewise(ref: MultiSource, est: MultiSource, window: number, hop: number, computePermutation: boolean, version: "images" | "sources"): { sdr: number[][]; isr: number[][]; sir: number[][]; sar: number[][]; perm: number[][] } {
  const nsrc = ref.length, n = ref[0][0].length;
  const nwin = Math.floor((n - window + hop) / hop);
  const cols = (r: BssImagesResult) => ({ sdr: r.sdr.map((v) => [v]), isr: r.isr.map((v) => [v]), sir: r.sir.map((v) => [v]), sar: r.sar.map((v) => [v]), perm: r.perm.map((v) => [v]) });
  if (nwin < 2) return cols(evalWhole(ref, est, computePermutation, version));
  const out = { sdr: [] as number[][], isr: [] as number[][], sir: [] as number[][], sar: [] as number[][], perm: [] as number[][] };
  for (const k of Object.keys(out) as (keyof typeof out)[]) for (let j = 0; j < nsrc; j++) out[k].push(new Array(nwin).fill(NaN));
  if (version === "sources") out.isr = [];
  for (let w = 0; w < nwin; w++) {
    const start = w * hop, end = Math.min(n, start + window);
    if (anySilent(ref, start, end) || anySilent(est, start, end)) continue; // NaN (mir_eval also leaves ISR undefined here; we give NaN)
    const r = evalWhole(ref, est, computePermutation, version, start, end);
    for (let j = 0; j < nsrc; j++) {
      out.sdr[j][w] = r.sdr[j]; out.sir[j][w] = r.sir[j]; out.sar[j][w] = r.sar[j]; out.perm[j][w] = r.perm[j];
      if (version === "images") out.isr[j][w] = r.isr[j];
    }
  }
  return out;
}

/** Port of mir_eval.separation.bss_eval_sources_framewise (0.7): scores per window, nsrc × nwin. */
export function bssEvalSourcesFramewise(
  ref: readonly ArrayLike<number>[], est: readonly ArrayLike<number>[],
  options: { window?: number; hop?: number; computePermutation?: boolean } = {},
): { sdr: number[][]; sir: number[][]; sar: number[][]; perm: number[][] } {
  const { nsrc } = validate(asMulti(ref), asMulti(est));
  if (nsrc === 0) return { sdr: [], sir: [], sar: [], perm: [] };
  const r = framewise(asMulti(ref), asMulti(est), options.window ?? 30 * 44100, options.hop ?? 15 * 44100, options.computePermutation ?? false, "sources");
  return { sdr: r.sdr, sir: r.sir, sar: r.sar, perm: r.perm };
}

/** Port of mir_eval.separation.bss_eval_images_framewise (0.7). */
export function bssEvalImagesFramewise(
  ref: MultiSource, est: MultiSource, options: { window?: number; hop?: number; computePermutation?: boolean } = {},
): { sdr: number[][]; isr: number[][]; sir: number[][]; sar: number[][]; perm: number[][] } {
  const { nsrc } = validate(ref, est);
  if (nsrc === 0) return { sdr: [], isr: [], sir: [], sar: [], perm: [] };
  return framewise(ref, est, options.window ?? 30 * 44100, options.hop ?? 15 * 44100, options.computePermutation ?? false, "images");
}

export interface MusevalFrame { readonly time: number; readonly duration: number; readonly SDR: number; readonly ISR: number; readonly SIR: number; readonly SAR: number }

/**
 * museval's BSS Eval v4 (`museval.metrics.bss_eval` with its defaults as used
 * for MUSDB18: 1 s windows and hops, time-invariant 512-tap filters computed on
 * the whole track, no permutation, images version). Per source, one entry per
 * window; windows where any reference or estimate is silent are NaN.
 */
export function musevalV4(
  ref: MultiSource, est: MultiSource, sampleRate: number, options: { window?: number; hop?: number; filtersLen?: number } = {},
): MusevalFrame[][] {
  const { nsrc, nchan, n } = validate(ref, est);
  if (nsrc === 0) return [];
  const L = options.filtersLen ?? FILTER_LEN;
  const window = options.window ?? sampleRate, hop = options.hop ?? sampleRate;
  const refs = ref.flatMap((src) => [...src]), ests = est.flatMap((src) => [...src]);
  const corr = correlations(refs, ests, L);
  // museval adds machine epsilon to G's diagonal.
  const eps = 2.220446049250313e-16;
  const all = solveFilters(corr, refs.map((_, k) => k), ests.map((_, e) => e), L, refs.length, eps);
  const own = new Map<string, (Float64Array | null)[][]>();
  for (let j = 0; j < nsrc; j++) {
    const cols = Array.from({ length: nchan }, (_, ch) => j * nchan + ch);
    own.set(`${j},${j}`, solveFilters(corr, cols, cols, L, refs.length, eps));
  }
  const nwin = window < n ? Math.floor((n - window + hop) / hop) : 1;
  const frames: MusevalFrame[][] = Array.from({ length: nsrc }, () => []);
  const pairs: [number, number][] = Array.from({ length: nsrc }, (_, j) => [j, j]);
  for (let w = 0; w < nwin; w++) {
    const start = window < n ? w * hop : 0, end = window < n ? Math.min(n, start + window) : n;
    const time = start / sampleRate, duration = (end - start) / sampleRate;
    if (anySilent(ref, start, end) || anySilent(est, start, end)) {
      for (let j = 0; j < nsrc; j++) frames[j].push({ time, duration, SDR: NaN, ISR: NaN, SIR: NaN, SAR: NaN });
      continue;
    }
    const s = scorePairs(ref, est, start, end, pairs, L, { all, own });
    for (let j = 0; j < nsrc; j++) {
      const m = s[j][j].images;
      frames[j].push({ time, duration, SDR: m.sdr, ISR: m.isr, SIR: m.sir, SAR: m.sar });
    }
  }
  return frames;
}

/** Median ignoring NaN (np.nanmedian); NaN when nothing is left. museval aggregates frames this way. */
export function nanMedian(xs: readonly number[]): number {
  const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Scale-invariant SDR (Le Roux et al. 2019), over all channels: 10·log10(|αs|² / |αs − ŝ|²), α = ⟨ŝ, s⟩/|s|². */
export function siSdr(ref: readonly ArrayLike<number>[], est: readonly ArrayLike<number>[]): number {
  let dot = 0, rr = 0;
  ref.forEach((r, c) => { for (let i = 0; i < r.length; i++) { dot += est[c][i] * r[i]; rr += r[i] * r[i]; } });
  const alpha = dot / rr;
  let num = 0, den = 0;
  ref.forEach((r, c) => {
    for (let i = 0; i < r.length; i++) {
      const t = alpha * r[i];
      num += t * t;
      den += (t - est[c][i]) ** 2;
    }
  });
  return db(num, den);
}

/** The MDX challenge's SDR over a whole track and all channels: 10·log10((Σs² + δ)/(Σ(s − ŝ)² + δ)), δ = 1e-7. */
export function mdxSdr(ref: readonly ArrayLike<number>[], est: readonly ArrayLike<number>[]): number {
  const delta = 1e-7;
  let num = 0, den = 0;
  ref.forEach((r, c) => { for (let i = 0; i < r.length; i++) { num += r[i] * r[i]; den += (r[i] - est[c][i]) ** 2; } });
  return 10 * Math.log10((num + delta) / (den + delta));
}

/** Sum of squares over every channel. */
export function energy(channels: readonly ArrayLike<number>[]): number {
  let e = 0;
  for (const c of channels) for (let i = 0; i < c.length; i++) e += c[i] * c[i];
  return e;
}

/**
 * The level of `estimate` relative to `reference` in dB (energy ratio over all channels): how loud a
 * vocals stem is beside the input where there is no voice to give (an instrumental wants it far below 0).
 */
export function levelRelativeDb(estimate: readonly ArrayLike<number>[], reference: readonly ArrayLike<number>[]): number {
  return 10 * Math.log10(Math.max(1e-12, energy(estimate)) / energy(reference));
}

/** Silent-frame metrics of one source (Schulze-Forster et al. 2021), in dB; lower is better for both. */
export interface SilentFrameMetrics {
  /** Predicted energy at silence: mean over windows where the reference is silent of 10·log10(Σ ŝ² + ε). NaN without such windows. */
  readonly pes: number;
  /** Energy at predicted silence: mean over windows where the estimate is silent of 10·log10(Σ s² + ε). NaN without such windows. */
  readonly eps: number;
  readonly silentWindows: number;
  readonly predictedSilentWindows: number;
}

/** ε of the silent-frame energies (10·log10(ε) = −90 dB is the value of an exact zero). */
export const SILENT_FRAME_EPSILON = 1e-9;

/**
 * PES and EPS of one source over museval's windows (1 s windows and hops by default); a window is silent
 * where all its samples are zero, museval's own rule (the windows it leaves out of SDR). Energy is the
 * sum of squares over the window's samples and channels.
 */
export function silentFrameMetrics(ref: readonly ArrayLike<number>[], est: readonly ArrayLike<number>[], sampleRate: number, options: { window?: number } = {}): SilentFrameMetrics {
  const window = options.window ?? sampleRate, n = Math.min(ref[0].length, est[0].length);
  let pes = 0, eps = 0, ns = 0, np_ = 0;
  // museval's windows: whole windows, or one over everything when the signal is shorter than a window.
  const nwin = window < n ? Math.floor(n / window) : 1;
  for (let w = 0; w < nwin; w++) {
    const start = w * window, end = Math.min(n, start + window);
    let er = 0, ee = 0;
    for (let c = 0; c < ref.length; c++) for (let i = start; i < end; i++) { er += ref[c][i] * ref[c][i]; ee += est[c][i] * est[c][i]; }
    if (er === 0) { pes += 10 * Math.log10(ee + SILENT_FRAME_EPSILON); ns++; }
    if (ee === 0) { eps += 10 * Math.log10(er + SILENT_FRAME_EPSILON); np_++; }
  }
  return { pes: ns ? pes / ns : NaN, eps: np_ ? eps / np_ : NaN, silentWindows: ns, predictedSilentWindows: np_ };
}
