/** Node-only helpers: reading, streaming and writing audio files. `import { readAudioFile } from "mirkit/node"`. */
export { readAudioFile, writeAudioFile, writeFileAtomic, streamAudioFile, type AudioBlock, type OutputFormat } from "./io/file.js";
export * from "./index.js";
