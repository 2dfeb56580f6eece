/** Node-only helpers: reading, streaming and writing audio files. `import { readAudioFile } from "mirkit/node"`. */
export { readAudioFile, writeAudioFile, writeFileAtomic, streamAudioFile, type AudioBlock, type OutputFormat } from "./io/file.js";
export * from "./index.js";
import type { OrtLike } from "./nn/runtime.js";

/** ONNX Runtime for Node (CPU), loaded on first use. */
export async function ortNode(): Promise<OrtLike> {
  const mod = (await import("onnxruntime-node")) as unknown as { default?: OrtLike } & OrtLike;
  return mod.default ?? mod;
}
