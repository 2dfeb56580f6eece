/**
 * The service's tasks: their options (one JSON schema each, shared by the API
 * and the workers) and how a job of each runs: an audio file in, files and a
 * JSON value out, in the job's folder. The same runner serves the embedded
 * queue's worker threads and the Redis workers.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { decodeEntry, encodeEntry, type LibraryEntry } from "../covers/library.js";
import { InvalidInputError, MirError } from "../errors.js";
import { formatRaggedTimeSeries } from "../eval/io.js";
import { writeFileAtomic } from "../io/file.js";
import type { MultipitchModel } from "../models/pitch/model.js";
import { INFORMED_SEPARATION_MODELS, type SeparationModel } from "../models/separation/model.js";
import { parseInformed } from "../lyrics/phonemes.js";
import type { CoverEmbedder } from "../models/covers/model.js";
import type { PianoTranscriber } from "../models/transcription/model.js";
import type { PartsTranscriber } from "../models/transcription/parts-model.js";
import { loadCoverEmbedder, loadMultipitchModel, loadPartsTranscriber, loadPianoTranscriber, loadSeparationModel, transcribePartsFile } from "../node.js";
import { COVERS_METHODS, coverEntry, queryLibrary, withCatalog, type CoversMethod } from "../tasks/covers.js";
import { f0ToNotes, formatNotes, voiceNotesToMidi } from "../tasks/f0-notes.js";
import { multipitchFile, separateFile, transcribeFile } from "../tasks/file-jobs.js";
import { partsToMidi } from "../tasks/instruments.js";
import { estimateTempo, notesToMidi } from "../tasks/transcribe.js";
import { withFileLock } from "./lock.js";

type OptionSchema = { readonly type: "string" | "number" | "integer" | "boolean"; readonly description: string; readonly enum?: readonly string[]; readonly minimum?: number; readonly maximum?: number; readonly exclusiveMinimum?: number; readonly exclusiveMaximum?: number; readonly maxLength?: number; readonly default?: unknown };

export interface TaskInfo {
  readonly description: string;
  readonly options: Readonly<Record<string, OptionSchema>>;
  /** Why the task cannot run in this build (its model does not ship yet). */
  readonly unavailable?: string;
  /** Needs the service's covers library (`--db`). */
  readonly library?: boolean;
}

/** The tasks clients may submit. */
export const TASKS = {
  separate: {
    description: "Singing voice and accompaniment stems (the shipped U-Net): results vocals.<format>, accompaniment.<format>. Informed by what is sung when: a multipart body with, beside \"audio\", a \"phonemes\" part (\"start end phoneme\" lines, or a Praat TextGrid) or a \"lyrics\" part (LRC), as a file or a text field; the shipped informed models run then.",
    options: {
      format: { type: "string", enum: ["wav", "flac"], default: "wav", description: "stem format: wav (32-bit float) or flac (16-bit)" },
      wiener: { type: "boolean", default: false, description: "refine the vocals with a multichannel Wiener post-filter" },
    },
  },
  multipitch: {
    description: "Every F0 per frame of a vocal ensemble: results multipitch.txt (mir_eval multipitch format), notes.mid (a track per voice), notes.json.",
    options: {
      threshold: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1, description: "peak-picking threshold on the salience (default: the model's)" },
    },
  },
  transcribe: {
    description: "Piano transcription (the shipped autoregressive note-state model): results notes.mid (one piano track, velocities, the estimated tempo), notes.txt (mir_eval: onset offset Hz velocity); value { tempoBpm, notes: [{ onset, offset, pitch, velocity }] }. With `instruments`, any ensemble split into parts (the multi-instrument model): notes.mid with a track per part, notes.part1.txt … (mir_eval, one per part); value { tempoBpm, parts, silhouette, notes: [{ onset, offset, pitch, velocity, part }] } (part 1 = the highest).",
    options: {
      tempo: { type: "number", minimum: 20, maximum: 300, description: "the tempo written in the MIDI header (default: estimated from the onsets)" },
      instruments: { type: "string", enum: ["1", "2", "3", "4", "5", "auto"], description: "multi-instrument transcription into this many parts (1–5), or auto (counted from the notes' embeddings)" },
      clustering: { type: "string", enum: ["embedding", "timbre"], description: "with instruments: the learned note embeddings (spherical k-means) or the timbre baseline (default embedding)" },
    },
  },
  "covers.add": {
    description: "Adds the recording's cover features to the service's library under `name` (a re-add of a name is skipped); value { name, added, total }.",
    options: { name: { type: "string", maxLength: 300, description: "the entry's name in the library (default: the upload's file name, else the job id)" } },
    library: true,
  },
  "covers.query": {
    description: "The library's entries nearest to the recording (two-stage: nearest by embedding, re-ranked by alignment); results matches.json, value the same list.",
    options: {
      top: { type: "integer", minimum: 1, maximum: 1000, default: 10, description: "how many matches" },
      candidates: { type: "integer", minimum: 1, maximum: 100000, description: "candidates re-ranked by alignment (default 50 for two-stage, 200 for alignment)" },
      method: { type: "string", enum: COVERS_METHODS, default: "two-stage", description: "two-stage (embedding index, then alignment re-ranking), embedding (the index alone), alignment (every entry; slow on big libraries)" },
    },
    library: true,
  },
} as const satisfies Record<string, TaskInfo>;

export type TaskName = keyof typeof TASKS;
/** Tasks the batch commands use (not offered by the API). */
export type InternalTask = "covers.extract";

export type JobOptions = Readonly<Record<string, string | number | boolean>>;

/** One job: what to run on which file, and where its results go. */
export interface JobSpec {
  readonly id: string;
  readonly task: TaskName | InternalTask;
  readonly options: JobOptions;
  /** The audio: a path relative to the store (an upload), or absolute (a batch job's input). */
  readonly input: string;
  /** The folder for results: relative to the store, or absolute. */
  readonly out: string;
  /** The covers library for covers.* tasks. */
  readonly db?: string;
  /** The upload's own file name, for messages and default names. */
  readonly name?: string;
  /** An informed separation's alignment, written beside the upload (a path like `input`); `name` for messages. */
  readonly alignment?: { readonly kind: "phonemes" | "lyrics"; readonly file: string; readonly name: string };
}

export interface JobFile {
  readonly name: string;
  readonly type: string;
}

export interface JobOutcome {
  /** Files in the job's `out` folder. */
  readonly files: readonly JobFile[];
  /** A JSON value (covers matches, a covers entry). */
  readonly value?: unknown;
}

/** The models a service's jobs use where not the shipped defaults (shipped names or .onnx files). */
export interface ModelNames { readonly separation?: string; readonly multipitch?: string; readonly covers?: string; readonly piano?: string; readonly parts?: string }

/** Models loaded once per worker and kept for its next jobs. */
export class ModelCache {
  private separation?: Promise<SeparationModel>;
  private multipitch?: Promise<MultipitchModel>;
  private covers?: Promise<CoverEmbedder>;
  private piano?: Promise<PianoTranscriber>;
  private parts?: Promise<PartsTranscriber>;
  private informed = new Map<"phonemes" | "lyrics", Promise<SeparationModel>>();
  constructor(private readonly names: ModelNames = {}) {}
  separationModel(): Promise<SeparationModel> {
    return (this.separation ??= loadSeparationModel(this.names.separation));
  }
  multipitchModel(): Promise<MultipitchModel> {
    return (this.multipitch ??= loadMultipitchModel(this.names.multipitch));
  }
  coverEmbedder(): Promise<CoverEmbedder> {
    return (this.covers ??= loadCoverEmbedder(this.names.covers));
  }
  pianoModel(): Promise<PianoTranscriber> {
    return (this.piano ??= loadPianoTranscriber(this.names.piano));
  }
  partsModel(): Promise<PartsTranscriber> {
    return (this.parts ??= loadPartsTranscriber(this.names.parts));
  }
  /** The shipped informed separation model for an alignment of this kind. */
  informedModel(kind: "phonemes" | "lyrics"): Promise<SeparationModel> {
    let m = this.informed.get(kind);
    if (m === undefined) this.informed.set(kind, (m = loadSeparationModel(INFORMED_SEPARATION_MODELS[kind])));
    return m;
  }
  async dispose(): Promise<void> {
    for (const m of [this.separation, this.multipitch, this.covers, this.piano, this.parts, ...this.informed.values()]) if (m) await (await m).dispose();
  }
}

export interface RunContext {
  /** The folder that relative `input` and `out` paths are in. */
  readonly store: string;
  readonly models: ModelCache;
  readonly onProgress?: (fraction: number) => void;
  readonly signal?: AbortSignal;
}

const TYPES: Record<string, string> = { ".wav": "audio/wav", ".flac": "audio/flac", ".mid": "audio/midi", ".json": "application/json", ".txt": "text/plain; charset=utf-8" };
export const contentType = (name: string): string => TYPES[path.extname(name)] ?? "application/octet-stream";

const file = (name: string): JobFile => ({ name, type: contentType(name) });
const lockFor = (db: string) => <T>(fn: () => Promise<T>) => withFileLock(db, fn);

/** Runs one job; its files go to `out`, made here. Errors in the input are MirErrors. */
export async function runJob(spec: JobSpec, ctx: RunContext): Promise<JobOutcome> {
  const input = path.resolve(ctx.store, spec.input), out = path.resolve(ctx.store, spec.out);
  const o = spec.options;
  const { onProgress, signal } = ctx;
  signal?.throwIfAborted();
  switch (spec.task) {
    case "separate": {
      const format = o.format === "flac" ? "flac" : "wav";
      const a = spec.alignment;
      const informed = a === undefined ? {} : parseInformed(a.kind, await fs.readFile(path.resolve(ctx.store, a.file), "utf8"), a.name);
      const model = a !== undefined ? await ctx.models.informedModel(a.kind) : await ctx.models.separationModel();
      const stems = await separateFile(input, out, { model, format, wiener: o.wiener === true, onProgress, signal, ...informed, alignmentName: a?.name });
      return { files: stems.map((s) => file(path.basename(s))) };
    }
    case "multipitch": {
      const f0 = await multipitchFile(input, { model: await ctx.models.multipitchModel(), threshold: typeof o.threshold === "number" ? o.threshold : undefined, onProgress, signal });
      const notes = f0ToNotes(f0.times, f0.freqs);
      await fs.mkdir(out, { recursive: true });
      await writeFileAtomic(path.join(out, "multipitch.txt"), formatRaggedTimeSeries(f0.times, f0.freqs));
      await writeFileAtomic(path.join(out, "notes.mid"), voiceNotesToMidi(notes));
      await writeFileAtomic(path.join(out, "notes.json"), JSON.stringify(notes));
      return { files: ["multipitch.txt", "notes.mid", "notes.json"].map(file) };
    }
    case "covers.extract":
      return { files: [], value: { entry: Buffer.from(encodeEntry(await coverEntry(input))).toString("base64") } };
    case "covers.add": {
      const db = libraryOf(spec);
      const name = typeof o.name === "string" && o.name !== "" ? o.name : spec.name ?? spec.id;
      const entry = { ...(await coverEntry(input)), path: name };
      onProgress?.(0.9);
      signal?.throwIfAborted();
      const embedder = await ctx.models.coverEmbedder();
      return { files: [], value: await withFileLock(db, () => addEntry(db, entry, embedder)) };
    }
    case "covers.query": {
      const db = libraryOf(spec);
      const matches = await queryLibrary(db, input, { top: Number(o.top ?? 10), candidates: o.candidates === undefined ? undefined : Number(o.candidates), method: (o.method ?? "two-stage") as CoversMethod, embedder: await ctx.models.coverEmbedder(), signal, lock: lockFor(db), onProgress: (_s, f) => onProgress?.(f) });
      await fs.mkdir(out, { recursive: true });
      await writeFileAtomic(path.join(out, "matches.json"), JSON.stringify(matches, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)));
      return { files: [file("matches.json")], value: matches };
    }
    case "transcribe": {
      if (typeof o.instruments === "string") {
        const found = await transcribePartsFile(input, { model: await ctx.models.partsModel(), instruments: o.instruments === "auto" ? "auto" : Number(o.instruments), method: o.clustering === "timbre" ? "timbre" : "embedding", onProgress, signal });
        const tempoBpm = typeof o.tempo === "number" ? o.tempo : estimateTempo(found.notes);
        await fs.mkdir(out, { recursive: true });
        await writeFileAtomic(path.join(out, "notes.mid"), partsToMidi(found.notes, found.parts, { tempoBpm }));
        const texts = Array.from({ length: found.parts }, (_, k) => `notes.part${k + 1}.txt`);
        for (const [k, name] of texts.entries()) await writeFileAtomic(path.join(out, name), formatNotes(found.notes.filter((n) => n.part === k), "mir_eval", { velocity: true }));
        const notes = found.notes.map((n) => ({ onset: n.onset, offset: n.offset, pitch: n.pitch, velocity: n.velocity, part: n.part + 1 }));
        return { files: ["notes.mid", ...texts].map(file), value: { tempoBpm, parts: found.parts, silhouette: found.silhouette, notes } };
      }
      const notes = await transcribeFile(input, { model: await ctx.models.pianoModel(), onProgress, signal });
      const tempoBpm = typeof o.tempo === "number" ? o.tempo : estimateTempo(notes);
      await fs.mkdir(out, { recursive: true });
      await writeFileAtomic(path.join(out, "notes.mid"), notesToMidi(notes, { tempoBpm }));
      await writeFileAtomic(path.join(out, "notes.txt"), formatNotes(notes, "mir_eval", { velocity: true }));
      return { files: ["notes.mid", "notes.txt"].map(file), value: { tempoBpm, notes } };
    }
    default:
      // A job from a newer client than this worker: not the input's fault, another worker may know it.
      throw new Error(`this worker does not know task "${String(spec.task)}"`);
  }
}

function libraryOf(spec: JobSpec): string {
  if (spec.db === undefined) throw new InvalidInputError(`task ${spec.task} needs a covers library: start the service with --db FILE`);
  return spec.db;
}

/** Appends `entry` unless the library holds its path; call under the library's lock. */
export async function addEntry(db: string, entry: LibraryEntry, embedder: CoverEmbedder): Promise<{ name: string; added: boolean; total: number }> {
  return withCatalog(db, embedder, {}, async (lib) => {
    const added = !lib.has(entry.path);
    if (added) await lib.add(entry);
    return { name: entry.path, added, total: lib.size };
  });
}

/** The entry a covers.extract job returned. */
export function extractedEntry(value: unknown, file: string): LibraryEntry {
  const b64 = (value as { entry?: unknown } | null)?.entry;
  if (typeof b64 !== "string") throw new MirError(`${file}: the worker returned no features`);
  return { ...decodeEntry(new Uint8Array(Buffer.from(b64, "base64"))), path: path.resolve(file) };
}
