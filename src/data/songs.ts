/**
 * Songs to audio: SoundFont stems of a composed song (data/render), sung
 * parts from Festival (io/festival) placed in stereo at a level drawn around
 * the accompaniment's, and the mixture scaled so that it peaks at ≤ 0.9 and
 * stays the exact sum of its stems. Node-only through Festival and the
 * SoundFont files; no files are written here (data/datasets.ts writes).
 */
import { pitchMarks, psola } from "../dsp/psola.js";
import { resample } from "../dsp/resample.js";
import { InvalidInputError } from "../errors.js";
import type { AudioSignal } from "../io/audio.js";
import { ESPEAK_VARIANTS, speak, type EspeakVariant } from "../io/espeak.js";
import { singPhrase, VOWELS, type Segment } from "../io/festival.js";
import { phonemeOf, SILENCE, VOWEL_PHONEMES, wordPhonemes, type AlignedPhoneme } from "../lyrics/phonemes.js";
import { readSoundFont, type FontName } from "../io/soundfonts.js";
import { Rng } from "../random.js";
import { f0Track, vowelNotes } from "./annotations.js";
import { contourAt } from "./contours.js";
import { loadSoundBank, mixStems, peak, renderPart, rms, scaleInPlace } from "./render.js";
import { drawSinger, singFormant, voiceTypeFor, type SingerDraw } from "./singer.js";
import type { Note, Part, Song } from "./score.js";

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

/** The engines that sing a part from its notes and lyrics. */
export type SingingEngine = "festival" | "formant" | "speech";

/** A part as sung: mono audio, the notes as heard (Festival: timed by its vowels), the F0 truth, and what made it. */
export interface SungPart {
  readonly voice: Float32Array;
  readonly timed: Note[];
  readonly track: { readonly times: Float64Array; readonly f0: Float64Array };
  /** Festival only: its phone segments. */
  readonly segments?: Segment[];
  /** What was sung, phoneme by phoneme, in the inventory of lyrics/phonemes (silence left out). */
  readonly phonemes: AlignedPhoneme[];
  /** Formant and speech singers: every draw. */
  readonly draw?: SingerDraw | SpeechSingerDraw;
}

/**
 * `part` sung by `engine`: Festival sings the written pitches (its F0 truth is the vowels' pitch); the
 * formant and speech singers sing `contour` (an expressive F0 at 10 ms frames) or, without one, the written
 * pitches held from onset to offset, with their draws seeded by `drawSeed`.
 */
export function singPart(part: Part, engine: SingingEngine, sampleRate: number, length: number, seed: number, drawSeed: number, contour?: { readonly times: Float64Array; readonly f0: Float64Array }): SungPart {
  const duration = length / sampleRate;
  if (engine === "festival") {
    const { voice, segments } = singVoice(part, sampleRate, seed);
    const timed = vowelNotes(part.notes, segments.filter((x) => VOWELS.has(x.phone)));
    return { voice, timed, track: f0Track(timed, duration), segments, phonemes: festivalPhonemes(segments) };
  }
  const track = contour ?? f0Track(part.notes, duration, 0.01, 0);
  const rng = new Rng(drawSeed);
  const phonemes: AlignedPhoneme[] = [];
  if (engine === "speech") {
    const draw = drawSpeechSinger(rng, part);
    const voice = singSpeech(part.notes, track.f0, 0.01, draw, sampleRate, length, phonemes);
    return { voice, timed: [...part.notes], track, draw, phonemes: tidyAlignment(phonemes) };
  }
  const draw = drawSinger(rng, voiceTypeFor(part, rng));
  const voice = singFormant(part.notes, track.f0, 0.01, draw, sampleRate, length, rng, phonemes);
  return { voice, timed: [...part.notes], track, draw, phonemes: tidyAlignment(phonemes) };
}

/** Festival's phone segments in the inventory, silences left out. */
export function festivalPhonemes(segments: readonly Segment[]): AlignedPhoneme[] {
  return segments.flatMap((s) => {
    const p = phonemeOf(s.phone);
    if (p === undefined) throw new InvalidInputError(`Festival sang the phone "${s.phone}", which the phoneme inventory does not name`);
    return p === SILENCE || s.end <= s.start ? [] : [{ start: s.start, end: s.end, phoneme: p }];
  });
}

/** Sorted, with an overlap given to the later phoneme (a consonant before a legato note cuts the previous vowel short). */
export function tidyAlignment(segs: readonly AlignedPhoneme[]): AlignedPhoneme[] {
  const sorted = [...segs].sort((a, b) => a.start - b.start);
  return sorted.flatMap((s, i) => {
    const end = Math.min(s.end, sorted[i + 1]?.start ?? Infinity);
    return end > s.start ? [{ ...s, end }] : [];
  });
}

/**
 * Renders a song whose melody part is sung (by Festival unless `engine` says otherwise; `contour` as in
 * singPart): vocals at a level around the accompaniment's (−3…+3 dB), panned, plus SoundFont stems.
 */
export async function renderSungSong(song: Song, font: FontName, sampleRate: number, length: number, seed: number, engine: SingingEngine = "festival", contour?: SungPart["track"]): Promise<{ stems: Stems; vocalPart: Part; sung: SungPart }> {
  const vocalPart = song.parts.find((p) => p.sung)!;
  const sung = singPart(vocalPart, engine, sampleRate, length, seed, seed * 89 + 1, contour);
  const stems = await renderSong(song, font, sampleRate, length);
  const accRms = rms(mixStems([...stems.values()], sampleRate, length));
  const rng = new Rng(seed * 31 + 7);
  const vr = rms({ sampleRate, channels: [sung.voice] });
  const gain = vr > 0 ? (accRms / vr) * Math.pow(10, rng.range(-3, 3) / 20) : 0;
  stems.set(vocalPart.name, panVoice(sung.voice, vocalPart.pan, gain, sampleRate, length));
  return { stems, vocalPart, sung };
}

/** Every draw that makes a speech singer (eSpeak NG re-pitched by PSOLA), recorded in the manifest. */
export interface SpeechSingerDraw {
  readonly engine: "speech";
  readonly variant: EspeakVariant;
  /** eSpeak's base pitch (0–99): the speaking pitch the syllables are re-pitched from. */
  readonly pitch: number;
  readonly wpm: number;
}

/** A speech singer for a part: a female eSpeak variant for parts above middle C on average, else a male one. */
export function drawSpeechSinger(rng: Rng, part: Part): SpeechSingerDraw {
  const mean = part.notes.reduce((s, n) => s + n.pitch, 0) / Math.max(1, part.notes.length);
  const high = mean >= 60;
  const variant = rng.pick(ESPEAK_VARIANTS.filter((v) => v.startsWith(high ? "f" : "m")));
  return { engine: "speech", variant, pitch: high ? rng.range(50, 90) : rng.range(20, 60), wpm: rng.range(70, 110) };
}

/**
 * The speech singer (issue 16): each note's syllable spoken by eSpeak NG, its voiced part re-pitched onto
 * the sung contour `f0` (Hz per frame at `hopSeconds`) and stretched over the note by TD-PSOLA (formants
 * kept), its unvoiced onset (s, t, k, …) placed just before the note. Mono, `length` samples.
 */
export function singSpeech(notes: readonly Note[], f0: Float64Array, hopSeconds: number, draw: SpeechSingerDraw, sampleRate: number, length: number, phones?: AlignedPhoneme[]): Float32Array {
  const out = new Float32Array(length);
  const f0At = contourAt(f0, hopSeconds, sampleRate);
  let previousEnd = 0;
  for (const n of notes) {
    const spoken = speak(n.syllable ?? "la", draw.variant, draw.pitch, draw.wpm);
    const x = spoken.sampleRate === sampleRate ? spoken.audio : resample(spoken.audio, spoken.sampleRate, sampleRate);
    const marks = pitchMarks(x, sampleRate, 60, 500);
    if (!marks) throw new InvalidInputError(`espeak-ng gave no voiced sound for "${n.syllable}" (variant ${draw.variant})`);
    const from = Math.round(n.onset * sampleRate), to = Math.min(length, Math.round(n.offset * sampleRate));
    // The syllable's onset (consonants) up to 150 ms, ending where the note starts, in the gap after the
    // previous note (a legato note has none: its consonant would sound over the previous pitch).
    const room = Math.max(0, from - previousEnd - Math.round(0.01 * sampleRate));
    const lead = x.subarray(Math.max(0, marks.voiced[0] - Math.min(room, Math.round(0.15 * sampleRate))), marks.voiced[0]);
    for (let i = 0; i < lead.length; i++) { const o = from - lead.length + i; if (o >= 0 && o < length) out[o] += lead[i]; }
    // The alignment: the syllable's onset consonants share the unvoiced lead; the vowel holds the note.
    const word = wordPhonemes(n.syllable ?? "la"), v = word.findIndex((p) => VOWEL_PHONEMES.has(p));
    const onsetPhones = word.slice(0, Math.max(0, v)), leadStart = Math.max(0, from - lead.length) / sampleRate;
    if (lead.length > 0 && onsetPhones.length > 0) {
      const per = (from / sampleRate - leadStart) / onsetPhones.length;
      onsetPhones.forEach((p, k) => phones?.push({ start: leadStart + k * per, end: leadStart + (k + 1) * per, phoneme: p }));
    }
    phones?.push({ start: from / sampleRate, end: to / sampleRate, phoneme: word[v] ?? "ah" });
    const ramp = 0.01 * sampleRate;
    // The steady middle of the spoken vowel is stretched over the note: its first tenth is still the
    // consonant's transition and its last quarter the speaker's falling, creaky ending.
    const k0 = Math.floor(0.1 * marks.marks.length), k1 = Math.max(k0 + 2, Math.ceil(0.75 * marks.marks.length));
    const steady = { ...marks, marks: marks.marks.subarray(k0, k1), periods: marks.periods.subarray(k0, k1) };
    // As a singer releases a note, the voice dies away over 30 ms after its end, on the note's last pitch.
    const release = Math.round(0.03 * sampleRate), lastF0 = f0At(Math.max(from, to - 1));
    const end = Math.min(length, to + release);
    previousEnd = end;
    psola(x, steady, out, from, end, sampleRate, (s) => (s < to ? f0At(s) : lastF0), (s) => Math.min(1, (s - from) / ramp, s < to ? 1 : (end - s) / release));
  }
  return out;
}
