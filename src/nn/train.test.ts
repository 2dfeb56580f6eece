import * as assert from "node:assert/strict";
import { test } from "node:test";
import { init, numpy as np, type Array as JArray } from "@jax-js/jax";
import { dense, initDense, Rng, type DenseParams } from "./layers.js";
import { mse } from "./optim.js";
import { decodeSafetensors } from "./safetensors.js";
import { constantLr, cosineLr, MemoryStore, train, type TrainConfig } from "./train.js";

await init("wasm");

type P = { l: DenseParams };
const W = [[1], [-2], [0.5], [3]];

/** Batches depend only on the step: the run can be resumed exactly. */
function batch(step: number): JArray[] {
  const r = new Rng(1000 + step);
  const x = Float32Array.from({ length: 16 * 4 }, () => r.normal());
  const y = Float32Array.from({ length: 16 }, (_, i) => W.reduce((s, [w], k) => s + w * x[i * 4 + k], 0));
  return [np.array(x).reshape([16, 4]), np.array(y).reshape([16, 1])];
}

const config = (steps: number, store?: MemoryStore, stopAt?: number): TrainConfig<P> => ({
  init: () => ({ l: initDense(new Rng(7), 4, 1) }),
  loss: (p, x, y) => mse(dense(p.l, x), y),
  batch,
  steps,
  schedule: cosineLr(0.1, { warmup: 5 }),
  store,
  checkpointEvery: 10,
  snapshotsAt: [0, 20],
  stopAt,
});

const weights = (p: P) => Array.from(p.l.w.ref.dataSync() as Float32Array).concat(Array.from(p.l.b.ref.dataSync() as Float32Array));

test("training converges; a run resumed from its checkpoint ends bit-identical to an uninterrupted one; snapshots are kept", async () => {
  const full = await train(config(150));
  const firstLoss = Number(full.log.split("\n")[1].split(",")[1]);
  const lastLoss = Number(full.log.trim().split("\n").pop()!.split(",")[1]);
  assert.ok(lastLoss < firstLoss * 0.02, `loss ${firstLoss} → ${lastLoss}`);
  // "Kill" after 70 steps (the store keeps the checkpoint written at step 70), then resume to 150.
  const store = new MemoryStore();
  const part = await train(config(150, store, 70));
  assert.equal(part.stepsDone, 70);
  const resumed = await train(config(150, store));
  assert.equal(resumed.resumedFrom, 70);
  assert.deepEqual(weights(resumed.params), weights(full.params));
  assert.ok(store.files.has("snapshot-0.safetensors") && store.files.has("snapshot-20.safetensors"));
  const snap = decodeSafetensors(store.files.get("snapshot-0.safetensors")!);
  assert.deepEqual(snap.tensors["l.w"].shape, [4, 1]);
  assert.equal(resumed.log.trim().split("\n").length, 1 + 150, "the log carries over the resumed run");
});

test("early stopping with patience, and reduce-on-plateau halves the rate", async () => {
  let calls = 0;
  const r = await train({
    ...config(200),
    schedule: constantLr(0.01),
    validate: () => (++calls <= 2 ? 1 / calls : 5), // improves twice, then never again
    validateEvery: 5,
    patience: 3,
    plateauPatience: 1,
  });
  assert.ok(r.stoppedEarly);
  assert.equal(r.stepsDone, 25);
  assert.equal(r.bestMetric, 0.5);
  const lrs = r.log.trim().split("\n").slice(1).map((l) => Number(l.split(",")[2]));
  assert.ok(lrs[lrs.length - 1] < lrs[0] / 3, "learning rate reduced on the plateau");
});
