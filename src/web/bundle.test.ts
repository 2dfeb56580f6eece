/**
 * The browser build: dist/index.js bundled by esbuild for the browser
 * platform (no Node built-ins may be reached from the library), then run
 * with onnxruntime-web (its wasm backend, here in Node) on the shipped
 * multi-F0 model: the F0s must match the Node path's.
 */
import * as assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadMultipitchModel } from "../node.js";
import { MODELS_DIR } from "../io/model-files.js";
import { multipitch } from "../tasks/multipitch.js";
import { sine } from "../testing/assert.js";
import { scratchDir } from "../testing/scratch.js";

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

test("browser bundle: builds for the browser platform, and multipitch() with onnxruntime-web matches the Node path", async () => {
  const esbuild = await import("esbuild");
  const out = await esbuild.build({ entryPoints: [path.join(DIST, "index.js")], bundle: true, platform: "browser", format: "esm", write: false, logLevel: "silent" });
  assert.equal(out.errors.length, 0);
  const code = out.outputFiles[0].text;
  assert.ok(!/from\s*["']node:/.test(code), "no Node built-in imports in the bundle");
  const file = path.join(scratchDir("mirkit-web-"), "mirkit.mjs");
  writeFileSync(file, code);
  // The decoders' browser builds define Web Worker subclasses at import (unused here); Node has no Worker global.
  (globalThis as { Worker?: unknown }).Worker ??= class {};
  const lib = (await import(pathToFileURL(file).href)) as typeof import("../index.js");
  const web = (await import("onnxruntime-web")) as unknown as Parameters<typeof lib.OnnxModel.load>[0] & { env: { wasm: { numThreads: number } } };
  web.env.wasm.numThreads = 1;
  const node = await loadMultipitchModel();
  const onnx = await lib.OnnxModel.load(web, new Uint8Array(readFileSync(path.join(MODELS_DIR, `multif0-${node.fusion}.onnx`))));
  // Two voice-like tones (harmonics, vibrato) for 4 s.
  const sr = 22050, n = 4 * sr, x = new Float32Array(n);
  for (const f of [220, 330]) for (let h = 1; h <= 6; h++) { const s = sine(f * h, sr, n, 0.2 / (h * h)); for (let i = 0; i < n; i++) x[i] += s[i]; }
  const audio = { sampleRate: sr, channels: [x] };
  const inBrowser = await lib.multipitch(audio, { model: new lib.MultipitchModel(onnx, node.fusion, node.threshold) });
  const inNode = await multipitch(audio, { model: node });
  assert.equal(inBrowser.times.length, inNode.times.length);
  let same = 0, voiced = 0;
  inNode.freqs.forEach((f, i) => {
    if (f.length > 0) voiced++;
    if (f.length === inBrowser.freqs[i].length && f.every((v, k) => Math.abs(v - inBrowser.freqs[i][k]) < 0.5)) same++;
  });
  assert.ok(voiced > 0.5 * inNode.times.length, `the model hears the tones (${voiced} voiced frames)`);
  assert.ok(same >= 0.98 * inNode.times.length, `${same} of ${inNode.times.length} frames agree`);
  await onnx.dispose();
  await node.dispose();
});
