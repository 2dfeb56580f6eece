import * as assert from "node:assert/strict";
import { test } from "node:test";
import { evaluateCovers, evaluateCoversMatrix } from "./covers.js";

test("covers metrics: a hand-worked example", () => {
  // Items 0,1,2 are clique A; 3,4 clique B; 5 is a noise song.
  const labels = ["A", "A", "A", "B", "B", null];
  const pos = [0, 1, 5, 2, 8, 3];
  const m = pos.map((a) => pos.map((b) => Math.abs(a - b)));
  const s = evaluateCoversMatrix(m, labels);
  // Rankings (ascending distance, ties by index):
  // q0: 1(A) 3 5 2(A) 4 → AP = (1/1 + 2/4)/2 = 0.75, first 1
  // q1: 0(A) 3 5 2(A) 4 → 0.75, first 1
  // q2: 5 3 4 1(A) 0(A) → AP = (1/4 + 2/5)/2 = 0.325, first 4
  // q3: 1 5 0 2 4(B) → AP = 1/5, first 5
  // q4: 2 5 3(B) … → AP = 1/3, first 3
  // q5: noise, not scored.
  const ap = [0.75, 0.75, 0.325, 0.2, 1 / 3];
  assert.ok(Math.abs(s.MAP - ap.reduce((a, b) => a + b) / 5) < 1e-12);
  assert.equal(s.MR1, (1 + 1 + 4 + 5 + 3) / 5);
  assert.ok(Math.abs(s.MRR - (1 + 1 + 0.25 + 0.2 + 1 / 3) / 5) < 1e-12);
  // P@10 with 5 candidates: relevant in the top 10 / 10.
  assert.ok(Math.abs(s["P@10"] - (2 + 2 + 2 + 1 + 1) / 10 / 5) < 1e-12);
  assert.equal(s.Queries, 5);
  assert.equal(s["Queries without relevant items"], 1);
});

test("covers metrics: perfect retrieval gives MAP 1, MR1 1; a square matrix and one label per row are required", () => {
  const labels = ["x", "x", "y", "y", "z", "z"];
  const s = evaluateCovers(6, (i, j) => (labels[i] === labels[j] ? 0.1 : 1 + i + j), labels);
  assert.equal(s.MAP, 1);
  assert.equal(s.MR1, 1);
  assert.equal(s.MRR, 1);
  assert.throws(() => evaluateCoversMatrix([[0, 1], [1]], ["a", "a"]), /must be square/);
  assert.throws(() => evaluateCoversMatrix([[0, 1], [1, 0]], ["a"]), /1 labels for 2 items/);
});
