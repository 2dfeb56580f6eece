/**
 * Model-stack benchmarks: training-step GFLOP/s of a TFC-like block (densely
 * connected 3×3 convolutions) and a TDF-like block (per-frame dense layers
 * over frequency with a bottleneck), with jax-js's lax.conv and with our
 * matmul lowering (one matmul per kernel tap; NCHW between two transposes,
 * and channels-last), against the jax-js matmul roofline measured in the
 * same run; and ONNX Runtime inference GFLOP/s of the exported blocks beside
 * a bare ONNX Conv of the same size.
 *   npm run bench:nn
 */
import { init, jit, numpy as np, tree, valueAndGrad, type Array as JArray } from "@jax-js/jax";
import { conv2d, conv2dNhwc, dense, initConv2d, initDense, relu, Rng, type Conv2dParams, type DenseParams } from "../src/nn/layers.js";
import { exportOnnx } from "../src/nn/onnx/export.js";
import { OnnxModel } from "../src/nn/runtime.js";
import { ortNode } from "../src/node.js";

await init("wasm");
const ort = await ortNode();
const B = 4, C = 16, K = 16, LAYERS = 3, F = 128, T = 64;

type Tfc = Conv2dParams[];
type Tdf = { a: DenseParams; b: DenseParams };

function tfc(p: Tfc, x: JArray, impl: "lax" | "matmul"): JArray {
  let h = x;
  for (const layer of p) h = np.concatenate([h.ref, relu(conv2d(layer, h, { impl }))], 1);
  return h;
}
const tfcFlops = () => { let s = 0; for (let i = 0; i < LAYERS; i++) s += 2 * B * F * T * (C + i * K) * K * 9; return s; };

function tdf(p: Tdf, x: JArray): JArray {
  // x: [B, C, T, F] → dense over F with bottleneck F/16.
  return relu(dense(p.b, relu(dense(p.a, x))));
}
const tdfFlops = () => 2 * B * C * T * (F * (F / 16) * 2);

function rand(shape: number[], seed: number): JArray {
  const r = new Rng(seed);
  return np.array(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal())).reshape(shape);
}

function timeSteps(fn: () => void, reps: number): number {
  fn(); // compile / warm up
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / 1000 / reps;
}

const rng = new Rng(1);
const tfcParams: Tfc = Array.from({ length: LAYERS }, (_, i) => initConv2d(rng, C + i * K, K, 3));
const tdfParams: Tdf = { a: initDense(rng, F, F / 16), b: initDense(rng, F / 16, F) };
const x = rand([B, C, T, F], 2);

// Matmul roofline: a square matmul of similar work.
const m = rand([512, 512], 3), n = rand([512, 512], 4);
const mm = jit((a: JArray, b: JArray) => np.matmul(a, b));
const tMM = timeSteps(() => { mm(m.ref, n.ref).dataSync(); }, 10);
const roofline = (2 * 512 ** 3) / tMM / 1e9;

// The matmul shape of a whole layer's forward product ([B·F·T, 9·C] @ [9·C, K]; the lowering runs it as nine
// [B·F·T, C] @ [C, K] products): the achievable ceiling for skinny products is lower than for square ones.
const pa = rand([B * F * T, 9 * (C + K)], 5), pb = rand([9 * (C + K), K], 6);
const tSkinny = timeSteps(() => { mm(pa.ref, pb.ref).dataSync(); }, 5);
const skinny = (2 * B * F * T * 9 * (C + K) * K) / tSkinny / 1e9;

const rows: string[][] = [];
rows.push([`jax-js matmul [${B * F * T}, ${9 * (C + K)}] @ [${9 * (C + K)}, ${K}]`, `${(tSkinny * 1000).toFixed(1)} ms`, `${skinny.toFixed(2)} GFLOP/s`, `${((100 * skinny) / roofline).toFixed(0)}% of roofline`]);
for (const impl of ["lax", "matmul"] as const) {
  const step = jit(valueAndGrad((p: Tfc, xx: JArray) => tfc(p, xx, impl).mean()));
  const t = timeSteps(() => { const [v, g] = step(tree.ref(tfcParams), x.ref) as unknown as [JArray, Tfc]; v.dataSync(); tree.dispose(g); }, impl === "lax" ? 1 : 3);
  const gf = (3 * tfcFlops()) / t / 1e9;
  rows.push([`TFC train step (${impl === "lax" ? "lax.conv" : "a matmul per tap, NCHW"})`, `${(t * 1000).toFixed(0)} ms`, `${gf.toFixed(2)} GFLOP/s`, `${((100 * gf) / roofline).toFixed(0)}% of roofline`]);
  step.dispose();
}
{
  // The same block channels-last (conv2dNhwc): a sum of shifted matmuls, one per kernel tap.
  const tfcNhwc = (p: Tfc, xx: JArray) => {
    let h = xx;
    for (const layer of p) h = np.concatenate([h.ref, relu(conv2dNhwc(layer, h))], 3);
    return h;
  };
  const xn = x.ref.transpose([0, 2, 3, 1]);
  const step = jit(valueAndGrad((p: Tfc, xx: JArray) => tfcNhwc(p, xx).mean()));
  const t = timeSteps(() => { const [v, g] = step(tree.ref(tfcParams), xn.ref) as unknown as [JArray, Tfc]; v.dataSync(); tree.dispose(g); }, 3);
  const gf = (3 * tfcFlops()) / t / 1e9;
  rows.push(["TFC train step (channels-last, a matmul per tap)", `${(t * 1000).toFixed(0)} ms`, `${gf.toFixed(2)} GFLOP/s`, `${((100 * gf) / roofline).toFixed(0)}% of roofline`]);
  step.dispose();
}
{
  const step = jit(valueAndGrad((p: Tdf, xx: JArray) => tdf(p, xx).mean()));
  const t = timeSteps(() => { const [v, g] = step(tree.ref(tdfParams), x.ref) as unknown as [JArray, Tdf]; v.dataSync(); tree.dispose(g); }, 5);
  const gf = (3 * tdfFlops()) / t / 1e9;
  rows.push(["TDF train step (dense)", `${(t * 1000).toFixed(0)} ms`, `${gf.toFixed(2)} GFLOP/s`, `${((100 * gf) / roofline).toFixed(0)}% of roofline`]);
}

async function ortTime(model: Uint8Array, input: Float32Array, dims: number[], reps: number): Promise<number> {
  const s = await OnnxModel.load(ort, model, { threads: 1 });
  const name = s.inputNames[0];
  await s.run({ [name]: { data: input, dims } });
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await s.run({ [name]: { data: input, dims } });
  await s.dispose();
  return (performance.now() - t0) / 1000 / reps;
}
const xData = x.ref.dataSync() as Float32Array;
const tfcOnnx = exportOnnx((p: Tfc, xx: JArray) => tfc(p, xx, "lax"), tfcParams, [x.ref]);
const tTfc = await ortTime(tfcOnnx, xData, [B, C, T, F], 20);
// A bare Conv of the first layer's size, exported the same way, as ORT's conv reference speed.
const conv0 = exportOnnx((p: Conv2dParams, xx: JArray) => conv2d(p, xx, { impl: "lax" }), tfcParams[0], [x.ref]);
const tConv = await ortTime(conv0, xData, [B, C, T, F], 20);
const convGf = (2 * B * F * T * C * K * 9) / tConv / 1e9;
const tfcGf = tfcFlops() / tTfc / 1e9;
rows.push(["ONNX Runtime, one 3×3 Conv (1 thread)", `${(tConv * 1000).toFixed(2)} ms`, `${convGf.toFixed(1)} GFLOP/s`, "reference"]);
rows.push(["ONNX Runtime, exported TFC block (1 thread)", `${(tTfc * 1000).toFixed(2)} ms`, `${tfcGf.toFixed(1)} GFLOP/s`, `${((100 * tfcGf) / convGf).toFixed(0)}% of Conv`]);
const tdfOnnx = exportOnnx((p: Tdf, xx: JArray) => tdf(p, xx), tdfParams, [x.ref]);
const tTdf = await ortTime(tdfOnnx, xData, [B, C, T, F], 50);
rows.push(["ONNX Runtime, exported TDF block (1 thread)", `${(tTdf * 1000).toFixed(2)} ms`, `${(tdfFlops() / tTdf / 1e9).toFixed(1)} GFLOP/s`, ""]);

console.log(`jax-js wasm matmul roofline (512³, jit): ${roofline.toFixed(1)} GFLOP/s; blocks: batch ${B}, ${C} channels, growth ${K}, ${LAYERS} layers, ${F} bins × ${T} frames`);
console.log("| measurement | time | throughput | vs anchor |\n|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
