/**
 * The covers catalogue at scale: fills a library with N entries (the real
 * songs of --real, a covers library, with their embeddings from the shipped
 * model, plus synthetic entries whose embeddings are drawn from a Gaussian
 * fitted to the real ones (mean and covariance, then unit length) and whose
 * features are a real song's, so re-ranking costs what it would), builds
 * the index from the log, then times --queries queries:
 * - embedding stage: the index search for the candidates (and with reading their records by offset);
 * - two-stage: that, then alignment of the candidates and the fused re-ranking
 *   (the query's own feature extraction, ≈ 0.5 s for 30 s of audio, is not included);
 * - beside it, an exact scan (every vector's dot product) of the same vectors;
 * and reports index build time, open time, index size on disk and peak memory.
 * `--vectors-only` skips the log (index and exact scan only), for 1M and more.
 *   npm run bench:covers-scale -- --n 100000 --real /tmp/cv/test-0.mkcl,/tmp/cv/test-1.mkcl
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { encodeEntry, MAGIC, type LibraryEntry } from "../src/covers/library.js";
import { pairDistances, rerankScores } from "../src/covers/rank.js";
import { frameRecord } from "../src/io/records.js";
import { VectorIndex } from "../src/io/vector-index.js";
import { loadCoverEmbedder } from "../src/node.js";
import { Rng } from "../src/random.js";
import { CoversCatalog } from "../src/tasks/covers-catalog.js";
import { openCoversLibrary, TWO_STAGE_CANDIDATES } from "../src/tasks/covers.js";

const { values: a } = parseArgs({ options: { n: { type: "string", default: "100000" }, queries: { type: "string", default: "1000" }, real: { type: "string" }, candidates: { type: "string", default: String(TWO_STAGE_CANDIDATES) }, model: { type: "string" }, "vectors-only": { type: "boolean", default: false }, keep: { type: "boolean", default: false } } });
if (!a.real) {
  console.error("--real LIB[,LIB]: a covers library of real extracted songs (mirkit covers add DIR --db LIB, or scripts/covers-data.ts)");
  process.exit(2);
}
const N = Number(a.n), Q = Number(a.queries), K = Number(a.candidates);
const embedder = await loadCoverEmbedder(a.model);
const d = embedder.dim;
const real: LibraryEntry[] = [];
for (const f of a.real.split(",")) {
  const lib = await openCoversLibrary(f, { readOnly: true, formatOne: true });
  await lib.close();
  for (const e of lib.entries) real.push({ ...e, embedding: { model: embedder.name, vector: await embedder.embed(e.features) } });
}
const m = real.length;

// A Gaussian fitted to the real embeddings: mean, covariance, Cholesky factor (jitter on the diagonal).
const mean = new Float64Array(d), cov = new Float64Array(d * d);
for (const e of real) e.embedding!.vector.forEach((v, i) => (mean[i] += v / m));
for (const e of real) {
  const v = e.embedding!.vector;
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) cov[i * d + j] += ((v[i] - mean[i]) * (v[j] - mean[j])) / (m - 1);
}
const L = new Float64Array(d * d);
for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) {
  let s = cov[i * d + j] + (i === j ? 1e-6 : 0);
  for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
  L[i * d + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / L[j * d + j];
}
const rng = new Rng(7);
function drawVector(): Float32Array {
  const z = Float64Array.from({ length: d }, () => rng.normal());
  const v = new Float32Array(d);
  let norm = 0;
  for (let i = 0; i < d; i++) {
    let s = mean[i];
    for (let k = 0; k <= i; k++) s += L[i * d + k] * z[k];
    v[i] = s;
    norm += s * s;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < d; i++) v[i] /= norm;
  return v;
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const ms = (x: number) => `${x.toFixed(2)} ms`;
const queries = Array.from({ length: Q }, (_, i) => real[(i * 7919) % m]);
const dir = mkdtempSync(path.join(tmpdir(), "mirkit-covers-scale-"));
const out: string[] = ["| n | index build | open | index on disk | embedding stage p50 / p99 | + reading candidates p50 / p99 | two-stage (k = " + K + ") p50 / p99 | exact scan p50 | peak RSS |", "|---|---|---|---|---|---|---|---|---|"];
let vectors: Float32Array;
let buildS: number, openMs = NaN, diskBytes: number, search: number[] = [], withRead: number[] = [], whole: number[] = [];
if (a["vectors-only"]) {
  vectors = new Float32Array(N * d);
  for (let i = 0; i < N; i++) vectors.set(i < m ? real[i].embedding!.vector : drawVector(), i * d);
  const t0 = performance.now();
  const index = VectorIndex.create(d);
  for (let i = 0; i < N; i += 10000) index.add(Array.from({ length: Math.min(10000, N - i) }, (_, k) => i + k), vectors.subarray(i * d, Math.min(N, i + 10000) * d));
  buildS = (performance.now() - t0) / 1000;
  await index.save(path.join(dir, "x.index"));
  diskBytes = statSync(path.join(dir, "x.index")).size;
  const t1 = performance.now();
  const view = await VectorIndex.load(path.join(dir, "x.index"), d, { view: true });
  openMs = performance.now() - t1;
  for (const q of queries) { const t = performance.now(); view.search(q.embedding!.vector, K); search.push(performance.now() - t); }
} else {
  // The log, written in bulk (as many adds would leave it), then the index built by opening it.
  const db = path.join(dir, "scale.mkcl");
  const fd = openSync(db, "w");
  writeSync(fd, MAGIC);
  vectors = new Float32Array(N * d);
  for (let i = 0; i < N; i++) {
    const src = real[i % m];
    const v = i < m ? src.embedding!.vector : drawVector();
    vectors.set(v, i * d);
    writeSync(fd, frameRecord(encodeEntry({ ...src, path: i < m ? src.path : `synthetic/${i}`, embedding: { model: embedder.name, vector: v } })));
  }
  closeSync(fd);
  const t0 = performance.now();
  await (await CoversCatalog.open(db, embedder)).close();
  buildS = (performance.now() - t0) / 1000;
  diskBytes = statSync(`${db}.index`).size + statSync(`${db}.index.json`).size;
  const t1 = performance.now();
  const cat = await CoversCatalog.open(db, embedder, { readOnly: true });
  openMs = performance.now() - t1;
  const index = await VectorIndex.load(`${db}.index`, d, { view: true });
  for (const q of queries) {
    const qv = q.embedding!.vector;
    let t = performance.now();
    index.search(qv, K);
    search.push(performance.now() - t);
    t = performance.now();
    const near = await cat.nearest(qv, K);
    withRead.push(performance.now() - t);
    const pairs = near.map((c) => pairDistances(q.features, c.entry.features));
    rerankScores(pairs, [near.map((c) => c.distance)]);
    whole.push(performance.now() - t);
  }
  await cat.close();
  console.error(`log ${(statSync(db).size / 1e6).toFixed(0)} MB`);
}
// The exact scan over the same vectors.
const exact: number[] = [];
for (const q of queries.slice(0, 200)) {
  const t = performance.now();
  const qv = q.embedding!.vector, scores = new Float32Array(N);
  for (let i = 0; i < N; i++) { let s = 0; const o = i * d; for (let k = 0; k < d; k++) s += vectors[o + k] * qv[k]; scores[i] = s; }
  let best = -Infinity; for (let i = 0; i < N; i++) if (scores[i] > best) best = scores[i];
  exact.push(performance.now() - t);
}
const rss = process.resourceUsage().maxRSS / 1024;
out.push(`| ${N.toLocaleString("en")}${a["vectors-only"] ? " (vectors only)" : ""} | ${buildS.toFixed(1)} s | ${ms(openMs)} | ${(diskBytes / 1e6).toFixed(1)} MB | ${ms(pct(search, 0.5))} / ${ms(pct(search, 0.99))} | ${withRead.length ? `${ms(pct(withRead, 0.5))} / ${ms(pct(withRead, 0.99))}` : "–"} | ${whole.length ? `${ms(pct(whole, 0.5))} / ${ms(pct(whole, 0.99))}` : "–"} | ${ms(pct(exact, 0.5))} | ${rss.toFixed(0)} MB |`);
console.log(out.join("\n"));
console.log(`${m} real songs (${real[0].features.nFrames} feature frames ≈ ${real[0].durationSeconds.toFixed(0)} s each), d = ${d} (${embedder.name}), ${Q} queries; usearch HNSW (connectivity 16, expansion 128 add / 64 search), f32`);
await embedder.dispose();
if (!a.keep) rmSync(dir, { recursive: true, force: true });
