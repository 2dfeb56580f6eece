/**
 * Node-only: an append-only file of checksummed records (io/records.ts).
 * Opening reads the file once and keeps it open; a writer cuts off a torn
 * tail (what a crash mid-append leaves) and nothing else: damaged regions
 * elsewhere stay as they are, skipped by readers and reported. Each append
 * writes one record and fsyncs it, so a record is either wholly there or not
 * at all, and appending reads nothing of what is already stored. `rewrite`
 * replaces the file by chosen records (a repair), keeping the original.
 */
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { InvalidInputError } from "../errors.js";
import { regularFileSize, writeFileAtomic } from "./file.js";
import { frameRecord, hasMagic, logBytes, scanRecords, type PayloadPrefix, type RecordScan, type RecordStore } from "./records.js";

export interface RecordLogOptions {
  readonly readOnly?: boolean;
  /** The kind of file, for messages ("mirkit covers library"). */
  readonly what: string;
  /** Bytes every payload begins with (see scanRecords). */
  readonly prefix?: PayloadPrefix;
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
    const bytes = await RecordLog.readChecked(file, magic, options.what);
    const scan = bytes.length === 0 ? EMPTY : scanRecords(bytes, magic.length, options.prefix);
    const log = new RecordLog(file, magic, scan, readOnly, bytes.length);
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

  private static async readChecked(file: string, magic: Uint8Array, what: string): Promise<Uint8Array> {
    await regularFileSize(file, `a ${what}`);
    const bytes = new Uint8Array(await fs.readFile(file));
    if (bytes.length > 0 && !hasMagic(bytes, magic)) throw new InvalidInputError(`not a ${what} (bad magic); refusing to touch it`, { file });
    return bytes;
  }

  async append(payload: Uint8Array): Promise<void> {
    if (this.readOnly) throw new InvalidInputError("opened read-only; cannot append", { file: this.file });
    this.handle ??= await fs.open(this.file, "a");
    if (!this.started) {
      await this.handle.write(this.magic);
      this.started = true;
    }
    await this.handle.write(frameRecord(payload));
    await this.handle.sync();
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}
