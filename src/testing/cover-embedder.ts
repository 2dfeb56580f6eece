/**
 * A small, untrained cover embedding model for tests of the library and its
 * index (they test storage and search, not the model's quality): the real
 * network at tiny widths, seeded, exported to ONNX and loaded in ONNX Runtime.
 */
import { init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { coverEmbedding, initCoverNet, type CoverNetParams } from "../models/covers/embedding.js";
import { CoverEmbedder } from "../models/covers/model.js";
import { exportOnnx } from "../nn/onnx/export.js";
import { OnnxModel } from "../nn/runtime.js";
import { ortNode } from "../node.js";

export async function tinyEmbedder(name = "covers-tiny", seed = 1, dim = 8): Promise<CoverEmbedder> {
  await init("wasm");
  const p = initCoverNet({ views: 3, pitchChannels: 4, channels: 8, dim }, seed);
  const onnx = exportOnnx((q: CoverNetParams, x: JArray) => coverEmbedding(q, x, "lax"), p, [np.zeros([1, 3, 12, 16])], { dynamicAxes: [{ 3: "frames" }] });
  return new CoverEmbedder(await OnnxModel.load(await ortNode(), onnx), name, dim, 0.5);
}
