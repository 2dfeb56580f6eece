/**
 * Node-only: an append-only file of checksummed records (io/records.ts).
 * Opening reads the file once, cuts off an incomplete tail left by a crash
 * and keeps the file open; each append writes one record and fsyncs it, so a
 * record is either wholly there or not at all, and appending reads nothing
 * of what is already stored.
 */
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { InvalidInputError } from "../errors.js";
import { regularFileSize } from "./file.js";
import { frameRecord, hasMagic, scanRecords, type RecordStore } from "./records.js";

export class RecordLog implements RecordStore {
  private handle: fs.FileHandle | undefined;
  /** Whether the file holds its magic yet (a missing or 0-byte file gets it on the first append). */
  private started: boolean;

  private constructor(
    readonly file: string,
    private readonly magic: Uint8Array,
    readonly payloads: readonly Uint8Array[],
    private readonly readOnly: boolean,
    /** Bytes this log read from the file: all of them at open, none after. */
    readonly bytesRead: number,
  ) {
    this.started = bytesRead > 0;
  }

  /**
   * Opens `file` for reading and, unless `readOnly`, appending. A missing or
   * empty file reads as empty and gets `magic` on the first append. A file
   * with another magic is refused and left untouched; `what` names the kind
   * of file in that message.
   */
  static async open(file: string, magic: Uint8Array, options: { readonly readOnly?: boolean; readonly what: string }): Promise<RecordLog> {
    const readOnly = options.readOnly === true;
    if (!existsSync(file)) {
      const dir = path.dirname(file);
      if (!readOnly && !existsSync(dir)) throw new InvalidInputError(`cannot create it: the folder ${dir} does not exist`, { file });
      return new RecordLog(file, magic, [], readOnly, 0);
    }
    await regularFileSize(file, `a ${options.what}`);
    const bytes = new Uint8Array(await fs.readFile(file));
    if (bytes.length > 0 && !hasMagic(bytes, magic)) throw new InvalidInputError(`not a ${options.what} (bad magic); refusing to touch it`, { file });
    const { payloads, validBytes } = scanRecords(bytes, magic.length);
    const log = new RecordLog(file, magic, payloads, readOnly, bytes.length);
    if (!readOnly && bytes.length > 0 && validBytes < bytes.length) await fs.truncate(file, validBytes);
    return log;
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
