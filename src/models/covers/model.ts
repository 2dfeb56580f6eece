/**
 * A loaded cover embedding model: the ONNX session (input [1, 3, 12, T],
 * output a unit vector [1, d]), its name (stored beside every embedding it
 * makes, so a library knows which model filled it) and the recipe's
 * calibrated cosine-distance threshold for a cover decision.
 * `CoverEmbedder.load(ort, files, name)` in any runtime;
 * `loadCoverEmbedder()` from "mirkit/node" reads the shipped one.
 */
import { ModelError } from "../../errors.js";
import { OnnxModel, recipeOf, type ModelFiles, type OrtLike, type SessionOptions } from "../../nn/runtime.js";
import { COVER_VIEWS, coverInput, cropFrames, type CoverViews } from "./contract.js";

/** File name prefix of the shipped cover embedding models (models/covers-*.onnx). */
export const COVERS_MODEL_PREFIX = "covers-";
/** Songs shorter than this many feature frames (2 per second) are tiled up to it (the network's receptive field is 25 frames). */
const MIN_FRAMES = 8;

export class CoverEmbedder {
  constructor(readonly onnx: OnnxModel, readonly name: string, readonly dim: number, readonly threshold: number) {}

  /** From an ONNX model and its recipe (which must carry `model.dim` and `metrics.threshold`). */
  static async load(ort: OrtLike, files: ModelFiles, name: string, options: SessionOptions = {}): Promise<CoverEmbedder> {
    const r = recipeOf<{ model: { dim: number }; metrics: { threshold: number } }>(files, "model.dim and metrics.threshold", (x) => x.model?.dim > 0 && x.metrics?.threshold > 0);
    return new CoverEmbedder(await OnnxModel.load(ort, files.onnx, options), name, r.model.dim, r.metrics.threshold);
  }

  /** The unit embedding of a recording's cover features. */
  async embed(f: CoverViews): Promise<Float32Array> {
    // Too short to fill the convolutions' view: repeated whole (an empty recording gets zeros, a valid input).
    const T = f.nFrames === 0 ? MIN_FRAMES : f.nFrames < MIN_FRAMES ? f.nFrames * Math.ceil(MIN_FRAMES / f.nFrames) : f.nFrames;
    const rows = COVER_VIEWS * 12;
    const x = f.nFrames === 0 ? new Float32Array(rows * T) : T === f.nFrames ? coverInput(f) : cropFrames(coverInput(f), rows, f.nFrames, 0, T);
    const out = await this.onnx.run({ input0: { data: x, dims: [1, COVER_VIEWS, 12, T] } });
    const v = out.output0;
    if (!v || v.data.length !== this.dim) throw new ModelError(`the cover embedding model returned ${v?.data.length ?? 0} values, expected ${this.dim}`);
    return v.data.slice();
  }

  async dispose(): Promise<void> {
    await this.onnx.dispose();
  }
}
