/**
 * A loaded separation model: the ONNX session and the STFT conventions from
 * its recipe. `SeparationModel.load(ort, files)` in any runtime;
 * `loadSeparationModel()` from "mirkit/node" reads the shipped one.
 */
import { OnnxModel, recipeOf, type ModelFiles, type OrtLike, type SessionOptions } from "../../nn/runtime.js";
import type { SeparationModelConfig } from "./contract.js";

/** File name prefix of the shipped separation models (models/separation-*.onnx). */
export const SEPARATION_MODEL_PREFIX = "separation-";
/** The shipped informed models `--phonemes` and `--lyrics` use unless `--model` names another (each chosen on validation for its input). */
export const INFORMED_SEPARATION_MODELS = { phonemes: "separation-informed-phonemes", lyrics: "separation-informed-lyrics" } as const;

export class SeparationModel {
  /** Wraps a loaded session; `load` is the usual way in. */
  constructor(readonly onnx: OnnxModel, readonly config: SeparationModelConfig) {}

  /** From an ONNX model and its recipe (which must carry `stft`: sampleRate, nFft, hopLength, frameMultiple). */
  static async load(ort: OrtLike, files: ModelFiles, options: SessionOptions = {}): Promise<SeparationModel> {
    const r = recipeOf<{ stft: SeparationModelConfig; gate?: SeparationModelConfig["gate"] }>(files, "the STFT settings (stft)", (x) => typeof x.stft?.nFft === "number" && typeof x.stft.hopLength === "number");
    return new SeparationModel(await OnnxModel.load(ort, files.onnx, options), { ...r.stft, ...(r.gate ? { gate: r.gate } : {}) });
  }

  /** Whether the model is informed: it takes aligned phonemes beside the mixture. */
  get informed(): boolean {
    return this.onnx.inputNames.includes("phonemes");
  }

  /** Releases the ONNX Runtime session. */
  async dispose(): Promise<void> {
    await this.onnx.dispose();
  }
}
