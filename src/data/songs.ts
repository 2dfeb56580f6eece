/**
 * Songs to audio: SoundFont stems of a composed song (data/render), sung
 * parts from Festival (io/festival) placed in stereo at a level drawn around
 * the accompaniment's, and the mixture scaled so that it peaks at ≤ 0.9 and
 * stays the exact sum of its stems. Node-only through Festival and the
 * SoundFont files; no files are written here (data/datasets.ts writes).
 */
import { resample } from "../dsp/resample.js";
import { InvalidInputError } from "../errors.js";
import type { AudioSignal } from "../io/audio.js";
import { singPhrase, VOWELS, type Segment } from "../io/festival.js";
import { readSoundFont, type FontName } from "../io/soundfonts.js";
import { Rng } from "../random.js";
import { loadSoundBank, mixStems, peak, renderPart, rms, scaleInPlace } from "./render.js";
import type { Part, Song } from "./score.js";

/** Stems by part name, in the song's part order. */
export type Stems = Map<string, AudioSignal>;

/** SoundFont stems of every part not sung; sung parts take `vocals` when given. */
export async function renderSong(song: Song, font: FontName, sampleRate: number, length: number, vocals?: AudioSignal): Promise<Stems> {
  const bank = loadSoundBank(readSoundFont(font), font);
  const stems: Stems = new Map();
  for (const part of song.parts) {
    if (part.sung) {
      if (vocals) stems.set(part.name, vocals);
      continue;
    }
    stems.set(part.name, await renderPart(part, bank, sampleRate, length));
  }
  return stems;
}

/** Scales every stem by one factor so the mixture peaks at ≤ 0.9 (the mixture stays their exact sum). */
export function normalise(stems: Stems, sampleRate: number, length: number): AudioSignal {
  let mix = mixStems([...stems.values()], sampleRate, length);
  const p = peak(mix);
  if (p > 0) {
    const g = 0.9 / p;
    for (const s of stems.values()) scaleInPlace(s, g);
    mix = mixStems([...stems.values()], sampleRate, length);
  }
  return mix;
}

/** Festival sings a part: mono audio at `sampleRate` (pauses silenced) and the phone segments; one vowel per note is checked. */
export function singVoice(part: Part, sampleRate: number, seed: number): { voice: Float32Array; segments: Segment[] } {
  const sung = singPhrase(part.notes.map((n) => ({ onset: n.onset, offset: n.offset, pitch: n.pitch, syllable: n.syllable ?? "la" })));
  const voice = resample(sung.audio, sung.sampleRate, sampleRate);
  // Festival's pauses are not quite silent (the diphone voice hums faintly): silence them, with 10 ms ramps.
  for (const s of sung.segments) {
    if (s.phone !== "pau" || s.end - s.start < 0.05) continue;
    const a = Math.round((s.start + 0.01) * sampleRate), b = Math.min(voice.length, Math.round((s.end - 0.01) * sampleRate)), ramp = Math.round(0.01 * sampleRate);
    for (let i = Math.max(0, a - ramp); i < Math.min(voice.length, b + ramp); i++) {
      const w = i < a ? (a - i) / ramp : i >= b ? (i - b + 1) / ramp : 0;
      voice[i] *= Math.min(1, w);
    }
  }
  const vowels = sung.segments.filter((x) => VOWELS.has(x.phone));
  if (vowels.length !== part.notes.length) {
    throw new InvalidInputError(`Festival sang ${vowels.length} vowels for ${part.notes.length} notes (${part.name}, item seed ${seed}); the lyric inventory must give one vowel per syllable`);
  }
  return { voice, segments: sung.segments };
}

/** A mono voice placed in stereo at `pan` (equal power) with `gain`. */
export function panVoice(voice: Float32Array, pan: number, gain: number, sampleRate: number, length: number): AudioSignal {
  const left = new Float32Array(length), right = new Float32Array(length);
  const pl = Math.cos(((pan + 1) * Math.PI) / 4) * Math.SQRT2 * gain, pr = Math.sin(((pan + 1) * Math.PI) / 4) * Math.SQRT2 * gain;
  for (let i = 0; i < Math.min(length, voice.length); i++) { left[i] = pl * voice[i]; right[i] = pr * voice[i]; }
  return { sampleRate, channels: [left, right] };
}

/** Renders a song whose melody part is sung: Festival vocals (level around the accompaniment's, panned) plus SoundFont stems. */
export async function renderSungSong(song: Song, font: FontName, sampleRate: number, length: number, seed: number): Promise<{ stems: Stems; vocalPart: Part; segments: Segment[] }> {
  const vocalPart = song.parts.find((p) => p.sung)!;
  const { voice, segments } = singVoice(vocalPart, sampleRate, seed);
  const stems = await renderSong(song, font, sampleRate, length);
  // Vocals at a level drawn around the accompaniment's (−3…+3 dB), panned by the part's pan.
  const accRms = rms(mixStems([...stems.values()], sampleRate, length));
  const rng = new Rng(seed * 31 + 7);
  const vr = rms({ sampleRate, channels: [voice] });
  const gain = vr > 0 ? (accRms / vr) * Math.pow(10, rng.range(-3, 3) / 20) : 0;
  stems.set(vocalPart.name, panVoice(voice, vocalPart.pan, gain, sampleRate, length));
  return { stems, vocalPart, segments };
}
