/** Node-only helpers: reading, streaming and writing audio files; loading the shipped models. `import { readAudioFile } from "mirkit/node"`. */
export { readAudioFile, writeAudioFile, writeFileAtomic, streamAudioFile, type AudioBlock, type OutputFormat } from "./io/file.js";
export { MODELS_DIR, shippedModels, resolveModel } from "./io/model-files.js";
export { listAudioFiles } from "./io/file.js";
export { separateFile, multipitchFile, type SeparateFileOptions, type MultipitchFileOptions, type StemFormat } from "./tasks/file-jobs.js";
export { addToLibrary, queryLibrary, compareCovers, evaluateCoversDataset, openCoversLibrary, repairLibrary, coverEntry, type CoversMatch, type CoversComparison, type CoversEvalResult, type CoversProgress } from "./tasks/covers.js";
export * from "./index.js";
import { readModelFiles, resolveModel, shippedModel } from "./io/model-files.js";
import { MULTIPITCH_MODEL_PREFIX, MultipitchModel } from "./models/pitch/model.js";
import { SEPARATION_MODEL_PREFIX, SeparationModel } from "./models/separation/model.js";
import type { OrtLike } from "./nn/runtime.js";

/** ONNX Runtime for Node (CPU), loaded on first use. */
export async function ortNode(): Promise<OrtLike> {
  const mod = (await import("onnxruntime-node")) as unknown as { default?: OrtLike } & OrtLike;
  return mod.default ?? mod;
}

/** The shipped separation model, or `onnxFile` (a path, or a shipped model's name) with its recipe beside it, for `separate(audio, { model })`; `model.dispose()` when done. */
export async function loadSeparationModel(onnxFile?: string): Promise<SeparationModel> {
  const file = onnxFile !== undefined ? resolveModel(onnxFile) : shippedModel(SEPARATION_MODEL_PREFIX, "separation", "scripts/train-separation.ts");
  return SeparationModel.load(await ortNode(), await readModelFiles(file));
}

/** The shipped multi-F0 model, or `onnxFile` (a path, or a shipped model's name) with its recipe beside it, for `multipitch(audio, { model })`; `model.dispose()` when done. */
export async function loadMultipitchModel(onnxFile?: string): Promise<MultipitchModel> {
  const file = onnxFile !== undefined ? resolveModel(onnxFile) : shippedModel(MULTIPITCH_MODEL_PREFIX, "multi-F0", "scripts/train-multif0.ts");
  return MultipitchModel.load(await ortNode(), await readModelFiles(file));
}
