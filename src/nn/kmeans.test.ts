import * as assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../random.js";
import { kMeans, momentShares, silhouette, symmetricEigenvalues } from "./kmeans.js";

/** n points around each of `centres` (rows of d numbers), with noise `sd`; unit-normalised when `unit`. */
function blobs(centres: number[][], n: number, sd: number, unit: boolean, seed = 1): { x: Float64Array; truth: number[] } {
  const rng = new Rng(seed), rows: number[][] = [], truth: number[] = [];
  for (let i = 0; i < n * centres.length; i++) {
    const c = i % centres.length;
    const v = centres[c].map((m) => m + sd * rng.normal());
    const len = unit ? Math.hypot(...v) : 1;
    rows.push(v.map((a) => a / len));
    truth.push(c);
  }
  return { x: Float64Array.from(rows.flat()), truth };
}

/** Share of points whose cluster agrees with the truth under the best relabelling (k ≤ 3 here). */
function agreement(labels: ArrayLike<number>, truth: number[], k: number): number {
  const perms = k === 2 ? [[0, 1], [1, 0]] : [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  return Math.max(...perms.map((p) => truth.filter((t, i) => p[labels[i]] === t).length / truth.length));
}

test("spherical k-means splits three directions on the sphere exactly; Euclidean k-means splits three blobs", () => {
  const s = blobs([[1, 0, 0], [0, 1, 0], [0, 0, 1]], 40, 0.15, true);
  const r = kMeans(s.x, 3, 3, { metric: "cosine", seed: 3 });
  assert.equal(agreement(r.labels, s.truth, 3), 1);
  for (let j = 0; j < 3; j++) assert.ok(Math.abs(Math.hypot(...r.centroids.subarray(j * 3, j * 3 + 3)) - 1) < 1e-9);
  const e = blobs([[0, 0], [5, 5], [-5, 5]], 30, 0.8, false);
  assert.equal(agreement(kMeans(e.x, 2, 3, { metric: "euclidean" }).labels, e.truth, 3), 1);
});

test("k-means: weights pull a centre; k is capped at the point count; the same seed gives the same answer", () => {
  const x = Float64Array.from([0, 0, 1, 0, 10, 0]);
  const w = kMeans(x, 2, 1, { metric: "euclidean", weights: [1, 1, 8] });
  assert.ok(Math.abs(w.centroids[0] - 81 / 10) < 1e-9);
  assert.equal(kMeans(x, 2, 7, { metric: "euclidean" }).centroids.length, 6);
  const s = blobs([[1, 0], [0, 1]], 20, 0.5, true, 4);
  assert.deepEqual(kMeans(s.x, 2, 2, { seed: 9 }).labels, kMeans(s.x, 2, 2, { seed: 9 }).labels);
});

test("silhouette: near 1 for separated clusters, far lower for a split of one cloud, 0 for one cluster", () => {
  const s = blobs([[1, 0, 0], [0, 1, 0]], 30, 0.05, true);
  assert.ok(silhouette(s.x, 3, s.truth) > 0.85);
  const one = blobs([[1, 1, 1]], 60, 0.3, true, 5);
  const split = kMeans(one.x, 3, 2, { seed: 1 }).labels;
  assert.ok(silhouette(s.x, 3, s.truth) > silhouette(one.x, 3, split) + 0.4);
  assert.equal(silhouette(s.x, 3, new Array(60).fill(0)), 0);
});

test("symmetric eigenvalues and moment shares: a known spectrum; orthogonal clusters hold their weights' shares", () => {
  // [[2, 1, 0], [1, 2, 0], [0, 0, 5]] has eigenvalues 5, 3, 1.
  const ev = symmetricEigenvalues([2, 1, 0, 1, 2, 0, 0, 0, 5], 3);
  [5, 3, 1].forEach((v, i) => assert.ok(Math.abs(ev[i] - v) < 1e-9, `${ev}`));
  const sh = momentShares([1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0], 3);
  assert.ok(Math.abs(sh[0] - 0.75) < 1e-9 && Math.abs(sh[1] - 0.25) < 1e-9 && Math.abs(sh[2]) < 1e-9);
  assert.ok(Math.abs(momentShares([1, 0, 0, 1], 2, [1, 3])[0] - 0.75) < 1e-9);
});
