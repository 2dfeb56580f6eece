/** Test helper: a PNG reader for the files encodePng writes. */
import * as assert from "node:assert/strict";
import { inflateSync } from "node:zlib";

/**
 * Reads an 8-bit RGB or RGBA PNG (any of the five row filters: ours use 0,
 * browsers' screenshots the others) to width, height and RGB rows.
 */
export function readPng(bytes: Uint8Array): { width: number; height: number; rgb: Uint8Array } {
  assert.deepEqual(Array.from(bytes.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 8, width = 0, height = 0, channels = 3;
  const idat: Uint8Array[] = [];
  while (off < bytes.length) {
    const len = view.getUint32(off);
    const type = String.fromCharCode(...bytes.subarray(off + 4, off + 8));
    const data = bytes.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") {
      width = view.getUint32(off + 8);
      height = view.getUint32(off + 12);
      assert.equal(data[8], 8, "8-bit samples");
      assert.ok(data[9] === 2 || data[9] === 6, "RGB or RGBA");
      channels = data[9] === 6 ? 4 : 3;
    }
    if (type === "IDAT") idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(new Uint8Array(Buffer.concat(idat)));
  const stride = channels * width;
  assert.equal(raw.length, height * (1 + stride));
  const cur = new Uint8Array(stride), prev = new Uint8Array(stride);
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (1 + stride)], row = raw.subarray(y * (1 + stride) + 1, (y + 1) * (1 + stride));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      cur[i] = (row[i] + pred) & 255;
    }
    for (let x = 0; x < width; x++) for (let k = 0; k < 3; k++) rgb[3 * (y * width + x) + k] = cur[channels * x + k];
    prev.set(cur);
  }
  return { width, height, rgb };
}
