/**
 * Losses and the Adam/AdamW optimiser over parameter trees. Ownership:
 * `adamStep` consumes the gradients and the previous parameters and state,
 * and returns new ones.
 */
import { nn as jnn, numpy as np, tree, type Array as JArray, type JsTree } from "@jax-js/jax";

/** Mean cross-entropy of integer labels (one-hot `targets` [B, K]) under logits [B, K]. */
export function crossEntropy(logits: JArray, targets: JArray): JArray {
  return jnn.logSoftmax(logits, -1).mul(targets).sum(-1).mean().neg();
}

export function mse(pred: JArray, target: JArray): JArray {
  return np.square(pred.sub(target)).mean();
}

export function l1(pred: JArray, target: JArray): JArray {
  return np.abs(pred.sub(target)).mean();
}

/** Binary cross-entropy with logits, numerically stable: max(z,0) − z·y + log(1 + e^{−|z|}), each term times `weights` when given, then the mean. */
export function bceWithLogits(logits: JArray, targets: JArray, weights?: JArray): JArray {
  const z = logits;
  const terms = np.maximum(z.ref, 0).sub(z.ref.mul(targets)).add(np.log1p(np.exp(np.abs(z).neg())));
  return (weights ? terms.mul(weights) : terms).mean();
}

export interface AdamOptions {
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** Decoupled weight decay (AdamW); 0 for Adam. */
  readonly weightDecay?: number;
  /** Clip the global gradient norm to this value. */
  readonly clipNorm?: number;
}

export interface AdamState<P extends JsTree<JArray>> {
  readonly step: number;
  readonly m: P;
  readonly v: P;
}

export function adamInit<P extends JsTree<JArray>>(params: P): AdamState<P> {
  return { step: 0, m: tree.map((p: JArray) => np.zerosLike(p.ref), params) as P, v: tree.map((p: JArray) => np.zerosLike(p.ref), params) as P };
}

/** Global L2 norm of a gradient tree (a JS number). */
export function globalNorm(grads: JsTree<JArray>): number {
  let s = 0;
  for (const g of tree.leaves(grads) as JArray[]) s += np.square(g.ref).sum().js() as number;
  return Math.sqrt(s);
}

export function adamStep<P extends JsTree<JArray>>(params: P, grads: P, state: AdamState<P>, o: AdamOptions): { params: P; state: AdamState<P> } {
  const b1 = o.beta1 ?? 0.9, b2 = o.beta2 ?? 0.999, eps = o.eps ?? 1e-8, wd = o.weightDecay ?? 0;
  const step = state.step + 1;
  let scale = 1;
  if (o.clipNorm !== undefined) {
    const n = globalNorm(grads);
    if (n > o.clipNorm) scale = o.clipNorm / n;
  }
  const c1 = 1 - Math.pow(b1, step), c2 = 1 - Math.pow(b2, step);
  const [pl, def] = tree.flatten(params);
  const gl = tree.leaves(grads) as JArray[], ml = tree.leaves(state.m) as JArray[], vl = tree.leaves(state.v) as JArray[];
  const np_: JArray[] = [], nm: JArray[] = [], nv: JArray[] = [];
  (pl as JArray[]).forEach((p, i) => {
    const g = scale === 1 ? gl[i] : gl[i].mul(scale);
    const m = ml[i].mul(b1).add(g.ref.mul(1 - b1));
    const v = vl[i].mul(b2).add(np.square(g).mul(1 - b2));
    const update = m.ref.mul(1 / c1).div(np.sqrt(v.ref.mul(1 / c2)).add(eps));
    const decayed = wd > 0 ? p.ref.mul(1 - o.lr * wd) : p.ref;
    np_.push(decayed.sub(update.mul(o.lr)));
    p.dispose();
    nm.push(m);
    nv.push(v);
  });
  return { params: tree.unflatten(def, np_) as P, state: { step, m: tree.unflatten(def, nm) as P, v: tree.unflatten(def, nv) as P } };
}

/** Rows scaled to unit L2 norm (ε-guarded). */
export function l2Normalize(x: JArray, eps = 1e-8): JArray {
  return x.ref.mul(np.reciprocal(np.sqrt(np.square(x).sum(-1, { keepdims: true }).add(eps))));
}

/**
 * Triplet loss on embeddings [B, D]: mean(max(0, d(a, p) − d(a, n) + margin)),
 * squared Euclidean distances (FaceNet; MOVE uses it for cover songs).
 */
export function tripletLoss(anchor: JArray, positive: JArray, negative: JArray, margin = 1): JArray {
  const dp = np.square(anchor.ref.sub(positive)).sum(-1);
  const dn = np.square(anchor.sub(negative)).sum(-1);
  return np.maximum(dp.sub(dn).add(margin), 0).mean();
}

/**
 * Normalised softmax with class proxies (Movshovitz-Attias et al. 2017; Zhai &
 * Wu 2019): cross-entropy of scale · cos(embedding, proxy_k) over K learnable
 * proxies [K, D]. `targets` one-hot [B, K].
 */
export function normalizedSoftmaxLoss(embeddings: JArray, proxies: JArray, targets: JArray, scale = 16): JArray {
  const logits = np.matmul(l2Normalize(embeddings), l2Normalize(proxies).transpose([1, 0])).mul(scale);
  return crossEntropy(logits, targets);
}
