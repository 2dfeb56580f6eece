/**
 * Separation reference points on a held-out synthetic set (TimGM6mb, seeds
 * not used for training): museval v4 median SDR of vocals and accompaniment
 * for the oracle ideal ratio mask (ceiling), REPET-SIM (unsupervised floor)
 * and the mixture itself (no separation), median over frames then tracks.
 *   npm run bench:separation [-- DIR]   (default: makes 6 songs of 20 s in a temporary folder)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { musevalV4, nanMedian } from "../src/eval/separation.js";
import { decodeWav } from "../src/io/wav.js";
import { oracleIrm, repetSim } from "../src/tasks/separation-baselines.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let dir = process.argv[2];
if (!dir) {
  dir = mkdtempSync(path.join(tmpdir(), "mirkit-sepbench-"));
  const r = spawnSync(process.execPath, [path.join(ROOT, "dist/cli/main.js"), "synth", "separation", "--n", "6", "--seed", "900", "--seconds", "20", "--fonts", "timgm6mb", "--out", dir, "--quiet"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
}
const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { items: { name: string }[] };
const methods = ["oracle IRM (ceiling)", "REPET-SIM (floor)", "mixture as estimate"] as const;
const perTrack: Record<string, { voc: number[]; acc: number[] }> = Object.fromEntries(methods.map((m) => [m, { voc: [], acc: [] }]));
const t0 = performance.now();
for (const item of manifest.items) {
  const load = (f: string) => decodeWav(new Uint8Array(readFileSync(path.join(dir!, item.name, f))));
  const mix = load("mixture.wav"), voc = load("vocals.wav"), acc = load("accompaniment.wav");
  const sr = mix.sampleRate;
  const estimates: Record<string, Float32Array[]> = {
    "oracle IRM (ceiling)": oracleIrm(mix.channels, voc.channels, acc.channels, sr),
    "REPET-SIM (floor)": repetSim(mix.channels, sr),
    "mixture as estimate": mix.channels.map((c) => Float32Array.from(c, (v) => 0.5 * v)),
  };
  for (const m of methods) {
    const v = estimates[m];
    const a = mix.channels.map((c, k) => Float32Array.from(c, (x, i) => x - v[k][i]));
    const frames = musevalV4([voc.channels, acc.channels], [v, a], sr);
    perTrack[m].voc.push(nanMedian(frames[0].map((f) => f.SDR)));
    perTrack[m].acc.push(nanMedian(frames[1].map((f) => f.SDR)));
  }
}
console.log(`${manifest.items.length} held-out songs from ${dir}; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log("| method | vocals SDR (dB) | accompaniment SDR (dB) |\n|---|---|---|");
for (const m of methods) console.log(`| ${m} | ${nanMedian(perTrack[m].voc).toFixed(2)} | ${nanMedian(perTrack[m].acc).toFixed(2)} |`);
