import * as assert from "node:assert/strict";
import { test } from "node:test";
import { init, numpy as np, tree, type Array as JArray } from "@jax-js/jax";
import { PHONEMES } from "../../lyrics/phonemes.js";
import { OnnxModel } from "../../nn/runtime.js";
import { ortNode } from "../../node.js";
import { arrayValues, fitFixedBatch, randomArray } from "../../testing/arrays.js";
import { CONDITIONINGS, exportInformed, informedForward, informedGraph, informedLoss, initInformed, type InformedConfig } from "./informed.js";
import { unetMask, type UNetConfig } from "./unet.js";
import { exportLyricsUnmix, initLyricsUnmix, lyricsUnmixLoss, lyricsUnmixMask, type LyricsUnmixConfig } from "./lyrics.js";

await init("wasm");
const ort = await ortNode();
const UNET: UNetConfig = { block: "tfc-tdf", bins: 32, channels: 6, depth: 2, layers: 2, growth: 4 };
const P = PHONEMES.length;

/** A one-hot phoneme matrix [1, P, T] with a phoneme drawn per 3 frames. */
function phonemes(T: number, seed: number): JArray {
  const m = new Float32Array(P * T);
  let s = seed;
  for (let t = 0; t < T; t++) {
    if (t % 3 === 0) s = (s * 1103515245 + 12345) % 2147483648;
    m[(s % P) * T + t] = 1;
  }
  return np.array(m).reshape([1, P, T]);
}

/** Makes the FiLM tables non-zero so that conditioning changes the output. */
function perturbed(p: ReturnType<typeof initInformed>) {
  if (p.film) p.film = p.film.map((t, d) => ({ gamma: t.gamma.add(randomArray(t.gamma.shape, 20 + d).mul(0.3)), beta: t.beta.add(randomArray(t.beta.shape, 30 + d).mul(0.3)) }));
  return p;
}

for (const conditioning of CONDITIONINGS) {
  for (const activation of conditioning === "none" || conditioning === "strong-channel" ? [false, true] : [false]) {
    test(`informed U-Net ${conditioning}${activation ? " + activation head" : ""}: ONNX Runtime agrees with jax-js (≤ 1e-4) at the traced length and another`, async () => {
      const cfg: InformedConfig = { unet: UNET, conditioning, activation };
      const p = perturbed(initInformed(cfg, 1));
      const onnx = await OnnxModel.load(ort, exportInformed(tree.ref(p), cfg));
      assert.deepEqual(onnx.inputNames, conditioning === "none" ? ["mixture"] : ["mixture", "phonemes"]);
      assert.deepEqual(onnx.outputNames, activation ? ["mask", "activation"] : ["mask"]);
      for (const T of [16, 24]) {
        const x = randomArray([1, 4, UNET.bins, T], T), c = phonemes(T, T);
        const feeds = { mixture: { data: x.ref.dataSync() as Float32Array, dims: [1, 4, UNET.bins, T] }, ...(conditioning === "none" ? {} : { phonemes: { data: c.ref.dataSync() as Float32Array, dims: [1, P, T] } }) };
        const out = await onnx.run(feeds);
        const expected = informedGraph(cfg)(tree.ref(p), x, ...(conditioning === "none" ? (c.dispose(), []) : [c]));
        const [mask, act] = Array.isArray(expected) ? expected : [expected];
        const worst = (a: number[], b: Float32Array) => a.reduce((w, v, i) => Math.max(w, Math.abs(v - b[i])), 0);
        assert.ok(worst(arrayValues(mask), out.mask.data) <= 1e-4, `${T} frames: mask`);
        if (act) {
          assert.deepEqual(out.activation.dims, [1, 1, T]);
          assert.ok(worst(arrayValues(act), out.activation.data) <= 1e-4, `${T} frames: activation`);
        }
      }
      await onnx.dispose();
      tree.dispose(p);
    });
  }
}

test("a conditioned U-Net starts as the U-Net it extends (zero FiLM tables), and conditioning then changes its mask", () => {
  const cfg: InformedConfig = { unet: UNET, conditioning: "strong-frequency", activation: false };
  const p = initInformed(cfg, 2);
  const x = randomArray([1, 4, UNET.bins, 16], 5);
  const plain = arrayValues(unetMask(tree.ref(p.unet), x.ref));
  const fresh = arrayValues(informedForward(cfg, tree.ref(p), x.ref, phonemes(16, 1)).mask);
  assert.deepEqual(fresh, plain);
  const q = perturbed(p);
  const a = arrayValues(informedForward(cfg, tree.ref(q), x.ref, phonemes(16, 1)).mask);
  const b = arrayValues(informedForward(cfg, tree.ref(q), x, phonemes(16, 7)).mask);
  assert.ok(a.some((v, i) => Math.abs(v - b[i]) > 1e-3), "another alignment gives another mask");
  tree.dispose(q);
});

test("strong conditioning refuses a phoneme matrix that is not frame-aligned", () => {
  const cfg: InformedConfig = { unet: UNET, conditioning: "strong-scalar", activation: false };
  const p = initInformed(cfg, 2);
  assert.throws(() => informedForward(cfg, p, randomArray([1, 4, UNET.bins, 16], 5), phonemes(32, 1)), /one per frame/);
});

test("training learns to use the phonemes: a target that is silent where the matrix says silence", () => {
  // Vocals = the mixture where the phoneme is not silence, else nothing: only the conditioning can tell.
  const cfg: InformedConfig = { unet: UNET, conditioning: "strong-scalar", activation: true };
  const T = 16, B = 2;
  const mix = randomArray([B, 4, UNET.bins, T], 8);
  const cm = new Float32Array(B * P * T), gate = new Float32Array(B * T), active = new Float32Array(B * (T / 4));
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) {
    const on = (Math.floor(t / 4) + b) % 2 === 0;
    cm[(b * P + (on ? 5 : 0)) * T + t] = 1;
    gate[b * T + t] = on ? 1 : 0;
    if (on) active[b * (T / 4) + Math.floor(t / 4)] = 1;
  }
  const c = np.array(cm).reshape([B, P, T]);
  const voc = mix.ref.mul(np.array(gate).reshape([B, 1, 1, T]));
  const { first, last } = fitFixedBatch((q, m, v, cc, a) => informedLoss(cfg, q, m, v, cc, a), initInformed(cfg, 3), [mix, voc, c, np.array(active).reshape([B, T / 4])], 40, 1e-2);
  assert.ok(last < first * 0.5, `loss ${first} → ${last}`);
});

for (const lyrics of [false, true]) {
  test(`lyrics-informed recurrent model${lyrics ? "" : " (its unconditioned twin)"}: ONNX Runtime agrees with jax-js (≤ 1e-4) at two lengths; a training step lowers the loss`, async () => {
    const cfg: LyricsUnmixConfig = { bins: 32, hidden: 8, embed: 4, lyrics };
    const p = initLyricsUnmix(cfg, 3);
    const onnx = await OnnxModel.load(ort, exportLyricsUnmix(tree.ref(p), cfg));
    assert.deepEqual(onnx.inputNames, lyrics ? ["mixture", "phonemes"] : ["mixture"]);
    for (const T of [8, 13]) {
      const x = randomArray([1, 4, 32, T], T), c = phonemes(T, T);
      const out = await onnx.run({ mixture: { data: x.ref.dataSync() as Float32Array, dims: [1, 4, 32, T] }, ...(lyrics ? { phonemes: { data: c.ref.dataSync() as Float32Array, dims: [1, P, T] } } : {}) });
      const expected = arrayValues(lyricsUnmixMask(tree.ref(p), x, lyrics ? c : (c.dispose(), null)));
      assert.deepEqual(out.mask.dims, [1, 2, 32, T]);
      assert.ok(expected.reduce((w, v, i) => Math.max(w, Math.abs(v - out.mask.data[i])), 0) <= 1e-4, `${T} frames`);
    }
    await onnx.dispose();
    const mix = randomArray([2, 4, 32, 8], 9), voc = mix.ref.mul(0.3);
    const { first, last } = fitFixedBatch((q, m, v, cc) => lyricsUnmixLoss(q, m, v, lyrics ? cc : (cc.dispose(), null)), p, [mix, voc, np.concatenate([phonemes(8, 1), phonemes(8, 2)], 0)], 15, 1e-2);
    assert.ok(last < first, `loss ${first} → ${last}`);
  });
}
