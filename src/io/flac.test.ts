import * as assert from "node:assert/strict";
import { test } from "node:test";
import { noise } from "../testing/assert.js";
import { decodeAudio } from "./decode.js";
import { encodeFlac, rateCode } from "./flac.js";

/** The sample-rate and sample-size codes of every frame header (frames found by the sync code after STREAMINFO). */
function frameCodes(flac: Uint8Array): { rate: number; size: number }[] {
  const out: { rate: number; size: number }[] = [];
  for (let i = 42; i + 3 < flac.length; i++) {
    if (flac[i] === 0xff && flac[i + 1] === 0xf8 && (flac[i + 2] & 0xf0) === 0x70 && (flac[i + 3] & 1) === 0) {
      out.push({ rate: flac[i + 2] & 0x0f, size: (flac[i + 3] >> 1) & 7 });
    }
  }
  return out;
}

test("FLAC frame headers carry the sample rate and size (the streamable subset): named rates, kHz, Hz and tens-of-Hz forms", async () => {
  assert.deepEqual(rateCode(44100), { code: 9, value: 0, bits: 0 });
  assert.deepEqual(rateCode(22050), { code: 6, value: 0, bits: 0 });
  assert.deepEqual(rateCode(12000), { code: 12, value: 12, bits: 8 });
  assert.deepEqual(rateCode(11025), { code: 13, value: 11025, bits: 16 });
  assert.deepEqual(rateCode(352800), { code: 14, value: 35280, bits: 16 });
  assert.equal(rateCode(655351).code, 0, "no header form holds it: STREAMINFO");
  for (const [rate, bits] of [[44100, 16], [22050, 24], [12000, 16], [11025, 16], [352800, 24]] as const) {
    const ch = [noise(9000, 3, 0.5), noise(9000, 4, 0.5)];
    const flac = encodeFlac({ sampleRate: rate, channels: ch }, { bitsPerSample: bits });
    const codes = frameCodes(flac);
    assert.equal(codes.length, 3, `${rate} Hz: three frames of 4096`);
    for (const c of codes) {
      assert.equal(c.rate, rateCode(rate).code, `${rate} Hz`);
      assert.equal(c.size, bits === 16 ? 0b100 : 0b110, `${bits} bits`);
    }
    const back = await decodeAudio(flac, { file: "x.flac" });
    assert.equal(back.sampleRate, rate);
    assert.equal(back.channels[1].length, 9000);
  }
});
