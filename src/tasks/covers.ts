/**
 * Cover-song jobs over files (Node-only, exported from "mirkit/node"): add
 * recordings to a library file, query it, compare two recordings, evaluate
 * every view and the fusion on a synthetic covers dataset. The features,
 * distances, ranking and calibration are covers/ (browser-safe); this module
 * reads audio, opens the library and reports progress.
 */
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { coverFeatures, type CoverFeatures } from "../covers/features.js";
import { CoversLibrary, encodeEntry, MAGIC, MAGIC_V1, PAYLOAD_PREFIX, type LibraryDamage, type LibraryEntry } from "../covers/library.js";
import { calibrate, CALIBRATION, cosineDistance, pairDistances, profileDistance, rerankScores, stagedRanking, type PairDistances } from "../covers/rank.js";
import { alignmentDistance, fuseDistances } from "../covers/similarity.js";
import { InvalidInputError, MirError } from "../errors.js";
import { evaluateCovers, type CoverScores } from "../eval/covers.js";
import { toMono } from "../io/audio.js";
import { listAudioFiles, readAudioFile } from "../io/file.js";
import { RecordLog } from "../io/record-log.js";
import type { CoverEmbedder } from "../models/covers/model.js";
import { CoversCatalog, dropIndex, libraryFormat, V1_MESSAGE } from "./covers-catalog.js";

/** Progress of a job: its stage, the fraction done in it and the item at hand. */
export type CoversProgress = (stage: string, fraction: number, item: string) => void;

const LIBRARY = "mirkit covers library";

/**
 * Opens (or, for appending, prepares to create) a library file and reads all of it (repair, migration,
 * the alignment-only query; adds and two-stage queries go through the catalog, tasks/covers-catalog.ts);
 * damaged records are skipped and listed in `damage`. A format-1 file is refused with the command that
 * migrates it, unless `formatOne` asks for it (the migration itself).
 */
export async function openCoversLibrary(file: string, options: { readonly readOnly?: boolean; readonly formatOne?: boolean } = {}): Promise<CoversLibrary> {
  const format = await libraryFormat(file);
  if (format === 1 && !options.formatOne) throw new InvalidInputError(V1_MESSAGE(file), { file });
  return new CoversLibrary(await RecordLog.open(file, format === 1 ? MAGIC_V1 : MAGIC, { readOnly: options.readOnly, what: LIBRARY, prefix: PAYLOAD_PREFIX }));
}

/** Opens the catalog of `db` with `embedder`, runs `fn`, closes it. */
export async function withCatalog<T>(db: string, embedder: CoverEmbedder, options: { readonly readOnly?: boolean }, fn: (cat: CoversCatalog) => Promise<T>): Promise<T> {
  const cat = await CoversCatalog.open(db, embedder, options);
  try {
    return await fn(cat);
  } finally {
    await cat.close();
  }
}

/**
 * Rewrites a format-1 library (features only) as format 2 with an embedding per
 * entry, computed from the stored features (no audio needed), and builds its
 * index; the original is kept as `<db>.v1.bak`. A format-2 library gets its
 * index rebuilt (for the model given, or the shipped one).
 */
export async function migrateLibrary(db: string, options: { readonly embedder: CoverEmbedder; readonly onProgress?: CoversProgress }): Promise<{ entries: number; from: 1 | 2; backup?: string }> {
  const format = await libraryFormat(db);
  if (format === undefined) throw new InvalidInputError("no such library, or an empty one (nothing to migrate)", { file: db });
  const embedder = options.embedder;
  if (format === 1) {
    const old = await openCoversLibrary(db, { readOnly: true, formatOne: true });
    await old.close();
    const payloads: Uint8Array[] = [];
    for (const [i, e] of old.entries.entries()) {
      options.onProgress?.("covers migrate", i / old.entries.length, e.path);
      payloads.push(encodeEntry({ ...e, embedding: { model: embedder.name, vector: await embedder.embed(e.features) } }));
    }
    const backup = `${db}.v1.bak`;
    await RecordLog.rewrite(db, MAGIC, backup, payloads);
    await dropIndex(db);
    await (await CoversCatalog.open(db, embedder)).close();
    return { entries: payloads.length, from: 1, backup };
  }
  await dropIndex(db);
  const cat = await CoversCatalog.open(db, embedder, { rebuild: true });
  await cat.close();
  return { entries: cat.size, from: 2 };
}

/**
 * Rewrites a damaged library with its intact, valid records only; the
 * original is copied to `<db>.bak` first. Returns what was kept and dropped.
 */
export async function repairLibrary(db: string): Promise<{ kept: number; dropped: readonly LibraryDamage[]; backup: string }> {
  if (!existsSync(db)) throw new InvalidInputError("no such library", { file: db });
  const lib = await openCoversLibrary(db, { readOnly: true });
  await lib.close();
  const backup = `${db}.bak`;
  // Damaged regions and records whose checksum holds but whose contents are invalid are both dropped.
  const kept = lib.intactPayloads;
  await RecordLog.rewrite(db, MAGIC, backup, kept);
  await dropIndex(db); // record offsets changed
  return { kept: kept.length, dropped: lib.damage, backup };
}

/** A recording's library entry: its absolute path, duration, size and features. */
export async function coverEntry(file: string): Promise<LibraryEntry> {
  const audio = await readAudioFile(file);
  const st = await fs.stat(file);
  return { path: path.resolve(file), durationSeconds: audio.channels[0].length / audio.sampleRate, sizeBytes: st.size, features: coverFeatures(toMono(audio), audio.sampleRate) };
}

export interface AddResult {
  readonly added: number;
  readonly total: number;
  /** Files that could not be read or decoded: skipped, with the reason. */
  readonly failed: readonly { readonly file: string; readonly message: string }[];
  /** Damage found in the library when it was opened (skipped, kept on disk). */
  readonly damage: readonly LibraryDamage[];
}

/**
 * Adds the audio files of `inputs` (files, or folders walked recursively)
 * that the library does not hold yet, one record at a time: a crash loses at
 * most the file in progress, and a rerun resumes. A file that cannot be
 * decoded is skipped and listed in `failed`; the others are added.
 */
export async function addToLibrary(db: string, inputs: readonly string[], options: { readonly embedder: CoverEmbedder; readonly onProgress?: CoversProgress; readonly signal?: AbortSignal }): Promise<AddResult> {
  options.signal?.throwIfAborted();
  const files = await listAudioFiles(inputs);
  return withCatalog(db, options.embedder, {}, async (lib) => {
    const failed: { file: string; message: string }[] = [];
    let added = 0;
    const todo = files.filter((f) => !lib.has(path.resolve(f)));
    for (const [i, f] of todo.entries()) {
      options.signal?.throwIfAborted(); // between records: what is added stays added
      options.onProgress?.("covers add", i / Math.max(1, todo.length), path.basename(f));
      let entry: LibraryEntry;
      try {
        entry = await coverEntry(f);
      } catch (e) {
        if (!(e instanceof MirError)) throw e;
        failed.push({ file: f, message: e.message });
        continue;
      }
      await lib.add(entry);
      added++;
    }
    return { added, total: lib.size, failed, damage: lib.damage };
  });
}

/** Runs a read or write of the library file under a lock shared with other processes (the service's workers). */
export type LibraryLock = <T>(fn: () => Promise<T>) => Promise<T>;

export interface CoversMatch {
  readonly path: string;
  /**
   * Alignment and two-stage: the calibrated fused alignment distance, as `compareCovers` gives it for the
   * same pair (comparable with its threshold). Embedding: the cosine distance of the embeddings.
   */
  readonly distance: number;
  /** Whether `distance` is at or below its threshold (compare's, or the embedding model's calibrated one). */
  readonly cover: boolean;
  /** The score the results are ordered by (lower is closer); relative to this query's candidates. */
  readonly rankScore: number;
  /** NaN with the embedding method (no alignment computed). */
  readonly hpcpDistance: number;
  readonly melodyDistance: number;
  readonly salienceDistance: number;
  /** Cosine distance of the embeddings (NaN with the alignment method). */
  readonly embeddingDistance: number;
}

export type CoversMethod = "two-stage" | "embedding" | "alignment";
/** Candidates a two-stage query re-ranks by alignment (chosen on the validation split: docs/results.md). */
export const TWO_STAGE_CANDIDATES = 50;
export const COVERS_METHODS: readonly CoversMethod[] = ["two-stage", "embedding", "alignment"];

export interface QueryOptions {
  readonly top?: number;
  /** Candidates re-ranked by alignment (two-stage: nearest by embedding, default TWO_STAGE_CANDIDATES; alignment: by global profile, default 200). */
  readonly candidates?: number;
  readonly method?: CoversMethod;
  /** The embedding model (loadCoverEmbedder() from mirkit/node); the alignment method does not use it. */
  readonly embedder?: CoverEmbedder;
  readonly onDamage?: (damage: readonly LibraryDamage[]) => void;
  readonly onProgress?: CoversProgress;
  readonly signal?: AbortSignal;
  readonly lock?: LibraryLock;
}

/**
 * The library's entries nearest to `file`, closest first. "two-stage" (the
 * default): the `candidates` nearest by embedding (the vector index), then
 * re-ranked by the alignment views and the embedding distance, each
 * normalised by its median over the candidates and averaged. "embedding":
 * the index alone. "alignment": every entry's global profile keeps
 * `candidates`, re-ranked by alignment (reads the whole library).
 */
export async function queryLibrary(db: string, file: string, options: QueryOptions = {}): Promise<CoversMatch[]> {
  if (!existsSync(db)) throw new InvalidInputError("no such library (create it with mirkit covers add)", { file: db });
  if ((await libraryFormat(db)) === 1) throw new InvalidInputError(V1_MESSAGE(db), { file: db }); // before the query's features are computed
  const method = options.method ?? "two-stage";
  if (!COVERS_METHODS.includes(method)) throw new InvalidInputError(`unknown covers query method "${String(method)}"; use ${COVERS_METHODS.join(", ")}`);
  const lock = options.lock ?? ((fn) => fn());
  const top = options.top ?? 10;
  const damaged = (d: readonly LibraryDamage[]) => { if (d.length > 0) options.onDamage?.(d); };
  if (method === "alignment") {
    const lib = await lock(async () => {
      const l = await openCoversLibrary(db, { readOnly: true });
      await l.close();
      return l;
    });
    damaged(lib.damage);
    options.onProgress?.("covers query", 0, "features");
    const q = await coverEntry(file);
    options.signal?.throwIfAborted();
    options.onProgress?.("covers query", 0.3, "alignment");
    const entries = lib.entries;
    const pre = entries.map((e, i) => ({ i, d: profileDistance(q.features, e.features) })).sort((a, b) => a.d - b.d).slice(0, options.candidates ?? 200);
    return ranked(pre.map(({ i }) => ({ entry: entries[i], distance: NaN })), q.features, top, false);
  }
  const embedder = options.embedder;
  if (!embedder) throw new InvalidInputError(`covers query --method ${method} needs the cover embedding model`);
  options.onProgress?.("covers query", 0, "features");
  const q = await coverEntry(file);
  const qv = await embedder.embed(q.features);
  options.signal?.throwIfAborted();
  const k = method === "embedding" ? top : options.candidates ?? TWO_STAGE_CANDIDATES;
  const near = await lock(() => withCatalog(db, embedder, { readOnly: true }, async (cat) => {
    const n = await cat.nearest(qv, k);
    damaged(cat.damage);
    return n;
  }));
  if (method === "embedding") {
    return near.map((m) => ({ path: m.entry.path, distance: m.distance, cover: m.distance <= embedder.threshold, rankScore: m.distance, hpcpDistance: NaN, melodyDistance: NaN, salienceDistance: NaN, embeddingDistance: m.distance }));
  }
  options.onProgress?.("covers query", 0.3, "alignment");
  return ranked(near, q.features, top, true);

  function ranked(cands: readonly { entry: LibraryEntry; distance: number }[], qf: CoverFeatures, k: number, withEmbedding: boolean): CoversMatch[] {
    const pairs = cands.map((c) => pairDistances(qf, c.entry.features));
    const scores = rerankScores(pairs, withEmbedding ? [cands.map((c) => c.distance)] : []);
    options.onProgress?.("covers query", 1, "");
    return cands.map((c, i) => ({ c, d: pairs[i], score: scores[i] })).sort((a, b) => a.score - b.score).slice(0, k)
      .map(({ c, d, score }) => ({ path: c.entry.path, distance: d.fused, cover: d.fused <= CALIBRATION.threshold, rankScore: score, hpcpDistance: d.hpcp, melodyDistance: d.melody, salienceDistance: d.salience, embeddingDistance: c.distance }));
  }
}

export interface CoversComparison {
  /** Fused distance with the fixed calibration (CALIBRATION). */
  readonly distance: number;
  readonly hpcpDistance: number;
  readonly melodyDistance: number;
  readonly salienceDistance: number;
  readonly threshold: number;
  readonly cover: boolean;
}

/** The distance between two recordings and the cover / not-cover decision at the calibrated threshold. */
export async function compareCovers(a: string, b: string, options: { readonly onProgress?: CoversProgress; readonly signal?: AbortSignal } = {}): Promise<CoversComparison> {
  options.onProgress?.("covers compare", 0, "features");
  const [fa, fb] = await Promise.all([coverEntry(a), coverEntry(b)]);
  options.signal?.throwIfAborted();
  options.onProgress?.("covers compare", 0.5, "alignment");
  const d = pairDistances(fa.features, fb.features);
  return { distance: d.fused, hpcpDistance: d.hpcp, melodyDistance: d.melody, salienceDistance: d.salience, threshold: CALIBRATION.threshold, cover: d.fused <= CALIBRATION.threshold };
}

export interface CoversEvalResult {
  scores: Record<string, CoverScores>;
  items: number;
  queries: number;
  extractRealtime: number;
  pairs: number;
  pairSeconds: number;
  /** Per-view medians of the non-cover distances and the equal-error-rate threshold of the fused pair distance. */
  calibration: { scales: Record<string, number>; threshold: number; equalErrorRate: number };
}

const VIEW_NAMES = ["HPCP + Qmax", "HPCP + Dmax", "melody + Qmax", "multi-pitch salience + Qmax"] as const;

/**
 * MAP, MR1, P@10 and MRR of every view and of three fusions on a dataset made
 * by `mirkit synth covers` (manifest.json, <item>/mixture.wav), with the
 * calibration of single-pair decisions.
 */
export async function evaluateCoversDataset(dir: string, options: { readonly onProgress?: CoversProgress; readonly signal?: AbortSignal; readonly embedder?: CoverEmbedder; readonly candidates?: number } = {}): Promise<CoversEvalResult> {
  options.signal?.throwIfAborted();
  let manifest: { items: { name: string; work: number | null }[] };
  try {
    manifest = JSON.parse(await fs.readFile(path.join(dir, "manifest.json"), "utf8"));
  } catch {
    throw new InvalidInputError("no readable manifest.json (make the dataset with mirkit synth covers)", { file: dir });
  }
  const items = manifest.items;
  const feats: CoverFeatures[] = [];
  let audioSeconds = 0;
  const t0 = performance.now();
  for (const [i, it] of items.entries()) {
    options.signal?.throwIfAborted();
    options.onProgress?.("features", i / items.length, it.name);
    const a = await readAudioFile(path.join(dir, it.name, "mixture.wav"));
    audioSeconds += a.channels[0].length / a.sampleRate;
    feats.push(coverFeatures(toMono(a), a.sampleRate));
  }
  const extractSeconds = (performance.now() - t0) / 1000;
  const n = items.length;
  const views = VIEW_NAMES.map(() => new Float64Array(n * n));
  const t1 = performance.now();
  for (let q = 0; q < n; q++) {
    options.signal?.throwIfAborted();
    options.onProgress?.("pairs", q / n, "");
    for (let j = 0; j < n; j++) {
      if (j === q) continue;
      views[0][q * n + j] = alignmentDistance(feats[q].hpcp, feats[j].hpcp, "qmax");
      views[1][q * n + j] = alignmentDistance(feats[q].hpcp, feats[j].hpcp, "dmax");
      views[2][q * n + j] = alignmentDistance(feats[q].melody, feats[j].melody, "qmax");
      views[3][q * n + j] = alignmentDistance(feats[q].salience!, feats[j].salience!, "qmax");
    }
  }
  const pairSeconds = (performance.now() - t1) / 1000;
  const mats: Record<string, Float64Array> = Object.fromEntries(VIEW_NAMES.map((k, i) => [k, views[i]]));
  mats["fusion (HPCP Qmax + Dmax + melody)"] = fuseDistances([views[0], views[1], views[2]], n);
  mats["fusion (HPCP Qmax + melody)"] = fuseDistances([views[0], views[2]], n);
  mats["fusion (all four)"] = fuseDistances(views, n);
  const labels = items.map((it) => (it.work === null ? null : String(it.work)));
  const scores: Record<string, CoverScores> = {};
  for (const [k, m] of Object.entries(mats)) scores[k] = evaluateCovers(n, (i, j) => (Number.isFinite(m[i * n + j]) ? m[i * n + j] : 1e9), labels);
  // The embedding alone, and the two-stage query (its candidates re-ranked by the four views and the embedding distance).
  const embedder = options.embedder;
  if (embedder) {
    const emb: Float32Array[] = [];
    for (const f of feats) emb.push(await embedder.embed(f));
    const cos = (i: number, j: number) => cosineDistance(emb[i], emb[j]);
    scores[`embedding (${embedder.name})`] = evaluateCovers(n, cos, labels);
    const k = options.candidates ?? TWO_STAGE_CANDIDATES;
    const view = (q: number, j: number): PairDistances => ({ hpcp: views[0][q * n + j], hpcpDmax: views[1][q * n + j], melody: views[2][q * n + j], salience: views[3][q * n + j], fused: NaN });
    const rows = feats.map((_, q) => {
      const near = Array.from({ length: n }, (_, j) => j).filter((j) => j !== q).sort((a, b) => cos(q, a) - cos(q, b) || a - b).slice(0, k);
      return stagedRanking(n, q, near, near.map((j) => view(q, j)), [near.map((j) => cos(q, j))], (j) => cos(q, j));
    });
    scores[`two-stage (${embedder.name}, ${k} candidates)`] = evaluateCovers(n, (i, j) => rows[i][j], labels);
  }
  const cal = calibrate(views, n, labels);
  return {
    scores, items: n, queries: scores["HPCP + Qmax"].Queries, extractRealtime: audioSeconds / extractSeconds, pairs: n * (n - 1), pairSeconds,
    calibration: { scales: Object.fromEntries(VIEW_NAMES.map((k, i) => [k, cal.scales[i]])), threshold: cal.threshold, equalErrorRate: cal.equalErrorRate },
  };
}
