/**
 * Separation reference points on a held-out synthetic set (TimGM6mb, seeds
 * not used for training): museval v4 median SDR of vocals and accompaniment
 * for the oracle ideal ratio mask (ceiling), REPET-SIM (unsupervised floor)
 * and the mixture itself (no separation), median over frames then tracks;
 * beside them every separation model found that takes audio alone
 * (models/ and MODELS_DIR: each separation-*.onnx with its recipe, trimmed
 * and multitask ones included; informed ones need an alignment and are in
 * bench:informed), the shipped ones also with the Wiener post-filter, with
 * parameters, GFLOP per second of audio and speed.
 * Songs without vocals (`synth separation --instrumental`) have no SDR; for
 * them each method's vocals stem is reported as its energy relative to the
 * input (dB; the goal is ≤ −25 dB), median over those songs.
 *   npm run bench:separation [-- DIR[,DIR…] [MODELS_DIR]]   (default: makes 6 songs of 20 s in a temporary folder)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { energy, levelRelativeDb, musevalV4, nanMedian } from "../src/eval/separation.js";
import { decodeWav } from "../src/io/wav.js";
import { oracleIrm, repetSim } from "../src/models/separation/baselines.js";
import type { SeparationModel } from "../src/models/separation/model.js";
import { loadSeparationModel, MODELS_DIR } from "../src/node.js";
import { separate } from "../src/tasks/separate.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let dir = process.argv[2];
if (!dir) {
  dir = mkdtempSync(path.join(tmpdir(), "mirkit-sepbench-"));
  const r = spawnSync(process.execPath, [path.join(ROOT, "dist/cli/main.js"), "synth", "separation", "--n", "6", "--seed", "900", "--seconds", "20", "--fonts", "timgm6mb", "--out", dir, "--quiet"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
}
const items = dir.split(",").flatMap((d) => (JSON.parse(readFileSync(path.join(d, "manifest.json"), "utf8")) as { items: { name: string }[] }).items.map((it) => path.join(d, it.name)));
type Recipe = { metrics: { parameters?: number; gflopsPerSecond?: number } };
const found = [MODELS_DIR, process.argv[3]].filter((d): d is string => d !== undefined && existsSync(d))
  .flatMap((d) => readdirSync(d).filter((f) => /^separation-.*\.onnx$/.test(f)).map((f) => ({ file: path.join(d, f), shipped: d === MODELS_DIR })));
const models: { name: string; model: SeparationModel; wiener: boolean; recipe: Recipe; seconds: number }[] = [];
for (const f of found) {
  const recipe = JSON.parse(readFileSync(f.file.replace(/\.onnx$/, ".recipe.json"), "utf8")) as Recipe;
  const model = await loadSeparationModel(f.file);
  // Informed models need an alignment (bench:informed scores them); this table is for models that take audio alone.
  if (model.informed) {
    await model.dispose();
    continue;
  }
  const name = `${path.basename(f.file, ".onnx")}${f.shipped ? " (shipped)" : ""}`;
  models.push({ name, model, wiener: false, recipe, seconds: 0 });
  if (f.shipped) models.push({ name: `${name} + Wiener`, model, wiener: true, recipe, seconds: 0 });
}
const methods = ["oracle IRM (ceiling)", "REPET-SIM (floor)", "mixture as estimate", ...models.map((m) => m.name)];
type Scores = Record<string, { voc: number[]; acc: number[]; leak: number[] }>;
const perTrack: Scores = Object.fromEntries(methods.map((m) => [m, { voc: [], acc: [], leak: [] }]));
let audioSeconds = 0;
type Signal = ReturnType<typeof decodeWav>;
/** Every method on one song; SDR per method (median over frames) into `into`. */
async function evaluateSong(mix: Signal, voc: Signal, acc: Signal, into: Scores, timed: boolean): Promise<void> {
  const sr = mix.sampleRate;
  const estimates: Record<string, Float32Array[]> = {
    "oracle IRM (ceiling)": oracleIrm(mix.channels, voc.channels, acc.channels, sr),
    "REPET-SIM (floor)": repetSim(mix.channels, sr),
    "mixture as estimate": mix.channels.map((c) => Float32Array.from(c, (v) => 0.5 * v)),
  };
  if (timed) audioSeconds += mix.channels[0].length / sr;
  for (const m of models) {
    const t = performance.now();
    estimates[m.name] = (await separate(mix, { model: m.model, wiener: m.wiener })).vocals;
    if (timed) m.seconds += (performance.now() - t) / 1000;
  }
  const instrumental = energy(voc.channels) === 0;
  for (const m of methods) {
    const v = estimates[m];
    if (instrumental) {
      into[m].leak.push(levelRelativeDb(v, mix.channels));
      continue;
    }
    const a = mix.channels.map((c, k) => Float32Array.from(c, (x, i) => x - v[k][i]));
    const frames = musevalV4([voc.channels, acc.channels], [v, a], sr);
    into[m].voc.push(nanMedian(frames[0].map((f) => f.SDR)));
    into[m].acc.push(nanMedian(frames[1].map((f) => f.SDR)));
  }
}
const t0 = performance.now();
for (const item of items) {
  const load = (f: string) => decodeWav(new Uint8Array(readFileSync(path.join(item, f))));
  await evaluateSong(load("mixture.wav"), load("vocals.wav"), load("accompaniment.wav"), perTrack, true);
}
const nInstrumental = perTrack[methods[0]].leak.length;
console.log(`${items.length} held-out songs from ${dir} (${nInstrumental} without vocals); ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const ceiling = nanMedian(perTrack["oracle IRM (ceiling)"].voc), floor = nanMedian(perTrack["REPET-SIM (floor)"].voc);
console.log("| method | vocals SDR (dB) | accompaniment SDR (dB) | gap closed | instrumentals: vocals re input (dB) | parameters | GFLOP per s of audio | × realtime |\n|---|---|---|---|---|---|---|---|");
for (const name of methods) {
  const m = models.find((x) => x.name === name);
  const voc = nanMedian(perTrack[name].voc);
  const cost = m ? `${m.recipe.metrics.parameters ?? "?"} | ${m.recipe.metrics.gflopsPerSecond?.toFixed(2) ?? "?"} | ${(audioSeconds / m.seconds).toFixed(1)}` : " | | ";
  const leak = nInstrumental > 0 ? nanMedian(perTrack[name].leak).toFixed(1) : "–";
  console.log(`| ${name} | ${voc.toFixed(2)} | ${nanMedian(perTrack[name].acc).toFixed(2)} | ${(100 * (voc - floor) / (ceiling - floor)).toFixed(0)} % | ${leak} | ${cost} |`);
}

// The real-music check: the MUSDB18 sample in ../shared (accompaniment = bass + drums + other). The models never heard real singing.
const MUSDB = path.resolve(ROOT, "../shared/audio/musdb18-sample");
if (existsSync(path.join(MUSDB, "mixture.wav"))) {
  const load = (f: string) => decodeWav(new Uint8Array(readFileSync(path.join(MUSDB, f))));
  const mix = load("mixture.wav"), voc = load("vocals.wav");
  const others = ["bass.wav", "drums.wav", "other.wav"].map(load);
  const acc = { sampleRate: mix.sampleRate, channels: mix.channels.map((_, c) => Float32Array.from(others[0].channels[c], (v, i) => v + others[1].channels[c][i] + others[2].channels[c][i])) };
  const real: Scores = Object.fromEntries(methods.map((m) => [m, { voc: [], acc: [], leak: [] }]));
  await evaluateSong(mix, voc, acc, real, false);
  console.log(`\nReal music: ${MUSDB}/mixture.wav (${(mix.channels[0].length / mix.sampleRate).toFixed(1)} s)`);
  console.log("| method | vocals SDR (dB) | accompaniment SDR (dB) |\n|---|---|---|");
  for (const name of methods) console.log(`| ${name} | ${real[name].voc[0].toFixed(2)} | ${real[name].acc[0].toFixed(2)} |`);
} else console.log(`\n(no ${MUSDB}: the real-music check is skipped)`);
for (const m of models) if (!m.wiener) await m.model.dispose();
