/**
 * Checksummed records, the framing of mirkit's append-only files (the covers
 * library): after a file's magic, each record is [length u32 LE][crc32 u32
 * LE][payload]. A crash mid-append leaves at most one incomplete record at
 * the end; a reader stops at the first record whose length or checksum does
 * not check out, and everything before it is intact. Pure functions here
 * (browser-safe); the Node file that appends them is io/record-log.ts.
 */
import { crc32 } from "../crc32.js";

/** Where records are kept: the payloads read when opened, and appends. */
export interface RecordStore {
  /** Payloads of the intact records, in file order, as read when the store was opened (appends are not added). */
  readonly payloads: readonly Uint8Array[];
  append(payload: Uint8Array): Promise<void>;
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

/** The records from byte `start` on (payloads are views into `bytes`); `validBytes` is where the intact part ends. */
export function scanRecords(bytes: Uint8Array, start: number): { payloads: Uint8Array[]; validBytes: number } {
  const payloads: Uint8Array[] = [];
  if (bytes.length < start) return { payloads, validBytes: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = start;
  while (off + 8 <= bytes.length) {
    const len = view.getUint32(off, true), crc = view.getUint32(off + 4, true);
    if (off + 8 + len > bytes.length) break;
    const payload = bytes.subarray(off + 8, off + 8 + len);
    if (crc32(payload) !== crc) break;
    payloads.push(payload);
    off += 8 + len;
  }
  return { payloads, validBytes: off };
}

/** Whether `bytes` begins with `magic`. */
export function hasMagic(bytes: Uint8Array, magic: Uint8Array): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** A store in memory (tests, browsers): `bytes` holds the file as it would be on disk. */
export class MemoryRecordStore implements RecordStore {
  readonly payloads: readonly Uint8Array[];
  private parts: Uint8Array[];
  constructor(magic: Uint8Array, bytes: Uint8Array = magic) {
    this.payloads = scanRecords(bytes, magic.length).payloads;
    this.parts = [bytes.slice()];
  }
  async append(payload: Uint8Array): Promise<void> {
    this.parts.push(frameRecord(payload));
  }
  async close(): Promise<void> {}
  /** The file's bytes as they stand. */
  get bytes(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}
