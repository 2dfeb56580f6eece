/**
 * A loaded multi-F0 model: the ONNX session, its input kind (fusion) and the
 * peak threshold tuned on validation, both from its recipe.
 * `MultipitchModel.load(ort, files)` in any runtime; `loadMultipitchModel()`
 * from "mirkit/node" reads the shipped one.
 */
import { OnnxModel, recipeOf, type ModelFiles, type OrtLike, type SessionOptions } from "../../nn/runtime.js";
import { FUSIONS, type Fusion } from "./multif0.js";

/** File name prefix of the shipped multi-F0 models (models/multif0-*.onnx). */
export const MULTIPITCH_MODEL_PREFIX = "multif0-";

export class MultipitchModel {
  /** Wraps a loaded session; `load` is the usual way in. */
  constructor(readonly onnx: OnnxModel, readonly fusion: Fusion, readonly threshold: number) {}

  /** From an ONNX model and its recipe (which must carry `model.fusion` and `metrics.threshold`). */
  static async load(ort: OrtLike, files: ModelFiles, options: SessionOptions = {}): Promise<MultipitchModel> {
    const r = recipeOf<{ model: { fusion: Fusion }; metrics: { threshold: number } }>(files, "model.fusion and metrics.threshold", (x) => FUSIONS.includes(x.model?.fusion) && x.metrics?.threshold > 0);
    return new MultipitchModel(await OnnxModel.load(ort, files.onnx, options), r.model.fusion, r.metrics.threshold);
  }

  /** Releases the ONNX Runtime session. */
  async dispose(): Promise<void> {
    await this.onnx.dispose();
  }
}
