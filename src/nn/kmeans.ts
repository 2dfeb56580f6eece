/**
 * k-means for a few thousand points: Euclidean k-means and spherical k-means
 * (points and centroids on the unit sphere, similarity = cosine; Dhillon &
 * Modha 2001), weighted points, k-means++ seeding from a seeded generator,
 * the best of several restarts; the weighted silhouette (cosine or
 * Euclidean); symmetric eigenvalues (Jacobi) and the shares of a set of unit
 * vectors' second moment along its eigen-directions (how many directions the
 * vectors use). Pure and deterministic.
 */
import { Rng } from "../random.js";

export interface KMeansOptions {
  /** "cosine": spherical k-means on unit vectors; "euclidean": plain k-means. */
  readonly metric?: "cosine" | "euclidean";
  /** Point weights (default 1). */
  readonly weights?: ArrayLike<number>;
  readonly restarts?: number;
  readonly iterations?: number;
  readonly seed?: number;
}

export interface KMeansResult {
  /** Cluster of each point, 0…k−1. */
  readonly labels: Int32Array;
  /** k × dims, row-major. */
  readonly centroids: Float64Array;
  /** Weighted sum of (1 − cos) or of squared distances to the centroids. */
  readonly cost: number;
}

function distance(points: ArrayLike<number>, i: number, c: Float64Array, j: number, d: number, cosine: boolean): number {
  let s = 0;
  if (cosine) {
    for (let a = 0; a < d; a++) s += points[i * d + a] * c[j * d + a];
    return 1 - s;
  }
  for (let a = 0; a < d; a++) s += (points[i * d + a] - c[j * d + a]) ** 2;
  return s;
}

/** Normalises each row of `c` (k × d) to unit length (a zero row stays zero). */
function normaliseRows(c: Float64Array, d: number): void {
  for (let j = 0; j < c.length / d; j++) {
    let n = 0;
    for (let a = 0; a < d; a++) n += c[j * d + a] ** 2;
    n = Math.sqrt(n);
    if (n > 0) for (let a = 0; a < d; a++) c[j * d + a] /= n;
  }
}

function once(points: ArrayLike<number>, n: number, d: number, k: number, cosine: boolean, w: (i: number) => number, rng: Rng, iterations: number): KMeansResult {
  const c = new Float64Array(k * d);
  // k-means++: the first centre by weight, each next one with probability ∝ weight × distance to the nearest centre.
  const nearest = new Float64Array(n).fill(Infinity);
  const pick = (scores: (i: number) => number) => {
    let total = 0;
    for (let i = 0; i < n; i++) total += scores(i);
    let r = rng.uniform() * total;
    for (let i = 0; i < n; i++) { r -= scores(i); if (r <= 0) return i; }
    return n - 1;
  };
  for (let j = 0; j < k; j++) {
    const i = j === 0 ? pick(w) : pick((q) => w(q) * Math.max(0, nearest[q]));
    for (let a = 0; a < d; a++) c[j * d + a] = points[i * d + a];
    for (let q = 0; q < n; q++) nearest[q] = Math.min(nearest[q], distance(points, q, c, j, d, cosine));
  }
  const labels = new Int32Array(n);
  let cost = Infinity;
  for (let it = 0; it < iterations; it++) {
    let changed = it === 0, newCost = 0;
    for (let i = 0; i < n; i++) {
      let best = 0, bd = Infinity;
      for (let j = 0; j < k; j++) { const dd = distance(points, i, c, j, d, cosine); if (dd < bd) { bd = dd; best = j; } }
      if (labels[i] !== best) { labels[i] = best; changed = true; }
      newCost += w(i) * bd;
    }
    cost = newCost;
    if (!changed) break;
    const mass = new Float64Array(k);
    c.fill(0);
    for (let i = 0; i < n; i++) { mass[labels[i]] += w(i); for (let a = 0; a < d; a++) c[labels[i] * d + a] += w(i) * points[i * d + a]; }
    for (let j = 0; j < k; j++) {
      if (mass[j] > 0) { if (!cosine) for (let a = 0; a < d; a++) c[j * d + a] /= mass[j]; continue; }
      // An empty cluster takes the point farthest from its centre.
      let far = 0, fd = -1;
      for (let i = 0; i < n; i++) { const dd = distance(points, i, c, labels[i], d, cosine); if (dd > fd) { fd = dd; far = i; } }
      for (let a = 0; a < d; a++) c[j * d + a] = points[far * d + a];
    }
    if (cosine) normaliseRows(c, d);
  }
  return { labels, centroids: c, cost };
}

/** k clusters of n points (rows of `points`, n × d); k is capped at the number of points. */
export function kMeans(points: ArrayLike<number>, d: number, k: number, o: KMeansOptions = {}): KMeansResult {
  const n = Math.floor(points.length / d);
  const cosine = (o.metric ?? "cosine") === "cosine";
  if (n === 0) return { labels: new Int32Array(0), centroids: new Float64Array(0), cost: 0 };
  const kk = Math.max(1, Math.min(k, n));
  const w = (i: number) => (o.weights ? o.weights[i] : 1);
  const rng = new Rng(o.seed ?? 1);
  let best: KMeansResult | undefined;
  for (let r = 0; r < (o.restarts ?? 8); r++) {
    const res = once(points, n, d, kk, cosine, w, rng, o.iterations ?? 100);
    if (!best || res.cost < best.cost - 1e-12) best = res;
  }
  return best!;
}

/**
 * The weighted mean silhouette of a clustering (Rousseeuw 1987): per point (b − a) / max(a, b), with a
 * the weighted mean distance to its own cluster and b that to the nearest other cluster; 0 for one
 * cluster. Distances are 1 − cos or Euclidean. O(n²): pass a subsample of large sets.
 */
export function silhouette(points: ArrayLike<number>, d: number, labels: ArrayLike<number>, o: { readonly metric?: "cosine" | "euclidean"; readonly weights?: ArrayLike<number> } = {}): number {
  const n = labels.length;
  const k = Math.max(0, ...Array.from(labels)) + 1;
  if (k < 2 || n < 2) return 0;
  const cosine = (o.metric ?? "cosine") === "cosine";
  const w = (i: number) => (o.weights ? o.weights[i] : 1);
  let total = 0, mass = 0;
  const sums = new Float64Array(k), counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    counts.fill(0);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      if (cosine) { for (let a = 0; a < d; a++) s += points[i * d + a] * points[j * d + a]; s = 1 - s; }
      else { for (let a = 0; a < d; a++) s += (points[i * d + a] - points[j * d + a]) ** 2; s = Math.sqrt(s); }
      sums[labels[j]] += w(j) * s;
      counts[labels[j]] += w(j);
    }
    if (counts[labels[i]] === 0) continue; // a singleton's silhouette is 0
    const a = sums[labels[i]] / counts[labels[i]];
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== labels[i] && counts[c] > 0) b = Math.min(b, sums[c] / counts[c]);
    if (!Number.isFinite(b)) continue;
    total += (w(i) * (b - a)) / Math.max(a, b, 1e-12);
    mass += w(i);
  }
  return mass > 0 ? total / mass : 0;
}

/** Eigenvalues of a symmetric d × d matrix (row-major), largest first, by cyclic Jacobi rotations. */
export function symmetricEigenvalues(matrix: ArrayLike<number>, d: number): number[] {
  const a = Float64Array.from(matrix);
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) {
      const apq = a[p * d + q];
      if (Math.abs(apq) < 1e-300) continue;
      const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < d; k++) {
        const akp = a[k * d + p], akq = a[k * d + q];
        a[k * d + p] = c * akp - s * akq;
        a[k * d + q] = s * akp + c * akq;
      }
      for (let k = 0; k < d; k++) {
        const apk = a[p * d + k], aqk = a[q * d + k];
        a[p * d + k] = c * apk - s * aqk;
        a[q * d + k] = s * apk + c * aqk;
      }
    }
  }
  return Array.from({ length: d }, (_, i) => a[i * d + i]).sort((x, y) => y - x);
}

/**
 * The share of the weighted second moment Σ w·v·vᵀ / Σ w of unit vectors (rows of `points`) that each of
 * its eigen-directions holds, largest first: k well-separated, mutually orthogonal clusters give k shares
 * near their weights and the rest near 0 (what deep-clustering embeddings aim at).
 */
export function momentShares(points: ArrayLike<number>, d: number, weights?: ArrayLike<number>): number[] {
  const n = Math.floor(points.length / d), m = new Float64Array(d * d);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    total += w;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) m[a * d + b] += w * points[i * d + a] * points[i * d + b];
  }
  const ev = symmetricEigenvalues(m, d).map((v) => Math.max(0, v));
  const sum = ev.reduce((p, q) => p + q, 0) || 1;
  return total > 0 ? ev.map((v) => v / sum) : ev.map(() => 0);
}
