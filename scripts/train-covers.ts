/**
 * Trains the cover embedding (src/models/covers/embedding.ts) on covers
 * libraries made by scripts/covers-data.ts (entry names w<work>_v<version>:
 * the work is the class), and exports it to ONNX with a dynamic frame axis.
 * Modes (Re-MOVE's comparison, scaled down):
 * - teacher:  the large model (d = 2048 here; MOVE's is 16000), normalised softmax over work proxies;
 * - scratch:  the same at --dim from scratch;
 * - reconfig: Re-MOVE's latent-space reconfiguration: the teacher's backbone, a new head to --dim
 *             trained with the backbone frozen (--head-steps), then everything at a tiny rate (--steps);
 * - distill:  a fresh model at --dim whose in-batch cosine similarities match the teacher's;
 * - prune:    the teacher's head cut to its --dim output units of largest variance over the training set (no training).
 * Long runs (teacher, scratch, distill): --checkpoint DIR keeps the loop's state there every 250 steps and
 * --stop-at N ends this process at step N; rerun the same command (a larger --stop-at, or none) to go on
 * (one process holds ≈ 3000 steps: jax-js training memory grows per step).
 * Batches: 48 versions drawn at random, each time-stretched ×0.8–1.25 and cropped to 40 frames (20 s);
 * the salience view is zeroed in 10 % (libraries without it still embed). --structure P re-sequences a share P of the
 * versions before cropping (a section left out, repeated or moved). Widths: --pitch-channels (64) and
 * --channels (128); with --teacher, the teacher's. Validation: MAP on --val
 * (centre 48 frames); the best validation weights are kept.
 *   node dist-bench/scripts/train-covers.js --mode teacher --dim 2048 --train a.mkcl,b.mkcl --val v.mkcl --out DIR --steps 1500
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { init, jit, numpy as np, tree, type Array as JArray } from "@jax-js/jax";
import { coverBackbone, coverEmbedding, initCoverHead, initCoverNet, pitchPatches, PROXY_SCALE, distillLoss, type CoverBackbone, type CoverNetConfig, type CoverNetParams, DEFAULT_COVER_NET } from "../src/models/covers/embedding.js";
import { COVER_VIEWS, coverInput, cropFrames, rearrangeFrames, stretchFrames } from "../src/models/covers/contract.js";
import { evaluateCovers } from "../src/eval/covers.js";
import { cosineDistance, embeddingThreshold } from "../src/covers/rank.js";
import { dense, parameterCount, type DenseParams } from "../src/nn/layers.js";
import { exportOnnx, countFlops } from "../src/nn/onnx/export.js";
import { normalizedSoftmaxLoss } from "../src/nn/optim.js";
import { decodeSafetensors, encodeSafetensors } from "../src/nn/safetensors.js";
import { cosineLr, train } from "../src/nn/train.js";
import { tensorsOf, treeOf } from "../src/prune/units.js";
import { Rng } from "../src/random.js";
import { openCoversLibrary } from "../src/tasks/covers.js";
import { FolderCheckpointStore } from "../src/io/file.js";
import { trainingBudget } from "./budget.js";

const { values: a } = parseArgs({
  options: {
    mode: { type: "string" }, dim: { type: "string", default: "256" }, train: { type: "string" }, val: { type: "string" }, out: { type: "string" },
    teacher: { type: "string" }, steps: { type: "string", default: "1500" }, "head-steps": { type: "string", default: "400" }, lr: { type: "string" }, seed: { type: "string", default: "1" },
    augment: { type: "string", default: "basic" }, wd: { type: "string", default: "0" },
    structure: { type: "string", default: "0" }, "pitch-channels": { type: "string", default: String(DEFAULT_COVER_NET.pitchChannels) }, channels: { type: "string", default: String(DEFAULT_COVER_NET.channels) },
    checkpoint: { type: "string" }, "stop-at": { type: "string" },
  },
});
const MODES = ["teacher", "scratch", "reconfig", "distill", "prune"];
if (!a.mode || !MODES.includes(a.mode) || !a.train || !a.val || !a.out) throw new Error(`usage: --mode ${MODES.join("|")} --train LIBS --val LIB --out DIR [--dim D] [--teacher W.safetensors] [--steps N]`);
if (["reconfig", "distill", "prune"].includes(a.mode) && !a.teacher) throw new Error(`--mode ${a.mode} needs --teacher`);
const structureShare = Number(a.structure);
if (!(structureShare >= 0 && structureShare <= 1)) throw new Error("--structure is a share of the crops, 0–1");
await init("wasm");
const mode = a.mode, dim = Number(a.dim), steps = Number(a.steps), headSteps = Number(a["head-steps"]), SEED = Number(a.seed);
const B = 48, L = 40, VAL_FRAMES = 48, ROWS = COVER_VIEWS * 12, K_IN = COVER_VIEWS * 60;

interface Item { readonly name: string; readonly label: string; readonly x: Float32Array; readonly frames: number }
/** Entries of covers libraries; a work's label is its name within its data set (the file name up to "-<part>"), as two sets of other seeds reuse names. */
async function items(files: string[]): Promise<Item[]> {
  const out: Item[] = [];
  for (const f of files) {
    const lib = await openCoversLibrary(f, { readOnly: true, formatOne: true });
    const set = path.basename(f, ".mkcl").replace(/-\d+$/, "");
    for (const e of lib.entries) out.push({ name: e.path, label: e.path.startsWith("noise") ? `${set}/${e.path}` : `${set}/${e.path.replace(/_v\d+$/, "")}`, x: coverInput(e.features), frames: e.features.nFrames });
    await lib.close();
  }
  return out;
}
const trainItems = await items(a.train.split(","));
const valItems = await items(a.val.split(","));
const labels = [...new Set(trainItems.map((i) => i.label))].sort();
const labelIndex = new Map(labels.map((l, i) => [l, i]));
const K = labels.length;
console.error(`${trainItems.length} training versions of ${K} works; ${valItems.length} validation versions`);

function patchesOf(xs: Float32Array[], frames: number): JArray {
  const per = 12 * frames * K_IN;
  const all = new Float32Array(xs.length * per);
  xs.forEach((x, i) => all.set(pitchPatches(x, COVER_VIEWS, frames), i * per));
  return np.array(all).reshape([xs.length, 12, frames, K_IN]);
}

/**
 * A version's new structure, drawn: the song cut at three random frames into four sections, then one
 * section left out, repeated right after itself, or moved elsewhere (what covers-data's versions do).
 */
function restructured(rng: Rng, frames: number): [number, number][] {
  const cuts = [0, ...Array.from({ length: 3 }, () => rng.int(1, frames - 1)), frames].sort((p, q) => p - q);
  const spans = cuts.slice(1).map((e, i) => [cuts[i], e] as [number, number]).filter(([p, q]) => q > p);
  const i = rng.int(0, spans.length - 1), op = rng.int(0, 2);
  if (op === 0 && spans.length > 1) spans.splice(i, 1);
  else if (op === 1) spans.splice(i + 1, 0, spans[i]);
  else { const [sec] = spans.splice(i, 1); spans.splice(rng.int(0, spans.length), 0, sec); }
  return spans;
}

/** Step `step`'s crops (a function of the step only) and one-hot work targets. */
function drawBatch(step: number): { x: JArray; y: JArray } {
  const rng = new Rng(SEED * 1000003 + step);
  const crops: Float32Array[] = [];
  const y = new Float32Array(B * K);
  for (let b = 0; b < B; b++) {
    const it = trainItems[rng.int(0, trainItems.length - 1)];
    let st = stretchFrames(it.x, ROWS, it.frames, Math.exp(rng.range(Math.log(0.8), Math.log(1.25))));
    if (structureShare > 0 && rng.uniform() < structureShare) st = rearrangeFrames(st.data, ROWS, st.frames, restructured(rng, st.frames));
    const c = cropFrames(st.data, ROWS, st.frames, rng.int(0, Math.max(0, st.frames - L)), L);
    if (rng.uniform() < 0.1) c.fill(0, 2 * 12 * L);
    if (a.augment === "strong") {
      // Each of HPCP and melody dropped at 10 % too, and two spans of up to 4 frames blanked in every view.
      for (const v of [0, 1]) if (rng.uniform() < 0.1) c.fill(0, v * 12 * L, (v + 1) * 12 * L);
      for (let s = 0; s < 2; s++) {
        const len = rng.int(0, 4), at = rng.int(0, L - 1);
        for (let r = 0; r < ROWS; r++) for (let t = at; t < Math.min(L, at + len); t++) c[r * L + t] = 0;
      }
    }
    crops.push(c);
    y[b * K + labelIndex.get(it.label)!] = 1;
  }
  return { x: patchesOf(crops, L), y: np.array(y).reshape([B, K]) };
}

const valPatches = (() => {
  const crops = valItems.map((it) => cropFrames(it.x, ROWS, it.frames, Math.max(0, (it.frames - VAL_FRAMES) >> 1), VAL_FRAMES));
  return crops;
})();
const embedJit = jit((p: CoverNetParams, x: JArray) => coverEmbedding(p, x, "patch"));
/** Unit embeddings of crops (patch path, chunks of 40). */
function embedCrops(net: CoverNetParams, crops: Float32Array[], frames: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < crops.length; i += 40) {
    const chunk = crops.slice(i, i + 40);
    while (chunk.length < 40) chunk.push(chunk[0]);
    const e = embedJit(tree.ref(net), patchesOf(chunk, frames));
    const d = e.shape[1];
    const v = e.dataSync() as Float32Array;
    for (let k = 0; k < Math.min(40, crops.length - i); k++) out.push(v.slice(k * d, (k + 1) * d));
  }
  return out;
}
function mapOf(emb: Float32Array[], labs: string[]): number {
  return evaluateCovers(emb.length, (i, j) => cosineDistance(emb[i], emb[j]), labs).MAP;
}
const valLabels = valItems.map((i) => i.label);
/** 1 − validation MAP; takes ownership of `net` (train() hands its validate a reference it must release). */
const validateNet = (net: CoverNetParams) => {
  const m = mapOf(embedCrops(net, valPatches, VAL_FRAMES), valLabels);
  tree.dispose(net);
  return 1 - m;
};
const withProxies = (p: { net: CoverNetParams; proxies: JArray }) => { p.proxies.dispose(); return validateNet(p.net); };

const loadNet = (file: string) => treeOf<CoverNetParams>(decodeSafetensors(new Uint8Array(readFileSync(file)), file).tensors);
const teacher = a.teacher ? loadNet(a.teacher) : undefined;
/** The network's widths: the teacher's where there is one (its backbone is kept), else the flags. */
const cfg: CoverNetConfig = teacher
  ? { views: COVER_VIEWS, pitchChannels: teacher.backbone.pitch.w.shape[0], channels: teacher.head.w.shape[0], dim }
  : { views: COVER_VIEWS, pitchChannels: Number(a["pitch-channels"]), channels: Number(a.channels), dim };
if (!(cfg.pitchChannels > 0 && cfg.channels > 0)) throw new Error("--pitch-channels and --channels are positive widths");
const lr = Number(a.lr ?? (mode === "reconfig" ? 1e-4 : 2e-3));
if (!["basic", "strong"].includes(a.augment!)) throw new Error("--augment basic|strong");
const adam = { weightDecay: Number(a.wd) };
const proxiesInit = (d: number) => { const r = new Rng(SEED * 7 + 1); return np.array(Float32Array.from({ length: K * d }, () => r.normal())).reshape([K, d]); };

let net: CoverNetParams;
let stepsDone = 0, headStepsDone = 0;
const t0 = performance.now();
const budget = trainingBudget(undefined, Infinity, 50);
const stopAt = a["stop-at"] ? Number(a["stop-at"]) : steps;
/** The loop's store: a folder when --checkpoint is given (resumable segments), else memory. */
const segments = a.checkpoint ? { store: new FolderCheckpointStore(a.checkpoint), checkpointEvery: 250 } : {};
const unfinished = (done: number) => {
  if (done >= steps) return false;
  console.error(`stopped at step ${done} of ${steps}; state in ${a.checkpoint}: run the command again to continue`);
  return true;
};
if (mode === "teacher" || mode === "scratch") {
  const r = await train({
    init: () => ({ net: initCoverNet(cfg, SEED), proxies: proxiesInit(dim) }),
    loss: (p, x, y) => normalizedSoftmaxLoss(coverEmbedding(p.net, x, "patch"), p.proxies, y, PROXY_SCALE),
    batch: (s) => { const b = drawBatch(s); return [b.x, b.y]; },
    steps, schedule: cosineLr(lr, { warmup: 50 }), adam, validate: withProxies, validateEvery: 100,
    ...budget.options, ...segments, stopAt,
  });
  if (unfinished(r.stepsDone)) process.exit(0);
  net = r.best.net;
  stepsDone = r.stepsDone;
} else if (mode === "reconfig") {
  // 1. A new head on the frozen teacher backbone (its pooled features computed outside the gradient).
  const backbone = teacher!.backbone;
  const pooled = jit((bb: CoverBackbone, x: JArray) => coverBackbone(bb, x, "patch"));
  const h = await train({
    init: () => ({ head: initCoverHead(cfg, SEED), proxies: proxiesInit(dim) }),
    loss: (p: { head: DenseParams; proxies: JArray }, f: JArray, y: JArray) => normalizedSoftmaxLoss(dense(p.head, f), p.proxies, y, PROXY_SCALE),
    batch: (s) => { const b = drawBatch(s); return [pooled(tree.ref(backbone), b.x), b.y]; },
    steps: headSteps, schedule: cosineLr(2e-3, { warmup: 20 }),
    validate: (p) => { p.proxies.dispose(); return validateNet({ backbone: tree.ref(backbone), head: p.head }); }, validateEvery: 100,
    ...budget.options, stopAt: headSteps,
  });
  headStepsDone = h.stepsDone;
  console.error(`head trained: validation MAP ${(1 - h.bestMetric).toFixed(3)}`);
  // 2. Everything, at a tiny rate.
  const start = { net: { backbone: tree.ref(backbone), head: h.best.head }, proxies: h.best.proxies };
  const r = await train({
    init: () => tree.ref(start),
    loss: (p, x, y) => normalizedSoftmaxLoss(coverEmbedding(p.net, x, "patch"), p.proxies, y, PROXY_SCALE),
    batch: (s) => { const b = drawBatch(100000 + s); return [b.x, b.y]; },
    steps, schedule: cosineLr(lr, { warmup: 20 }), adam, validate: withProxies, validateEvery: 100,
    ...trainingBudget(undefined, Infinity, 50).options, stopAt: steps, // a fresh checkpoint store
  });
  net = r.best.net;
  stepsDone = r.stepsDone;
} else if (mode === "distill") {
  const teacherEmb = jit((p: CoverNetParams, x: JArray) => coverEmbedding(p, x, "patch"));
  const r = await train({
    init: () => initCoverNet(cfg, SEED),
    loss: (p, x, g) => distillLoss(coverEmbedding(p, x, "patch"), g),
    batch: (s) => {
      const { x, y } = drawBatch(s);
      y.dispose();
      const e = teacherEmb(tree.ref(teacher!), x.ref);
      return [x, np.matmul(e.ref, e.transpose([1, 0]))];
    },
    steps, schedule: cosineLr(lr, { warmup: 50 }), adam, validate: (p) => validateNet(p), validateEvery: 100,
    ...budget.options, ...segments, stopAt,
  });
  if (unfinished(r.stepsDone)) process.exit(0);
  net = r.best;
  stepsDone = r.stepsDone;
} else {
  // prune: the teacher's head units of largest variance of their (pre-normalisation) outputs over the training crops.
  const pooled = jit((bb: CoverBackbone, x: JArray) => coverBackbone(bb, x, "patch"));
  const crops = trainItems.map((it) => cropFrames(it.x, ROWS, it.frames, Math.max(0, (it.frames - VAL_FRAMES) >> 1), VAL_FRAMES));
  const D = teacher!.head.w.shape[1];
  const sum = new Float64Array(D), sq = new Float64Array(D);
  for (let i = 0; i < crops.length; i += 40) {
    const chunk = crops.slice(i, i + 40);
    const n = chunk.length;
    while (chunk.length < 40) chunk.push(chunk[0]);
    const out = dense(teacher!.head, pooled(tree.ref(teacher!.backbone), patchesOf(chunk, VAL_FRAMES))).dataSync() as Float32Array;
    for (let k = 0; k < n; k++) for (let j = 0; j < D; j++) { const v = out[k * D + j]; sum[j] += v; sq[j] += v * v; }
  }
  const variance = Array.from(sum, (s, j) => sq[j] / crops.length - (s / crops.length) ** 2);
  const keep = variance.map((v, j) => [v, j]).sort((x, y) => y[0] - x[0]).slice(0, dim).map(([, j]) => j).sort((x, y) => x - y);
  const w = teacher!.head.w.dataSync() as Float32Array, b = teacher!.head.b.dataSync() as Float32Array;
  const C = teacher!.head.w.shape[0];
  const nw = new Float32Array(C * dim);
  for (let c = 0; c < C; c++) keep.forEach((j, k) => { nw[c * dim + k] = w[c * D + j]; });
  net = { backbone: tree.ref(teacher!.backbone), head: { w: np.array(nw).reshape([C, dim]), b: np.array(Float32Array.from(keep, (j) => b[j])) } };
}
const trainSeconds = (performance.now() - t0) / 1000;
const valEmb = embedCrops(net, valPatches, VAL_FRAMES);
const valMap = mapOf(valEmb, valLabels);
// The cosine distance of a cover decision: the equal-error-rate threshold on validation.
const { threshold, equalErrorRate } = embeddingThreshold(valEmb, valLabels);
console.error(`${mode} d=${dim}: validation MAP ${valMap.toFixed(3)} after ${stepsDone} steps (${trainSeconds.toFixed(0)} s)`);

mkdirSync(a.out, { recursive: true });
const base = path.join(a.out, `covers-${mode}-${dim}`);
const example = np.zeros([1, COVER_VIEWS, 12, 60]);
const flops = countFlops((p: CoverNetParams, x: JArray) => coverEmbedding(p, x, "lax"), net, [example.ref]);
writeFileSync(`${base}.onnx`, exportOnnx((p: CoverNetParams, x: JArray) => coverEmbedding(p, x, "lax"), net, [example], { dynamicAxes: [{ 3: "frames" }] }));
writeFileSync(`${base}.safetensors`, encodeSafetensors(tensorsOf(net), { mode, dim: String(dim) }));
const recipe = {
  command: `node dist-bench/scripts/train-covers.js --mode ${mode} --dim ${dim} --train ${a.train} --val ${a.val} --out ${a.out}${a.teacher ? ` --teacher ${a.teacher}` : ""} --steps ${steps} --head-steps ${headSteps} --lr ${lr} --seed ${SEED} --augment ${a.augment} --wd ${a.wd} --pitch-channels ${cfg.pitchChannels} --channels ${cfg.channels} --structure ${structureShare}`,
  seed: SEED, mode, model: cfg, batch: B, cropFrames: L, works: K, trainVersions: trainItems.length,
  optimiser: mode === "prune" ? "none (rows of the teacher's head kept by output variance)" : `Adam${Number(a.wd) > 0 ? `W (weight decay ${a.wd})` : ""}, cosine from ${lr}, warm-up 50`, augment: a.augment, structureShare,
  loss: mode === "distill" ? "mean squared difference of in-batch cosine similarities to the teacher's" : "normalised softmax over work proxies, temperature 0.05",
  steps: stepsDone, headSteps: headStepsDone, trainSeconds,
  metrics: { parameters: parameterCount(net), gflopsPerSecond: flops / 30 / 1e9, validationMAP: valMap, threshold, equalErrorRate },
};
writeFileSync(`${base}.recipe.json`, JSON.stringify(recipe, null, 2) + "\n");
console.log(JSON.stringify({ mode, dim, valMap, stepsDone, trainSeconds }));
