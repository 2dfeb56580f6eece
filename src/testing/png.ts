/** Test helper: a PNG reader for the files encodePng writes. */
import * as assert from "node:assert/strict";
import { inflateSync } from "node:zlib";

/** Reads back width, height and RGB rows of a PNG written by encodePng (filter 0 only). */
export function readPng(bytes: Uint8Array): { width: number; height: number; rgb: Uint8Array } {
  assert.deepEqual(Array.from(bytes.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 8, width = 0, height = 0;
  const idat: Uint8Array[] = [];
  while (off < bytes.length) {
    const len = view.getUint32(off);
    const type = String.fromCharCode(...bytes.subarray(off + 4, off + 8));
    const data = bytes.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") { width = view.getUint32(off + 8); height = view.getUint32(off + 12); assert.equal(data[9], 2, "RGB"); }
    if (type === "IDAT") idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(new Uint8Array(Buffer.concat(idat)));
  assert.equal(raw.length, height * (1 + 3 * width));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (1 + 3 * width)], 0, "filter type 0");
    rgb.set(raw.subarray(y * (1 + 3 * width) + 1, (y + 1) * (1 + 3 * width)), y * 3 * width);
  }
  return { width, height, rgb };
}

