/**
 * The covers library's file format: one file, append-only. After an 8-byte
 * magic, each record is [length u32][crc32 u32][payload], the payload a JSON
 * line (path, duration, frames, …) followed by the float32 features. A crash
 * mid-append leaves at most one incomplete record at the end, which readers
 * ignore (its length or CRC does not check out) and the next append cuts
 * off; everything before it is intact. Pure encoding here; file access in
 * io/library-file.ts.
 */
import type { CoverFeatures } from "../covers/features.js";
import { crc32 } from "../crc32.js";

export const MAGIC = new TextEncoder().encode("MKCOVER1");

export interface LibraryEntry {
  readonly path: string;
  readonly durationSeconds: number;
  readonly sizeBytes: number;
  readonly features: CoverFeatures;
}

export { crc32 } from "../crc32.js";

export function encodeRecord(e: LibraryEntry): Uint8Array {
  const views = e.features.salience ? 3 : 2;
  const head = new TextEncoder().encode(JSON.stringify({ path: e.path, durationSeconds: e.durationSeconds, sizeBytes: e.sizeBytes, nFrames: e.features.nFrames, views }) + "\n");
  const n = e.features.nFrames * 12;
  const payload = new Uint8Array(head.length + 4 * views * n);
  payload.set(head, 0);
  const view = new DataView(payload.buffer);
  for (let i = 0; i < n; i++) view.setFloat32(head.length + 4 * i, e.features.hpcp[i], true);
  for (let i = 0; i < n; i++) view.setFloat32(head.length + 4 * (n + i), e.features.melody[i], true);
  if (e.features.salience) for (let i = 0; i < n; i++) view.setFloat32(head.length + 4 * (2 * n + i), e.features.salience[i], true);
  const out = new Uint8Array(8 + payload.length);
  const ov = new DataView(out.buffer);
  ov.setUint32(0, payload.length, true);
  ov.setUint32(4, crc32(payload), true);
  out.set(payload, 8);
  return out;
}

/** Decodes every complete record; `validBytes` is where the intact part of the file ends. */
export function decodeRecords(bytes: Uint8Array): { entries: LibraryEntry[]; validBytes: number } {
  const entries: LibraryEntry[] = [];
  if (bytes.length < MAGIC.length) return { entries, validBytes: 0 };
  let off = MAGIC.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (off + 8 <= bytes.length) {
    const len = view.getUint32(off, true), crc = view.getUint32(off + 4, true);
    if (off + 8 + len > bytes.length) break;
    const payload = bytes.subarray(off + 8, off + 8 + len);
    if (crc32(payload) !== crc) break;
    const nl = payload.indexOf(10);
    const meta = JSON.parse(new TextDecoder().decode(payload.subarray(0, nl))) as { path: string; durationSeconds: number; sizeBytes: number; nFrames: number; views?: number };
    const n = meta.nFrames * 12;
    const pv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const hpcp = Float32Array.from({ length: n }, (_, i) => pv.getFloat32(nl + 1 + 4 * i, true));
    const melody = Float32Array.from({ length: n }, (_, i) => pv.getFloat32(nl + 1 + 4 * (n + i), true));
    const salience = (meta.views ?? 2) >= 3 ? Float32Array.from({ length: n }, (_, i) => pv.getFloat32(nl + 1 + 4 * (2 * n + i), true)) : undefined;
    entries.push({ path: meta.path, durationSeconds: meta.durationSeconds, sizeBytes: meta.sizeBytes, features: { hpcp, melody, salience, nFrames: meta.nFrames } });
    off += 8 + len;
  }
  return { entries, validBytes: off };
}
