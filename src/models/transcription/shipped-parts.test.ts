import * as assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { init, tree } from "@jax-js/jax";
import { MODELS_DIR } from "../../io/model-files.js";
import { ortNode } from "../../node.js";
import { OnnxModel } from "../../nn/runtime.js";
import { decodeSafetensors } from "../../nn/safetensors.js";
import { treeOf } from "../../prune/units.js";
import { arrayValues, randomArray } from "../../testing/arrays.js";
import { maxAbsDiff } from "../../testing/assert.js";
import { multiF0Salience, inputChannels, type MultiF0Config, type MultiF0Params } from "../pitch/multif0.js";
import { partEmbeddings, type PartEmbeddingParams } from "./clustering.js";
import { PART_CHANNELS, PART_OUTPUTS, PART_PITCHES } from "./parts-contract.js";

await init("wasm");
const base = path.join(MODELS_DIR, "parts-spherical");
const tensors = (file: string) => decodeSafetensors(new Uint8Array(readFileSync(file)), path.basename(file)).tensors;

test("the shipped parts-spherical model: its embedding and pitchgram graphs equal their safetensors weights run in jax-js (≤ 1e-4)", async (t) => {
  if (!existsSync(`${base}.onnx`)) return t.skip("models/parts-spherical.onnx is not here");
  const ort = await ortNode();
  const recipe = JSON.parse(readFileSync(`${base}.recipe.json`, "utf8")) as { pitchgram: { model: MultiF0Config } };
  // The part-embedding network: both outputs.
  const params = treeOf<PartEmbeddingParams>(tensors(`${base}.safetensors`));
  const embedding = await OnnxModel.load(ort, new Uint8Array(readFileSync(`${base}.onnx`)));
  const x = randomArray([1, PART_CHANNELS, PART_PITCHES, 45], 3, "uniform");
  const want = partEmbeddings(tree.ref(params), x.ref, "lax").map(arrayValues);
  const got = await embedding.run({ [embedding.inputNames[0]]: { data: Float32Array.from(arrayValues(x)), dims: [1, PART_CHANNELS, PART_PITCHES, 45] } });
  PART_OUTPUTS.forEach((name, i) => assert.ok(maxAbsDiff(got[name].data, want[i]) <= 1e-4, name));
  // The pitchgram: the fine-tuned multi-F0 network.
  const cfg = recipe.pitchgram.model;
  const pg = treeOf<MultiF0Params>(tensors(`${base}.pitchgram.safetensors`));
  const pitchgram = await OnnxModel.load(ort, new Uint8Array(readFileSync(`${base}.pitchgram.onnx`)));
  const h = randomArray([1, inputChannels(cfg), 360, 30], 4, "uniform");
  const sal = arrayValues(multiF0Salience(pg, h.ref, cfg, "lax"));
  const out = await pitchgram.run({ [pitchgram.inputNames[0]]: { data: Float32Array.from(arrayValues(h)), dims: [1, inputChannels(cfg), 360, 30] } });
  assert.ok(maxAbsDiff(out[pitchgram.outputNames[0]].data, sal) <= 1e-4);
  tree.dispose(params);
  await Promise.all([embedding.dispose(), pitchgram.dispose()]);
});
