import * as assert from "node:assert/strict";
import { test } from "node:test";
import { cropFrames, rearrangeFrames, stretchFrames } from "./contract.js";

// Two rows of five frames: row r, frame t holds 10·r + t.
const x = Float32Array.from({ length: 10 }, (_, i) => 10 * Math.floor(i / 5) + (i % 5));

test("rearrangeFrames re-sequences spans in every row: moved, repeated, left out", () => {
  const r = rearrangeFrames(x, 2, 5, [[3, 5], [0, 2], [0, 2]]);
  assert.equal(r.frames, 6);
  assert.deepEqual([...r.data], [3, 4, 0, 1, 0, 1, 13, 14, 10, 11, 10, 11]);
});

test("rearrangeFrames refuses a span outside the input or empty", () => {
  assert.throws(() => rearrangeFrames(x, 2, 5, [[4, 6]]), /not inside 5 frames/);
  assert.throws(() => rearrangeFrames(x, 2, 5, [[2, 2]]), RangeError);
});

test("cropFrames wraps past the end; stretchFrames interpolates along time", () => {
  assert.deepEqual([...cropFrames(x, 2, 5, 3, 4)], [3, 4, 0, 1, 13, 14, 10, 11]);
  const s = stretchFrames(x, 2, 5, 0.5); // twice as long
  assert.equal(s.frames, 10);
  assert.deepEqual([...s.data.subarray(0, 5)], [0, 0.5, 1, 1.5, 2]);
  assert.equal(s.data[10 + 9], 14);
});
