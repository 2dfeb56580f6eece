/**
 * Trimmed models beside the full one, in one run: for each round of each
 * trimming run folder (mirkit trim -o DIR), parameters, GFLOP per second of
 * audio, ONNX size, the model part's speed in ONNX Runtime and end-to-end
 * ×realtime, the validation and held-out scores (from the rounds' recipes);
 * a Markdown table per run and a PNG of the held-out score against remaining
 * weights, one line per run. Speeds are medians over passes that time every
 * model in turn (interleaved, so slow phases of the machine fall on all).
 * Runs of one family per call:
 * - multi-F0: the CNN on a precomputed HCQT of 60 s (chunks of 512 frames as
 *   `multipitch` runs them); end to end = HCQT + CNN + peaks; Accuracy;
 * - separation: the U-Net on the STFT tensor of 60 s of stereo (chunks of
 *   256 frames as `separate` runs them); end to end = STFT + U-Net + mask +
 *   inverse STFT; vocals SDR (dB).
 *   npm run bench:trim -- RUN_DIR[,RUN_DIR…] [--plot docs/trim-multif0.png]
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { multipitchInput } from "../src/models/pitch/contract.js";
import { mixtureTensor, type SeparationModelConfig } from "../src/models/separation/contract.js";
import { OnnxModel, runChunked, type TensorF32 } from "../src/nn/runtime.js";
import { ortNode } from "../src/node.js";
import { renderLinePlot } from "../src/plot/lines.js";
import { encodePng } from "../src/plot/png.js";
import { multipitchWithModel } from "../src/tasks/multipitch.js";
import { separateWithModel } from "../src/tasks/separate.js";
import { toneWav } from "../src/testing/service.js";
import { decodeWav } from "../src/io/wav.js";

const runs = (process.argv[2] ?? "").split(",").filter(Boolean);
const plotAt = process.argv.indexOf("--plot");
const plotFile = plotAt > 0 ? process.argv[plotAt + 1] : undefined;
if (runs.length === 0) throw new Error("usage: bench:trim RUN_DIR[,RUN_DIR…] [--plot FILE.png]");
const ort = await ortNode();
const SECONDS = 60;
/** Timing passes over all models (the median is kept). */
const REPEATS = 7;

type Recipe = { command?: string; fineTuning?: string; criterion: string; scope: string; reset: string; round: number; trimmedFrom: string; stft?: SeparationModelConfig; metrics: { parameters: number; activeParameters: number; gflopsPerSecond: number; validationAccuracy?: number; validationVocalsSdr?: number; test?: Record<string, { Accuracy?: number; vocalsSdr?: number }> } };
/** How a family's rounds are timed and scored. */
interface Probe { metric: string; model: (m: OnnxModel) => Promise<unknown>; e2e: (m: OnnxModel) => Promise<unknown>; validation: (r: Recipe) => number; heldOut: (t: { Accuracy?: number; vocalsSdr?: number }) => number }
const probes = new Map<string, Probe>();
function probeOf(r: Recipe): Probe {
  const key = r.stft ? "separation" : "multif0";
  let p = probes.get(key);
  if (p) return p;
  if (r.stft) {
    const stft = r.stft;
    const [left, right] = decodeWav(toneWav(SECONDS, { seed: 2, channels: 2, sampleRate: stft.sampleRate })).channels;
    const t = mixtureTensor(left, right, stft);
    const tensor: TensorF32 = { data: t.data, dims: [1, 4, t.bins, t.frames] };
    p = {
      metric: "vocals SDR (dB)",
      model: (m) => runChunked(m, tensor, { chunk: 256, overlap: 2 * stft.frameMultiple }),
      e2e: (m) => separateWithModel(m, left, right, stft),
      validation: (rr) => rr.metrics.validationVocalsSdr ?? NaN,
      heldOut: (x) => x.vocalsSdr ?? NaN,
    };
  } else {
    const signal = decodeWav(toneWav(SECONDS, { seed: 2 })).channels[0];
    const input = multipitchInput(signal, "late");
    const tensor: TensorF32 = { data: input.data, dims: [1, input.channels, input.bins, input.frames] };
    p = {
      metric: "Accuracy",
      model: (m) => runChunked(m, tensor, { chunk: 512, overlap: 16 }),
      e2e: (m) => multipitchWithModel(m, signal, { fusion: "late", threshold: 0.3 }),
      validation: (rr) => rr.metrics.validationAccuracy ?? NaN,
      heldOut: (x) => x.Accuracy ?? NaN,
    };
  }
  probes.set(key, p);
  return p;
}

/**
 * Every round's speed, interleaved: all models load first, then each pass times every model once (model
 * part, then end to end), and each keeps its median over the passes. Timing one model after another let
 * slow phases of the machine (seconds long, ±30 %) land on whole models; interleaving spreads them.
 */
async function speeds(files: readonly { file: string; probe: Probe }[]): Promise<Map<string, { model: number; e2e: number }>> {
  const loaded = await Promise.all(files.map(async (f) => ({ ...f, model: await OnnxModel.load(ort, new Uint8Array(readFileSync(f.file))), t: [] as number[], e: [] as number[] })));
  try {
    for (const m of loaded) await m.probe.model(m.model); // warm-up
    for (let pass = 0; pass < REPEATS; pass++) {
      for (const m of loaded) {
        let t = performance.now();
        await m.probe.model(m.model);
        m.t.push(performance.now() - t);
        t = performance.now();
        await m.probe.e2e(m.model);
        m.e.push(performance.now() - t);
      }
    }
    const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
    return new Map(loaded.map((m) => [m.file, { model: SECONDS / (median(m.t) / 1000), e2e: SECONDS / (median(m.e) / 1000) }]));
  } finally {
    for (const m of loaded) await m.model.dispose();
  }
}

const roundsOf = (dir: string) => readdirSync(dir).filter((d) => /^round-\d+$/.test(d)).map((d) => Number(d.slice(6))).sort((a, b) => a - b)
  .flatMap((k) => {
    const base = readdirSync(path.join(dir, `round-${k}`)).find((f) => f.endsWith(".onnx"));
    if (!base) return [];
    const onnx = path.join(dir, `round-${k}`, base);
    return [{ k, onnx, recipe: JSON.parse(readFileSync(onnx.replace(/\.onnx$/, ".recipe.json"), "utf8")) as Recipe }];
  });
const timed = await speeds(runs.flatMap((dir) => roundsOf(dir).map((r) => ({ file: r.onnx, probe: probeOf(r.recipe) }))));

const series: { label: string; points: [number, number][] }[] = [];
let fullSpeed: number | undefined;
let metric = "", title = "";
for (const dir of runs) {
  const rows: string[] = [];
  let label = dir, full = 0;
  const points: [number, number][] = [];
  for (const { k, onnx, recipe: r } of roundsOf(dir)) {
    const probe = probeOf(r);
    metric = probe.metric;
    title = r.trimmedFrom;
    const sp = timed.get(onnx)!;
    if (k === 0) full = r.metrics.parameters;
    fullSpeed ??= sp.model;
    const steps = /--steps (\d+)/.exec(r.command ?? "")?.[1];
    if (k > 0) label = `${r.criterion} ${r.scope}${r.reset !== "rewind" ? ` ${r.reset}` : ""}${r.fineTuning ? ", then longer fine-tuning" : steps ? `, ${steps} steps/round` : ""}`;
    const test = r.metrics.test ? Object.values(r.metrics.test) : [];
    const heldOut = test.length ? test.reduce((s, t) => s + probe.heldOut(t), 0) / test.length : NaN;
    const validation = probe.validation(r);
    const remaining = (100 * r.metrics.activeParameters) / full;
    points.push([remaining, Number.isFinite(heldOut) ? heldOut : validation]);
    rows.push(`| ${k} | ${r.metrics.activeParameters} (${remaining.toFixed(1)} %) | ${r.metrics.gflopsPerSecond.toFixed(3)} | ${(readFileSync(onnx).length / 1024).toFixed(1)} | ${sp.model.toFixed(0)}× (${(sp.model / fullSpeed).toFixed(2)}×) | ${sp.e2e.toFixed(0)}× | ${validation.toFixed(3)} | ${Number.isFinite(heldOut) ? heldOut.toFixed(3) : "—"} |`);
  }
  series.push({ label, points });
  console.log(`\n${label} (${dir})\n`);
  console.log(`| round | parameters (remaining) | GFLOP/s of audio | ONNX KiB | model ×realtime (vs full) | end to end ×realtime | validation ${metric} | held-out ${metric} (mean of sets) |`);
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(r);
}
if (plotFile) {
  const img = renderLinePlot({ title: `${title} trimmed: held-out ${metric} against remaining weights`, xLabel: "remaining weights (%)", yLabel: metric, series, xRange: [100, 0] });
  writeFileSync(plotFile, await encodePng(img.rgb, img.width, img.height));
  console.log(`\nplot: ${plotFile}`);
}
