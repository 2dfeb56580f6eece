/**
 * Time-domain pitch-synchronous overlap-add (TD-PSOLA; Moulines & Charpentier,
 * Speech Communication 1990): a voiced sound re-pitched and re-timed while its
 * spectral envelope (formants) stays. Analysis: YIN periods and pitch marks on
 * the waveform's peaks, one per period. Synthesis: marks placed at the target
 * periods; each takes a Hann-windowed grain around the analysis mark nearest
 * to its position on the time map, two periods long (of the shorter of the
 * analysis and target periods), so the output is periodic at the target F0.
 */
import { InvalidInputError } from "../errors.js";
import { yin } from "./pitch.js";

export interface PitchMarks {
  /** Sample positions of the marks, increasing. */
  readonly marks: Int32Array;
  /** The local period (samples) at each mark. */
  readonly periods: Float64Array;
  /** The longest voiced run, [first, last] sample. */
  readonly voiced: readonly [number, number];
}

/** Pitch marks over the longest voiced run of `x` (F0 searched in [fminHz, fmaxHz]); null when nothing is voiced. */
export function pitchMarks(x: Float32Array, sampleRate: number, fminHz = 60, fmaxHz = 500): PitchMarks | null {
  const hop = Math.round(sampleRate / 200);
  const { f0 } = yin(x, sampleRate, { fminHz, fmaxHz, hopLength: hop, threshold: 0.15, voicingThreshold: 0.35 });
  // Longest voiced run of frames.
  let best: [number, number] | null = null;
  for (let i = 0; i < f0.length;) {
    if (f0[i] <= 0) { i++; continue; }
    let j = i;
    while (j + 1 < f0.length && f0[j + 1] > 0) j++;
    if (!best || j - i > best[1] - best[0]) best = [i, j];
    i = j + 1;
  }
  if (!best || best[1] - best[0] < 3) return null;
  const periodAt = (s: number) => {
    const k = Math.max(best![0], Math.min(best![1], Math.round(s / hop)));
    return sampleRate / f0[k];
  };
  const start = best[0] * hop, end = Math.min(x.length - 1, best[1] * hop);
  const marks: number[] = [], periods: number[] = [];
  // First mark: the largest peak in the first period; then one period on, snapped to the largest peak within ±¼ period.
  let p = periodAt(start), m = start;
  for (let i = start; i < Math.min(x.length, start + p); i++) if (x[i] > x[m]) m = i;
  while (m <= end) {
    marks.push(m);
    periods.push(p);
    p = periodAt(m);
    const guess = Math.round(m + p), w = Math.max(1, Math.round(p / 4));
    let next = guess;
    for (let i = Math.max(m + 1, guess - w); i <= Math.min(x.length - 1, guess + w); i++) if (x[i] > x[next]) next = i;
    if (next >= x.length) break;
    m = next;
  }
  return { marks: Int32Array.from(marks), periods: Float64Array.from(periods), voiced: [start, end] };
}

/**
 * Adds into `out` the voiced run of `x` (with `analysis` marks) re-pitched to `f0At(sample)` (Hz; `x` and
 * `out` share `sampleRate`) and stretched over out[from, to): the analysis run maps linearly onto
 * [from, to). Grains are scaled by `gain(sample)` and by the synthesis/analysis period ratio, so the level
 * does not depend on the pitch ratio. Where f0At is 0 nothing is placed.
 */
export function psola(x: Float32Array, analysis: PitchMarks, out: Float32Array, from: number, to: number, sampleRate: number, f0At: (sample: number) => number, gain: (sample: number) => number): void {
  const { marks, periods } = analysis;
  if (marks.length === 0) return;
  if (!(to > from)) throw new InvalidInputError(`psola: empty target span [${from}, ${to})`);
  const first = marks[0], last = marks[marks.length - 1];
  let j = 0;
  for (let t = from; t < to;) {
    const f = f0At(Math.round(t));
    if (!(f > 0)) { t += 1; continue; }
    const ps = sampleRate / f;
    const pos = first + ((t - from) / (to - from)) * (last - first);
    while (j + 1 < marks.length && Math.abs(marks[j + 1] - pos) <= Math.abs(marks[j] - pos)) j++;
    while (j > 0 && Math.abs(marks[j - 1] - pos) < Math.abs(marks[j] - pos)) j--;
    // Grains span two periods of the lower of the analysis and synthesis F0s: raising the pitch with
    // two-analysis-period grains would leave the analysis periodicity audible through their overlap.
    const pa = periods[j], half = Math.max(2, Math.round(Math.min(pa, ps)));
    const g = gain(Math.round(t)) * Math.min(2, ps / half);
    const c = Math.round(t), m = marks[j];
    for (let i = -half + 1; i < half; i++) {
      const o = c + i, a = m + i;
      if (o < 0 || o >= out.length || a < 0 || a >= x.length) continue;
      out[o] += g * 0.5 * (1 + Math.cos((Math.PI * i) / half)) * x[a];
    }
    t += ps;
  }
}
