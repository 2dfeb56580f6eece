import * as assert from "node:assert/strict";
import { test } from "node:test";
import { renderLinePlot } from "./lines.js";

test("line plot: each series' markers land where its values say, in its own colour; an empty plot is refused", () => {
  const img = renderLinePlot({ title: "t", xLabel: "x", yLabel: "y", series: [{ label: "a", points: [[100, 0], [50, 1]] }, { label: "b", points: [[0, 0.5]] }], xRange: [100, 0], yRange: [0, 1], width: 500, height: 400 });
  assert.equal(img.rgb.length, 500 * 400 * 3);
  const at = (x: number, y: number) => [...img.rgb.subarray(3 * (y * 500 + x), 3 * (y * 500 + x) + 3)];
  // Plot box: left 100, right 30, top 60, bottom 80 → x from 100 to 469, y from 60 (value 1) to 319 (value 0).
  const X = (v: number) => 100 + Math.round(((v - 100) / -100) * 369), Y = (v: number) => 60 + 259 - Math.round(v * 259);
  assert.deepEqual(at(X(50), Y(1)), [31, 119, 180], "series a's second marker");
  assert.deepEqual(at(X(0) - 1, Y(0.5)), [255, 127, 14], "series b's marker");
  assert.deepEqual(at(X(75), Y(0.9)), [255, 255, 255], "nothing drawn off the lines");
  assert.throws(() => renderLinePlot({ title: "", xLabel: "", yLabel: "", series: [] }), /no points/);
});
