/**
 * More layers over parameter trees: normalisation (batch norm with train and
 * eval modes, layer norm), FiLM conditioning, dropout with an explicit mask,
 * attention pooling, 1-D convolution, transposed 2-D convolution, and GRU /
 * LSTM (unidirectional or bidirectional).
 *
 * Same ownership rules as layers.ts: activations are consumed, parameters
 * borrowed. Recurrent layers unroll their loop at trace time inside a named
 * nested `jit` (`RECURRENT_CORES`): training sees the unrolled steps, and the
 * ONNX exporter, recognising the name, writes one ONNX GRU/LSTM node instead,
 * so the exported model runs at any sequence length and batch size.
 */
import { jit, lax, nn as jnn, numpy as np, type Array as JArray } from "@jax-js/jax";
import { InvalidInputError } from "../errors.js";
import { conv2d, sigmoid, type Conv2dOptions, type Conv2dParams, Rng } from "./layers.js";

function normal(rng: Rng, shape: number[], std: number): JArray {
  return np.array(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * std)).reshape(shape);
}

// ---------------------------------------------------------------- normalisation

export type BatchNormParams = { gamma: JArray; beta: JArray };
export type BatchNormStats = { mean: JArray; var: JArray };

export function initBatchNorm(channels: number): { params: BatchNormParams; stats: BatchNormStats } {
  return { params: { gamma: np.ones([channels]), beta: np.zeros([channels]) }, stats: { mean: np.zeros([channels]), var: np.ones([channels]) } };
}

const channelShape = (x: JArray, axis: number) => x.shape.map((d, i) => (i === axis ? d : 1));

/** Batch normalisation's default ε (PyTorch's). */
export const BATCH_NORM_EPS = 1e-5;

/**
 * Batch normalisation over the channel axis (1, or `axis`: −1 for channels last). Train mode normalises with the
 * batch statistics and returns updated running statistics (momentum 0.1, as
 * PyTorch); eval mode uses the running statistics.
 */
export function batchNorm(
  p: BatchNormParams, stats: BatchNormStats, x: JArray, options: { readonly train: boolean; readonly eps?: number; readonly momentum?: number; readonly axis?: number },
): { y: JArray; stats: BatchNormStats } {
  const eps = options.eps ?? BATCH_NORM_EPS, mom = options.momentum ?? 0.1;
  const axis = options.axis === undefined ? 1 : (options.axis + x.ndim) % x.ndim;
  const shape = channelShape(x, axis);
  const axes = x.shape.map((_, i) => i).filter((i) => i !== axis);
  let mean: JArray, variance: JArray, next: BatchNormStats;
  if (options.train) {
    mean = x.ref.mean(axes);
    variance = np.var_(x.ref, axes);
    const n = x.shape.reduce((a, b) => a * b, 1) / x.shape[axis];
    next = {
      mean: stats.mean.ref.mul(1 - mom).add(lax.stopGradient(mean.ref).mul(mom)),
      var: stats.var.ref.mul(1 - mom).add(lax.stopGradient(variance.ref).mul((mom * n) / Math.max(1, n - 1))),
    };
  } else {
    mean = stats.mean.ref;
    variance = stats.var.ref;
    next = { mean: stats.mean.ref, var: stats.var.ref };
  }
  const y = x.sub(mean.reshape(shape)).mul(np.reciprocal(np.sqrt(variance.add(eps))).reshape(shape)).mul(p.gamma.ref.reshape(shape)).add(p.beta.ref.reshape(shape));
  return { y, stats: next };
}

export type LayerNormParams = { gamma: JArray; beta: JArray };

export function initLayerNorm(features: number): LayerNormParams {
  return { gamma: np.ones([features]), beta: np.zeros([features]) };
}

/** Layer normalisation over the last axis. */
export function layerNorm(p: LayerNormParams, x: JArray, eps = 1e-5): JArray {
  const mean = x.ref.mean(-1, { keepdims: true });
  const centred = x.sub(mean);
  const variance = np.square(centred.ref).mean(-1, { keepdims: true });
  return centred.mul(np.reciprocal(np.sqrt(variance.add(eps)))).mul(p.gamma.ref).add(p.beta.ref);
}

// ---------------------------------------------------------------- conditioning

/**
 * FiLM (Perez et al. 2018): y = γ ⊙ x + β. `gamma`/`beta` are [B, C] (one pair
 * per channel for the whole patch: "weak" conditioning) or [B, C, T] (one per
 * time frame: "strong" conditioning), broadcast over x [B, C, F, T].
 */
export function film(x: JArray, gamma: JArray, beta: JArray): JArray {
  const [B, C] = x.shape;
  const shape = gamma.ndim === 2 ? [B, C, 1, 1] : gamma.ndim === 3 ? [B, C, 1, gamma.shape[2]] : null;
  if (shape === null) throw new InvalidInputError(`film: gamma must be [batch, channels] or [batch, channels, time], got [${gamma.shape.join(", ")}]`);
  return x.mul(gamma.reshape(shape)).add(beta.reshape(shape));
}

/** Inverted dropout with an explicit mask (from a seeded Rng, so training is reproducible). */
export function dropoutMask(rng: Rng, shape: number[], rate: number): JArray {
  const keep = 1 - rate;
  return np.array(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng.uniform() < keep ? 1 / keep : 0))).reshape(shape);
}

export function dropout(x: JArray, mask: JArray | null): JArray {
  return mask === null ? x : x.mul(mask);
}

export type AttentionPoolParams = { w: JArray; v: JArray };

export function initAttentionPool(rng: Rng, features: number, hidden: number): AttentionPoolParams {
  return { w: normal(rng, [features, hidden], Math.sqrt(1 / features)), v: normal(rng, [hidden, 1], Math.sqrt(1 / hidden)) };
}

/** Attention pooling over time: x [B, T, D] → Σ_t softmax_t(vᵀ tanh(W x_t)) x_t, [B, D]. */
export function attentionPool(p: AttentionPoolParams, x: JArray): JArray {
  const scores = np.matmul(np.tanh(np.matmul(x.ref, p.w.ref)), p.v.ref); // [B, T, 1]
  const a = jnn.softmax(scores, 1);
  return x.mul(a).sum(1);
}

// ---------------------------------------------------------------- convolutions

/** 1-D convolution over the last axis: x [B, C, T], weights [O, C, k]. */
export function conv1d(p: Conv2dParams, x: JArray, options: Omit<Conv2dOptions, "dilation"> & { readonly dilation?: number } = {}): JArray {
  const [B, C, T] = x.shape;
  const [O, I, k] = p.w.shape;
  const y = conv2d({ w: p.w.ref.reshape([O, I, 1, k]), b: p.b.ref }, x.reshape([B, C, 1, T]), { ...options, dilation: [1, options.dilation ?? 1] });
  return y.reshape([B, O, y.shape[3]]);
}

/**
 * Transposed 2-D convolution (upsampling by `stride`), weights [I, O, kh, kw]
 * as in PyTorch's ConvTranspose2d; output size (H − 1)·s + k. Exported to ONNX
 * as zero insertion followed by a Conv.
 */
export function convTranspose2d(p: Conv2dParams, x: JArray, stride: readonly [number, number]): JArray {
  const [, O, kh, kw] = p.w.shape;
  // Equivalent direct convolution: dilate the input by the stride, pad by k − 1, and convolve with the flipped,
  // in/out-swapped kernel.
  const w = np.flip(p.w.ref, [2, 3]).transpose([1, 0, 2, 3]);
  return lax.convGeneralDilated(x, w, [1, 1], [[kh - 1, kh - 1], [kw - 1, kw - 1]], { lhsDilation: [...stride] }).add(p.b.ref.reshape([1, O, 1, 1]));
}

// ---------------------------------------------------------------- recurrent layers

export type GruParams = { wx: JArray; wh: JArray; b: JArray };
export type LstmParams = { wx: JArray; wh: JArray; b: JArray };

/** Gates stacked [reset, update, candidate] (GRU) or [input, forget, cell, output] (LSTM) along the last axis. */
export function initGru(rng: Rng, inDim: number, hidden: number): GruParams {
  const s = Math.sqrt(1 / hidden);
  return { wx: normal(rng, [inDim, 3 * hidden], s), wh: normal(rng, [hidden, 3 * hidden], s), b: np.zeros([3 * hidden]) };
}

export function initLstm(rng: Rng, inDim: number, hidden: number): LstmParams {
  const s = Math.sqrt(1 / hidden);
  // Forget-gate bias 1 (Jozefowicz et al. 2015).
  const b = new Float32Array(4 * hidden);
  b.fill(1, hidden, 2 * hidden);
  return { wx: normal(rng, [inDim, 4 * hidden], s), wh: normal(rng, [hidden, 4 * hidden], s), b: np.array(b) };
}

/**
 * The time steps of x [B, T, D] (consumed), in the order the recurrence visits them. (T slices would each take a
 * gradient the size of x: O(T²) memory and time in training.)
 */
function steps(x: JArray, reverse: boolean): JArray[] {
  const [B, , D] = x.shape;
  const out: JArray[] = [];
  // Halves, then halves of halves, …: the gradient is the same pairwise concatenation as stackTime's (one split
  // into T pieces has a T-piece concatenation for its gradient, O(T²) in jax-js).
  const halve = (a: JArray): void => {
    const n = a.shape[1];
    if (n === 1) { out.push(a.reshape([B, D])); return; }
    const [lo, hi] = np.split(a, [n >> 1], 1);
    halve(lo);
    halve(hi);
  };
  halve(x);
  return reverse ? out.reverse() : out;
}

/**
 * The per-step outputs [B, H] (consumed) as [B, T, H]: concatenated in pairs, then pairs of pairs, … (np.stack
 * of T pieces costs O(T²) in jax-js — each piece is padded to the whole — and this O(T log T): at T = 384,
 * 1000 ms against 100–200).
 */
function stackTime(outs: JArray[]): JArray {
  let parts = outs.map((o) => o.reshape([o.shape[0], 1, o.shape[1]]));
  while (parts.length > 1) {
    const next: JArray[] = [];
    for (let i = 0; i < parts.length; i += 2) next.push(i + 1 < parts.length ? np.concatenate([parts[i], parts[i + 1]], 1) : parts[i]);
    parts = next;
  }
  return parts[0];
}

/** GRU steps over x [B, T, D] with wx [D, 3H], wh [H, 3H], b [3H] (all consumed) → [B, T, H]. */
function gruSteps(wx: JArray, wh: JArray, b: JArray, x: JArray, reverse: boolean): JArray {
  const H = wh.shape[0], B = x.shape[0];
  const xs = np.matmul(x, wx).add(b); // [B, T, 3H]: input contributions for every step at once
  let h = np.zeros([B, H]);
  const outs: JArray[] = [];
  for (const xt of steps(xs, reverse)) {
    const hh = np.matmul(h.ref, wh.ref); // [B, 3H]
    const r = sigmoid(xt.ref.slice([], [0, H]).add(hh.ref.slice([], [0, H])));
    const z = sigmoid(xt.ref.slice([], [H, 2 * H]).add(hh.ref.slice([], [H, 2 * H])));
    const n = np.tanh(xt.slice([], [2 * H, 3 * H]).add(r.mul(hh.slice([], [2 * H, 3 * H]))));
    h = z.ref.mul(h).add(z.neg().add(1).mul(n));
    outs.push(h.ref);
  }
  h.dispose();
  wh.dispose();
  if (reverse) outs.reverse();
  return stackTime(outs);
}

/**
 * One LSTM step from the input's gate contributions xg [B, 4H] (x·Wx + b),
 * the state h, c [B, H] and wh [H, 4H] (all consumed): the new h and c.
 * Gates [input, forget, cell, output].
 */
function lstmGates(xg: JArray, h: JArray, c: JArray, wh: JArray): [JArray, JArray] {
  const H = wh.shape[0];
  const g = xg.add(np.matmul(h, wh));
  const i = sigmoid(g.ref.slice([], [0, H])), f = sigmoid(g.ref.slice([], [H, 2 * H]));
  const u = np.tanh(g.ref.slice([], [2 * H, 3 * H])), o = sigmoid(g.slice([], [3 * H, 4 * H]));
  const c2 = f.mul(c).add(i.mul(u));
  return [o.mul(np.tanh(c2.ref)), c2];
}

/**
 * One step of `lstm` (same parameters) from an explicit state: x [B, D],
 * h and c [B, H] (consumed) → the new [h, c]. What a step-by-step
 * (autoregressive) model exports, since the ONNX LSTM node of `lstm` starts
 * from a zero state.
 */
export function lstmStep(p: LstmParams, x: JArray, h: JArray, c: JArray): [JArray, JArray] {
  return lstmGates(np.matmul(x, p.wx.ref).add(p.b.ref), h, c, p.wh.ref);
}

/** LSTM steps, as gruSteps with gates [input, forget, cell, output]. */
function lstmSteps(wx: JArray, wh: JArray, b: JArray, x: JArray, reverse: boolean): JArray {
  const H = wh.shape[0], B = x.shape[0];
  const xs = np.matmul(x, wx).add(b);
  let h = np.zeros([B, H]), c = np.zeros([B, H]);
  const outs: JArray[] = [];
  for (const xt of steps(xs, reverse)) {
    [h, c] = lstmGates(xt, h, c, wh.ref);
    outs.push(h.ref);
  }
  h.dispose();
  c.dispose();
  wh.dispose();
  if (reverse) outs.reverse();
  return stackTime(outs);
}

export interface RecurrentCore {
  readonly cell: "gru" | "lstm";
  readonly reverse: boolean;
}

/**
 * The recurrent cores by the name their nested `jit` carries in a trace,
 * each taking (wx, wh, b, x): what the ONNX exporter maps to one ONNX
 * GRU / LSTM node.
 */
export const RECURRENT_CORES: Readonly<Record<string, RecurrentCore>> = {
  mirkit_gru: { cell: "gru", reverse: false },
  mirkit_gru_reverse: { cell: "gru", reverse: true },
  mirkit_lstm: { cell: "lstm", reverse: false },
  mirkit_lstm_reverse: { cell: "lstm", reverse: true },
};

type Core = (wx: JArray, wh: JArray, b: JArray, x: JArray) => JArray;
const STEPS = { gru: gruSteps, lstm: lstmSteps };
/** Each core as a jit named after it (jax-js names a nested jit's equation after its function). */
const cores = new Map(Object.entries(RECURRENT_CORES).map(([name, { cell, reverse }]) => {
  const f: Core = (wx, wh, b, x) => STEPS[cell](wx, wh, b, x, reverse);
  Object.defineProperty(f, "name", { value: name });
  return [`${cell}:${reverse}`, jit(f)] as const;
}));

/** GRU over x [B, T, D] → [B, T, H]. */
export function gru(p: GruParams, x: JArray, options: { readonly reverse?: boolean } = {}): JArray {
  return cores.get(`gru:${options.reverse === true}`)!(p.wx.ref, p.wh.ref, p.b.ref, x);
}

/** LSTM over x [B, T, D] → [B, T, H]. */
export function lstm(p: LstmParams, x: JArray, options: { readonly reverse?: boolean } = {}): JArray {
  return cores.get(`lstm:${options.reverse === true}`)!(p.wx.ref, p.wh.ref, p.b.ref, x);
}

/** A bidirectional recurrent layer: forward and backward outputs concatenated, [B, T, 2H]. */
export function bidirectional<P>(cell: (p: P, x: JArray, o: { reverse?: boolean }) => JArray, fwd: P, bwd: P, x: JArray): JArray {
  return np.concatenate([cell(fwd, x.ref, {}), cell(bwd, x, { reverse: true })], 2);
}
