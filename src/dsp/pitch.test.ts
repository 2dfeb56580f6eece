import * as assert from "node:assert/strict";
import { test } from "node:test";
import { noise, sine } from "../testing/assert.js";
import { yin } from "./pitch.js";

test("YIN finds the F0 of sines and harmonic tones within 5 cents, and calls noise and silence unvoiced", () => {
  const sr = 16000;
  for (const f of [82.4, 110, 220, 261.6, 440, 700]) {
    const x = new Float32Array(sr);
    for (let h = 1; h <= 4; h++) { const s = sine(h * f, sr, sr, 0.3 / h); for (let i = 0; i < sr; i++) x[i] += s[i]; }
    const { f0 } = yin(x, sr);
    const mid = f0.slice(20, f0.length - 20);
    for (const v of mid) assert.ok(Math.abs(1200 * Math.log2(v / f)) < 5, `${f} Hz: got ${v}`);
  }
  const silent = yin(new Float32Array(sr), sr).f0;
  assert.ok(silent.every((v) => v === 0));
  const nz = yin(noise(sr, 3, 0.5), sr).f0;
  assert.ok(nz.filter((v) => v > 0).length < nz.length * 0.1, "white noise is mostly unvoiced");
});
