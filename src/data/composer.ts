/**
 * A seeded composer of simple pop-like songs: a key and tempo, sections
 * (intro, verse, chorus, bridge, outro) with their own chord progressions, a
 * melody in a singable range (stepwise, chord tones on strong beats, with
 * lyric syllables), a bass line, a keyboard or guitar comping part, a pad and
 * drums. Everything is a function of the seed: the same seed gives the same
 * song note for note.
 */
import { Rng } from "../random.js";
import type { Note, Part, Section, Song } from "./score.js";

const MAJOR = [0, 2, 4, 5, 7, 9, 11];
const MINOR = [0, 2, 3, 5, 7, 8, 10];

/** Progressions as scale degrees (0-based) per bar. */
const PROGRESSIONS: Record<"major" | "minor", readonly (readonly number[])[]> = {
  major: [[0, 4, 5, 3], [5, 3, 0, 4], [0, 5, 3, 4], [1, 4, 0, 0], [0, 3, 4, 3], [3, 4, 2, 5]],
  minor: [[0, 5, 2, 6], [0, 3, 4, 0], [0, 6, 5, 6], [3, 6, 2, 5], [0, 3, 6, 2]],
};

/**
 * Lyric syllables and words, each of which Festival sings as exactly one vowel (checked: "se" is not
 * here because Festival reads it as "southeast").
 */
export const SYLLABLES = [
  "la", "na", "da", "ma", "lo", "no", "do", "mo", "li", "ni", "di", "mi", "lu", "nu", "du", "be", "ke", "ra", "ta", "ho", "ya", "wo", "ve",
  "me", "see", "low", "day", "you", "go", "so", "may", "by", "he", "we", "new", "sun", "moon", "sky", "blue", "sea", "rain", "light",
  "love", "home", "star", "time", "night", "way", "dream", "fly", "free", "song", "high", "bright",
];

export interface ComposeOptions {
  readonly durationSeconds?: number;
  /** Melody range (MIDI), default 55–71 (B4 at most: Festival's kal voice fails above ~500 Hz). */
  readonly melodyRange?: readonly [number, number];
  /** Melody sung (Festival) or played by an instrument. */
  readonly sungMelody?: boolean;
  /** Which accompaniment parts to include. */
  readonly parts?: readonly ("bass" | "comp" | "pad" | "drums")[];
}

/** Chord (pitch classes) of a scale degree: the triad on it, in the key. */
function chordPitchClasses(tonic: number, scale: readonly number[], degree: number): number[] {
  return [0, 2, 4].map((k) => (tonic + scale[(degree + k) % 7] + 12 * Math.floor((degree + k) / 7)) % 12);
}

function nearestInClass(target: number, pcs: readonly number[], lo: number, hi: number): number {
  let best = lo, bestD = Infinity;
  for (let m = lo; m <= hi; m++) if (pcs.includes(((m % 12) + 12) % 12) && Math.abs(m - target) < bestD) { best = m; bestD = Math.abs(m - target); }
  return best;
}

export function composeSong(seed: number, options: ComposeOptions = {}): Song {
  const rng = new Rng(seed * 9973 + 17);
  const mode: "major" | "minor" = rng.uniform() < 0.6 ? "major" : "minor";
  const scale = mode === "major" ? MAJOR : MINOR;
  const tonic = rng.int(0, 11);
  const tempoBpm = rng.int(80, 132);
  const beatsPerBar = rng.uniform() < 0.85 ? 4 : 3;
  const beat = 60 / tempoBpm, bar = beat * beatsPerBar;
  const target = options.durationSeconds ?? 30;
  const [mLo, mHi] = options.melodyRange ?? [55, 71];
  const progressions = PROGRESSIONS[mode];
  const sectionProg = { intro: rng.pick(progressions), verse: rng.pick(progressions), chorus: rng.pick(progressions), bridge: rng.pick(progressions), outro: rng.pick(progressions) };
  const plan: Section["name"][] = ["intro", "verse", "chorus", "verse", "chorus", "bridge", "chorus", "outro"];
  const sections: Section[] = [];
  let t = 0;
  for (const name of plan) {
    if (t >= target) break;
    const bars = name === "intro" || name === "outro" ? 2 : 4;
    sections.push({ name, start: t, end: t + bars * bar });
    t += bars * bar;
  }
  const duration = t;
  // Chords per bar.
  const chords: { start: number; pcs: number[]; root: number; section: Section["name"] }[] = [];
  for (const s of sections) {
    const prog = sectionProg[s.name];
    for (let b = 0; s.start + b * bar < s.end - 1e-9; b++) {
      const degree = prog[b % prog.length];
      const pcs = chordPitchClasses(tonic, scale, degree);
      chords.push({ start: s.start + b * bar, pcs, root: pcs[0], section: s.name });
    }
  }
  const vel = (base: number) => Math.max(1, Math.min(127, Math.round(base + rng.range(-12, 12))));
  // Melody: rhythm cells per bar (in beats), rests allowed; chord tones on downbeats, steps in between.
  const sungCells: readonly (readonly number[])[] = beatsPerBar === 4 ? [[1, 1, 1, 1], [2, 1, 1], [1, 1, 2], [2, 2], [1, 3], [3, 1]] : [[1, 1, 1], [2, 1], [1, 2], [3]];
  const playedCells: readonly (readonly number[])[] = beatsPerBar === 4
    ? [[1, 1, 1, 1], [2, 1, 1], [1, 1, 2], [0.5, 0.5, 1, 2], [1.5, 0.5, 2], [2, 2], [1, 0.5, 0.5, 2]]
    : [[1, 1, 1], [2, 1], [1, 2], [0.5, 0.5, 2]];
  // Sung notes are at least a beat (≥ 0.45 s at ≤ 132 BPM): Festival needs room for consonant and vowel.
  const cells = options.sungMelody ? sungCells : playedCells;
  const melody: Note[] = [];
  let prev = Math.round((mLo + mHi) / 2);
  const scalePcs = scale.map((d) => (tonic + d) % 12);
  for (const c of chords) {
    if (c.section === "intro" || c.section === "outro") continue;
    const cell = rng.pick(cells);
    let pos = c.start;
    cell.forEach((beats, i) => {
      const len = beats * beat;
      if (i > 0 && rng.uniform() < 0.12) { pos += len; return; } // a rest
      const target = prev + rng.pick([-2, -1, -1, 0, 1, 1, 2, 3, -3]);
      const pitch = i === 0 ? nearestInClass(target, c.pcs, mLo, mHi) : nearestInClass(target, scalePcs, mLo, mHi);
      // Leave a short gap before the next note so consecutive notes are separate events.
      melody.push({ onset: pos, offset: pos + len * 0.92, pitch, velocity: vel(96), syllable: rng.pick(SYLLABLES) });
      prev = pitch;
      pos += len;
    });
  }
  const wanted = new Set(options.parts ?? ["bass", "comp", "pad", "drums"]);
  const parts: Part[] = [];
  const sung = options.sungMelody ?? false;
  parts.push({
    name: sung ? "vocals" : "melody", program: sung ? 52 : rng.pick([73, 56, 65, 71, 80, 40]), drums: false, notes: melody,
    gainDb: 0, pan: rng.range(-0.1, 0.1), reverb: rng.int(20, 70), sung,
  });
  if (wanted.has("bass")) {
    const bass: Note[] = [];
    for (const c of chords) {
      const root = nearestInClass(40, [c.root], 33, 47);
      const fifth = nearestInClass(root + 7, [(c.root + 7) % 12], root, root + 12);
      const pattern: number[][] = beatsPerBar === 4 ? [[0, 2, root], [2, 1.5, rng.uniform() < 0.5 ? fifth : root], [3.5, 0.5, root]] : [[0, 2, root], [2, 1, fifth]];
      for (const [b, len, p] of pattern) bass.push({ onset: c.start + b * beat, offset: c.start + (b + len) * beat * 0.98, pitch: p, velocity: vel(100) });
    }
    parts.push({ name: "bass", program: rng.pick([32, 33, 34, 38]), drums: false, notes: bass, gainDb: rng.range(-3, 1), pan: 0, reverb: rng.int(0, 20) });
  }
  if (wanted.has("comp")) {
    const comp: Note[] = [];
    const pedal: [number, number][] = [];
    const program = rng.pick([0, 1, 4, 5, 24, 25, 16]);
    const arpeggiate = rng.uniform() < 0.5;
    for (const c of chords) {
      const voicing = c.pcs.map((pc) => nearestInClass(60, [pc], 52, 72)).sort((a, b) => a - b);
      if (arpeggiate) {
        const steps = beatsPerBar * 2;
        for (let k = 0; k < steps; k++) comp.push({ onset: c.start + (k * beat) / 2, offset: c.start + ((k + 1) * beat) / 2, pitch: voicing[k % voicing.length] + (k >= voicing.length * 2 ? 12 : 0), velocity: vel(70) });
      } else {
        for (let b = 0; b < beatsPerBar; b += beatsPerBar === 4 ? 2 : 3) for (const p of voicing) comp.push({ onset: c.start + b * beat, offset: c.start + (b + (beatsPerBar === 4 ? 2 : 3)) * beat * 0.95, pitch: p, velocity: vel(72) });
      }
      if (program < 8) pedal.push([c.start + 0.01, c.start + bar - 0.03]);
    }
    parts.push({ name: "comp", program, drums: false, notes: comp, pedal: program < 8 ? pedal : undefined, gainDb: rng.range(-6, -2), pan: rng.range(-0.5, 0.5), reverb: rng.int(20, 80) });
  }
  if (wanted.has("pad")) {
    const pad: Note[] = [];
    for (const c of chords) for (const pc of c.pcs) pad.push({ onset: c.start, offset: c.start + bar * 0.99, pitch: nearestInClass(55, [pc], 48, 64), velocity: vel(60) });
    parts.push({ name: "pad", program: rng.pick([48, 49, 50, 88, 89, 91, 19]), drums: false, notes: pad, gainDb: rng.range(-12, -7), pan: rng.range(-0.6, 0.6), reverb: rng.int(40, 110) });
  }
  if (wanted.has("drums")) {
    const drums: Note[] = [];
    for (const c of chords) {
      if (c.section === "intro" && rng.uniform() < 0.5) continue;
      for (let b = 0; b < beatsPerBar; b++) {
        const on = c.start + b * beat;
        if (b === 0 || (beatsPerBar === 4 && b === 2)) drums.push({ onset: on, offset: on + 0.1, pitch: 36, velocity: vel(110) });
        if (beatsPerBar === 4 ? b % 2 === 1 : b === 1) drums.push({ onset: on, offset: on + 0.1, pitch: 38, velocity: vel(100) });
        for (const h of [0, 0.5]) drums.push({ onset: on + h * beat, offset: on + h * beat + 0.05, pitch: 42, velocity: vel(70) });
      }
    }
    parts.push({ name: "drums", program: 0, drums: true, notes: drums, gainDb: rng.range(-5, -1), pan: 0, reverb: rng.int(0, 40) });
  }
  return { tempoBpm, beatsPerBar, key: { tonic, mode }, sections, chords: chords.map((c) => ({ start: c.start, end: c.start + bar, pcs: c.pcs })), parts, durationSeconds: duration };
}

/**
 * A solo-piano piece: the song's harmony as a left-hand accompaniment
 * (broken chords or Alberti bass) under a right-hand melody with chord
 * tones, varied velocities, and the sustain pedal changed with each chord.
 */
export function composePiano(seed: number, options: { durationSeconds?: number } = {}): Song {
  const base = composeSong(seed, { durationSeconds: options.durationSeconds, parts: [], melodyRange: [62, 84] });
  const rng = new Rng(seed * 7919 + 3);
  const beat = 60 / base.tempoBpm, bar = beat * base.beatsPerBar;
  const melody = base.parts[0].notes;
  const notes: Note[] = melody.map((n) => ({ onset: n.onset, offset: n.offset, pitch: n.pitch, velocity: Math.max(20, Math.min(120, Math.round(n.velocity + rng.range(-20, 10)))) }));
  const pedal: [number, number][] = [];
  const style = rng.pick(["broken", "alberti", "block"] as const);
  for (const chord of base.chords) {
    const t = chord.start;
    const root = 36 + chord.pcs[0];
    const triad = [root, root + ((chord.pcs[1] - chord.pcs[0] + 12) % 12), root + ((chord.pcs[2] - chord.pcs[0] + 12) % 12)].map((p) => (p < 40 ? p + 12 : p));
    const v = () => Math.round(rng.range(45, 80));
    if (style === "block") {
      for (const p of triad) notes.push({ onset: t, offset: t + bar * 0.5, pitch: p + 12, velocity: v() });
      notes.push({ onset: t, offset: t + bar * 0.9, pitch: triad[0], velocity: v() });
    } else {
      const order = style === "alberti" ? [0, 2, 1, 2] : [0, 1, 2, 1];
      const steps = base.beatsPerBar * 2;
      for (let k = 0; k < steps; k++) notes.push({ onset: t + (k * beat) / 2, offset: t + (((k + 1) * beat) / 2) * 0.95, pitch: triad[order[k % 4]] + 12, velocity: v() });
    }
    pedal.push([t + 0.02, t + bar - 0.04]);
  }
  notes.sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
  const piano: Part = { name: "piano", program: 0, drums: false, notes, pedal, gainDb: 0, pan: 0, reverb: rng.int(20, 60) };
  return { ...base, parts: [piano] };
}

/**
 * Note offsets as heard with the sustain pedal: a note released while the
 * pedal is down sounds until the pedal lifts, or until the same key is
 * struck again, whichever comes first (MAESTRO's convention).
 */
export function pedalledNotes(part: Part): Note[] {
  const pedal = part.pedal ?? [];
  const byPitch = new Map<number, Note[]>();
  for (const n of part.notes) byPitch.set(n.pitch, [...(byPitch.get(n.pitch) ?? []), n]);
  const out: Note[] = [];
  for (const notes of byPitch.values()) {
    notes.sort((a, b) => a.onset - b.onset);
    notes.forEach((n, i) => {
      let off = n.offset;
      const down = pedal.find(([a, b]) => a <= n.offset && n.offset < b);
      if (down) off = down[1];
      const next = notes[i + 1];
      if (next && next.onset < off) off = Math.max(n.offset, next.onset);
      out.push({ ...n, offset: off });
    });
  }
  return out.sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
}

export const SATB_RANGES: Record<"soprano" | "alto" | "tenor" | "bass", readonly [number, number]> = {
  // Soprano capped at B4 (MIDI 71): Festival's kal voice fails above ≈ 500 Hz.
  soprano: [60, 71],
  alto: [55, 66],
  tenor: [48, 60],
  bass: [40, 53],
};

/**
 * A four-part chorale-like harmonisation of the song's chord progression:
 * one chord per half bar (or bar in 3/4), homophonic rhythm, each voice in its
 * range, the soprano on a chord tone near its previous note, the others by
 * nearest voice leading without crossing. Every voice sings the same lyrics.
 */
export function composeChoir(seed: number, options: { durationSeconds?: number } = {}): Song {
  const base = composeSong(seed, { durationSeconds: options.durationSeconds, parts: [] });
  const rng = new Rng(seed * 4243 + 11);
  const beat = 60 / base.tempoBpm;
  const span = base.beatsPerBar === 4 ? 2 * beat : 3 * beat;
  const voices = ["soprano", "alto", "tenor", "bass"] as const;
  const notes: Record<(typeof voices)[number], Note[]> = { soprano: [], alto: [], tenor: [], bass: [] };
  let prev = { soprano: 66, alto: 60, tenor: 55, bass: 47 };
  for (const chord of base.chords) {
    for (let t = chord.start; t < chord.end - 1e-9; t += span) {
      const syllable = rng.pick(SYLLABLES);
      const next = { ...prev };
      const near = (target: number, pcs: readonly number[], [lo, hi]: readonly [number, number], below: number) => {
        let best = lo, d = Infinity;
        for (let m = lo; m <= Math.min(hi, below); m++) if (pcs.includes(m % 12) && Math.abs(m - target) < d) { best = m; d = Math.abs(m - target); }
        return best;
      };
      next.bass = near(prev.bass, [chord.pcs[0]], SATB_RANGES.bass, 127);
      next.soprano = near(prev.soprano + rng.pick([-2, 0, 2]), chord.pcs, SATB_RANGES.soprano, 127);
      next.alto = near(prev.alto, chord.pcs, SATB_RANGES.alto, next.soprano - 1);
      next.tenor = near(prev.tenor, chord.pcs, SATB_RANGES.tenor, next.alto - 1);
      const len = Math.min(span, chord.end - t);
      for (const v of voices) notes[v].push({ onset: t, offset: t + len * 0.94, pitch: next[v], velocity: 90, syllable });
      prev = next;
    }
  }
  const pans = { soprano: -0.4, alto: -0.15, tenor: 0.15, bass: 0.4 };
  const parts: Part[] = voices.map((v) => ({ name: v, program: 52, drums: false, notes: notes[v], gainDb: 0, pan: pans[v], reverb: 0, sung: true }));
  return { ...base, parts };
}
