import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { InvalidInputError, UnsupportedFormatError } from "../errors.js";
import { expectAllClose, noise, sine } from "../testing/assert.js";
import { SHARED, sharedAvailable } from "../testing/reference.js";
import { decodeAudio, sniffFormat } from "./decode.js";
import { encodeFlac } from "./flac.js";
import { readAudioFile, streamAudioFile, writeAudioFile } from "./file.js";
import { encodeWav, quantize } from "./wav.js";
import { scratchDir } from "../testing/scratch.js";

const tmp = scratchDir("mirkit-io-");
const has = (cmd: string) => spawnSync(cmd, ["--version"]).status === 0;

function quantized(x: Float32Array, bits: number): Float32Array {
  const s = 2 ** (bits - 1);
  return x.map((v) => quantize(v, s) / s);
}

for (const [label, channels, bits, n] of [
  ["mono 16-bit", 1, 16, 10000],
  ["stereo 16-bit (side coding)", 2, 16, 9000],
  ["stereo 24-bit", 2, 24, 5000],
  ["5 channels 16-bit", 5, 16, 4097],
  ["a very short file", 1, 16, 7],
] as const) {
  test(`FLAC encode → decode is lossless: ${label}`, async () => {
    // Correlated channels (a shared tone plus noise) exercise the stereo decorrelation.
    const tone = sine(440, 44100, n, 0.5);
    const ch = Array.from({ length: channels }, (_, c) => {
      const z = noise(n, c + 1);
      return tone.map((v, i) => v + 0.1 * z[i]);
    });
    ch[0][3] = 1.7; // clipped, not wrapped
    const flac = encodeFlac({ sampleRate: 44100, channels: ch }, { bitsPerSample: bits });
    const back = await decodeAudio(flac, { file: "x.flac" });
    assert.equal(back.sampleRate, 44100);
    assert.equal(back.channels.length, channels);
    ch.forEach((c, i) => expectAllClose(back.channels[i], quantized(c, bits), { atol: 0, rtol: 0, label: `channel ${i}` }));
  });
}

test("FLAC compresses a tone to well under the PCM size, and digital silence to almost nothing", () => {
  const tone = { sampleRate: 44100, channels: [sine(220, 44100, 44100, 0.5)] };
  assert.ok(encodeFlac(tone).length < 0.5 * 88200);
  const silence = { sampleRate: 44100, channels: [new Float32Array(44100)] };
  assert.ok(encodeFlac(silence).length < 500);
});

test("our FLAC passes the reference decoder's integrity test (flac -t)", { skip: has("flac") ? false : "the flac command-line tool is not installed (apt-get install flac)" }, () => {
  const file = path.join(tmp, "t.flac");
  writeFileSync(file, encodeFlac({ sampleRate: 48000, channels: [noise(20000, 1, 0.3), sine(100, 48000, 20000, 0.7)] }, { bitsPerSample: 24 }));
  const r = spawnSync("flac", ["-t", "-s", file], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = path.join(tmp, "t-dec.wav");
  assert.equal(spawnSync("flac", ["-d", "-s", "-f", "-o", out, file]).status, 0);
  const wav = readFileSync(out);
  assert.ok(wav.length > 20000 * 2 * 3);
});

test("MP3 and Ogg Vorbis made by lame and oggenc decode to the right rate, length and pitch", { skip: has("lame") && has("oggenc") ? false : "lame/oggenc not installed (apt-get install lame vorbis-tools)" }, async () => {
  const wav = path.join(tmp, "tone.wav");
  const x = sine(1000, 44100, 44100, 0.5);
  writeFileSync(wav, encodeWav({ sampleRate: 44100, channels: [x, x] }));
  spawnSync("lame", ["--quiet", "-b", "192", wav, path.join(tmp, "tone.mp3")]);
  spawnSync("oggenc", ["-Q", "-q", "6", "-o", path.join(tmp, "tone.ogg"), wav]);
  for (const ext of ["mp3", "ogg"]) {
    const a = await readAudioFile(path.join(tmp, `tone.${ext}`));
    assert.equal(a.sampleRate, 44100, ext);
    assert.equal(a.channels.length, 2, ext);
    // Encoders add priming samples; the length is within a couple of frames.
    assert.ok(Math.abs(a.channels[0].length - 44100) < 3000, `${ext}: ${a.channels[0].length}`);
    // Zero crossings per second of the middle half: 2 per cycle of 1 kHz.
    const mid = a.channels[0].subarray(11025, 33075);
    let crossings = 0;
    for (let i = 1; i < mid.length; i++) if ((mid[i - 1] < 0) !== (mid[i] < 0)) crossings++;
    assert.ok(Math.abs(crossings / 0.5 - 2000) < 10, `${ext}: ${crossings} crossings`);
  }
});

test("the real Ogg Vorbis recordings in ../shared decode", { skip: sharedAvailable("audio/real") === true ? false : String(sharedAvailable("audio/real")) }, async () => {
  const a = await readAudioFile(path.join(SHARED, "audio/real/sorohan-solo-trumpet.ogg"));
  assert.ok(a.sampleRate > 0);
  const seconds = a.channels[0].length / a.sampleRate;
  assert.ok(seconds > 4 && seconds < 7, `${seconds} s`);
});

test("streamAudioFile yields exactly the samples of a whole-file read, across block boundaries", async () => {
  const ch = [noise(30001, 5, 0.5), noise(30001, 6, 0.5)];
  for (const [ext, bytes] of [["wav", encodeWav({ sampleRate: 16000, channels: ch }, { encoding: "float32" })], ["flac", encodeFlac({ sampleRate: 16000, channels: ch })]] as const) {
    const file = path.join(tmp, `stream.${ext}`);
    writeFileSync(file, bytes);
    const whole = await readAudioFile(file);
    const got = [new Float32Array(30001), new Float32Array(30001)];
    let n = 0, blocks = 0;
    for await (const b of streamAudioFile(file, { readBytes: 4096 })) {
      assert.equal(b.startFrame, n);
      b.channels.forEach((c, i) => got[i].set(c, n));
      n += b.channels[0].length;
      blocks++;
    }
    assert.equal(n, 30001, ext);
    assert.ok(blocks > 5, `${ext}: ${blocks} blocks`);
    got.forEach((g, i) => expectAllClose(g, whole.channels[i], { atol: 0, rtol: 0 }));
  }
});

test("writeAudioFile leaves no partial file when the target folder does not exist", async () => {
  const file = path.join(tmp, "missing-dir", "x.wav");
  await assert.rejects(writeAudioFile(file, { sampleRate: 8000, channels: [new Float32Array(10)] }), InvalidInputError);
});

test("bad compressed input gets typed errors naming the file", async () => {
  assert.throws(() => sniffFormat(new Uint8Array([1, 2, 3, 4]), "a.bin"), UnsupportedFormatError);
  const opus = new TextEncoder().encode("OggS\0\x02" + "\0".repeat(22) + "OpusHead");
  assert.throws(() => sniffFormat(opus, "a.opus"), /a\.opus: Ogg file holds Opus/);
  // A FLAC header with its frames cut away decodes to nothing.
  const flac = encodeFlac({ sampleRate: 8000, channels: [noise(8000, 1)] });
  await assert.rejects(decodeAudio(flac.subarray(0, 50), { file: "cut.flac" }), (e: unknown) => e instanceof InvalidInputError && /^cut\.flac: /.test((e as Error).message));
  await assert.rejects(readAudioFile(path.join(tmp, "nope.wav")), /nope\.wav: no such file/);
});

test("FLAC made by the reference encoder (LPC subframes, -8) decodes bit-exactly", { skip: has("flac") ? false : "the flac command-line tool is not installed (apt-get install flac)" }, async () => {
  const ch = [noise(50000, 9, 0.2).map((v, i) => v + 0.5 * Math.sin(i * 0.01)), sine(330, 44100, 50000, 0.6)];
  for (const bits of [16, 24] as const) {
    const wav = path.join(tmp, `ref${bits}.wav`);
    writeFileSync(wav, encodeWav({ sampleRate: 44100, channels: ch }, { encoding: bits === 16 ? "pcm16" : "pcm24" }));
    const flacFile = path.join(tmp, `ref${bits}.flac`);
    assert.equal(spawnSync("flac", ["-8", "-s", "-f", "-o", flacFile, wav]).status, 0);
    const a = await readAudioFile(flacFile);
    ch.forEach((c, i) => expectAllClose(a.channels[i], quantized(c, bits), { atol: 0, rtol: 0, label: `${bits}-bit channel ${i}` }));
  }
});
