/**
 * The covers library: one entry per recording (its path, duration, size,
 * cover features and, from format 2 on, its embedding), kept as checksummed
 * records in an append-only file (io/records.ts framing after the magic
 * "MKCOVER2"; "MKCOVER1" files are format 1, features only). Each payload is
 * a JSON line (path, durationSeconds, sizeBytes, nFrames, views[, embedding:
 * { model, dim }]) followed by float32 values, little-endian: HPCP, melody
 * and (views = 3) salience, nFrames × 12 each, then the embedding's dim
 * values. Pure encoding and the library over any RecordStore; the Node file
 * is io/record-log.ts, opened by tasks/covers.ts; the vector index beside it
 * is tasks/covers-catalog.ts.
 */
import { InvalidInputError } from "../errors.js";
import type { RecordStore } from "../io/records.js";
import type { CoverFeatures } from "./features.js";

/** Format 2: entries carry an embedding. */
export const MAGIC = new TextEncoder().encode("MKCOVER2");
/** Format 1 (features only): refused by readers of format 2, rewritten by `mirkit covers migrate`. */
export const MAGIC_V1 = new TextEncoder().encode("MKCOVER1");

/** A recording's embedding and the model that made it (its file name, e.g. "covers-256"). */
export interface StoredEmbedding {
  readonly model: string;
  readonly vector: Float32Array;
}

export interface LibraryEntry {
  readonly path: string;
  readonly durationSeconds: number;
  readonly sizeBytes: number;
  readonly features: CoverFeatures;
  readonly embedding?: StoredEmbedding;
}

/** An entry's record payload. */
export function encodeEntry(e: LibraryEntry): Uint8Array {
  const views = e.features.salience ? 3 : 2;
  const emb = e.embedding ? { model: e.embedding.model, dim: e.embedding.vector.length } : undefined;
  const head = new TextEncoder().encode(JSON.stringify({ path: e.path, durationSeconds: e.durationSeconds, sizeBytes: e.sizeBytes, nFrames: e.features.nFrames, views, ...(emb ? { embedding: emb } : {}) }) + "\n");
  const n = e.features.nFrames * 12;
  const payload = new Uint8Array(head.length + 4 * (views * n + (emb?.dim ?? 0)));
  payload.set(head, 0);
  const view = new DataView(payload.buffer);
  for (let i = 0; i < n; i++) view.setFloat32(head.length + 4 * i, e.features.hpcp[i], true);
  for (let i = 0; i < n; i++) view.setFloat32(head.length + 4 * (n + i), e.features.melody[i], true);
  if (e.features.salience) for (let i = 0; i < n; i++) view.setFloat32(head.length + 4 * (2 * n + i), e.features.salience[i], true);
  if (e.embedding) e.embedding.vector.forEach((v, i) => view.setFloat32(head.length + 4 * (views * n + i), v, true));
  return payload;
}

/** The entry of a record payload, validated: a record whose checksum holds may still carry nonsense. */
export function decodeEntry(payload: Uint8Array): LibraryEntry {
  const bad = (why: string) => new InvalidInputError(`a library record ${why}`);
  const nl = payload.indexOf(10);
  if (nl < 0) throw bad("has no JSON header line");
  let meta: { path?: unknown; durationSeconds?: unknown; sizeBytes?: unknown; nFrames?: unknown; views?: unknown; embedding?: { model?: unknown; dim?: unknown } };
  try {
    meta = JSON.parse(new TextDecoder().decode(payload.subarray(0, nl)));
  } catch {
    throw bad("has a header that is not JSON");
  }
  if (meta === null || typeof meta !== "object") throw bad("has a header that is not a JSON object");
  const { path, durationSeconds, sizeBytes, nFrames } = meta;
  const views = meta.views ?? 2;
  if (typeof path !== "string" || path === "") throw bad("has no path");
  if (typeof durationSeconds !== "number" || !(durationSeconds >= 0) || typeof sizeBytes !== "number" || !(sizeBytes >= 0)) throw bad(`for ${path} has a bad duration or size`);
  if (typeof nFrames !== "number" || !Number.isInteger(nFrames) || nFrames < 0) throw bad(`for ${path} has a bad frame count (${String(nFrames)})`);
  if (views !== 2 && views !== 3) throw bad(`for ${path} has ${String(views)} feature views; expected 2 or 3`);
  const emb = meta.embedding;
  if (emb !== undefined && (emb === null || typeof emb !== "object" || typeof emb.model !== "string" || typeof emb.dim !== "number" || !Number.isInteger(emb.dim) || emb.dim < 1)) throw bad(`for ${path} has a malformed embedding header`);
  const dim = emb ? (emb.dim as number) : 0;
  const n = nFrames * 12;
  if (nl + 1 + 4 * (views * n + dim) !== payload.length) throw bad(`for ${path} declares ${nFrames} frames${dim ? ` and a ${dim}-value embedding` : ""}, which do not fill its ${payload.length} bytes`);
  const pv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const read = (at: number, count: number) => {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const v = pv.getFloat32(nl + 1 + 4 * (at + i), true);
      if (!Number.isFinite(v)) throw bad(`for ${path} holds a non-finite value`);
      out[i] = v;
    }
    return out;
  };
  const features = { hpcp: read(0, n), melody: read(n, n), salience: views === 3 ? read(2 * n, n) : undefined, nFrames };
  return { path, durationSeconds, sizeBytes, features, ...(emb ? { embedding: { model: emb.model as string, vector: read(views * n, dim) } } : {}) };
}

/** What a reader skipped: a damaged stretch of the file, or a record whose contents are invalid. */
export interface LibraryDamage {
  readonly offset: number;
  readonly length: number;
  readonly reason: string;
}

/** Damage records for stretches of bytes that hold no intact record. */
export function damagedRegions(ranges: readonly { readonly offset: number; readonly length: number }[]): LibraryDamage[] {
  return ranges.map((r) => ({ ...r, reason: "damaged bytes (no intact record)" }));
}

/** The entries of intact records, with their records; records whose contents are invalid go to `invalid`. */
export function decodeRecords<R extends { readonly offset: number; readonly payload: Uint8Array }>(records: readonly R[]): { decoded: { entry: LibraryEntry; record: R }[]; invalid: LibraryDamage[] } {
  const decoded: { entry: LibraryEntry; record: R }[] = [], invalid: LibraryDamage[] = [];
  for (const record of records) {
    try {
      decoded.push({ entry: decodeEntry(record.payload), record });
    } catch (e) {
      invalid.push({ offset: record.offset, length: 8 + record.payload.length, reason: (e as Error).message });
    }
  }
  return { decoded, invalid };
}

/** Every record payload begins with these bytes (its JSON header). */
export const PAYLOAD_PREFIX = new TextEncoder().encode('{"path":');

/**
 * The entries of a store and appends to it; `has(path)` tells what is in.
 * Damaged regions and invalid records are skipped and listed in `damage`;
 * every intact entry is kept.
 */
export class CoversLibrary {
  private readonly list: LibraryEntry[] = [];
  private readonly paths: Set<string>;
  readonly damage: readonly LibraryDamage[];

  constructor(private readonly store: RecordStore) {
    const { decoded, invalid } = decodeRecords(store.scan.records);
    this.list.push(...decoded.map((d) => d.entry));
    const damage = [...damagedRegions(store.scan.damaged), ...invalid];
    this.damage = damage.sort((a, b) => a.offset - b.offset);
    this.paths = new Set(this.list.map((e) => e.path));
  }

  /** The payloads of the intact, valid records, in file order (what a repair keeps). */
  get intactPayloads(): Uint8Array[] {
    const damaged = new Set(this.damage.map((d) => d.offset));
    return this.store.scan.records.filter((r) => !damaged.has(r.offset)).map((r) => r.payload);
  }

  get entries(): readonly LibraryEntry[] {
    return this.list;
  }

  has(path: string): boolean {
    return this.paths.has(path);
  }

  /** Appends one entry (a crash loses at most the entry being written). */
  async add(entry: LibraryEntry): Promise<void> {
    await this.store.append(encodeEntry(entry));
    this.list.push(entry);
    this.paths.add(entry.path);
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
