/**
 * Scores of multi-instrument (part) transcription: note F1 per part after
 * the best assignment of estimated parts to reference parts, and the
 * frame-level part accuracy of the time–pitch bins both sides play.
 *
 * Notes match as in mir_eval.transcription with offsets ignored (onset
 * within 50 ms, pitch within 50 cents, one-to-one); a part assignment is a
 * one-to-one map from estimated to reference parts (extra parts on either
 * side stay unmatched), and the best one maximises the matched notes
 * summed over parts (all assignments are tried: at most 5! = 120). The
 * scores pool the parts: precision = matched / estimated notes, recall =
 * matched / reference notes.
 */
import { matchNotes, type NoteList } from "./transcription.js";
import { fMeasure } from "./util.js";

export interface PartScores {
  readonly precision: number;
  readonly recall: number;
  readonly f: number;
  /** assignment[e] = the reference part estimated part e stands for, or −1. */
  readonly assignment: number[];
}

/** Every injective map of `n` items into `m` slots (−1 = unmatched where n > m), as arrays. */
function assignments(n: number, m: number): number[][] {
  const out: number[][] = [];
  const cur: number[] = [];
  const used = new Array<boolean>(m).fill(false);
  const rec = (i: number) => {
    if (i === n) { out.push([...cur]); return; }
    for (let j = 0; j < m; j++) if (!used[j]) { used[j] = true; cur.push(j); rec(i + 1); cur.pop(); used[j] = false; }
    // Leave item i unmatched only when there are more items than slots left to fill.
    if (n - i > m - cur.filter((c) => c >= 0).length) { cur.push(-1); rec(i + 1); cur.pop(); }
  };
  rec(0);
  return out;
}

/** The best assignment of a confusion table counts[e][r] (estimated × reference). */
export function bestAssignment(counts: readonly (readonly number[])[], references: number): { assignment: number[]; total: number } {
  let best = { assignment: counts.map(() => -1), total: -1 };
  for (const a of assignments(counts.length, references)) {
    const total = a.reduce((s, r, e) => s + (r >= 0 ? counts[e][r] : 0), 0);
    if (total > best.total) best = { assignment: a, total };
  }
  return { ...best, total: Math.max(0, best.total) };
}

/** Part note scores of estimated parts against reference parts (mir_eval note lists, pitches in Hz). */
export function partNoteScores(ref: readonly NoteList[], est: readonly NoteList[], onsetTolerance = 0.05): PartScores {
  const counts = est.map((e) => ref.map((r) => (e.intervals.length && r.intervals.length ? matchNotes(r, e, { offsetRatio: null, onsetTolerance }).length : 0)));
  const { assignment, total } = bestAssignment(counts, ref.length);
  const nEst = est.reduce((s, e) => s + e.intervals.length, 0), nRef = ref.reduce((s, r) => s + r.intervals.length, 0);
  const precision = nEst ? total / nEst : 0, recall = nRef ? total / nRef : 0;
  return { precision, recall, f: fMeasure(precision, recall), assignment };
}

/**
 * Frame-level part accuracy: over the bins (same length label arrays, a part index or negative for none)
 * where both the reference and the estimate have exactly one part, the share whose estimated part is
 * assigned to the reference part under the best assignment of these bins; NaN when no bin qualifies.
 */
export function partFrameAccuracy(ref: ArrayLike<number>, est: ArrayLike<number>, refParts: number, estParts: number): number {
  const counts = Array.from({ length: estParts }, () => new Array<number>(refParts).fill(0));
  let n = 0;
  for (let i = 0; i < ref.length; i++) if (ref[i] >= 0 && est[i] >= 0) { counts[est[i]][ref[i]]++; n++; }
  if (n === 0) return NaN;
  return bestAssignment(counts, refParts).total / n;
}
