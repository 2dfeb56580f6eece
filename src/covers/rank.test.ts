import * as assert from "node:assert/strict";
import { test } from "node:test";
import { calibrate, rerankScores, stagedRanking, type PairDistances } from "./rank.js";

const pair = (hpcp: number, hpcpDmax: number, melody: number, salience: number): PairDistances => ({ hpcp, hpcpDmax, melody, salience, fused: NaN });

test("rerankScores: each view divided by its median over the candidates, then averaged; unaligned pairs count as 10", () => {
  const c = [pair(1, 2, 4, 1), pair(2, 4, 2, 1), pair(4, 8, 1, Infinity)];
  // Medians (upper of sorted): hpcp 2, dmax 4, melody 2, salience sorted [1, 1, 10] → 1.
  const s = rerankScores(c);
  assert.ok(Math.abs(s[0] - (0.5 + 0.5 + 2 + 1) / 4) < 1e-12);
  assert.ok(Math.abs(s[1] - (1 + 1 + 1 + 1) / 4) < 1e-12);
  assert.ok(Math.abs(s[2] - (2 + 2 + 0.5 + 10) / 4) < 1e-12);
});

test("calibrate: scales are the median non-cover distances; separable covers give a threshold between them and an equal error rate of 0", () => {
  // Items 0,1 are one work, 2,3 another, 4 a noise song. Covers at distance 0.2, non-covers at 1 (view 0) and 2 (view 1).
  const n = 5, labels = ["a", "a", "b", "b", null];
  const view = (far: number) => Float64Array.from({ length: n * n }, (_, k) => {
    const q = Math.floor(k / n), j = k % n;
    return q === j ? 0 : labels[q] !== null && labels[q] === labels[j] ? 0.2 : far;
  });
  const r = calibrate([view(1), view(2)], n, labels);
  assert.deepEqual(r.scales, [1, 2]);
  // Fused: covers (0.2/1 + 0.2/2)/2 = 0.15, non-covers (1/1 + 2/2)/2 = 1.
  assert.ok(r.threshold >= 0.15 && r.threshold < 1, `threshold ${r.threshold}`);
  assert.equal(r.equalErrorRate, 0);
});

test("rerankScores with an extra view (the embedding distance): normalised by its own median and averaged with the four", () => {
  const c = [pair(1, 1, 1, 1), pair(1, 1, 1, 1), pair(1, 1, 1, 1)];
  const s = rerankScores(c, [[0.1, 0.2, 0.4]]); // median 0.2
  assert.deepEqual(s.map((x) => Number(x.toFixed(12))), [(4 + 0.5) / 5, (4 + 1) / 5, (4 + 2) / 5]);
});

test("stagedRanking: the candidates first in re-ranked order, then the rest by the first stage; the query itself is 0", () => {
  // 5 items, query 0; candidates 3 and 1 (alignment prefers 1), the rest (2, 4) ordered by the first stage (4 before 2).
  const d = stagedRanking(5, 0, [3, 1], [pair(2, 2, 2, 2), pair(1, 1, 1, 1)], [], (j) => (j === 4 ? 0 : 1));
  const order = [1, 2, 3, 4].sort((a, b) => d[a] - d[b]);
  assert.deepEqual(order, [1, 3, 4, 2]);
  assert.equal(d[0], 0);
});
