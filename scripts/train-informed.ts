/**
 * Trains an informed or multitask separation U-Net (models/separation/informed.ts) on `mirkit synth
 * separation` datasets, whose items carry vocals.phonemes.txt (the exact alignment of what was sung).
 *   node dist-bench/scripts/train-informed.js --train DIR[,DIR…] --out DIR --conditioning none|weak-layer|…
 *        [--activation] [--steps 600] [--seed 1] [--init WEIGHTS.safetensors] [--lr 5e-4] [--name NAME]
 *   node dist-bench/scripts/train-informed.js --arch recurrent --conditioning lyrics|none --train … --out … [--steps --lr --seed]
 * The recurrent model (models/separation/lyrics.ts, Jeon et al.) learns from the items' LRC lyrics spread
 * over their lines (lyricsAlignment), what `mirkit separate --lyrics` gives it; the U-Nets from the exact
 * phoneme alignments.
 * With --init (the shipped U-Net's weights) every variant starts from the same network and gets the same
 * steps: the comparison of issue 20 is at one budget. Writes OUT/<name>.onnx, .safetensors, .recipe.json.
 * Evaluation is bench/informed.ts (every candidate on the same held-out songs in one run).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { decodeWav } from "../src/io/wav.js";
import { lyricsAlignment, parseAlignment, parseLrc, phonemeMatrix, PHONEMES } from "../src/lyrics/phonemes.js";
import { exportLyricsUnmix, initLyricsUnmix, lyricsUnmixGraph, lyricsUnmixLoss, type LyricsUnmixConfig, type LyricsUnmixParams } from "../src/models/separation/lyrics.js";
import { mixtureTensor } from "../src/models/separation/contract.js";
import { CONDITIONINGS, exportInformed, informedGraph, informedLoss, initInformed, isConditioned, isStrong, vocalActivity, type Conditioning, type InformedConfig, type InformedParams } from "../src/models/separation/informed.js";
import { initUNet } from "../src/models/separation/unet.js";
import { namedLeaves, parameterCount, Rng } from "../src/nn/layers.js";
import { decodeSafetensors, encodeSafetensors } from "../src/nn/safetensors.js";
import { cosineLr, fromNamed, train } from "../src/nn/train.js";
import { trainingBudget } from "./budget.js";
import { cropSeparationPatch, separationGflopsPerSecond } from "../src/tasks/separation-training.js";
import { INFORMED_PATCH, SEPARATION_STFT, separationUNet, WEAK_WINDOW } from "./separation-setup.js";

const { values: o } = parseArgs({
  options: {
    train: { type: "string" }, out: { type: "string" }, conditioning: { type: "string", default: "none" }, activation: { type: "boolean", default: false },
    arch: { type: "string", default: "unet" }, steps: { type: "string", default: "600" }, seed: { type: "string", default: "1" }, init: { type: "string" }, lr: { type: "string", default: "5e-4" }, name: { type: "string" },
  },
});
const recurrent = o.arch === "recurrent";
if (!o.train || !o.out || !(recurrent ? ["none", "lyrics"] : (CONDITIONINGS as readonly string[])).includes(o.conditioning!) || !["unet", "recurrent"].includes(o.arch!)) {
  console.error(`usage: train-informed --train DIRS --out DIR --conditioning ${CONDITIONINGS.join("|")} [--activation] [--steps N] [--seed S] [--init W] [--lr LR]`);
  process.exit(2);
}
await init("wasm");
// The recurrent model's "lyrics" conditioning takes the strong path here: one phoneme column per frame.
const conditioning = (recurrent ? (o.conditioning === "lyrics" ? "strong-channel" : "none") : o.conditioning) as Conditioning;
const cfg: InformedConfig = { unet: separationUNet("tfc-tdf"), conditioning, activation: o.activation === true };
const rcfg: LyricsUnmixConfig = { bins: cfg.unet.bins, hidden: 64, embed: 16, lyrics: o.conditioning === "lyrics" };
const SEED = Number(o.seed), STEPS = Number(o.steps), LR = Number(o.lr), BATCH = 4, PATCH = recurrent ? 2 * INFORMED_PATCH : INFORMED_PATCH;
const name = o.name ?? (recurrent ? `informed-recurrent-${o.conditioning}-s${SEED}` : `informed-${conditioning}${cfg.activation ? "-act" : ""}-s${SEED}`);
const stft = SEPARATION_STFT, hop = stft.hopLength / stft.sampleRate, F = cfg.unet.bins, P = PHONEMES.length, M = 2 ** cfg.unet.depth;

type Song = { mix: Float32Array; voc: Float32Array; phon: Float32Array; active: Uint8Array; frames: number };
function load(dir: string): Song[] {
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { items: { name: string }[] };
  return manifest.items.map((it) => {
    const f = (x: string) => path.join(dir, it.name, x);
    const mix = decodeWav(new Uint8Array(readFileSync(f("mixture.wav")))), voc = decodeWav(new Uint8Array(readFileSync(f("vocals.wav"))));
    const m = mixtureTensor(mix.channels[0], mix.channels[1], stft), v = mixtureTensor(voc.channels[0], voc.channels[1], stft);
    const segs = recurrent
      ? existsSync(f("vocals.lrc")) ? lyricsAlignment(parseLrc(readFileSync(f("vocals.lrc"), "utf8"), f("vocals.lrc")), (m.frames * hop)) : []
      : parseAlignment(readFileSync(f("vocals.phonemes.txt"), "utf8"), f("vocals.phonemes.txt"));
    const phon = phonemeMatrix(segs, m.frames, hop);
    return { mix: m.data, voc: v.data, phon, active: vocalActivity(m.data, v.data, F, m.frames), frames: m.frames };
  });
}
const songs = o.train.split(",").flatMap(load);
console.error(`${songs.length} training songs; ${name}`);

function batch(step: number): JArray[] {
  const r = new Rng(SEED * 100003 + step);
  const x = new Float32Array(BATCH * 4 * F * PATCH), y = new Float32Array(BATCH * 4 * F * PATCH);
  const cT = isStrong(conditioning) ? PATCH : WEAK_WINDOW;
  const c = new Float32Array(BATCH * P * cT), a = new Float32Array(BATCH * (PATCH / M));
  for (let b = 0; b < BATCH; b++) {
    const s = songs[Math.floor(r.uniform() * songs.length)];
    const t0 = Math.floor(r.uniform() * (s.frames - PATCH));
    cropSeparationPatch(s, t0, b, F, PATCH, x, y);
    // Weak models see the phonemes of the window inference gives them (chunkFrames around the patch).
    const c0 = cT === PATCH ? t0 : Math.max(0, Math.min(s.frames - cT, t0 + PATCH / 2 - cT / 2));
    for (let p = 0; p < P; p++) c.set(s.phon.subarray(p * s.frames + c0, p * s.frames + c0 + cT), (b * P + p) * cT);
    for (let k = 0; k < PATCH / M; k++) for (let u = 0; u < M; u++) if (s.active[t0 + k * M + u]) a[b * (PATCH / M) + k] = 1;
  }
  return [
    np.array(x).reshape([BATCH, 4, F, PATCH]), np.array(y).reshape([BATCH, 4, F, PATCH]),
    np.array(c).reshape([BATCH, P, cT]), np.array(a).reshape([BATCH, PATCH / M]),
  ];
}

const initWeights = o.init ? decodeSafetensors(new Uint8Array(readFileSync(o.init)), o.init).tensors : undefined;
const budget = trainingBudget(STEPS, 1e9, 50);
const loop = { batch, steps: STEPS, schedule: cosineLr(LR, { warmup: 20 }), ...budget.options };
const result = recurrent
  ? await train({
    init: () => initLyricsUnmix(rcfg, SEED),
    loss: (p, x, y, c, a) => (a.dispose(), lyricsUnmixLoss(p, x, y, rcfg.lyrics ? c : (c.dispose(), null))),
    ...loop,
  })
  : await train({
    init: () => initInformed(cfg, SEED, initWeights ? fromNamed(initUNet(cfg.unet, SEED), "", initWeights) : undefined),
    loss: (p, x, y, c, a) => informedLoss(cfg, p, x, y, isConditioned(conditioning) ? c : (c.dispose(), null), cfg.activation ? a : (a.dispose(), null)),
    ...loop,
  });
const trainSeconds = budget.seconds();
console.error(`trained ${result.stepsDone} steps in ${trainSeconds.toFixed(0)} s`);
mkdirSync(o.out, { recursive: true });
writeFileSync(path.join(o.out, `${name}.onnx`), recurrent ? exportLyricsUnmix(result.params as LyricsUnmixParams, rcfg) : exportInformed(result.params as InformedParams, cfg));
const named: Record<string, { shape: number[]; data: Float32Array }> = {};
for (const [n, leaf] of namedLeaves(result.params)) named[n] = { shape: leaf.shape, data: leaf.ref.dataSync() as Float32Array };
writeFileSync(path.join(o.out, `${name}.safetensors`), encodeSafetensors(named, { arch: o.arch!, conditioning: o.conditioning!, activation: String(cfg.activation), steps: String(result.stepsDone) }));
const recipe = {
  command: `node dist-bench/scripts/train-informed.js${recurrent ? " --arch recurrent" : ""} --train ${o.train} --out ${o.out} --conditioning ${o.conditioning}${cfg.activation ? " --activation" : ""} --steps ${STEPS} --seed ${SEED}${o.init ? ` --init ${o.init}` : ""} --lr ${LR}`,
  seed: SEED,
  model: recurrent
    ? { kind: "informed", arch: "recurrent", conditioning: o.conditioning, activation: false, alignment: "lrc", recurrent: rcfg, phonemes: PHONEMES }
    : { kind: "informed", arch: "unet", conditioning, activation: cfg.activation, alignment: "phonemes", unet: cfg.unet, phonemes: PHONEMES },
  stft: { ...stft, chunkFrames: WEAK_WINDOW },
  patchFrames: PATCH, weakWindowFrames: WEAK_WINDOW, batch: BATCH,
  optimiser: `Adam, cosine ${LR} over ${STEPS} steps, warm-up 20${o.init ? `, from ${o.init}` : ""}`,
  trainData: o.train.split(",").map((d) => JSON.parse(readFileSync(path.join(d, "manifest.json"), "utf8")).command as string),
  metrics: {
    steps: result.stepsDone, trainSeconds, parameters: parameterCount(result.params),
    gflopsPerSecond: recurrent
      ? separationGflopsPerSecond(lyricsUnmixGraph, result.params as LyricsUnmixParams, SEPARATION_STFT, rcfg.lyrics, F)
      : separationGflopsPerSecond(informedGraph(cfg), result.params as InformedParams, SEPARATION_STFT, isConditioned(conditioning), F),
  },
};
writeFileSync(path.join(o.out, `${name}.recipe.json`), JSON.stringify(recipe, null, 2) + "\n");
console.log(`${name}: ${result.stepsDone} steps, ${trainSeconds.toFixed(0)} s`);
