/**
 * Port of mir_eval.transcription and mir_eval.transcription_velocity (0.7).
 * Conventions: notes are (onset, offset) intervals in seconds with pitches in
 * Hz; distances are rounded to 4 decimals before comparing (mir_eval's
 * N_DECIMALS); a note matches when its onset is within 50 ms, its pitch within
 * 50 cents and, unless offsets are ignored, its offset within
 * max(0.2·reference duration, 50 ms); one-to-one by maximum bipartite matching.
 * The velocity variant rescales reference velocities to [0, 1], fits the
 * matched estimated velocities to them by least squares, and keeps matches
 * within 0.1.
 */
import { InvalidInputError } from "../errors.js";
import { around, fMeasure, matchFromHits, validateIntervals } from "./util.js";

export interface NoteList {
  readonly intervals: readonly (readonly [number, number])[];
  /** Hz. */
  readonly pitches: ArrayLike<number>;
  readonly velocities?: ArrayLike<number>;
}

export interface TranscriptionOptions {
  readonly onsetTolerance?: number;
  readonly pitchTolerance?: number;
  /** null ignores offsets. */
  readonly offsetRatio?: number | null;
  readonly offsetMinTolerance?: number;
  readonly strict?: boolean;
  readonly beta?: number;
  readonly velocityTolerance?: number;
}

export interface TranscriptionScores {
  Precision?: number;
  Recall?: number;
  "F-measure"?: number;
  Average_Overlap_Ratio?: number;
  Precision_no_offset: number;
  Recall_no_offset: number;
  "F-measure_no_offset": number;
  Average_Overlap_Ratio_no_offset: number;
  Onset_Precision?: number;
  Onset_Recall?: number;
  "Onset_F-measure"?: number;
  Offset_Precision?: number;
  Offset_Recall?: number;
  "Offset_F-measure"?: number;
}

const N_DECIMALS = 4;

function validate(ref: NoteList, est: NoteList): void {
  validateIntervals(ref.intervals, "reference notes");
  validateIntervals(est.intervals, "estimated notes");
  if (ref.intervals.length !== ref.pitches.length) throw new InvalidInputError("reference intervals and pitches have different lengths");
  if (est.intervals.length !== est.pitches.length) throw new InvalidInputError("estimated intervals and pitches have different lengths");
  for (let i = 0; i < ref.pitches.length; i++) if (!(ref.pitches[i] > 0)) throw new InvalidInputError(`reference contains a non-positive pitch value (note ${i + 1}: ${ref.pitches[i]})`);
  for (let i = 0; i < est.pitches.length; i++) if (!(est.pitches[i] > 0)) throw new InvalidInputError(`estimate contains a non-positive pitch value (note ${i + 1}: ${est.pitches[i]})`);
}

type Hit = (i: number, j: number) => boolean;

function collect(nRef: number, nEst: number, hit: Hit): [number, number][] {
  const hr: number[] = [], he: number[] = [];
  for (let i = 0; i < nRef; i++) for (let j = 0; j < nEst; j++) if (hit(i, j)) { hr.push(i); he.push(j); }
  return matchFromHits(hr, he);
}

function onsetHit(ref: NoteList, est: NoteList, o: TranscriptionOptions): Hit {
  const tol = o.onsetTolerance ?? 0.05;
  const cmp = o.strict ? (a: number, b: number) => a < b : (a: number, b: number) => a <= b;
  return (i, j) => cmp(around(Math.abs(ref.intervals[i][0] - est.intervals[j][0]), N_DECIMALS), tol);
}

function offsetHit(ref: NoteList, est: NoteList, o: TranscriptionOptions): Hit {
  const ratio = o.offsetRatio ?? 0.2, minTol = o.offsetMinTolerance ?? 0.05;
  const cmp = o.strict ? (a: number, b: number) => a < b : (a: number, b: number) => a <= b;
  return (i, j) => {
    const tol = Math.max(ratio * Math.abs(ref.intervals[i][1] - ref.intervals[i][0]), minTol);
    return cmp(around(Math.abs(ref.intervals[i][1] - est.intervals[j][1]), N_DECIMALS), tol);
  };
}

/** Port of mir_eval.transcription.match_notes. */
export function matchNotes(ref: NoteList, est: NoteList, o: TranscriptionOptions = {}): [number, number][] {
  const onset = onsetHit(ref, est, o);
  const offset = o.offsetRatio === null ? () => true : offsetHit(ref, est, o);
  const pitchTol = o.pitchTolerance ?? 50;
  const cmp = o.strict ? (a: number, b: number) => a < b : (a: number, b: number) => a <= b;
  const refLog = Float64Array.from(ref.pitches, Math.log2), estLog = Float64Array.from(est.pitches, Math.log2);
  return collect(ref.intervals.length, est.intervals.length, (i, j) => onset(i, j) && cmp(Math.abs(1200 * (refLog[i] - estLog[j])), pitchTol) && offset(i, j));
}

/** Port of mir_eval.transcription.average_overlap_ratio. */
export function averageOverlapRatio(ref: NoteList, est: NoteList, matching: readonly [number, number][]): number {
  if (matching.length === 0) return 0;
  let s = 0;
  for (const [i, j] of matching) {
    const [r0, r1] = ref.intervals[i], [e0, e1] = est.intervals[j];
    s += (Math.min(r1, e1) - Math.max(r0, e0)) / (Math.max(r1, e1) - Math.min(r0, e0));
  }
  return s / matching.length;
}

/** mir_eval.transcription_velocity.match_notes: the note matching, then the velocity check. */
export function matchNotesWithVelocity(ref: NoteList, est: NoteList, o: TranscriptionOptions = {}): [number, number][] {
  const matching = matchNotes(ref, est, o);
  const rv = ref.velocities!, ev = est.velocities!;
  let minV = Infinity, maxV = -Infinity;
  for (let i = 0; i < rv.length; i++) { minV = Math.min(minV, rv[i]); maxV = Math.max(maxV, rv[i]); }
  const range = Math.max(1, maxV - minV);
  if (matching.length === 0) return [];
  const r = matching.map(([i]) => (rv[i] - minV) / range), e = matching.map(([, j]) => ev[j]);
  const [slope, intercept] = leastSquaresLine(e, r);
  const tol = o.velocityTolerance ?? 0.1;
  return matching.filter((_, k) => Math.abs(slope * e[k] + intercept - r[k]) < tol);
}

/**
 * numpy.linalg.lstsq([x, 1], y): slope and intercept; when every x is equal
 * (rank 1) the minimum-norm solution, as the SVD-based lstsq returns.
 */
function leastSquaresLine(x: number[], y: number[]): [number, number] {
  const n = x.length;
  let mx = 0, my = 0;
  for (let k = 0; k < n; k++) { mx += x[k]; my += y[k]; }
  mx /= n; my /= n;
  let sxx = 0, sxy = 0;
  for (let k = 0; k < n; k++) { sxx += (x[k] - mx) ** 2; sxy += (x[k] - mx) * (y[k] - my); }
  if (sxx <= 1e-12 * Math.max(1, mx * mx) * n) {
    // All x equal to c: solutions satisfy slope·c + intercept = mean(y); the shortest is ∝ (c, 1).
    const c = mx;
    return [(c * my) / (c * c + 1), my / (c * c + 1)];
  }
  const slope = sxy / sxx;
  return [slope, my - slope * mx];
}

function prf(nMatch: number, nRef: number, nEst: number, beta: number): [number, number, number] {
  const p = nMatch / nEst, r = nMatch / nRef;
  return [p, r, fMeasure(p, r, beta)];
}

/** Port of mir_eval.transcription.evaluate (and transcription_velocity.evaluate when both lists carry velocities). */
export function evaluateTranscription(ref: NoteList, est: NoteList, options: TranscriptionOptions = {}): TranscriptionScores {
  validate(ref, est);
  const withVelocity = ref.velocities !== undefined && est.velocities !== undefined;
  if (withVelocity) {
    if (ref.velocities!.length !== ref.pitches.length || est.velocities!.length !== est.pitches.length) throw new InvalidInputError("velocities must have the same length as pitches and intervals");
    for (const v of [...Array.from(ref.velocities!), ...Array.from(est.velocities!)]) if (v < 0) throw new InvalidInputError(`velocities must be positive, got ${v}`);
  }
  const beta = options.beta ?? 1;
  const offsetRatio = options.offsetRatio === undefined ? 0.2 : options.offsetRatio;
  const nRef = ref.intervals.length, nEst = est.intervals.length;
  const empty = nRef === 0 || nEst === 0;
  const noteScores = (o: TranscriptionOptions): [number, number, number, number] => {
    if (empty) return [0, 0, 0, 0];
    const m = withVelocity ? matchNotesWithVelocity(ref, est, o) : matchNotes(ref, est, o);
    return [...prf(m.length, nRef, nEst, beta), averageOverlapRatio(ref, est, m)];
  };
  const out: Partial<TranscriptionScores> = {};
  if (offsetRatio !== null) {
    [out.Precision, out.Recall, out["F-measure"], out.Average_Overlap_Ratio] = noteScores({ ...options, offsetRatio });
  }
  [out.Precision_no_offset, out.Recall_no_offset, out["F-measure_no_offset"], out.Average_Overlap_Ratio_no_offset] = noteScores({ ...options, offsetRatio: null });
  if (!withVelocity) {
    const on = empty ? [0, 0, 0] : prf(collect(nRef, nEst, onsetHit(ref, est, options)).length, nRef, nEst, beta);
    [out.Onset_Precision, out.Onset_Recall, out["Onset_F-measure"]] = on;
    if (offsetRatio !== null) {
      const off = empty ? [0, 0, 0] : prf(collect(nRef, nEst, offsetHit(ref, est, { ...options, offsetRatio })).length, nRef, nEst, beta);
      [out.Offset_Precision, out.Offset_Recall, out["Offset_F-measure"]] = off;
    }
  }
  return out as TranscriptionScores;
}
