import * as assert from "node:assert/strict";
import { test } from "node:test";
import { init, numpy as np, tree, type Array as JArray } from "@jax-js/jax";
import { ortNode } from "../../node.js";
import { exportOnnx } from "../../nn/onnx/export.js";
import { OnnxModel } from "../../nn/runtime.js";
import { maxAbsDiff } from "../../testing/assert.js";
import { arrayValues, fitFixedBatch } from "../../testing/arrays.js";
import { Rng } from "../../random.js";
import { normalizedSoftmaxLoss } from "../../nn/optim.js";
import { coverEmbedding, distillLoss, initCoverNet, pitchPatches, PROXY_SCALE, type CoverNetConfig } from "./embedding.js";

await init("wasm");
const ort = await ortNode();
const cfg: CoverNetConfig = { views: 3, pitchChannels: 6, channels: 8, dim: 5 };

function features(seed: number, frames: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: 3 * 12 * frames }, () => r.uniform());
}
const patches = (x: Float32Array, frames: number) => np.array(pitchPatches(x, 3, frames)).reshape([1, 12, frames, 180]);
/** A circular roll of the pitch axis by r (a transposition) of view-major features. */
function roll(x: Float32Array, frames: number, r: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let v = 0; v < 3; v++) for (let k = 0; k < 12; k++) out.set(x.subarray((v * 12 + k) * frames, (v * 12 + k + 1) * frames), (v * 12 + ((k + r) % 12)) * frames);
  return out;
}

test("cover embedding: unit length; patch and lax paths agree; invariant to transposition; ONNX Runtime agrees (≤ 1e-4) at two lengths", async () => {
  const p = initCoverNet(cfg, 1);
  const x = features(2, 20);
  const a = arrayValues(coverEmbedding(tree.ref(p), patches(x, 20), "patch"));
  const b = arrayValues(coverEmbedding(tree.ref(p), np.array(x).reshape([1, 3, 12, 20]), "lax"));
  assert.equal(a.length, 5);
  assert.ok(Math.abs(Math.hypot(...a) - 1) < 1e-5);
  assert.ok(maxAbsDiff(a, b) < 1e-5, `patch vs lax ${maxAbsDiff(a, b)}`);
  const rolled = arrayValues(coverEmbedding(tree.ref(p), patches(roll(x, 20, 5), 20), "patch"));
  assert.ok(maxAbsDiff(a, rolled) < 1e-5, `transposed input changed the embedding by ${maxAbsDiff(a, rolled)}`);
  // A different song is not at the same place.
  const other = arrayValues(coverEmbedding(tree.ref(p), patches(features(3, 20), 20), "patch"));
  assert.ok(maxAbsDiff(a, other) > 1e-3);
  const model = await OnnxModel.load(ort, exportOnnx((q: typeof p, xx: JArray) => coverEmbedding(q, xx, "lax"), p, [np.zeros([1, 3, 12, 16])], { dynamicAxes: [{ 3: "frames" }] }));
  for (const frames of [20, 57]) {
    const xs = features(frames, frames);
    const want = arrayValues(coverEmbedding(tree.ref(p), patches(xs, frames), "patch"));
    const got = (await model.run({ input0: { data: xs, dims: [1, 3, 12, frames] } })).output0;
    assert.deepEqual(got.dims, [1, 5]);
    assert.ok(maxAbsDiff(got.data, want) <= 1e-4, `ONNX vs jax-js at ${frames} frames: ${maxAbsDiff(got.data, want)}`);
  }
  await model.dispose();
});

test("cover embedding: the proxy loss learns to tell two songs apart; distillation pulls the Gram matrix to the teacher's", () => {
  const p = initCoverNet(cfg, 4);
  const x = np.concatenate([patches(features(5, 12), 12), patches(features(6, 12), 12)], 0);
  const proxies = np.array(Float32Array.from({ length: 10 }, (_, i) => Math.sin(i + 1))).reshape([2, 5]);
  const targets = np.array([1, 0, 0, 1]).reshape([2, 2]);
  const { first, last } = fitFixedBatch((q: { net: typeof p; proxies: JArray }, xx: JArray, yy: JArray) => normalizedSoftmaxLoss(coverEmbedding(q.net, xx, "patch"), q.proxies, yy, PROXY_SCALE), { net: p, proxies }, [x.ref, targets], 60, 1e-2);
  assert.ok(last < 0.05 && last < first / 5, `proxy loss ${first} → ${last}`);
  const teacher = np.array([1, -1, -1, 1]).reshape([2, 2]); // opposite directions
  const d = fitFixedBatch((q: typeof p, xx: JArray, tt: JArray) => distillLoss(coverEmbedding(q, xx, "patch"), tt), initCoverNet(cfg, 8), [x, teacher], 80, 1e-2);
  assert.ok(d.last < 0.02 && d.last < d.first / 5, `distillation loss ${d.first} → ${d.last}`);
});

test("the shipped cover embedding model: its ONNX file computes what its weights compute in jax-js (≤ 1e-4), on stored-feature layouts of two lengths", async () => {
  const { existsSync, readFileSync, readdirSync } = await import("node:fs");
  const path = await import("node:path");
  const { MODELS_DIR } = await import("../../io/model-files.js");
  const { decodeSafetensors } = await import("../../nn/safetensors.js");
  const { treeOf } = await import("../../prune/units.js");
  const { loadCoverEmbedder } = await import("../../node.js");
  const { coverInput } = await import("./contract.js");
  const shipped = readdirSync(MODELS_DIR).filter((f) => f.startsWith("covers-") && f.endsWith(".onnx"));
  assert.ok(shipped.length >= 1, "a cover embedding model ships");
  for (const f of shipped) {
    const weights = path.join(MODELS_DIR, f.replace(/\.onnx$/, ".safetensors"));
    assert.ok(existsSync(weights), `${f} ships with its weights`);
    const p = treeOf<Parameters<typeof coverEmbedding>[0]>(decodeSafetensors(new Uint8Array(readFileSync(weights)), weights).tensors);
    const m = await loadCoverEmbedder(path.join(MODELS_DIR, f));
    for (const frames of [30, 71]) {
      const r = new Rng(frames);
      const view = () => Float32Array.from({ length: frames * 12 }, () => r.uniform());
      const feats = { hpcp: view(), melody: view(), salience: view(), nFrames: frames };
      const want = arrayValues(coverEmbedding(tree.ref(p), patches(coverInput(feats), frames), "patch"));
      const got = await m.embed(feats);
      assert.equal(got.length, m.dim);
      assert.ok(maxAbsDiff(got, want) <= 1e-4, `${f} at ${frames} frames: ${maxAbsDiff(got, want)}`);
    }
    await m.dispose();
  }
});
