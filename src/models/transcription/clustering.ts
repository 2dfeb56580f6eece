/**
 * The part-embedding network of multi-instrument transcription by deep
 * spherical clustering, after Tanaka, Nakatsuka, Nishikimi, Yoshii &
 * Morishima, ISMIR 2020 ("Multi-instrument music transcription based on deep
 * spherical clustering of spectrograms and pitchgrams").
 *
 * Input [B, C, P, T] (parts-contract.ts): for every semitone bin p of the
 * pitchgram and frame t, the spectrogram seen from that pitch (the HCQT's
 * log magnitudes at the sub-harmonic, the fundamental and harmonics 2–5), the
 * pitchgram (the multi-F0 salience), and the bin's register. Outputs:
 * "embeddings" [B, D, P, T], a unit-norm embedding per time–pitch bin, so
 * that bins one instrument plays lie close together on the sphere (k-means on
 * the sphere splits the pitchgram into parts, tasks/instruments.ts); and
 * "onsets" [B, P, T], the probability that a note starts in the bin. The
 * onset head is our addition: the pitchgram says what sounds, not where a
 * note is struck again, and notes are what the parts are made of (as
 * basic-pitch has an onset posterior beside its note posterior).
 *
 * What we chose (the paper publishes no code): a convolutional encoder (two
 * 3×5 convs, then 3×3 convs dilated 4 and 8 frames along time, so each bin
 * sees ±16 frames ≈ 190 ms: the attack and the decay of its note), a 1×1
 * conv to D numbers and L2 normalisation (and a 1×1 conv to the onset logit);
 * trained with the deep-clustering loss of Hershey et al. (‖VVᵀ − YYᵀ‖²,
 * computed as ‖VᵀV‖² − 2‖VᵀY‖² + ‖YᵀY‖²) over the bins exactly one part
 * plays, normalised by their count squared, plus ONSET_WEIGHT × a binary
 * cross-entropy of the onsets (positives weighted ONSET_POSITIVE_WEIGHT).
 * Convs run channels last; "matmul" trains, "lax" exports.
 */
import { nn as jnn, numpy as np, type Array as JArray } from "@jax-js/jax";
import { InvalidInputError } from "../../errors.js";
import { conv2dNhwc, initConv2d, relu, Rng, type Conv2dParams } from "../../nn/layers.js";
import { bceWithLogits, l2Normalize } from "../../nn/optim.js";

export interface PartEmbeddingConfig {
  /** Input channels (parts-contract.ts: PART_CHANNELS). */
  readonly channels: number;
  readonly width: number;
  /** Embedding dimensions. */
  readonly dims: number;
}

export type PartEmbeddingParams = { convs: [Conv2dParams, Conv2dParams, Conv2dParams, Conv2dParams]; out: Conv2dParams; onset: Conv2dParams };

/** The onset term's weight in the loss, and the weight of its positive bins (onsets are ≈ 0.1 % of bins). */
export const ONSET_WEIGHT = 1, ONSET_POSITIVE_WEIGHT = 20;

type Impl = "lax" | "matmul";

/** Time dilations of the four convs, and their kernel widths along time. */
const LAYERS: readonly { kp: number; kt: number; dt: number }[] = [
  { kp: 3, kt: 5, dt: 1 }, { kp: 3, kt: 5, dt: 1 }, { kp: 3, kt: 3, dt: 4 }, { kp: 3, kt: 3, dt: 8 },
];

/** Frames each output frame sees on either side (chunked inference overlaps by more). */
export const PART_TIME_RADIUS = LAYERS.reduce((r, l) => r + ((l.kt - 1) / 2) * l.dt, 0);

export function initPartEmbedding(cfg: PartEmbeddingConfig, seed: number): PartEmbeddingParams {
  const rng = new Rng(seed);
  const convs = LAYERS.map((l, i) => initConv2d(rng, i === 0 ? cfg.channels : cfg.width, cfg.width, l.kp, l.kt)) as PartEmbeddingParams["convs"];
  const onset = initConv2d(rng, cfg.width, 1, 1, 1);
  onset.b.dispose();
  onset.b = np.full([1], -5); // start near the onsets' base rate
  return { convs, out: initConv2d(rng, cfg.width, cfg.dims, 1, 1), onset };
}

/** Unit-norm embeddings, channels last [B, P, T, D], and onset logits [B, P, T], for an input [B, C, P, T]. Widths come from the parameters. */
function embedNhwc(p: PartEmbeddingParams, x: JArray, impl: Impl): [JArray, JArray] {
  const C = p.convs[0].w.shape[1];
  if (x.ndim !== 4 || x.shape[1] !== C) throw new InvalidInputError(`part-embedding model: input must be [batch, ${C}, pitches, frames], got [${x.shape.join(", ")}]`);
  let h = x.transpose([0, 2, 3, 1]);
  LAYERS.forEach((l, i) => { h = relu(conv2dNhwc(p.convs[i], h, { impl, dilation: [1, l.dt] })); });
  const onset = conv2dNhwc(p.onset, h.ref, { impl });
  const [B, P, T] = onset.shape;
  return [l2Normalize(conv2dNhwc(p.out, h, { impl })), onset.reshape([B, P, T])];
}

/** The exported inference graph: embeddings [B, D, P, T] and onset probabilities [B, P, T] for features [B, C, P, T]. */
export function partEmbeddings(p: PartEmbeddingParams, x: JArray, impl: Impl = "lax"): [JArray, JArray] {
  const [v, onset] = embedNhwc(p, x, impl);
  return [v.transpose([0, 3, 1, 2]), jnn.sigmoid(onset)];
}

/**
 * The training loss: deep clustering for features [B, C, P, T] and one-hot part labels [B, P, T, K] (all zeros where no
 * part, or more than one, plays the bin): per item ‖VᵀV‖² − 2‖VᵀY‖² + ‖YᵀY‖² over its labelled bins, summed
 * over the batch and divided by `norm` (a scalar: the sum of the items' labelled-bin counts squared); `yy` is the
 * sum of the items' ‖YᵀY‖² (a constant of the labels, counted by the caller). 0 when every labelled bin's embedding equals its part's (orthogonal) unit
 * vector; the embeddings of unlabelled bins are ignored. Plus ONSET_WEIGHT × the weighted BCE of the onset
 * logits against `onsets` [B, P, T] (1 where a note starts, 0.5 a frame either side).
 */
export function partEmbeddingLoss(p: PartEmbeddingParams, x: JArray, labels: JArray, yy: JArray, norm: JArray, onsets: JArray): JArray {
  const [v, onsetLogits] = embedNhwc(p, x, "matmul");
  const bce = bceWithLogits(onsetLogits, onsets.ref, onsets.ref.mul(ONSET_POSITIVE_WEIGHT - 1).add(1));
  onsets.dispose();
  const [B, P, T, D] = v.shape;
  const K = labels.shape[3];
  const y = labels.reshape([B, P * T, K]);
  const mask = y.ref.sum(-1, { keepdims: true }); // 1 on labelled bins
  const vm = v.reshape([B, P * T, D]).mul(mask); // unlabelled bins drop out
  const vt = vm.ref.transpose([0, 2, 1]);
  const vv = np.square(np.matmul(vt.ref, vm)).sum();
  const vy = np.square(np.matmul(vt, y)).sum();
  return vv.sub(vy.mul(2)).add(yy).div(norm).sum().add(bce.mul(ONSET_WEIGHT));
}
