import * as assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidInputError, UnsupportedFormatError } from "../errors.js";
import { expectAllClose, noise } from "../testing/assert.js";
import { decodeWav, encodeWav } from "./wav.js";

/** Builds a WAV byte stream by hand, independent of encodeWav. */
function handWav(opts: { tag: number; channels: number; rate: number; bits: number; data: Uint8Array; extensible?: boolean }): Uint8Array {
  const fmtSize = opts.extensible ? 40 : 16;
  const out = new Uint8Array(12 + 8 + fmtSize + 8 + opts.data.length);
  const v = new DataView(out.buffer);
  const s = (at: number, t: string) => [...t].forEach((c, i) => (out[at + i] = c.charCodeAt(0)));
  s(0, "RIFF"); v.setUint32(4, out.length - 8, true); s(8, "WAVE");
  s(12, "fmt "); v.setUint32(16, fmtSize, true);
  v.setUint16(20, opts.extensible ? 0xfffe : opts.tag, true);
  v.setUint16(22, opts.channels, true); v.setUint32(24, opts.rate, true);
  v.setUint32(28, (opts.rate * opts.channels * opts.bits) / 8, true);
  v.setUint16(32, (opts.channels * opts.bits) / 8, true); v.setUint16(34, opts.bits, true);
  if (opts.extensible) { v.setUint16(36, 22, true); v.setUint16(38, opts.bits, true); v.setUint16(44, opts.tag, true); }
  s(20 + fmtSize, "data"); v.setUint32(24 + fmtSize, opts.data.length, true);
  out.set(opts.data, 28 + fmtSize);
  return out;
}

test("decodes 8-bit unsigned PCM", () => {
  const a = decodeWav(handWav({ tag: 1, channels: 1, rate: 8000, bits: 8, data: new Uint8Array([0, 128, 255, 64]) }));
  expectAllClose(a.channels[0], [-1, 0, 127 / 128, -0.5], { atol: 0, rtol: 0 });
});

test("decodes 16-bit stereo PCM de-interleaved", () => {
  const d = new DataView(new ArrayBuffer(8));
  d.setInt16(0, -32768, true); d.setInt16(2, 16384, true); d.setInt16(4, 32767, true); d.setInt16(6, 0, true);
  const a = decodeWav(handWav({ tag: 1, channels: 2, rate: 44100, bits: 16, data: new Uint8Array(d.buffer) }));
  assert.equal(a.sampleRate, 44100);
  expectAllClose(a.channels[0], [-1, 32767 / 32768], { atol: 0, rtol: 0 });
  expectAllClose(a.channels[1], [0.5, 0], { atol: 0, rtol: 0 });
});

test("decodes 24-bit PCM including negative values", () => {
  const data = new Uint8Array([0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff]);
  const a = decodeWav(handWav({ tag: 1, channels: 1, rate: 48000, bits: 24, data }));
  expectAllClose(a.channels[0], [-1, 8388607 / 8388608, -1 / 8388608], { atol: 0, rtol: 0 });
});

test("decodes 32-bit PCM, float32 and float64, and WAVE_FORMAT_EXTENSIBLE with 6 channels", () => {
  const d32 = new DataView(new ArrayBuffer(4)); d32.setInt32(0, -1073741824, true);
  assert.equal(decodeWav(handWav({ tag: 1, channels: 1, rate: 8000, bits: 32, data: new Uint8Array(d32.buffer) })).channels[0][0], -0.5);
  const f = new DataView(new ArrayBuffer(8)); f.setFloat64(0, 0.123456789, true);
  assert.ok(Math.abs(decodeWav(handWav({ tag: 3, channels: 1, rate: 8000, bits: 64, data: new Uint8Array(f.buffer) })).channels[0][0] - 0.123456789) < 1e-7);
  const six = new DataView(new ArrayBuffer(6 * 4 * 2));
  for (let i = 0; i < 12; i++) six.setFloat32(i * 4, i / 16, true);
  const a = decodeWav(handWav({ tag: 3, channels: 6, rate: 48000, bits: 32, data: new Uint8Array(six.buffer), extensible: true }));
  assert.equal(a.channels.length, 6);
  expectAllClose(a.channels[5], [5 / 16, 11 / 16], { atol: 0, rtol: 0 });
});

for (const encoding of ["pcm16", "pcm24", "float32"] as const) {
  test(`encodeWav(${encoding}) → decodeWav round trip within the quantisation step`, () => {
    const ch = [noise(1000, 1, 0.9), noise(1000, 2, 0.9), noise(1000, 3, 0.9)];
    const back = decodeWav(encodeWav({ sampleRate: 22050, channels: ch }, { encoding }));
    assert.equal(back.sampleRate, 22050);
    const step = encoding === "pcm16" ? 1 / 32768 : encoding === "pcm24" ? 1 / 8388608 : 0;
    ch.forEach((c, i) => expectAllClose(back.channels[i], c, { atol: step / 2 + 1e-12, rtol: 0 }));
  });
}

test("encodeWav clips out-of-range samples instead of wrapping", () => {
  const back = decodeWav(encodeWav({ sampleRate: 8000, channels: [Float32Array.of(1.5, -2, 1)] }));
  expectAllClose(back.channels[0], [32767 / 32768, -1, 32767 / 32768], { atol: 0, rtol: 0 });
});

const good = handWav({ tag: 1, channels: 1, rate: 8000, bits: 16, data: new Uint8Array(8) });
const cases: [string, Uint8Array, typeof InvalidInputError, RegExp][] = [
  ["empty file", new Uint8Array(0), InvalidInputError, /empty/],
  ["truncated header", good.subarray(0, 10), InvalidInputError, /truncated WAV header/],
  ["wrong magic", Uint8Array.from(good, (b, i) => (i === 0 ? 0x58 : b)), InvalidInputError, /not a WAV file/],
  ["zero-length data", handWav({ tag: 1, channels: 1, rate: 8000, bits: 16, data: new Uint8Array(0) }), InvalidInputError, /zero-length/],
  ["unsupported codec (ADPCM)", handWav({ tag: 2, channels: 1, rate: 8000, bits: 16, data: new Uint8Array(8) }), UnsupportedFormatError, /unsupported WAV codec/],
  ["truncated data", good.subarray(0, good.length - 4), InvalidInputError, /truncated WAV data/],
  ["NaN samples", handWav({ tag: 3, channels: 1, rate: 8000, bits: 32, data: new Uint8Array(new Float32Array([0, NaN]).buffer) }), InvalidInputError, /non-finite sample \(NaN\) at frame 1/],
];
for (const [name, bytes, type, pattern] of cases) {
  test(`bad WAV input (${name}) raises ${type.name} naming the file`, () => {
    assert.throws(() => decodeWav(bytes, "song.wav"), (e: unknown) => {
      assert.ok(e instanceof type, `expected ${type.name}, got ${e}`);
      assert.match((e as Error).message, /^song\.wav: /);
      assert.match((e as Error).message, pattern);
      return true;
    });
  });
}
