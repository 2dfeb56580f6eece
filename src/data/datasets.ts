/**
 * The dataset generator behind `mirkit synth` (Node-only: it writes files).
 * Every item is a function of (kind, item seed, SoundFont), listed in
 * DIR/manifest.json with the command that made the dataset, so it can be
 * regenerated bit for bit; the manifest is rewritten atomically after each
 * item, and a rerun skips the items it lists (resumable).
 *
 * Kinds: separation (sung songs with stems, F0, notes, phones), multi (2–5
 * instruments with notes and multi-pitch truth), piano (pedalled piano, MIDI,
 * notes with offsets after the pedal), choir (SATB, Festival or SoundFont
 * voices, F0 per voice, dry and reverberant mixtures), covers (works ×
 * versions plus noise songs).
 */
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { reverb } from "../dsp/reverb.js";
import { InvalidInputError } from "../errors.js";
import type { AudioSignal } from "../io/audio.js";
import { festivalAvailable, VOWELS } from "../io/festival.js";
import { writeAudioFile, writeFileAtomic } from "../io/file.js";
import { readSoundFont, type FontName } from "../io/soundfonts.js";
import { Rng } from "../random.js";
import { f0Track, melodyText, segmentsText, vowelNotes } from "./annotations.js";
import { composeChoir, composePiano, composeSong, pedalledNotes } from "./composer.js";
import { expressiveContour, type Contour, type NoteExpression } from "./contours.js";
import { drawTransform, makeVersion, type VersionTransform } from "./covers.js";
import { encodeMidi } from "../io/midi.js";
import { loadSoundBank, mixStems, peak, renderPart, rms, scaleInPlace } from "./render.js";
import { notesToMirEval, type Note, type Part, type Song } from "./score.js";
import { normalise, panVoice, renderSong, renderSungSong, singVoice, type Stems } from "./songs.js";
import { annotationsVersion, type SynthKind } from "./version.js";

export interface ItemMeta {
  name: string;
  seed: number;
  font: FontName;
  durationSeconds: number;
  tempoBpm: number;
  key: Song["key"];
  sections: Song["sections"];
  parts: { name: string; program: number; drums: boolean; gainDb: number; pan: number; reverb: number; notes: number }[];
  /** Choir items: who sings. */
  voices?: ChoirVoices;
  /** Expressive choir items: every draw of every note's contour, per voice. */
  expression?: Record<string, readonly NoteExpression[]>;
}

export interface CoverMeta extends ItemMeta {
  /** The clique: versions of one work share it; noise songs have null. */
  work: number | null;
  version: number | null;
  transform: VersionTransform | null;
}

/** Who sings a choir item: Festival's diphone voice, or the item's SoundFont (Choir Aahs or Voice Oohs, drawn per item). */
export type ChoirVoices = "festival" | "soundfont";

/** Progress: the fraction of items done and the item at hand. */
export type DatasetProgress = (fraction: number, item: string) => void;

const writeStereo = (file: string, s: AudioSignal) => writeAudioFile(file, s, { encoding: "float32" });

function partMeta(p: Part): ItemMeta["parts"][number] {
  return { name: p.name, program: p.program, drums: p.drums, gainDb: p.gainDb, pan: p.pan, reverb: p.reverb, notes: p.notes.length };
}

function meta(name: string, seed: number, font: FontName, song: Song): ItemMeta {
  return { name, seed, font, durationSeconds: song.durationSeconds, tempoBpm: song.tempoBpm, key: song.key, sections: song.sections, parts: song.parts.map(partMeta) };
}

async function makeSeparationItem(dir: string, seed: number, font: FontName, seconds: number, sampleRate: number): Promise<ItemMeta> {
  const song = composeSong(seed, { durationSeconds: seconds, sungMelody: true });
  const length = Math.ceil((song.durationSeconds + 1.5) * sampleRate);
  const { stems, vocalPart, segments } = await renderSungSong(song, font, sampleRate, length, seed);
  const mixture = normalise(stems, sampleRate, length);
  const accompaniment = mixStems([...stems.entries()].filter(([k]) => k !== vocalPart.name).map(([, v]) => v), sampleRate, length);
  await fs.mkdir(path.join(dir, "stems"), { recursive: true });
  await writeStereo(path.join(dir, "mixture.wav"), mixture);
  await writeStereo(path.join(dir, "vocals.wav"), stems.get(vocalPart.name)!);
  await writeStereo(path.join(dir, "accompaniment.wav"), accompaniment);
  for (const [name, s] of stems) if (name !== vocalPart.name) await writeStereo(path.join(dir, "stems", `${name}.wav`), s);
  const vowels = segments.filter((s) => VOWELS.has(s.phone));
  const timed = vowelNotes(vocalPart.notes, vowels);
  const track = f0Track(timed, length / sampleRate);
  await writeFileAtomic(path.join(dir, "vocals.f0.txt"), melodyText(track.times, track.f0));
  await writeFileAtomic(path.join(dir, "vocals.notes.txt"), notesToMirEval(timed));
  await writeFileAtomic(path.join(dir, "vocals.phones.txt"), segmentsText(segments));
  for (const p of song.parts) if (!p.sung && !p.drums) await writeFileAtomic(path.join(dir, `${p.name}.notes.txt`), notesToMirEval(p.notes));
  return meta(path.basename(dir), seed, font, song);
}

async function makeMultiItem(dir: string, seed: number, font: FontName, seconds: number, sampleRate: number): Promise<ItemMeta> {
  const rng = new Rng(seed * 13 + 5);
  const pool = ["bass", "comp", "pad", "drums"] as const;
  const k = rng.int(1, 4); // plus the melody instrument: 2–5 parts
  const chosen = [...pool].sort(() => rng.uniform() - 0.5).slice(0, k);
  const song = composeSong(seed, { durationSeconds: seconds, sungMelody: false, parts: chosen });
  const length = Math.ceil((song.durationSeconds + 1.5) * sampleRate);
  const stems = await renderSong(song, font, sampleRate, length);
  const mixture = normalise(stems, sampleRate, length);
  await fs.mkdir(path.join(dir, "stems"), { recursive: true });
  await writeStereo(path.join(dir, "mixture.wav"), mixture);
  for (const [name, s] of stems) await writeStereo(path.join(dir, "stems", `${name}.wav`), s);
  for (const p of song.parts) if (!p.drums) await writeFileAtomic(path.join(dir, `${p.name}.notes.txt`), notesToMirEval(p.notes));
  // Multipitch truth of all pitched parts, 10 ms frames.
  const hop = 0.01, n = Math.floor(length / sampleRate / hop) + 1;
  const frames: number[][] = Array.from({ length: n }, () => []);
  for (const p of song.parts) if (!p.drums) for (const note of p.notes) {
    for (let i = Math.ceil(note.onset / hop); i < n && i * hop < note.offset; i++) frames[i].push(440 * 2 ** ((note.pitch - 69) / 12));
  }
  await writeFileAtomic(path.join(dir, "multipitch.txt"), frames.map((f, i) => [(i * hop).toFixed(3), ...[...new Set(f)].sort((a, b) => a - b).map((v) => v.toFixed(4))].join("\t")).join("\n") + "\n");
  return meta(path.basename(dir), seed, font, song);
}

async function makeChoirItem(dir: string, seed: number, font: FontName, seconds: number, sampleRate: number, voices: ChoirVoices, expressive = false): Promise<ItemMeta> {
  const composed = composeChoir(seed, { durationSeconds: seconds });
  const length = Math.ceil((composed.durationSeconds + 2) * sampleRate);
  const rng = new Rng(seed * 53 + 1);
  const program = new Rng(seed * 59 + 7).pick([52, 53]);
  const song: Song = voices === "soundfont" ? { ...composed, parts: composed.parts.map((p) => ({ ...p, program, sung: false })) } : composed;
  const bank = voices === "soundfont" ? loadSoundBank(readSoundFont(font), font) : undefined;
  const stems: Stems = new Map();
  const tracks: { times: Float64Array; f0: Float64Array }[] = [];
  const expression: Record<string, readonly NoteExpression[]> = {};
  await fs.mkdir(path.join(dir, "stems"), { recursive: true });
  for (const [k, part] of song.parts.entries()) {
    const levelDb = rng.range(-2, 2);
    let timed: Note[];
    let contour: Contour | undefined;
    if (bank) {
      // A SoundFont voice holds the written pitch from note-on to note-off, or, expressive, follows a sung
      // contour (vibrato, scoops, portamento, drift) through the pitch wheel; the F0 truth is that contour.
      if (expressive) {
        contour = expressiveContour(part.notes, new Rng(seed * 67 + k), length / sampleRate);
        expression[part.name] = contour.expression;
      }
      const st = await renderPart({ ...part, gainDb: 0, bends: contour?.bends }, bank, sampleRate, length);
      scaleInPlace(st, (0.1 / Math.max(1e-9, rms(st))) * Math.pow(10, levelDb / 20));
      stems.set(part.name, st);
      timed = [...part.notes];
    } else {
      const { voice, segments } = singVoice(part, sampleRate, seed);
      const r = rms({ sampleRate, channels: [voice] });
      const gain = r > 0 ? (0.1 / r) * Math.pow(10, levelDb / 20) : 0;
      stems.set(part.name, panVoice(voice, part.pan, gain, sampleRate, length));
      timed = vowelNotes(part.notes, segments.filter((x) => VOWELS.has(x.phone)));
      await writeFileAtomic(path.join(dir, `${part.name}.phones.txt`), segmentsText(segments));
    }
    const track = contour ?? f0Track(timed, length / sampleRate, 0.01, bank ? 0 : undefined);
    tracks.push(track);
    await writeFileAtomic(path.join(dir, `${part.name}.f0.txt`), melodyText(track.times, track.f0));
    await writeFileAtomic(path.join(dir, `${part.name}.notes.txt`), notesToMirEval(timed));
  }
  const dry = normalise(stems, sampleRate, length);
  for (const [name, st] of stems) await writeStereo(path.join(dir, "stems", `${name}.wav`), st);
  await writeStereo(path.join(dir, "mixture.wav"), dry);
  const reverberant = reverb(dry.channels[0], dry.channels[1], sampleRate, { roomSize: rng.range(0.7, 0.9), wet: rng.range(0.2, 0.4) });
  const wet: AudioSignal = { sampleRate, channels: [reverberant.left, reverberant.right] };
  const p = peak(wet);
  if (p > 0.99) scaleInPlace(wet, 0.99 / p);
  await writeStereo(path.join(dir, "mixture_reverb.wav"), wet);
  // Multipitch truth: every voice's F0 per frame.
  const times = tracks[0].times;
  await writeFileAtomic(path.join(dir, "multipitch.txt"), Array.from(times, (t, i) => [t.toFixed(3), ...tracks.map((tr) => tr.f0[i]).filter((f) => f > 0).sort((a, b) => a - b).map((f) => f.toFixed(4))].join("\t")).join("\n") + "\n");
  return { ...meta(path.basename(dir), seed, font, song), voices, ...(expressive ? { expression } : {}) };
}

async function makePianoItem(dir: string, seed: number, font: FontName, seconds: number, sampleRate: number): Promise<ItemMeta> {
  const song = composePiano(seed, { durationSeconds: seconds });
  const length = Math.ceil((song.durationSeconds + 2) * sampleRate);
  const stems = await renderSong(song, font, sampleRate, length);
  const audio = normalise(stems, sampleRate, length);
  const piano = song.parts[0];
  const heard = pedalledNotes(piano);
  await fs.mkdir(dir, { recursive: true });
  await writeStereo(path.join(dir, "piano.wav"), audio);
  await writeFileAtomic(path.join(dir, "piano.mid"), encodeMidi([piano]));
  await writeFileAtomic(path.join(dir, "notes.txt"), notesToMirEval(heard));
  await writeFileAtomic(path.join(dir, "notes_velocity.txt"), heard.map((n) => `${n.onset.toFixed(6)}\t${n.offset.toFixed(6)}\t${n.pitch}\t${n.velocity}`).join("\n") + "\n");
  return meta(path.basename(dir), seed, font, song);
}

/** One cover-set item: version `version` of work `work` (or a noise song when work is null). */
async function makeCoverItem(dir: string, datasetSeed: number, work: number | null, version: number, index: number, fonts: readonly FontName[], seconds: number, sampleRate: number, sungShare: number): Promise<CoverMeta> {
  const workSeed = work === null ? datasetSeed * 100000 + 50000 + index : datasetSeed * 100000 + work;
  const base = composeSong(workSeed, { durationSeconds: seconds });
  const rng = new Rng(workSeed * 17 + version);
  const t = work === null ? null : drawTransform(rng, version, base.parts[0].notes.map((n) => n.pitch), { sungShare });
  const song = t ? makeVersion(base, t, workSeed * 10 + version) : base;
  const font = fonts[(work === null ? index : work + version) % fonts.length];
  const length = Math.ceil((song.durationSeconds + 1.5) * sampleRate);
  const stems = song.parts.some((p) => p.sung) ? (await renderSungSong(song, font, sampleRate, length, workSeed + version)).stems : await renderSong(song, font, sampleRate, length);
  const mixture = normalise(stems, sampleRate, length);
  await fs.mkdir(dir, { recursive: true });
  await writeStereo(path.join(dir, "mixture.wav"), mixture);
  await writeFileAtomic(path.join(dir, "melody.notes.txt"), notesToMirEval(song.parts[0].notes));
  return { ...meta(path.basename(dir), workSeed, font, song), work, version: work === null ? null : version, transform: t };
}

function requireFestival(): void {
  const fest = festivalAvailable();
  if (fest !== true) throw new InvalidInputError(fest);
}

/**
 * Makes (or resumes) a dataset: each job not yet in `out`/manifest.json is
 * made in turn and the manifest (`header` fields, then the items by name)
 * rewritten after it, atomically, so a kill loses at most the item in progress.
 */
async function buildItems<M extends { name: string }>(out: string, kind: SynthKind, header: Record<string, unknown>, jobs: readonly { name: string; make: (dir: string) => Promise<M> }[], onProgress?: DatasetProgress, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  await fs.mkdir(out, { recursive: true });
  const manifestFile = path.join(out, "manifest.json");
  const previous = existsSync(manifestFile) ? (JSON.parse(await fs.readFile(manifestFile, "utf8")) as { kind: string; items: M[] }) : undefined;
  if (previous && previous.kind !== kind) throw new InvalidInputError(`${manifestFile} describes a "${previous.kind}" dataset; use another folder for "${kind}"`);
  const items = new Map<string, M>((previous?.items ?? []).map((m) => [m.name, m]));
  for (const [j, job] of jobs.entries()) {
    signal?.throwIfAborted(); // between items: the manifest lists every finished one
    onProgress?.(j / jobs.length, job.name);
    if (items.has(job.name)) continue;
    items.set(job.name, await job.make(path.join(out, job.name)));
    await writeFileAtomic(manifestFile, JSON.stringify({ ...header, items: [...items.values()].sort((a, b) => a.name.localeCompare(b.name)) }, null, 2) + "\n");
  }
}

export interface DatasetOptions {
  readonly out: string;
  readonly n: number;
  /** Dataset seed; item i uses seed·1000 + i. */
  readonly seed: number;
  readonly seconds: number;
  readonly sampleRate: number;
  /** SoundFonts, cycled over items. */
  readonly fonts: readonly FontName[];
  /** Choir only. */
  readonly voices?: ChoirVoices;
  /** Choir with SoundFont voices only: sung contours (vibrato, scoops, portamento, drift) instead of held pitches. */
  readonly expressive?: boolean;
  readonly onProgress?: DatasetProgress;
  /** Cancels between items. */
  readonly signal?: AbortSignal;
}

/** A separation, multi, piano or choir dataset (`mirkit synth <kind>`). */
export async function makeDataset(kind: Exclude<SynthKind, "covers">, o: DatasetOptions): Promise<void> {
  const voices = kind === "choir" ? o.voices ?? "festival" : undefined;
  if (kind === "separation" || voices === "festival") requireFestival();
  if (o.expressive && voices !== "soundfont") throw new InvalidInputError("expressive contours need --voices soundfont (Festival sings the score's pitch)");
  const make = (dir: string, seed: number, font: FontName): Promise<ItemMeta> => {
    if (kind === "separation") return makeSeparationItem(dir, seed, font, o.seconds, o.sampleRate);
    if (kind === "multi") return makeMultiItem(dir, seed, font, o.seconds, o.sampleRate);
    if (kind === "piano") return makePianoItem(dir, seed, font, o.seconds, o.sampleRate);
    return makeChoirItem(dir, seed, font, o.seconds, o.sampleRate, voices!, o.expressive === true);
  };
  const header = {
    generator: "mirkit synth", version: annotationsVersion, kind, seed: o.seed, n: o.n, sampleRate: o.sampleRate, seconds: o.seconds, fonts: o.fonts,
    command: `mirkit synth ${kind} --n ${o.n} --seed ${o.seed} --seconds ${o.seconds} --rate ${o.sampleRate} --fonts ${o.fonts.join(",")}${o.voices ? ` --voices ${o.voices}` : ""}${o.expressive ? " --expressive" : ""} --out ${o.out}`,
  };
  const jobs = Array.from({ length: o.n }, (_, i) => ({ name: `item${String(i).padStart(4, "0")}`, make: (dir: string) => make(dir, o.seed * 1000 + i, o.fonts[i % o.fonts.length]) }));
  await buildItems(o.out, kind, header, jobs, o.onProgress, o.signal);
}

export interface CoversDatasetOptions {
  readonly out: string;
  /** Works (cliques). */
  readonly works: number;
  /** Versions per work (version 0 is the work as composed). */
  readonly versions: number;
  /** Non-cover songs. */
  readonly noise: number;
  readonly seed: number;
  readonly seconds: number;
  readonly sampleRate: number;
  /** Share of versions with a sung melody (needs Festival). */
  readonly sung: number;
  readonly fonts: readonly FontName[];
  readonly onProgress?: DatasetProgress;
  /** Cancels between items. */
  readonly signal?: AbortSignal;
}

/** A cover-song set (`mirkit synth covers`): works × versions plus noise songs; manifest.json lists the cliques. */
export async function makeCoversDataset(o: CoversDatasetOptions): Promise<void> {
  if (!(o.sung >= 0 && o.sung <= 1)) throw new InvalidInputError(`--sung must be a share between 0 and 1, got ${o.sung}`);
  if (o.sung > 0) requireFestival();
  const jobs: { name: string; make: (dir: string) => Promise<CoverMeta> }[] = [];
  const add = (name: string, work: number | null, version: number, index: number) =>
    jobs.push({ name, make: (dir) => makeCoverItem(dir, o.seed, work, version, index, o.fonts, o.seconds, o.sampleRate, o.sung) });
  for (let w = 0; w < o.works; w++) for (let v = 0; v < o.versions; v++) add(`w${String(w).padStart(4, "0")}_v${v}`, w, v, jobs.length);
  for (let k = 0; k < o.noise; k++) add(`noise${String(k).padStart(4, "0")}`, null, 0, k);
  const header = {
    generator: "mirkit synth", version: annotationsVersion, kind: "covers", seed: o.seed, works: o.works, versions: o.versions, noise: o.noise, sampleRate: o.sampleRate, seconds: o.seconds, fonts: o.fonts, sung: o.sung,
    command: `mirkit synth covers --n ${o.works} --versions ${o.versions} --noise ${o.noise} --seed ${o.seed} --seconds ${o.seconds} --rate ${o.sampleRate} --sung ${o.sung} --fonts ${o.fonts.join(",")} --out ${o.out}`,
  };
  await buildItems(o.out, "covers", header, jobs, o.onProgress, o.signal);
}
