/**
 * Spectrogram U-Nets for singing-voice separation with intermediate blocks,
 * after Choi et al., ISMIR 2020 ("Investigating U-Nets with various
 * intermediate blocks for spectrogram-based singing voice separation").
 *
 * Input: the complex STFT of a stereo mixture as 4 channels (re L, im L,
 * re R, im R) with the DC bin dropped, [B, 4, F, T]. Output: a real mask per
 * channel pair in [0, 1] ([B, 2, F, T], one per audio channel), applied to
 * the mixture's complex STFT. A mask rather than a direct complex mapping:
 * bounded outputs train faster and more stably on the small synthetic sets a
 * 2-core machine can make, and accompaniment = mixture − vocals stays exact.
 *
 * Architecture: a first 1×1 conv to `channels`, then `depth` levels of
 * [block → strided 2×2 conv (downsample)], a middle block, and `depth` levels
 * of [transposed 2×2 conv (upsample) → concat skip → block], a last 1×1 conv
 * and a sigmoid. The block at every level is one of:
 * - "tfc": densely connected 3×3 convs (growth rate k, L layers), then 1×1 to c;
 * - "tdf": per-frame fully connected layers over frequency with a bottleneck
 *   of max(F/16, 16) bins (dense F → F/bn → F), with batch-free ReLU;
 * - "tfc-tdf": y = TFC(x); y + TDF(y);
 * - "tdc": densely connected 1-D convs along frequency (kernel 3);
 * - "tfc-rnn": y = TFC(x); y + per-frame GRU over frequency (hidden F/16) projected back.
 * Parameters keep one layout across training ("matmul" convs) and export ("lax").
 */
import { numpy as np, nn as jnn, type Array as JArray } from "@jax-js/jax";
import { InvalidInputError } from "../../errors.js";
import { convTranspose2d, gru, initGru, type GruParams } from "../../nn/blocks.js";
import { conv2d, initConv2d, initDense, relu, Rng, type Conv2dParams, type DenseParams } from "../../nn/layers.js";
import { exportOnnx } from "../../nn/onnx/export.js";

export type BlockKind = "tfc" | "tdf" | "tfc-tdf" | "tdc" | "tfc-rnn";

export interface UNetConfig {
  readonly block: BlockKind;
  /** Frequency bins of the input (after dropping DC); must be divisible by 2^depth. */
  readonly bins: number;
  readonly channels: number;
  readonly depth: number;
  /** Dense layers per TFC/TDC block and their growth rate. */
  readonly layers: number;
  readonly growth: number;
}

type TfcParams = { convs: Conv2dParams[]; out: Conv2dParams };
type TdfParams = { a: DenseParams; b: DenseParams };
type RnnParams = { gru: GruParams; proj: DenseParams };
export type BlockParams = { tfc?: TfcParams; tdf?: TdfParams; tdc?: TfcParams; rnn?: RnnParams };
export type UNetParams = {
  first: Conv2dParams;
  down: { block: BlockParams; pool: Conv2dParams }[];
  middle: BlockParams;
  up: { unpool: Conv2dParams; block: BlockParams }[];
  last: Conv2dParams;
};

const bottleneck = (bins: number) => Math.max(16, Math.floor(bins / 16));

function initBlock(rng: Rng, cfg: UNetConfig, inC: number, bins: number): BlockParams {
  const p: BlockParams = {};
  const dense = (kh: number, kw: number): TfcParams => {
    const convs: Conv2dParams[] = [];
    for (let l = 0; l < cfg.layers; l++) convs.push(initConv2d(rng, inC + l * cfg.growth, cfg.growth, kh, kw));
    return { convs, out: initConv2d(rng, inC + cfg.layers * cfg.growth, cfg.channels, 1, 1) };
  };
  if (cfg.block === "tfc" || cfg.block === "tfc-tdf" || cfg.block === "tfc-rnn") p.tfc = dense(3, 3);
  if (cfg.block === "tdc") p.tdc = dense(3, 1);
  if (cfg.block === "tdf" || cfg.block === "tfc-tdf") {
    const bn = bottleneck(bins);
    p.tdf = { a: initDense(rng, bins, bn), b: initDense(rng, bn, bins) };
  }
  if (cfg.block === "tdf" && inC !== cfg.channels) p.tfc = { convs: [], out: initConv2d(rng, inC, cfg.channels, 1, 1) };
  if (cfg.block === "tfc-rnn") {
    const h = bottleneck(bins);
    p.rnn = { gru: initGru(rng, cfg.channels, h), proj: initDense(rng, h, cfg.channels) };
  }
  return p;
}

export function initUNet(cfg: UNetConfig, seed: number): UNetParams {
  if (cfg.bins % 2 ** cfg.depth !== 0) throw new InvalidInputError(`U-Net: ${cfg.bins} bins are not divisible by 2^${cfg.depth}`);
  const rng = new Rng(seed);
  const c = cfg.channels;
  const down: UNetParams["down"] = [];
  const up: UNetParams["up"] = [];
  let bins = cfg.bins;
  for (let d = 0; d < cfg.depth; d++) {
    down.push({ block: initBlock(rng, cfg, c, bins), pool: initConv2d(rng, c, c, 2, 2) });
    bins /= 2;
  }
  const middle = initBlock(rng, cfg, c, bins);
  for (let d = 0; d < cfg.depth; d++) {
    bins *= 2;
    // Transposed conv weights are [in, out, kh, kw].
    up.push({ unpool: initConv2d(rng, c, c, 2, 2), block: initBlock(rng, cfg, 2 * c, bins) });
  }
  return { first: initConv2d(rng, 4, c, 1, 1), down, middle, up, last: initConv2d(rng, c, 2, 1, 1) };
}

type Impl = "lax" | "matmul";

/** A unit activation's way through `UNetHooks.tap` (`name` names the unit group, `axis` its unit axis). */
type Tap = (name: string, h: JArray, axis: number) => JArray;
const noTap: Tap = (_name, h) => h;

/** Densely connected convs: each layer sees the concatenation of the input and all earlier outputs. */
function denseConvs(p: TfcParams, x: JArray, impl: Impl, name = "", tap = noTap): JArray {
  let h = x;
  for (const [l, conv] of p.convs.entries()) h = np.concatenate([h.ref, tap(`${name}.convs.${l}`, relu(conv2d(conv, h, { impl })), 1)], 1);
  return relu(conv2d(p.out, h, { impl }));
}

/** Per-frame dense layers over frequency: x [B, C, F, T] → transpose so F is last. */
function tdf(p: TdfParams, x: JArray, name = "", tap = noTap): JArray {
  const t = x.transpose([0, 1, 3, 2]); // [B, C, T, F]
  const y = relu(np.matmul(tap(`${name}.tdf`, relu(np.matmul(t, p.a.w.ref).add(p.a.b.ref)), 3), p.b.w.ref).add(p.b.b.ref));
  return y.transpose([0, 1, 3, 2]);
}

function rnnOverFrequency(p: RnnParams, x: JArray): JArray {
  const [B, C, F, T] = x.shape;
  const seq = x.transpose([0, 3, 2, 1]).reshape([B * T, F, C]); // one sequence over frequency per frame
  const h = gru(p.gru, seq); // [B·T, F, H]
  const y = np.matmul(h, p.proj.w.ref).add(p.proj.b.ref); // [B·T, F, C]
  return y.reshape([B, T, F, C]).transpose([0, 3, 2, 1]);
}

/** A block's output [B, C, F, T]; `name` (down.<d>.block, middle, up.<i>.block) prefixes its units' tap names. */
function block(p: BlockParams, x: JArray, impl: Impl, name = "", tap = noTap): JArray {
  if (p.tdc) return denseConvs(p.tdc, x, impl, `${name}.tdc`, tap);
  let y = x;
  if (p.tfc) y = p.tfc.convs.length ? denseConvs(p.tfc, y, impl, `${name}.tfc`, tap) : relu(conv2d(p.tfc.out, y, { impl }));
  if (p.tdf) {
    const d = tdf(p.tdf, y.ref, name, tap);
    y = p.tfc && p.tfc.convs.length ? y.add(d) : (y.dispose(), d);
  }
  if (p.rnn) y = y.ref.add(rnnOverFrequency(p.rnn, y));
  return y;
}

/** Ways into the U-Net for informed and multitask variants (models/separation/informed.ts). */
export interface UNetHooks {
  /** Level d's downsampling conv output [B, C, F/2^(d+1), T/2^(d+1)], before its ReLU: FiLM goes here. */
  readonly modulate?: (level: number, z: JArray) => JArray;
  /** The bottleneck (the middle block's output, [B, C, F/2^depth, T/2^depth]); the hook owns the reference it is given. */
  readonly bottleneck?: (h: JArray) => void;
  /**
   * Every prunable unit's activation passes through here, named as prune/unet.ts names its unit groups
   * ("first", "down.0.block", "down.0.block.tfc.convs.1", "down.0.block.tdf", "down.0.pool", "up.0.unpool", …),
   * `axis` being its unit axis: the activation criterion reads them, the trimming tests zero units with it.
   */
  readonly tap?: Tap;
}

/**
 * The mask [B, 2, F, T] for a mixture spectrogram [B, 4, F, T]. The input is
 * scaled to unit RMS per example first (a mask does not depend on the
 * mixture's level, and raw STFT values of ±100 saturate the sigmoid), and
 * the logits are clipped to ±30 so its gradient never sees exp overflow.
 */
export function unetMask(p: UNetParams, x: JArray, impl: Impl = "matmul", hooks: UNetHooks = {}): JArray {
  const rms = np.sqrt(np.square(x.ref).mean([1, 2, 3], { keepdims: true }).add(1e-8));
  const tap = hooks.tap ?? noTap;
  let h = tap("first", conv2d(p.first, x.div(rms), { impl }), 1);
  const skips: JArray[] = [];
  for (const [d, level] of p.down.entries()) {
    h = tap(`down.${d}.block`, block(level.block, h, impl, `down.${d}.block`, tap), 1);
    skips.push(h.ref);
    const z = conv2d(level.pool, h, { impl, stride: [2, 2], padding: "valid" });
    h = tap(`down.${d}.pool`, relu(hooks.modulate ? hooks.modulate(d, z) : z), 1);
  }
  h = tap("middle", block(p.middle, h, impl, "middle", tap), 1);
  hooks.bottleneck?.(h.ref);
  for (const [i, level] of p.up.entries()) {
    h = tap(`up.${i}.unpool`, relu(convTranspose2d(level.unpool, h, [2, 2])), 1);
    // Transposed 2×2 at stride 2 gives exactly 2× the size; crop nothing.
    h = tap(`up.${i}.block`, block(level.block, np.concatenate([skips.pop()!, h], 1), impl, `up.${i}.block`, tap), 1);
  }
  return jnn.sigmoid(np.clip(conv2d(p.last, h, { impl }), -30, 30));
}

/**
 * The U-Net's mask model as ONNX, traced at 4·frameMultiple frames with a
 * dynamic frame axis (any multiple of frameMultiple = 2^depth).
 */
export function exportUNet(p: UNetParams, cfg: UNetConfig): Uint8Array {
  const m = 2 ** cfg.depth;
  return exportOnnx((q: UNetParams, x: JArray) => unetMask(q, x, "lax"), p, [np.zeros([1, 4, cfg.bins, 4 * m])], { dynamicAxes: [{ 3: "frames" }], dynamicStep: m });
}

/** Applies a mask [B, 2, F, T] to a mixture [B, 4, F, T] (re/im per channel). */
export function applyMask(mask: JArray, mix: JArray): JArray {
  const [B, , F, T] = mask.shape;
  const m = mask.reshape([B, 2, 1, F, T]);
  return mix.reshape([B, 2, 2, F, T]).mul(m).reshape([B, 4, F, T]);
}

/** MSE between a mask [B, 2, F, T] applied to the mixture [B, 4, F, T] and the vocals' spectrogram: every mask model's training loss. */
export function maskLoss(mask: JArray, mix: JArray, vocals: JArray): JArray {
  return np.square(applyMask(mask, mix).sub(vocals)).mean();
}

/** Training loss of the U-Net: maskLoss of its mask. */
export function separationLoss(p: UNetParams, mix: JArray, vocals: JArray): JArray {
  return maskLoss(unetMask(p, mix.ref, "matmul"), mix, vocals);
}
