/**
 * Scores: what the synthetic-data generator composes and renders, and where
 * every annotation comes from. Times in seconds, pitches as MIDI numbers
 * (A4 = 69), velocities 1–127. A part is one instrument and one stem.
 */
export interface Note {
  readonly onset: number;
  readonly offset: number;
  readonly pitch: number;
  readonly velocity: number;
  /** Lyric syllable for sung parts. */
  readonly syllable?: string;
}

export interface Part {
  readonly name: string;
  /** General MIDI program 0–127; ignored for drums. */
  readonly program: number;
  readonly drums: boolean;
  readonly notes: readonly Note[];
  /** Sustain-pedal intervals (piano). */
  readonly pedal?: readonly (readonly [number, number])[];
  /** Pitch bends in semitones from `time` on (expressive voices); rendered with a ±BEND_RANGE_SEMITONES wheel. */
  readonly bends?: readonly { readonly time: number; readonly semitones: number }[];
  /** Mix gain in dB, pan −1 (left) … 1 (right), reverb send 0–127. */
  readonly gainDb: number;
  readonly pan: number;
  readonly reverb: number;
  /** "sung" parts are rendered by Festival, not the SoundFont. */
  readonly sung?: boolean;
}

export interface Section {
  readonly name: "intro" | "verse" | "chorus" | "bridge" | "outro";
  readonly start: number;
  readonly end: number;
}

export interface Song {
  readonly tempoBpm: number;
  readonly beatsPerBar: number;
  /** Tonic pitch class 0–11 (0 = C) and mode. */
  readonly key: { readonly tonic: number; readonly mode: "major" | "minor" };
  readonly sections: readonly Section[];
  /** The harmony: one chord (pitch classes, root first) per bar. */
  readonly chords: readonly { readonly start: number; readonly end: number; readonly pcs: readonly number[] }[];
  readonly parts: readonly Part[];
  readonly durationSeconds: number;
}

export const midiToHz = (m: number): number => 440 * Math.pow(2, (m - 69) / 12);
export const hzToMidi = (f: number): number => 69 + 12 * Math.log2(f / 440);

const NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
export const noteName = (m: number): string => `${NAMES[((m % 12) + 12) % 12]}${Math.floor(m / 12) - 1}`;

/** mir_eval note text: onset offset frequency(Hz) per line. */
export function notesToMirEval(notes: readonly Note[]): string {
  return [...notes].sort((a, b) => a.onset - b.onset || a.pitch - b.pitch).map((n) => `${n.onset.toFixed(6)}\t${n.offset.toFixed(6)}\t${midiToHz(n.pitch).toFixed(4)}`).join("\n") + "\n";
}
