import * as assert from "node:assert/strict";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { dense, initDense, Rng, type DenseParams } from "../nn/layers.js";
import { mse } from "../nn/optim.js";
import { cosineLr, train, type CheckpointStore, type TrainConfig } from "../nn/train.js";
import { FolderCheckpointStore } from "./file.js";
import { scratchDir } from "../testing/scratch.js";

await init("wasm");
type P = { l: DenseParams };

function batch(step: number): JArray[] {
  const r = new Rng(500 + step);
  const x = Float32Array.from({ length: 32 }, () => r.normal());
  return [np.array(x).reshape([8, 4]), np.array(Float32Array.from({ length: 8 }, (_, i) => x[i * 4] - 2 * x[i * 4 + 1])).reshape([8, 1])];
}
const config = (store: CheckpointStore | undefined, stopAt?: number): TrainConfig<P> => ({
  init: () => ({ l: initDense(new Rng(3), 4, 1) }), loss: (p, x, y) => mse(dense(p.l, x), y), batch, steps: 60,
  schedule: cosineLr(0.05), store, checkpointEvery: 10, stopAt,
});
const weights = (p: P) => [...(p.l.w.ref.dataSync() as Float32Array), ...(p.l.b.ref.dataSync() as Float32Array)];

test("training in segments through a checkpoint folder (a new store each segment, as a new process would open it) ends where one run does", async () => {
  const dir = path.join(scratchDir("mirkit-ckpt-"), "run");
  const whole = await train(config(undefined));
  assert.equal((await train(config(new FolderCheckpointStore(dir), 30))).stepsDone, 30);
  assert.ok(existsSync(path.join(dir, "checkpoint.safetensors")));
  const rest = await train(config(new FolderCheckpointStore(dir)));
  assert.equal(rest.resumedFrom, 30);
  assert.deepEqual(weights(rest.params), weights(whole.params));
  assert.equal(await new FolderCheckpointStore(path.join(dir, "none")).load("checkpoint.safetensors"), undefined);
});
