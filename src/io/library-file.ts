/**
 * The covers library on disk (Node-only): reading the append-only file,
 * cutting off an incomplete tail left by a crash, and appending records with
 * an fsync, so a record is either wholly there or not at all.
 */
import { existsSync, promises as fs } from "node:fs";
import { InvalidInputError } from "../errors.js";
import { decodeRecords, encodeRecord, MAGIC, type LibraryEntry } from "../index/store.js";

export async function readLibrary(file: string): Promise<LibraryEntry[]> {
  if (!existsSync(file)) return [];
  const bytes = new Uint8Array(await fs.readFile(file));
  if (bytes.length > 0 && (bytes.length < MAGIC.length || !MAGIC.every((b, i) => bytes[i] === b))) {
    throw new InvalidInputError("not a mirkit covers library (bad magic); refusing to touch it", { file });
  }
  return decodeRecords(bytes).entries;
}

/** Appends entries; creates the file if needed and trims a torn tail first. */
export async function appendLibrary(file: string, entries: readonly LibraryEntry[]): Promise<void> {
  if (!existsSync(file)) {
    const fh = await fs.open(file, "wx");
    await fh.write(MAGIC);
    await fh.sync();
    await fh.close();
  } else {
    const bytes = new Uint8Array(await fs.readFile(file));
    if (!MAGIC.every((b, i) => bytes[i] === b)) throw new InvalidInputError("not a mirkit covers library (bad magic); refusing to touch it", { file });
    const { validBytes } = decodeRecords(bytes);
    if (validBytes < bytes.length) await fs.truncate(file, validBytes);
  }
  const fh = await fs.open(file, "a");
  try {
    for (const e of entries) {
      await fh.write(encodeRecord(e));
      await fh.sync();
    }
  } finally {
    await fh.close();
  }
}
