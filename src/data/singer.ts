/**
 * A source–filter singer (issue 16): a second singing engine beside
 * Festival's diphone voice, written here so that no single timbre is learned.
 *
 * Source: the glottal excitation as a sum of harmonics of the sung F0
 * contour (phase-accumulated sample by sample, so vibrato, scoops and glides
 * are exact and nothing aliases), with a spectral tilt of −9…−16 dB/octave
 * above the first harmonic and an open-quotient boost of H1 (breathy or
 * falsetto voices have a strong, nearly sinusoidal fundamental), shimmer
 * (±0.5 dB of smoothed amplitude noise) and aspiration noise synchronous with
 * the glottal cycle.
 * Filter: five parallel formant resonances per vowel and voice type
 * (soprano, alto, tenor, bass; a child is a soprano tract scaled up by
 * 15 %), a vocal-tract length factor per singer (0.92–1.08), a singer's
 * formant (≈ 2.8–3.2 kHz, 0–12 dB) for trained low voices, vowel changes
 * glide with a 30 ms time constant. Consonants: unvoiced ones (plosive bursts,
 * fricative hiss) sound in the 30–110 ms before the note, voiced ones
 * (l, m, n, r, w, y) as a dark, quieter start of the note.
 *
 * The F0 truth is the contour passed in (frames at hopSeconds); the audio
 * sounds exactly where the contour is non-zero. Pure and seeded: browser-safe.
 */
import { InvalidInputError } from "../errors.js";
import { wordPhonemes, type AlignedPhoneme, type Phoneme } from "../lyrics/phonemes.js";
import { Rng } from "../random.js";
import { contourAt } from "./contours.js";
import type { Note, Part } from "./score.js";

export type VoiceType = "soprano" | "alto" | "tenor" | "bass" | "child";
export const VOICE_TYPES: readonly VoiceType[] = ["soprano", "alto", "tenor", "bass", "child"];

type Vowel = "a" | "e" | "i" | "o" | "u";
/** Formant frequencies (Hz), levels (dB) and bandwidths (Hz) of sung vowels per voice type (the classic tables used in formant synthesis). */
const FORMANTS: Record<Exclude<VoiceType, "child">, Record<Vowel, [number[], number[], number[]]>> = {
  soprano: {
    a: [[800, 1150, 2900, 3900, 4950], [0, -6, -32, -20, -50], [80, 90, 120, 130, 140]],
    e: [[350, 2000, 2800, 3600, 4950], [0, -20, -15, -40, -56], [60, 100, 120, 150, 200]],
    i: [[270, 2140, 2950, 3900, 4950], [0, -12, -26, -26, -44], [60, 90, 100, 120, 120]],
    o: [[450, 800, 2830, 3800, 4950], [0, -11, -22, -22, -50], [40, 80, 100, 120, 120]],
    u: [[325, 700, 2700, 3800, 4950], [0, -16, -35, -40, -60], [50, 60, 170, 180, 200]],
  },
  alto: {
    a: [[800, 1150, 2800, 3500, 4950], [0, -4, -20, -36, -60], [80, 90, 120, 130, 140]],
    e: [[400, 1600, 2700, 3300, 4950], [0, -24, -30, -35, -60], [60, 80, 120, 150, 200]],
    i: [[350, 1700, 2700, 3700, 4950], [0, -20, -30, -36, -60], [50, 100, 120, 150, 200]],
    o: [[450, 800, 2830, 3500, 4950], [0, -9, -16, -28, -55], [70, 80, 100, 130, 135]],
    u: [[325, 700, 2530, 3500, 4950], [0, -12, -30, -40, -64], [50, 60, 170, 180, 200]],
  },
  tenor: {
    a: [[650, 1080, 2650, 2900, 3250], [0, -6, -7, -8, -22], [80, 90, 120, 130, 140]],
    e: [[400, 1700, 2600, 3200, 3580], [0, -14, -12, -14, -20], [70, 80, 100, 120, 120]],
    i: [[290, 1870, 2800, 3250, 3540], [0, -15, -18, -20, -30], [40, 90, 100, 120, 120]],
    o: [[400, 800, 2600, 2800, 3000], [0, -10, -12, -12, -26], [40, 80, 100, 120, 120]],
    u: [[350, 600, 2700, 2900, 3300], [0, -20, -17, -14, -26], [40, 60, 100, 120, 120]],
  },
  bass: {
    a: [[600, 1040, 2250, 2450, 2750], [0, -7, -9, -9, -20], [60, 70, 110, 120, 130]],
    e: [[400, 1620, 2400, 2800, 3100], [0, -12, -9, -12, -18], [40, 80, 100, 120, 120]],
    i: [[250, 1750, 2600, 3050, 3340], [0, -30, -16, -22, -28], [60, 90, 100, 120, 120]],
    o: [[400, 750, 2400, 2600, 2900], [0, -11, -21, -20, -40], [40, 80, 100, 120, 120]],
    u: [[350, 600, 2400, 2675, 2950], [0, -20, -32, -28, -36], [40, 80, 100, 120, 120]],
  },
};

/** Comfortable MIDI ranges per voice type; parts are moved by octaves into them. */
export const VOICE_RANGES: Record<VoiceType, [number, number]> = { soprano: [60, 81], alto: [53, 74], tenor: [48, 69], bass: [40, 62], child: [60, 79] };

/** Every draw that makes one singer, recorded in the manifest. */
export interface SingerDraw {
  readonly engine: "formant";
  readonly type: VoiceType;
  readonly tractScale: number;
  readonly tiltDbPerOctave: number;
  /** Extra level of the first harmonic (open quotient: breathy/falsetto voices have a strong fundamental). */
  readonly h1BoostDb: number;
  readonly aspirationDb: number;
  readonly singerFormantDb: number;
  readonly shimmerDb: number;
}

export function drawSinger(rng: Rng, type: VoiceType): SingerDraw {
  const low = type === "tenor" || type === "bass";
  return {
    engine: "formant",
    type,
    tractScale: rng.range(0.92, 1.08),
    tiltDbPerOctave: -rng.range(9, 16),
    h1BoostDb: rng.range(0, 10),
    aspirationDb: -rng.range(18, 40),
    singerFormantDb: low ? rng.range(0, 12) : rng.range(0, 5),
    shimmerDb: rng.range(0.1, 0.5),
  };
}

/** The vowel a syllable is sung on, and its leading consonants. */
export function splitSyllable(syllable: string): { onset: string; vowel: Vowel } {
  const s = syllable.toLowerCase().replace(/[^a-z]/g, "");
  const m = /^([^aeiouy]*|y)(.*)$/.exec(s)!;
  const rest = m[2];
  // Spellings to the five sung vowels: "ee"/"ea"/"ie" → i, "oo"/"ew"/"ou" → u, "ay"/"ai"/"ey" → e, "igh"/"y" (as in "sky") → a.
  let vowel: Vowel = "a";
  if (/^(ee|ea|ie|i(?!gh))/.test(rest)) vowel = "i";
  else if (/^(oo|ew|ou|u)/.test(rest)) vowel = "u";
  else if (/^(ay|ai|ey|e)/.test(rest)) vowel = "e";
  else if (/^o/.test(rest)) vowel = "o";
  else if (/^(a|igh|y)/.test(rest) || rest === "") vowel = "a";
  return { onset: m[1], vowel };
}

/** The inventory phoneme of each sung vowel. */
const SUNG_VOWEL: Record<Vowel, Phoneme> = { a: "aa", e: "eh", i: "iy", o: "ow", u: "uw" };

const UNVOICED = new Set(["p", "t", "k", "s", "f", "h", "c", "x"]);
const BLOCK = 64;

/** Formant envelope magnitude at `f` (linear), for formant set `fm` scaled by `scale`. */
function envelopeAt(f: number, fm: [number[], number[], number[]], scale: number, singerFormant: number): number {
  let e = 0;
  const [freqs, levels, bws] = fm;
  for (let i = 0; i < freqs.length; i++) {
    const fc = freqs[i] * scale, bw = bws[i] * scale, d = (f - fc) / (bw / 2);
    e += Math.pow(10, levels[i] / 20) / Math.sqrt(1 + d * d);
  }
  if (singerFormant > 0) { const d = (f - 3000 * scale) / 250; e += singerFormant / Math.sqrt(1 + d * d); }
  return e + 0.003;
}

/**
 * Sings `notes` along `f0` (Hz per frame at `hopSeconds`, 0 = silent) with the singer `draw`: mono audio
 * of `length` samples, peak-free (levels are set by the caller).
 */
export function singFormant(notes: readonly Note[], f0: Float64Array, hopSeconds: number, draw: SingerDraw, sampleRate: number, length: number, rng: Rng, phones?: AlignedPhoneme[]): Float32Array {
  if (f0.length === 0) throw new InvalidInputError("singFormant: empty F0 contour");
  const out = new Float32Array(length);
  const tables = FORMANTS[draw.type === "child" ? "soprano" : draw.type];
  const scale = draw.tractScale * (draw.type === "child" ? 1.15 : 1);
  const nyq = sampleRate / 2;
  // Per-sample vowel weights: the note's vowel from its onset, cross-faded over 60 ms.
  const vowelAt = new Uint8Array(length);
  const order: Vowel[] = ["a", "e", "i", "o", "u"];
  const voicedStart: number[] = [];
  for (const n of notes) {
    const { onset, vowel } = splitSyllable(n.syllable ?? "la");
    const a = Math.max(0, Math.round(n.onset * sampleRate)), b = Math.min(length, Math.round(n.offset * sampleRate));
    vowelAt.fill(order.indexOf(vowel), a, Math.min(length, b + Math.round(0.2 * sampleRate)));
    const first = onset.charAt(0);
    if (first !== "" && !UNVOICED.has(first)) voicedStart.push(a);
    // What is sung, for the phoneme alignment: a voiced consonant is the note's darker first 50 ms.
    const voicedLead = first !== "" && !UNVOICED.has(first) ? Math.min(0.05, (b - a) / sampleRate / 2) : 0;
    if (voicedLead > 0) phones?.push({ start: a / sampleRate, end: a / sampleRate + voicedLead, phoneme: wordPhonemes(first)[0] });
    phones?.push({ start: a / sampleRate + voicedLead, end: b / sampleRate, phoneme: SUNG_VOWEL[vowel] });
    // Consonants: unvoiced ones before the note, a voiced one darkens its start.
    const c = onset.charAt(0);
    if (c !== "" && UNVOICED.has(c)) {
      const fric = c === "s" || c === "f" || c === "h" || c === "c" || c === "x";
      const dur = fric ? rng.range(0.06, 0.11) : rng.range(0.012, 0.03);
      const from = Math.max(0, a - Math.round((dur + 0.01) * sampleRate)), to = Math.max(0, a - Math.round(0.01 * sampleRate));
      if (to > from) phones?.splice(phones.length - 1, 0, { start: from / sampleRate, end: to / sampleRate, phoneme: wordPhonemes(c)[0] });
      const level = fric ? rng.range(0.02, 0.06) : rng.range(0.05, 0.15);
      let lp = 0, hp = 0, prev = 0;
      const bright = c === "s" ? 0.9 : c === "f" || c === "h" ? 0.4 : 0.6;
      for (let i = from; i < to; i++) {
        const w = Math.sin((Math.PI * (i - from)) / Math.max(1, to - from));
        const x = rng.normal();
        hp = bright * (hp + x - prev); prev = x; // one-pole high-pass: hiss
        lp = 0.7 * lp + 0.3 * x;
        out[i] += level * w * (fric ? hp : c === "h" ? lp : hp * 0.5 + lp) * (fric ? 1 : Math.exp(-(i - from) / (0.008 * sampleRate)));
      }
    }
  }
  // Sample-rate F0 by linear interpolation of the frames; the glottal phase accumulates it.
  const frameOf = (i: number) => (i / sampleRate) / hopSeconds;
  const f0At = contourAt(f0, hopSeconds, sampleRate);
  let phase = 0, shimmer = 0, gain = 0;
  const maxH = 160;
  const amps = new Float64Array(maxH + 1), next = new Float64Array(maxH + 1);
  const onsetSet = new Set(voicedStart);
  const vowelWeights = new Float64Array(5);
  vowelWeights[0] = 1;
  const glide = Math.min(1, BLOCK / (0.03 * sampleRate));
  const singerFormant = Math.pow(10, draw.singerFormantDb / 20) * 0.3;
  let sinceOnset = 1e9;
  for (let b0 = 0; b0 < length; b0 += BLOCK) {
    const b1 = Math.min(length, b0 + BLOCK);
    // Harmonic amplitudes at the block's centre.
    const fc = Math.floor(frameOf((b0 + b1) / 2));
    const fHz = f0[Math.min(f0.length - 1, fc)] ?? 0;
    next.fill(0);
    // Vowel weights glide towards the current vowel with a 30 ms time constant.
    const target = vowelAt[Math.min(length - 1, (b0 + b1) >> 1)];
    for (let v = 0; v < 5; v++) vowelWeights[v] += glide * ((v === target ? 1 : 0) - vowelWeights[v]);
    if (fHz > 0) {
      const H = Math.min(maxH, Math.floor((nyq * 0.95) / fHz));
      for (let k = 1; k <= H; k++) {
        const src = Math.pow(k, draw.tiltDbPerOctave / 6.0206) * (k === 1 ? Math.pow(10, draw.h1BoostDb / 20) : 1);
        let env = 0;
        for (let v = 0; v < 5; v++) if (vowelWeights[v] > 1e-3) env += vowelWeights[v] * envelopeAt(k * fHz, tables[order[v]], scale, singerFormant);
        next[k] = src * env;
      }
    }
    for (let i = b0; i < b1; i++) {
      if (onsetSet.has(i)) sinceOnset = 0;
      const f = f0At(i), voiced = f > 0;
      // 15 ms attack, 30 ms release, exact to the contour's voicing.
      gain = voiced ? Math.min(1, gain + 1 / (0.015 * sampleRate)) : Math.max(0, gain - 1 / (0.03 * sampleRate));
      sinceOnset++;
      if (gain === 0) { phase = 0; continue; }
      const t = (i - b0) / (b1 - b0);
      phase += (2 * Math.PI * f) / sampleRate;
      if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
      shimmer = 0.999 * shimmer + 0.001 * rng.normal() * 30;
      const g = gain * Math.pow(10, (draw.shimmerDb * shimmer) / 20);
      // Harmonics by the Chebyshev recurrence sin(kφ) = 2cos φ·sin((k−1)φ) − sin((k−2)φ).
      const c2 = 2 * Math.cos(phase);
      let s1 = 0, s0 = Math.sin(phase), acc = 0;
      for (let k = 1; k <= maxH; k++) {
        const a = amps[k] + t * (next[k] - amps[k]);
        if (a === 0 && next[k] === 0 && amps[k] === 0) break;
        acc += a * s0;
        const s2 = c2 * s0 - s1;
        s1 = s0; s0 = s2;
      }
      // Aspiration: noise gated by the open phase of the glottal cycle, through a rough tract tilt.
      const open = 0.5 - 0.5 * Math.cos(phase);
      const asp = Math.pow(10, draw.aspirationDb / 20) * open * rng.normal() * 0.3;
      // Voiced consonants (l, m, n, r, w, y): the first 50 ms of a note darker and 6 dB down.
      const dark = sinceOnset < 0.05 * sampleRate ? 0.5 : 1;
      out[i] += g * dark * (acc + asp);
    }
    amps.set(next);
  }
  return out;
}

/** The voice type that sings a part: its named type where the part fits it, a child sometimes on a soprano or alto line, else the first type whose range holds it. */
export function voiceTypeFor(part: Part, rng: Rng): VoiceType {
  const lowest = Math.min(...part.notes.map((n) => n.pitch)), highest = Math.max(...part.notes.map((n) => n.pitch));
  const fits = (t: VoiceType) => lowest >= VOICE_RANGES[t][0] - 3 && highest <= VOICE_RANGES[t][1] + 3;
  const named = (["soprano", "alto", "tenor", "bass"] as const).find((t) => part.name.startsWith(t));
  if (named && (named === "soprano" || named === "alto") && fits("child") && rng.uniform() < 0.25) return "child";
  if (named && fits(named)) return named;
  return (["bass", "tenor", "alto", "soprano", "child"] as const).find(fits) ?? "tenor";
}
