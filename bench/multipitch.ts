/**
 * Multiple-F0 estimation on held-out synthetic SATB: mirkit's shipped
 * salience CNN beside Spotify's basic-pitch (npm @spotify/basic-pitch 1.0.1
 * on the TF.js CPU backend), scored with our mir_eval multipitch port
 * (mean over items of Precision, Recall, Accuracy; F from their means), with
 * speed as × realtime on this machine.
 *
 * basic-pitch gives per-frame activations; its 264-bin pitch "contour"
 * output (3 bins per semitone from 27.5 Hz, 86 frames per second) is turned
 * into F0 sets by the same peak picking as ours, and its threshold is tuned
 * on the validation sets, as ours was; its note "frame" output (88 keys) is
 * scored too. basic-pitch is installed on first use into bench/.vendor
 * (≈ 300 MB with TF.js; not a dependency of mirkit).
 *   npm run bench:multipitch -- VAL=dir,dir TEST=dir,dir [--items N]
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { evaluateMultipitch } from "../src/eval/multipitch.js";
import { parseRaggedTimeSeries } from "../src/eval/io.js";
import { decodeWav } from "../src/io/wav.js";
import { binToHz, hzToBin, MULTIPITCH_BINS, pickPeaks, toModelSignal } from "../src/models/pitch/contract.js";
import { loadMultipitchModel } from "../src/node.js";
import { multipitchWithModel } from "../src/tasks/multipitch.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const VENDOR = path.join(ROOT, "bench", ".vendor");
const arg = (key: string) => (process.argv.find((s) => s.startsWith(`${key}=`)) ?? `${key}=`).slice(key.length + 1).split(",").filter(Boolean);
const valDirs = arg("VAL"), testDirs = arg("TEST");
if (testDirs.length === 0) throw new Error("usage: bench/multipitch.js VAL=dir,dir TEST=dir,dir (datasets from `mirkit synth choir`)");
const maxItems = Number(process.argv[process.argv.indexOf("--items") + 1]) || Infinity;

type Item = { file: string; truth: { times: Float64Array; values: Float64Array[] } };
function items(dir: string, wet: boolean): Item[] {
  const m = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { items: { name: string }[] };
  return m.items.slice(0, maxItems).map((it) => ({
    file: path.join(dir, it.name, wet ? "mixture_reverb.wav" : "mixture.wav"),
    truth: parseRaggedTimeSeries(readFileSync(path.join(dir, it.name, "multipitch.txt"), "utf8")),
  }));
}
const signalOf = (file: string) => {
  const a = decodeWav(new Uint8Array(readFileSync(file)));
  return toModelSignal(a.channels, a.sampleRate);
};

/**
 * A method turns a 22050 Hz mono signal into a salience map [bins, frames] with frame times; pickPeaks
 * reports a peak at fractional bin b as our grid's binToHz(b), so `toHz` maps b on the method's own grid.
 */
type Salience = { sal: Float32Array; bins: number; frames: number; times: Float64Array; toHz: (bin: number) => number };
type Method = { name: string; run: (x: Float32Array, file: string) => Promise<Salience>; threshold?: number };

function score(runs: { s: Salience; truth: Item["truth"] }[], threshold: number) {
  let P = 0, R = 0, A = 0;
  for (const { s, truth } of runs) {
    const picked = pickPeaks(s.sal, s.bins, s.frames, threshold);
    const est = { times: s.times, freqs: picked.freqs.map((f) => Float64Array.from(f, (hz) => s.toHz(hzToBin(hz)))) };
    const r = evaluateMultipitch({ times: truth.times, freqs: truth.values }, est);
    P += r.Precision; R += r.Recall; A += r.Accuracy;
  }
  const n = runs.length;
  return { Precision: P / n, Recall: R / n, Accuracy: A / n, F: (2 * P * R) / Math.max(1e-12, n * (P + R)) };
}

// --- mirkit
const model = await loadMultipitchModel();
const ours: Method = {
  name: `mirkit multif0-${model.fusion} (shipped)`,
  threshold: model.threshold,
  run: async (x) => {
    let sal: Float32Array = new Float32Array(0), frames = 0;
    const r = await multipitchWithModel(model.onnx, x, { fusion: model.fusion, threshold: 2, onSalience: (s, n) => { sal = s; frames = n; } });
    return { sal, bins: MULTIPITCH_BINS, frames, times: r.times, toHz: binToHz };
  },
};

// --- basic-pitch
if (!existsSync(path.join(VENDOR, "node_modules/@spotify/basic-pitch"))) {
  console.error("installing @spotify/basic-pitch@1.0.1 into bench/.vendor …");
  const r = spawnSync("npm", ["install", "--prefix", VENDOR, "--no-save", "--no-audit", "--no-fund", "@spotify/basic-pitch@1.0.1"], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("could not install @spotify/basic-pitch");
}
const bpDir = path.join(VENDOR, "node_modules/@spotify/basic-pitch");
// Both through one CommonJS require, so basic-pitch and we share one TF.js instance.
const requireVendor = createRequire(path.join(VENDOR, "package.json"));
const bp = requireVendor("@spotify/basic-pitch") as { BasicPitch: new (m: unknown) => { evaluateModel: (x: Float32Array, done: (f: number[][], o: number[][], c: number[][]) => void, pct: (p: number) => void) => Promise<void> } };
const tf = requireVendor("@tensorflow/tfjs") as { loadGraphModel: (h: unknown) => Promise<unknown>; io: { fromMemory: (...a: unknown[]) => unknown } };
const modelJson = JSON.parse(readFileSync(path.join(bpDir, "model/model.json"), "utf8")) as { modelTopology: unknown; weightsManifest: { weights: unknown[] }[] };
const weights = readFileSync(path.join(bpDir, "model/group1-shard1of1.bin"));
const graph = tf.loadGraphModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) }));
const basicPitch = new bp.BasicPitch(graph);
// basic-pitch's frame times (its toMidi.js): hop 256 at 22050 Hz, less a window offset per 2-second window.
const BP_WINDOW_OFFSET = (256 / 22050) * (172 - (22050 * 2 - 256) / 256) + 0.0018;
const bpTime = (i: number) => (i * 256) / 22050 - BP_WINDOW_OFFSET * Math.floor(i / 172);
// One basic-pitch run per file serves both of its outputs (the second is read from this cache, and the
// time is counted once: the first output's speed column is the model's).
const bpCache = new Map<string, { frame: number[][]; contour: number[][] }>();
async function basicPitchRun(x: Float32Array, file: string, output: "contour" | "frame"): Promise<Salience> {
  let cached = bpCache.get(file);
  if (!cached) {
    const c: { frame: number[][]; contour: number[][] } = { frame: [], contour: [] };
    await basicPitch.evaluateModel(x, (f, _o, co) => { c.frame.push(...f); c.contour.push(...co); }, () => {});
    bpCache.set(file, (cached = c));
  }
  const rows = cached[output];
  const frames = rows.length, bins = rows[0].length;
  const sal = new Float32Array(bins * frames);
  rows.forEach((r, t) => r.forEach((v, k) => (sal[k * frames + t] = v)));
  // Bin b of basic-pitch's grid: 27.5 Hz · 2^(b / bins per octave).
  const perOctave = output === "contour" ? 36 : 12;
  return { sal, bins, frames, times: Float64Array.from({ length: frames }, (_, i) => bpTime(i)), toHz: (b) => 27.5 * 2 ** (b / perOctave) };
}
const methods: Method[] = [
  ours,
  { name: "basic-pitch 1.0.1, contour output", run: (x, f) => basicPitchRun(x, f, "contour") },
  { name: "basic-pitch 1.0.1, note-frame output (time: cached, see the row above)", run: (x, f) => basicPitchRun(x, f, "frame") },
];

const THRESHOLDS = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7];
console.log("| method | test set | Precision | Recall | Accuracy | F | threshold | × realtime |\n|---|---|---|---|---|---|---|---|");
for (const m of methods) {
  if (m.threshold === undefined) {
    const val: { s: Salience; truth: Item["truth"] }[] = [];
    for (const dir of valDirs) for (const wet of [false, true]) for (const it of items(dir, wet)) val.push({ s: await m.run(signalOf(it.file), it.file), truth: it.truth });
    m.threshold = THRESHOLDS.reduce((best, th) => (score(val, th).Accuracy > score(val, best).Accuracy ? th : best), THRESHOLDS[0]);
  }
  for (const dir of testDirs) {
    for (const wet of [false, true]) {
      const runs: { s: Salience; truth: Item["truth"] }[] = [];
      let compute = 0, audio = 0;
      for (const it of items(dir, wet)) {
        const x = signalOf(it.file);
        const t = performance.now();
        runs.push({ s: await m.run(x, it.file), truth: it.truth });
        compute += (performance.now() - t) / 1000;
        audio += x.length / 22050;
      }
      const s = score(runs, m.threshold);
      console.log(`| ${m.name} | ${path.basename(dir)}${wet ? " (reverb)" : ""}, ${runs.length} items | ${s.Precision.toFixed(3)} | ${s.Recall.toFixed(3)} | ${s.Accuracy.toFixed(3)} | ${s.F.toFixed(3)} | ${m.threshold} | ${(audio / compute).toFixed(1)} |`);
    }
  }
}
await model.dispose();
