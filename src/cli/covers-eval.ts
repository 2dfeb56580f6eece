/** `mirkit covers eval`: every feature and the fusion on a synthetic covers dataset. */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { coverFeatures, type CoverFeatures } from "../covers/features.js";
import { alignmentDistance, fuseDistances } from "../covers/similarity.js";
import { evaluateCovers, type CoverScores } from "../eval/covers.js";
import { InvalidInputError } from "../errors.js";
import { toMono } from "../io/audio.js";
import { readAudioFile } from "../io/file.js";
import { createProgress } from "./progress.js";

export interface CoversEvalResult {
  scores: Record<string, CoverScores>;
  items: number;
  queries: number;
  extractRealtime: number;
  pairs: number;
  pairSeconds: number;
  /** Per-view medians of the non-cover distances and the equal-error-rate threshold of the fused pair distance. */
  calibration: { scales: Record<string, number>; threshold: number; equalErrorRate: number };
}

export async function runCoversEval(dir: string, quiet: boolean): Promise<CoversEvalResult> {
  let manifest: { items: { name: string; work: number | null }[] };
  try {
    manifest = JSON.parse(await fs.readFile(path.join(dir, "manifest.json"), "utf8"));
  } catch {
    throw new InvalidInputError("no readable manifest.json (make the dataset with mirkit synth covers)", { file: dir });
  }
  const items = manifest.items;
  const feats: CoverFeatures[] = [];
  const progress = createProgress("features", quiet);
  let audioSeconds = 0;
  const t0 = performance.now();
  for (const [i, it] of items.entries()) {
    progress.update(i / items.length, it.name);
    const a = await readAudioFile(path.join(dir, it.name, "mixture.wav"));
    audioSeconds += a.channels[0].length / a.sampleRate;
    feats.push(coverFeatures(toMono(a), a.sampleRate));
  }
  progress.stop();
  const extractSeconds = (performance.now() - t0) / 1000;
  const n = items.length;
  const mats: Record<string, Float64Array> = { "HPCP + Qmax": new Float64Array(n * n), "HPCP + Dmax": new Float64Array(n * n), "melody + Qmax": new Float64Array(n * n), "multi-pitch salience + Qmax": new Float64Array(n * n) };
  const p2 = createProgress("pairs", quiet);
  const t1 = performance.now();
  for (let q = 0; q < n; q++) {
    p2.update(q / n, "");
    for (let j = 0; j < n; j++) {
      if (j === q) continue;
      mats["HPCP + Qmax"][q * n + j] = alignmentDistance(feats[q].hpcp, feats[j].hpcp, "qmax");
      mats["HPCP + Dmax"][q * n + j] = alignmentDistance(feats[q].hpcp, feats[j].hpcp, "dmax");
      mats["melody + Qmax"][q * n + j] = alignmentDistance(feats[q].melody, feats[j].melody, "qmax");
      mats["multi-pitch salience + Qmax"][q * n + j] = alignmentDistance(feats[q].salience!, feats[j].salience!, "qmax");
    }
  }
  p2.stop();
  const pairSeconds = (performance.now() - t1) / 1000;
  mats["fusion (HPCP Qmax + Dmax + melody)"] = fuseDistances([mats["HPCP + Qmax"], mats["HPCP + Dmax"], mats["melody + Qmax"]], n);
  mats["fusion (HPCP Qmax + melody)"] = fuseDistances([mats["HPCP + Qmax"], mats["melody + Qmax"]], n);
  mats["fusion (all four)"] = fuseDistances([mats["HPCP + Qmax"], mats["HPCP + Dmax"], mats["melody + Qmax"], mats["multi-pitch salience + Qmax"]], n);
  const labels = items.map((it) => (it.work === null ? null : String(it.work)));
  const scores: Record<string, CoverScores> = {};
  for (const [k, m] of Object.entries(mats)) scores[k] = evaluateCovers(n, (i, j) => (Number.isFinite(m[i * n + j]) ? m[i * n + j] : 1e9), labels);
  // Calibration for single-pair decisions: per-feature scales = median non-cover distance; threshold on the
  // fused pair distance (all four views) at the equal error rate.
  const med = (xs: number[]) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s[s.length >> 1] ?? 1; };
  const names = ["HPCP + Qmax", "HPCP + Dmax", "melody + Qmax", "multi-pitch salience + Qmax"] as const;
  const scales = names.map((k) => {
    const xs: number[] = [];
    for (let q = 0; q < n; q++) for (let j = 0; j < n; j++) if (q !== j && !(labels[q] !== null && labels[q] === labels[j])) xs.push(mats[k][q * n + j]);
    return med(xs);
  });
  const cap = (x: number) => (Number.isFinite(x) ? x : 10);
  const pos: number[] = [], neg: number[] = [];
  for (let q = 0; q < n; q++) for (let j = q + 1; j < n; j++) {
    const f = names.reduce((acc, k, i) => acc + cap(mats[k][q * n + j]) / scales[i], 0) / names.length;
    (labels[q] !== null && labels[q] === labels[j] ? pos : neg).push(f);
  }
  pos.sort((a, b) => a - b);
  neg.sort((a, b) => a - b);
  let threshold = 1, bestGap = Infinity;
  for (const t of [...pos, ...neg]) {
    const fnr = 1 - upperIndex(pos, t) / pos.length, fpr = upperIndex(neg, t) / neg.length;
    if (Math.abs(fnr - fpr) < bestGap) { bestGap = Math.abs(fnr - fpr); threshold = t; }
  }
  const eer = (1 - upperIndex(pos, threshold) / pos.length + upperIndex(neg, threshold) / neg.length) / 2;
  return {
    scores, items: n, queries: scores["HPCP + Qmax"].Queries, extractRealtime: audioSeconds / extractSeconds, pairs: n * (n - 1), pairSeconds,
    calibration: { scales: Object.fromEntries(names.map((k, i) => [k, scales[i]])), threshold, equalErrorRate: eer },
  };
}

function upperIndex(sorted: number[], t: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (sorted[m] <= t) lo = m + 1; else hi = m; }
  return lo;
}
