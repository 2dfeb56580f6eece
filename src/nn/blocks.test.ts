import * as assert from "node:assert/strict";
import { test } from "node:test";
import { grad, init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { ortNode } from "../node.js";
import { attentionPool, batchNorm, bidirectional, convTranspose2d, film, gru, initAttentionPool, initBatchNorm, initGru, initLayerNorm, initLstm, layerNorm, lstm, conv1d } from "./blocks.js";
import { initConv2d, Rng } from "./layers.js";
import { exportOnnx } from "./onnx/export.js";
import { OnnxModel } from "./runtime.js";

await init("wasm");
const ort = await ortNode();

function rand(shape: number[], seed: number, scale = 1): JArray {
  const r = new Rng(seed);
  return np.array(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal() * scale)).reshape(shape);
}
const values = (a: JArray) => Array.from(a.dataSync() as Float32Array);

async function onnxParity(label: string, fn: (p: Record<string, unknown>, x: JArray) => JArray, params: Record<string, unknown>, x: JArray) {
  const expected = values(fn(params, x.ref));
  const m = await OnnxModel.load(ort, exportOnnx(fn as never, params as never, [x.ref]));
  const got = (await m.run({ input0: { data: x.dataSync() as Float32Array, dims: x.shape } })).output0.data;
  let worst = 0;
  expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - got[i]))));
  assert.ok(worst <= 1e-4, `${label}: ONNX vs jax-js max diff ${worst}`);
  await m.dispose();
}

test("batch norm: train mode normalises per channel and updates running stats; eval mode uses them; ONNX parity (eval)", async () => {
  const { params, stats } = initBatchNorm(3);
  const x = rand([4, 3, 5, 6], 1, 2).add(1.5);
  const { y, stats: next } = batchNorm(params, stats, x.ref, { train: true });
  const yv = values(y);
  for (let c = 0; c < 3; c++) {
    let s = 0, s2 = 0, n = 0;
    for (let b = 0; b < 4; b++) for (let i = 0; i < 30; i++) { const v = yv[(b * 3 + c) * 30 + i]; s += v; s2 += v * v; n++; }
    assert.ok(Math.abs(s / n) < 1e-4 && Math.abs(s2 / n - 1) < 1e-3, `channel ${c}`);
  }
  const m = values(next.mean.ref);
  m.forEach((v) => assert.ok(Math.abs(v - 0.15) < 0.1, `running mean ${v} ≈ 0.1 × 1.5`));
  await onnxParity("batchnorm eval", (p, xx) => batchNorm(p.params as never, p.stats as never, xx, { train: false }).y, { params, stats: next }, x);
});

test("layer norm, FiLM (weak and strong) and attention pooling; ONNX parity", async () => {
  const ln = initLayerNorm(6);
  const x = rand([2, 4, 6], 2, 3);
  const y = values(layerNorm(ln, x.ref));
  for (let r = 0; r < 8; r++) {
    const row = y.slice(r * 6, r * 6 + 6);
    assert.ok(Math.abs(row.reduce((a, b) => a + b) / 6) < 1e-5);
  }
  await onnxParity("layernorm", (p, xx) => layerNorm(p.ln as never, xx), { ln }, x.ref);
  const xf = rand([2, 3, 4, 5], 3);
  const weak = values(film(xf.ref, np.array([[2, 2, 2], [1, 1, 1]]), np.zeros([2, 3])));
  const base = values(xf.ref);
  assert.ok(Math.abs(weak[0] - 2 * base[0]) < 1e-6 && Math.abs(weak[60] - base[60]) < 1e-6);
  const strong = film(xf.ref, np.ones([2, 3, 5]), np.ones([2, 3, 5]));
  assert.deepEqual(strong.shape, [2, 3, 4, 5]);
  assert.ok(Math.abs(values(strong)[7] - (base[7] + 1)) < 1e-6);
  const ap = initAttentionPool(new Rng(4), 6, 8);
  const zero = { w: ap.w.ref, v: np.zeros([8, 1]) };
  const pooled = values(attentionPool(zero, x.ref));
  const mean = values(x.ref.mean(1));
  pooled.forEach((v, i) => assert.ok(Math.abs(v - mean[i]) < 1e-5, "equal scores → mean over time"));
  await onnxParity("attention pool", (p, xx) => attentionPool(p.ap as never, xx), { ap }, x);
});

test("conv1d and transposed conv2d: sizes, a hand-checked value, ONNX parity", async () => {
  const c = initConv2d(new Rng(5), 2, 3, 1, 5);
  const p1 = { w: c.w.ref.reshape([3, 2, 5]), b: c.b.ref };
  const x1 = rand([1, 2, 20], 6);
  assert.deepEqual(conv1d(p1, x1.ref).shape, [1, 3, 20]);
  // Transposed conv of a single impulse copies the kernel: out[o, i + a, j + b] = w[0, o, a, b] (stride 2).
  const wt = rand([1, 2, 3, 3], 7);
  const impulse = np.zeros([1, 1, 2, 2]).add(np.array([[[[1, 0], [0, 0]]]]));
  const yt = convTranspose2d({ w: wt.ref, b: np.zeros([2]) }, impulse, [2, 2]);
  assert.deepEqual(yt.shape, [1, 2, 5, 5]);
  const yv = values(yt), wv = values(wt.ref);
  for (let o = 0; o < 2; o++) for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) assert.ok(Math.abs(yv[o * 25 + a * 5 + b] - wv[o * 9 + a * 3 + b]) < 1e-6);
  await onnxParity("convTranspose2d", (p, xx) => convTranspose2d(p.t as never, xx, [2, 1]), { t: { w: rand([2, 3, 3, 4], 8), b: rand([3], 9) } }, rand([1, 2, 4, 5], 10));
});

/** The GRU equations in plain JavaScript, for one sequence. */
function naiveGru(wx: number[][], wh: number[][], b: number[], xs: number[][]): number[][] {
  const H = wh.length;
  let h = new Array(H).fill(0);
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const out: number[][] = [];
  for (const x of xs) {
    const gx = b.map((bb, j) => bb + x.reduce((s, xi, i) => s + xi * wx[i][j], 0));
    const gh = b.map((_, j) => h.reduce((s, hi, i) => s + hi * wh[i][j], 0));
    const r = h.map((_, k) => sig(gx[k] + gh[k])), z = h.map((_, k) => sig(gx[H + k] + gh[H + k]));
    const n = h.map((_, k) => Math.tanh(gx[2 * H + k] + r[k] * gh[2 * H + k]));
    h = h.map((hk, k) => z[k] * hk + (1 - z[k]) * n[k]);
    out.push(h);
  }
  return out;
}

test("GRU equals its equations; LSTM and bidirectional shapes and gradients; ONNX parity at a fixed length", async () => {
  const p = initGru(new Rng(11), 3, 4);
  const x = rand([1, 6, 3], 12);
  const got = values(gru(p, x.ref));
  const to2 = (a: JArray, r: number, c: number) => { const v = values(a); return Array.from({ length: r }, (_, i) => v.slice(i * c, i * c + c)); };
  const expected = naiveGru(to2(p.wx.ref, 3, 12), to2(p.wh.ref, 4, 12), values(p.b.ref), to2(x.ref.reshape([6, 3]), 6, 3)).flat();
  expected.forEach((v, i) => assert.ok(Math.abs(v - got[i]) < 1e-5, `gru[${i}] ${got[i]} vs ${v}`));
  const l = initLstm(new Rng(13), 3, 5), l2 = initLstm(new Rng(14), 3, 5);
  const y = bidirectional(lstm, l, l2, x.ref);
  assert.deepEqual(y.shape, [1, 6, 10]);
  const g = grad((q: typeof l) => lstm(q, x.ref).sum())(l);
  assert.deepEqual(g.wh.shape, [5, 20]);
  await onnxParity("gru", (q, xx) => gru(q.p as never, xx), { p }, x.ref);
  await onnxParity("bi-lstm", (q, xx) => bidirectional(lstm, q.a as never, q.b as never, xx), { a: initLstm(new Rng(15), 3, 5), b: initLstm(new Rng(16), 3, 5) }, x);
});

test("recurrent layers export as ONNX GRU/LSTM nodes: one model, traced at 6 steps, equals jax-js at 1, 6 and 23 steps and another batch size", async () => {
  const params = { g: initGru(new Rng(21), 3, 4), gr: initGru(new Rng(22), 3, 4), l: initLstm(new Rng(23), 8, 5), lr: initLstm(new Rng(24), 8, 5) };
  // A bidirectional GRU, then a bidirectional LSTM on its output: every core, both directions.
  const fn = (q: typeof params, xx: JArray) => bidirectional(lstm, q.l, q.lr, bidirectional(gru, q.g, q.gr, xx));
  const model = exportOnnx(fn, params, [rand([2, 6, 3], 25)], { dynamicAxes: [{ 0: "batch", 1: "steps" }] });
  const text = new TextDecoder("latin1").decode(model);
  assert.ok(text.includes("GRU") && text.includes("LSTM"), "the graph holds GRU and LSTM nodes");
  const m = await OnnxModel.load(ort, model);
  for (const [b, t] of [[2, 6], [2, 1], [3, 23]]) {
    const x = rand([b, t, 3], 26 + t);
    const expected = values(fn(params, x.ref));
    const got = (await m.run({ input0: { data: x.dataSync() as Float32Array, dims: x.shape } })).output0;
    assert.deepEqual(got.dims, [b, t, 10]);
    let worst = 0;
    expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - got.data[i]))));
    assert.ok(worst <= 1e-5, `batch ${b}, ${t} steps: ONNX vs jax-js max diff ${worst}`);
  }
  await m.dispose();
});
