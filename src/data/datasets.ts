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
import { decodeAudio } from "../io/decode.js";
import { encodeWithTool, encoderAvailable } from "../io/encoders.js";
import { espeakAvailable } from "../io/espeak.js";
import { festivalAvailable, MAX_KAL_PITCH } from "../io/festival.js";
import { writeAudioFile, writeFileAtomic } from "../io/file.js";
import { readSoundFont, type FontName } from "../io/soundfonts.js";
import { Rng } from "../random.js";
import { f0Track, lrcText, melodyText, segmentsText } from "./annotations.js";
import { alignmentText, SILENCE } from "../lyrics/phonemes.js";
import { composeChoir, composeSong, pedalledNotes } from "./composer.js";
import { composePianoPiece } from "./piano.js";
import { expressiveContour, type Contour, type NoteExpression } from "./contours.js";
import { drawTransform, makeVersion, type VersionTransform } from "./covers.js";
import { encodeMidi } from "../io/midi.js";
import { loadSoundBank, mixStems, peak, renderPart, rms, scaleInPlace } from "./render.js";
import { notesToMirEval, type Note, type Part, type Song } from "./score.js";
import { drawRecording, recordChain, recordStems, type RecordingDraw } from "./recording.js";
import type { SingerDraw } from "./singer.js";
import { normalise, panVoice, renderSong, renderSungSong, singPart, type SingingEngine, type SpeechSingerDraw, type Stems } from "./songs.js";
import { composeEnsemble, instrumentName, INSTRUMENT_SETS, type InstrumentSet } from "./ensemble.js";
import { annotationsVersion, type SynthKind } from "./version.js";

export interface ItemMeta {
  name: string;
  seed: number;
  font: FontName;
  durationSeconds: number;
  tempoBpm: number;
  key: Song["key"];
  sections: Song["sections"];
  parts: { name: string; program: number; drums: boolean; gainDb: number; pan: number; reverb: number; notes: number; instrument?: string }[];
  /** Choir items: the engines singers were drawn from (comma-separated). */
  voices?: string;
  /** Choir items with engines beyond one legacy voice, ensembles or a recording chain: each singer's engine, role and draws. */
  singers?: Record<string, { engine: ChoirEngine; role: "part" | "unison" | "octave"; singer?: SingerDraw | SpeechSingerDraw }>;
  /** Separation items beyond the legacy Festival songs: who has the sung line (an engine, "lead instrument" or "none"). */
  vocals?: string;
  /** Separation items sung by the formant or speech singer: its draws. */
  singer?: SingerDraw | SpeechSingerDraw;
  /** Choir items with a recording chain: its draws. */
  recording?: RecordingDraw;
  /** Expressive choir items: every draw of every note's contour, per voice. */
  expression?: Record<string, readonly NoteExpression[]>;
}

export interface CoverMeta extends ItemMeta {
  /** The clique: versions of one work share it; noise songs have null. */
  work: number | null;
  version: number | null;
  transform: VersionTransform | null;
}

/**
 * A choir engine: Festival's diphone voice, the item's SoundFont (Choir Aahs or Voice Oohs, drawn per
 * item), the source–filter singer of data/singer.ts, or eSpeak NG's speech re-pitched by PSOLA
 * (data/songs.ts singSpeech).
 */
export type ChoirEngine = "festival" | "soundfont" | "formant" | "speech";
export const CHOIR_ENGINES: readonly ChoirEngine[] = ["festival", "soundfont", "formant", "speech"];

export interface ChoirOptions {
  /** Each singer's engine is drawn from these. */
  readonly engines: readonly ChoirEngine[];
  /** Sung contours (vibrato, scoops, portamento, drift) instead of held pitches; not for Festival. */
  readonly expressive: boolean;
  /** Singers per item, drawn in this range (default: the four SATB parts). */
  readonly ensemble?: readonly [number, number];
  /** Also write mixture_recorded.wav through a drawn recording chain. */
  readonly chain: boolean;
}

/**
 * A choir item's mixture for training and scoring: the dry one, or the "wet" one, which is the recorded
 * mixture (`--chain`) where the item has one, else the reverberant one.
 */
export function choirMixtureFile(itemDir: string, wet: boolean): string {
  if (!wet) return path.join(itemDir, "mixture.wav");
  const recorded = path.join(itemDir, "mixture_recorded.wav");
  return existsSync(recorded) ? recorded : path.join(itemDir, "mixture_reverb.wav");
}

/** Progress: the fraction of items done and the item at hand. */
export type DatasetProgress = (fraction: number, item: string) => void;

const writeStereo = (file: string, s: AudioSignal) => writeAudioFile(file, s, { encoding: "float32" });

function partMeta(p: Part): ItemMeta["parts"][number] {
  return { name: p.name, program: p.program, drums: p.drums, gainDb: p.gainDb, pan: p.pan, reverb: p.reverb, notes: p.notes.length };
}

function meta(name: string, seed: number, font: FontName, song: Song): ItemMeta {
  return { name, seed, font, durationSeconds: song.durationSeconds, tempoBpm: song.tempoBpm, key: song.key, sections: song.sections, parts: song.parts.map(partMeta) };
}

/** Separation items: who sings the vocal line, and how many songs have no voice. */
export interface SeparationOptions {
  /** The vocal line's engine is drawn per item from these (default festival). */
  readonly engines: readonly SingingEngine[];
  /** Share of items without vocals (0–1): half with a lead instrument playing the sung line with a singer's expression, half with a played melody. */
  readonly instrumental: number;
  /**
   * A drawn recording chain: room and EQ on every stem, the mixture's compression gain on every stem, a
   * noise-floor stem (stems/noise.wav, in the accompaniment), the level, then the codec on the mixture;
   * accompaniment = mixture − vocals still holds exactly.
   */
  readonly chain: boolean;
}

/** Lead instruments that sing like a voice: trumpet, alto and tenor sax, violin, flute, clarinet, square and saw leads. */
const LEAD_PROGRAMS = [56, 65, 66, 40, 73, 71, 80, 81] as const;

async function makeSeparationItem(dir: string, seed: number, font: FontName, seconds: number, sampleRate: number, o: SeparationOptions): Promise<ItemMeta> {
  const legacy = o.engines.length === 1 && o.engines[0] === "festival" && o.instrumental === 0 && !o.chain;
  // New draws come from their own generator, so that legacy items stay as they were.
  const rng = new Rng(seed * 97 + 13);
  const instrumental = !legacy && rng.uniform() < o.instrumental;
  const lead = instrumental && rng.uniform() < 0.5;
  const engine = instrumental || o.engines.length === 1 ? o.engines[0] : rng.pick(o.engines);
  const expressive = !legacy && engine !== "festival";
  const song = composeSong(seed, { durationSeconds: seconds, sungMelody: !instrumental || lead });
  const length = Math.ceil((song.durationSeconds + 1.5) * sampleRate);
  const melody = song.parts.find((p) => p.sung || p.name === "melody")!;
  const contour = expressive || lead ? expressiveContour(melody.notes, new Rng(seed * 67 + 1), length / sampleRate) : undefined;
  let stems: Stems, vocalName: string, sung: Awaited<ReturnType<typeof renderSungSong>>["sung"] | undefined;
  let parts = song.parts;
  if (instrumental) {
    // The sung line played by a lead instrument through the pitch wheel, or the composer's played melody.
    const program = lead ? rng.pick(LEAD_PROGRAMS) : melody.program;
    parts = song.parts.map((p) => (p === melody ? { ...p, name: "lead", sung: false, program, bends: lead ? contour!.bends : undefined } : p));
    stems = await renderSong({ ...song, parts }, font, sampleRate, length);
    vocalName = "vocals";
  } else {
    ({ stems, sung } = await renderSungSong(song, font, sampleRate, length, seed, engine, contour));
    vocalName = melody.name;
  }
  const silence = (): AudioSignal => ({ sampleRate, channels: [new Float32Array(length), new Float32Array(length)] });
  let mixture = normalise(stems, sampleRate, length);
  let recording: RecordingDraw | undefined;
  if (o.chain) {
    // Vocals first (silence in instrumentals), then the other stems; the noise floor joins the accompaniment.
    const { draw, rng: noiseRng } = recordingDraw(seed);
    const names = [vocalName, ...[...stems.keys()].filter((k) => k !== vocalName)];
    const recorded = recordStems(names.map((k) => stems.get(k) ?? silence()), draw, noiseRng);
    stems = new Map(names.map((k, i) => [k, recorded.stems[i]]));
    if (recorded.noise) stems.set("noise", recorded.noise);
    mixture = await codecRoundTrip(dir, mixStems([...stems.values()], sampleRate, length), draw);
    recording = draw;
  }
  const vocals = stems.get(vocalName) ?? silence();
  const accompaniment: AudioSignal = o.chain
    ? { sampleRate, channels: mixture.channels.map((c, k) => Float32Array.from(c, (v, i) => v - vocals.channels[k][i])) }
    : mixStems([...stems.entries()].filter(([k]) => k !== vocalName).map(([, v]) => v), sampleRate, length);
  await fs.mkdir(path.join(dir, "stems"), { recursive: true });
  await writeStereo(path.join(dir, "mixture.wav"), mixture);
  await writeStereo(path.join(dir, "vocals.wav"), vocals);
  await writeStereo(path.join(dir, "accompaniment.wav"), accompaniment);
  for (const [name, st] of stems) if (name !== vocalName) await writeStereo(path.join(dir, "stems", `${name}.wav`), st);
  const track = sung?.track ?? f0Track([], length / sampleRate);
  await writeFileAtomic(path.join(dir, "vocals.f0.txt"), melodyText(track.times, track.f0));
  await writeFileAtomic(path.join(dir, "vocals.notes.txt"), notesToMirEval(sung?.timed ?? []));
  if (sung?.segments) await writeFileAtomic(path.join(dir, "vocals.phones.txt"), segmentsText(sung.segments));
  // Informed separation's inputs: what was sung, phoneme by phoneme (silence where nothing is), and the lyrics as LRC lines.
  const phonemes = sung?.phonemes.length ? sung.phonemes : [{ start: 0, end: length / sampleRate, phoneme: SILENCE }];
  await writeFileAtomic(path.join(dir, "vocals.phonemes.txt"), alignmentText(phonemes));
  if (sung) await writeFileAtomic(path.join(dir, "vocals.lrc"), lrcText(sung.timed));
  for (const p of parts) if (!p.sung && !p.drums) await writeFileAtomic(path.join(dir, `${p.name}.notes.txt`), notesToMirEval(p.notes));
  if (lead) await writeFileAtomic(path.join(dir, "lead.f0.txt"), melodyText(contour!.times, contour!.f0));
  const base = meta(path.basename(dir), seed, font, { ...song, parts });
  if (legacy) return base;
  return { ...base, vocals: instrumental ? (lead ? "lead instrument" : "none") : engine, ...(sung?.draw ? { singer: sung.draw } : {}), ...(contour ? { expression: { [lead ? "lead" : "vocals"]: contour.expression } } : {}), ...(recording ? { recording } : {}) };
}

/** Multi items: how many pitched parts and which programs they are drawn from, and the recording chain. */
export interface MultiOptions {
  readonly parts: readonly [number, number];
  readonly instruments: InstrumentSet;
  readonly chain: boolean;
}

/**
 * A multi-instrument item (data/ensemble.ts): mixture.wav, stems/<part>.wav, <part>.notes.txt for every
 * pitched part (its program in the manifest), multipitch.txt (every pitched part, 10 ms frames) and, with
 * a chain, mixture_recorded.wav.
 */
async function makeMultiItem(dir: string, seed: number, font: FontName, seconds: number, sampleRate: number, o: MultiOptions): Promise<ItemMeta> {
  const song = composeEnsemble(seed, { durationSeconds: seconds, parts: o.parts, instruments: o.instruments });
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
  const recording = o.chain ? await writeRecorded(dir, mixture, seed) : undefined;
  const base = meta(path.basename(dir), seed, font, song);
  return { ...base, parts: base.parts.map((p) => (p.drums ? p : { ...p, instrument: instrumentName(p.program) })), ...(recording ? { recording } : {}) };
}

/** One singer of a choir item: the part it sings (an octave doubling is transposed) and its engine. */
interface Singer {
  readonly name: string;
  readonly part: Part;
  readonly engine: ChoirEngine;
  readonly role: "part" | "unison" | "octave";
}

/**
 * Who sings: the four SATB parts (the default), or, with an ensemble range, 1–6 singers drawn per item:
 * up to four distinct parts, and above four, unison or octave doublings of drawn parts (an octave doubling
 * crosses the neighbouring voice). Each singer's engine is drawn from `engines`.
 */
function castSingers(song: Song, seed: number, engines: readonly ChoirEngine[], ensemble: readonly [number, number] | undefined): Singer[] {
  const rng = new Rng(seed * 71 + 3);
  const engineOf = () => (engines.length === 1 ? engines[0] : rng.pick(engines));
  if (ensemble === undefined) return song.parts.map((part) => ({ name: part.name, part, engine: engineOf(), role: "part" }));
  const n = rng.int(ensemble[0], ensemble[1]);
  const order = [...song.parts].sort(() => rng.uniform() - 0.5);
  const chosen = new Set(order.slice(0, Math.min(n, song.parts.length)).map((p) => p.name));
  const singers: Singer[] = song.parts.filter((p) => chosen.has(p.name)).map((part) => ({ name: part.name, part, engine: engineOf(), role: "part" }));
  for (let k = 0; singers.length < n; k++) {
    const base = rng.pick(song.parts);
    const engine = engineOf();
    const up = base.name === "tenor" || base.name === "bass" || base.name === "alto";
    const shift = up ? 12 : -12;
    const maxPitch = engine === "festival" ? MAX_KAL_PITCH : 84;
    const octaveFits = base.notes.every((x) => x.pitch + shift <= maxPitch && x.pitch + shift >= 36);
    const octave = octaveFits && rng.uniform() < 0.5;
    const part: Part = { ...base, name: `${base.name}${k + 2}`, pan: rng.range(-0.7, 0.7), notes: octave ? base.notes.map((x) => ({ ...x, pitch: x.pitch + shift })) : base.notes };
    singers.push({ name: part.name, part, engine, role: octave ? "octave" : "unison" });
  }
  return singers;
}

async function makeChoirItem(dir: string, seed: number, font: FontName, seconds: number, sampleRate: number, o: ChoirOptions): Promise<ItemMeta> {
  const composed = composeChoir(seed, { durationSeconds: seconds });
  const length = Math.ceil((composed.durationSeconds + 2) * sampleRate);
  const rng = new Rng(seed * 53 + 1);
  const program = new Rng(seed * 59 + 7).pick([52, 53]);
  const singers = castSingers(composed, seed, o.engines, o.ensemble);
  const bank = singers.some((s) => s.engine === "soundfont") ? loadSoundBank(readSoundFont(font), font) : undefined;
  const stems: Stems = new Map();
  const tracks: { times: Float64Array; f0: Float64Array }[] = [];
  const expression: Record<string, readonly NoteExpression[]> = {};
  const cast: Record<string, { engine: ChoirEngine; role: Singer["role"]; singer?: SingerDraw | SpeechSingerDraw }> = {};
  await fs.mkdir(path.join(dir, "stems"), { recursive: true });
  for (const [k, { name, part, engine, role }] of singers.entries()) {
    const levelDb = rng.range(-2, 2);
    let timed: Note[] = [...part.notes];
    let contour: Contour | undefined;
    cast[name] = { engine, role };
    if (o.expressive) {
      contour = expressiveContour(part.notes, new Rng(seed * 67 + k), length / sampleRate);
      expression[name] = contour.expression;
    }
    let track: { times: Float64Array; f0: Float64Array };
    if (engine === "soundfont") {
      // A SoundFont voice holds the written pitch from note-on to note-off, or, expressive, follows a sung
      // contour (vibrato, scoops, portamento, drift) through the pitch wheel; the F0 truth is that contour.
      const st = await renderPart({ ...part, program, sung: false, gainDb: 0, bends: contour?.bends }, bank!, sampleRate, length);
      scaleInPlace(st, (0.1 / Math.max(1e-9, rms(st))) * Math.pow(10, levelDb / 20));
      stems.set(name, st);
      track = contour ?? f0Track(timed, length / sampleRate, 0.01, 0);
    } else {
      const sung = singPart(part, engine, sampleRate, length, seed, seed * 73 + k, contour);
      if (sung.segments) await writeFileAtomic(path.join(dir, `${name}.phones.txt`), segmentsText(sung.segments));
      if (sung.draw) cast[name].singer = sung.draw;
      timed = sung.timed;
      track = sung.track;
      const r = rms({ sampleRate, channels: [sung.voice] });
      const gain = r > 0 ? (0.1 / r) * Math.pow(10, levelDb / 20) : 0;
      stems.set(name, panVoice(sung.voice, part.pan, gain, sampleRate, length));
    }
    tracks.push(track);
    await writeFileAtomic(path.join(dir, `${name}.f0.txt`), melodyText(track.times, track.f0));
    await writeFileAtomic(path.join(dir, `${name}.notes.txt`), notesToMirEval(timed));
  }
  const dry = normalise(stems, sampleRate, length);
  for (const [name, st] of stems) await writeStereo(path.join(dir, "stems", `${name}.wav`), st);
  await writeStereo(path.join(dir, "mixture.wav"), dry);
  const reverberant = reverb(dry.channels[0], dry.channels[1], sampleRate, { roomSize: rng.range(0.7, 0.9), wet: rng.range(0.2, 0.4) });
  const wet: AudioSignal = { sampleRate, channels: [reverberant.left, reverberant.right] };
  const p = peak(wet);
  if (p > 0.99) scaleInPlace(wet, 0.99 / p);
  await writeStereo(path.join(dir, "mixture_reverb.wav"), wet);
  const recording = o.chain ? await writeRecorded(dir, dry, seed) : undefined;
  // Multipitch truth: every voice's F0 per frame.
  const times = tracks[0].times;
  await writeFileAtomic(path.join(dir, "multipitch.txt"), Array.from(times, (t, i) => [t.toFixed(3), ...tracks.map((tr) => tr.f0[i]).filter((f) => f > 0).sort((a, b) => a - b).map((f) => f.toFixed(4))].join("\t")).join("\n") + "\n");
  const song: Song = { ...composed, parts: singers.map((s) => ({ ...s.part, ...(s.engine === "soundfont" ? { program, sung: false } : {}) })) };
  const legacy = o.ensemble === undefined && o.engines.length === 1 && !o.chain && (o.engines[0] === "festival" || o.engines[0] === "soundfont");
  return {
    ...meta(path.basename(dir), seed, font, song),
    voices: o.engines.join(","),
    ...(legacy ? {} : { singers: cast }),
    ...(o.expressive ? { expression } : {}),
    ...(recording ? { recording } : {}),
  };
}

/**
 * mixture_recorded.wav: the dry mixture through a drawn recording chain (room, microphone EQ, compression,
 * noise floor, level) and, when drawn and the encoder is installed, an MP3/Ogg round trip. Returns the draw.
 */
async function writeRecorded(dir: string, dry: AudioSignal, seed: number): Promise<RecordingDraw> {
  const { draw, rng } = recordingDraw(seed);
  const recorded = await codecRoundTrip(dir, recordChain(dry, draw, rng), draw);
  await writeStereo(path.join(dir, "mixture_recorded.wav"), recorded);
  return draw;
}

/** An item's recording chain (without a codec where its encoder is missing), and the generator that draws its noise. */
function recordingDraw(seed: number): { draw: RecordingDraw; rng: Rng } {
  const rng = new Rng(seed * 79 + 5);
  const draw = drawRecording(rng);
  return { draw: draw.codec && encoderAvailable(draw.codec.format) !== true ? { ...draw, codec: null } : draw, rng };
}

/** `signal` through the drawn codec and back (16-bit WAV in, decoded and realigned), or itself without one. */
async function codecRoundTrip(dir: string, signal: AudioSignal, draw: RecordingDraw): Promise<AudioSignal> {
  if (!draw.codec) return signal;
  await fs.mkdir(dir, { recursive: true });
  const tmp = await fs.mkdtemp(path.join(dir, ".codec-"));
  try {
    const wavFile = path.join(tmp, "in.wav"), coded = path.join(tmp, `out.${draw.codec.format}`);
    await writeAudioFile(wavFile, signal, { encoding: "pcm16" });
    await encodeWithTool(draw.codec.format, wavFile, coded, draw.codec);
    const decoded = await decodeAudio(new Uint8Array(await fs.readFile(coded)), { file: coded });
    // Encoders delay the signal (MP3 by its decoder delay and padding): realign by cross-correlation, trim to length.
    return alignTo(decoded, signal);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** `decoded` shifted by the lag (0…4096 samples) that best matches `reference`, at its length and channel count. */
function alignTo(decoded: AudioSignal, reference: AudioSignal): AudioSignal {
  const x = decoded.channels[0], y = reference.channels[0];
  let best = 0, bestLag = 0;
  const span = Math.min(y.length, 5 * reference.sampleRate);
  for (let lag = 0; lag <= 4096; lag += 1) {
    let s = 0;
    for (let i = 0; i < span; i += 4) s += (x[i + lag] ?? 0) * y[i];
    if (s > best) { best = s; bestLag = lag; }
  }
  const channels = reference.channels.map((_, c) => {
    const src = decoded.channels[Math.min(c, decoded.channels.length - 1)], out = new Float32Array(y.length);
    out.set(src.subarray(bestLag, bestLag + y.length));
    return out;
  });
  return { sampleRate: reference.sampleRate, channels };
}

/** Piano programs a piece is played on, drawn per item: acoustic grand (half the items), bright, electric grand, honky-tonk. */
export const PIANO_PROGRAMS = [0, 0, 0, 1, 2, 3] as const;

/**
 * A solo-piano performance (data/piano.ts) rendered with a SoundFont's piano (program drawn from
 * PIANO_PROGRAMS), peak-normalised, and, with `chain`, recorded through a drawn chain (room, EQ,
 * compression, noise, level, codec where `codecDir` is given and the encoder is installed). `heard`:
 * the notes with offsets after the pedal (MAESTRO's convention), the transcription truth.
 */
export async function renderPianoPiece(seed: number, font: FontName, seconds: number, sampleRate: number, o: { readonly chain?: boolean; readonly codecDir?: string } = {}): Promise<{ dry: AudioSignal; recorded?: AudioSignal; song: Song; heard: Note[]; recording?: RecordingDraw }> {
  const program = PIANO_PROGRAMS[new Rng(seed * 31 + 7).int(0, PIANO_PROGRAMS.length - 1)];
  const song = composePianoPiece(seed, { durationSeconds: seconds, program });
  const length = Math.ceil((song.durationSeconds + 2) * sampleRate);
  const dry = normalise(await renderSong(song, font, sampleRate, length), sampleRate, length);
  const heard = pedalledNotes(song.parts[0]);
  if (!o.chain) return { dry, song, heard };
  const { draw, rng } = recordingDraw(seed);
  const used = o.codecDir === undefined ? { ...draw, codec: null } : draw;
  const chained = recordChain(dry, used, rng);
  const recorded = o.codecDir === undefined ? chained : await codecRoundTrip(o.codecDir, chained, used);
  return { dry, recorded, song, heard, recording: used };
}

async function makePianoItem(dir: string, seed: number, font: FontName, seconds: number, sampleRate: number, chain: boolean): Promise<ItemMeta> {
  const { dry, recorded, song, heard, recording } = await renderPianoPiece(seed, font, seconds, sampleRate, { chain, codecDir: dir });
  const piano = song.parts[0];
  await fs.mkdir(dir, { recursive: true });
  await writeStereo(path.join(dir, "piano.wav"), dry);
  if (recorded) await writeStereo(path.join(dir, "piano_recorded.wav"), recorded);
  await writeFileAtomic(path.join(dir, "piano.mid"), encodeMidi([piano]));
  await writeFileAtomic(path.join(dir, "notes.txt"), notesToMirEval(heard));
  await writeFileAtomic(path.join(dir, "notes_velocity.txt"), heard.map((n) => `${n.onset.toFixed(6)}\t${n.offset.toFixed(6)}\t${n.pitch}\t${n.velocity}`).join("\n") + "\n");
  return { ...meta(path.basename(dir), seed, font, song), ...(recording ? { recording } : {}) };
}

/** How a cover version is rendered beyond its transform (training sets draw more variety than `mirkit synth covers`). */
export interface CoverRenderOptions {
  /** Share of versions with a sung melody. */
  readonly sungShare: number;
  /** Engines a sung melody is drawn from (default festival). */
  readonly engines?: readonly SingingEngine[];
  /** Put the mixture through a drawn recording chain (room, EQ, compression, noise; no codec). */
  readonly chain?: boolean;
}

/**
 * Version `version` of work `work` (or a noise song when work is null), rendered in memory: the mixture
 * and its manifest entry. The work's seed is datasetSeed·100000 + work (noise: + 50000 + index).
 */
export async function renderCoverVersion(datasetSeed: number, work: number | null, version: number, index: number, fonts: readonly FontName[], seconds: number, sampleRate: number, o: CoverRenderOptions): Promise<{ mixture: AudioSignal; meta: Omit<CoverMeta, "name">; song: Song }> {
  const workSeed = work === null ? datasetSeed * 100000 + 50000 + index : datasetSeed * 100000 + work;
  const base = composeSong(workSeed, { durationSeconds: seconds });
  const rng = new Rng(workSeed * 17 + version);
  const t = work === null ? null : drawTransform(rng, version, base.parts[0].notes.map((n) => n.pitch), { sungShare: o.sungShare });
  const song = t ? makeVersion(base, t, workSeed * 10 + version) : base;
  const font = fonts[(work === null ? index : work + version) % fonts.length];
  const length = Math.ceil((song.durationSeconds + 1.5) * sampleRate);
  const engines = o.engines ?? ["festival"];
  const engine = engines[(workSeed + version) % engines.length];
  const stems = song.parts.some((p) => p.sung) ? (await renderSungSong(song, font, sampleRate, length, workSeed + version, engine)).stems : await renderSong(song, font, sampleRate, length);
  let mixture = normalise(stems, sampleRate, length);
  if (o.chain) {
    const crng = new Rng(workSeed * 13 + version * 7 + 3);
    mixture = recordChain(mixture, { ...drawRecording(crng), codec: null }, crng);
  }
  return { mixture, meta: { ...meta("", workSeed, font, song), work, version: work === null ? null : version, transform: t }, song };
}

/** One cover-set item written to `dir`: its mixture and melody notes. */
async function makeCoverItem(dir: string, datasetSeed: number, work: number | null, version: number, index: number, fonts: readonly FontName[], seconds: number, sampleRate: number, sungShare: number): Promise<CoverMeta> {
  const { mixture, meta: m, song } = await renderCoverVersion(datasetSeed, work, version, index, fonts, seconds, sampleRate, { sungShare });
  await fs.mkdir(dir, { recursive: true });
  await writeStereo(path.join(dir, "mixture.wav"), mixture);
  await writeFileAtomic(path.join(dir, "melody.notes.txt"), notesToMirEval(song.parts[0].notes));
  return { ...m, name: path.basename(dir) };
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
  /** Choir and separation: the engines singers are drawn from (default festival; separation: not soundfont). */
  readonly voices?: readonly ChoirEngine[];
  /** Separation only: share of songs without vocals (a lead instrument or a played melody instead). */
  readonly instrumental?: number;
  /** Choir only, not with Festival: sung contours (vibrato, scoops, portamento, drift) instead of held pitches. */
  readonly expressive?: boolean;
  /** Choir only: singers per item, drawn in [lo, hi] (1–6); default the four SATB parts. */
  readonly ensemble?: readonly [number, number];
  /** Multi only: pitched parts per item, drawn in [lo, hi] within 1–5 (default 2–5). */
  readonly parts?: readonly [number, number];
  /** Multi only: the programs parts are drawn from (default "train"; "held-out" programs never appear in training). */
  readonly instruments?: InstrumentSet;
  /** Choir: also write mixture_recorded.wav through a drawn recording chain; separation: record every song's stems and mixture through one. */
  readonly chain?: boolean;
  readonly onProgress?: DatasetProgress;
  /** Cancels between items. */
  readonly signal?: AbortSignal;
}

/** A separation, multi, piano or choir dataset (`mirkit synth <kind>`). */
export async function makeDataset(kind: Exclude<SynthKind, "covers">, o: DatasetOptions): Promise<void> {
  const voices = kind === "choir" || kind === "separation" ? o.voices ?? ["festival"] : undefined;
  if (voices?.includes("festival")) requireFestival();
  if (kind === "separation" && voices!.includes("soundfont")) throw new InvalidInputError("separation vocals are sung by festival, formant or speech, not soundfont");
  const instrumental = o.instrumental ?? 0;
  if (!(instrumental >= 0 && instrumental <= 1)) throw new InvalidInputError(`--instrumental must be a share between 0 and 1, got ${o.instrumental}`);
  if (voices?.includes("speech")) {
    const e = espeakAvailable();
    if (e !== true) throw new InvalidInputError(e);
  }
  if (o.expressive && voices?.includes("festival")) throw new InvalidInputError("expressive contours need --voices without festival (Festival sings the score's pitch)");
  if (o.ensemble && !(Number.isInteger(o.ensemble[0]) && Number.isInteger(o.ensemble[1]) && o.ensemble[0] >= 1 && o.ensemble[1] <= 6 && o.ensemble[0] <= o.ensemble[1])) {
    throw new InvalidInputError(`--singers must be a range within 1–6, like 1-6 or 3, got ${o.ensemble.join("-")}`);
  }
  if (o.parts && !(Number.isInteger(o.parts[0]) && Number.isInteger(o.parts[1]) && o.parts[0] >= 1 && o.parts[1] <= 5 && o.parts[0] <= o.parts[1])) {
    throw new InvalidInputError(`--parts must be a range within 1–5, like 2-5 or 3, got ${o.parts.join("-")}`);
  }
  if (o.instruments !== undefined && !(INSTRUMENT_SETS as readonly string[]).includes(o.instruments)) throw new InvalidInputError(`--instruments must be one of ${INSTRUMENT_SETS.join(", ")}, got "${o.instruments}"`);
  const make = (dir: string, seed: number, font: FontName): Promise<ItemMeta> => {
    if (kind === "separation") return makeSeparationItem(dir, seed, font, o.seconds, o.sampleRate, { engines: voices as SingingEngine[], instrumental, chain: o.chain === true });
    if (kind === "multi") return makeMultiItem(dir, seed, font, o.seconds, o.sampleRate, { parts: o.parts ?? [2, 5], instruments: o.instruments ?? "train", chain: o.chain === true });
    if (kind === "piano") return makePianoItem(dir, seed, font, o.seconds, o.sampleRate, o.chain === true);
    return makeChoirItem(dir, seed, font, o.seconds, o.sampleRate, { engines: voices!, expressive: o.expressive === true, ensemble: o.ensemble, chain: o.chain === true });
  };
  const header = {
    generator: "mirkit synth", version: annotationsVersion, kind, seed: o.seed, n: o.n, sampleRate: o.sampleRate, seconds: o.seconds, fonts: o.fonts,
    command: `mirkit synth ${kind} --n ${o.n} --seed ${o.seed} --seconds ${o.seconds} --rate ${o.sampleRate} --fonts ${o.fonts.join(",")}${o.voices ? ` --voices ${o.voices.join(",")}` : ""}${o.expressive ? " --expressive" : ""}${o.ensemble ? ` --singers ${o.ensemble[0]}-${o.ensemble[1]}` : ""}${kind === "multi" ? ` --parts ${(o.parts ?? [2, 5]).join("-")} --instruments ${o.instruments ?? "train"}` : ""}${o.instrumental ? ` --instrumental ${o.instrumental}` : ""}${o.chain ? " --chain" : ""} --out ${o.out}`,
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
