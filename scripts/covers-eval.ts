/**
 * The covers results table: MAP, MR1, P@10 and MRR on held-out covers
 * libraries (scripts/covers-data.ts; entry names give the work, noise songs
 * have none) for
 * - each embedding model alone (cosine distance; ONNX Runtime on the stored features, whole songs),
 * - alignment alone: the four alignment views of every pair, fused by averaging median-normalised
 *   distances (the best the alignment pipeline can do), and the v1 query pipeline (global-profile
 *   prefilter of 200, then that re-ranking),
 * - two-stage with the model given by --two-stage: the k nearest by embedding re-ranked by the four
 *   views and the embedding distance (covers/rank.rerankScores), the rest after them by embedding.
 * With --val, each model's cosine threshold for a cover decision (equal error rate on the validation
 * library, covers/rank.calibrate) is printed and, with --write-recipes, stored in its recipe.
 *   node dist-bench/scripts/covers-eval.js --test a.mkcl,b.mkcl --val v.mkcl --models m1.onnx,m2.onnx --two-stage m1.onnx --k 20,50,100 [--write-recipes] [--json out.json]
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { LibraryEntry } from "../src/covers/library.js";
import { cosineDistance, embeddingThreshold, pairDistances, profileDistance, stagedRanking, type PairDistances } from "../src/covers/rank.js";
import { evaluateCovers, type CoverScores } from "../src/eval/covers.js";
import { loadCoverEmbedder } from "../src/node.js";
import { openCoversLibrary } from "../src/tasks/covers.js";

const { values: a } = parseArgs({
  options: { test: { type: "string" }, val: { type: "string" }, models: { type: "string" }, "two-stage": { type: "string" }, k: { type: "string", default: "20,50,100" }, "write-recipes": { type: "boolean", default: false }, json: { type: "string" }, "embedding-only": { type: "boolean", default: false }, distractors: { type: "string" } },
});
if (!a.test || !a.models) throw new Error("usage: --test LIBS --models A.onnx,B.onnx [--val LIB] [--two-stage A.onnx] [--k 20,50,100] [--write-recipes] [--json FILE]");

async function entries(files: string): Promise<LibraryEntry[]> {
  const out: LibraryEntry[] = [];
  for (const f of files.split(",")) {
    const lib = await openCoversLibrary(f, { readOnly: true, formatOne: true });
    await lib.close();
    out.push(...lib.entries);
  }
  return out.sort((x, y) => x.path.localeCompare(y.path));
}
const work = (name: string) => (name.startsWith("noise") ? null : name.replace(/_v\d+$/, ""));
const test = await entries(a.test);
const labels = test.map((e) => work(e.path));
const n = test.length;
console.error(`${n} test items (${labels.filter((l) => l === null).length} noise)`);
const rows: { method: string; scores: CoverScores; note?: string }[] = [];
const score = (method: string, d: (i: number, j: number) => number, note?: string) => {
  const s = evaluateCovers(n, d, labels);
  rows.push({ method, scores: s, note });
  console.error(`${method}: MAP ${s.MAP.toFixed(3)} MR1 ${s.MR1.toFixed(1)} P@10 ${s["P@10"].toFixed(3)} MRR ${s.MRR.toFixed(3)}${note ? ` (${note})` : ""}`);
};
const cos = cosineDistance;

// Embeddings, model by model.
const embedded = new Map<string, Float32Array[]>();
const timing: Record<string, number> = {};
for (const file of a.models.split(",")) {
  const m = await loadCoverEmbedder(file);
  const t0 = performance.now();
  const vs: Float32Array[] = [];
  for (const e of test) vs.push(await m.embed(e.features));
  const seconds = (performance.now() - t0) / 1000;
  const audio = test.reduce((s, e) => s + e.durationSeconds, 0);
  timing[m.name] = audio / seconds;
  embedded.set(file, vs);
  score(`embedding ${m.name} (d = ${m.dim})`, (i, j) => cos(vs[i], vs[j]), `embedding ${(audio / seconds).toFixed(0)}× realtime from stored features`);
  if (a.val) {
    const val = await entries(a.val);
    const vv: Float32Array[] = [];
    for (const e of val) vv.push(await m.embed(e.features));
    const { threshold, equalErrorRate } = embeddingThreshold(vv, val.map((e) => work(e.path)));
    console.error(`  ${m.name}: validation threshold ${threshold} (equal error rate ${(100 * equalErrorRate).toFixed(1)} %)`);
    if (a["write-recipes"]) {
      const rf = file.replace(/\.onnx$/, ".recipe.json");
      const recipe = JSON.parse(readFileSync(rf, "utf8"));
      recipe.metrics = { ...recipe.metrics, threshold, equalErrorRate };
      writeFileSync(rf, JSON.stringify(recipe, null, 2) + "\n");
    }
  }
  await m.dispose();
}

// A bigger pool: the test items plus --distractors (songs of other works, never relevant), as a catalogue
// would hold them; the test items are the queries. Two-stage aligns only each query's k candidates.
if (a.distractors && a["two-stage"]) {
  const extra = await entries(a.distractors);
  const m = await loadCoverEmbedder(a["two-stage"]);
  const pool = [...test, ...extra];
  const pv = [...embedded.get(a["two-stage"])!];
  for (const e of extra) pv.push(await m.embed(e.features));
  await m.dispose();
  const N = pool.length, plabels = [...labels, ...extra.map(() => null)];
  const nearest = (q: number) => Array.from({ length: N }, (_, j) => j).filter((j) => j !== q).map((j) => ({ j, d: cos(pv[q], pv[j]) })).sort((x, y) => x.d - y.d);
  const rankings = new Map<number, Float64Array>();
  const orders = test.map((_, q) => nearest(q));
  const s0 = evaluateCovers(N, (i, j) => cos(pv[i], pv[j]), plabels);
  rows.push({ method: `embedding ${path.basename(a["two-stage"], ".onnx")}, among ${N} songs`, scores: s0 });
  for (const k of a.k!.split(",").map(Number)) {
    let recall = 0, relevant = 0;
    for (let q = 0; q < n; q++) {
      const order = orders[q];
      const cands = order.slice(0, k).map((x) => x.j);
      const rel = order.filter((x) => plabels[x.j] !== null && plabels[x.j] === labels[q]).length;
      relevant += rel;
      recall += cands.filter((j) => plabels[j] !== null && plabels[j] === labels[q]).length;
      const rank = new Map(order.map((x, r) => [x.j, r]));
      rankings.set(q, stagedRanking(N, q, cands, cands.map((j) => pairDistances(test[q].features, pool[j].features)), [order.slice(0, k).map((x) => x.d)], (j) => rank.get(j)!));
    }
    const sk = evaluateCovers(N, (i, j) => rankings.get(i)![j], plabels);
    rows.push({ method: `two-stage ${path.basename(a["two-stage"], ".onnx")}, k = ${k}, among ${N} songs`, scores: sk, note: `recall of the versions in the k candidates ${(recall / relevant).toFixed(3)}` });
    console.error(`pool k=${k}: MAP ${sk.MAP.toFixed(3)}, candidate recall ${(recall / relevant).toFixed(3)}`);
  }
}
if (a["embedding-only"]) {
  for (const r of rows) console.log(`| ${r.method} | ${r.scores.MAP.toFixed(3)} |`);
  process.exit(0);
}
// Alignment: the four views of every pair.
const t1 = performance.now();
const pairs: PairDistances[][] = test.map(() => []);
for (let q = 0; q < n; q++) {
  for (let j = 0; j < n; j++) pairs[q][j] = j === q ? pairDistances(test[q].features, test[q].features) : pairDistances(test[q].features, test[j].features);
  if (q % 50 === 0) console.error(`alignment ${q}/${n} (${((performance.now() - t1) / 1000).toFixed(0)} s)`);
}
const pairMs = (performance.now() - t1) / (n * n);
const pipeline = (q: number, cands: number[], extra: number[][] | undefined, rest: (j: number) => number) => stagedRanking(n, q, cands, cands.map((j) => pairs[q][j]), extra ?? [], rest);
const others = (q: number) => Array.from({ length: n }, (_, j) => j).filter((j) => j !== q);
const full = others(0).length;
const alignAll = test.map((_, q) => pipeline(q, others(q), undefined, () => 0));
score("alignment: 4 views of every pair, fused", (i, j) => alignAll[i][j], `${pairMs.toFixed(2)} ms per pair`);
const v1 = test.map((e, q) => {
  const byProfile = others(q).map((j) => ({ j, d: profileDistance(e.features, test[j].features) })).sort((x, y) => x.d - y.d);
  const rank = new Map(byProfile.map((x, r) => [x.j, r]));
  return pipeline(q, byProfile.slice(0, Math.min(200, full)).map((x) => x.j), undefined, (j) => rank.get(j)!);
});
score("alignment pipeline (v1 query: profile prefilter 200, re-ranked)", (i, j) => v1[i][j]);
if (a["two-stage"]) {
  const vs = embedded.get(a["two-stage"]);
  if (!vs) throw new Error("--two-stage must be one of --models");
  for (const k of a.k!.split(",").map(Number)) {
    const two = test.map((_, q) => {
      const byEmb = others(q).map((j) => ({ j, d: cos(vs[q], vs[j]) })).sort((x, y) => x.d - y.d);
      const rank = new Map(byEmb.map((x, r) => [x.j, r]));
      const cands = byEmb.slice(0, Math.min(k, full));
      return pipeline(q, cands.map((x) => x.j), [cands.map((x) => x.d)], (j) => rank.get(j)!);
    });
    score(`two-stage ${path.basename(a["two-stage"], ".onnx")}, k = ${k}`, (i, j) => two[i][j], `${k} alignments per query`);
  }
}
if (a.json) writeFileSync(a.json, JSON.stringify({ items: n, rows, embeddingRealtime: timing, alignmentMsPerPair: pairMs }, null, 2) + "\n");
console.log("| method | MAP | MR1 | P@10 | MRR | note |\n|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.method} | ${r.scores.MAP.toFixed(3)} | ${r.scores.MR1.toFixed(1)} | ${r.scores["P@10"].toFixed(3)} | ${r.scores.MRR.toFixed(3)} | ${r.note ?? ""} |`);
