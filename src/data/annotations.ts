/**
 * Annotations derived exactly from what was rendered: F0 tracks of sung parts
 * (from Festival's vowel segments), note lists per part, phone timings.
 *
 * Sung F0 truth: the note's pitch inside each vowel, without the first and
 * last 40 ms of the vowel, where Festival glides between note targets; other
 * frames are unvoiced (0), in mir_eval's melody format.
 */
import type { Segment } from "../io/festival.js";
import { midiToHz, type Note } from "./score.js";

export const VOWEL_EDGE_SECONDS = 0.04;

/** Sung notes re-timed to their vowels: onset = vowel start, offset = vowel end. k-th vowel ↔ k-th note. */
export function vowelNotes(notes: readonly Note[], vowels: readonly Segment[]): Note[] {
  return notes.slice(0, vowels.length).map((n, k) => ({ ...n, onset: vowels[k].start, offset: vowels[k].end }));
}

/** F0 per frame (time, Hz; 0 unvoiced) at `hopSeconds`, for `durationSeconds`. */
export function f0Track(vowelTimedNotes: readonly Note[], durationSeconds: number, hopSeconds = 0.01, edgeSeconds = VOWEL_EDGE_SECONDS): { times: Float64Array; f0: Float64Array } {
  const n = Math.floor(durationSeconds / hopSeconds) + 1;
  const times = Float64Array.from({ length: n }, (_, i) => Number((i * hopSeconds).toFixed(6)));
  const f0 = new Float64Array(n);
  for (const note of vowelTimedNotes) {
    const a = note.onset + edgeSeconds, b = note.offset - edgeSeconds;
    for (let i = Math.max(0, Math.ceil(a / hopSeconds)); i < n && times[i] <= b; i++) f0[i] = midiToHz(note.pitch);
  }
  return { times, f0 };
}

export function melodyText(times: ArrayLike<number>, f0: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < times.length; i++) s += `${times[i].toFixed(3)}\t${f0[i] === 0 ? "0" : f0[i].toFixed(4)}\n`;
  return s;
}

export function segmentsText(segments: readonly Segment[]): string {
  return segments.filter((s) => s.end > s.start).map((s) => `${s.start.toFixed(5)}\t${s.end.toFixed(5)}\t${s.phone}`).join("\n") + "\n";
}

/** LRC lyrics of sung notes: a line per phrase (a rest of ≥ 0.5 s, or 8 syllables, ends one), stamped at its first note. */
export function lrcText(notes: readonly Note[]): string {
  const stamp = (t: number) => `[${String(Math.floor(t / 60)).padStart(2, "0")}:${(t % 60).toFixed(2).padStart(5, "0")}]`;
  const lines: string[] = [];
  let words: string[] = [], start = 0, lastEnd = -Infinity;
  const flush = () => { if (words.length) lines.push(`${stamp(start)}${words.join(" ")}`); words = []; };
  for (const n of notes) {
    if (n.onset - lastEnd >= 0.5 || words.length >= 8) {
      if (words.length && n.onset - lastEnd >= 0.5) { flush(); lines.push(`${stamp(lastEnd)}`); } else flush();
      start = n.onset;
    }
    words.push(n.syllable ?? "la");
    lastEnd = n.offset;
  }
  flush();
  if (notes.length) lines.push(`${stamp(lastEnd)}`);
  return lines.join("\n") + "\n";
}
