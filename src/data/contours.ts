/**
 * Expressive F0 contours for sung notes (issue 16): real singers do not hold
 * the score's pitch. Each note of a voice gets, in semitones from its written
 * pitch:
 * - vibrato: a sine of rate 5–7 Hz and depth ±0.3–1.0 semitone (±30–100
 *   cents), starting after a delay of 0.15–0.45 s and fading in over 0.2 s;
 * - a scoop into the note: an offset of −0.2…−1.0 semitone (an overshoot of
 *   +0.1…+0.4 in a fifth of the notes) decaying over 50–150 ms;
 * - portamento: a note that follows another within 40 ms starts at the
 *   previous pitch and glides over 60–140 ms;
 * - drift: a slow random walk of ±20 cents; jitter: ±3 cents of smoothed noise.
 * The truth is the contour itself, frame by frame. Every draw is returned so
 * the manifest can record it. Pure (seeded by the caller's Rng).
 */
import { Rng } from "../random.js";
import type { Note } from "./score.js";

export interface NoteExpression {
  readonly vibratoRateHz: number;
  readonly vibratoDepthSemitones: number;
  readonly vibratoDelaySeconds: number;
  /** Semitones at the onset (negative: a scoop from below), decaying over `scoopSeconds`. */
  readonly scoopSemitones: number;
  readonly scoopSeconds: number;
  /** Glide from the previous note's pitch, in seconds; 0 when the note is detached. */
  readonly portamentoSeconds: number;
}

export interface Contour {
  /** Frame times (s) at `hopSeconds`, from 0. */
  readonly times: Float64Array;
  /** F0 in Hz per frame; 0 where the voice is silent. */
  readonly f0: Float64Array;
  /** The same contour as pitch bends: semitones from the sounding note's written pitch, per frame while it sounds. */
  readonly bends: readonly { readonly time: number; readonly semitones: number }[];
  readonly expression: readonly NoteExpression[];
}

/** An expressive contour for the notes of one voice (monophonic, in time order) over `durationSeconds`. */
export function expressiveContour(notes: readonly Note[], rng: Rng, durationSeconds: number, hopSeconds = 0.01): Contour {
  const n = Math.floor(durationSeconds / hopSeconds) + 1;
  const times = Float64Array.from({ length: n }, (_, i) => Number((i * hopSeconds).toFixed(6)));
  const f0 = new Float64Array(n);
  const bends: { time: number; semitones: number }[] = [];
  const expression: NoteExpression[] = [];
  let drift = 0, jitter = 0;
  notes.forEach((note, k) => {
    const prev = notes[k - 1];
    const legato = prev !== undefined && note.onset - prev.offset < 0.04;
    const overshoot = rng.uniform() < 0.2;
    const e: NoteExpression = {
      vibratoRateHz: rng.range(5, 7),
      vibratoDepthSemitones: rng.range(0.3, 1.0),
      vibratoDelaySeconds: rng.range(0.15, 0.45),
      scoopSemitones: overshoot ? rng.range(0.1, 0.4) : -rng.range(0.2, 1.0),
      scoopSeconds: rng.range(0.05, 0.15),
      portamentoSeconds: legato ? rng.range(0.06, 0.14) : 0,
    };
    expression.push(e);
    const phase = rng.range(0, 2 * Math.PI);
    for (let i = Math.max(0, Math.ceil(note.onset / hopSeconds)); i < n && times[i] < note.offset; i++) {
      const t = times[i] - note.onset;
      drift = Math.max(-0.2, Math.min(0.2, drift + 0.01 * rng.normal()));
      jitter = 0.8 * jitter + 0.2 * 0.03 * rng.normal();
      const fade = Math.max(0, Math.min(1, (t - e.vibratoDelaySeconds) / 0.2));
      const vibrato = fade * e.vibratoDepthSemitones * Math.sin(2 * Math.PI * e.vibratoRateHz * t + phase);
      let onset = e.scoopSemitones * Math.exp(-t / (e.scoopSeconds / 3));
      if (e.portamentoSeconds > 0) onset = (prev!.pitch - note.pitch) * Math.max(0, 1 - t / e.portamentoSeconds);
      const semitones = vibrato + onset + drift + jitter;
      f0[i] = 440 * 2 ** ((note.pitch + semitones - 69) / 12);
      bends.push({ time: times[i], semitones });
    }
  });
  return { times, f0, bends, expression };
}

/**
 * A contour's F0 (Hz per frame at `hopSeconds`) read at audio samples: linear between two voiced frames,
 * the frame's own value next to a silent one, 0 where the frame is silent; frames past the end read as
 * the last one. What the singers of data/singer.ts and data/songs.ts sing.
 */
export function contourAt(f0: ArrayLike<number>, hopSeconds: number, sampleRate: number): (sample: number) => number {
  const last = f0.length - 1;
  return (sample) => {
    const x = sample / sampleRate / hopSeconds, j = Math.floor(x), w = x - j;
    const a = f0[Math.min(last, j)] ?? 0, b = f0[Math.min(last, j + 1)] ?? 0;
    return a > 0 && b > 0 ? a + w * (b - a) : a > 0 ? a : 0;
  };
}
