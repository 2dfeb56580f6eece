/**
 * Cover-song embedding network, after MOVE (Yesiler, Serrà & Gómez, ICASSP
 * 2020) and Re-MOVE (ISMIR 2020, "Less is more"), scaled down for two CPU
 * cores. Input: a recording's cover features [B, V, 12, T] (V = 3 views:
 * HPCP, melody pitch class, multi-pitch salience folded to pitch class; 2
 * frames per second, as the covers library stores them), so an embedding
 * can be computed from stored features without the audio. Output: an
 * embedding [B, d], L2-normalised (cosine distance = 1 − dot product).
 *
 * - Pitch: the 12 pitch classes are padded circularly to 23 rows and a
 *   12 × 5 convolution (pitch × time) sees every transposition; the maximum
 *   over the 12 pitch positions makes the embedding exactly invariant to
 *   transposition (a circular roll of the input).
 * - Time: two 1 × 5 convolutions dilated 2 and 4 frames (MOVE: 20 and 13 at
 *   its higher frame rate), ReLU (MOVE: PReLU), attention pooling over time
 *   (any length), a linear layer to d, then L2 normalisation (MOVE: batch
 *   norm without affine, then cosine).
 * - Training: normalised softmax over one learnable proxy per work
 *   (temperature 0.05), or distillation from a teacher's distances.
 *
 * The first convolution has two implementations over one weight
 * [C, V, 12, 5]: "patch" (training: one matmul over patches built outside
 * the graph by `pitchPatches`) and "lax" (export: circular pad, one ONNX
 * Conv, a max over pitch); both compute the same function.
 */
import { numpy as np, lax, type Array as JArray } from "@jax-js/jax";
import { InvalidInputError } from "../../errors.js";
import { attentionPool, initAttentionPool, type AttentionPoolParams } from "../../nn/blocks.js";
import { conv2dNhwc, dense, initConv2d, initDense, relu, Rng, type Conv2dParams, type DenseParams } from "../../nn/layers.js";
import { l2Normalize } from "../../nn/optim.js";

export const PITCH_CLASSES = 12;
/** Time taps of the first convolution. */
export const TIME_TAPS = 5;

export interface CoverNetConfig {
  /** Input views (3: HPCP, melody, salience). */
  readonly views: number;
  /** Channels of the pitch convolution. */
  readonly pitchChannels: number;
  /** Channels of the time convolutions. */
  readonly channels: number;
  /** Embedding size. */
  readonly dim: number;
}

export const DEFAULT_COVER_NET: CoverNetConfig = { views: 3, pitchChannels: 64, channels: 128, dim: 256 };

export type CoverBackbone = { pitch: Conv2dParams; t1: Conv2dParams; t2: Conv2dParams; pool: AttentionPoolParams };
export type CoverNetParams = { backbone: CoverBackbone; head: DenseParams };

export function initCoverBackbone(cfg: CoverNetConfig, seed: number): CoverBackbone {
  const rng = new Rng(seed);
  return {
    pitch: initConv2d(rng, cfg.views, cfg.pitchChannels, PITCH_CLASSES, TIME_TAPS),
    t1: initConv2d(rng, cfg.pitchChannels, cfg.channels, 1, 5),
    t2: initConv2d(rng, cfg.channels, cfg.channels, 1, 5),
    pool: initAttentionPool(rng, cfg.channels, 64),
  };
}

export function initCoverHead(cfg: CoverNetConfig, seed: number): DenseParams {
  return initDense(new Rng(seed * 31 + 5), cfg.channels, cfg.dim);
}

export function initCoverNet(cfg: CoverNetConfig, seed: number): CoverNetParams {
  return { backbone: initCoverBackbone(cfg, seed), head: initCoverHead(cfg, seed) };
}

/**
 * The first convolution's patches for the "patch" path: for features
 * [V, 12, T] (view-major, as `coverInput` lays them out), rows (s, t) for each
 * pitch shift s and frame t, each V·12·5 values x[v, (s + p) mod 12, t + τ − 2]
 * (zeros outside the signal), in weight order (v, p, τ). Out: [12, T, V·60].
 */
export function pitchPatches(x: Float32Array, views: number, frames: number): Float32Array {
  const K = views * PITCH_CLASSES * TIME_TAPS;
  const out = new Float32Array(PITCH_CLASSES * frames * K);
  const half = TIME_TAPS >> 1;
  for (let s = 0; s < PITCH_CLASSES; s++) for (let t = 0; t < frames; t++) {
    const row = (s * frames + t) * K;
    for (let v = 0; v < views; v++) for (let p = 0; p < PITCH_CLASSES; p++) {
      const src = (v * PITCH_CLASSES + ((s + p) % PITCH_CLASSES)) * frames;
      for (let tau = 0; tau < TIME_TAPS; tau++) {
        const tt = t + tau - half;
        if (tt >= 0 && tt < frames) out[row + (v * PITCH_CLASSES + p) * TIME_TAPS + tau] = x[src + tt];
      }
    }
  }
  return out;
}

/** Backbone on patches [B, 12, T, V·60] ("patch") or features [B, V, 12, T] ("lax"): pooled features [B, channels]. */
export function coverBackbone(p: CoverBackbone, x: JArray, impl: "patch" | "lax"): JArray {
  const [C, V] = p.pitch.w.shape;
  let h: JArray; // [B, 1, T, C] channels last
  if (impl === "patch") {
    if (x.ndim !== 4 || x.shape[1] !== PITCH_CLASSES || x.shape[3] !== V * PITCH_CLASSES * TIME_TAPS) throw new InvalidInputError(`coverBackbone: patches must be [batch, 12, frames, ${V * 60}], got [${x.shape.join(", ")}]`);
    const w = p.pitch.w.ref.reshape([C, V * PITCH_CLASSES * TIME_TAPS]).transpose([1, 0]);
    const [B, , T] = x.shape;
    h = relu(np.matmul(x, w).add(p.pitch.b.ref)).max(1).reshape([B, 1, T, C]); // max over the 12 pitch positions
  } else {
    if (x.ndim !== 4 || x.shape[1] !== V || x.shape[2] !== PITCH_CLASSES) throw new InvalidInputError(`coverBackbone: features must be [batch, ${V}, 12, frames], got [${x.shape.join(", ")}]`);
    const [B, , , T] = x.shape;
    const padded = np.concatenate([x.ref, x.slice([], [], [0, PITCH_CLASSES - 1], [])], 2); // [B, V, 23, T]
    const half = TIME_TAPS >> 1;
    const y = relu(lax.convGeneralDilated(padded, p.pitch.w.ref, [1, 1], [[0, 0], [half, half]]).add(p.pitch.b.ref.reshape([1, C, 1, 1]))); // [B, C, 12, T]
    h = y.max(2).transpose([0, 2, 1]).reshape([B, 1, T, C]);
  }
  const conv = impl === "patch" ? "matmul" : "lax";
  h = relu(conv2dNhwc(p.t1, h, { dilation: [1, 2], impl: conv }));
  h = relu(conv2dNhwc(p.t2, h, { dilation: [1, 4], impl: conv }));
  const [B, , T, D] = h.shape;
  return attentionPool(p.pool, h.reshape([B, T, D]));
}

/** Embeddings [B, d], unit length. */
export function coverEmbedding(p: CoverNetParams, x: JArray, impl: "patch" | "lax"): JArray {
  return l2Normalize(dense(p.head, coverBackbone(p.backbone, x, impl)));
}

/** The training loss's scale: nn/optim's normalizedSoftmaxLoss at temperature 0.05 (MOVE's). */
export const PROXY_SCALE = 1 / 0.05;

/**
 * Distillation (Re-MOVE's "distance" variant): the student's pairwise cosine
 * distances within the batch match the teacher's (mean squared difference);
 * `teacherGram` [B, B] holds the teacher's dot products of the same batch.
 */
export function distillLoss(embeddings: JArray, teacherGram: JArray): JArray {
  const gram = np.matmul(embeddings.ref, embeddings.transpose([1, 0]));
  return np.square(gram.sub(teacherGram)).mean();
}
