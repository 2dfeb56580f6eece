// Makes web/ deployable as static files. Copies the files of onnxruntime-web that the demo page loads (its WebAssembly build: the ES module, the wasm loader and
// binary) into web/ort/, so the page can be served from the installed package, where
// onnxruntime-web is not a dependency. Run by `npm run build:web`.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// onnxruntime-web's exports do not list package.json: find its folder from the module it exports.
let dist = path.dirname(createRequire(import.meta.url).resolve("onnxruntime-web"));
while (path.basename(dist) !== "dist") dist = path.dirname(dist);
const out = path.join(root, "web", "ort");
mkdirSync(out, { recursive: true });
// The WebAssembly build, and the WebGPU build (its asyncify binary) for browsers that have a graphics adapter.
const files = ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm", "ort.webgpu.min.mjs", "ort-wasm-simd-threaded.asyncify.mjs", "ort-wasm-simd-threaded.asyncify.wasm"];
for (const f of files) copyFileSync(path.join(dist, f), path.join(out, f));

// The shipped models and their list, so that web/ works from any static host (mirkit serve serves the same paths).
const models = path.join(root, "models"), webModels = path.join(root, "web", "models");
mkdirSync(webModels, { recursive: true });
const names = readdirSync(models).filter((f) => /\.(onnx|json)$/.test(f)).sort();
for (const f of names) copyFileSync(path.join(models, f), path.join(webModels, f));
writeFileSync(path.join(webModels, "index.json"), JSON.stringify(names));
