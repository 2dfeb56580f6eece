/**
 * `mirkit synth`: synthetic datasets with exact annotations (issue 8).
 * Node-only orchestration: SoundFont rendering (data/render), Festival
 * singing (io/festival), resampling, files and a manifest. Every item is a
 * function of (kind, item seed, SoundFont), listed in DIR/manifest.json, so
 * it can be regenerated bit for bit; re-running skips items already written.
 */
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { InvalidInputError } from "../errors.js";
import { annotationsVersion, type SynthKind } from "../data/version.js";
import { f0Track, melodyText, segmentsText, vowelNotes } from "../data/annotations.js";
import { composeChoir, composePiano, composeSong, pedalledNotes } from "../data/composer.js";
import { reverb } from "../dsp/reverb.js";
import { drawTransform, makeVersion, type VersionTransform } from "../data/covers.js";
import { encodeMidi } from "../data/midi.js";
import { loadSoundBank, mixStems, renderPart, type Stereo } from "../data/render.js";
import { notesToMirEval, type Note, type Part, type Song } from "../data/score.js";
import { resample } from "../dsp/resample.js";
import { festivalAvailable, singPhrase, VOWELS } from "../io/festival.js";
import { writeAudioFile, writeFileAtomic } from "../io/file.js";
import { isFontName, readSoundFont, TRAIN_FONTS, type FontName } from "../io/soundfonts.js";
import { Rng } from "../random.js";
import { intOption } from "./options.js";
import { createProgress } from "./progress.js";

interface ItemMeta {
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
}

const float32 = { encoding: "float32" as const };

async function renderSong(song: Song, font: FontName, sampleRate: number, length: number, vocals?: Stereo): Promise<Map<string, Stereo>> {
  const bank = loadSoundBank(readSoundFont(font), font);
  const stems = new Map<string, Stereo>();
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
function normalise(stems: Map<string, Stereo>, length: number): Stereo {
  let mix = mixStems([...stems.values()], length);
  let peak = 0;
  for (let i = 0; i < length; i++) peak = Math.max(peak, Math.abs(mix.left[i]), Math.abs(mix.right[i]));
  if (peak > 0) {
    const g = 0.9 / peak;
    for (const s of stems.values()) for (let i = 0; i < length; i++) { s.left[i] *= g; s.right[i] *= g; }
    mix = mixStems([...stems.values()], length);
  }
  return mix;
}

const rms = (s: Stereo) => {
  let e = 0;
  for (let i = 0; i < s.left.length; i++) e += s.left[i] * s.left[i] + s.right[i] * s.right[i];
  return Math.sqrt(e / (2 * Math.max(1, s.left.length)));
};

async function writeStereo(file: string, s: Stereo, sampleRate: number): Promise<void> {
  await writeAudioFile(file, { sampleRate, channels: [s.left, s.right] }, float32);
}

function partMeta(p: Part) {
  return { name: p.name, program: p.program, drums: p.drums, gainDb: p.gainDb, pan: p.pan, reverb: p.reverb, notes: p.notes.length };
}

/** Festival sings a part: mono audio at `sampleRate` (pauses silenced) and the phone segments; one vowel per note is checked. */
function singVoice(part: Part, sampleRate: number, seed: number): { voice: Float32Array; segments: ReturnType<typeof singPhrase>["segments"] } {
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
function panVoice(voice: Float32Array, pan: number, gain: number, length: number): Stereo {
  const out: Stereo = { left: new Float32Array(length), right: new Float32Array(length) };
  const pl = Math.cos(((pan + 1) * Math.PI) / 4) * Math.SQRT2 * gain, pr = Math.sin(((pan + 1) * Math.PI) / 4) * Math.SQRT2 * gain;
  for (let i = 0; i < Math.min(length, voice.length); i++) { out.left[i] = pl * voice[i]; out.right[i] = pr * voice[i]; }
  return out;
}

/** Renders a song whose melody part is sung: Festival vocals (level around the accompaniment's, panned) plus SoundFont stems. */
async function renderSungSong(song: Song, font: FontName, sampleRate: number, length: number, seed: number): Promise<{ stems: Map<string, Stereo>; vocalPart: Part; segments: ReturnType<typeof singPhrase>["segments"] }> {
  const vocalPart = song.parts.find((p) => p.sung)!;
  const { voice, segments } = singVoice(vocalPart, sampleRate, seed);
  const stems = await renderSong(song, font, sampleRate, length);
  // Vocals at a level drawn around the accompaniment's (−3…+3 dB), panned by the part's pan.
  const accRms = rms(mixStems([...stems.values()], length));
  const rng = new Rng(seed * 31 + 7);
  let vr = 0;
  for (const v of voice) vr += v * v;
  vr = Math.sqrt(vr / Math.max(1, voice.length));
  const gain = vr > 0 ? (accRms / vr) * Math.pow(10, rng.range(-3, 3) / 20) : 0;
  const vocals = panVoice(voice, vocalPart.pan, gain, length);
  stems.set(vocalPart.name, vocals);
  return { stems, vocalPart, segments };
}

async function makeSeparationItem(dir: string, seed: number, font: FontName, seconds: number, sampleRate: number): Promise<ItemMeta> {
  const song = composeSong(seed, { durationSeconds: seconds, sungMelody: true });
  const length = Math.ceil((song.durationSeconds + 1.5) * sampleRate);
  const { stems, vocalPart, segments } = await renderSungSong(song, font, sampleRate, length, seed);
  const mixture = normalise(stems, length);
  const accompaniment = mixStems([...stems.entries()].filter(([k]) => k !== vocalPart.name).map(([, v]) => v), length);
  await fs.mkdir(path.join(dir, "stems"), { recursive: true });
  await writeStereo(path.join(dir, "mixture.wav"), mixture, sampleRate);
  await writeStereo(path.join(dir, "vocals.wav"), stems.get(vocalPart.name)!, sampleRate);
  await writeStereo(path.join(dir, "accompaniment.wav"), accompaniment, sampleRate);
  for (const [name, s] of stems) if (name !== vocalPart.name) await writeStereo(path.join(dir, "stems", `${name}.wav`), s, sampleRate);
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
  const mixture = normalise(stems, length);
  await fs.mkdir(path.join(dir, "stems"), { recursive: true });
  await writeStereo(path.join(dir, "mixture.wav"), mixture, sampleRate);
  for (const [name, s] of stems) await writeStereo(path.join(dir, "stems", `${name}.wav`), s, sampleRate);
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

/** Who sings a choir item: Festival's diphone voice, or the item's SoundFont (Choir Aahs or Voice Oohs, drawn per item). */
export type ChoirVoices = "festival" | "soundfont";

async function makeChoirItem(dir: string, seed: number, font: FontName, seconds: number, sampleRate: number, voices: ChoirVoices = "festival"): Promise<ItemMeta> {
  const composed = composeChoir(seed, { durationSeconds: seconds });
  const length = Math.ceil((composed.durationSeconds + 2) * sampleRate);
  const rng = new Rng(seed * 53 + 1);
  const program = new Rng(seed * 59 + 7).pick([52, 53]);
  const song: Song = voices === "soundfont" ? { ...composed, parts: composed.parts.map((p) => ({ ...p, program, sung: false })) } : composed;
  const bank = voices === "soundfont" ? loadSoundBank(readSoundFont(font), font) : undefined;
  const stems = new Map<string, Stereo>();
  const tracks: { times: Float64Array; f0: Float64Array }[] = [];
  await fs.mkdir(path.join(dir, "stems"), { recursive: true });
  for (const part of song.parts) {
    const levelDb = rng.range(-2, 2);
    let timed: Note[];
    if (bank) {
      // A SoundFont voice holds the written pitch from note-on to note-off.
      const st = await renderPart({ ...part, gainDb: 0 }, bank, sampleRate, length);
      const g = (0.1 / Math.max(1e-9, rms(st))) * Math.pow(10, levelDb / 20);
      for (let i = 0; i < length; i++) { st.left[i] *= g; st.right[i] *= g; }
      stems.set(part.name, st);
      timed = [...part.notes];
    } else {
      const { voice, segments } = singVoice(part, sampleRate, seed);
      let e = 0;
      for (const v of voice) e += v * v;
      const gain = e > 0 ? (0.1 / Math.sqrt(e / voice.length)) * Math.pow(10, levelDb / 20) : 0;
      stems.set(part.name, panVoice(voice, part.pan, gain, length));
      timed = vowelNotes(part.notes, segments.filter((x) => VOWELS.has(x.phone)));
      await writeFileAtomic(path.join(dir, `${part.name}.phones.txt`), segmentsText(segments));
    }
    const track = f0Track(timed, length / sampleRate, 0.01, bank ? 0 : undefined);
    tracks.push(track);
    await writeFileAtomic(path.join(dir, `${part.name}.f0.txt`), melodyText(track.times, track.f0));
    await writeFileAtomic(path.join(dir, `${part.name}.notes.txt`), notesToMirEval(timed));
  }
  const dry = normalise(stems, length);
  for (const [name, st] of stems) await writeStereo(path.join(dir, "stems", `${name}.wav`), st, sampleRate);
  await writeStereo(path.join(dir, "mixture.wav"), dry, sampleRate);
  const wet = reverb(dry.left, dry.right, sampleRate, { roomSize: rng.range(0.7, 0.9), wet: rng.range(0.2, 0.4) });
  let peak = 0;
  for (let i = 0; i < length; i++) peak = Math.max(peak, Math.abs(wet.left[i]), Math.abs(wet.right[i]));
  if (peak > 0.99) for (let i = 0; i < length; i++) { wet.left[i] *= 0.99 / peak; wet.right[i] *= 0.99 / peak; }
  await writeStereo(path.join(dir, "mixture_reverb.wav"), wet, sampleRate);
  // Multipitch truth: every voice's F0 per frame.
  const times = tracks[0].times;
  await writeFileAtomic(path.join(dir, "multipitch.txt"), Array.from(times, (t, i) => [t.toFixed(3), ...tracks.map((tr) => tr.f0[i]).filter((f) => f > 0).sort((a, b) => a - b).map((f) => f.toFixed(4))].join("\t")).join("\n") + "\n");
  return { ...meta(path.basename(dir), seed, font, song), voices };
}

async function makePianoItem(dir: string, seed: number, font: FontName, seconds: number, sampleRate: number): Promise<ItemMeta> {
  const song = composePiano(seed, { durationSeconds: seconds });
  const length = Math.ceil((song.durationSeconds + 2) * sampleRate);
  const stems = await renderSong(song, font, sampleRate, length);
  const audio = normalise(stems, length);
  const piano = song.parts[0];
  const heard = pedalledNotes(piano);
  await fs.mkdir(dir, { recursive: true });
  await writeStereo(path.join(dir, "piano.wav"), audio, sampleRate);
  await writeFileAtomic(path.join(dir, "piano.mid"), encodeMidi([piano]));
  await writeFileAtomic(path.join(dir, "notes.txt"), notesToMirEval(heard));
  await writeFileAtomic(path.join(dir, "notes_velocity.txt"), heard.map((n) => `${n.onset.toFixed(6)}\t${n.offset.toFixed(6)}\t${n.pitch}\t${n.velocity}`).join("\n") + "\n");
  return meta(path.basename(dir), seed, font, song);
}

function meta(name: string, seed: number, font: FontName, song: Song): ItemMeta {
  return { name, seed, font, durationSeconds: song.durationSeconds, tempoBpm: song.tempoBpm, key: song.key, sections: song.sections, parts: song.parts.map(partMeta) };
}

interface CoverMeta extends ItemMeta {
  /** The clique: versions of one work share it; noise songs have null. */
  work: number | null;
  version: number | null;
  transform: VersionTransform | null;
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
  const mixture = normalise(stems, length);
  await fs.mkdir(dir, { recursive: true });
  await writeStereo(path.join(dir, "mixture.wav"), mixture, sampleRate);
  await writeFileAtomic(path.join(dir, "melody.notes.txt"), notesToMirEval(song.parts[0].notes));
  return { ...meta(path.basename(dir), workSeed, font, song), work, version: work === null ? null : version, transform: t };
}

const MAKERS: Partial<Record<SynthKind, (dir: string, seed: number, font: FontName, seconds: number, sr: number) => Promise<ItemMeta>>> = {
  separation: makeSeparationItem,
  multi: makeMultiItem,
  piano: makePianoItem,
  choir: (d, s, f, sec, sr) => makeChoirItem(d, s, f, sec, sr),
};

export function addSynthCommands(program: Command): void {
  const synth = program.command("synth").description("Make synthetic datasets with exact annotations: SoundFont stems, sung lyrics (Festival), notes, F0, phones.");
  addCoversCommand(synth, program);
  for (const kind of ["separation", "multi", "piano", "choir"] as const) {
    const cmd = synth
      .command(kind)
      .description({
        separation: "MUSDB-like songs: mixture.wav, vocals.wav (Festival singing), accompaniment.wav, stems/, vocals F0 (mir_eval melody format), notes and phone timings.",
        multi: "Multi-instrument pieces (2–5 parts): mixture.wav, stems/, notes per instrument (mir_eval), multipitch.txt.",
        piano: "MAESTRO-like solo piano with sustain pedal: piano.wav, piano.mid, notes.txt (offsets after the pedal, mir_eval) and notes_velocity.txt.",
        choir: "SATB vocal ensembles (Festival): stems/<voice>.wav, <voice>.f0.txt, mixture.wav (dry), mixture_reverb.wav, multipitch.txt (all four F0s).",
      }[kind])
      .requiredOption("--out <dir>", "dataset folder (manifest.json and one folder per item)")
      .option("--n <count>", "number of items", intOption("--n"), 10)
      .option("--seed <s>", "dataset seed; item i uses seed·1000 + i", intOption("--seed", 0), 1)
      .option("--seconds <s>", "approximate song length", intOption("--seconds"), 30)
      .option("--rate <hz>", "sample rate", intOption("--rate"), 44100)
      .option("--fonts <names>", `comma-separated SoundFonts, cycled over items (fluid, musescore, timgm6mb; default ${TRAIN_FONTS.join(",")}; hold one out for tests)`, (v) => v.split(",").map((s) => s.trim()));
    if (kind === "choir") cmd.option("--voices <who>", "festival (sung lyrics, Festival's diphone voice) or soundfont (Choir Aahs / Voice Oohs of the item's SoundFont)", "festival");
    cmd
      .addHelpText("after", `\nExamples:\n  $ mirkit synth ${kind} --n 100 --seed 1 --out data/${kind}-train\n  $ mirkit synth ${kind} --n 20 --seed 2 --fonts timgm6mb --out data/${kind}-test`)
      .action(async (o: { out: string; n: number; seed: number; seconds: number; rate: number; fonts?: string[]; voices?: string }) => {
        const fonts = (o.fonts ?? [...TRAIN_FONTS]).map((f) => {
          if (!isFontName(f)) throw new InvalidInputError(`unknown SoundFont "${f}"; choose from fluid, musescore, timgm6mb`);
          return f;
        });
        if (o.voices !== undefined && o.voices !== "festival" && o.voices !== "soundfont") throw new InvalidInputError(`--voices must be festival or soundfont, got "${o.voices}"`);
        const voices = o.voices as ChoirVoices | undefined;
        if (kind === "separation" || voices === "festival") {
          const fest = festivalAvailable();
          if (fest !== true) throw new InvalidInputError(fest);
        }
        await fs.mkdir(o.out, { recursive: true });
        const manifestFile = path.join(o.out, "manifest.json");
        const previous = existsSync(manifestFile) ? (JSON.parse(await fs.readFile(manifestFile, "utf8")) as { kind: string; items: ItemMeta[] }) : undefined;
        if (previous && previous.kind !== kind) throw new InvalidInputError(`${manifestFile} describes a "${previous.kind}" dataset; use another folder for "${kind}"`);
        const items = new Map<string, ItemMeta>((previous?.items ?? []).map((m) => [m.name, m]));
        const progress = createProgress(`synth ${kind}`, program.opts().quiet === true);
        for (let i = 0; i < o.n; i++) {
          const name = `item${String(i).padStart(4, "0")}`;
          progress.update(i / o.n, name);
          if (items.has(name)) continue; // already made: resumable
          const seed = o.seed * 1000 + i;
          const font = fonts[i % fonts.length];
          const itemDir = path.join(o.out, name);
          const m = voices ? await makeChoirItem(itemDir, seed, font, o.seconds, o.rate, voices) : await MAKERS[kind]!(itemDir, seed, font, o.seconds, o.rate);
          items.set(name, m);
          // The manifest is rewritten after every item, atomically: a kill loses at most the item in progress.
          await writeFileAtomic(manifestFile, JSON.stringify({
            generator: "mirkit synth", version: annotationsVersion, kind, seed: o.seed, n: o.n, sampleRate: o.rate, seconds: o.seconds, fonts,
            command: `mirkit synth ${kind} --n ${o.n} --seed ${o.seed} --seconds ${o.seconds} --rate ${o.rate} --fonts ${fonts.join(",")}${voices ? ` --voices ${voices}` : ""} --out ${o.out}`,
            items: [...items.values()].sort((a, b) => a.name.localeCompare(b.name)),
          }, null, 2) + "\n");
        }
        progress.stop();
        if (program.opts().quiet !== true) process.stderr.write(`${o.n} ${kind} items in ${o.out}\n`);
      });
  }
}

function addCoversCommand(synth: Command, program: Command): void {
  synth
    .command("covers")
    .description("Cover-song sets: N works × V versions (key, tempo, structure, instrumentation, SoundFont, sung or played melody) plus noise songs; manifest.json lists the cliques.")
    .requiredOption("--out <dir>", "dataset folder")
    .option("--n <works>", "number of works (cliques)", intOption("--n"), 10)
    .option("--versions <v>", "versions per work (version 0 is the work as composed)", intOption("--versions"), 4)
    .option("--noise <k>", "non-cover songs (default: as many as works)", intOption("--noise", 0))
    .option("--seed <s>", "dataset seed", intOption("--seed", 0), 1)
    .option("--seconds <s>", "approximate length of each work", intOption("--seconds"), 30)
    .option("--rate <hz>", "sample rate", intOption("--rate"), 22050)
    .option("--sung <share>", "share of versions with a sung melody (needs festival)", (v) => Number(v), 0)
    .option("--fonts <names>", `comma-separated SoundFonts, cycled over versions (default ${TRAIN_FONTS.join(",")})`, (v) => v.split(",").map((x) => x.trim()))
    .addHelpText("after", "\nExamples:\n  $ mirkit synth covers --n 100 --versions 4 --fonts timgm6mb --out data/covers-test\n  $ mirkit eval covers … (distances from mirkit covers, labels from manifest.json)")
    .action(async (o: { out: string; n: number; versions: number; noise?: number; seed: number; seconds: number; rate: number; sung: number; fonts?: string[] }) => {
      const fonts = (o.fonts ?? [...TRAIN_FONTS]).map((f) => {
        if (!isFontName(f)) throw new InvalidInputError(`unknown SoundFont "${f}"; choose from fluid, musescore, timgm6mb`);
        return f;
      });
      if (!(o.sung >= 0 && o.sung <= 1)) throw new InvalidInputError(`--sung must be a share between 0 and 1, got ${o.sung}`);
      if (o.sung > 0) {
        const fest = festivalAvailable();
        if (fest !== true) throw new InvalidInputError(fest);
      }
      await fs.mkdir(o.out, { recursive: true });
      const manifestFile = path.join(o.out, "manifest.json");
      const previous = existsSync(manifestFile) ? (JSON.parse(await fs.readFile(manifestFile, "utf8")) as { kind: string; items: CoverMeta[] }) : undefined;
      if (previous && previous.kind !== "covers") throw new InvalidInputError(`${manifestFile} describes a "${previous.kind}" dataset; use another folder for covers`);
      const items = new Map<string, CoverMeta>((previous?.items ?? []).map((m) => [m.name, m]));
      const noise = o.noise ?? o.n;
      const jobs: { name: string; work: number | null; version: number; index: number }[] = [];
      for (let w = 0; w < o.n; w++) for (let v = 0; v < o.versions; v++) jobs.push({ name: `w${String(w).padStart(4, "0")}_v${v}`, work: w, version: v, index: jobs.length });
      for (let k = 0; k < noise; k++) jobs.push({ name: `noise${String(k).padStart(4, "0")}`, work: null, version: 0, index: k });
      const progress = createProgress("synth covers", program.opts().quiet === true);
      for (const [j, job] of jobs.entries()) {
        progress.update(j / jobs.length, job.name);
        if (items.has(job.name)) continue;
        items.set(job.name, await makeCoverItem(path.join(o.out, job.name), o.seed, job.work, job.version, job.index, fonts, o.seconds, o.rate, o.sung));
        await writeFileAtomic(manifestFile, JSON.stringify({
          generator: "mirkit synth", version: annotationsVersion, kind: "covers", seed: o.seed, works: o.n, versions: o.versions, noise, sampleRate: o.rate, seconds: o.seconds, fonts, sung: o.sung,
          command: `mirkit synth covers --n ${o.n} --versions ${o.versions} --noise ${noise} --seed ${o.seed} --seconds ${o.seconds} --rate ${o.rate} --sung ${o.sung} --fonts ${fonts.join(",")} --out ${o.out}`,
          items: [...items.values()].sort((a, b) => a.name.localeCompare(b.name)),
        }, null, 2) + "\n");
      }
      progress.stop();
      if (program.opts().quiet !== true) process.stderr.write(`${jobs.length} covers items (${o.n} works × ${o.versions} + ${noise} noise) in ${o.out}\n`);
    });
}

