/**
 * Vocals SDR (museval v4, median over frames then songs) of one separation
 * model at several inference chunk lengths, to choose `chunkFrames` on a
 * validation set (never the test set), with the time each setting took.
 *   node dist-bench/scripts/separation-chunks.js VAL_DIR MODEL.onnx 32,64,128,256
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { musevalV4, nanMedian } from "../src/eval/separation.js";
import { decodeWav } from "../src/io/wav.js";
import { OnnxModel } from "../src/nn/runtime.js";
import { ortNode } from "../src/node.js";
import { separateWithModel } from "../src/tasks/separate.js";
import { SEPARATION_STFT } from "./separation-setup.js";

const [dir, modelFile, chunksArg] = process.argv.slice(2);
const model = await OnnxModel.load(await ortNode(), new Uint8Array(readFileSync(modelFile)));
const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { items: { name: string }[] };
const songs = manifest.items.map((it) => {
  const ld = (f: string) => decodeWav(new Uint8Array(readFileSync(path.join(dir, it.name, f))));
  return { mix: ld("mixture.wav"), voc: ld("vocals.wav"), acc: ld("accompaniment.wav") };
});
console.log("| chunk frames | vocals SDR | accompaniment SDR | separation seconds |\n|---|---|---|---|");
for (const chunkFrames of (chunksArg ?? "32,64,128,256").split(",").map(Number)) {
  const voc: number[] = [], acc: number[] = [];
  let seconds = 0;
  for (const s of songs) {
    const t0 = performance.now();
    const est = await separateWithModel(model, s.mix.channels[0], s.mix.channels[1], { ...SEPARATION_STFT, chunkFrames });
    seconds += (performance.now() - t0) / 1000;
    const frames = musevalV4([s.voc.channels, s.acc.channels], [est.vocals, est.accompaniment], s.mix.sampleRate);
    voc.push(nanMedian(frames[0].map((f) => f.SDR)));
    acc.push(nanMedian(frames[1].map((f) => f.SDR)));
  }
  console.log(`| ${chunkFrames} | ${nanMedian(voc).toFixed(2)} | ${nanMedian(acc).toFixed(2)} | ${seconds.toFixed(1)} |`);
}
