/**
 * The phoneme inventory that informed separation is conditioned on, and the
 * way from words to it. Pure (no Node APIs): the CLI, the service, the web
 * page and the data generator all use it.
 *
 * The inventory is fixed: silence plus the 39 phonemes of ARPAbet as CMUdict
 * uses them (stress marks dropped), 40 in all, in a fixed order that is the
 * row order of a conditioning matrix. Festival's radio phone set (our sung
 * data) is ARPAbet in lower case; other spellings map through ALIASES.
 */
import { InvalidInputError } from "../errors.js";

export const PHONEMES = [
  "sil",
  "aa", "ae", "ah", "ao", "aw", "ay", "eh", "er", "ey", "ih", "iy", "ow", "oy", "uh", "uw",
  "b", "ch", "d", "dh", "f", "g", "hh", "jh", "k", "l", "m", "n", "ng", "p", "r", "s", "sh", "t", "th", "v", "w", "y", "z", "zh",
] as const;
export type Phoneme = (typeof PHONEMES)[number];
export const SILENCE: Phoneme = "sil";

const INDEX = new Map<string, number>(PHONEMES.map((p, i) => [p, i]));
/** Other names for inventory phonemes: silences of aligners and TextGrids, Festival's and TIMIT's extras. */
const ALIASES: Record<string, Phoneme> = {
  "": "sil", pau: "sil", sp: "sil", spn: "sil", sil: "sil", "h#": "sil", "#": "sil", "<sil>": "sil", brth: "sil", ns: "sil",
  ax: "ah", axr: "er", ix: "ih", ux: "uw", el: "l", em: "m", en: "n", eng: "ng", dx: "d", nx: "n", hv: "hh", h: "hh", q: "t",
};

/** The inventory phoneme a label names (case and stress digits ignored), or undefined. */
export function phonemeOf(label: string): Phoneme | undefined {
  const l = label.trim().toLowerCase().replace(/[012]$/, "");
  const a = ALIASES[l] ?? l;
  return INDEX.has(a) ? (a as Phoneme) : undefined;
}

export function phonemeIndex(p: Phoneme): number {
  return INDEX.get(p)!;
}

export const VOWEL_PHONEMES: ReadonlySet<Phoneme> = new Set(PHONEMES.slice(1, 16) as Phoneme[]);

/** One aligned phoneme: [start, end) in seconds. */
export interface AlignedPhoneme {
  readonly start: number;
  readonly end: number;
  readonly phoneme: Phoneme;
}

// ------------------------------------------------------------ words → phonemes

/** Words whose spelling the rules below get wrong: common function words and the data generator's lyric syllables. */
const LEXICON: Record<string, string> = {
  a: "ah", the: "dh ah", i: "ay", you: "y uw", to: "t uw", do: "d uw", of: "ah v", and: "ae n d", is: "ih z", was: "w aa z",
  are: "aa r", one: "w ah n", come: "k ah m", some: "s ah m", done: "d ah n", love: "l ah v", what: "w ah t", who: "hh uw",
  said: "s eh d", says: "s eh z", have: "hh ae v", give: "g ih v", live: "l ih v", been: "b ih n", there: "dh eh r", where: "w eh r",
  they: "dh ey", their: "dh eh r", your: "y ao r", our: "aw er", my: "m ay", by: "b ay", we: "w iy", he: "hh iy", she: "sh iy",
  me: "m iy", be: "b iy", go: "g ow", so: "s ow", no: "n ow", oh: "ow", eye: "ay", eyes: "ay z", heart: "hh aa r t", know: "n ow",
  down: "d aw n", now: "n aw", how: "hh aw", new: "n uw", "you're": "y ao r", "i'm": "ay m", "don't": "d ow n t", "can't": "k ae n t",
  this: "dh ih s", that: "dh ae t", these: "dh iy z", those: "dh ow z", then: "dh eh n", them: "dh eh m", with: "w ih dh",
  la: "l aa", na: "n aa", da: "d aa", ma: "m aa", lo: "l ow", mo: "m ow", li: "l iy", ni: "n iy", di: "d iy", mi: "m iy",
  lu: "l uw", nu: "n uw", du: "d uw", ke: "k ey", ra: "r aa", ta: "t aa", ho: "hh ow", ya: "y aa", wo: "w ow", ve: "v ey",
  day: "d ey", sky: "s k ay", blue: "b l uw", sea: "s iy", see: "s iy", rain: "r ey n", light: "l ay t", night: "n ay t",
  moon: "m uw n", sun: "s ah n", star: "s t aa r", song: "s ao ng", free: "f r iy", high: "hh ay", bright: "b r ay t",
};

const VOWEL_LETTERS = /[aeiouy]/;
/** Multi-letter spellings first; `v` marks a vowel spelling. */
const SPELLINGS: [string, string, boolean][] = [
  ["eigh", "ey", true], ["ough", "ao", true], ["augh", "ao", true], ["igh", "ay", true], ["tch", "ch", false],
  ["ee", "iy", true], ["ea", "iy", true], ["ei", "ey", true], ["ai", "ey", true], ["ay", "ey", true], ["ey", "ey", true],
  ["oo", "uw", true], ["ou", "aw", true], ["oa", "ow", true], ["oi", "oy", true], ["oy", "oy", true], ["au", "ao", true],
  ["aw", "ao", true], ["ew", "uw", true], ["ue", "uw", true], ["ui", "uw", true], ["ie", "iy", true],
  ["ar", "aa r", true], ["er", "er", true], ["ir", "er", true], ["ur", "er", true], ["or", "ao r", true],
  ["ch", "ch", false], ["sh", "sh", false], ["th", "th", false], ["ph", "f", false], ["ck", "k", false], ["ng", "ng", false],
  ["qu", "k w", false], ["wh", "w", false], ["gh", "", false], ["x", "k s", false], ["j", "jh", false],
];
const SHORT: Record<string, string> = { a: "ae", e: "eh", i: "ih", o: "aa", u: "ah", y: "ih" };
const LONG: Record<string, string> = { a: "ey", e: "iy", i: "ay", o: "ow", u: "uw", y: "ay" };
const CONSONANT: Record<string, string> = {
  b: "b", c: "k", d: "d", f: "f", g: "g", h: "hh", k: "k", l: "l", m: "m", n: "n", p: "p", q: "k", r: "r", s: "s", t: "t", v: "v", w: "w", y: "y", z: "z",
};

/**
 * Phonemes of an English word: the lexicon above, else spelling rules (digraphs, a silent final e that
 * lengthens the vowel before it, c/g softened before e/i/y, doubled consonants once). Rules, not a
 * dictionary: right for plain words, approximate for others (say "kn", "wr" or borrowed words).
 */
export function wordPhonemes(word: string): Phoneme[] {
  const w = word.toLowerCase().replace(/[^a-z']/g, "");
  if (w === "") return [];
  if (LEXICON[w]) return LEXICON[w].split(" ") as Phoneme[];
  const s = w.replace(/'/g, "").replace(/^kn/, "n").replace(/^wr/, "r");
  const out: string[] = [];
  // A final silent e: "home", "time", "made" (but not "be", handled above, or "the").
  const silentE = s.length > 2 && s.endsWith("e") && !VOWEL_LETTERS.test(s[s.length - 2]) && VOWEL_LETTERS.test(s.slice(0, -2));
  const body = silentE ? s.slice(0, -1) : s;
  let i = 0;
  while (i < body.length) {
    const m = SPELLINGS.find(([sp]) => body.startsWith(sp, i));
    if (m) {
      if (m[1]) out.push(...m[1].split(" "));
      i += m[0].length;
      continue;
    }
    const ch = body[i], next = body[i + 1] ?? "";
    if (ch === next && !VOWEL_LETTERS.test(ch)) { i++; continue; } // doubled consonant
    if (/[aeiou]/.test(ch) || (ch === "y" && i > 0)) {
      // Long before consonant + silent e, or at the end of the word ("go", "my"); else short.
      const last = i === body.length - 1;
      const long = (silentE && i === body.length - 2) || (last && ch !== "a" && !(ch === "y" && body.length > 3)) || (ch === "y" && last && body.length <= 3);
      out.push(ch === "a" && last ? "aa" : ch === "y" && last && !long ? "iy" : long ? LONG[ch] : SHORT[ch]);
    } else if (ch === "c") out.push(/[eiy]/.test(next) ? "s" : "k");
    else if (ch === "g") out.push(/[eiy]/.test(next) && i > 0 ? "jh" : "g");
    else if (ch === "s" && i > 0 && /[aeiou]/.test(body[i - 1]) && /[aeiou]/.test(next)) out.push("z");
    else if (CONSONANT[ch]) out.push(CONSONANT[ch]);
    i++;
  }
  return out as Phoneme[];
}

// ------------------------------------------------------------ alignments

const TIME = (x: string) => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(x) ? Number(x) : NaN);

/** Checks order and bounds; throws naming the file and the segment. */
function checked(segs: AlignedPhoneme[], name: string): AlignedPhoneme[] {
  let last = 0;
  segs.forEach((s, k) => {
    if (!(s.end > s.start) || s.start < 0) throw new InvalidInputError(`${name}: segment ${k + 1} ("${s.phoneme}") runs from ${s.start} to ${s.end} s; its end must follow its start, from 0 s on`);
    if (s.start < last - 1e-6) throw new InvalidInputError(`${name}: segment ${k + 1} starts at ${s.start} s, before the previous one ends (${last} s); segments must be in time order and not overlap`);
    last = s.end;
  });
  return segs;
}

function parsePhonemeLines(text: string, name: string): AlignedPhoneme[] {
  const segs: AlignedPhoneme[] = [];
  text.split(/\r?\n/).forEach((line, k) => {
    const t = line.replace(/#.*$/, "").trim();
    if (t === "") return;
    const f = t.split(/[\s,]+/);
    const start = TIME(f[0] ?? ""), end = TIME(f[1] ?? "");
    if (f.length !== 3 || Number.isNaN(start) || Number.isNaN(end)) throw new InvalidInputError(`${name}: line ${k + 1} is "${t}"; each line must be "start end phoneme" (seconds, then an ARPAbet phoneme or sil)`);
    const p = phonemeOf(f[2]);
    if (p === undefined) throw new InvalidInputError(`${name}: line ${k + 1}: "${f[2]}" is not a phoneme of the inventory (ARPAbet: aa ae ah … zh, or sil)`);
    segs.push({ start, end, phoneme: p });
  });
  return segs;
}

/** Praat TextGrid (long text format): the intervals of the tier named phones/phonemes, else of the last interval tier. */
function parseTextGrid(text: string, name: string): AlignedPhoneme[] {
  type Tier = { name: string; intervals: { start: number; end: number; label: string }[] };
  const tiers: Tier[] = [];
  let cur: Tier | undefined, xmin = NaN, xmax = NaN, interval = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if (/^class\s*=\s*"IntervalTier"/.test(line)) { cur = { name: "", intervals: [] }; tiers.push(cur); interval = false; }
    else if (/^class\s*=/.test(line)) cur = undefined;
    else if (cur && (m = /^name\s*=\s*"(.*)"/.exec(line))) cur.name = m[1];
    else if (cur && /^intervals\s*\[\d+\]/.test(line)) interval = true;
    else if (cur && interval && (m = /^xmin\s*=\s*(\S+)/.exec(line))) xmin = TIME(m[1]);
    else if (cur && interval && (m = /^xmax\s*=\s*(\S+)/.exec(line))) xmax = TIME(m[1]);
    else if (cur && interval && (m = /^text\s*=\s*"(.*)"/.exec(line))) {
      if (Number.isNaN(xmin) || Number.isNaN(xmax)) throw new InvalidInputError(`${name}: tier "${cur.name}": an interval without numeric xmin/xmax`);
      cur.intervals.push({ start: xmin, end: xmax, label: m[1] });
      interval = false;
    }
  }
  if (tiers.length === 0) throw new InvalidInputError(`${name}: a TextGrid without an interval tier`);
  const tier = tiers.find((t) => /^(phones?|phonemes?)$/i.test(t.name)) ?? tiers[tiers.length - 1];
  return tier.intervals.filter((s) => s.end > s.start).map((s) => {
    const p = phonemeOf(s.label);
    if (p === undefined) throw new InvalidInputError(`${name}: tier "${tier.name}": "${s.label}" is not a phoneme of the inventory (ARPAbet: aa ae ah … zh, or sil)`);
    return { start: s.start, end: s.end, phoneme: p };
  });
}

/**
 * An aligned phoneme file: lines of "start end phoneme" (seconds; `#` starts a comment; Festival's and
 * aligners' silence labels accepted) or a Praat TextGrid. `name` is used in error messages.
 */
export function parseAlignment(text: string, name: string): AlignedPhoneme[] {
  const segs = /File type\s*=\s*"ooTextFile"/.test(text) ? parseTextGrid(text, name) : parsePhonemeLines(text, name);
  if (segs.length === 0) throw new InvalidInputError(`${name}: no aligned phonemes in the file`);
  return checked(segs, name);
}

/** "start end phoneme" lines, the format parseAlignment reads. */
export function alignmentText(segs: readonly AlignedPhoneme[]): string {
  return segs.map((s) => `${s.start.toFixed(4)}\t${s.end.toFixed(4)}\t${s.phoneme}`).join("\n") + "\n";
}

/** One timed lyrics line of an LRC file: its start, and its end (the next line's start, or undefined for the last). */
export interface LyricsLine {
  readonly start: number;
  readonly end?: number;
  readonly text: string;
}

const LRC_TIME = /\[(\d+):(\d{1,2}(?:[.:]\d{1,3})?)\]/g;

/** An informed separation's alignment from its text, in the separation options' shape: aligned phonemes, or LRC lyrics. */
export function parseInformed(kind: "phonemes" | "lyrics", text: string, name: string): { phonemes?: AlignedPhoneme[]; lyrics?: LyricsLine[] } {
  return kind === "lyrics" ? { lyrics: parseLrc(text, name) } : { phonemes: parseAlignment(text, name) };
}

/** LRC lyrics: "[mm:ss.xx] words" lines (several stamps per line allowed; [ar:…]-style tags and blank lines skipped). */
export function parseLrc(text: string, name: string): LyricsLine[] {
  const lines: { start: number; text: string }[] = [];
  text.split(/\r?\n/).forEach((raw, k) => {
    const line = raw.trim();
    if (line === "" || /^\[[a-z]+:.*\]$/i.test(line)) return;
    const stamps = [...line.matchAll(LRC_TIME)];
    if (stamps.length === 0 || !line.startsWith("[")) throw new InvalidInputError(`${name}: line ${k + 1} ("${line.slice(0, 40)}") has no [mm:ss.xx] time stamp; LRC lines start with one`);
    const words = line.replace(LRC_TIME, "").replace(/<\d+:\d{1,2}(?:[.:]\d{1,3})?>/g, " ").trim();
    for (const s of stamps) lines.push({ start: Number(s[1]) * 60 + Number(s[2].replace(":", ".")), text: words });
  });
  if (lines.length === 0) throw new InvalidInputError(`${name}: no timed lyrics lines`);
  lines.sort((a, b) => a.start - b.start);
  return lines.map((l, i) => ({ ...l, ...(i + 1 < lines.length ? { end: lines[i + 1].start } : {}) }));
}

/**
 * Lyrics lines to aligned phonemes, as Jeon et al.'s line-level alignment allows: a line's words share its
 * span (each by its phoneme count; the last line lasts `lastLineSeconds` per word, at most to `duration`),
 * a word's phonemes share the word's span evenly, and an empty line is silence.
 */
export function lyricsAlignment(lines: readonly LyricsLine[], duration: number, lastLineSeconds = 0.6): AlignedPhoneme[] {
  const out: AlignedPhoneme[] = [];
  for (const line of lines) {
    const words = line.text.split(/\s+/).map(wordPhonemes).filter((p) => p.length > 0);
    const n = words.reduce((a, w) => a + w.length, 0);
    if (n === 0 || line.start >= duration) continue;
    const end = Math.min(duration, line.end ?? line.start + lastLineSeconds * words.length);
    if (!(end > line.start)) continue;
    const per = (end - line.start) / n;
    let t = line.start;
    for (const w of words) for (const p of w) { out.push({ start: t, end: t + per, phoneme: p }); t += per; }
  }
  return out;
}

/**
 * The conditioning matrix of an alignment: [PHONEMES.length × frames] (row-major, phoneme rows), frame t
 * at time offset + t·hop holding a one for the phoneme sounding then (silence where none does).
 */
export function phonemeMatrix(segs: readonly AlignedPhoneme[], frames: number, hopSeconds: number, offsetSeconds = 0): Float32Array {
  const P = PHONEMES.length, m = new Float32Array(P * frames);
  let k = 0;
  for (let t = 0; t < frames; t++) {
    const time = offsetSeconds + t * hopSeconds;
    while (k < segs.length && segs[k].end <= time) k++;
    const s = segs[k];
    const p = s !== undefined && s.start <= time ? INDEX.get(s.phoneme)! : 0;
    m[p * frames + t] = 1;
  }
  return m;
}
