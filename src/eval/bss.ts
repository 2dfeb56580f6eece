/**
 * The numerical core of BSS Eval (Vincent, Gribonval & Févotte 2006), shared
 * by the mir_eval ports (bss_eval_sources/images, framewise) and museval v4:
 * least-squares projection of an estimate onto the span of the references
 * delayed by 0…L−1 samples.
 *
 * The Gram matrix of delayed references, G[(i,a),(j,b)] = Σₙ rᵢ[n−a]·rⱼ[n−b],
 * depends only on b − a: it is block Toeplitz in the lag, with K×K blocks
 * R(m)ᵢⱼ = Σₙ rᵢ[n+m]·rⱼ[n]. We solve it with the multichannel Levinson
 * recursion in O(L²K³) rather than a dense O((LK)³) factorisation (mir_eval
 * calls LAPACK on the full matrix), and compute all lagged correlations at
 * once by block-wise FFTs summed in the frequency domain, so one pass over
 * long signals serves every source and estimate.
 */
import { nextPow2, RealFft } from "../dsp/fft.js";

/** K×K matrices as Float64Array in row-major order. */
type Mat = Float64Array;


/**
 * Lagged cross-correlations c[x][y][m + L − 1] = Σₙ xs[x][n+m]·ys[y][n] for
 * m ∈ [−(L−1), L−1], treating the signals as zero outside [0, length).
 */
export function laggedXcorr(xs: readonly ArrayLike<number>[], ys: readonly ArrayLike<number>[], L: number): Float64Array[][] {
  const n = Math.max(0, ...xs.map((x) => x.length), ...ys.map((y) => y.length));
  const M = nextPow2(Math.max(4 * L, 4096));
  const B = M - 2 * (L - 1); // block of y samples per FFT
  const nb = M / 2 + 1;
  const fft = new RealFft(M);
  const acc = xs.map(() => ys.map(() => ({ re: new Float64Array(nb), im: new Float64Array(nb) })));
  const seg = new Float64Array(M);
  const xr = xs.map(() => new Float64Array(nb)), xi = xs.map(() => new Float64Array(nb));
  const yr = ys.map(() => new Float64Array(nb)), yi = ys.map(() => new Float64Array(nb));
  for (let start = 0; start < n; start += B) {
    xs.forEach((x, k) => {
      seg.fill(0);
      const from = start - (L - 1);
      for (let p = Math.max(0, -from); p < B + 2 * (L - 1); p++) {
        const s = from + p;
        if (s >= x.length) break;
        seg[p] = x[s];
      }
      fft.forward(seg, xr[k], xi[k]);
    });
    ys.forEach((y, k) => {
      seg.fill(0);
      for (let p = 0; p < B && start + p < y.length; p++) seg[p] = y[start + p];
      fft.forward(seg, yr[k], yi[k]);
    });
    for (let a = 0; a < xs.length; a++) {
      for (let b = 0; b < ys.length; b++) {
        const { re, im } = acc[a][b];
        const ar = xr[a], ai = xi[a], br = yr[b], bi = yi[b];
        for (let f = 0; f < nb; f++) {
          // X·conj(Y)
          re[f] += ar[f] * br[f] + ai[f] * bi[f];
          im[f] += ai[f] * br[f] - ar[f] * bi[f];
        }
      }
    }
  }
  const out = new Float64Array(M);
  return acc.map((row) =>
    row.map(({ re, im }) => {
      fft.inverse(re, im, out);
      return out.slice(0, 2 * L - 1);
    }),
  );
}

/** Solves a K×K system A·X = Bm (Bm K×c, row-major) by Gaussian elimination with partial pivoting; returns X. */
function solveSmall(A: Mat, Bm: Float64Array, K: number, c: number): Float64Array {
  const a = Float64Array.from(A), b = Float64Array.from(Bm);
  for (let col = 0; col < K; col++) {
    let piv = col;
    for (let r = col + 1; r < K; r++) if (Math.abs(a[r * K + col]) > Math.abs(a[piv * K + col])) piv = r;
    if (a[piv * K + col] === 0) throw new SingularError();
    if (piv !== col) {
      for (let j = 0; j < K; j++) [a[col * K + j], a[piv * K + j]] = [a[piv * K + j], a[col * K + j]];
      for (let j = 0; j < c; j++) [b[col * c + j], b[piv * c + j]] = [b[piv * c + j], b[col * c + j]];
    }
    const d = a[col * K + col];
    for (let r = col + 1; r < K; r++) {
      const f = a[r * K + col] / d;
      if (f === 0) continue;
      for (let j = col; j < K; j++) a[r * K + j] -= f * a[col * K + j];
      for (let j = 0; j < c; j++) b[r * c + j] -= f * b[col * c + j];
    }
  }
  for (let col = K - 1; col >= 0; col--) {
    for (let j = 0; j < c; j++) {
      let s = b[col * c + j];
      for (let k = col + 1; k < K; k++) s -= a[col * K + k] * b[k * c + j];
      b[col * c + j] = s / a[col * K + col];
    }
  }
  return b;
}

export class SingularError extends Error {}

/** out (K×c) += A (K×K) · X (K×c). */
function mulAdd(A: Mat, X: Float64Array, xOff: number, out: Float64Array, K: number, c: number): void {
  for (let i = 0; i < K; i++) {
    for (let k = 0; k < K; k++) {
      const a = A[i * K + k];
      if (a === 0) continue;
      for (let j = 0; j < c; j++) out[i * c + j] += a * X[xOff + k * c + j];
    }
  }
}

/**
 * Solves G·x = y for the block Toeplitz G with blocks G[a][b] = R(b − a)
 * (a, b = 0…L−1; R(−m) = R(m)ᵀ), by the multichannel Levinson recursion.
 * `R(m)` for m ∈ (−L, L) returns a K×K row-major matrix; y and the result are
 * L blocks of K×c (block a at offset a·K·c). `ridge` is added to R(0)'s diagonal.
 */
export function blockToeplitzSolve(R: (m: number) => Mat, L: number, K: number, y: Float64Array, c: number, ridge = 0): Float64Array {
  const KK = K * K, Kc = K * c;
  const Rm = new Map<number, Mat>();
  const get = (m: number): Mat => {
    let v = Rm.get(m);
    if (v === undefined) {
      v = Float64Array.from(R(m));
      if (m === 0 && ridge !== 0) for (let i = 0; i < K; i++) v[i * K + i] += ridge;
      Rm.set(m, v);
    }
    return v;
  };
  const eye = new Float64Array(KK);
  for (let i = 0; i < K; i++) eye[i * K + i] = 1;
  // F, Bk: n blocks of K×K; H_n F = [I; 0…], H_n B = […0; I].
  let F = solveSmall(get(0), eye, K, K);
  let Bk = Float64Array.from(F);
  const x = new Float64Array(L * Kc);
  x.set(solveSmall(get(0), y.subarray(0, Kc), K, c), 0);
  const ef = new Float64Array(KK), eb = new Float64Array(KK), eta = new Float64Array(Kc);
  for (let n = 1; n < L; n++) {
    // ε_f = Σ_k R(k − n)·F[k], ε_b = Σ_k R(k + 1)·B[k], η = Σ_k R(k − n)·x[k].
    ef.fill(0); eb.fill(0); eta.fill(0);
    for (let k = 0; k < n; k++) {
      mulAdd(get(k - n), F, k * KK, ef, K, K);
      mulAdd(get(k + 1), Bk, k * KK, eb, K, K);
      mulAdd(get(k - n), x, k * Kc, eta, K, c);
    }
    // α = (I − ε_b ε_f)⁻¹, β' = (I − ε_f ε_b)⁻¹.
    const m1 = Float64Array.from(eye), m2 = Float64Array.from(eye);
    for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) {
      let s1 = 0, s2 = 0;
      for (let k = 0; k < K; k++) { s1 += eb[i * K + k] * ef[k * K + j]; s2 += ef[i * K + k] * eb[k * K + j]; }
      m1[i * K + j] -= s1;
      m2[i * K + j] -= s2;
    }
    const alpha = solveSmall(m1, eye, K, K), beta = solveSmall(m2, eye, K, K);
    // F' = [F;0]·α − [0;B]·ε_f·α ; B' = [0;B]·β − [F;0]·ε_b·β.
    const efA = new Float64Array(KK), ebB = new Float64Array(KK);
    mulAddRight(ef, alpha, efA, K);
    mulAddRight(eb, beta, ebB, K);
    const F2 = new Float64Array((n + 1) * KK), B2 = new Float64Array((n + 1) * KK);
    for (let k = 0; k <= n; k++) {
      if (k < n) {
        blockMulAdd(F, k * KK, alpha, F2, k * KK, K, 1);
        blockMulAdd(F, k * KK, ebB, B2, k * KK, K, -1);
      }
      if (k > 0) {
        blockMulAdd(Bk, (k - 1) * KK, efA, F2, k * KK, K, -1);
        blockMulAdd(Bk, (k - 1) * KK, beta, B2, k * KK, K, 1);
      }
    }
    F = F2;
    Bk = B2;
    // x' = [x;0] + B'·(y_n − η)
    const r = new Float64Array(Kc);
    for (let i = 0; i < Kc; i++) r[i] = y[n * Kc + i] - eta[i];
    for (let k = 0; k <= n; k++) mulAdd(Bk.subarray(k * KK, (k + 1) * KK), r, 0, x.subarray(k * Kc, (k + 1) * Kc), K, c);
  }
  return x;
}

/** out = A·B (K×K). */
function mulAddRight(A: Mat, B: Mat, out: Mat, K: number): void {
  for (let i = 0; i < K; i++) for (let k = 0; k < K; k++) {
    const a = A[i * K + k];
    for (let j = 0; j < K; j++) out[i * K + j] += a * B[k * K + j];
  }
}

/** out[oOff] += sign · (X[xOff] · M), K×K blocks. */
function blockMulAdd(X: Float64Array, xOff: number, M: Mat, out: Float64Array, oOff: number, K: number, sign: number): void {
  for (let i = 0; i < K; i++) for (let k = 0; k < K; k++) {
    const a = sign * X[xOff + i * K + k];
    if (a === 0) continue;
    for (let j = 0; j < K; j++) out[oOff + i * K + j] += a * M[k * K + j];
  }
}

/**
 * Σ_k (filters[o][k] ∗ refs[k]) for each output o, truncated to
 * `length` samples (full convolution is refs' length + L − 1). Overlap-add
 * FFT convolution; the references' block spectra are shared by all outputs.
 */
export function filterAndSum(refs: readonly ArrayLike<number>[], filters: readonly (readonly (Float64Array | null)[])[], L: number, length: number): Float64Array[] {
  const M = nextPow2(Math.max(4 * L, 4096));
  const B = M - L + 1;
  const nb = M / 2 + 1;
  const fft = new RealFft(M);
  const seg = new Float64Array(M);
  const hf = filters.map((row) =>
    row.map((h) => {
      if (h === null) return null;
      seg.fill(0);
      seg.set(h);
      const re = new Float64Array(nb), im = new Float64Array(nb);
      fft.forward(seg, re, im);
      return { re, im };
    }),
  );
  const outs = filters.map(() => new Float64Array(length));
  const rr = refs.map(() => new Float64Array(nb)), ri = refs.map(() => new Float64Array(nb));
  const accR = new Float64Array(nb), accI = new Float64Array(nb), block = new Float64Array(M);
  const n = Math.max(...refs.map((r) => r.length));
  for (let start = 0; start < n; start += B) {
    refs.forEach((r, k) => {
      seg.fill(0);
      for (let p = 0; p < B && start + p < r.length; p++) seg[p] = r[start + p];
      fft.forward(seg, rr[k], ri[k]);
    });
    for (let o = 0; o < filters.length; o++) {
      accR.fill(0); accI.fill(0);
      let any = false;
      for (let k = 0; k < refs.length; k++) {
        const h = hf[o][k];
        if (h === null) continue;
        any = true;
        const ar = rr[k], ai = ri[k];
        for (let f = 0; f < nb; f++) {
          accR[f] += ar[f] * h.re[f] - ai[f] * h.im[f];
          accI[f] += ar[f] * h.im[f] + ai[f] * h.re[f];
        }
      }
      if (!any) continue;
      fft.inverse(accR, accI, block);
      const out = outs[o];
      for (let p = 0; p < M && start + p < length; p++) out[start + p] += block[p];
    }
  }
  return outs;
}
