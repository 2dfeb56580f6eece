/**
 * Multiple-F0 salience CNN for vocal ensembles, after Cuesta, McFee & Gómez,
 * ISMIR 2020 ("Multiple F0 estimation in vocal ensembles using convolutional
 * neural networks").
 *
 * Input: the HCQT of a mixture, [B, C, F, T] with F = 360 bins (20 cents, 6
 * octaves from C1) and time last (so long inputs run in chunks): C = H
 * magnitude channels (one per harmonic) for "magnitude", H magnitude then H
 * phase-differential channels for "early" and "late". Output: salience logits
 * [B, F, T] on the same frequency grid; `multiF0Salience` adds the sigmoid.
 *
 * Variants (the paper's comparison):
 * - "magnitude": one branch on the magnitude channels;
 * - "early": one branch on magnitude and phase stacked as input channels;
 * - "late": a magnitude branch and a phase branch, concatenated deep in the
 *   network, then the shared trunk.
 * A branch is a 5×5 and a 3×3 conv; the trunk is a 3×3 conv, a conv along
 * frequency only, 13 taps dilated by `dilation` bins (so it relates partials
 * up to an octave apart at the cost of 13 taps), and a 1×1 conv to one logit.
 * Widths are scaled down from the paper's (32–128 channels) so that the
 * models train on two CPU cores; the depth and the fusion points are kept.
 *
 * Convs run channels-last internally (the matmul lowering needs no
 * transposes there); parameters keep one layout for training ("matmul") and export
 * ("lax").
 */
import { numpy as np, nn as jnn, type Array as JArray } from "@jax-js/jax";
import { InvalidInputError } from "../../errors.js";
import { conv2dNhwc, initConv2d, relu, Rng, type Conv2dParams } from "../../nn/layers.js";
import { bceWithLogits } from "../../nn/optim.js";

export type Fusion = "magnitude" | "early" | "late";
export const FUSIONS: readonly Fusion[] = ["magnitude", "early", "late"];

export interface MultiF0Config {
  readonly fusion: Fusion;
  /** HCQT harmonics (input channels per feature kind). */
  readonly harmonics: number;
  /** Channels of each branch and of the trunk. */
  readonly width: number;
  /** Frequency dilation of the wide trunk conv (13 taps): it spans 12·dilation + 1 bins. */
  readonly dilation: number;
}

type Branch = [Conv2dParams, Conv2dParams];
export type MultiF0Params = {
  mag: Branch;
  phase?: Branch;
  trunk: [Conv2dParams, Conv2dParams];
  out: Conv2dParams;
};

type Impl = "lax" | "matmul";
const WIDE_TAPS = 13;

/**
 * Frames of context each output frame sees on either side: the branch's 5×5 and 3×3 convs (2 + 1) and the
 * trunk's 3×3 (1); the wide conv and the output are 1 frame wide. Chunked inference needs no more overlap
 * than this on each side (tasks/multipitch.ts).
 */
export const MULTIF0_TIME_RADIUS = 4;

export function inputChannels(cfg: MultiF0Config): number {
  return cfg.fusion === "magnitude" ? cfg.harmonics : 2 * cfg.harmonics;
}

export function initMultiF0(cfg: MultiF0Config, seed: number): MultiF0Params {
  if (!FUSIONS.includes(cfg.fusion)) throw new InvalidInputError(`multi-F0 model: unknown fusion "${cfg.fusion}"; choose ${FUSIONS.join(", ")}`);
  const rng = new Rng(seed);
  const w = cfg.width;
  const branch = (inC: number): Branch => [initConv2d(rng, inC, w, 5, 5), initConv2d(rng, w, w, 3, 3)];
  const late = cfg.fusion === "late";
  const p: MultiF0Params = {
    mag: branch(late ? cfg.harmonics : inputChannels(cfg)),
    trunk: [initConv2d(rng, late ? 2 * w : w, w, 3, 3), initConv2d(rng, w, w, WIDE_TAPS, 1)],
    out: initConv2d(rng, w, 1, 1, 1),
  };
  if (late) p.phase = branch(cfg.harmonics);
  // Targets are sparse (a few voices among 360 bins): start the output near their base rate.
  p.out.b.dispose();
  p.out.b = np.full([1], -4);
  return p;
}

/** Sees each hidden layer's activation [B, F, T, C] (after its ReLU), named as its parameters ("mag.0", …, "trunk.1"); it must dispose it. */
export type Tap = (layer: string, h: JArray) => void;

function runBranch(b: Branch, x: JArray, impl: Impl, name: string, tap?: Tap): JArray {
  const h = relu(conv2dNhwc(b[0], x, { impl }));
  tap?.(`${name}.0`, h.ref);
  const h2 = relu(conv2dNhwc(b[1], h, { impl }));
  tap?.(`${name}.1`, h2.ref);
  return h2;
}

/**
 * Salience logits [B, F, T] for an HCQT input [B, C, F, T]. Widths come from the parameters' shapes, so a
 * trimmed parameter tree (prune/multif0.ts) runs here as it is.
 */
export function multiF0Logits(p: MultiF0Params, x: JArray, cfg: MultiF0Config, impl: Impl = "matmul", tap?: Tap): JArray {
  const C = inputChannels(cfg);
  if (x.ndim !== 4 || x.shape[1] !== C) throw new InvalidInputError(`multi-F0 model (${cfg.fusion}): input must be [batch, ${C}, bins, frames], got [${x.shape.join(", ")}]`);
  const xl = x.transpose([0, 2, 3, 1]); // [B, F, T, C]
  let h: JArray;
  if (p.phase) {
    const H = cfg.harmonics;
    const mag = runBranch(p.mag, xl.ref.slice([], [], [], [0, H]), impl, "mag", tap);
    const phase = runBranch(p.phase, xl.slice([], [], [], [H, 2 * H]), impl, "phase", tap);
    h = np.concatenate([mag, phase], 3);
  } else {
    h = runBranch(p.mag, xl, impl, "mag", tap);
  }
  h = relu(conv2dNhwc(p.trunk[0], h, { impl }));
  tap?.("trunk.0", h.ref);
  h = relu(conv2dNhwc(p.trunk[1], h, { impl, dilation: [cfg.dilation, 1] }));
  tap?.("trunk.1", h.ref);
  const logits = conv2dNhwc(p.out, h, { impl }); // [B, F, T, 1]
  const [B, F, T] = logits.shape;
  return logits.reshape([B, F, T]);
}

/** Salience in [0, 1], [B, F, T]: the exported inference graph. */
export function multiF0Salience(p: MultiF0Params, x: JArray, cfg: MultiF0Config, impl: Impl = "lax"): JArray {
  return jnn.sigmoid(multiF0Logits(p, x, cfg, impl));
}

/** Training loss: binary cross-entropy against Gaussian-blurred F0 targets [B, F, T]. */
export function multiF0Loss(p: MultiF0Params, x: JArray, target: JArray, cfg: MultiF0Config): JArray {
  return bceWithLogits(multiF0Logits(p, x, cfg, "matmul"), target);
}
