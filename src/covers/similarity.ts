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
  const frame = new Float64Array(fa * fb);
  for (let i = 0; i < fa; i++) for (let j = 0; j < fb; j++) {
    let acc = 0;
    for (let k = 0; k < 12; k++) { const z = a[i * 12 + k] - b[j * 12 + ((k + shift) % 12)]; acc += z * z; }
    frame[i * fb + j] = acc;
  }
  const d = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    let acc = 0;
    for (let l = 0; l < emb; l++) acc += frame[(i + l) * fb + j + l];
    d[i * m + j] = acc;
  }
  return { d, n, m };
}

/** Binary cross-recurrence of A and OTI-shifted B: mutual κ-nearest neighbours. */
export function crossRecurrence(a: Float32Array, b: Float32Array, options: AlignOptions = {}): { c: Uint8Array; n: number; m: number } {
  const emb = options.embedding ?? 9, kappa = options.kappa ?? 0.1;
  const { d, n, m } = stackedDistances(a, b, oti(a, b), emb);
  const rowT = new Float32Array(n), colT = new Float32Array(m);
  const kr = Math.max(1, Math.floor(kappa * m)), kc = Math.max(1, Math.floor(kappa * n));
  // κ-th smallest per row and per column (typed-array sorts are numeric and fast).
  const rowBuf = new Float32Array(m), colBuf = new Float32Array(n);
  for (let i = 0; i < n; i++) { rowBuf.set(d.subarray(i * m, (i + 1) * m)); rowBuf.sort(); rowT[i] = rowBuf[kr - 1]; }
  for (let j = 0; j < m; j++) { for (let i = 0; i < n; i++) colBuf[i] = d[i * m + j]; colBuf.sort(); colT[j] = colBuf[kc - 1]; }
  const c = new Uint8Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) c[i * m + j] = d[i * m + j] <= rowT[i] && d[i * m + j] <= colT[j] ? 1 : 0;
  return { c, n, m };
}

/** Qmax (Serra et al. 2009) or Dmax (Chen et al. 2017) over a binary cross-recurrence. */
export function alignmentScore(c: Uint8Array, n: number, m: number, kind: "qmax" | "dmax", options: AlignOptions = {}): number {
  const go = options.gammaOnset ?? 5, ge = options.gammaExtend ?? 0.5;
  const Q = new Float32Array((n + 2) * (m + 2)); // padded by 2 on top/left
  const W = m + 2;
  const C = (i: number, j: number) => (i >= 0 && j >= 0 ? c[i * m + j] : 0);
  const gamma = (i: number, j: number) => (C(i, j) === 1 ? go : ge);
  let best = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const q11 = Q[(i + 1) * W + (j + 1)], q21 = Q[i * W + (j + 1)], q12 = Q[(i + 1) * W + j];
      let v: number;
      if (kind === "qmax") {
        v = C(i, j) === 1 ? Math.max(q11, q21, q12) + 1 : Math.max(0, q11 - gamma(i - 1, j - 1), q21 - gamma(i - 2, j - 1), q12 - gamma(i - 1, j - 2));
      } else {
        const a = q11, b = q21 + C(i - 1, j), d = q12 + C(i, j - 1);
        v = C(i, j) === 1 ? Math.max(a, b, d) + 1 : Math.max(0, a - gamma(i - 1, j - 1), b - gamma(i - 2, j - 1), d - gamma(i - 1, j - 2));
      }
      Q[(i + 2) * W + (j + 2)] = v;
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
