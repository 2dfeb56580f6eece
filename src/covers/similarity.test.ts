import * as assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../random.js";
import { alignmentDistance, alignmentScore, fuseDistances, oti } from "./similarity.js";

/** A random chroma sequence with some repetition, as a song's. */
function song(seed: number, frames: number): Float32Array {
  const r = new Rng(seed);
  const motif = Array.from({ length: 8 }, () => Float32Array.from({ length: 12 }, () => r.uniform() ** 3));
  const x = new Float32Array(frames * 12);
  for (let t = 0; t < frames; t++) for (let k = 0; k < 12; k++) x[t * 12 + k] = motif[Math.floor(t / 2) % 8][k] + 0.1 * r.uniform();
  return x;
}
const transpose = (x: Float32Array, s: number) => Float32Array.from(x, (_, i) => x[Math.floor(i / 12) * 12 + (((i % 12) - s + 12) % 12)]);

test("OTI undoes a transposition", () => {
  const a = song(1, 40);
  assert.equal(oti(a, transpose(a, 5)), 5);
  assert.equal(oti(a, a), 0);
});

test("Qmax and Dmax: a hand-built recurrence with one diagonal of length 4", () => {
  const n = 6, m = 6, c = new Uint8Array(n * m);
  for (let k = 0; k < 4; k++) c[(k + 1) * m + (k + 2)] = 1;
  assert.equal(alignmentScore(c, n, m, "qmax"), 4);
  assert.equal(alignmentScore(c, n, m, "dmax"), 4);
  // A gap of one cell in the diagonal: Qmax pays γo = 5 once and restarts; the two pieces (2 + 2) do not join.
  c[3 * m + 4] = 0;
  assert.equal(alignmentScore(c, n, m, "qmax"), 2);
});

test("a transposed, partly reordered version is nearer than an unrelated song (Qmax and Dmax); fusion averages normalised distances", () => {
  const a = song(3, 60);
  const v = transpose(Float32Array.from([...a.subarray(20 * 12), ...a.subarray(0, 20 * 12)]), 3);
  const other = song(4, 60);
  for (const kind of ["qmax", "dmax"] as const) assert.ok(alignmentDistance(a, v, kind) < alignmentDistance(a, other, kind), kind);
  const d1 = Float64Array.of(0, 1, 3, 1, 0, 2, 3, 2, 0), d2 = Float64Array.of(0, 10, 10, 10, 0, 30, 10, 30, 0);
  const f = fuseDistances([d1, d2], 3);
  assert.ok(Math.abs(f[1] - (1 / 3 + 10 / 10) / 2) < 1e-12, `${f[1]}`); // row 0: medians over {1, 3} and {10, 10} → 3 and 10
});
