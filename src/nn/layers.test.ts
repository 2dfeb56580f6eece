import * as assert from "node:assert/strict";
import { test } from "node:test";
import { grad, init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { conv2d, dense, initConv2d, initDense, parameterCount, Rng } from "./layers.js";
import { adamInit, adamStep, crossEntropy, mse } from "./optim.js";

await init("wasm");

function rand(shape: number[], seed: number): JArray {
  const r = new Rng(seed);
  return np.array(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal())).reshape(shape);
}

const maxDiff = (a: JArray, b: JArray) => {
  const x = a.dataSync(), y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
};

for (const [kh, kw, dil, padding, stride, groups] of [
  [3, 3, [1, 1], "same", [1, 1], 1], [3, 5, [2, 1], "same", [1, 1], 1], [1, 1, [1, 1], "same", [1, 1], 1], [3, 3, [1, 1], "valid", [1, 1], 1],
  [4, 4, [1, 1], "same", [2, 2], 1], [3, 3, [1, 1], "valid", [2, 1], 1], [3, 3, [1, 2], "same", [1, 2], 1], [3, 3, [1, 1], "same", [1, 1], 2],
] as const) {
  test(`conv2d: the matmul (shifted-tap) lowering equals lax.conv, forward and gradient (${kh}×${kw}, dilation ${dil}, ${padding}, stride ${stride}, groups ${groups})`, () => {
    const p = initConv2d(new Rng(1), 6 / groups, 4, kh, kw);
    p.b = rand([4], 9);
    const x = rand([2, 6, 7, 9], 2);
    const o = { dilation: dil, padding, stride, groups } as const;
    const a = conv2d(p, x.ref, { ...o, impl: "matmul" });
    const b = conv2d(p, x.ref, { ...o, impl: "lax" });
    assert.deepEqual(a.shape, b.shape);
    assert.ok(maxDiff(a, b) < 1e-4);
    const loss = (impl: "lax" | "matmul") => (w: JArray) => np.square(conv2d({ w, b: p.b.ref }, x.ref, { ...o, impl })).sum();
    const ga = grad(loss("matmul"))(p.w.ref), gb = grad(loss("lax"))(p.w.ref);
    const scale = 1 + Math.max(...Array.from(gb.ref.dataSync(), Math.abs)); // dataSync consumes: read before maxDiff
    assert.ok(maxDiff(ga, gb) < 1e-4 * scale);
  });
}

test("dense, parameter count, and Adam reduce a least-squares loss", () => {
  const rng = new Rng(3);
  let p = { l: initDense(rng, 4, 1) };
  assert.equal(parameterCount(p), 5);
  const x = rand([64, 4], 4);
  const wTrue = np.array([[1], [-2], [0.5], [3]]);
  const y = np.matmul(x.ref, wTrue);
  const loss = (q: typeof p) => mse(dense(q.l, x.ref), y.ref);
  let state = adamInit(p);
  const first = loss(p).js() as number;
  for (let i = 0; i < 200; i++) {
    const g = grad(loss)(p);
    ({ params: p, state } = adamStep(p, g, state, { lr: 0.05 }));
  }
  const last = loss(p).js() as number;
  assert.ok(last < first * 1e-3, `loss ${first} → ${last}`);
});

test("cross-entropy of confident correct logits is near 0, of uniform logits log K", () => {
  const t = np.array([[1, 0, 0], [0, 1, 0]]);
  assert.ok((crossEntropy(np.array([[20, 0, 0], [0, 20, 0]]), t.ref).js() as number) < 1e-6);
  assert.ok(Math.abs((crossEntropy(np.zeros([2, 3]), t).js() as number) - Math.log(3)) < 1e-6);
});

test("safetensors round trip keeps names, shapes and values; a truncated file is refused", async () => {
  const { encodeSafetensors, decodeSafetensors } = await import("./safetensors.js");
  const bytes = encodeSafetensors({ "a.w": { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }, b: { shape: [1], data: Float32Array.of(-1) } }, { seed: "7" });
  const back = decodeSafetensors(bytes);
  assert.deepEqual(back.tensors["a.w"].shape, [2, 3]);
  assert.deepEqual(Array.from(back.tensors["a.w"].data), [1, 2, 3, 4, 5, 6]);
  assert.equal(back.tensors.b.data[0], -1);
  assert.equal(back.metadata.seed, "7");
  assert.throws(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), "x.safetensors"), /x\.safetensors: .*bad byte range/);
});

test("triplet and normalised-softmax losses: hand-derived values", async () => {
  const { tripletLoss, normalizedSoftmaxLoss } = await import("./optim.js");
  // d(a,p) = 1, d(a,n) = 4: max(0, 1 − 4 + 1) = 0; swapped: 1 − ... = max(0, 4 − 1 + 1) = 4.
  const a = np.array([[0, 0]]), p = np.array([[1, 0]]), n = np.array([[2, 0]]);
  assert.equal(tripletLoss(a.ref, p.ref, n.ref).js(), 0);
  assert.equal(tripletLoss(a.ref, n.ref, p.ref).js(), 4);
  // Embedding aligned with proxy 0, orthogonal to proxy 1: logits (s, 0) → loss log(1 + e^{−s}).
  const loss = normalizedSoftmaxLoss(np.array([[3, 0]]), np.array([[1, 0], [0, 2]]), np.array([[1, 0]]), 4).js() as number;
  assert.ok(Math.abs(loss - Math.log(1 + Math.exp(-4))) < 1e-5);
});

test("conv2dNhwc equals conv2d on transposed data (matmul and lax implementations)", async () => {
  const { conv2dNhwc } = await import("./layers.js");
  const p = initConv2d(new Rng(21), 3, 5, 3, 3);
  p.b = rand([5], 22);
  const x = rand([2, 3, 6, 7], 23);
  const ref = conv2d(p, x.ref, { impl: "lax", dilation: [1, 2] });
  for (const impl of ["matmul", "lax"] as const) {
    const y = conv2dNhwc(p, x.ref.transpose([0, 2, 3, 1]), { impl, dilation: [1, 2] }).transpose([0, 3, 1, 2]);
    assert.ok(maxDiff(y, ref.ref) < 1e-4, impl);
  }
});

test("sigmoid: finite gradient at large |x| (jax-js 0.1.25's nn.sigmoid gives NaN at x = −1000: the problem it works around)", async () => {
  const { grad, nn: jnn } = await import("@jax-js/jax");
  const { sigmoid } = await import("./layers.js");
  const xs = [-1000, -100, -3, 0, 2.5, 100, 1000];
  const value = sigmoid(np.array(xs)).js() as number[];
  xs.forEach((x, i) => assert.ok(Math.abs(value[i] - 1 / (1 + Math.exp(-x))) < 1e-6, `σ(${x})`));
  const g = grad((x: JArray) => sigmoid(x).sum())(np.array(xs)).js() as number[];
  xs.forEach((x, i) => {
    const s = 1 / (1 + Math.exp(-x));
    assert.ok(Number.isFinite(g[i]) && Math.abs(g[i] - s * (1 - s)) < 1e-6, `σ'(${x}) = ${g[i]}`);
  });
  const upstream = grad((x: JArray) => jnn.sigmoid(x).sum())(np.array([0, -1000])).js() as number[];
  assert.ok(Number.isNaN(upstream[1]), "jax-js's own sigmoid gradient is now finite: the workaround may go");
});
