/**
 * Reference points for singing-voice separation, per channel on the STFT:
 * - the oracle ideal ratio mask (the ceiling): |V|/(|V| + |A|) from the true
 *   stems, applied to the mixture;
 * - REPET-SIM (Rafii & Pardo 2012), the unsupervised floor: the repeating
 *   background of each frame is the median of its k most similar frames
 *   (cosine similarity of magnitude spectra, at least `minDistance` frames
 *   apart); background mask min(B, M)/M, vocals = mixture − background.
 * Both return time-domain stereo estimates of the vocals, the length of the
 * input.
 */
import { istft, stft } from "../../dsp/stft.js";
import type { ComplexSpectrogram } from "../../dsp/types.js";

const OPTS = { nFft: 2048, hopLength: 512 } as const;

function masked(spec: ComplexSpectrogram, mask: Float32Array, length: number): Float32Array {
  const re = spec.re.map((v, i) => v * mask[i]), im = spec.im.map((v, i) => v * mask[i]);
  return istft({ ...spec, re, im }, { ...OPTS, length });
}

export function oracleIrm(mix: readonly Float32Array[], vocals: readonly Float32Array[], accompaniment: readonly Float32Array[], sampleRate: number): Float32Array[] {
  return mix.map((m, c) => {
    const M = stft(m, sampleRate, OPTS), V = stft(vocals[c], sampleRate, OPTS), A = stft(accompaniment[c], sampleRate, OPTS);
    const mask = new Float32Array(M.re.length);
    for (let i = 0; i < mask.length; i++) {
      const v = Math.hypot(V.re[i], V.im[i]), a = Math.hypot(A.re[i], A.im[i]);
      mask[i] = v + a > 0 ? v / (v + a) : 0;
    }
    return masked(M, mask, m.length);
  });
}

export function repetSim(mix: readonly Float32Array[], sampleRate: number, options: { k?: number; minDistanceSeconds?: number } = {}): Float32Array[] {
  const k = options.k ?? 20;
  return mix.map((m) => {
    const M = stft(m, sampleRate, OPTS);
    const { nFrames, nBins } = M;
    const mag = new Float32Array(nFrames * nBins);
    for (let i = 0; i < mag.length; i++) mag[i] = Math.hypot(M.re[i], M.im[i]);
    const norms = new Float32Array(nFrames);
    for (let t = 0; t < nFrames; t++) { let s = 0; for (let b = 0; b < nBins; b++) s += mag[t * nBins + b] ** 2; norms[t] = Math.sqrt(s) || 1; }
    const minDist = Math.round(((options.minDistanceSeconds ?? 1) * sampleRate) / OPTS.hopLength);
    const mask = new Float32Array(mag.length);
    const sims = new Float32Array(nFrames);
    const order = new Int32Array(nFrames);
    const column = new Float32Array(k);
    for (let t = 0; t < nFrames; t++) {
      for (let u = 0; u < nFrames; u++) {
        if (Math.abs(u - t) < minDist && u !== t) { sims[u] = -Infinity; continue; }
        let s = 0;
        for (let b = 0; b < nBins; b++) s += mag[t * nBins + b] * mag[u * nBins + b];
        sims[u] = s / (norms[t] * norms[u]);
      }
      for (let u = 0; u < nFrames; u++) order[u] = u;
      order.sort((a, b) => sims[b] - sims[a]);
      const kk = Math.min(k, nFrames);
      for (let b = 0; b < nBins; b++) {
        for (let j = 0; j < kk; j++) column[j] = mag[order[j] * nBins + b];
        const sorted = column.subarray(0, kk).sort();
        const bg = Math.min(sorted[kk >> 1], mag[t * nBins + b]);
        const mt = mag[t * nBins + b];
        mask[t * nBins + b] = mt > 0 ? 1 - bg / mt : 0; // vocals = 1 − background mask
      }
    }
    return masked(M, mask, m.length);
  });
}
