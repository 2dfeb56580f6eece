import * as assert from "node:assert/strict";
import { test } from "node:test";
import { siSdr } from "../../eval/separation.js";
import { noise, sine } from "../../testing/assert.js";
import { oracleIrm, repetSim } from "./baselines.js";

test("oracle IRM recovers a tone from a tone + noise mixture (SI-SDR > 10 dB); REPET-SIM returns a signal of the input's length", () => {
  const sr = 22050, n = 3 * sr;
  const v = sine(440, sr, n, 0.3), a = noise(n, 5, 0.2);
  const mix = Float32Array.from(v, (x, i) => x + a[i]);
  const [est] = oracleIrm([mix], [v], [a], sr);
  assert.equal(est.length, n);
  const trim = (x: Float32Array) => x.subarray(4096, n - 4096);
  assert.ok(siSdr([trim(v)], [trim(est)]) > 10);
  const [r] = repetSim([mix], sr);
  assert.equal(r.length, n);
  assert.ok(r.every(Number.isFinite));
});
