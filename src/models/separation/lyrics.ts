/**
 * Lyrics-informed recurrent separation, after Jeon et al., ISMIR 2020
 * ("Exploring aligned lyrics-informed singing voice separation"): an
 * Open-Unmix-style recurrent backbone on the mixture's magnitude, with a
 * lyrics encoder (phoneme embeddings through highway layers) aligned to the
 * frames and concatenated with the audio features before the recurrence.
 * Scaled to what 2 cores train: a dense layer of `hidden` units with tanh,
 * one bidirectional LSTM layer (hidden/2 each way), Open-Unmix's skip
 * (dense features concatenated with the LSTM's output), two dense layers to
 * a sigmoid mask per bin, shared by both channels. Without lyrics it is the
 * same network without the encoder (its unconditioned twin).
 *
 * Same graph interface as the informed U-Nets: inputs "mixture" [B, 4, F, T]
 * (and "phonemes" [B, P, T], frame-aligned), output "mask" [B, 2, F, T].
 */
import { numpy as np, nn as jnn, type Array as JArray } from "@jax-js/jax";
import { PHONEMES } from "../../lyrics/phonemes.js";
import { bidirectional, initLstm, lstm, type LstmParams } from "../../nn/blocks.js";
import { initDense, Rng, type DenseParams } from "../../nn/layers.js";
import { exportInformedGraph } from "./informed.js";
import { maskLoss } from "./unet.js";

export interface LyricsUnmixConfig {
  readonly bins: number;
  readonly hidden: number;
  /** Phoneme embedding size. */
  readonly embed: number;
  /** With the lyrics encoder. */
  readonly lyrics: boolean;
}

type Highway = { gate: DenseParams; lin: DenseParams };
export type LyricsUnmixParams = {
  fc1: DenseParams;
  emb?: JArray;
  highway?: Highway[];
  fwd: LstmParams;
  bwd: LstmParams;
  fc2: DenseParams;
  fc3: DenseParams;
};

export function initLyricsUnmix(cfg: LyricsUnmixConfig, seed: number): LyricsUnmixParams {
  const rng = new Rng(seed), H = cfg.hidden, E = cfg.lyrics ? cfg.embed : 0;
  const p: LyricsUnmixParams = {
    fc1: initDense(rng, cfg.bins, H),
    fwd: initLstm(rng, H + E, H / 2),
    bwd: initLstm(rng, H + E, H / 2),
    fc2: initDense(rng, 2 * H, H),
    fc3: initDense(rng, H, cfg.bins),
  };
  if (cfg.lyrics) {
    p.emb = np.array(Float32Array.from({ length: PHONEMES.length * E }, () => rng.normal() * 0.5)).reshape([PHONEMES.length, E]);
    // Highway gates start mostly closed (bias −1): the embedding passes through at first.
    p.highway = [0, 1].map(() => ({ gate: { ...initDense(rng, E, E), b: np.full([E], -1) }, lin: initDense(rng, E, E) }));
  }
  return p;
}

const dense = (p: DenseParams, x: JArray) => np.matmul(x, p.w.ref).add(p.b.ref);

/** The mask [B, 2, F, T] of a mixture [B, 4, F, T], informed by the phoneme matrix c [B, P, T] when the model has lyrics. */
export function lyricsUnmixMask(p: LyricsUnmixParams, x: JArray, c: JArray | null): JArray {
  const [B, , F, T] = x.shape;
  // Magnitude averaged over the two channels, at unit RMS per example (the level does not change a mask).
  const mag = np.sqrt(np.square(x).reshape([B, 2, 2, F, T]).sum([2]).add(1e-10)).mean([1]); // [B, F, T]
  const rms = np.sqrt(np.square(mag.ref).mean([1, 2], { keepdims: true }).add(1e-8));
  const h1 = np.tanh(dense(p.fc1, mag.div(rms).transpose([0, 2, 1]))); // [B, T, H]
  let feats = h1.ref;
  if (p.emb && p.highway && c) {
    let e = np.matmul(c.transpose([0, 2, 1]), p.emb.ref); // [B, T, E]
    for (const hw of p.highway) {
      const g = jnn.sigmoid(dense(hw.gate, e.ref));
      e = g.ref.mul(jnn.relu(dense(hw.lin, e.ref))).add(g.neg().add(1).mul(e));
    }
    feats = np.concatenate([feats, e], 2);
  } else c?.dispose();
  const r = bidirectional(lstm, p.fwd, p.bwd, feats); // [B, T, H]
  const z = jnn.relu(dense(p.fc2, np.concatenate([h1, r], 2)));
  const m = jnn.sigmoid(np.clip(dense(p.fc3, z), -30, 30)).transpose([0, 2, 1]).reshape([B, 1, F, T]);
  return m.mul(np.ones([1, 2, 1, 1]));
}

export function lyricsUnmixLoss(p: LyricsUnmixParams, mix: JArray, vocals: JArray, c: JArray | null): JArray {
  return maskLoss(lyricsUnmixMask(p, mix.ref, c), mix, vocals);
}

/** The graph fn(params, mixture[, phonemes]) → mask. */
export const lyricsUnmixGraph = (q: LyricsUnmixParams, x: JArray, ...rest: JArray[]): JArray => lyricsUnmixMask(q, x, rest[0] ?? null);

/** The ONNX model (informed.exportInformedGraph): inputs "mixture" (and "phonemes"), output "mask", any number of frames. */
export function exportLyricsUnmix(p: LyricsUnmixParams, cfg: LyricsUnmixConfig): Uint8Array {
  return exportInformedGraph(lyricsUnmixGraph, p, { bins: cfg.bins, conditioned: cfg.lyrics, activation: false, step: 1 });
}
