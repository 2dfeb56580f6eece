/**
 * Cover versions of a work: the same composition (melody, harmony, form)
 * rendered differently. A version may transpose (−5…+6 semitones, keeping a
 * sung melody singable), change tempo (×0.8…1.25), change its structure
 * (drop a section, repeat the chorus, move the bridge), re-orchestrate
 * (other programs, drums on or off) and switch between a sung and an
 * instrumental melody. Each transform is recorded, so a version can be
 * described and regenerated.
 */
import { Rng } from "../random.js";
import type { Note, Part, Section, Song } from "./score.js";

export interface VersionTransform {
  readonly transpose: number;
  readonly tempoFactor: number;
  readonly structure: "original" | "drop-section" | "repeat-chorus" | "move-bridge";
  readonly sungMelody: boolean;
  readonly drums: boolean;
}

const MELODY_PROGRAMS = [73, 56, 65, 71, 80, 40, 11, 24];
const COMP_PROGRAMS = [0, 1, 4, 5, 24, 25, 16, 46];
const PAD_PROGRAMS = [48, 49, 50, 88, 89, 91, 19, 52];
const BASS_PROGRAMS = [32, 33, 34, 35, 38, 39, 42];

function reorder(sections: readonly Section[], structure: VersionTransform["structure"], rng: Rng): Section[] {
  const s = [...sections];
  if (structure === "drop-section" && s.length > 3) {
    const candidates = s.map((_, i) => i).filter((i) => s[i].name === "verse" || s[i].name === "bridge" || s[i].name === "intro");
    if (candidates.length) s.splice(rng.pick(candidates), 1);
  } else if (structure === "repeat-chorus") {
    const idx = s.map((_, i) => i).filter((i) => s[i].name === "chorus");
    if (idx.length) s.splice(idx[idx.length - 1] + 1, 0, s[idx[idx.length - 1]]);
  } else if (structure === "move-bridge") {
    const b = s.findIndex((x) => x.name === "bridge");
    if (b > 1) { const [br] = s.splice(b, 1); s.splice(1, 0, br); }
  }
  return s;
}

/** A version of `work` under `t`; `seed` draws the orchestration. */
export function makeVersion(work: Song, t: VersionTransform, seed: number): Song {
  const rng = new Rng(seed * 7411 + 29);
  const order = reorder(work.sections, t.structure, rng);
  // Re-lay the sections end to end, copying each section's notes and chords.
  const sections: Section[] = [];
  const notesByPart = work.parts.map(() => [] as Note[]);
  const chords: Song["chords"][number][] = [];
  let at = 0;
  for (const s of order) {
    const shift = at - s.start;
    sections.push({ name: s.name, start: at, end: at + (s.end - s.start) });
    work.parts.forEach((p, k) => {
      for (const n of p.notes) if (n.onset >= s.start - 1e-9 && n.onset < s.end - 1e-9) notesByPart[k].push({ ...n, onset: n.onset + shift, offset: n.offset + shift });
    });
    for (const c of work.chords) if (c.start >= s.start - 1e-9 && c.start < s.end - 1e-9) chords.push({ ...c, start: c.start + shift, end: c.end + shift });
    at += s.end - s.start;
  }
  const f = 1 / t.tempoFactor;
  const time = (x: number) => x * f;
  const parts: Part[] = [];
  work.parts.forEach((p, k) => {
    if (p.drums && !t.drums) return;
    const isMelody = k === 0;
    const program = p.drums ? 0 : isMelody ? (t.sungMelody ? 52 : rng.pick(MELODY_PROGRAMS)) : p.name === "bass" ? rng.pick(BASS_PROGRAMS) : p.name === "pad" ? rng.pick(PAD_PROGRAMS) : rng.pick(COMP_PROGRAMS);
    parts.push({
      ...p,
      name: isMelody ? (t.sungMelody ? "vocals" : "melody") : p.name,
      sung: isMelody ? t.sungMelody : false,
      program,
      notes: notesByPart[k].map((n) => ({ ...n, onset: time(n.onset), offset: time(n.offset), pitch: p.drums ? n.pitch : n.pitch + t.transpose })),
      pedal: undefined,
      gainDb: p.gainDb + rng.range(-2, 2),
      pan: Math.max(-1, Math.min(1, p.pan + rng.range(-0.3, 0.3))),
      reverb: rng.int(10, 90),
    });
  });
  return {
    tempoBpm: work.tempoBpm * t.tempoFactor,
    beatsPerBar: work.beatsPerBar,
    key: { tonic: (((work.key.tonic + t.transpose) % 12) + 12) % 12, mode: work.key.mode },
    sections: sections.map((s) => ({ ...s, start: time(s.start), end: time(s.end) })),
    chords: chords.map((c) => ({ ...c, start: time(c.start), end: time(c.end), pcs: c.pcs.map((pc) => (((pc + t.transpose) % 12) + 12) % 12) })),
    parts,
    durationSeconds: time(at),
  };
}

/** Draws a version's transform; version 0 is the work as composed. `maxMelodyPitch` keeps sung melodies singable. */
export function drawTransform(rng: Rng, version: number, melodyPitches: readonly number[], options: { sungShare?: number; maxSungPitch?: number } = {}): VersionTransform {
  if (version === 0) return { transpose: 0, tempoFactor: 1, structure: "original", sungMelody: false, drums: true };
  const hi = Math.max(...melodyPitches), lo = Math.min(...melodyPitches);
  let sung = rng.uniform() < (options.sungShare ?? 0);
  let transpose = rng.int(-5, 6);
  if (transpose === 0) transpose = rng.pick([-2, 2, 3, -3]);
  if (sung && hi + transpose > (options.maxSungPitch ?? 71)) {
    const fit = (options.maxSungPitch ?? 71) - hi;
    if (fit >= -5) transpose = Math.min(transpose, fit);
    else sung = false;
    if (lo + transpose < 45) sung = false;
  }
  return {
    transpose,
    tempoFactor: Number(rng.range(0.8, 1.25).toFixed(3)),
    structure: rng.pick(["original", "drop-section", "repeat-chorus", "move-bridge"] as const),
    sungMelody: sung,
    drums: rng.uniform() < 0.7,
  };
}
