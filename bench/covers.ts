/**
 * Covers query time against library size: the prefilter (key-invariant
 * global HPCP profile) over every entry, then alignment re-ranking of 200
 * candidates (Qmax on HPCP and melody). Measured at 1k entries and
 * extrapolated to 10k (the prefilter is linear, the re-ranking constant).
 *   npm run bench:covers
 */
import { pairDistances, profileDistance } from "../src/covers/rank.js";
import type { CoverFeatures } from "../src/covers/features.js";
import { Rng } from "../src/random.js";

function fake(seed: number, frames = 60): CoverFeatures {
  const r = new Rng(seed);
  const h = Float32Array.from({ length: frames * 12 }, () => r.uniform() ** 2);
  const m = Float32Array.from({ length: frames * 12 }, () => (r.uniform() < 0.1 ? 1 : 0));
  return { hpcp: h, melody: m, nFrames: frames };
}
const lib = Array.from({ length: 1000 }, (_, i) => fake(i));
const q = fake(99999);
const t0 = performance.now();
for (let rep = 0; rep < 5; rep++) lib.map((e) => profileDistance(q, e)).sort((a, b) => a - b);
const pre = (performance.now() - t0) / 5 / 1000;
const t1 = performance.now();
for (let i = 0; i < 200; i++) pairDistances(q, lib[i]);
const rerank = (performance.now() - t1) / 1000;
console.log("| library | prefilter | re-rank 200 | query total |\n|---|---|---|---|");
console.log(`| 1k (measured) | ${(pre * 1000).toFixed(1)} ms | ${(rerank * 1000).toFixed(0)} ms | ${((pre + rerank) * 1000).toFixed(0)} ms |`);
console.log(`| 10k (extrapolated) | ${(pre * 10000).toFixed(1)} ms | ${(rerank * 1000).toFixed(0)} ms | ${((10 * pre + rerank) * 1000).toFixed(0)} ms |`);
console.log("plus feature extraction of the query (≈ 65× realtime: 0.5 s for a 30 s song); 30-second songs, 2 feature frames per second");
