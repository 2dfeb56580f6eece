/**
 * Trains a piano transcription model (src/models/transcription/piano.ts) on
 * data files from scripts/piano-data.ts, then measures its batch-norm
 * statistics over training batches and writes <out>/weights.safetensors
 * and <out>/config.json (scripts/export-piano.ts makes the ONNX files).
 * Batches: 8 crops of 160 frames (5.1 s) with a random gain; Adam with a
 * cosine schedule. Long runs: --checkpoint DIR keeps the loop's state every
 * 200 steps and --stop-at N ends this process at step N; rerun the same
 * command to go on (jax-js training memory grows per step). `--snapshot --stop-at N` (N at or below the
 * checkpoint's step) writes the checkpoint's model to --out as if training had ended there (to score it).
 *
 * `--front keys` trains the key-aligned model (PianoConfig.front) on data written with piano-data.js --front keys;
 * then --channels, --features and --hidden are per key, and --harmonics (e.g. 0.25,0.3333333,0.5,1,2,3,4,5) sets
 * the multiples of each key's F0 stacked as input channels. `--state-noise P` writes the decoder's own mistakes
 * (notes ended late with probability P, early with P/2) into the teacher-forced previous states (statePerturbation).
 * `--frame-head N` adds the non-autoregressive head (PianoConfig.frameHead, N LSTM units a key) that steers decoding;
 * `--frame-head-detached` keeps its loss out of the shared convs. `--init W.safetensors` starts from a trained
 * model's weights where the names and shapes match (a new head stays as drawn).
 *
 *   node dist-bench/scripts/train-piano.js --kind ar --states 5 --train /tmp/piano/train-0,/tmp/piano/train-1 --out /tmp/piano/ar5 --steps 3000 --checkpoint /tmp/piano/ar5/ckpt --stop-at 1500
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { init, tree, type Array as JArray } from "@jax-js/jax";
import { FolderCheckpointStore } from "../src/io/file.js";
import { PIANO_FRONTS, type PianoFront, type StateCount } from "../src/models/transcription/contract.js";
import { initPiano, pianoLoss, PIANO_DEFAULT, type PianoConfig, type PianoKind, type PianoParams } from "../src/models/transcription/piano.js";
import { parameterCount } from "../src/nn/layers.js";
import { decodeSafetensors, encodeSafetensors } from "../src/nn/safetensors.js";
import { cosineLr, fromNamed, train } from "../src/nn/train.js";
import { tensorsOf } from "../src/prune/units.js";
import { batchStatistics, loadPianoPieces, pianoBatch } from "../src/tasks/piano-training.js";

const { values: a } = parseArgs({
  options: {
    kind: { type: "string", default: "ar" }, states: { type: "string", default: "5" }, train: { type: "string" }, out: { type: "string" },
    steps: { type: "string", default: "3000" }, lr: { type: "string", default: "1e-3" }, seed: { type: "string", default: "1" },
    batch: { type: "string", default: "8" }, frames: { type: "string", default: "160" },
    checkpoint: { type: "string" }, "stop-at": { type: "string" }, snapshot: { type: "boolean", default: false },
    channels: { type: "string", default: PIANO_DEFAULT.channels.join(",") }, features: { type: "string", default: String(PIANO_DEFAULT.features) },
    hidden: { type: "string", default: String(PIANO_DEFAULT.hidden) }, front: { type: "string", default: "mel" }, embed: { type: "string", default: String(PIANO_DEFAULT.embed) }, weights: { type: "string", default: PIANO_DEFAULT.weights.join(",") },
    harmonics: { type: "string" }, "state-noise": { type: "string", default: "0" }, "frame-head": { type: "string", default: "0" }, "frame-head-detached": { type: "boolean", default: false }, init: { type: "string" },
  },
});
if (!a.train || !a.out || !["ar", "frame"].includes(a.kind!) || !["3", "4", "5"].includes(a.states!) || !PIANO_FRONTS.includes(a.front as PianoFront)) throw new Error("usage: --kind ar|frame --states 3|4|5 --train BASES --out DIR [--front mel|keys|vqt] [--steps N] [--checkpoint DIR --stop-at N]");
await init("wasm");
const cfg: PianoConfig = {
  ...PIANO_DEFAULT, kind: a.kind as PianoKind, states: Number(a.states) as StateCount, embed: Number(a.embed),
  ...(a.front !== "mel" ? { front: a.front as PianoFront } : {}), ...(a.harmonics ? { harmonics: a.harmonics.split(",").map(Number) } : {}),
  ...(Number(a["frame-head"]) > 0 ? { frameHead: Number(a["frame-head"]), ...(a["frame-head-detached"] ? { frameHeadDetached: true } : {}) } : {}),
  channels: a.channels!.split(",").map(Number) as [number, number], features: Number(a.features), hidden: Number(a.hidden), weights: a.weights!.split(",").map(Number),
};
const steps = Number(a.steps), SEED = Number(a.seed), shape = { batch: Number(a.batch), frames: Number(a.frames), states: cfg.states, stateNoise: Number(a["state-noise"]) };
const pieces = loadPianoPieces(a.train.split(","));
if (pieces.some((p) => p.front !== (cfg.front ?? "mel"))) throw new Error(`the training data's inputs are not --front ${cfg.front ?? "mel"}'s`);
console.error(`${pieces.length} training pieces (${(pieces.reduce((s, p) => s + p.frames, 0) / 31.25 / 3600).toFixed(2)} h); ${cfg.kind} ${cfg.states} states`);
const fresh = initPiano(cfg, SEED), stats = fresh.stats;
let init0 = fresh.params;
if (a.init) {
  // Warm start: every tensor the file has (a trained model's weights.safetensors), the rest (e.g. a new frame head) as drawn.
  const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(a.init)), a.init);
  const own = Object.fromEntries(Object.entries(tensorsOf(init0)).map(([k, v]) => [`params.${k}`, v]));
  const taken = Object.keys(own).filter((k) => k in tensors).length;
  init0 = fromNamed(init0, "params.", { ...own, ...Object.fromEntries(Object.entries(tensors).filter(([k]) => k in own)) });
  console.error(`--init: ${taken} of ${Object.keys(own).length} tensors from ${a.init}`);
}
console.error(`${parameterCount(init0)} parameters`);
mkdirSync(a.out, { recursive: true });
const stopAt = a["stop-at"] ? Number(a["stop-at"]) : steps;
const t0 = performance.now();
let lastLog = 0, lossSum = 0, lossN = 0, firstStep: number | undefined;
const result = await train<PianoParams>({
  init: () => tree.map((x: JArray) => x.ref, init0) as PianoParams,
  loss: pianoLoss(cfg, stats),
  batch: (step) => pianoBatch(pieces, step, SEED, shape),
  steps, schedule: cosineLr(Number(a.lr), { warmup: 100, minLr: Number(a.lr) / 20 }), stopAt,
  adam: { clipNorm: 1 },
  ...(a.checkpoint ? { store: new FolderCheckpointStore(a.checkpoint), checkpointEvery: 200 } : {}),
  onProgress: (step, total, loss) => {
    firstStep ??= step - 1;
    lossSum += loss;
    lossN++;
    if (step - lastLog >= 50 || step === total) {
      console.error(`step ${step}/${total} loss ${(lossSum / lossN).toFixed(4)} ${((performance.now() - t0) / 1000 / Math.max(1, step - firstStep)).toFixed(2)} s/step rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
      lastLog = step;
      lossSum = lossN = 0;
    }
  },
});
writeFileSync(path.join(a.out, `log-${result.resumedFrom}.csv`), result.log);
if (result.stepsDone < steps && !a.snapshot) {
  console.error(`stopped at step ${result.stepsDone} of ${steps}; state in ${a.checkpoint}: run the command again to continue`);
  process.exit(0);
}
const measured = batchStatistics(result.params, stats, (i) => pianoBatch(pieces, 1_000_000 + i, SEED, { ...shape, stateNoise: 0 }), 40, cfg.front, cfg.harmonics);
const tensors: Record<string, { shape: readonly number[]; data: Float32Array }> = {};
for (const [k, v] of Object.entries(tensorsOf(result.params))) tensors[`params.${k}`] = v;
measured.forEach((s, i) => {
  tensors[`stats.${i}.mean`] = { shape: s.mean.shape, data: s.mean.dataSync() as Float32Array };
  tensors[`stats.${i}.var`] = { shape: s.var.shape, data: s.var.dataSync() as Float32Array };
});
writeFileSync(path.join(a.out, "weights.safetensors"), encodeSafetensors(tensors, { config: JSON.stringify(cfg) }));
writeFileSync(path.join(a.out, "config.json"), JSON.stringify({
  config: cfg, steps: result.stepsDone, ...(result.stepsDone < steps ? { schedule: steps } : {}), seed: SEED, lr: Number(a.lr), batch: shape, train: a.train.split(","), pieces: pieces.length, parameters: parameterCount(result.params),
  command: `node dist-bench/scripts/train-piano.js ${process.argv.slice(2).filter((x, i, all) => x !== "--stop-at" && all[i - 1] !== "--stop-at").join(" ")}`,
}, null, 2) + "\n");
console.error(`wrote ${a.out}/weights.safetensors (${existsSync(path.join(a.out, "weights.safetensors")) ? "ok" : "missing"})`);
