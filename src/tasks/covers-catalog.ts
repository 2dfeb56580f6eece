/**
 * The covers library at catalogue scale (Node-only): the append-only record
 * log (covers/library.ts, format 2: features and an embedding per
 * recording) is the truth; beside it, `<db>.index` (an HNSW vector index of
 * the embeddings, io/vector-index.ts, keyed by each record's byte offset)
 * and `<db>.index.json` (the model, how many bytes of the log the index
 * covers, the last covered record's offset and checksum, and the recordings'
 * paths) are a cache rebuilt from the log whenever they are missing, stale
 * or made by another model.
 *
 * Opening reads the index and only the log's bytes after what it covers
 * (what an interrupted `add` appended), so it costs the same at 100 or
 * 100k entries; a query reads its candidates' records by offset. An `add`
 * fsyncs the record first and updates the index after, so a `kill -9` never
 * loses a recording reported as added: the next open indexes it from the
 * log. Format-1 libraries (features only) are refused with the command that
 * migrates them.
 */
import { existsSync, promises as fs } from "node:fs";
import { damagedRegions, decodeEntry, decodeRecords, encodeEntry, MAGIC, MAGIC_V1, PAYLOAD_PREFIX, type LibraryDamage, type LibraryEntry } from "../covers/library.js";
import { InvalidInputError } from "../errors.js";
import { writeFileAtomic } from "../io/file.js";
import { readRecordAt, RecordLog, scanRange } from "../io/record-log.js";
import type { RecordScan } from "../io/records.js";
import { VectorIndex } from "../io/vector-index.js";
import type { CoverEmbedder } from "../models/covers/model.js";
import { crc32 } from "../crc32.js";

const LIBRARY = "mirkit covers library";
/** Save the index after this many adds (and at close): a crash costs re-indexing at most these from the log. */
const SAVE_EVERY = 500;

interface IndexMeta {
  readonly format: 1;
  readonly model: string;
  readonly dim: number;
  /** Log bytes the index covers (a record boundary). */
  readonly covered: number;
  /** The last covered record's offset and payload checksum (−1: none), to recognise the same log. */
  readonly lastOffset: number;
  readonly lastCrc: number;
  readonly paths: string[];
}

export const indexFiles = (db: string) => ({ index: `${db}.index`, meta: `${db}.index.json` });

/** Removes a library's index files (after the log was rewritten: offsets changed). */
export async function dropIndex(db: string): Promise<void> {
  const f = indexFiles(db);
  await fs.rm(f.index, { force: true });
  await fs.rm(f.meta, { force: true });
}

/** The format of a library file: 1, 2, or undefined when missing or empty; anything else is refused. */
export async function libraryFormat(db: string): Promise<1 | 2 | undefined> {
  if (!existsSync(db)) return undefined;
  const st = await fs.stat(db);
  if (!st.isFile()) throw new InvalidInputError(`is not a regular file (a ${LIBRARY} is one file)`, { file: db });
  if (st.size === 0) return undefined;
  const h = await fs.open(db, "r");
  const head = new Uint8Array(8);
  try { await h.read(head, 0, 8, 0); } finally { await h.close(); }
  const is = (m: Uint8Array) => m.every((b, i) => head[i] === b);
  if (is(MAGIC)) return 2;
  if (is(MAGIC_V1)) return 1;
  throw new InvalidInputError(`not a ${LIBRARY} (bad magic); refusing to touch it`, { file: db });
}

export const V1_MESSAGE = (db: string) => `is a format-1 ${LIBRARY} (features only, from mirkit before embeddings); run mirkit covers migrate --db ${db} to add embeddings from its stored features (no audio needed; the original is kept as ${db}.v1.bak)`;

async function readMeta(file: string): Promise<IndexMeta | undefined> {
  try {
    const m = JSON.parse(await fs.readFile(file, "utf8")) as IndexMeta;
    const ok = m.format === 1 && typeof m.model === "string" && Number.isInteger(m.dim) && Number.isInteger(m.covered) && Number.isInteger(m.lastOffset) && Number.isInteger(m.lastCrc) && Array.isArray(m.paths);
    return ok ? m : undefined;
  } catch {
    return undefined;
  }
}

export interface CatalogMatch {
  readonly entry: LibraryEntry;
  /** Cosine distance between the embeddings. */
  readonly distance: number;
}

export class CoversCatalog {
  private readonly paths: Set<string>;
  private dirty = 0;
  private covered: number;
  private last: { offset: number; crc: number };
  /** Damaged parts of the log met so far (at open, or reading a candidate). */
  readonly damage: LibraryDamage[];

  private constructor(
    readonly db: string,
    private readonly log: RecordLog,
    private readonly index: VectorIndex,
    readonly embedder: CoverEmbedder,
    paths: string[],
    covered: number,
    last: { offset: number; crc: number },
    damage: LibraryDamage[],
    private readonly readOnly: boolean,
  ) {
    this.paths = new Set(paths);
    this.covered = covered;
    this.last = last;
    this.damage = damage;
  }

  /**
   * Opens `db` (created on the first add unless `readOnly`), its index
   * brought up to date with the log: what the index covers is trusted when
   * the last covered record is where the index says, with its checksum;
   * otherwise, and for another model, the index is rebuilt from the log.
   */
  static async open(db: string, embedder: CoverEmbedder, options: { readonly readOnly?: boolean; /** Ignore the index files (rebuild from the log). */ readonly rebuild?: boolean } = {}): Promise<CoversCatalog> {
    const readOnly = options.readOnly === true;
    if (readOnly && !existsSync(db)) throw new InvalidInputError("no such library (create it with mirkit covers add)", { file: db });
    const format = await libraryFormat(db);
    if (format === 1) throw new InvalidInputError(V1_MESSAGE(db), { file: db });
    const files = indexFiles(db);
    let meta = format === 2 && !options.rebuild ? await readMeta(files.meta) : undefined;
    if (!(meta && meta.model === embedder.name && meta.dim === embedder.dim && existsSync(files.index) && (await trustedPrefix(db, meta)))) meta = undefined;
    const from = meta?.covered ?? MAGIC.length;
    const log = await RecordLog.open(db, MAGIC, { readOnly, what: LIBRARY, prefix: PAYLOAD_PREFIX, from });
    // A read-only open with nothing new to index maps the index file (instant at any size); otherwise it is read to grow.
    const view = readOnly && log.scan.records.length === 0;
    let index = meta ? await VectorIndex.load(files.index, embedder.dim, { view }).catch(() => undefined) : undefined;
    if (!index) {
      if (meta) {
        await log.close();
        return CoversCatalog.open(db, embedder, { ...options, rebuild: true }); // an unreadable index file
      }
      index = VectorIndex.create(embedder.dim);
    }
    const cat = new CoversCatalog(db, log, index, embedder, [...(meta?.paths ?? [])], from, { offset: meta?.lastOffset ?? -1, crc: meta?.lastCrc ?? 0 }, damagedRegions(log.scan.damaged), readOnly);
    // Index what the log holds past the index (a crash's leftovers, or everything on a rebuild).
    await cat.indexRecords(log.scan.records);
    return cat;
  }

  private async indexRecords(records: RecordScan["records"]): Promise<void> {
    const { decoded, invalid } = decodeRecords(records);
    this.damage.push(...invalid);
    for (const { entry, record } of decoded) await this.indexEntry(entry, record.offset, record.payload);
  }

  get size(): number {
    return this.paths.size;
  }

  has(path: string): boolean {
    return this.paths.has(path);
  }

  /** The embedding this catalog's model gives an entry: the stored one when that model made it. */
  private async embeddingOf(e: LibraryEntry): Promise<Float32Array> {
    return e.embedding?.model === this.embedder.name && e.embedding.vector.length === this.embedder.dim ? e.embedding.vector : this.embedder.embed(e.features);
  }

  private async indexEntry(e: LibraryEntry, offset: number, payload: Uint8Array): Promise<void> {
    this.index.add([offset], await this.embeddingOf(e));
    this.paths.add(e.path);
    this.covered = offset + 8 + payload.length;
    this.last = { offset, crc: crc32(payload) };
    this.dirty++;
  }

  /** Appends a recording (its embedding computed here when it has none from this model), then indexes it. */
  async add(entry: LibraryEntry): Promise<void> {
    const vector = await this.embeddingOf(entry);
    const full: LibraryEntry = { ...entry, embedding: { model: this.embedder.name, vector } };
    const payload = encodeEntry(full);
    const offset = await this.log.append(payload);
    if (offset > this.covered) {
      // Records another process appended since this catalog read the log (or damaged bytes left in place): index them first,
      // so that everything before `covered` is indexed.
      const between = await scanRange(this.db, this.covered, offset, PAYLOAD_PREFIX);
      this.damage.push(...damagedRegions(between.damaged));
      await this.indexRecords(between.records);
    }
    await this.indexEntry(full, offset, payload);
    if (this.dirty >= SAVE_EVERY) await this.save();
  }

  /** The `k` entries nearest to an embedding, nearest first (records read by offset; damaged ones skipped and listed in `damage`). */
  async nearest(vector: Float32Array, k: number): Promise<CatalogMatch[]> {
    const found = this.index.search(vector, k);
    const payloads = await Promise.all(found.map((m) => this.log.readAt(m.key))); // in parallel: the reads are the stage's cost
    const out: CatalogMatch[] = [];
    found.forEach((m, i) => {
      let entry: LibraryEntry | undefined;
      try {
        entry = payloads[i] && decodeEntry(payloads[i]!);
      } catch {
        entry = undefined;
      }
      if (entry) out.push({ entry, distance: m.distance });
      else this.damage.push({ offset: m.key, length: 0, reason: "an indexed record no longer reads back intact" });
    });
    return out;
  }

  /** Writes the index and its meta (index first: a crash between leaves an index ahead of its meta, which the next open tolerates). */
  async save(): Promise<void> {
    if (this.dirty === 0) return;
    const files = indexFiles(this.db);
    await this.index.save(files.index);
    const meta: IndexMeta = { format: 1, model: this.embedder.name, dim: this.embedder.dim, covered: this.covered, lastOffset: this.last.offset, lastCrc: this.last.crc, paths: [...this.paths] };
    await writeFileAtomic(files.meta, JSON.stringify(meta));
    this.dirty = 0;
  }

  /** Saves the index when it changed (a read-only open too: the index is a cache; where it cannot be written, the next open rebuilds it again). */
  async close(): Promise<void> {
    await this.log.close();
    if (!existsSync(this.db)) return;
    try {
      await this.save();
    } catch (e) {
      if (!this.readOnly) throw e;
    }
  }
}

/** Whether the log still holds, at the meta's last offset, the record the meta describes, ending where the meta says. */
async function trustedPrefix(db: string, meta: IndexMeta): Promise<boolean> {
  if (meta.lastOffset < 0) return meta.covered === MAGIC.length;
  const payload = await readRecordAt(db, meta.lastOffset);
  return payload !== undefined && crc32(payload) === meta.lastCrc && meta.lastOffset + 8 + payload.length === meta.covered;
}
