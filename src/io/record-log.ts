/**
 * Node-only: an append-only file of checksummed records (io/records.ts).
 * Opening reads the file once and keeps it open; a writer cuts off a torn
 * tail (what a crash mid-append leaves) and nothing else: damaged regions
 * elsewhere stay as they are, skipped by readers and reported. Each append
 * writes one record and fsyncs it, so a record is either wholly there or not
 * at all, and appending reads nothing of what is already stored. `rewrite`
 * replaces the file by chosen records (a repair), keeping the original.
 */
import { existsSync, promises as fs, readSync } from "node:fs";
import * as path from "node:path";
import { InvalidInputError } from "../errors.js";
import { crc32 } from "../crc32.js";
import { regularFileSize, writeFileAtomic } from "./file.js";
import { frameRecord, hasMagic, logBytes, scanRecords, type PayloadPrefix, type RecordScan, type RecordStore } from "./records.js";

export interface RecordLogOptions {
  readonly readOnly?: boolean;
  /** The kind of file, for messages ("mirkit covers library"). */
  readonly what: string;
  /** Bytes every payload begins with (see scanRecords). */
  readonly prefix?: PayloadPrefix;
  /**
   * Read only from this offset on (a record boundary the caller knows, e.g.
   * the end of what an index already holds): the scan then lists the records
   * after it, and a catalogue of any size opens in time proportional to
   * what is new. Default: right after the magic (the whole file).
   */
  readonly from?: number;
}


const EMPTY: RecordScan = { records: [], damaged: [], tornTail: undefined };

export class RecordLog implements RecordStore {
  private handle: fs.FileHandle | undefined;
  /** Whether the file holds its magic yet (a missing or 0-byte file gets it on the first append). */
  private started: boolean;

  private constructor(
    readonly file: string,
    private readonly magic: Uint8Array,
    readonly scan: RecordScan,
    private readonly readOnly: boolean,
    /** Bytes this log read from the file: all of them at open, none after. */
    readonly bytesRead: number,
  ) {
    this.started = bytesRead > 0;
  }

  /**
   * Opens `file` for reading and, unless `readOnly`, appending. A missing or
   * empty file reads as empty and gets `magic` on the first append. A file
   * with another magic is refused and left untouched.
   */
  static async open(file: string, magic: Uint8Array, options: RecordLogOptions): Promise<RecordLog> {
    const readOnly = options.readOnly === true;
    if (!existsSync(file)) {
      const dir = path.dirname(file);
      if (!readOnly && !existsSync(dir)) throw new InvalidInputError(`cannot create it: the folder ${dir} does not exist`, { file });
      return new RecordLog(file, magic, EMPTY, readOnly, 0);
    }
    const from = options.from ?? magic.length;
    let scan: RecordScan, size: number;
    if (from <= magic.length) {
      const bytes = await RecordLog.readChecked(file, magic, options.what);
      size = bytes.length;
      scan = bytes.length === 0 ? EMPTY : scanRecords(bytes, magic.length, options.prefix);
    } else {
      const head = await RecordLog.readChecked(file, magic, options.what, magic.length);
      size = (await fs.stat(file)).size;
      if (head.length === 0 || from > size) throw new InvalidInputError(`is shorter (${size} bytes) than the ${from} bytes its index covers`, { file });
      scan = await scanRange(file, from, size, options.prefix);
    }
    const log = new RecordLog(file, magic, scan, readOnly, size);
    if (!readOnly && scan.tornTail !== undefined) await fs.truncate(file, scan.tornTail.offset);
    return log;
  }

  /**
   * Replaces `file` (atomically) by a log holding `payloads` only, after
   * copying the original to `backup`: the repair of a damaged log, whose
   * caller chose the payloads to keep from what it read.
   */
  static async rewrite(file: string, magic: Uint8Array, backup: string, payloads: readonly Uint8Array[]): Promise<void> {
    await fs.copyFile(file, backup);
    await writeFileAtomic(file, logBytes(magic, payloads));
  }

  /** The file's bytes (or its first `limit` bytes), after checking it is a regular file with `magic`. */
  private static async readChecked(file: string, magic: Uint8Array, what: string, limit?: number): Promise<Uint8Array> {
    await regularFileSize(file, `a ${what}`);
    const bytes = limit === undefined ? new Uint8Array(await fs.readFile(file)) : await readRange(file, 0, limit);
    if (bytes.length > 0 && !hasMagic(bytes, magic)) throw new InvalidInputError(`not a ${what} (bad magic); refusing to touch it`, { file });
    return bytes;
  }

  /** Appends one record and fsyncs it; returns the offset of its header (the file's length before it, which other writers may have moved). */
  async append(payload: Uint8Array): Promise<number> {
    if (this.readOnly) throw new InvalidInputError("opened read-only; cannot append", { file: this.file });
    this.handle ??= await fs.open(this.file, "a");
    if (!this.started) {
      await this.handle.write(this.magic);
      this.started = true;
    }
    const offset = (await this.handle.stat()).size;
    const framed = frameRecord(payload);
    await this.handle.write(framed);
    await this.handle.sync();
    return offset;
  }

  /** The payload of the record whose header is at `offset`, if a whole, intact one is there (random access: a catalogue's candidates). */
  async readAt(offset: number): Promise<Uint8Array | undefined> {
    this.reader ??= fs.open(this.file, "r"); // the promise, so that concurrent calls share one handle
    return recordAt(await this.reader, offset);
  }

  /** A handle kept open for `readAt` (a query reads tens of records). */
  private reader: Promise<fs.FileHandle> | undefined;

  async close(): Promise<void> {
    await this.handle?.close();
    if (this.reader) await (await this.reader).close();
    this.handle = this.reader = undefined;
  }
}

/** Up to `length` bytes of `file` from `offset` (fewer at its end). */
/** The records of `file` between two offsets (`from` a record boundary), with absolute offsets. */
export async function scanRange(file: string, from: number, to: number, prefix?: PayloadPrefix): Promise<RecordScan> {
  const s = scanRecords(await readRange(file, from, Math.max(0, to - from)), 0, prefix);
  const shift = <T extends { offset: number }>(r: T): T => ({ ...r, offset: r.offset + from });
  return { records: s.records.map(shift), damaged: s.damaged.map(shift), tornTail: s.tornTail && shift(s.tornTail) };
}

/** The payload of the record whose header is at `offset` of `file`, if a whole, intact one is there. */
export async function readRecordAt(file: string, offset: number): Promise<Uint8Array | undefined> {
  const h = await fs.open(file, "r");
  try {
    return await recordAt(h, offset);
  } finally {
    await h.close();
  }
}

/** Synchronous reads: a record is a few kB, and a query reads tens of them (≈ 10 µs each, against ≈ 100 µs through the thread pool). */
async function recordAt(h: fs.FileHandle, offset: number): Promise<Uint8Array | undefined> {
  const head = new Uint8Array(8);
  if (readSync(h.fd, head, 0, 8, offset) < 8) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, 8);
  const len = view.getUint32(0, true);
  const payload = new Uint8Array(len);
  let got = 0;
  while (got < len) {
    const r = readSync(h.fd, payload, got, len - got, offset + 8 + got);
    if (r === 0) break;
    got += r;
  }
  if (got !== len) return undefined;
  if (crc32(payload) !== view.getUint32(4, true)) return undefined;
  return payload;
}

/** Up to `length` bytes of `file` from `offset` (fewer at its end). */
async function readRange(file: string, offset: number, length: number): Promise<Uint8Array> {
  const h = await fs.open(file, "r");
  try {
    return await readFrom(h, offset, length);
  } finally {
    await h.close();
  }
}

async function readFrom(h: fs.FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await h.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}
