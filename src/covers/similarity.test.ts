import * as assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../random.js";
import { alignmentDistance, alignmentScore, crossRecurrence, fuseDistances, oti } from "./similarity.js";

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

/** The straightforward forms the fast code must equal: sorted rows/columns, bounds-checked cells. */
function naiveRecurrence(a: Float32Array, b: Float32Array, emb = 9, kappa = 0.1): { c: Uint8Array; n: number; m: number } {
  const shift = oti(a, b), fa = a.length / 12, fb = b.length / 12, n = fa - emb + 1, m = fb - emb + 1;
  const dist = (i: number, j: number) => { let acc = 0; for (let k = 0; k < 12; k++) { const z = a[i * 12 + k] - b[j * 12 + ((k + shift) % 12)]; acc += z * z; } return acc; };
  const d = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) { let acc = 0; for (let l = 0; l < emb; l++) acc += dist(i + l, j + l); d[i * m + j] = acc; }
  const kr = Math.max(1, Math.floor(kappa * m)), kc = Math.max(1, Math.floor(kappa * n));
  const rowT = Array.from({ length: n }, (_, i) => Float32Array.from(d.subarray(i * m, (i + 1) * m)).sort()[kr - 1]);
  const colT = Array.from({ length: m }, (_, j) => Float32Array.from({ length: n }, (_, i) => d[i * m + j]).sort()[kc - 1]);
  return { c: Uint8Array.from(d, (v, x) => (v <= rowT[Math.floor(x / m)] && v <= colT[x % m] ? 1 : 0)), n, m };
}
function naiveScore(c: Uint8Array, n: number, m: number, kind: "qmax" | "dmax"): number {
  const Q = new Map<string, number>(), q = (i: number, j: number) => Q.get(`${i},${j}`) ?? 0;
  const C = (i: number, j: number) => (i >= 0 && j >= 0 ? c[i * m + j] : 0), g = (i: number, j: number) => (C(i, j) === 1 ? 5 : 0.5);
  let best = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    const a = q(i - 1, j - 1), b = q(i - 2, j - 1) + (kind === "dmax" ? C(i - 1, j) : 0), d = q(i - 1, j - 2) + (kind === "dmax" ? C(i, j - 1) : 0);
    const v = Math.fround(C(i, j) === 1 ? Math.max(a, b, d) + 1 : Math.max(0, a - g(i - 1, j - 1), b - g(i - 2, j - 1), d - g(i - 1, j - 2)));
    Q.set(`${i},${j}`, v);
    best = Math.max(best, v);
  }
  return best;
}

test("the cross-recurrence (quickselect thresholds) and Qmax/Dmax (padded arrays) equal their straightforward forms on songs of different lengths", () => {
  // The last pair has 692 stacked frames: its column thresholds (κ = 69) take the quickselect path.
  for (const [sa, sb, fa, fb] of [[5, 6, 40, 57], [7, 7, 72, 72], [8, 9, 90, 33], [10, 11, 700, 80]]) {
    const a = song(sa, fa), b = transpose(song(sb, fb), sa % 12);
    const fast = crossRecurrence(a, b), slow = naiveRecurrence(a, b);
    assert.deepEqual([fast.n, fast.m], [slow.n, slow.m]);
    assert.deepEqual(Array.from(fast.c), Array.from(slow.c));
    for (const kind of ["qmax", "dmax"] as const) assert.equal(alignmentScore(fast.c, fast.n, fast.m, kind), naiveScore(slow.c, slow.n, slow.m, kind), `${kind} ${fa}×${fb}`);
  }
});
