/**
 * A loaded multi-instrument (part) transcriber: two ONNX graphs, the
 * pitchgram (a multi-F0 salience model, HCQT [1, C, 360, T] → [1, 360, T];
 * <name>.pitchgram.onnx beside <name>.onnx) and the part-embedding model
 * (features [1, 8, 72, T] → unit vectors [1, D, 72, T]), with the recipe's
 * `pitchgram.fusion`, `pitchgram.threshold` (peaks) and
 * `metrics.autoMinShare` (how "auto" counts parts: tasks/instruments.ts estimateParts).
 * `PartsTranscriber.load(ort, files)` in any runtime;
 * `loadPartsTranscriber()` from "mirkit/node" reads the shipped one.
 */
import { ModelError } from "../../errors.js";
import { OnnxModel, recipeOf, type ModelFiles, type OrtLike, type SessionOptions } from "../../nn/runtime.js";
import { FUSIONS, type Fusion } from "../pitch/multif0.js";

/** File name prefix of the shipped part transcribers (models/parts-*.onnx). */
export const PARTS_MODEL_PREFIX = "parts-";

export class PartsTranscriber {
  /** Wraps loaded sessions; `load` is the usual way in. */
  constructor(readonly pitchgram: OnnxModel, readonly embedding: OnnxModel, readonly fusion: Fusion, readonly threshold: number, readonly autoMinShare: number) {}

  static async load(ort: OrtLike, files: ModelFiles, options: SessionOptions = {}): Promise<PartsTranscriber> {
    const r = recipeOf<{ pitchgram: { fusion: Fusion; threshold: number }; metrics: { autoMinShare: number } }>(files, "pitchgram.fusion, pitchgram.threshold and metrics.autoMinShare", (x) =>
      FUSIONS.includes(x.pitchgram?.fusion) && x.pitchgram?.threshold > 0 && x.pitchgram?.threshold < 1 && typeof x.metrics?.autoMinShare === "number" && Number.isFinite(x.metrics.autoMinShare));
    const pg = files.companions?.pitchgram;
    if (pg === undefined) throw new ModelError("the part transcriber's pitchgram model (<name>.pitchgram.onnx beside the model) is missing", { file: files.recipeName.replace(/\.recipe\.json$/, ".pitchgram.onnx") });
    const [p, e] = await Promise.all([OnnxModel.load(ort, pg, options), OnnxModel.load(ort, files.onnx, options)]);
    return new PartsTranscriber(p, e, r.pitchgram.fusion, r.pitchgram.threshold, r.metrics.autoMinShare);
  }

  /** Releases both ONNX Runtime sessions. */
  async dispose(): Promise<void> {
    await Promise.all([this.pitchgram.dispose(), this.embedding.dispose()]);
  }
}
