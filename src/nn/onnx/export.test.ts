/** Parity: ONNX Runtime's output of each exported function equals jax-js's (max abs diff ≤ 1e-4). */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { init, lax, nn, numpy as np, type Array as JArray } from "@jax-js/jax";
import { ortNode } from "../../node.js";
import { OnnxModel } from "../runtime.js";
import { rng } from "../../testing/assert.js";
import { onnxOpCounts } from "../../testing/onnx-graph.js";
import { exportOnnx } from "./export.js";

await init("wasm");
const ort = await ortNode();

function randn(shape: number[], seed: number): JArray {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return np.array(Float32Array.from({ length: n }, () => r() * 2 - 1)).reshape(shape);
}

async function parity(label: string, fn: (p: Record<string, JArray>, ...x: JArray[]) => JArray, params: Record<string, JArray>, inputs: JArray[], runInputs?: JArray[]) {
  const model = exportOnnx(fn, params, inputs, { dynamicAxes: runInputs ? inputs.map(() => ({ [inputs[0].ndim - 1]: "time" })) : undefined });
  const m = await OnnxModel.load(ort, model);
  const xs = runInputs ?? inputs;
  const expected = fn(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.ref])), ...xs.map((x) => x.ref));
  const exp = expected.dataSync() as Float32Array;
  const out = await m.run(Object.fromEntries(xs.map((x, i) => [`input${i}`, { data: x.ref.dataSync() as Float32Array, dims: x.shape }])));
  const got = out.output0;
  assert.deepEqual(got.dims, expected.shape, `${label}: output shape`);
  let worst = 0;
  for (let i = 0; i < exp.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - exp[i]));
  assert.ok(worst <= 1e-4, `${label}: max abs diff ${worst}`);
  await m.dispose();
}

test("dense + relu + softmax (MatMul pattern, reduce max/sum, stop_gradient)", async () => {
  await parity("dense", (p, x) => nn.softmax(nn.relu(np.matmul(x, p.w.ref).add(p.b.ref)), -1), { w: randn([5, 7], 1), b: randn([7], 2) }, [randn([3, 5], 3)]);
});

test("conv2d with stride, dilation and asymmetric padding; tanh and sigmoid", async () => {
  await parity("conv", (p, x) => nn.sigmoid(np.tanh(lax.convGeneralDilated(x, p.w.ref, [2, 1], [[1, 2], [2, 2]], { rhsDilation: [1, 2] }))), { w: randn([4, 2, 3, 3], 4) }, [randn([2, 2, 9, 10], 5)]);
});

test("transposed convolution (lhs dilation): one ConvTranspose where the padding allows, zero insertion otherwise", async () => {
  const w = randn([3, 2, 3, 3], 6), x = randn([1, 2, 5, 6], 7);
  // [padding, lhsDilation, the lowering it must get]: k − 1 − p ≥ 0 at the start, and an end past k − 1 within
  // the stride (output_padding), are ConvTranspose; a start past k − 1 keeps zero insertion.
  const cases: [[number, number][], [number, number], string][] = [
    [[[2, 2], [1, 1]], [2, 1], "ConvTranspose"],
    [[[2, 2], [2, 2]], [2, 2], "ConvTranspose"],
    [[[1, 3], [0, 2]], [2, 3], "ConvTranspose"],
    [[[3, 1], [2, 2]], [2, 2], "Pad"],
  ];
  for (const [padding, lhsDilation, op] of cases) {
    const fn = (p: Record<string, JArray>, xx: JArray) => lax.convGeneralDilated(xx, p.w.ref, [1, 1], padding, { lhsDilation });
    await parity(`convT ${JSON.stringify(padding)} ${lhsDilation}`, fn, { w: w.ref }, [x.ref]);
    const ops = onnxOpCounts(exportOnnx(fn, { w: w.ref }, [x.ref]));
    assert.ok((ops[op] ?? 0) >= 1, `${JSON.stringify(padding)}: ${JSON.stringify(ops)}`);
    assert.equal(ops.ConvTranspose !== undefined, op === "ConvTranspose", JSON.stringify(ops));
  }
  // With a dynamic time axis, run at another length.
  await parity("convT dynamic", (p, xx) => lax.convGeneralDilated(xx, p.w.ref, [1, 1], [[2, 2], [2, 2]], { lhsDilation: [2, 2] }), { w }, [x], [randn([1, 2, 5, 11], 8)]);
});

test("max(x, 0) exports as Relu (which ONNX Runtime fuses into the conv before it); max with another constant stays Max", async () => {
  const fn = (p: Record<string, JArray>, x: JArray) => np.maximum(x.ref, 0.5).add(nn.relu(lax.conv(x, p.w.ref, [1, 1], "SAME")));
  const params = { w: randn([1, 1, 3, 3], 14) };
  await parity("relu", fn, params, [randn([1, 1, 6, 7], 15)]);
  const ops = onnxOpCounts(exportOnnx(fn, params, [randn([1, 1, 6, 7], 15)]));
  assert.equal(ops.Relu, 1, JSON.stringify(ops));
  assert.equal(ops.Max, 1, JSON.stringify(ops));
});

test("movement ops: transpose, reshape, pad, slice, flip, concatenate; compare/where; mean", async () => {
  await parity(
    "movement",
    (p, x) => {
      const y = np.pad(x.ref.transpose([0, 2, 1]), [[0, 0], [1, 2], [0, 1]]);
      const z = np.concatenate([y.ref, np.flip(y, 1)], 2).slice([], [1, 5], []);
      return np.where(z.ref.greater(0), z.ref, z.mul(p.a.ref)).mean(1).reshape([2, -1]);
    },
    { a: randn([1], 8) },
    [randn([2, 3, 4], 9)],
  );
});

test("a conv net exported with a dynamic time axis runs at another length", async () => {
  const fn = (p: Record<string, JArray>, x: JArray) => {
    const h = nn.relu(lax.conv(x, p.w1.ref, [1, 1], "SAME"));
    return lax.conv(h, p.w2.ref, [1, 1], "SAME").mean(1);
  };
  await parity("dynamic", fn, { w1: randn([4, 1, 3, 3], 10), w2: randn([2, 4, 3, 3], 11) }, [randn([1, 1, 8, 16], 12)], [randn([1, 1, 8, 37], 13)]);
});

test("constants that depend on the dynamic axis (a mean over it, a sum scaled by its length) are computed from the input's size; others are refused", async () => {
  // Per-example normalisation over time, as the separation U-Net does: x / sqrt(mean(x²)) — its 1/N is c/n.
  const norm = (_p: Record<string, JArray>, x: JArray) => x.ref.div(np.sqrt(np.square(x).mean([1, 2], { keepdims: true })));
  await parity("mean over the dynamic axis", norm, {}, [randn([2, 3, 16], 20)], [randn([2, 3, 41], 21)]);
  // A constant proportional to the length (c·n).
  const scaled = (_p: Record<string, JArray>, x: JArray) => x.mul(x.shape[2] * 0.5);
  await parity("a constant times the length", scaled, {}, [randn([1, 2, 8], 22)], [randn([1, 2, 29], 23)]);
  // n² is neither: refused rather than exported wrong.
  const squared = (_p: Record<string, JArray>, x: JArray) => x.mul(x.shape[2] ** 2);
  assert.throws(() => exportOnnx(squared, {}, [randn([1, 2, 8], 24)], { dynamicAxes: [{ 2: "time" }] }), /a constant changes with the dynamic axis/);
});

test("an unsupported primitive is refused by name", () => {
  assert.throws(() => exportOnnx((_p: Record<string, JArray>, x: JArray) => np.sort(x), {}, [randn([4], 1)]), /primitive "sort" is not supported/);
});

test("chunked inference with overlap and cross-fade equals one pass over a long input (receptive field inside the overlap)", async () => {
  const { runChunked } = await import("../runtime.js");
  const fn = (p: Record<string, JArray>, x: JArray) => np.tanh(lax.conv(nn.relu(lax.conv(x, p.w1.ref, [1, 1], "SAME")), p.w2.ref, [1, 1], "SAME"));
  const params = { w1: randn([4, 2, 3, 5], 20), w2: randn([3, 4, 3, 5], 21) };
  const model = await OnnxModel.load(ort, exportOnnx(fn, params, [randn([1, 2, 6, 40], 22)], { dynamicAxes: [{ 3: "time" }] }));
  const long = randn([1, 2, 6, 1000], 23);
  const data = long.dataSync() as Float32Array;
  const full = (await model.run({ input0: { data, dims: [1, 2, 6, 1000] } })).output0;
  let progressCalls = 0;
  // Receptive field: two 5-wide kernels → ±4 frames; overlap 32 leaves 8 guard frames each side.
  const chunked = await runChunked(model, { data, dims: [1, 2, 6, 1000] }, { chunk: 128, overlap: 32, onProgress: () => progressCalls++ });
  assert.deepEqual(chunked.dims, full.dims);
  let worst = 0;
  for (let i = 0; i < full.data.length; i++) worst = Math.max(worst, Math.abs(full.data[i] - chunked.data[i]));
  assert.ok(worst < 1e-5, `max diff ${worst}`);
  assert.ok(progressCalls >= 10);
  // The same input as a source that makes each chunk on demand (TensorSource), chunked and in one piece.
  let filled = 0;
  const source = {
    dims: [1, 2, 6, 1000],
    fill: (out: Float32Array, start: number, len: number, width: number) => {
      filled += len;
      for (let r = 0; r < 12; r++) out.set(data.subarray(r * 1000 + start, r * 1000 + start + len), r * width);
    },
  };
  const viaSource = await runChunked(model, source, { chunk: 128, overlap: 32 });
  assert.deepEqual(Array.from(viaSource.data), Array.from(chunked.data));
  assert.ok(filled >= 1000 && filled < 1400, `${filled} frames filled`);
  const whole = await runChunked(model, source, { chunk: 2048, overlap: 32 });
  assert.deepEqual(Array.from(whole.data), Array.from(full.data));
  // A model exported for exactly 128 frames (no dynamic axis) runs the same way, its last chunk zero-padded.
  const fixed = await OnnxModel.load(ort, exportOnnx(fn, params, [randn([1, 2, 6, 128], 24)]));
  const viaFixed = await runChunked(fixed, { data, dims: [1, 2, 6, 1000] }, { chunk: 128, overlap: 32, fixedLength: true });
  assert.deepEqual(viaFixed.dims, full.dims);
  // Equal except within the receptive-field radius of the input's end: zeros after the end enter the first
  // layer only, where one pass pads every layer with zeros.
  let worstFixed = 0;
  for (let i = 0; i < full.data.length; i++) if (i % 1000 < 996) worstFixed = Math.max(worstFixed, Math.abs(full.data[i] - viaFixed.data[i]));
  assert.ok(worstFixed < 1e-5, `fixed-length max diff ${worstFixed}`);
  await fixed.dispose();
  await model.dispose();
});

test("the same OnnxModel API runs on onnxruntime-web (its wasm backend, here in Node): the browser path", async () => {
  const web = (await import("onnxruntime-web")) as unknown as typeof ort & { env: { wasm: { numThreads: number } } };
  web.env.wasm.numThreads = 1;
  const fn = (p: Record<string, JArray>, x: JArray) => nn.relu(lax.conv(x, p.w.ref, [1, 1], "SAME")).mean(1);
  const params = { w: randn([3, 2, 3, 3], 30) };
  const x = randn([1, 2, 5, 7], 31);
  const bytes = exportOnnx(fn, params, [x.ref]);
  const data = x.dataSync() as Float32Array;
  const [a, b] = await Promise.all([OnnxModel.load(ort, bytes), OnnxModel.load(web, bytes)]);
  const ya = (await a.run({ input0: { data, dims: [1, 2, 5, 7] } })).output0, yb = (await b.run({ input0: { data, dims: [1, 2, 5, 7] } })).output0;
  assert.deepEqual(ya.dims, yb.dims);
  for (let i = 0; i < ya.data.length; i++) assert.ok(Math.abs(ya.data[i] - yb.data[i]) < 1e-5);
});

test("countFlops: 2 per multiply-add of dense layers and convolutions, the same for both conv lowerings", async () => {
  const { countFlops } = await import("./export.js");
  const { initConv2d, initDense, dense, conv2d, Rng } = await import("../layers.js");
  const r = new Rng(1);
  const d = initDense(r, 3, 4);
  assert.equal(countFlops((p: typeof d, x) => dense(p, x), d, [np.zeros([2, 3])]), 2 * 2 * 4 * 3);
  const c = initConv2d(r, 2, 3, 3, 3);
  const want = 2 * (3 * 5 * 5) * (2 * 3 * 3);
  assert.equal(countFlops((p: typeof c, x) => conv2d(p, x, { impl: "lax" }), c, [np.zeros([1, 2, 5, 5])]), want);
  assert.equal(countFlops((p: typeof c, x) => conv2d(p, x, { impl: "matmul" }), c, [np.zeros([1, 2, 5, 5])]), want);
  // A transposed conv (stride 2) as its ConvTranspose computes it: each input pixel times O·k², not the zero-inserted input.
  const { convTranspose2d } = await import("../blocks.js");
  const t = { w: np.zeros([2, 3, 3, 3]), b: np.zeros([3]) };
  assert.equal(countFlops((p: typeof t, x) => convTranspose2d(p, x, [2, 2]), t, [np.zeros([1, 2, 4, 5])]), 2 * (2 * 4 * 5) * (3 * 3 * 3));
});
