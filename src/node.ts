/** Node-only helpers: reading, streaming and writing audio files; loading the shipped models. `import { readAudioFile } from "mirkit/node"`. */
export { readAudioFile, writeAudioFile, writeFileAtomic, streamAudioFile, type AudioBlock, type OutputFormat } from "./io/file.js";
export { MODELS_DIR, shippedModels, resolveModel } from "./io/model-files.js";
export { listAudioFiles, FolderCheckpointStore } from "./io/file.js";
export { separateFile, multipitchFile, transcribeFile, transcribePartsFile, type TranscribePartsFileOptions, type SeparateFileOptions, type MultipitchFileOptions, type TranscribeFileOptions, type StemFormat } from "./tasks/file-jobs.js";
export { addToLibrary, queryLibrary, compareCovers, evaluateCoversDataset, openCoversLibrary, repairLibrary, migrateLibrary, coverEntry, COVERS_METHODS, type CoversMethod, type QueryOptions, type CoversMatch, type CoversComparison, type CoversEvalResult, type CoversProgress } from "./tasks/covers.js";
export * from "./index.js";
export { CoversCatalog, type CatalogMatch } from "./tasks/covers-catalog.js";
export { VectorIndex, type VectorMatch } from "./io/vector-index.js";
import * as path from "node:path";
import { readModelFiles, resolveModel, shippedModel } from "./io/model-files.js";
import { MULTIPITCH_MODEL_PREFIX, MultipitchModel } from "./models/pitch/model.js";
import { SEPARATION_MODEL_PREFIX, SeparationModel } from "./models/separation/model.js";
import { COVERS_MODEL_PREFIX, CoverEmbedder } from "./models/covers/model.js";
import { PIANO_MODEL_PREFIX, PianoTranscriber } from "./models/transcription/model.js";
import { PARTS_MODEL_PREFIX, PartsTranscriber } from "./models/transcription/parts-model.js";
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

/** The shipped piano transcription model, or `onnxFile` (a path, or a shipped model's name) with its recipe and its .step.onnx beside it, for `transcribe(audio, { model })`; `model.dispose()` when done. */
export async function loadPianoTranscriber(onnxFile?: string): Promise<PianoTranscriber> {
  const file = onnxFile !== undefined ? resolveModel(onnxFile) : shippedModel(PIANO_MODEL_PREFIX, "piano transcription", "scripts/train-piano.ts");
  return PianoTranscriber.load(await ortNode(), await readModelFiles(file));
}

/** The shipped multi-instrument (part) transcriber, or `onnxFile` (a path, or a shipped model's name) with its recipe and its .pitchgram.onnx beside it, for `transcribeParts(audio, model, { instruments })`; `model.dispose()` when done. */
export async function loadPartsTranscriber(onnxFile?: string): Promise<PartsTranscriber> {
  const file = onnxFile !== undefined ? resolveModel(onnxFile) : shippedModel(PARTS_MODEL_PREFIX, "multi-instrument transcription", "scripts/train-parts.ts");
  return PartsTranscriber.load(await ortNode(), await readModelFiles(file));
}

/** The shipped cover embedding model, or `onnxFile` (a path, or a shipped model's name) with its recipe beside it; its name (stored with every embedding it makes) is the file name without .onnx; `dispose()` when done. */
export async function loadCoverEmbedder(onnxFile?: string): Promise<CoverEmbedder> {
  const file = onnxFile !== undefined ? resolveModel(onnxFile) : shippedModel(COVERS_MODEL_PREFIX, "cover embedding", "scripts/train-covers.ts");
  return CoverEmbedder.load(await ortNode(), await readModelFiles(file), path.basename(file, ".onnx"));
}
