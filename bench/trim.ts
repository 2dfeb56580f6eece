/**
 * Trimmed multi-F0 models beside the full one, in one run: for each round of
 * each trimming run folder (mirkit trim -o DIR), parameters, GFLOP per second
 * of audio, ONNX size, the model part's speed in ONNX Runtime (the CNN on a
 * precomputed HCQT of 60 s, chunks of 512 frames as `multipitch` runs it),
 * end-to-end ×realtime (HCQT + CNN + peaks), validation and held-out
 * Accuracy (from the rounds' recipes); a Markdown table per run and a PNG of
 * held-out Accuracy against remaining weights, one line per run.
 *   npm run bench:trim -- RUN_DIR[,RUN_DIR…] [--plot docs/trim-multif0.png]
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { multipitchInput } from "../src/models/pitch/contract.js";
import { OnnxModel, runChunked } from "../src/nn/runtime.js";
import { ortNode } from "../src/node.js";
import { renderLinePlot } from "../src/plot/lines.js";
import { encodePng } from "../src/plot/png.js";
import { multipitchWithModel } from "../src/tasks/multipitch.js";
import { toneWav } from "../src/testing/service.js";
import { decodeWav } from "../src/io/wav.js";

const runs = (process.argv[2] ?? "").split(",").filter(Boolean);
const plotAt = process.argv.indexOf("--plot");
const plotFile = plotAt > 0 ? process.argv[plotAt + 1] : undefined;
if (runs.length === 0) throw new Error("usage: bench:trim RUN_DIR[,RUN_DIR…] [--plot FILE.png]");
const ort = await ortNode();
const SECONDS = 60;
const signal = decodeWav(toneWav(SECONDS, { seed: 2 })).channels[0];
const input = multipitchInput(signal, "late");
const tensor = { data: input.data, dims: [1, input.channels, input.bins, input.frames] };

type Recipe = { criterion: string; scope: string; reset: string; round: number; metrics: { parameters: number; activeParameters: number; gflopsPerSecond: number; validationAccuracy: number; test?: Record<string, { Accuracy: number }> } };
async function speed(file: string): Promise<{ model: number; e2e: number }> {
  const model = await OnnxModel.load(ort, new Uint8Array(readFileSync(file)));
  try {
    await runChunked(model, tensor, { chunk: 512, overlap: 16 }); // warm-up
    const best = async (f: () => Promise<unknown>) => {
      let b = Infinity;
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        await f();
        b = Math.min(b, performance.now() - t);
      }
      return SECONDS / (b / 1000);
    };
    return { model: await best(() => runChunked(model, tensor, { chunk: 512, overlap: 16 })), e2e: await best(() => multipitchWithModel(model, signal, { fusion: "late", threshold: 0.3 })) };
  } finally {
    await model.dispose();
  }
}

const series: { label: string; points: [number, number][] }[] = [];
let fullSpeed: number | undefined;
for (const dir of runs) {
  const rounds = readdirSync(dir).filter((d) => /^round-\d+$/.test(d)).map((d) => Number(d.slice(6))).sort((a, b) => a - b);
  const rows: string[] = [];
  let label = dir, full = 0;
  const points: [number, number][] = [];
  for (const k of rounds) {
    const base = readdirSync(path.join(dir, `round-${k}`)).find((f) => f.endsWith(".onnx"));
    if (!base) continue;
    const onnx = path.join(dir, `round-${k}`, base);
    const r = JSON.parse(readFileSync(onnx.replace(/\.onnx$/, ".recipe.json"), "utf8")) as Recipe;
    const sp = await speed(onnx);
    if (k === 0) full = r.metrics.parameters;
    fullSpeed ??= sp.model;
    label = `${r.criterion} ${r.scope}${r.reset !== "rewind" ? ` ${r.reset}` : ""}`;
    const test = r.metrics.test ? Object.values(r.metrics.test) : [];
    const heldOut = test.length ? test.reduce((s, t) => s + t.Accuracy, 0) / test.length : NaN;
    const remaining = (100 * r.metrics.activeParameters) / full;
    points.push([remaining, Number.isFinite(heldOut) ? heldOut : r.metrics.validationAccuracy]);
    rows.push(`| ${k} | ${r.metrics.activeParameters} (${remaining.toFixed(1)} %) | ${r.metrics.gflopsPerSecond.toFixed(3)} | ${(readFileSync(onnx).length / 1024).toFixed(1)} | ${sp.model.toFixed(0)}× (${(sp.model / fullSpeed).toFixed(2)}×) | ${sp.e2e.toFixed(0)}× | ${r.metrics.validationAccuracy.toFixed(3)} | ${Number.isFinite(heldOut) ? heldOut.toFixed(3) : "—"} |`);
  }
  series.push({ label, points });
  console.log(`\n${label} (${dir})\n`);
  console.log("| round | parameters (remaining) | GFLOP/s of audio | ONNX KiB | CNN ×realtime (vs full) | end to end ×realtime | validation Accuracy | held-out Accuracy (mean of sets, dry and recorded) |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(r);
}
if (plotFile) {
  const img = renderLinePlot({ title: "multif0-late trimmed: held-out Accuracy against remaining weights", xLabel: "remaining weights (%)", yLabel: "Accuracy", series, xRange: [100, 0] });
  writeFileSync(plotFile, await encodePng(img.rgb, img.width, img.height));
  console.log(`\nplot: ${plotFile}`);
}
