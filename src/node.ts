/** Node-only helpers: reading, streaming and writing audio files; loading the shipped models. `import { readAudioFile } from "mirkit/node"`. */
export { readAudioFile, writeAudioFile, writeFileAtomic, streamAudioFile, type AudioBlock, type OutputFormat } from "./io/file.js";
export * from "./index.js";
import * as models from "./io/models.js";
import type { OrtLike } from "./nn/runtime.js";
import type { MultipitchModel } from "./tasks/multipitch.js";
import type { SeparationModel } from "./tasks/separate.js";

/** ONNX Runtime for Node (CPU), loaded on first use. */
export async function ortNode(): Promise<OrtLike> {
  const mod = (await import("onnxruntime-node")) as unknown as { default?: OrtLike } & OrtLike;
  return mod.default ?? mod;
}

/** The shipped separation model (or `onnxFile` with its recipe beside it), for `separate(audio, { model })`. */
export async function loadSeparationModel(onnxFile?: string): Promise<SeparationModel> {
  return models.loadSeparationModel(await ortNode(), onnxFile);
}

/** The shipped multi-F0 model (or `onnxFile` with its recipe beside it), for `multipitch(audio, { model })`. */
export async function loadMultipitchModel(onnxFile?: string): Promise<MultipitchModel> {
  return models.loadMultipitchModel(await ortNode(), onnxFile);
}
