import * as assert from "node:assert/strict";
import { test } from "node:test";
import { halve } from "./decimate.js";
import { designResampleFilter, resampleWith } from "./resample.js";

test("halve (WebAssembly SIMD) gives resampleWith's decimation by two with a half-band filter, edges included; other filters are left to resampleWith", () => {
  const f = designResampleFilter(1, 2, { zeroCrossings: 96, beta: 9, rolloff: 1 });
  for (const n of [1, 2, 5, 100, 383, 384, 385, 1000, 44101]) {
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.3) + 0.5 * Math.sin(i * 1.9) + (i % 7 === 0 ? 0.25 : 0));
    const a = halve(x, f), b = resampleWith(x, f);
    assert.ok(a !== undefined, "this machine's WebAssembly has SIMD");
    assert.equal(a.length, b.length, `length for ${n} samples`);
    let worst = 0;
    for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assert.ok(worst < 2e-6, `${n} samples: max difference ${worst}`);
  }
  assert.equal(halve(new Float32Array(100), designResampleFilter(1, 2, "hq")), undefined, "a cutoff below the Nyquist has non-zero even taps");
  assert.equal(halve(new Float32Array(100), designResampleFilter(1, 3, { zeroCrossings: 16, beta: 8, rolloff: 1 })), undefined);
});
