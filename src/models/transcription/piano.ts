/**
 * Piano transcription networks after Kwon, Jeong & Nam, ISMIR 2020
 * ("Polyphonic piano transcription using autoregressive multi-state note
 * model"), scaled down for two CPU cores.
 *
 * Acoustic model (Onsets & Frames' conv stack): the log-mel input
 * [B, T, 229] → three 3×3 convs with batch norm and ReLU (channels
 * c1, c1, c2; the paper's 48, 48, 96), max-pooling by 2 along frequency
 * after the second and the third → a dense layer to `features` units
 * (the paper's 768) with ReLU. Channels last throughout.
 *
 * Heads, per frame and key, `states` classes (contract.ts):
 * - "ar" (autoregressive): the previous frame's state of each of the 88
 *   keys is embedded (2 numbers a key, from one table shared by the keys),
 *   concatenated with the acoustic features, and fed to a unidirectional
 *   LSTM (`hidden` units) and a linear layer to 88 × states logits.
 *   Teacher forcing in training (the previous states are the truth);
 *   greedy decoding in inference, one step at a time (`pianoStep`).
 * - "frame" (the paper's non-autoregressive baseline): the same acoustic
 *   model and LSTM without the previous states: every frame's states are
 *   classified independently of the decoded ones.
 * Both have a velocity head (a dense layer from the acoustic features to
 * 88 sigmoids, trained by MSE on the onset frames only, as Onsets & Frames).
 *
 * Batch norm: training normalises with the batch's statistics; the running
 * statistics the exported model uses are measured afterwards over training
 * batches (`batchStatistics`), so the training loop carries no state.
 */
import { lax, nn as jnn, numpy as np, type Array as JArray } from "@jax-js/jax";
import { BATCH_NORM_EPS, batchNorm, initBatchNorm, initLstm, lstm, lstmStep, type BatchNormParams, type BatchNormStats, type LstmParams } from "../../nn/blocks.js";
import { conv2dNhwc, dense, initConv2d, initDense, relu, Rng, sigmoid, type Conv2dParams, type DenseParams } from "../../nn/layers.js";
import { keyAligned, KEYS, PIANO_CQT_BINS, PIANO_CQT_BPO, PIANO_MELS, type PianoFront, type StateCount } from "./contract.js";

export { pianoWidths } from "./contract.js";

export type PianoKind = "ar" | "frame";

export interface PianoConfig {
  readonly kind: PianoKind;
  /**
   * "mel" (default): the paper's model, log-mel → convs → one feature vector per frame → one LSTM over all keys.
   * "keys": the key-aligned model: the CQT's harmonics stacked per key → convs whose weights every key shares →
   * `features` numbers per key, and the autoregressive LSTM run per key (`hidden` units a key, the same weights
   * for every key) on the key's features and its own previous state.
   * "vqt": the same model on the key-aligned variable-Q transform (shorter low filters).
   */
  readonly front?: PianoFront;
  /**
   * "keys": the multiples of each key's F0 whose CQT bins the network stacks as input channels (default
   * KEY_HARMONICS). Sub-harmonics (¼, ⅓, ½) let a key see whether a lower note explains its energy.
   */
  readonly harmonics?: readonly number[];
  readonly states: StateCount;
  /** Conv channels: the first two convs, the third. */
  readonly channels: readonly [number, number];
  /** Acoustic feature units per frame ("keys": per key and frame). */
  readonly features: number;
  /** LSTM units ("keys": per key). */
  readonly hidden: number;
  /** Embedding size of a key's previous state ("ar"). */
  readonly embed: number;
  /**
   * Cross-entropy weight of each state (off, onset, sustain, offset, re-onset; the first `states`), a
   * change from the paper for short training: onsets are ≈ 0.2 % of a piece's frame–key cells, and
   * unweighted, 1000 steps left the model at the onset base rate. Decoding subtracts log(weight) from
   * each logit (the unweighted posterior's argmax) before the recipe's tuned onset bias.
   */
  readonly weights: readonly number[];
  /**
   * "keys" and "ar": a second head beside the autoregressive one, the paper's non-autoregressive classifier (an
   * LSTM per key with `frameHead` units on the key's acoustic features alone, a linear layer to `states` logits),
   * trained with the same loss. Decoding ends a sustained note where this head says the key no longer sounds
   * (tasks/transcribe.ts): the autoregressive head places onsets, the frame head says how long they last.
   */
  readonly frameHead?: number;
  /**
   * With a frame head: its loss does not train the shared convs (its input's gradient is stopped), so they
   * learn for the autoregressive head alone, and the frame head reads what they give.
   */
  readonly frameHeadDetached?: boolean;
}

export const PIANO_DEFAULT: PianoConfig = { kind: "ar", states: 5, channels: [8, 16], features: 256, hidden: 128, embed: 2, weights: [1, 20, 2, 5, 20] };

export type PianoParams = {
  conv: [Conv2dParams, Conv2dParams, Conv2dParams];
  bn: [BatchNormParams, BatchNormParams, BatchNormParams];
  fc: DenseParams;
  vel: DenseParams;
  lstm: LstmParams;
  /** [states, embed] ("ar" only). */
  embed?: JArray;
  out: DenseParams;
  /** PianoConfig.frameHead's LSTM and linear layer. */
  frameLstm?: LstmParams;
  frameOut?: DenseParams;
};
export type PianoStats = [BatchNormStats, BatchNormStats, BatchNormStats];

/** Mel bands left after the two poolings. */
export const pooledBins = (bins = PIANO_MELS): number => Math.floor(Math.floor(bins / 2) / 2);

/** Harmonics the key-aligned model stacks per key by default (sub-octave to the 5th). */
export const KEY_HARMONICS: readonly number[] = [0.5, 1, 2, 3, 4, 5];
/** A multiple of a key's F0 as a CQT bin shift (3 bins a semitone). */
const binShift = (h: number): number => Math.round(PIANO_CQT_BPO * Math.log2(h));
const KEY_BINS = 3 * KEYS;

export function initPiano(cfg: PianoConfig, seed: number): { params: PianoParams; stats: PianoStats } {
  const rng = new Rng(seed);
  const [c1, c2] = cfg.channels;
  const keys = keyAligned(cfg.front);
  // Conv [in, out] channels; the dense layers' widths: "keys" works per key (one velocity and `states` logits
  // per key, the key's own previous state embedded), "mel" per frame (88 of each, all keys' states embedded).
  const convs: [number, number][] = keys ? [[(cfg.harmonics ?? KEY_HARMONICS).length, c1], [c1, c2], [c2, c2]] : [[1, c1], [c1, c1], [c1, c2]];
  const keysPerRow = keys ? 1 : KEYS; // keys one row of the dense layers and the LSTM covers
  const bns = convs.map(([, o]) => initBatchNorm(o));
  const params: PianoParams = {
    conv: convs.map(([i, o]) => initConv2d(rng, i, o, 3)) as PianoParams["conv"],
    bn: bns.map((b) => b.params) as PianoParams["bn"],
    fc: initDense(rng, keys ? c2 : pooledBins() * c2, cfg.features),
    vel: initDense(rng, cfg.features, keysPerRow),
    lstm: initLstm(rng, cfg.features + (cfg.kind === "ar" ? keysPerRow * cfg.embed : 0), cfg.hidden),
    out: initDense(rng, cfg.hidden, keysPerRow * cfg.states),
  };
  if (cfg.kind === "ar") params.embed = np.array(Float32Array.from({ length: cfg.states * cfg.embed }, () => rng.normal())).reshape([cfg.states, cfg.embed]);
  if (cfg.frameHead) {
    if (!keys || cfg.kind !== "ar") throw new Error("a frame head is for the key-aligned autoregressive model");
    params.frameLstm = initLstm(rng, cfg.features, cfg.frameHead);
    params.frameOut = initDense(rng, cfg.frameHead, cfg.states);
  }
  return { params, stats: bns.map((b) => b.stats) as PianoStats };
}

/** Max over groups of `n` neighbouring bins (axis 2 of [B, T, F, C]); a last incomplete group is dropped. */
function poolFreq(x: JArray, n = 2): JArray {
  const [B, T, F, C] = x.shape;
  const groups = Math.floor(F / n);
  const whole = F === n * groups ? x : x.slice([], [], [0, n * groups]);
  return np.max(whole.reshape([B, T, groups, n, C]), 3);
}

/**
 * The key-aligned CQT [B, T, PIANO_CQT_BINS] (consumed) → [B, T, 3·88, harmonics]: channel h at bin j is CQT bin
 * j + shift(h) (zero outside the transform), so bins 3k…3k+2 of every channel look at key k's h-th harmonic.
 */
function stackHarmonics(x: JArray, harmonics: readonly number[]): JArray {
  const [B, T] = x.shape;
  const shifts = harmonics.map(binShift);
  const lo = Math.max(0, -Math.min(...shifts)), hi = Math.max(0, Math.max(...shifts) + KEY_BINS - PIANO_CQT_BINS);
  const xp = np.pad(x, [[0, 0], [0, 0], [lo, hi]]);
  const channels = shifts.map((s) => xp.ref.slice([], [], [lo + s, lo + s + KEY_BINS]).reshape([B, T, KEY_BINS, 1]));
  xp.dispose();
  return np.concatenate(channels, 3);
}

export interface AcousticOptions {
  /** Batch statistics (training, and `batchStatistics`) or `stats` (inference). */
  readonly train: boolean;
  /** The input and its model (PianoConfig.front; default "mel"). */
  readonly front?: PianoFront;
  /** "keys": PianoConfig.harmonics (default KEY_HARMONICS). */
  readonly harmonics?: readonly number[];
  readonly stats: PianoStats;
  readonly impl?: "lax" | "matmul";
  /** Of the returned statistics (1: the batch's own, what `batchStatistics` reads). */
  readonly momentum?: number;
}

/** A conv followed by an inference-mode batch norm (`batchNorm`'s default ε) as one conv; parameters borrowed. */
function foldBatchNorm(conv: Conv2dParams, bn: BatchNormParams, stats: BatchNormStats): Conv2dParams {
  const scale = np.reciprocal(np.sqrt(stats.var.ref.add(BATCH_NORM_EPS))).mul(bn.gamma.ref);
  const w = conv.w.ref.mul(scale.ref.reshape([conv.w.shape[0], 1, 1, 1]));
  return { w, b: conv.b.ref.sub(stats.mean.ref).mul(scale).add(bn.beta.ref) };
}

/**
 * Log-mel [B, T, 229] or the key-aligned CQT [B, T, 294] (consumed) → acoustic features [B, T, pianoWidths'
 * features] ("keys": 88 keys × features, key-major) and the batch statistics used.
 */
export function pianoAcoustic(p: PianoParams, x: JArray, o: AcousticOptions): { features: JArray; stats: PianoStats } {
  const [B, T] = x.shape;
  const keys = keyAligned(o.front);
  let h = keys ? stackHarmonics(x, o.harmonics ?? KEY_HARMONICS) : x.reshape([B, T, x.shape[2], 1]);
  const used: BatchNormStats[] = [];
  for (let i = 0; i < 3; i++) {
    let y: JArray;
    if (o.train) {
      const bn = batchNorm(p.bn[i], o.stats[i], conv2dNhwc(p.conv[i], h, { impl: o.impl }), { train: true, axis: -1, momentum: o.momentum });
      y = bn.y;
      used.push(bn.stats);
    } else {
      // Inference: the batch norm folded into the conv (w·s, (b − mean)·s + β with s = γ/√(var + ε)), the same
      // function to float rounding; the exported graph then has no per-element scale and shift after the conv.
      const folded = foldBatchNorm(p.conv[i], p.bn[i], o.stats[i]);
      y = conv2dNhwc(folded, h, { impl: o.impl });
      folded.w.dispose();
      folded.b.dispose();
      used.push({ mean: o.stats[i].mean.ref, var: o.stats[i].var.ref });
    }
    h = relu(y);
    if (keys ? i === 0 : i >= 1) h = poolFreq(h, keys ? 3 : 2);
  }
  if (keys) return { features: relu(dense(p.fc, h)).reshape([B, T, KEYS * p.fc.w.shape[1]]), stats: used as PianoStats };
  const [, , F, C] = h.shape;
  const features = relu(dense(p.fc, h.reshape([B, T, F * C])));
  return { features, stats: used as PianoStats };
}

/** Velocities in [0, 1] per frame and key from the acoustic features (borrowed): [B, T, 88]. */
export function pianoVelocity(p: PianoParams, features: JArray): JArray {
  const [B, T, F] = features.shape;
  if (p.vel.w.shape[1] === 1) return sigmoid(dense(p.vel, features.ref.reshape([B, T, KEYS, F / KEYS])).reshape([B, T, KEYS])); // per key
  return sigmoid(dense(p.vel, features.ref));
}

/** One-hot states [B, T, 88] (int32) → [B, T, 88·states] floats. */
export function oneHotStates(states: JArray, count: number): JArray {
  const [B, T] = states.shape;
  return jnn.oneHot(states, count).reshape([B, T, KEYS * count]);
}

/** The previous states [B, T, 88·states] (one-hot, consumed) embedded: [B, T, 88·embed]. */
function embedStates(p: PianoParams, cfg: PianoConfig, prev: JArray): JArray {
  const [B, T] = prev.shape;
  return np.matmul(prev.reshape([B, T, KEYS, cfg.states]), p.embed!.ref).reshape([B, T, KEYS * cfg.embed]);
}

/**
 * State logits [B, T, 88, states] over a whole sequence: "ar" with the
 * previous frames' states given (teacher forcing: one-hot [B, T, 88·states]),
 * "frame" with `prev` null. Consumes `features` and `prev`.
 */
export function pianoLogits(p: PianoParams, cfg: PianoConfig, features: JArray, prev: JArray | null): JArray {
  const [B, T] = features.shape;
  if (keyAligned(cfg.front)) {
    // One sequence per key (batch B·88), the key's features and its own previous state embedded.
    let input = features.reshape([B, T, KEYS, cfg.features]);
    if (cfg.kind === "ar") input = np.concatenate([input, embedStates(p, cfg, prev!).reshape([B, T, KEYS, cfg.embed])], 3);
    const D = input.shape[3];
    const seq = input.transpose([0, 2, 1, 3]).reshape([B * KEYS, T, D]);
    return dense(p.out, lstm(p.lstm, seq)).reshape([B, KEYS, T, cfg.states]).transpose([0, 2, 1, 3]);
  }
  const input = cfg.kind === "ar" ? np.concatenate([features, embedStates(p, cfg, prev!)], 2) : features;
  return dense(p.out, lstm(p.lstm, input)).reshape([B, T, KEYS, cfg.states]);
}

/** The frame head's state logits [B, T, 88, states] over a whole sequence (features borrowed). */
export function pianoFrameLogits(p: PianoParams, cfg: PianoConfig, features: JArray): JArray {
  const [B, T] = features.shape;
  const seq = features.ref.reshape([B, T, KEYS, cfg.features]).transpose([0, 2, 1, 3]).reshape([B * KEYS, T, cfg.features]);
  return dense(p.frameOut!, lstm(p.frameLstm!, seq)).reshape([B, KEYS, T, cfg.states]).transpose([0, 2, 1, 3]);
}

/**
 * One autoregressive step: the acoustic features of a frame [B, features],
 * the previous frame's states one-hot [B, 88·states] ("ar"; ignored by
 * "frame") and the LSTM state h, c [B, hidden] (all consumed) → the frame's
 * logits [B, 88·states] and the new h, c (with a frame head, h and c hold both LSTMs' states and its logits
 * [B, 88·states] come fourth). What the step model exports.
 */
export function pianoStep(p: PianoParams, cfg: PianoConfig, features: JArray, prev: JArray, h: JArray, c: JArray): [JArray, JArray, JArray, ...JArray[]] {
  const B = features.shape[0];
  if (keyAligned(cfg.front)) {
    // h, c [B, 88·hidden] are 88 per-key states side by side.
    const own = features.reshape([B * KEYS, cfg.features]);
    const H = cfg.hidden, FH = cfg.frameHead ?? 0;
    let input = own.ref;
    if (cfg.kind === "ar") input = np.concatenate([input, np.matmul(prev.reshape([B * KEYS, cfg.states]), p.embed!.ref)], 1);
    else prev.dispose();
    if (!FH) {
      own.dispose();
      const [h2, c2] = lstmStep(p.lstm, input, h.reshape([B * KEYS, H]), c.reshape([B * KEYS, H]));
      return [dense(p.out, h2.ref).reshape([B, KEYS * cfg.states]), h2.reshape([B, KEYS * H]), c2.reshape([B, KEYS * H])];
    }
    // Each key's state is [the autoregressive LSTM's H | the frame head's FH].
    const hk = h.reshape([B * KEYS, H + FH]), ck = c.reshape([B * KEYS, H + FH]);
    const [h2, c2] = lstmStep(p.lstm, input, hk.ref.slice([], [0, H]), ck.ref.slice([], [0, H]));
    const [fh2, fc2] = lstmStep(p.frameLstm!, own, hk.slice([], [H, H + FH]), ck.slice([], [H, H + FH]));
    return [
      dense(p.out, h2.ref).reshape([B, KEYS * cfg.states]), np.concatenate([h2, fh2.ref], 1).reshape([B, KEYS * (H + FH)]),
      np.concatenate([c2, fc2], 1).reshape([B, KEYS * (H + FH)]), dense(p.frameOut!, fh2).reshape([B, KEYS * cfg.states]),
    ];
  }
  let input = features;
  if (cfg.kind === "ar") input = np.concatenate([features, np.matmul(prev.reshape([B, KEYS, cfg.states]), p.embed!.ref).reshape([B, KEYS * cfg.embed])], 1);
  else prev.dispose();
  const [h2, c2] = lstmStep(p.lstm, input, h, c);
  return [dense(p.out, h2.ref), h2, c2];
}

/**
 * The training loss of a batch: x log-mel [B, T, 229]; states [B, T, 88]
 * (int32) and prev [B, T, 88] (int32, the states one frame earlier);
 * velocity targets [B, T, 88] in [0, 1] with mask [B, T, 88] (1 on onset
 * frames). Cross-entropy over the states (weighted by cfg.weights) plus
 * the masked velocity MSE. The state cross-entropy is weighted by `cfg.weights`.
 */
export function pianoLoss(cfg: PianoConfig, stats: PianoStats) {
  return (p: PianoParams, x: JArray, states: JArray, prev: JArray, vel: JArray, mask: JArray): JArray => {
    const { features } = pianoAcoustic(p, x, { train: true, stats, front: cfg.front, harmonics: cfg.harmonics });
    const v = pianoVelocity(p, features);
    let frameLogits: JArray | null = null;
    if (cfg.frameHead) {
      const input = cfg.frameHeadDetached ? lax.stopGradient(features.ref) : features;
      frameLogits = pianoFrameLogits(p, cfg, input);
      if (cfg.frameHeadDetached) input.dispose();
    }
    const logits = pianoLogits(p, cfg, features, cfg.kind === "ar" ? oneHotStates(prev, cfg.states) : (prev.dispose(), null));
    // Weighted cross-entropy: Σ w_y·(−log p_y) / Σ w_y over frames and keys (the frame head's the same, added).
    const w = np.array(Float32Array.from(cfg.weights.slice(0, cfg.states)));
    const target = jnn.oneHot(states, cfg.states);
    const cellWeight = target.ref.mul(w).sum(-1);
    const total = cellWeight.ref.sum();
    let logp = jnn.logSoftmax(logits, -1);
    if (frameLogits) logp = logp.add(jnn.logSoftmax(frameLogits, -1));
    const ce = logp.mul(target).sum(-1).mul(cellWeight).sum().div(total).neg();
    const sq = np.square(v.sub(vel)).mul(mask.ref);
    const velLoss = sq.sum().div(mask.sum().add(1));
    return ce.add(velLoss);
  };
}

/** The acoustic graph as exported: the input [B, T, bins] → [features, velocity], batch norm with `stats`, lax convs. */
export function pianoAcousticGraph(stats: PianoStats, front: PianoFront = "mel", harmonics?: readonly number[]) {
  return (p: PianoParams, x: JArray): JArray[] => {
    const { features } = pianoAcoustic(p, x, { train: false, stats, impl: "lax", front, harmonics });
    return [features.ref, pianoVelocity(p, features)];
  };
}

/** The step graph as exported: (features, previous states one-hot, h, c) → [logits, h, c] (and the frame head's logits). */
export function pianoStepGraph(cfg: PianoConfig) {
  return (p: PianoParams, features: JArray, prev: JArray, h: JArray, c: JArray): JArray[] => pianoStep(p, cfg, features, prev, h, c);
}
