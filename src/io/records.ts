/**
 * Checksummed records, the framing of mirkit's append-only files (the covers
 * library): after a file's magic, each record is [length u32 LE][crc32 u32
 * LE][payload].
 *
 * Recovery (docs/covers-library.md): a crash mid-append leaves at most one
 * incomplete record at the end, a *torn tail*: its header is cut short or
 * its length runs past the end of the file. A writer may cut a torn tail,
 * and nothing else. Damage anywhere else (a flipped byte, a bad length) makes
 * a *damaged region*: the reader skips it by searching for the next place
 * where a whole record checks out (length within the file, CRC equal), keeps
 * every intact record on either side, and reports the region; no writer
 * removes it (only an explicit repair does, keeping the original).
 * Pure functions here (browser-safe); the Node file is io/record-log.ts.
 */
import { crc32 } from "../crc32.js";

/** Where records are kept: what was read when opened, and appends. */
export interface RecordStore {
  /** The scan made when the store was opened (appends are not added). */
  readonly scan: RecordScan;
  /** Appends a record; returns the offset of its header. */
  append(payload: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

/** One record: header and payload. */
export function frameRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(4, crc32(payload), true);
  out.set(payload, 8);
  return out;
}

/** A stretch of bytes that holds no intact record. */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

export interface RecordScan {
  /** Intact records in file order, with the offset of each header (payloads are views into the bytes). */
  readonly records: readonly { readonly offset: number; readonly payload: Uint8Array }[];
  /** Damaged regions between intact records (or before the tail), skipped. */
  readonly damaged: readonly ByteRange[];
  /** An incomplete last record (what a crash mid-append leaves), if any. */
  readonly tornTail: ByteRange | undefined;
}

/** Every payload begins with these bytes (a cheap test before a checksum, when resynchronising). */
export type PayloadPrefix = Uint8Array;

/** The record at `off`, if a whole one checks out there. */
function recordAt(bytes: Uint8Array, view: DataView, off: number, prefix: PayloadPrefix): Uint8Array | undefined {
  if (off + 8 > bytes.length) return undefined;
  const len = view.getUint32(off, true);
  if (off + 8 + len > bytes.length || len < prefix.length) return undefined;
  for (let i = 0; i < prefix.length; i++) if (bytes[off + 8 + i] !== prefix[i]) return undefined;
  const payload = bytes.subarray(off + 8, off + 8 + len);
  return crc32(payload) === view.getUint32(off + 4, true) ? payload : undefined;
}

/**
 * Every intact record from byte `start` on, the damaged regions skipped, and
 * a torn tail. `prefix`: bytes every payload begins with, which makes
 * resynchronising cost a checksum only where a record can start.
 */
export function scanRecords(bytes: Uint8Array, start: number, prefix: PayloadPrefix = new Uint8Array(0)): RecordScan {
  const records: { offset: number; payload: Uint8Array }[] = [];
  const damaged: ByteRange[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = start;
  while (off < bytes.length) {
    const payload = recordAt(bytes, view, off, prefix);
    if (payload !== undefined) {
      records.push({ offset: off, payload });
      off += 8 + payload.length;
      continue;
    }
    // No record here: resynchronise on the next offset where a whole record checks out.
    let next = off + 1;
    while (next < bytes.length && recordAt(bytes, view, next, prefix) === undefined) next++;
    if (next >= bytes.length) {
      // Nothing intact follows. A header cut short, or a length running past the end, is what an
      // interrupted append leaves; anything else (a whole record with a bad checksum) is damage.
      const torn = off + 8 > bytes.length || off + 8 + view.getUint32(off, true) > bytes.length;
      if (torn) return { records, damaged, tornTail: { offset: off, length: bytes.length - off } };
      damaged.push({ offset: off, length: bytes.length - off });
      break;
    }
    damaged.push({ offset: off, length: next - off });
    off = next;
  }
  return { records, damaged, tornTail: undefined };
}

/** A whole log: the magic, then each payload framed. */
export function logBytes(magic: Uint8Array, payloads: readonly Uint8Array[]): Uint8Array {
  return concatBytes([magic, ...payloads.map(frameRecord)]);
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Whether `bytes` begins with `magic`. */
export function hasMagic(bytes: Uint8Array, magic: Uint8Array): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** A store in memory (tests, browsers): `bytes` holds the file as it would be on disk. */
export class MemoryRecordStore implements RecordStore {
  readonly scan: RecordScan;
  private parts: Uint8Array[];
  constructor(magic: Uint8Array, bytes: Uint8Array = magic, prefix?: PayloadPrefix) {
    this.scan = scanRecords(bytes, magic.length, prefix);
    this.parts = [bytes.slice()];
  }
  async append(payload: Uint8Array): Promise<number> {
    const offset = this.parts.reduce((n, p) => n + p.length, 0);
    this.parts.push(frameRecord(payload));
    return offset;
  }
  async close(): Promise<void> {}
  /** The file's bytes as they stand. */
  get bytes(): Uint8Array {
    return concatBytes(this.parts);
  }
}
