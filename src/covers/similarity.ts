/**
 * Alignment-based similarity of two chroma-like sequences (Serra et al.,
 * New J. Phys. 2009): transpose B by the optimal transposition index (OTI),
 * embed both by stacking m frames, binarise the cross-distance matrix by
 * mutual κ-nearest neighbours, and score the best local alignment path with
 * Qmax (Serra 2009) or Dmax (Chen et al. 2017's variant, which also credits
 * the cells a skipping step jumps over). Distances are √(length of B)/score.
 */

export interface AlignOptions {
  readonly embedding?: number;
  readonly kappa?: number;
  /** Penalties for starting (γo) and extending (γe) a disruption. */
  readonly gammaOnset?: number;
  readonly gammaExtend?: number;
}

/** The circular shift of B's pitch classes that best matches A's global profile. */
export function oti(a: Float32Array, b: Float32Array): number {
  const ga = new Float64Array(12), gb = new Float64Array(12);
  for (let i = 0; i < a.length; i++) ga[i % 12] += a[i];
  for (let i = 0; i < b.length; i++) gb[i % 12] += b[i];
  let best = 0, bestV = -Infinity;
  for (let s = 0; s < 12; s++) {
    let v = 0;
    for (let k = 0; k < 12; k++) v += ga[k] * gb[(k + s) % 12];
    if (v > bestV) { bestV = v; best = s; }
  }
  return best;
}

/** Cross-distance of A and OTI-shifted B stacked by `emb` frames: the sum, along each diagonal, of `emb` frame-to-frame squared distances. */
function stackedDistances(a: Float32Array, b: Float32Array, shift: number, emb: number): { d: Float32Array; n: number; m: number } {
  const fa = a.length / 12, fb = b.length / 12;
  const n = Math.max(0, fa - emb + 1), m = Math.max(0, fb - emb + 1);
  const bs = new Float32Array(b.length); // B with its pitch classes shifted once
  for (let j = 0; j < fb; j++) for (let k = 0; k < 12; k++) bs[j * 12 + k] = b[j * 12 + ((k + shift) % 12)];
  const frame = new Float64Array(fa * fb);
  for (let i = 0; i < fa; i++) {
    const ai = i * 12;
    for (let j = 0; j < fb; j++) {
      const bj = j * 12;
      let acc = 0;
      for (let k = 0; k < 12; k++) { const z = a[ai + k] - bs[bj + k]; acc += z * z; }
      frame[i * fb + j] = acc;
    }
  }
  const d = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    let acc = 0;
    for (let l = 0, f = i * fb + j; l < emb; l++, f += fb + 1) acc += frame[f];
    d[i * m + j] = acc;
  }
  return { d, n, m };
}

/** The k + 1 smallest values seen, sorted (k small: the κ-nearest neighbours of a few hundred frames). */
const smallest = new Float32Array(64);

/** The k-th smallest (from 0) of buf[0, len): kept in a sorted list of k + 1 for small k, by quickselect otherwise (reordering buf). */
function kthSmallest(buf: Float32Array, len: number, k: number): number {
  if (k < smallest.length) {
    let have = 0;
    for (let i = 0; i < len; i++) {
      const v = buf[i];
      if (have === k + 1 && !(v < smallest[k])) continue;
      let p = have === k + 1 ? k : have++;
      while (p > 0 && smallest[p - 1] > v) { smallest[p] = smallest[p - 1]; p--; }
      smallest[p] = v;
    }
    return smallest[k];
  }
  let lo = 0, hi = len - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median of three as the pivot.
    const x = buf[lo], y = buf[mid], z = buf[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo, j = hi;
    while (i <= j) {
      while (buf[i] < pivot) i++;
      while (buf[j] > pivot) j--;
      if (i <= j) { const t = buf[i]; buf[i] = buf[j]; buf[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return buf[k];
  }
  return buf[k];
}

/** Binary cross-recurrence of A and OTI-shifted B: mutual κ-nearest neighbours. */
export function crossRecurrence(a: Float32Array, b: Float32Array, options: AlignOptions = {}): { c: Uint8Array; n: number; m: number } {
  const emb = options.embedding ?? 9, kappa = options.kappa ?? 0.1;
  const { d, n, m } = stackedDistances(a, b, oti(a, b), emb);
  const rowT = new Float32Array(n), colT = new Float32Array(m);
  const kr = Math.max(1, Math.floor(kappa * m)), kc = Math.max(1, Math.floor(kappa * n));
  // κ-th smallest per row and per column.
  const buf = new Float32Array(Math.max(n, m));
  for (let i = 0; i < n; i++) { buf.set(d.subarray(i * m, (i + 1) * m)); rowT[i] = kthSmallest(buf, m, kr - 1); }
  for (let j = 0; j < m; j++) { for (let i = 0; i < n; i++) buf[i] = d[i * m + j]; colT[j] = kthSmallest(buf, n, kc - 1); }
  const c = new Uint8Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) c[i * m + j] = d[i * m + j] <= rowT[i] && d[i * m + j] <= colT[j] ? 1 : 0;
  return { c, n, m };
}

/** Qmax (Serra et al. 2009) or Dmax (Chen et al. 2017) over a binary cross-recurrence. */
export function alignmentScore(c: Uint8Array, n: number, m: number, kind: "qmax" | "dmax", options: AlignOptions = {}): number {
  const go = options.gammaOnset ?? 5, ge = options.gammaExtend ?? 0.5;
  // Q and the recurrence both padded by 2 rows and columns of zeros on top/left, so (i − 2, j − 2) needs no test.
  const W = m + 2;
  const Q = new Float32Array((n + 2) * W), P = new Uint8Array((n + 2) * W);
  for (let i = 0; i < n; i++) P.set(c.subarray(i * m, (i + 1) * m), (i + 2) * W + 2);
  const dmax = kind === "dmax";
  let best = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const at = (i + 2) * W + (j + 2); // cell (i, j); (i − a, j − b) is at − a·W − b
      const q11 = Q[at - W - 1], q21 = Q[at - 2 * W - 1], q12 = Q[at - W - 2];
      // Dmax also credits the cell a skipping step jumps over.
      const b = dmax ? q21 + P[at - W] : q21, d = dmax ? q12 + P[at - 1] : q12;
      let v: number;
      if (P[at] === 1) v = Math.max(q11, b, d) + 1;
      else {
        const g11 = P[at - W - 1] === 1 ? go : ge, g21 = P[at - 2 * W - 1] === 1 ? go : ge, g12 = P[at - W - 2] === 1 ? go : ge;
        v = Math.max(0, q11 - g11, b - g21, d - g12);
      }
      Q[at] = v;
      if (v > best) best = v;
    }
  }
  return best;
}

/** Distance √m / score (∞ when nothing aligns). */
export function alignmentDistance(a: Float32Array, b: Float32Array, kind: "qmax" | "dmax", options: AlignOptions = {}): number {
  return alignmentDistances(a, b, [kind], options)[0];
}

/** The distances of several scores over one cross-recurrence (computed once). */
export function alignmentDistances(a: Float32Array, b: Float32Array, kinds: readonly ("qmax" | "dmax")[], options: AlignOptions = {}): number[] {
  const { c, n, m } = crossRecurrence(a, b, options);
  return kinds.map((kind) => {
    if (n === 0 || m === 0) return Infinity;
    const s = alignmentScore(c, n, m, kind, options);
    return s > 0 ? Math.sqrt(m) / s : Infinity;
  });
}

/**
 * Late fusion by averaging normalised distances (the ISMIR 2020 finding:
 * plain averaging beats learned fusion): per query row, each feature's
 * distances are divided by their median over the candidates (∞ → the row's
 * largest finite value ×2), then averaged.
 */
export function fuseDistances(matrices: readonly Float64Array[], n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (const d of matrices) {
    for (let q = 0; q < n; q++) {
      const row: number[] = [];
      let maxFinite = 0;
      for (let j = 0; j < n; j++) if (j !== q && Number.isFinite(d[q * n + j])) { row.push(d[q * n + j]); maxFinite = Math.max(maxFinite, d[q * n + j]); }
      row.sort((x, y) => x - y);
      const med = row.length ? row[row.length >> 1] : 1;
      for (let j = 0; j < n; j++) {
        const v = Number.isFinite(d[q * n + j]) ? d[q * n + j] : 2 * (maxFinite || 1);
        out[q * n + j] += v / (med || 1) / matrices.length;
      }
    }
  }
  return out;
}
