/**
 * Piano transcription speed: `npm run bench:transcribe [-- --seconds 600]`.
 * Performances (data/piano.ts, rendered with the held-out TimGM6mb piano)
 * joined into one recording of `--seconds`, transcribed end to end from decoded audio to notes by each
 * shipped piano model (log-mel, acoustic graph, the autoregressive loop one
 * ONNX step per frame) and by Spotify's basic-pitch (its ONNX model in
 * onnxruntime-node, its note rule), in one run on this machine. Prints
 * seconds, × realtime and the share of our time in the step loop.
 */
import { parseArgs } from "node:util";
import { renderPianoPiece } from "../src/data/datasets.js";
import { resample } from "../src/dsp/resample.js";
import { toMono } from "../src/io/audio.js";
import { shippedModels } from "../src/io/model-files.js";
import { loadPianoTranscriber } from "../src/node.js";
import { transcribe } from "../src/tasks/transcribe.js";
import { basicPitchNotes, loadBasicPitch, runBasicPitch } from "./basic-pitch.js";

const { values: a } = parseArgs({ options: { seconds: { type: "string", default: "600" } } });
const seconds = Number(a.seconds);
const pieces: (readonly Float32Array[])[] = [];
let total = 0;
for (let i = 0; total < seconds * 22050; i++) {
  const { dry: d } = await renderPianoPiece(4242 + i, "timgm6mb", 90, 22050);
  pieces.push(d.channels);
  total += d.channels[0].length;
}
const join = (c: number) => {
  const out = new Float32Array(total);
  let at = 0;
  for (const p of pieces) {
    out.set(p[c], at);
    at += p[c].length;
  }
  return out;
};
const dry = { sampleRate: 22050, channels: [join(0), join(1)] };
const audioSeconds = total / 22050;
console.log(`\n| ${audioSeconds.toFixed(0)} s of piano (stereo, 22050 Hz) | notes | seconds | × realtime |\n|---|---|---|---|`);
for (const m of shippedModels().filter((x) => x.name.startsWith("piano-"))) {
  const model = await loadPianoTranscriber(m.name);
  const stepRun = model.step.run.bind(model.step);
  let inSteps = 0;
  model.step.run = async (inputs) => {
    const t = performance.now();
    const r = await stepRun(inputs);
    inSteps += performance.now() - t;
    return r;
  };
  const t0 = performance.now();
  const notes = await transcribe(dry, { model });
  const s = (performance.now() - t0) / 1000;
  console.log(`| mirkit ${m.name} (${model.info.kind}, step loop ${((inSteps / 1000 / s) * 100).toFixed(0)} % of the time) | ${notes.length} | ${s.toFixed(2)} | ${(audioSeconds / s).toFixed(0)}× |`);
  await model.dispose();
}
const nmp = await loadBasicPitch();
const t0 = performance.now();
const bp = basicPitchNotes(await runBasicPitch(nmp, resample(toMono(dry), dry.sampleRate, 22050)));
const s = (performance.now() - t0) / 1000;
console.log(`| basic-pitch (ONNX model in onnxruntime-node, its note rule) | ${bp.length} | ${s.toFixed(2)} | ${(audioSeconds / s).toFixed(0)}× |`);
process.exit(0);
