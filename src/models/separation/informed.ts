/**
 * Informed and multitask separation U-Nets: the U-Net of unet.ts with
 * - FiLM conditioning on aligned phonemes (Meseguer-Brocal & Peeters, ISMIR
 *   2020): every encoder level's downsampling conv output z is modulated
 *   before its ReLU, relu(γ ⊙ z + β).
 *   - weak: the phoneme matrix averaged over the input window drives one
 *     γ/β per level ("weak-layer") or per channel ("weak-channel");
 *   - strong: the time-aligned matrix, averaged to the level's frame rate,
 *     picks γ/β per frame from learned tables: one scalar per level
 *     ("strong-scalar"), one per channel ("strong-channel") or one per
 *     frequency bin of the level ("strong-frequency").
 *   γ = 1 + c·Wγ and β = c·Wβ with W zero at initialisation, so a
 *   conditioned model starts as the unconditioned U-Net it extends. The
 *   paper's FiLM generator for weak conditioning is a small network; here it
 *   is one linear map (the tables), the same for weak and strong.
 * - an instrument-activation head (Hung & Lerch, ISMIR 2020): the bottleneck
 *   averaged over frequency, a linear map per frame to the vocals' presence
 *   logit, trained with BCE beside the mask's MSE; at inference the
 *   thresholded, median-filtered activation gates the mask
 *   (tasks/separate.ts).
 *
 * Graph inputs: "mixture" [B, 4, F, T] and, for conditioned models,
 * "phonemes" [B, P, Tc] (P = PHONEMES.length; Tc = T for strong models; weak
 * models average whatever window they are given). Outputs: "mask"
 * [B, 2, F, T] and, with the head, "activation" [B, 1, T] (the bottleneck's
 * per-frame probability repeated over the 2^depth frames it covers).
 */
import { numpy as np, nn as jnn, type Array as JArray } from "@jax-js/jax";
import { InvalidInputError } from "../../errors.js";
import { PHONEMES } from "../../lyrics/phonemes.js";
import { exportOnnx } from "../../nn/onnx/export.js";
import { initDense, Rng, type DenseParams } from "../../nn/layers.js";
import { bceWithLogits } from "../../nn/optim.js";
import { initUNet, maskLoss, unetMask, type UNetConfig, type UNetParams } from "./unet.js";

export const CONDITIONINGS = ["none", "weak-layer", "weak-channel", "strong-scalar", "strong-channel", "strong-frequency"] as const;
export type Conditioning = (typeof CONDITIONINGS)[number];

export interface InformedConfig {
  readonly unet: UNetConfig;
  readonly conditioning: Conditioning;
  /** With the vocals-activation head (multitask). */
  readonly activation: boolean;
}

type FilmTable = { gamma: JArray; beta: JArray };
export type InformedParams = { unet: UNetParams; film?: FilmTable[]; act?: DenseParams };

export const isStrong = (c: Conditioning) => c.startsWith("strong");
export const isConditioned = (c: Conditioning) => c !== "none";

/** Modulation values per row of the phoneme matrix at level d: 1 (layer, scalar), channels, or the level's bins. */
function tableWidth(cfg: InformedConfig, level: number): number {
  switch (cfg.conditioning) {
    case "weak-layer": case "strong-scalar": return 1;
    case "weak-channel": case "strong-channel": return cfg.unet.channels;
    case "strong-frequency": return cfg.unet.bins / 2 ** (level + 1);
    default: return 0;
  }
}

/** Fresh parameters; `unet` (e.g. a shipped model's weights) replaces the seeded U-Net when given. */
export function initInformed(cfg: InformedConfig, seed: number, unet?: UNetParams): InformedParams {
  const p: InformedParams = { unet: unet ?? initUNet(cfg.unet, seed) };
  const P = PHONEMES.length;
  if (isConditioned(cfg.conditioning)) {
    p.film = Array.from({ length: cfg.unet.depth }, (_, d) => ({ gamma: np.zeros([P, tableWidth(cfg, d)]), beta: np.zeros([P, tableWidth(cfg, d)]) }));
  }
  if (cfg.activation) p.act = initDense(new Rng(seed * 7 + 11), cfg.unet.channels, 1);
  return p;
}

/** FiLM of level d's pre-activation z [B, C, F', T'] from the phoneme matrix c [B, P, Tc]. */
function modulate(cfg: InformedConfig, t: FilmTable, d: number, z: JArray, c: JArray): JArray {
  const [B, C, F, T] = z.shape;
  if (!isStrong(cfg.conditioning)) {
    const v = c.mean([2]); // [B, P]
    const shape = cfg.conditioning === "weak-layer" ? [B, 1, 1, 1] : [B, C, 1, 1];
    const g = np.matmul(v.ref, t.gamma.ref).add(1).reshape(shape), b = np.matmul(v, t.beta.ref).reshape(shape);
    return z.mul(g).add(b);
  }
  const s = c.shape[2] / T;
  if (s !== 2 ** (d + 1)) throw new InvalidInputError(`informed U-Net: ${c.shape[2]} phoneme frames for ${T * 2 ** (d + 1)} mixture frames; strong conditioning needs one per frame`);
  const P = c.shape[1];
  const pooled = c.reshape([B, P, T, s]).mean([3]).transpose([0, 2, 1]); // [B, T, P]
  const k = t.gamma.shape[1];
  const shape = cfg.conditioning === "strong-frequency" ? [B, 1, F, T] : [B, k, 1, T];
  const g = np.matmul(pooled.ref, t.gamma.ref).add(1).transpose([0, 2, 1]).reshape(shape);
  const b = np.matmul(pooled, t.beta.ref).transpose([0, 2, 1]).reshape(shape);
  return z.mul(g).add(b);
}

/** Activation logits [B, T/2^depth] from the bottleneck [B, C, F', T']. */
function activationLogits(act: DenseParams, h: JArray): JArray {
  const [B, , , T] = h.shape;
  return np.matmul(h.mean([2]).transpose([0, 2, 1]), act.w.ref).add(act.b.ref).reshape([B, T]);
}

/** The mask, and the activation logits at the bottleneck's rate when the model has the head. */
export function informedForward(cfg: InformedConfig, p: InformedParams, x: JArray, c: JArray | null, impl: "lax" | "matmul" = "matmul"): { mask: JArray; logits?: JArray } {
  let logits: JArray | undefined;
  const film = p.film;
  if (film && c === null) throw new InvalidInputError(`informed U-Net (${cfg.conditioning}): a phoneme matrix is needed`);
  const mask = unetMask(p.unet, x, impl, {
    modulate: film && c ? (d, z) => modulate(cfg, film[d], d, z, c.ref) : undefined,
    bottleneck: (h) => {
      if (p.act) logits = activationLogits(p.act, h);
      else h.dispose();
    },
  });
  c?.dispose();
  return { mask, logits };
}

/** A frame's vocals are active where their energy is within 40 dB of the mixture's mean frame energy. */
export const ACTIVE_BELOW_MEAN_DB = 40;

/**
 * Per-frame vocal activity (1/0) from the tensors of a mixture and its vocals ([4, F, frames], as
 * contract.mixtureTensor lays them out): the activation head's training target.
 */
export function vocalActivity(mix: Float32Array, vocals: Float32Array, bins: number, frames: number): Uint8Array {
  const ev = new Float64Array(frames);
  let em = 0;
  for (let r = 0; r < 4 * bins; r++) for (let t = 0; t < frames; t++) {
    const v = vocals[r * frames + t], m = mix[r * frames + t];
    ev[t] += v * v;
    em += m * m;
  }
  const floor = (em / frames) * 10 ** (-ACTIVE_BELOW_MEAN_DB / 10);
  return Uint8Array.from(ev, (e) => (e > floor && e > 0 ? 1 : 0));
}

/** Weight of the activation BCE beside the mask MSE (the MSE of our unit-RMS-free spectra is ~1e-2–1e-1 early on). */
export const ACTIVATION_WEIGHT = 0.01;

/**
 * Training loss: MSE of the masked mixture against the vocals' spectrogram, plus, with the head,
 * ACTIVATION_WEIGHT × BCE of the activation against `active` [B, T/2^depth] (1 where the vocals sound).
 */
export function informedLoss(cfg: InformedConfig, p: InformedParams, mix: JArray, vocals: JArray, c: JArray | null, active: JArray | null): JArray {
  const { mask, logits } = informedForward(cfg, p, mix.ref, c);
  const mse = maskLoss(mask, mix, vocals);
  if (!logits) { active?.dispose(); return mse; }
  if (!active) throw new InvalidInputError("informed U-Net: the activation head needs activity targets");
  return mse.add(bceWithLogits(logits, active).mul(ACTIVATION_WEIGHT));
}

/** Graph outputs at inference: the mask, and the activation probability repeated to the mixture's frame rate. */
export function informedGraph(cfg: InformedConfig) {
  const m = 2 ** cfg.unet.depth;
  return (p: InformedParams, x: JArray, ...rest: JArray[]): JArray | JArray[] => {
    const { mask, logits } = informedForward(cfg, p, x, rest[0] ?? null, "lax");
    if (!logits) return mask;
    const [B, T] = logits.shape;
    const prob = jnn.sigmoid(logits).reshape([B, T, 1]).mul(np.ones([1, 1, m])).reshape([B, 1, T * m]);
    return [mask, prob];
  };
}

/** Example inputs of an informed graph: a mixture [1, 4, bins, frames] and, when conditioned, phonemes [1, P, frames]. */
export function informedInputs(bins: number, frames: number, conditioned: boolean): JArray[] {
  return [np.zeros([1, 4, bins, frames]), ...(conditioned ? [np.zeros([1, PHONEMES.length, frames])] : [])];
}

/**
 * An informed separation graph as ONNX (the FiLM U-Nets here, the lyrics model of lyrics.ts): inputs
 * "mixture" (and "phonemes"), outputs "mask" (and "activation"), one dynamic frame axis in steps of `step`.
 */
export function exportInformedGraph<P extends object>(fn: (p: P, ...inputs: JArray[]) => JArray | JArray[], p: P, o: { bins: number; conditioned: boolean; activation: boolean; step: number }): Uint8Array {
  return exportOnnx(fn as never, p as never, informedInputs(o.bins, Math.max(8, 4 * o.step), o.conditioned), {
    inputNames: o.conditioned ? ["mixture", "phonemes"] : ["mixture"],
    outputNames: o.activation ? ["mask", "activation"] : ["mask"],
    dynamicAxes: o.conditioned ? [{ 3: "frames" }, { 2: "frames" }] : [{ 3: "frames" }],
    dynamicStep: o.step,
  });
}

/** The FiLM U-Net's ONNX model (exportInformedGraph). */
export function exportInformed(p: InformedParams, cfg: InformedConfig): Uint8Array {
  return exportInformedGraph(informedGraph(cfg), p, { bins: cfg.unet.bins, conditioned: isConditioned(cfg.conditioning), activation: cfg.activation, step: 2 ** cfg.unet.depth });
}
