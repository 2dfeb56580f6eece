/**
 * The variant comparison of the multi-F0 CNNs (issue 6) from their recipes:
 * held-out Precision / Recall / Accuracy / F per test set, parameters, cost.
 *   node dist-bench/scripts/multif0-table.js DIR   (folder of multif0-<fusion>.recipe.json; default models/)
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { MODELS_DIR } from "../src/io/model-files.js";
import { initMultiF0, inputChannels, multiF0Salience, type MultiF0Config } from "../src/models/pitch/multif0.js";
import { countFlops } from "../src/nn/onnx/export.js";
import { MULTIPITCH_BINS, MULTIPITCH_HOP, MULTIPITCH_RATE } from "../src/models/pitch/contract.js";

type Scores = { Precision: number; Recall: number; Accuracy: number; F: number; items: number };
type Recipe = { model: MultiF0Config; metrics: { parameters: number; steps: number; threshold: number; validationAccuracy: number; gflopsPerSecond?: number; realtime: number; test: Record<string, Scores> } };
const dir = process.argv[2] ?? MODELS_DIR;
const recipes = readdirSync(dir).filter((f) => /^multif0-.*\.recipe\.json$/.test(f)).map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as Recipe);
const order = ["magnitude", "early", "late"];
recipes.sort((a, b) => order.indexOf(a.model.fusion) - order.indexOf(b.model.fusion));
console.log("| variant | test set | Precision | Recall | Accuracy | F | validation Accuracy | threshold | parameters | GFLOP per s of audio | steps |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
await init("wasm");
/** Cost from the architecture (older recipes lack it); it does not depend on the weights. */
function gflops(cfg: MultiF0Config): number {
  const p = initMultiF0(cfg, 1);
  return (countFlops((q: typeof p, x: JArray) => multiF0Salience(q, x, cfg, "lax"), p, [np.zeros([1, inputChannels(cfg), MULTIPITCH_BINS, 16])]) / 16) * (MULTIPITCH_RATE / MULTIPITCH_HOP) / 1e9;
}
for (const r of recipes) {
  const m = r.metrics;
  m.gflopsPerSecond ??= gflops(r.model);
  for (const [set, s] of Object.entries(m.test)) {
    console.log(`| ${r.model.fusion} | ${set} (${s.items}) | ${s.Precision.toFixed(3)} | ${s.Recall.toFixed(3)} | ${s.Accuracy.toFixed(3)} | ${s.F.toFixed(3)} | ${m.validationAccuracy.toFixed(3)} | ${m.threshold} | ${m.parameters} | ${m.gflopsPerSecond?.toFixed(2) ?? "–"} | ${m.steps} |`);
  }
}
