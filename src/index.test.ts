import * as assert from "node:assert/strict";
import { test } from "node:test";

test('the package exports the library by name: import { stft, cqt, decodeAudio } from "mirkit"', async () => {
  const lib = await import("mirkit");
  for (const name of ["stft", "istft", "cqt", "hcqt", "melSpectrogram", "chromaStft", "chromaCqt", "chromaCens", "hpcp", "resample", "decodeAudio", "encodeWav", "encodeFlac", "separate", "separateStream", "multipitch", "wienerFilter", "evaluateMultipitch"]) {
    assert.equal(typeof (lib as Record<string, unknown>)[name], "function", name);
  }
  const node = await import("mirkit/node");
  assert.equal(typeof node.readAudioFile, "function");
  assert.equal(typeof node.stft, "function");
  assert.equal(typeof node.loadSeparationModel, "function");
  assert.equal(typeof node.loadMultipitchModel, "function");
});
