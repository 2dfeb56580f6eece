import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeSafetensors } from "../nn/safetensors.js";
import { scratchDir } from "../testing/scratch.js";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");

test("mirkit train demo trains, exports ONNX, and ONNX Runtime agrees with jax-js on held-out data", () => {
  const dir = scratchDir("mirkit-train-");
  const r = spawnSync(process.execPath, [BIN, "train", "demo", "-o", dir, "--json", "--quiet"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.ok(m.accuracy >= 0.9, `held-out accuracy ${m.accuracy}`);
  assert.ok(m.onnxAgreement >= 0.99, `agreement ${m.onnxAgreement}`);
  assert.ok(m.maxAbsDiff <= 1e-4, `max abs diff ${m.maxAbsDiff}`);
  for (const f of ["model.onnx", "model.safetensors", "train-log.csv", "metrics.json"]) assert.ok(existsSync(path.join(dir, f)), f);
  const st = decodeSafetensors(new Uint8Array(readFileSync(path.join(dir, "model.safetensors"))));
  assert.deepEqual(st.tensors["c1.w"].shape, [8, 1, 3, 3]);
  const log = readFileSync(path.join(dir, "train-log.csv"), "utf8").trim().split("\n");
  assert.equal(log.length, 1 + m.steps);
  assert.ok(Number(log[log.length - 1].split(",")[1]) < Number(log[1].split(",")[1]), "loss decreased");
});
