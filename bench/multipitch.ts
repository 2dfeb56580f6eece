/**
 * Multiple-F0 estimation on held-out synthetic SATB: mirkit's shipped
 * salience CNN beside Spotify's basic-pitch in its strongest form, its ONNX
 * model in onnxruntime-node (../shared/anchors/basic-pitch/nmp.onnx; its
 * TF.js build is 100× slower and is not the anchor), scored with our
 * mir_eval multipitch port (mean over items of Precision, Recall, Accuracy;
 * F from their means), with speed as × realtime on this machine.
 *
 * basic-pitch gives per-frame activations; its 264-bin pitch "contour"
 * output (3 bins per semitone from 27.5 Hz, 86 frames per second) is turned
 * into F0 sets by the same peak picking as ours, and its threshold is tuned
 * on the validation sets, as ours was; its note output (88 keys) is scored
 * too.
 * Each set is scored on its dry mixtures and on its "wet" ones: the recorded
 * mixture (room, microphone, compression, noise, codec) where `synth choir
 * --chain` made one, else the reverberant one.
 *   npm run bench:multipitch -- VAL=dir,dir TEST=dir,dir [--items N] [MODEL=file.onnx]
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { choirMixtureFile } from "../src/data/datasets.js";
import { evaluateMultipitch } from "../src/eval/multipitch.js";
import { nanMedian } from "../src/eval/separation.js";
import { parseRaggedTimeSeries } from "../src/eval/io.js";
import { decodeWav } from "../src/io/wav.js";
import { binToHz, hzToBin, MULTIPITCH_BINS, pickPeaks, toModelSignal } from "../src/models/pitch/contract.js";
import { loadMultipitchModel } from "../src/node.js";
import { basicPitchFrameTime, loadBasicPitch, runBasicPitch, type BasicPitchOutput } from "./basic-pitch.js";
import { multipitchWithModel } from "../src/tasks/multipitch.js";

const arg = (key: string) => (process.argv.find((s) => s.startsWith(`${key}=`)) ?? `${key}=`).slice(key.length + 1).split(",").filter(Boolean);
const valDirs = arg("VAL"), testDirs = arg("TEST");
if (testDirs.length === 0) throw new Error("usage: bench/multipitch.js VAL=dir,dir TEST=dir,dir (datasets from `mirkit synth choir`)");
const maxItems = Number(process.argv[process.argv.indexOf("--items") + 1]) || Infinity;

type Item = { file: string; truth: { times: Float64Array; values: Float64Array[] } };
function items(dir: string, wet: boolean): Item[] {
  const m = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { items: { name: string }[] };
  return m.items.slice(0, maxItems).map((it) => ({
    file: choirMixtureFile(path.join(dir, it.name), wet),
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

// --- mirkit: the shipped model, or those named by MODEL= (each with its recipe's threshold)
const modelFiles = arg("MODEL");
const ourModels = await Promise.all((modelFiles.length > 0 ? modelFiles : [undefined]).map((f) => loadMultipitchModel(f)));
const oursMethods: Method[] = ourModels.map((model, i) => ({
  name: `mirkit multif0-${model.fusion} (${modelFiles[i] ? path.basename(path.dirname(modelFiles[i])) + "/" + path.basename(modelFiles[i]) : "shipped"})`,
  threshold: model.threshold,
  run: async (x) => {
    let sal: Float32Array = new Float32Array(0), frames = 0;
    const r = await multipitchWithModel(model.onnx, x, { fusion: model.fusion, threshold: 2, onSalience: (s, n) => { sal = s; frames = n; } });
    return { sal, bins: MULTIPITCH_BINS, frames, times: r.times, toHz: binToHz };
  },
}));
const model = ourModels[0], ours = oursMethods[0];

// --- basic-pitch, its ONNX model (../shared/anchors/basic-pitch/nmp.onnx, Apache-2.0) in onnxruntime-node,
// with its own pre- and post-processing (basic_pitch/inference.py): 22050 Hz mono, windows of 43844 samples
// overlapping by 30 frames (the signal padded with half of that in front), 15 frames dropped at each window
// edge, cut to the signal's length; frame times by its model_frames_to_time (basicPitchFrameTime).
const nmp = await loadBasicPitch();
const bpCache = new Map<string, BasicPitchOutput>();
const basicPitchOnnx = (x: Float32Array) => runBasicPitch(nmp, x);
async function basicPitchRun(x: Float32Array, file: string, output: "contour" | "note"): Promise<Salience> {
  let cached = bpCache.get(file);
  if (!cached) bpCache.set(file, (cached = await basicPitchOnnx(x)));
  const rows = cached[output];
  const frames = rows.length, bins = rows[0].length;
  const sal = new Float32Array(bins * frames);
  rows.forEach((r, t) => r.forEach((v, k) => (sal[k * frames + t] = v)));
  // Bin b of basic-pitch's grid: 27.5 Hz · 2^(b / bins per octave) (contour: 3 bins a semitone; notes: the 88 keys).
  const perOctave = output === "contour" ? 36 : 12;
  return { sal, bins, frames, times: Float64Array.from({ length: frames }, (_, i) => basicPitchFrameTime(i)), toHz: (b) => 27.5 * 2 ** (b / perOctave) };
}
const methods: Method[] = [
  ...oursMethods,
  { name: "basic-pitch (ONNX, onnxruntime-node), contour output", run: (x, f) => basicPitchRun(x, f, "contour") },
  { name: "basic-pitch (ONNX), note output (time: cached, see the row above)", run: (x, f) => basicPitchRun(x, f, "note") },
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
      console.log(`| ${m.name} | ${path.basename(dir)}${wet ? " (recorded/reverb)" : ""}, ${runs.length} items | ${s.Precision.toFixed(3)} | ${s.Recall.toFixed(3)} | ${s.Accuracy.toFixed(3)} | ${s.F.toFixed(3)} | ${m.threshold} | ${(audio / compute).toFixed(1)} |`);
    }
  }
}
// The scoring above leaves basic-pitch's outputs of every item cached (hundreds of thousands of small arrays):
// a heap that large slows whichever pipeline allocates more (measured in one run: ours 90× with it and 149× without, basic-pitch 96× and 121×).
// A user's run has no such heap, so it goes before the timing.
bpCache.clear();
// End-to-end speed on one long file (10 minutes unless MIRKIT_BENCH_SECONDS says), both from the same
// 22050 Hz signal to F0 sets: ours = HCQT + CNN + peaks; basic-pitch = windows + ONNX + peaks on its contour.
const seconds = Number(process.env.MIRKIT_BENCH_SECONDS ?? 600);
const long = new Float32Array(seconds * 22050);
for (let i = 0; i < long.length; i++) {
  const f = 110 * 2 ** (Math.floor(i / 22050) % 12 / 12);
  for (let h = 1; h <= 4; h++) long[i] += (0.15 / h) * Math.sin((2 * Math.PI * f * h * i) / 22050);
}
// Three passes, the two pipelines in turn (interleaved, so slow phases of the machine fall on both); the
// median pass of each is reported.
const timed = async (run: () => Promise<unknown>) => {
  const t0 = performance.now();
  await run();
  return (performance.now() - t0) / 1000;
};
const oursRuns: number[] = [], bpRuns: number[] = [];
for (let pass = 0; pass < 3; pass++) {
  oursRuns.push(await timed(() => multipitchWithModel(model.onnx, long, { fusion: model.fusion, threshold: model.threshold })));
  bpRuns.push(await timed(async () => {
    const bp = await basicPitchOnnx(long);
    const rows = bp.contour, sal = new Float32Array(264 * rows.length);
    rows.forEach((r, t) => r.forEach((v, k) => (sal[k * rows.length + t] = v)));
    pickPeaks(sal, 264, rows.length, methods[oursMethods.length].threshold ?? 0.3);
  }));
}
const oursSeconds = nanMedian(oursRuns), bpSeconds = nanMedian(bpRuns);
const passes = (v: number[]) => v.map((x) => (seconds / x).toFixed(0)).join(", ");
console.log(`\n| end to end, ${seconds} s of mono audio at 22050 Hz (median of 3 interleaved passes) | seconds | × realtime | passes (× realtime) |\n|---|---|---|---|`);
console.log(`| ${ours.name} | ${oursSeconds.toFixed(1)} | ${(seconds / oursSeconds).toFixed(1)} | ${passes(oursRuns)} |`);
console.log(`| basic-pitch (ONNX, onnxruntime-node) | ${bpSeconds.toFixed(1)} | ${(seconds / bpSeconds).toFixed(1)} | ${passes(bpRuns)} |`);
for (const m of ourModels) await m.dispose();
await nmp.dispose();
