/**
 * Layers as pure functions over parameter trees (jax-js arrays), with
 * initialisers that draw from our seeded generator, so a model starts from
 * the same weights for the same seed on every machine.
 *
 * Ownership (jax-js reference counting): layer functions consume their
 * input activation and only borrow parameters (they take `.ref`s), so a
 * parameter tree can be used for many calls.
 *
 * Convolution has two implementations with one parameter layout
 * (weights O × I × kh × kw, like ONNX and lax.conv):
 * - "lax": jax-js's `lax.convGeneralDilated` (exports to one ONNX Conv);
 * - "matmul": a sum of kh·kw matmuls, one per kernel tap, over shifted
 *   channels-last views of the padded input (shiftedTaps), which trains
 *   ≈ 30× faster than lax.conv on jax-js's wasm backend (see bench/nn.ts).
 * Train with "matmul", export with "lax"; both compute the same function.
 */
import { lax, nn as jnn, numpy as np, type Array as JArray } from "@jax-js/jax";
import { InvalidInputError } from "../errors.js";

export { Rng } from "../random.js";
import { Rng } from "../random.js";

function normalArray(rng: Rng, shape: number[], std: number): JArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return np.array(Float32Array.from({ length: n }, () => rng.normal() * std)).reshape(shape);
}

export type DenseParams = { w: JArray; b: JArray };
export type Conv2dParams = { w: JArray; b: JArray };

/** He (Kaiming) normal initialisation for ReLU networks: std = √(2 / fan_in). */
export function initDense(rng: Rng, inDim: number, outDim: number): DenseParams {
  return { w: normalArray(rng, [inDim, outDim], Math.sqrt(2 / inDim)), b: np.zeros([outDim]) };
}

export function initConv2d(rng: Rng, inChannels: number, outChannels: number, kh: number, kw = kh): Conv2dParams {
  return { w: normalArray(rng, [outChannels, inChannels, kh, kw], Math.sqrt(2 / (inChannels * kh * kw))), b: np.zeros([outChannels]) };
}

/** y = x·W + b over the last axis. */
export function dense(p: DenseParams, x: JArray): JArray {
  return np.matmul(x, p.w.ref).add(p.b.ref);
}

export interface Conv2dOptions {
  /** "same" keeps the spatial size at stride 1 (odd kernels), ⌈size/stride⌉ otherwise; "valid" uses no padding. */
  readonly padding?: "same" | "valid";
  readonly stride?: readonly [number, number];
  readonly dilation?: readonly [number, number];
  /** Channel groups (weights O × I/groups × kh × kw); groups = I is a depthwise convolution. */
  readonly groups?: number;
  readonly impl?: "lax" | "matmul";
}

/** Padding (low, high) along one axis for "same": output ⌈n/s⌉, as TensorFlow/JAX define it. */
function samePad(n: number, k: number, s: number, d: number): [number, number] {
  const eff = d * (k - 1) + 1;
  const out = Math.ceil(n / s);
  const total = Math.max(0, (out - 1) * s + eff - n);
  return [total >> 1, total - (total >> 1)];
}

/** Input channel count at which exported convolutions are padded (see conv2d's "lax" path). */
const WEBGPU_BAD_CHANNELS = 6;

/** 2-D convolution, NCHW input, with bias. */
export function conv2d(p: Conv2dParams, x: JArray, options: Conv2dOptions = {}): JArray {
  const groups = options.groups ?? 1;
  if (groups > 1) {
    // Split channels and weights into groups, convolve each, concatenate.
    const [O, Ig] = p.w.shape;
    const I = x.shape[1];
    if (I !== Ig * groups || O % groups !== 0) throw new InvalidInputError(`conv2d: ${groups} groups need input channels ${Ig * groups} (got ${I}) and output channels divisible by ${groups} (got ${O})`);
    const og = O / groups;
    const outs: JArray[] = [];
    for (let g = 0; g < groups; g++) {
      const pg = { w: p.w.ref.slice([g * og, (g + 1) * og]), b: p.b.ref.slice([g * og, (g + 1) * og]) };
      outs.push(conv2d(pg, x.ref.slice([], [g * Ig, (g + 1) * Ig]), { ...options, groups: 1 }));
      pg.w.dispose();
      pg.b.dispose();
    }
    x.dispose();
    return np.concatenate(outs, 1);
  }
  const [O, I, kh, kw] = p.w.shape;
  if (x.ndim !== 4 || x.shape[1] !== I) throw new InvalidInputError(`conv2d: input must be [batch, ${I}, height, width], got [${x.shape.join(", ")}]`);
  const [dh, dw] = options.dilation ?? [1, 1];
  const [sh, sw] = options.stride ?? [1, 1];
  const same = (options.padding ?? "same") === "same";
  const [, , H, W] = x.shape;
  const padH = same ? samePad(H, kh, sh, dh) : [0, 0] as [number, number];
  const padW = same ? samePad(W, kw, sw, dw) : [0, 0] as [number, number];
  if ((options.impl ?? "matmul") === "lax") {
    if (I === WEBGPU_BAD_CHANNELS) {
      // The exported Conv gets 8 input channels (zeros, with zero weights): ONNX Runtime 1.30's WebGPU Conv computes
      // 6-input-channel convolutions wrongly (measured: 3×3 and 5×5 kernels, 16 outputs, error 2.3–2.5, where 1, 2, 3,
      // 5, 7, 8 and 12 channels agree with its CPU to 3e-6). The result is the same convolution on every backend.
      const xp = np.pad(x, [[0, 0], [0, 2], [0, 0], [0, 0]]), wp = np.pad(p.w.ref, [[0, 0], [0, 2], [0, 0], [0, 0]]);
      return lax.convGeneralDilated(xp, wp, [sh, sw], [padH, padW], { rhsDilation: [dh, dw] }).add(p.b.ref.reshape([1, O, 1, 1]));
    }
    return lax.convGeneralDilated(x, p.w.ref, [sh, sw], [padH, padW], { rhsDilation: [dh, dw] }).add(p.b.ref.reshape([1, O, 1, 1]));
  }
  // The matmul lowering runs channels last (see shiftedTaps), between two transposes.
  const y = shiftedTaps(x.transpose([0, 2, 3, 1]), p, { stride: [sh, sw], dilation: [dh, dw], padH, padW });
  return y.transpose([0, 3, 1, 2]);
}

/**
 * Convolution of a channels-last x [B, H, W, I] as a sum of matmuls, one per
 * kernel tap: each tap's (strided, dilated) view of the padded input times
 * that tap's I × O weights, plus the bias. Channels last is the axis
 * jax-js's dot reduces over, so every view is read contiguously, and no
 * patch tensor is built: jax-js builds a concatenation element by element,
 * summing one padded view per source, so im2col's patches (the views
 * concatenated along channels) cost 8× the matmul itself. The kernel is
 * first laid out tap-major, [kh·kw, I, O]: a tap sliced straight from
 * O × I × kh × kw is strided, and jax-js's matmul then runs 10–20× slower.
 * A TFC block's training step is ≈ 4× faster than with im2col (bench/nn.ts).
 */
function shiftedTaps(x: JArray, p: Conv2dParams, o: { stride: readonly [number, number]; dilation: readonly [number, number]; padH: readonly [number, number]; padW: readonly [number, number] }): JArray {
  const [O, I, kh, kw] = p.w.shape;
  const [B, H, W] = x.shape;
  const [sh, sw] = o.stride, [dh, dw] = o.dilation;
  const Hp = H + o.padH[0] + o.padH[1], Wp = W + o.padW[0] + o.padW[1];
  const Ho = Math.floor((Hp - dh * (kh - 1) - 1) / sh) + 1, Wo = Math.floor((Wp - dw * (kw - 1) - 1) / sw) + 1;
  // Room so that every strided view can be taken as a contiguous slice of length stride·out, then decimated.
  const extraH = Math.max(0, (kh - 1) * dh + sh * Ho - Hp), extraW = Math.max(0, (kw - 1) * dw + sw * Wo - Wp);
  const xp = np.pad(x, [[0, 0], [o.padH[0], o.padH[1] + extraH], [o.padW[0], o.padW[1] + extraW], [0, 0]]);
  const taps = p.w.ref.transpose([2, 3, 1, 0]).reshape([kh * kw, I, O]);
  let y = p.b.ref;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      let v = xp.ref.slice([], [i * dh, i * dh + sh * Ho], [j * dw, j * dw + sw * Wo], []);
      if (sh > 1 || sw > 1) v = v.reshape([B, Ho, sh, Wo, sw, I]).slice([], [], 0, [], 0, []);
      y = np.matmul(v, taps.ref.slice(i * kw + j)).add(y);
    }
  }
  xp.dispose();
  taps.dispose();
  return y;
}

export const relu = jnn.relu;

/**
 * Logistic sigmoid as ½ + ½·tanh(x/2). jax-js 0.1.25's nn.sigmoid is
 * 1/(1 + e^{−x}), whose gradient is NaN once e^{−x} overflows (x ≲ −89:
 * 0 · ∞ in the reciprocal's chain rule), which made a GRU over 256 steps
 * diverge at step 11; jax-js's tanh works from e^{−2|x|} and stays finite.
 */
export function sigmoid(x: JArray): JArray {
  return np.tanh(x.mul(0.5)).mul(0.5).add(0.5);
}

/** Number of scalars in a parameter tree. */
export function parameterCount(tree: unknown): number {
  if (tree === null || tree === undefined) return 0;
  if (typeof tree === "object" && "shape" in (tree as object) && Array.isArray((tree as JArray).shape)) return (tree as JArray).shape.reduce((a: number, b: number) => a * b, 1);
  if (Array.isArray(tree)) return tree.reduce((s: number, t) => s + parameterCount(t), 0);
  if (typeof tree === "object") return Object.values(tree as object).reduce((s: number, t) => s + parameterCount(t), 0);
  return 0;
}

/** The arrays of a parameter tree with dotted names ("c1.w"), in key order. */
export function namedLeaves(tree: unknown, prefix = ""): [string, JArray][] {
  if (tree !== null && typeof tree === "object" && "shape" in (tree as object) && Array.isArray((tree as JArray).shape)) return [[prefix, tree as JArray]];
  if (Array.isArray(tree)) return tree.flatMap((t, i) => namedLeaves(t, prefix ? `${prefix}.${i}` : String(i)));
  if (tree !== null && typeof tree === "object") return Object.entries(tree).flatMap(([k, t]) => namedLeaves(t, prefix ? `${prefix}.${k}` : k));
  return [];
}

/**
 * Channels-last 2-D convolution: x [B, H, W, C], same weights layout as
 * conv2d (O × I × kh × kw), stride 1, "same" padding; the matmul lowering
 * is conv2d's without its two transposes. The "lax" implementation
 * transposes around lax.conv, so the export is one ONNX Conv between two
 * Transposes.
 */
export function conv2dNhwc(p: Conv2dParams, x: JArray, options: { readonly dilation?: readonly [number, number]; readonly impl?: "lax" | "matmul" } = {}): JArray {
  const [, I, kh, kw] = p.w.shape;
  if (x.ndim !== 4 || x.shape[3] !== I) throw new InvalidInputError(`conv2dNhwc: input must be [batch, height, width, ${I}], got [${x.shape.join(", ")}]`);
  const [dh, dw] = options.dilation ?? [1, 1];
  if ((options.impl ?? "matmul") === "lax") {
    return conv2d(p, x.transpose([0, 3, 1, 2]), { impl: "lax", dilation: [dh, dw] }).transpose([0, 2, 3, 1]);
  }
  const [, H, W] = x.shape;
  return shiftedTaps(x, p, { stride: [1, 1], dilation: [dh, dw], padH: samePad(H, kh, 1, dh), padW: samePad(W, kw, 1, dw) });
}
