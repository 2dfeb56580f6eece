import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { init, numpy as np, tree, type Array as JArray } from "@jax-js/jax";
import { ortNode } from "../node.js";
import { OnnxModel } from "../nn/runtime.js";
import { SeparationModel } from "../models/separation/model.js";
import { initUNet, unetMask } from "../models/separation/unet.js";
import { exportOnnx } from "../nn/onnx/export.js";
import { decodeWav, encodeWav } from "../io/wav.js";
import { noise, sine } from "../testing/assert.js";
import { stft } from "../dsp/stft.js";
import { scratchDir } from "../testing/scratch.js";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");

test("mirkit separate (and --wiener, and the library's separate()) keeps the input's rate, channels and length, and accompaniment = input − vocals", async () => {
  await init("wasm");
  const dir = scratchDir("mirkit-sep-");
  // A small untrained model is enough to check the plumbing.
  const cfg = { block: "tfc" as const, bins: 32, channels: 4, depth: 2, layers: 1, growth: 4 };
  const p = initUNet(cfg, 1);
  const model = path.join(dir, "m.onnx");
  writeFileSync(model, exportOnnx((q: typeof p, x: JArray) => unetMask(q, x, "lax"), p, [np.zeros([1, 4, 32, 16])], { dynamicAxes: [{ 3: "frames" }], dynamicStep: 4 }));
  writeFileSync(path.join(dir, "m.recipe.json"), JSON.stringify({ stft: { sampleRate: 22050, nFft: 64, hopLength: 16, frameMultiple: 4 } }));
  for (const [name, sr, channels] of [["mono", 44100, 1], ["stereo", 16000, 2]] as const) {
    const n = Math.round(1.3 * sr) + 7;
    const chans = Array.from({ length: channels }, (_, c) => {
      const z = noise(n, c + 1, 0.05);
      return Float32Array.from(sine(440 + 110 * c, sr, n, 0.3), (v, i) => v + z[i]);
    });
    const input = path.join(dir, `${name}.wav`);
    writeFileSync(input, encodeWav({ sampleRate: sr, channels: chans }, { encoding: "float32" }));
    const r = spawnSync(process.execPath, [BIN, "separate", input, "-o", path.join(dir, "out"), "--model", model, "--quiet"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const v = decodeWav(new Uint8Array(readFileSync(path.join(dir, "out", name, "vocals.wav"))));
    const a = decodeWav(new Uint8Array(readFileSync(path.join(dir, "out", name, "accompaniment.wav"))));
    for (const x of [v, a]) {
      assert.equal(x.sampleRate, sr);
      assert.equal(x.channels.length, channels);
      assert.equal(x.channels[0].length, n);
    }
    let worst = 0;
    for (let c = 0; c < channels; c++) for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(v.channels[c][i] + a.channels[c][i] - chans[c][i]));
    assert.ok(worst < 1e-6, `vocals + accompaniment − input: ${worst}`);
  }
  // --wiener: same contract (rates, channels, lengths, exact sum).
  const w = spawnSync(process.execPath, [BIN, "separate", path.join(dir, "stereo.wav"), "-o", path.join(dir, "wiener"), "--model", model, "--wiener", "--quiet"], { encoding: "utf8" });
  assert.equal(w.status, 0, w.stderr);
  const wv = decodeWav(new Uint8Array(readFileSync(path.join(dir, "wiener", "stereo", "vocals.wav"))));
  const plain = decodeWav(new Uint8Array(readFileSync(path.join(dir, "out", "stereo", "vocals.wav"))));
  assert.equal(wv.channels.length, 2);
  assert.equal(wv.channels[0].length, plain.channels[0].length);
  assert.ok(wv.channels[0].some((v, i) => Math.abs(v - plain.channels[0][i]) > 1e-4), "the post-filter changes the estimate");
  // The library API: 4 channels in, 4 out; accompaniment = input − vocals.
  const lib = await import("../tasks/separate.js");
  const onnx = await OnnxModel.load(await ortNode(), new Uint8Array(readFileSync(model)));
  const quad = Array.from({ length: 4 }, (_, c) => {
    const z = noise(32000, c + 9, 0.05);
    return Float32Array.from(sine(300 + 50 * c, 32000, 32000, 0.2), (v, i) => v + z[i]);
  });
  const fractions: number[] = [];
  const out = await lib.separate({ sampleRate: 32000, channels: quad }, { model: new SeparationModel(onnx, { sampleRate: 22050, nFft: 64, hopLength: 16, frameMultiple: 4 }), wiener: true, onProgress: (f) => fractions.push(f) });
  assert.equal(out.vocals.length, 4);
  assert.equal(out.accompaniment[3].length, 32000);
  for (let c = 0; c < 4; c++) for (let i = 0; i < 32000; i += 97) assert.ok(Math.abs(out.vocals[c][i] + out.accompaniment[c][i] - quad[c][i]) < 1e-6);
  assert.equal(fractions.at(-1), 1);
  // Segments (4 s, with 1 s margins) against one segment, with a constant-mask model (all weights zero: mask 0.5),
  // so any difference is the segmentation's: a seam or cross-fade weights that do not sum to 1 would show.
  const zero = tree.map((a: JArray) => np.zerosLike(a), p) as typeof p;
  const flat = await OnnxModel.load(await ortNode(), exportOnnx((q: typeof p, x: JArray) => unetMask(q, x, "lax"), zero, [np.zeros([1, 4, 32, 16])], { dynamicAxes: [{ 3: "frames" }], dynamicStep: 4 }));
  const model1 = new SeparationModel(flat, { sampleRate: 22050, nFft: 64, hopLength: 16, frameMultiple: 4 });
  const N = 11 * 16000;
  const long = [noise(N, 21, 0.3), noise(N, 22, 0.3)];
  const whole = await lib.separate({ sampleRate: 16000, channels: long }, { model: model1, segmentSeconds: 30 });
  const parts = await lib.separate({ sampleRate: 16000, channels: long }, { model: model1, segmentSeconds: 4 });
  let e = 0, p2 = 0;
  for (let i = 0; i < N; i++) { e += (whole.vocals[0][i] - parts.vocals[0][i]) ** 2; p2 += whole.vocals[0][i] ** 2; }
  assert.ok(Math.sqrt(e / p2) < 0.01, `segmented vs whole: relative RMS difference ${Math.sqrt(e / p2)}`);
  // Streaming in small blocks gives the same stems as one block.
  const blocks = (async function* () { for (let i = 0; i < N; i += 7000) yield { sampleRate: 16000, channels: long.map((c) => c.slice(i, i + 7000)) }; })();
  const streamed: Float32Array[] = [];
  for await (const out of lib.separateStream(blocks, { model: model1, segmentSeconds: 4 })) streamed.push(out.vocals[1]);
  const joined = new Float32Array(N);
  let at = 0;
  for (const b of streamed) { joined.set(b, at); at += b.length; }
  assert.equal(at, N);
  assert.ok(joined.every((v, i) => v === parts.vocals[1][i]), "streamed = in memory");
  // Above the model's band (11.025 kHz), a 44.1 kHz input is shared as the model shares its top band:
  // with the constant mask 0.5, the vocals hold half the amplitude (a quarter of the energy) up there too.
  const hi = [noise(2 * 44100, 31, 0.3), noise(2 * 44100, 32, 0.3)];
  const split = await lib.separate({ sampleRate: 44100, channels: hi }, { model: model1 });
  const bandEnergy = (x: Float32Array, fromHz: number, toHz: number) => {
    const S = stft(x, 44100, { nFft: 1024, hopLength: 256 });
    let e = 0;
    for (let t = 4; t < S.nFrames - 4; t++) for (let k = Math.ceil((fromHz * 1024) / 44100); k <= Math.floor((toHz * 1024) / 44100); k++) e += S.re[t * S.nBins + k] ** 2 + S.im[t * S.nBins + k] ** 2;
    return e;
  };
  const highRatio = bandEnergy(split.vocals[0], 12000, 21000) / bandEnergy(hi[0], 12000, 21000);
  const lowRatio = bandEnergy(split.vocals[0], 2000, 9000) / bandEnergy(hi[0], 2000, 9000);
  assert.ok(Math.abs(highRatio - 0.25) < 0.03, `vocals energy share above the model's band: ${highRatio}`);
  assert.ok(Math.abs(lowRatio - 0.25) < 0.03, `within it: ${lowRatio}`);
  await flat.dispose();
  await assert.rejects(lib.separate({ sampleRate: 32000, channels: [] }, { model: new SeparationModel(onnx, { sampleRate: 22050, nFft: 64, hopLength: 16, frameMultiple: 4 }) }), /empty/);
  await onnx.dispose();
  // Inputs that share a name (a MUSDB-style layout) get their folder's name in front; the same file twice is refused.
  for (const song of ["song1", "song2"]) {
    mkdirSync(path.join(dir, song));
    copyFileSync(path.join(dir, "stereo.wav"), path.join(dir, song, "mixture.wav"));
  }
  const pair = [path.join(dir, "song1", "mixture.wav"), path.join(dir, "song2", "mixture.wav")];
  const both = spawnSync(process.execPath, [BIN, "separate", ...pair, "-o", path.join(dir, "musdb"), "--model", model, "--quiet"], { encoding: "utf8" });
  assert.equal(both.status, 0, both.stderr);
  assert.deepEqual(readdirSync(path.join(dir, "musdb")).sort(), ["song1-mixture", "song2-mixture"]);
  const twice = spawnSync(process.execPath, [BIN, "separate", pair[0], pair[0], "-o", path.join(dir, "twice"), "--model", model], { encoding: "utf8" });
  assert.equal(twice.status, 1);
  assert.match(twice.stderr, /would both write to song1-mixture;/);
  assert.ok(!existsSync(path.join(dir, "twice")), "nothing written");
  const missing = spawnSync(process.execPath, [BIN, "separate", path.join(dir, "nope.wav"), "-o", dir, "--model", model], { encoding: "utf8" });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope\.wav: no such file/);
});
