/**
 * Multi-instrument ensembles for part-separating transcription (`mirkit
 * synth multi`): 2–5 pitched parts, each on its own General MIDI program,
 * over one song's harmony (composer.ts), with overlapping registers, voice
 * crossings, unison and octave doublings, chords inside a part (keys,
 * guitars, harp, mallets), and sometimes a drum kit that is not a part.
 *
 * The programs come from two disjoint pools: TRAIN_PROGRAMS for training and
 * validation, HELD_OUT_PROGRAMS never used in training, so that tests can ask
 * how a model does on instruments it has never heard. Both pools span the
 * families (keys, mallets, organs, guitars, basses, strings, brass, reeds,
 * pipes, synths), so "unseen" means a new timbre, not a new kind of music.
 */
import { Rng } from "../random.js";
import { composeSong } from "./composer.js";
import type { Note, Part, Song } from "./score.js";

/** How an instrument plays: held lines, plucked/struck lines that may hold chords, or sustained pads. */
type Style = "line" | "chordal" | "pad";

interface Instrument {
  readonly program: number;
  readonly name: string;
  /** Comfortable MIDI range. */
  readonly lo: number;
  readonly hi: number;
  readonly style: Style;
}

const I = (program: number, name: string, lo: number, hi: number, style: Style): Instrument => ({ program, name, lo, hi, style });

/** Programs parts are drawn from when training (and validating). */
export const TRAIN_INSTRUMENTS: readonly Instrument[] = [
  I(0, "acoustic grand", 36, 84, "chordal"), I(1, "bright piano", 36, 84, "chordal"), I(2, "electric grand", 36, 84, "chordal"),
  I(4, "electric piano 1", 40, 84, "chordal"), I(5, "electric piano 2", 40, 84, "chordal"), I(7, "clavinet", 40, 80, "chordal"),
  I(8, "celesta", 60, 90, "line"), I(12, "marimba", 45, 84, "chordal"), I(13, "xylophone", 60, 90, "line"),
  I(16, "drawbar organ", 40, 80, "pad"), I(19, "church organ", 36, 80, "pad"), I(21, "accordion", 48, 81, "line"),
  I(24, "nylon guitar", 40, 76, "chordal"), I(25, "steel guitar", 40, 76, "chordal"), I(27, "clean electric guitar", 40, 79, "chordal"),
  I(29, "overdriven guitar", 40, 76, "line"), I(32, "acoustic bass", 28, 52, "line"), I(33, "finger bass", 28, 55, "line"),
  I(34, "pick bass", 28, 55, "line"), I(38, "synth bass", 28, 55, "line"), I(40, "violin", 55, 91, "line"),
  I(41, "viola", 48, 79, "line"), I(43, "contrabass", 28, 55, "line"), I(48, "string ensemble", 40, 84, "pad"),
  I(49, "slow strings", 40, 84, "pad"), I(52, "choir aahs", 45, 79, "pad"), I(56, "trumpet", 55, 82, "line"),
  I(61, "brass section", 45, 79, "pad"), I(65, "alto sax", 49, 80, "line"), I(66, "tenor sax", 44, 75, "line"),
  I(71, "clarinet", 50, 86, "line"), I(73, "flute", 60, 93, "line"), I(74, "recorder", 60, 88, "line"),
  I(80, "square lead", 48, 84, "line"), I(81, "saw lead", 48, 84, "line"), I(88, "new age pad", 40, 79, "pad"),
  I(89, "warm pad", 40, 79, "pad"), I(105, "banjo", 48, 79, "chordal"),
];

/** Programs never used in training: the unseen instruments of the tests. */
export const HELD_OUT_INSTRUMENTS: readonly Instrument[] = [
  I(6, "harpsichord", 41, 84, "chordal"), I(11, "vibraphone", 53, 89, "chordal"), I(22, "harmonica", 60, 84, "line"),
  I(26, "jazz guitar", 40, 76, "chordal"), I(42, "cello", 36, 72, "line"), I(46, "harp", 36, 88, "chordal"),
  I(57, "trombone", 40, 70, "line"), I(60, "french horn", 41, 77, "line"), I(67, "baritone sax", 36, 69, "line"),
  I(68, "oboe", 58, 91, "line"), I(70, "bassoon", 34, 70, "line"), I(75, "pan flute", 60, 90, "line"),
];

export const INSTRUMENT_SETS = ["train", "held-out", "all"] as const;
export type InstrumentSet = (typeof INSTRUMENT_SETS)[number];

export function instrumentPool(set: InstrumentSet): readonly Instrument[] {
  return set === "train" ? TRAIN_INSTRUMENTS : set === "held-out" ? HELD_OUT_INSTRUMENTS : [...TRAIN_INSTRUMENTS, ...HELD_OUT_INSTRUMENTS];
}

export interface EnsembleOptions {
  readonly durationSeconds?: number;
  /** Pitched parts, drawn in [lo, hi] (default 2–5). */
  readonly parts?: readonly [number, number];
  /** Which programs parts are drawn from (default "train"). */
  readonly instruments?: InstrumentSet;
}

const MAJOR = [0, 2, 4, 5, 7, 9, 11];
const MINOR = [0, 2, 3, 5, 7, 8, 10];

/** The pitch in `pcs` nearest `target` within [lo, hi]. */
function nearest(target: number, pcs: readonly number[], lo: number, hi: number): number {
  let best = Math.max(lo, Math.min(hi, Math.round(target))), bestD = Infinity;
  for (let m = lo; m <= hi; m++) if (pcs.includes(((m % 12) + 12) % 12) && Math.abs(m - target) < bestD) { best = m; bestD = Math.abs(m - target); }
  return best;
}

/**
 * An ensemble piece: the harmony, tempo and sections of composeSong(seed), and 2–5 pitched parts named
 * part1… (their programs in Part.program, distinct within a piece), plus, in about a third of the pieces,
 * drums. Each part draws a register of about an octave and a half inside its instrument's range, so
 * registers overlap and lines cross; a quarter of the later parts double an earlier part's line at the
 * unison or an octave (with their own timing jitter and velocities).
 */
export function composeEnsemble(seed: number, o: EnsembleOptions = {}): Song {
  const rng = new Rng(seed * 7919 + 3);
  const base = composeSong(seed, { durationSeconds: o.durationSeconds ?? 30, sungMelody: false, parts: ["drums"] });
  const [lo, hi] = o.parts ?? [2, 5];
  const k = rng.int(lo, hi);
  const pool = [...instrumentPool(o.instruments ?? "train")];
  const beat = 60 / base.tempoBpm;
  const scalePcs = (base.key.mode === "major" ? MAJOR : MINOR).map((d) => (base.key.tonic + d) % 12);
  const vel = (v: number) => Math.max(1, Math.min(127, Math.round(v + rng.range(-15, 15))));
  const jitter = () => rng.range(-0.012, 0.012);
  const parts: Part[] = [];
  const lines: Note[][] = [];
  for (let p = 0; p < k && pool.length > 0; p++) {
    const inst = pool.splice(rng.int(0, pool.length - 1), 1)[0];
    const span = Math.min(inst.hi - inst.lo, rng.int(12, 20));
    const rLo = rng.int(inst.lo, inst.hi - span), rHi = rLo + span;
    const level = rng.range(55, 100);
    let notes: Note[];
    if (p > 0 && rng.uniform() < 0.25) {
      // A doubling of an earlier line, at the unison or an octave, kept inside this instrument's range.
      const src = lines[rng.int(0, lines.length - 1)];
      const shift = rng.pick([0, 0, 12, -12]);
      notes = src.map((n) => {
        let pitch = n.pitch + shift;
        while (pitch < inst.lo) pitch += 12;
        while (pitch > inst.hi) pitch -= 12;
        const on = Math.max(0, n.onset + jitter());
        return { onset: on, offset: Math.max(on + 0.05, n.offset + jitter()), pitch, velocity: vel(level) };
      });
    } else {
      const style = inst.style === "chordal" && rng.uniform() < 0.5 ? "chordal" : inst.style === "pad" ? "pad" : "line";
      notes = [];
      let prev = rng.int(rLo, rHi);
      const cells: readonly (readonly number[])[] = style === "pad"
        ? [[base.beatsPerBar], [base.beatsPerBar / 2, base.beatsPerBar / 2]]
        : base.beatsPerBar === 4
          ? [[1, 1, 1, 1], [2, 1, 1], [1, 1, 2], [0.5, 0.5, 1, 2], [1.5, 0.5, 2], [2, 2], [1, 0.5, 0.5, 2], [0.5, 0.5, 0.5, 0.5, 2], [4]]
          : [[1, 1, 1], [2, 1], [1, 2], [0.5, 0.5, 2], [3]];
      const rests = rng.range(0.05, 0.25), legato = rng.range(0.7, 0.98);
      for (const c of base.chords) {
        if (rng.uniform() < 0.08) continue; // the part sits out a bar
        let pos = c.start;
        for (const [i, beats] of rng.pick(cells).entries()) {
          const len = beats * beat;
          if (i > 0 && rng.uniform() < rests) { pos += len; continue; }
          const target = prev + rng.pick([-4, -2, -1, -1, 0, 1, 1, 2, 3, 5]);
          const root = i === 0 || style !== "line" ? nearest(target, c.pcs, rLo, rHi) : nearest(target, scalePcs, rLo, rHi);
          const on = Math.max(0, pos + jitter()), off = pos + len * legato;
          const chord = style === "line" ? [root] : [root, ...c.pcs.map((pc) => nearest(root + rng.pick([3, 4, 7, 8, 9]), [pc], root + 1, Math.min(inst.hi, root + 12)))];
          const voicing = [...new Set(chord)].slice(0, style === "pad" ? 3 : style === "chordal" ? rng.int(1, 3) : 1);
          const v = vel(level);
          for (const m of voicing) notes.push({ onset: on, offset: Math.max(on + 0.06, off), pitch: m, velocity: v });
          prev = root;
          pos += len;
        }
      }
    }
    lines.push(notes);
    parts.push({ name: `part${p + 1}`, program: inst.program, drums: false, notes, gainDb: rng.range(-6, 0), pan: rng.range(-0.7, 0.7), reverb: rng.int(0, 90) });
  }
  const drums = base.parts.find((q) => q.drums);
  if (drums && rng.uniform() < 0.35) parts.push({ ...drums, gainDb: rng.range(-12, -4) });
  return { ...base, parts };
}

/** The name of a program in either pool ("program N" for others). */
export function instrumentName(program: number): string {
  return [...TRAIN_INSTRUMENTS, ...HELD_OUT_INSTRUMENTS].find((i) => i.program === program)?.name ?? `program ${program}`;
}
