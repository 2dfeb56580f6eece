/**
 * Trains a separation U-Net on a `mirkit synth separation` dataset and
 * evaluates it on a held-out one with museval v4 (median over frames, then
 * tracks), beside the oracle IRM and REPET-SIM.
 *   node dist-bench/scripts/train-separation.js TRAIN_DIR[,TRAIN_DIR…] TEST_DIR OUT_DIR [block] [minutes] [steps] [init.safetensors] [peak lr]
 * With `steps` the run stops at exactly that step (reproducible); otherwise at the time budget.
 * With `init` training starts from those weights (a warm restart of the schedule and of Adam).
 * tfc-rnn unrolls a GRU over frequency when training: run it with a larger stack (ulimit -s unlimited; node --stack-size=60000).
 * Writes OUT_DIR/<block>.onnx, .safetensors, .recipe.json (command, seed, data, metrics).
 */
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { energy, levelRelativeDb, musevalV4, nanMedian } from "../src/eval/separation.js";
import { decodeWav } from "../src/io/wav.js";
import { exportUNet, initUNet, separationLoss, unetMask, type BlockKind } from "../src/models/separation/unet.js";
import { namedLeaves, parameterCount, Rng } from "../src/nn/layers.js";
import { countFlops } from "../src/nn/onnx/export.js";
import { OnnxModel } from "../src/nn/runtime.js";
import { decodeSafetensors, encodeSafetensors } from "../src/nn/safetensors.js";
import { cosineLr, fromNamed, train } from "../src/nn/train.js";
import { ortNode } from "../src/node.js";
import { trainingBudget } from "./budget.js";
import { SEPARATION_STFT, cropSeparationPatch, separationUNet } from "./separation-setup.js";
import { mixtureTensor } from "../src/models/separation/contract.js";
import { separateWithModel } from "../src/tasks/separate.js";

const [trainDir, testDir, outDir, blockArg, minutesArg, stepsArg, initArg, lrArg] = process.argv.slice(2);
const LR = lrArg ? Number(lrArg) : 2e-3;
const fixedSteps = stepsArg ? Number(stepsArg) : undefined;
const block = (blockArg ?? "tfc-tdf") as BlockKind;
const minutes = Number(minutesArg ?? 10);
await init("wasm");
const SEED = 1;
const data = SEPARATION_STFT;
const cfg = separationUNet(block);
const PATCH = 32, BATCH = 4;

type Song = { mix: Float32Array; voc: Float32Array; frames: number };
function load(dir: string): Song[] {
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { items: { name: string }[] };
  return manifest.items.map((it) => {
    const mix = decodeWav(new Uint8Array(readFileSync(path.join(dir, it.name, "mixture.wav"))));
    const voc = decodeWav(new Uint8Array(readFileSync(path.join(dir, it.name, "vocals.wav"))));
    const m = mixtureTensor(mix.channels[0], mix.channels[1], data), v = mixtureTensor(voc.channels[0], voc.channels[1], data);
    return { mix: m.data, voc: v.data, frames: m.frames };
  });
}
const songs = trainDir.split(",").flatMap(load);
console.error(`${songs.length} training songs`);
const F = cfg.bins;
function batch(step: number): JArray[] {
  const r = new Rng(SEED * 100003 + step);
  const x = new Float32Array(BATCH * 4 * F * PATCH), y = new Float32Array(BATCH * 4 * F * PATCH);
  for (let b = 0; b < BATCH; b++) {
    const s = songs[Math.floor(r.uniform() * songs.length)];
    const t0 = Math.floor(r.uniform() * (s.frames - PATCH));
    cropSeparationPatch(s, t0, b, F, PATCH, x, y);
  }
  return [np.array(x).reshape([BATCH, 4, F, PATCH]), np.array(y).reshape([BATCH, 4, F, PATCH])];
}
// The cosine schedule's horizon. From-scratch runs (the block comparison, the first shipped model) use
// 100000 steps, so over their ~1000 steps the rate stays near its peak; a continued run (`init`) decays
// to zero over its own steps.
const HORIZON = initArg && fixedSteps ? fixedSteps : 100000;
const budget = trainingBudget(fixedSteps, minutes, 20);
const result = await train({
  init: () => (initArg ? fromNamed(initUNet(cfg, SEED), "", decodeSafetensors(new Uint8Array(readFileSync(initArg)), initArg).tensors) : initUNet(cfg, SEED)),
  loss: (p, x, y) => separationLoss(p, x, y),
  batch,
  steps: HORIZON,
  schedule: cosineLr(LR, { warmup: 20 }),
  ...budget.options,
});
const trainSeconds = budget.seconds();
console.error(`trained ${result.stepsDone} steps in ${trainSeconds.toFixed(0)} s`);
mkdirSync(outDir, { recursive: true });
const params = result.params;
const onnx = exportUNet(params, cfg);
writeFileSync(path.join(outDir, `separation-${block}.onnx`), onnx);
const named: Record<string, { shape: number[]; data: Float32Array }> = {};
for (const [n, leaf] of namedLeaves(params)) named[n] = { shape: leaf.shape, data: leaf.ref.dataSync() as Float32Array };
writeFileSync(path.join(outDir, `separation-${block}.safetensors`), encodeSafetensors(named, { block, steps: String(result.stepsDone) }));
// Evaluate on the held-out set.
const model = await OnnxModel.load(await ortNode(), onnx);
const manifest = JSON.parse(readFileSync(path.join(testDir, "manifest.json"), "utf8")) as { items: { name: string }[] };
const vocSdr: number[] = [], accSdr: number[] = [], leakDb: number[] = [];
let audioSeconds = 0;
const te = performance.now();
for (const it of manifest.items) {
  const ld = (f: string) => decodeWav(new Uint8Array(readFileSync(path.join(testDir, it.name, f))));
  const mix = ld("mixture.wav"), voc = ld("vocals.wav"), acc = ld("accompaniment.wav");
  audioSeconds += mix.channels[0].length / mix.sampleRate;
  const est = await separateWithModel(model, mix.channels[0], mix.channels[1], data);
  if (energy(voc.channels) === 0) {
    // A song without vocals has no SDR: its vocals stem should be near silence.
    leakDb.push(levelRelativeDb(est.vocals, mix.channels));
    continue;
  }
  const frames = musevalV4([voc.channels, acc.channels], [est.vocals, est.accompaniment], mix.sampleRate);
  vocSdr.push(nanMedian(frames[0].map((f) => f.SDR)));
  accSdr.push(nanMedian(frames[1].map((f) => f.SDR)));
}
// Cost per second of audio: FLOPs of a 64-frame patch scaled to the frame rate.
const probeFrames = 8 * data.frameMultiple;
const gflopsPerSecond = (countFlops((p: typeof params, x: JArray) => unetMask(p, x, "lax"), params, [np.zeros([1, 4, F, probeFrames])]) / probeFrames) * (data.sampleRate / data.hopLength) / 1e9;
const metrics = { vocalsSdr: nanMedian(vocSdr), accompanimentSdr: nanMedian(accSdr), heldOutSongs: manifest.items.length, ...(leakDb.length > 0 ? { instrumentalSongs: leakDb.length, instrumentalVocalsReInputDb: nanMedian(leakDb) } : {}), steps: result.stepsDone, trainSeconds, parameters: parameterCount(params), gflopsPerSecond, realtime: 0 };
metrics.realtime = audioSeconds / ((performance.now() - te) / 1000);
const recipe = {
  command: `node dist-bench/scripts/train-separation.js ${trainDir} ${testDir} ${outDir} ${block} ${minutes} ${result.stepsDone}${initArg ? ` ${initArg}` : ""}${lrArg ? ` ${lrArg}` : ""}`,
  ...(initArg ? { initialWeights: initArg } : {}),
  seed: SEED, model: cfg, stft: data, patchFrames: PATCH, batch: BATCH, optimiser: `Adam, cosine ${LR} over ${HORIZON} steps, warm-up 20`,
  trainData: trainDir.split(",").map((d) => JSON.parse(readFileSync(path.join(d, "manifest.json"), "utf8")).command as string),
  testData: JSON.parse(readFileSync(path.join(testDir, "manifest.json"), "utf8")).command,
  metrics,
};
writeFileSync(path.join(outDir, `separation-${block}.recipe.json`), JSON.stringify(recipe, null, 2) + "\n");
console.log(JSON.stringify(metrics));
