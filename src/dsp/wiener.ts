/**
 * Multichannel Wiener post-filter for source separation, the local
 * Gaussian model of Duong, Vincent & Gribonval (2010) as Open-Unmix applies
 * it (one EM iteration, "norbert"): each source j has a power spectral
 * density v_j(f, t) and a 2×2 spatial covariance R_j(f); the filtered
 * estimate is Ŷ_j = v_j R_j (Σ_k v_k R_k)⁻¹ X for the stereo mixture X.
 *
 * Pure function over complex spectrograms (frame-major re/im, as stft gives).
 * Two sources, a target and the residual (mixture − target), two channels.
 */
import { InvalidInputError } from "../errors.js";
import type { ComplexSpectrogram } from "./types.js";

type Stereo = readonly [ComplexSpectrogram, ComplexSpectrogram];

/** Hermitian 2×2 spatial covariance per bin: r00, r11 real, r01 complex. */
interface Spatial { r00: Float64Array; r11: Float64Array; r01re: Float64Array; r01im: Float64Array }

/** PSD and spatial covariance of y, or of x − y when `residualOf` is given. */
function psdAndSpatial(y: Stereo, nBins: number, nFrames: number, residualOf?: Stereo): { v: Float32Array; R: Spatial } {
  const sub = (m: ComplexSpectrogram, s: ComplexSpectrogram) => ({ ...m, re: m.re.map((v, i) => v - s.re[i]), im: m.im.map((v, i) => v - s.im[i]) });
  const [a, b] = residualOf ? [sub(residualOf[0], y[0]), sub(residualOf[1], y[1])] : y;
  const v = new Float32Array(nFrames * nBins);
  const R: Spatial = { r00: new Float64Array(nBins), r11: new Float64Array(nBins), r01re: new Float64Array(nBins), r01im: new Float64Array(nBins) };
  const vSum = new Float64Array(nBins);
  for (let t = 0; t < nFrames; t++) {
    for (let f = 0; f < nBins; f++) {
      const i = t * nBins + f;
      const p0 = a.re[i] * a.re[i] + a.im[i] * a.im[i], p1 = b.re[i] * b.re[i] + b.im[i] * b.im[i];
      v[i] = 0.5 * (p0 + p1);
      vSum[f] += v[i];
      R.r00[f] += p0;
      R.r11[f] += p1;
      // y0 · conj(y1)
      R.r01re[f] += a.re[i] * b.re[i] + a.im[i] * b.im[i];
      R.r01im[f] += a.im[i] * b.re[i] - a.re[i] * b.im[i];
    }
  }
  for (let f = 0; f < nBins; f++) {
    const s = 1 / Math.max(vSum[f], 1e-20);
    R.r00[f] *= s; R.r11[f] *= s; R.r01re[f] *= s; R.r01im[f] *= s;
  }
  return { v, R };
}

/**
 * Wiener-filtered target estimate from the mixture `x` and a first estimate
 * of the target (stereo complex spectrograms of the same shape); the other
 * source is the residual x − target. `regularization` is added to the mixture covariance's diagonal
 * relative to its trace, so mono-in-stereo inputs (rank-1 covariances) stay
 * well posed.
 */
export function wienerFilter(x: Stereo, target: Stereo, regularization = 1e-6): [ComplexSpectrogram, ComplexSpectrogram] {
  const { nBins, nFrames } = x[0];
  for (const s of [...x, ...target]) {
    if (s.nBins !== nBins || s.nFrames !== nFrames) throw new InvalidInputError(`wienerFilter: spectrograms must share one shape (${nFrames} × ${nBins}), got ${s.nFrames} × ${s.nBins}`);
  }
  const T = psdAndSpatial(target, nBins, nFrames), N = psdAndSpatial(target, nBins, nFrames, x);
  const out: [ComplexSpectrogram, ComplexSpectrogram] = [0, 1].map(() => ({ ...x[0], re: new Float32Array(nBins * nFrames), im: new Float32Array(nBins * nFrames) })) as [ComplexSpectrogram, ComplexSpectrogram];
  const [x0, x1] = x;
  for (let t = 0; t < nFrames; t++) {
    for (let f = 0; f < nBins; f++) {
      const i = t * nBins + f;
      const vt = T.v[i], vn = N.v[i];
      if (vt <= 0) continue;
      // A = vt·Rt (target covariance), C = A + vn·Rn + δ·I.
      const a00 = vt * T.R.r00[f], a11 = vt * T.R.r11[f], a01re = vt * T.R.r01re[f], a01im = vt * T.R.r01im[f];
      let c00 = a00 + vn * N.R.r00[f], c11 = a11 + vn * N.R.r11[f];
      const c01re = a01re + vn * N.R.r01re[f], c01im = a01im + vn * N.R.r01im[f];
      const delta = regularization * (c00 + c11) + 1e-20;
      c00 += delta; c11 += delta;
      const det = c00 * c11 - (c01re * c01re + c01im * c01im);
      if (!(det > 0)) continue;
      // C⁻¹ = [[c11, −c01], [−conj c01, c00]] / det.
      const i00 = c11 / det, i11 = c00 / det, i01re = -c01re / det, i01im = -c01im / det; // i10 = conj(i01)
      // z = C⁻¹ x
      const xr0 = x0.re[i], xi0 = x0.im[i], xr1 = x1.re[i], xi1 = x1.im[i];
      const z0re = i00 * xr0 + (i01re * xr1 - i01im * xi1), z0im = i00 * xi0 + (i01re * xi1 + i01im * xr1);
      const z1re = (i01re * xr0 + i01im * xi0) + i11 * xr1, z1im = (i01re * xi0 - i01im * xr0) + i11 * xi1;
      // y = A z, A = [[a00, a01], [conj a01, a11]]
      out[0].re[i] = a00 * z0re + (a01re * z1re - a01im * z1im);
      out[0].im[i] = a00 * z0im + (a01re * z1im + a01im * z1re);
      out[1].re[i] = (a01re * z0re + a01im * z0im) + a11 * z1re;
      out[1].im[i] = (a01re * z0im - a01im * z0re) + a11 * z1im;
    }
  }
  return out;
}
