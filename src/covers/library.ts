/**
 * The covers library: one entry per recording (its path, duration, size and
 * cover features), kept as checksummed records in an append-only file
 * (io/records.ts framing after the magic "MKCOVER1"). Each payload is a JSON
 * line (path, durationSeconds, sizeBytes, nFrames, views) followed by the
 * float32 features, little-endian: HPCP, melody and (views = 3) salience,
 * nFrames × 12 each. Pure encoding and the library over any RecordStore; the
 * Node file is io/record-log.ts, opened by tasks/covers.ts.
 */
import type { RecordStore } from "../io/records.js";
import type { CoverFeatures } from "./features.js";

export const MAGIC = new TextEncoder().encode("MKCOVER1");

export interface LibraryEntry {
  readonly path: string;
  readonly durationSeconds: number;
  readonly sizeBytes: number;
  readonly features: CoverFeatures;
}

/** An entry's record payload. */
export function encodeEntry(e: LibraryEntry): Uint8Array {
  const views = e.features.salience ? 3 : 2;
  const head = new TextEncoder().encode(JSON.stringify({ path: e.path, durationSeconds: e.durationSeconds, sizeBytes: e.sizeBytes, nFrames: e.features.nFrames, views }) + "\n");
  const n = e.features.nFrames * 12;
  const payload = new Uint8Array(head.length + 4 * views * n);
  payload.set(head, 0);
  const view = new DataView(payload.buffer);
  for (let i = 0; i < n; i++) view.setFloat32(head.length + 4 * i, e.features.hpcp[i], true);
  for (let i = 0; i < n; i++) view.setFloat32(head.length + 4 * (n + i), e.features.melody[i], true);
  if (e.features.salience) for (let i = 0; i < n; i++) view.setFloat32(head.length + 4 * (2 * n + i), e.features.salience[i], true);
  return payload;
}

/** The entry of a record payload. */
export function decodeEntry(payload: Uint8Array): LibraryEntry {
  const nl = payload.indexOf(10);
  const meta = JSON.parse(new TextDecoder().decode(payload.subarray(0, nl))) as { path: string; durationSeconds: number; sizeBytes: number; nFrames: number; views?: number };
  const n = meta.nFrames * 12;
  const pv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const hpcp = Float32Array.from({ length: n }, (_, i) => pv.getFloat32(nl + 1 + 4 * i, true));
  const melody = Float32Array.from({ length: n }, (_, i) => pv.getFloat32(nl + 1 + 4 * (n + i), true));
  const salience = (meta.views ?? 2) >= 3 ? Float32Array.from({ length: n }, (_, i) => pv.getFloat32(nl + 1 + 4 * (2 * n + i), true)) : undefined;
  return { path: meta.path, durationSeconds: meta.durationSeconds, sizeBytes: meta.sizeBytes, features: { hpcp, melody, salience, nFrames: meta.nFrames } };
}

/** The entries of a store and appends to it; `has(path)` tells what is in. */
export class CoversLibrary {
  private readonly list: LibraryEntry[];
  private readonly paths: Set<string>;

  constructor(private readonly store: RecordStore) {
    this.list = store.payloads.map(decodeEntry);
    this.paths = new Set(this.list.map((e) => e.path));
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
