/**
 * Checks on real recordings we never train or tune on (issue 16), each
 * printed as a table; nothing here chooses a model or a threshold.
 *
 * 1. Real singing: the MUSDB18 sample's vocals stem (7 s, one singer) against
 *    a pseudo-reference from a monophonic tracker: our YIN (dsp/pitch.ts,
 *    70–1000 Hz, 10 ms hops), one F0 per voiced frame. It is a tracker's
 *    output, not ground truth: octave slips and missed breathy frames are
 *    possible. Scored with our mir_eval multipitch port, for the shipped
 *    multi-F0 model (its own threshold) and basic-pitch's ONNX model (its
 *    contour at 0.25, the threshold tuned on our synthetic validation set).
 * 2. Instrumentals: the vocals stem that each shipped separation model
 *    needing no side input (the default U-Net, its trimmed ticket, the
 *    multitask model whose activation head gates the voice) makes of real
 *    instrumental recordings (../shared/audio/real), as its energy relative
 *    to the input's (dB) and as loudness (LUFS, BS.1770). The goal is
 *    ≤ −25 dB: an instrumental has no voice to give.
 *   npm run bench:real
 */
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { integratedLoudness } from "../src/dsp/loudness.js";
import { yin } from "../src/dsp/pitch.js";
import { resample } from "../src/dsp/resample.js";
import { evaluateMultipitch } from "../src/eval/multipitch.js";
import { levelRelativeDb } from "../src/eval/separation.js";
import { toMono } from "../src/io/audio.js";
import { hzToBin, pickPeaks } from "../src/models/pitch/contract.js";
import { loadMultipitchModel, loadSeparationModel, readAudioFile } from "../src/node.js";
import { multipitch } from "../src/tasks/multipitch.js";
import { separate } from "../src/tasks/separate.js";
import { basicPitchFrameTime, loadBasicPitch, runBasicPitch } from "./basic-pitch.js";

const SHARED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/audio");
if (!existsSync(SHARED)) throw new Error(`no ${SHARED}: these checks need the shared real recordings`);

// --- 1. Real singing
const vocals = await readAudioFile(path.join(SHARED, "musdb18-sample", "vocals.wav"));
const x = resample(toMono(vocals), vocals.sampleRate, 22050);
const { f0, hopLength } = yin(x, 22050, { fminHz: 70, fmaxHz: 1000, hopLength: 220 });
const ref = { times: Float64Array.from(f0, (_, i) => (i * hopLength) / 22050), freqs: Array.from(f0, (f) => (f > 0 ? Float64Array.of(f) : new Float64Array(0))) };
const voiced = ref.freqs.filter((f) => f.length > 0).length;
const mp = await loadMultipitchModel();
let t = performance.now();
const ours = await multipitch({ sampleRate: 22050, channels: [x] }, { model: mp });
const oursSeconds = (performance.now() - t) / 1000;
await mp.dispose();
const nmp = await loadBasicPitch();
t = performance.now();
const bp = await runBasicPitch(nmp, x);
const frames = bp.contour.length, sal = new Float32Array(264 * frames);
bp.contour.forEach((r, k) => r.forEach((v, b) => (sal[b * frames + k] = v)));
const picked = pickPeaks(sal, 264, frames, 0.25);
const bpSeconds = (performance.now() - t) / 1000;
await nmp.dispose();
// pickPeaks reports our grid's Hz for a fractional bin: map back to basic-pitch's 3-bins-a-semitone grid from 27.5 Hz.
const bpEst = { times: Float64Array.from({ length: frames }, (_, i) => basicPitchFrameTime(i)), freqs: picked.freqs.map((fs) => Float64Array.from(fs, (hz) => 27.5 * 2 ** (hzToBin(hz) / 36))) };
const seconds = x.length / 22050;
console.log(`Real singing: MUSDB18 sample vocals stem, ${seconds.toFixed(1)} s; pseudo-reference YIN, ${voiced} voiced frames of ${f0.length}\n`);
console.log("| method | Precision | Recall | Accuracy | × realtime |\n|---|---|---|---|---|");
for (const [name, est, secs] of [["mirkit multif0 (shipped)", ours, oursSeconds], ["basic-pitch ONNX, contour at 0.25", bpEst, bpSeconds]] as const) {
  const r = evaluateMultipitch({ times: ref.times, freqs: ref.freqs }, { times: est.times, freqs: est.freqs });
  console.log(`| ${name} | ${r.Precision.toFixed(3)} | ${r.Recall.toFixed(3)} | ${r.Accuracy.toFixed(3)} | ${(seconds / secs).toFixed(0)} |`);
}

// --- 2. Instrumentals through the separation models that need no side input, side by side
const SEPARATORS = ["separation-tfc-tdf", "separation-tfc-tdf-trimmed", "separation-multitask"] as const;
const seps = await Promise.all(SEPARATORS.map((name) => loadSeparationModel(name)));
console.log("\nInstrumentals (../shared/audio/real): the vocals stem's energy relative to the input (dB), and its loudness\n");
console.log(`| recording | seconds | input (LUFS) | ${SEPARATORS.map((n) => `${n}: dB | LUFS`).join(" | ")} |\n|---|---|---|${SEPARATORS.map(() => "---|---|").join("")}`);
for (const f of readdirSync(path.join(SHARED, "real")).filter((n) => n.endsWith(".ogg")).sort()) {
  const a = await readAudioFile(path.join(SHARED, "real", f));
  const lufs = (chs: readonly Float32Array[]) => integratedLoudness(chs, a.sampleRate);
  const cells: string[] = [];
  for (const model of seps) {
    const { vocals: v } = await separate(a, { model });
    cells.push(levelRelativeDb(v, a.channels).toFixed(1), lufs(v).toFixed(1));
  }
  console.log(`| ${f} | ${(a.channels[0].length / a.sampleRate).toFixed(0)} | ${lufs(a.channels).toFixed(1)} | ${cells.join(" | ")} |`);
}
for (const model of seps) await model.dispose();
