/**
 * Solo-piano performances for transcription training (issue 17): a piece is
 * a chain of 1–4-bar segments over a composed harmony, each in one texture
 * drawn from what piano transcribers meet and fail on:
 * - melody: a right-hand melody with chord tones over broken-chord, Alberti
 *   or block accompaniment;
 * - run: scales of 8–16 notes a second over one to three octaves;
 * - trill: two neighbouring keys alternating at 8–14 strokes a second;
 * - repeated: one key struck 3–10 times a second (re-onsets under the pedal);
 * - chords: wide chords of 4–8 keys over up to four octaves, both hands;
 * - arpeggio: a chord swept over two to four octaves;
 * - scatter: random keys anywhere on the keyboard (A0–C8), 1–4 at a time.
 * Then a performance: a velocity curve per segment (crescendo, diminuendo or
 * level) with accents, rubato (a smooth tempo curve and a few ms of onset
 * jitter), legato or staccato articulation, and a sustain-pedal habit per
 * segment (changed with the harmony, held through, or none). Pure and seeded.
 */
import { composeSong } from "./composer.js";
import type { Note, Part, Song } from "./score.js";
import { Rng } from "../random.js";

export const PIANO_LOW = 21, PIANO_HIGH = 108;

export type PianoTexture = "melody" | "run" | "trill" | "repeated" | "chords" | "arpeggio" | "scatter";
export const PIANO_TEXTURES: readonly PianoTexture[] = ["melody", "run", "trill", "repeated", "chords", "arpeggio", "scatter"];

export interface PianoPieceOptions {
  readonly durationSeconds?: number;
  /** General MIDI program (0 acoustic grand, 1 bright, 2 electric grand, 3 honky-tonk); default 0. */
  readonly program?: number;
  /** Only these textures (default all). */
  readonly textures?: readonly PianoTexture[];
}

const clampKey = (p: number) => Math.max(PIANO_LOW, Math.min(PIANO_HIGH, p));

/** The key's scale degrees as pitch classes (major or natural minor). */
function scalePcs(tonic: number, mode: "major" | "minor"): number[] {
  const steps = mode === "major" ? [0, 2, 4, 5, 7, 9, 11] : [0, 2, 3, 5, 7, 8, 10];
  return steps.map((s) => (tonic + s) % 12);
}

/** Every key in [lo, hi] whose pitch class is in `pcs`, ascending. */
function keysIn(pcs: readonly number[], lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let p = Math.max(PIANO_LOW, lo); p <= Math.min(PIANO_HIGH, hi); p++) if (pcs.includes(p % 12)) out.push(p);
  return out;
}

interface Raw { onset: number; dur: number; pitch: number; accent: number }

export function composePianoPiece(seed: number, options: PianoPieceOptions = {}): Song {
  const base = composeSong(seed, { durationSeconds: options.durationSeconds, parts: [], melodyRange: [60, 88] });
  const rng = new Rng(seed * 48271 + 17);
  const textures = options.textures ?? PIANO_TEXTURES;
  const beat = 60 / base.tempoBpm, bar = beat * base.beatsPerBar;
  const scale = scalePcs(base.key.tonic, base.key.mode);
  const melody = base.parts[0]?.notes ?? [];
  const raw: Raw[] = [];
  const pedal: [number, number][] = [];
  const velocity: { start: number; end: number; from: number; to: number }[] = [];
  let chordIndex = 0;
  while (chordIndex < base.chords.length) {
    const bars = Math.min(base.chords.length - chordIndex, rng.int(1, 4));
    const chords = base.chords.slice(chordIndex, chordIndex + bars);
    const start = chords[0].start, end = chords[chords.length - 1].end;
    chordIndex += bars;
    const texture = rng.pick(textures);
    const centre = rng.int(36, 84);
    const add = (onset: number, dur: number, pitch: number, accent = 0) => {
      if (onset < end - 1e-6) raw.push({ onset, dur: Math.max(0.03, dur), pitch: clampKey(pitch), accent });
    };
    for (const c of chords) {
      const chordKeys = (lo: number, hi: number) => keysIn(c.pcs, lo, hi);
      switch (texture) {
        case "melody": {
          for (const n of melody) if (n.onset >= c.start && n.onset < c.end) add(n.onset, n.offset - n.onset, n.pitch + 12 * rng.int(-1, 0), 1);
          const triad = chordKeys(centre - 24, centre - 10).slice(0, 3);
          const style = rng.pick(["broken", "alberti", "block"] as const);
          if (style === "block") for (const p of triad) add(c.start, bar * rng.range(0.4, 0.95), p);
          else {
            const order = style === "alberti" ? [0, 2, 1, 2] : [0, 1, 2, 1];
            for (let k = 0; k < base.beatsPerBar * 2; k++) add(c.start + (k * beat) / 2, (beat / 2) * 0.95, triad[order[k % 4] % Math.max(1, triad.length)] ?? centre - 12);
          }
          break;
        }
        case "run": {
          const rate = rng.range(8, 16), span = rng.int(1, 3) * 12;
          const keys = keysIn(scale, centre - span / 2, centre + span / 2);
          let i = rng.uniform() < 0.5 ? 0 : keys.length - 1, dir = i === 0 ? 1 : -1;
          for (let t = c.start; t < c.end - 1e-6; t += 1 / rate) {
            add(t, (1 / rate) * rng.range(0.7, 1.3), keys[i]);
            if (i + dir < 0 || i + dir >= keys.length) dir = -dir;
            i += dir;
          }
          for (const p of chordKeys(centre - 30, centre - 14).slice(0, 2)) add(c.start, bar * 0.9, p);
          break;
        }
        case "trill": {
          const rate = rng.range(8, 14), lower = keysIn(scale, centre, centre + 2)[0] ?? centre;
          const upper = keysIn(scale, lower + 1, lower + 2)[0] ?? lower + 2;
          let k = 0;
          for (let t = c.start; t < c.end - 1e-6; t += 1 / rate, k++) add(t, (1 / rate) * 0.9, k % 2 === 0 ? lower : upper);
          for (const p of chordKeys(centre - 26, centre - 8).slice(0, 3)) add(c.start, bar * 0.95, p);
          break;
        }
        case "repeated": {
          const rate = rng.range(3, 10), key = rng.pick(chordKeys(centre - 6, centre + 6)) ?? centre;
          const legato = rng.uniform() < 0.5;
          for (let t = c.start; t < c.end - 1e-6; t += 1 / rate) add(t, (1 / rate) * (legato ? 0.98 : rng.range(0.3, 0.6)), key, 0);
          for (const p of chordKeys(centre - 24, centre - 12).slice(0, 2)) add(c.start, bar * 0.9, p);
          break;
        }
        case "chords": {
          const per = rng.pick([1, 2, base.beatsPerBar]);
          const span = rng.int(2, 4) * 12;
          const keys = chordKeys(centre - span / 2, centre + span / 2);
          for (let k = 0; k < per; k++) {
            const count = Math.min(keys.length, rng.int(4, 8));
            const chosen = new Set<number>();
            while (chosen.size < count) chosen.add(rng.pick(keys));
            const t = c.start + (k * bar) / per;
            for (const p of chosen) add(t + rng.range(0, 0.015), (bar / per) * rng.range(0.5, 0.97), p, k === 0 ? 1 : 0);
          }
          break;
        }
        case "arpeggio": {
          const span = rng.int(2, 4) * 12, rate = rng.range(6, 14);
          const keys = chordKeys(centre - span / 2, centre + span / 2);
          let i = 0, dir = 1;
          for (let t = c.start; t < c.end - 1e-6 && keys.length > 0; t += 1 / rate) {
            add(t, rng.range(0.2, 0.8), keys[i]);
            if (i + dir < 0 || i + dir >= keys.length) dir = -dir;
            i += dir;
          }
          break;
        }
        case "scatter": {
          for (let t = c.start; t < c.end - 1e-6; t += rng.range(0.08, 0.5)) {
            const n = rng.int(1, 4);
            for (let k = 0; k < n; k++) add(t, rng.range(0.05, 1.2), rng.int(PIANO_LOW, PIANO_HIGH));
          }
          break;
        }
      }
    }
    const habit = rng.pick(["harmony", "harmony", "held", "none"] as const);
    if (habit === "harmony") for (const c of chords) pedal.push([c.start + rng.range(0.01, 0.06), c.end - rng.range(0.02, 0.08)]);
    else if (habit === "held") pedal.push([start + 0.03, end - rng.range(0.03, 0.1)]);
    const level = rng.range(35, 100);
    const shape = rng.pick(["level", "crescendo", "diminuendo"] as const);
    const swing = rng.range(15, 35);
    velocity.push({ start, end, from: shape === "crescendo" ? level - swing / 2 : shape === "diminuendo" ? level + swing / 2 : level, to: shape === "crescendo" ? level + swing / 2 : shape === "diminuendo" ? level - swing / 2 : level });
  }
  // Rubato: t ↦ t + A·sin(2πt/P + φ) with A·2π/P ≤ 0.15 (the tempo never changes by more than 15 %), then onset jitter.
  const period = rng.range(4, 12), amp = (rng.range(0.03, 0.15) * period) / (2 * Math.PI), phase = rng.range(0, 2 * Math.PI);
  const warp = (t: number) => t + amp * (Math.sin((2 * Math.PI * t) / period + phase) - Math.sin(phase));
  const velAt = (t: number) => {
    const v = velocity.find((s) => t >= s.start && t < s.end) ?? velocity[velocity.length - 1];
    return v.from + ((t - v.start) / Math.max(1e-6, v.end - v.start)) * (v.to - v.from);
  };
  const seen = new Set<string>();
  const notes: Note[] = [];
  for (const r of raw.sort((a, b) => a.onset - b.onset || a.pitch - b.pitch)) {
    const key = `${r.pitch}@${Math.round(r.onset * 50)}`;
    if (seen.has(key)) continue; // one stroke per key per 20 ms
    seen.add(key);
    const onset = Math.max(0, warp(r.onset) + rng.range(-0.008, 0.008)), offset = warp(r.onset + r.dur);
    const v = Math.round(velAt(r.onset) + 12 * r.accent + rng.range(-8, 8));
    notes.push({ onset, offset: Math.max(onset + 0.03, offset), pitch: r.pitch, velocity: Math.max(12, Math.min(127, v)) });
  }
  // A key struck again before it was released is released just before the new stroke.
  const byKey = new Map<number, Note[]>();
  for (const n of notes) byKey.set(n.pitch, [...(byKey.get(n.pitch) ?? []), n]);
  const final: Note[] = [];
  for (const list of byKey.values()) {
    list.forEach((n, i) => {
      const next = list[i + 1];
      final.push(next && next.onset < n.offset + 0.01 ? { ...n, offset: Math.max(n.onset + 0.02, next.onset - 0.01) } : n);
    });
  }
  final.sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
  const piano: Part = {
    name: "piano", program: options.program ?? 0, drums: false, notes: final,
    pedal: pedal.map(([a, b]) => [warp(a), warp(b)] as [number, number]).filter(([a, b]) => b > a + 0.05),
    gainDb: 0, pan: 0, reverb: rng.int(10, 70),
  };
  const duration = Math.max(base.durationSeconds, ...final.map((n) => n.offset));
  return { ...base, parts: [piano], durationSeconds: duration };
}
