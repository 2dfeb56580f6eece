/**
 * Trains a separation U-Net on a `mirkit synth separation` dataset and
 * evaluates it on a held-out one with museval v4 (median over frames, then
 * tracks), beside the oracle IRM and REPET-SIM.
 *   node dist-bench/scripts/train-separation.js TRAIN_DIR[,TRAIN_DIR…] TEST_DIR OUT_DIR [block] [minutes] [steps] [init.safetensors] [peak lr]
 * With `steps` the run stops at exactly that step (reproducible); otherwise at the time budget.
 * With `init` training starts from those weights (a warm restart of the schedule and of Adam); a trimmed
 * model's weights (mirkit trim) keep their widths.
 * tfc-rnn unrolls a GRU over frequency when training: run it with a larger stack (ulimit -s unlimited; node --stack-size=60000).
 * Writes OUT_DIR/<block>.onnx, .safetensors, .recipe.json (command, seed, data, metrics).
 */
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { init } from "@jax-js/jax";
import { initUNet, separationLoss, type BlockKind, type UNetParams } from "../src/models/separation/unet.js";
import { parameterCount } from "../src/nn/layers.js";
import { OnnxModel } from "../src/nn/runtime.js";
import { decodeSafetensors, encodeSafetensors } from "../src/nn/safetensors.js";
import { cosineLr, fromNamed, train } from "../src/nn/train.js";
import { ortNode } from "../src/node.js";
import { tensorsOf, treeOf } from "../src/prune/units.js";
import { exportSeparation, scoreSeparation, SEPARATION_BATCH, SEPARATION_PATCH, separationBatch, separationSongs } from "../src/tasks/separation-training.js";
import { trainingBudget } from "./budget.js";
import { SEPARATION_STFT, separationUNet } from "./separation-setup.js";

const [trainDir, testDir, outDir, blockArg, minutesArg, stepsArg, initArg, lrArg] = process.argv.slice(2);
const LR = lrArg ? Number(lrArg) : 2e-3;
const fixedSteps = stepsArg ? Number(stepsArg) : undefined;
const block = (blockArg ?? "tfc-tdf") as BlockKind;
const minutes = Number(minutesArg ?? 10);
await init("wasm");
const SEED = 1;
const data = SEPARATION_STFT;
const cfg = separationUNet(block);
const PATCH = SEPARATION_PATCH, BATCH = SEPARATION_BATCH;

const songs = separationSongs(trainDir.split(","), data);
console.error(`${songs.length} training songs`);
const F = cfg.bins;
const batch = (step: number) => separationBatch(songs, step, SEED, F, PATCH, BATCH);
// The cosine schedule's horizon. From-scratch runs (the block comparison, the first shipped model) use
// 100000 steps, so over their ~1000 steps the rate stays near its peak; a continued run (`init`) decays
// to zero over its own steps.
const HORIZON = initArg && fixedSteps ? fixedSteps : 100000;
const budget = trainingBudget(fixedSteps, minutes, 20);
let trimmedFrom: string | undefined;
const result = await train({
  init: () => {
    if (!initArg) return initUNet(cfg, SEED);
    const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(initArg)), initArg);
    // A trimmed model (mirkit trim) has its own widths, which its tensors carry: fine-tune it as it is.
    trimmedFrom = metadata.trimmedFrom;
    return trimmedFrom !== undefined ? treeOf<UNetParams>(tensors) : fromNamed(initUNet(cfg, SEED), "", tensors);
  },
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
const { onnx, gflopsPerSecond } = exportSeparation(params, cfg, data);
writeFileSync(path.join(outDir, `separation-${block}.onnx`), onnx);
writeFileSync(path.join(outDir, `separation-${block}.safetensors`), encodeSafetensors(tensorsOf(params), { block, steps: String(result.stepsDone), ...(trimmedFrom !== undefined ? { trimmedFrom } : {}) }));
// Evaluate on the held-out set.
const model = await OnnxModel.load(await ortNode(), onnx);
const scores = await scoreSeparation(model, [testDir], data);
const metrics = {
  vocalsSdr: scores.vocalsSdr, accompanimentSdr: scores.accompanimentSdr, heldOutSongs: scores.songs,
  ...(scores.instrumentalSongs > 0 ? { instrumentalSongs: scores.instrumentalSongs, instrumentalVocalsReInputDb: scores.instrumentalVocalsReInputDb } : {}),
  steps: result.stepsDone, trainSeconds, parameters: parameterCount(params), gflopsPerSecond, realtime: scores.realtime,
};
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
