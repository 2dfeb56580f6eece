import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { init, tree } from "@jax-js/jax";
import { decodeWav, encodeWav } from "../io/wav.js";
import { alignmentText, type AlignedPhoneme } from "../lyrics/phonemes.js";
import { exportInformed, initInformed, type InformedConfig } from "../models/separation/informed.js";
import { SeparationModel } from "../models/separation/model.js";
import { ortNode } from "../node.js";
import { gateMask, separate, separateWithModel } from "../tasks/separate.js";
import { noise, sine } from "../testing/assert.js";
import { randomArray } from "../testing/arrays.js";
import { scratchDir } from "../testing/scratch.js";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");
await init("wasm");
const dir = scratchDir("mirkit-informed-");
const SR = 22050;
// One chunk per segment (no seams inside): what differs between segmentations is then only where segments meet.
const STFT = { sampleRate: SR, nFft: 64, hopLength: 16, frameMultiple: 4, chunkFrames: 16384 };

/** A small strong-conditioned U-Net with non-zero FiLM tables (its output depends on the phonemes), and its recipe. */
function informedModel(name: string, conditioning: InformedConfig["conditioning"], activation = false, betaScale = 2): string {
  const cfg: InformedConfig = { unet: { block: "tfc", bins: 32, channels: 4, depth: 2, layers: 1, growth: 4 }, conditioning, activation };
  const p = initInformed(cfg, 1);
  if (p.film) p.film = p.film.map((t, d) => ({ gamma: t.gamma.add(randomArray(t.gamma.shape, 3 + d).mul(2)), beta: t.beta.add(randomArray(t.beta.shape, 9 + d).mul(betaScale)) }));
  const file = path.join(dir, `${name}.onnx`);
  writeFileSync(file, exportInformed(tree.ref(p), cfg));
  writeFileSync(path.join(dir, `${name}.recipe.json`), JSON.stringify({ stft: STFT, model: { kind: "informed", conditioning, activation } }));
  tree.dispose(p);
  return file;
}

const strong = informedModel("strong", "strong-channel");
const plain = informedModel("plain", "none");
// FiLM offsets far above the features': the mask is set by the phoneme of each frame, whatever the audio.
const phonemeDriven = informedModel("driven", "strong-channel", false, 50);
const seconds = 9;
const input = path.join(dir, "song.wav");
const left = Float32Array.from(sine(330, SR, seconds * SR, 0.3), (v, i) => v + noise(seconds * SR, 1, 0.05)[i]);
writeFileSync(input, encodeWav({ sampleRate: SR, channels: [left, left.map((v) => 0.8 * v)] }, { encoding: "float32" }));
const align = (segs: AlignedPhoneme[], name: string) => { const f = path.join(dir, name); writeFileSync(f, alignmentText(segs)); return f; };
const sung = align([{ start: 0, end: 2, phoneme: "sil" }, { start: 2, end: 5, phoneme: "aa" }, { start: 5, end: 6, phoneme: "s" }, { start: 6, end: 9, phoneme: "iy" }], "sung.txt");
const silent = align([{ start: 0, end: 9, phoneme: "sil" }], "silent.txt");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, "separate", ...args, "--quiet"], { encoding: "utf8" });
const vocals = (out: string) => decodeWav(new Uint8Array(readFileSync(path.join(out, "song", "vocals.wav")))).channels[0];

test("mirkit separate --phonemes: the alignment drives an informed model (another alignment, other vocals); --lyrics reads LRC", () => {
  const a = run(input, "--phonemes", sung, "--model", strong, "-o", path.join(dir, "a"));
  assert.equal(a.status, 0, a.stderr);
  const b = run(input, "--phonemes", silent, "--model", strong, "-o", path.join(dir, "b"));
  assert.equal(b.status, 0, b.stderr);
  const va = vocals(path.join(dir, "a")), vb = vocals(path.join(dir, "b"));
  assert.equal(va.length, seconds * SR);
  // Where the alignments agree (silence, 0–2 s) the vocals agree; where they differ, they differ.
  const diff = (from: number, to: number) => { let d = 0; for (let i = from * SR; i < to * SR; i++) d = Math.max(d, Math.abs(va[i] - vb[i])); return d; };
  assert.ok(diff(0, 1.5) < 1e-4, `same phonemes, same vocals (${diff(0, 1.5)})`);
  assert.ok(diff(3, 4) > 1e-3, `other phonemes, other vocals (${diff(3, 4)})`);
  const lrc = path.join(dir, "song.lrc");
  writeFileSync(lrc, "[00:02.00]la la see\n[00:06.00]\n");
  const c = run(input, "--lyrics", lrc, "--model", strong, "-o", path.join(dir, "c"));
  assert.equal(c.status, 0, c.stderr);
  assert.equal(vocals(path.join(dir, "c")).length, seconds * SR);
});

test("informed separation of a piece of a song reads the alignment at the piece's own time (offsetSeconds)", async () => {
  const model = await SeparationModel.load(await ortNode(), { onnx: new Uint8Array(readFileSync(phonemeDriven)), recipe: { stft: STFT }, recipeName: "driven.recipe.json" });
  const phonemes = [{ start: 1, end: 3, phoneme: "aa" as const }, { start: 4.5, end: 7.5, phoneme: "m" as const }];
  // A piece from a whole number of hops in, so that its STFT frames are the song's.
  const from = 16 * 5000, to = from + 3 * SR, offsetSeconds = from / SR;
  const piece = left.subarray(from, to);
  const whole = await separateWithModel(model.onnx, left, left, model.config, { phonemes });
  const part = await separateWithModel(model.onnx, piece, piece, model.config, { phonemes, offsetSeconds });
  const misread = await separateWithModel(model.onnx, piece, piece, model.config, { phonemes });
  // Compared away from the piece's edges (STFT padding, the U-Net's reach).
  const snr = (b: Float32Array[]) => { let err = 0, sig = 0; for (let i = 0.5 * SR; i < 2.5 * SR; i++) { const a = whole.vocals[0][from + i]; err += (a - b[0][i]) ** 2; sig += a * a; } return 10 * Math.log10(sig / err); };
  assert.ok(snr(part.vocals) > 25, `the piece at its time: ${snr(part.vocals).toFixed(1)} dB`);
  assert.ok(snr(misread.vocals) < 10, `the piece read from time 0: ${snr(misread.vocals).toFixed(1)} dB`);
  await assert.rejects(separate({ sampleRate: SR, channels: [left] }, { model }), /informed by phonemes: give an alignment or lyrics/);
  await model.dispose();
});

test("the activation gate: a binary median over the thresholded activation zeroes the mask where it is off", () => {
  const frames = 12, act = Float32Array.from([0.9, 0.9, 0.1, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.9, 0.1, 0.1]);
  const mask = new Float32Array(2 * frames).fill(0.5);
  const g = gateMask(mask, act, frames, { threshold: 0.5, medianFrames: 3 });
  // The lone low frame (2) is filled, the lone high one (9) removed.
  assert.deepEqual([...g], [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...mask.subarray(frames, 2 * frames)], [...g].map((x) => 0.5 * x));
});

test("mirkit separate --phonemes/--lyrics: bad alignments, mismatched songs and models are one-line errors, and nothing is written", () => {
  const bad = path.join(dir, "bad.txt");
  writeFileSync(bad, "0 1 sil\n1 2 qq\n");
  const long = align([{ start: 0, end: 30, phoneme: "aa" }], "long.txt");
  const cases: [string[], RegExp][] = [
    [[input, "--phonemes", bad, "--model", strong], /bad\.txt: line 2: "qq" is not a phoneme of the inventory/],
    [[input, "--phonemes", path.join(dir, "none.txt"), "--model", strong], /none\.txt.*cannot read it \(ENOENT\)/],
    [[input, "--phonemes", sung, "--lyrics", sung, "--model", strong], /give --phonemes or --lyrics, not both/],
    [[input, "--phonemes", long, "--model", strong], /long\.txt runs to 30\.0 s but song\.wav lasts 9\.0 s; is it the alignment of another song\?/],
    [[input, "--model", strong], /is informed: give --phonemes ALIGN\.txt or --lyrics LYRICS\.lrc/],
    [[input, "--phonemes", sung, "--model", plain], /takes no phonemes or lyrics/],
    [[input, input, "--phonemes", sung, "--model", strong], /--phonemes describes one song; got 2 input files/],
  ];
  for (const [k, [args, pattern]] of cases.entries()) {
    const out = path.join(dir, `err${k}`);
    const r = run(...args, "-o", out);
    assert.notEqual(r.status, 0, args.join(" "));
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.ok(!existsSync(out), `nothing written for ${args.join(" ")}`);
  }
});
