import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

test('the package exports the library by name: import { stft, cqt, decodeAudio } from "mirkit"', async () => {
  const lib = await import("mirkit");
  for (const name of ["stft", "istft", "cqt", "hcqt", "melSpectrogram", "chromaStft", "chromaCqt", "chromaCens", "hpcp", "resample", "decodeAudio", "encodeWav", "encodeFlac", "separate", "separateStream", "multipitch", "wienerFilter", "evaluateMultipitch",
    "evaluateMelody", "evaluateTranscription", "bssEvalSources", "bssEvalImages", "musevalV4", "siSdr", "evaluateCovers", "parseNotes",
    "coverFeatures", "pairDistances", "rerankScores", "SeparationModel", "MultipitchModel"]) {
    assert.equal(typeof (lib as Record<string, unknown>)[name], "function", name);
  }
  const node = await import("mirkit/node");
  assert.equal(typeof node.readAudioFile, "function");
  assert.equal(typeof node.stft, "function");
  assert.equal(typeof node.loadSeparationModel, "function");
  assert.equal(typeof node.loadMultipitchModel, "function");
  for (const name of ["addToLibrary", "queryLibrary", "compareCovers", "evaluateCoversDataset", "repairLibrary", "openCoversLibrary", "listAudioFiles"]) assert.equal(typeof (node as Record<string, unknown>)[name], "function", name);
});

test("importing mirkit runs no WebAssembly and awaits nothing: PFFFT is instantiated on the first single-precision transform", () => {
  const probe = `
    let made = 0;
    const Instance = WebAssembly.Instance;
    WebAssembly.Instance = function (...a) { made++; return new Instance(...a); };
    WebAssembly.instantiate = async () => { made += 100; throw new Error("async instantiation"); };
    const lib = await import("mirkit");
    const atImport = made;
    lib.stft(new Float32Array(4096), 22050, { nFft: 1024, hopLength: 256 });
    console.log(JSON.stringify({ atImport, afterStft: made }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8", cwd: path.dirname(fileURLToPath(import.meta.url)) });
  assert.equal(r.status, 0, r.stderr);
  const { atImport, afterStft } = JSON.parse(r.stdout) as { atImport: number; afterStft: number };
  assert.equal(atImport, 0, "no instance made at import");
  assert.equal(afterStft, 2, "PFFFT and the spectrum post-pass, synchronously, on first use");
  const pkg = JSON.parse(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../package.json"), "utf8")) as { sideEffects?: boolean };
  assert.equal(pkg.sideEffects, false);
});
