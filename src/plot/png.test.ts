import * as assert from "node:assert/strict";
import { test } from "node:test";
import { encodePng } from "./png.js";
import { niceTicks, renderFigure } from "./figure.js";
import { magma } from "./colormap.js";
import { readPng } from "../testing/png.js";

test("encodePng round-trips pixels through zlib (checked with node:zlib)", async () => {
  const w = 7, h = 3;
  const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 256);
  const back = readPng(await encodePng(rgb, w, h));
  assert.equal(back.width, w);
  assert.equal(back.height, h);
  assert.deepEqual(back.rgb, rgb);
});

test("niceTicks uses 1-2-5 steps and covers the range", () => {
  assert.deepEqual(niceTicks(10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(61.4, 8), [0, 10, 20, 30, 40, 50, 60]);
  assert.deepEqual(niceTicks(0.7, 8), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
});

test("renderFigure draws the data with the colour map: a bright bin shows at its place", () => {
  const nFrames = 100, nBins = 50;
  const data = new Float32Array(nFrames * nBins);
  data[50 * nBins + 10] = 1; // one hot cell: frame 50 of 100, bin 10 of 50
  const img = renderFigure({ title: "t", panels: [{ data, nFrames, nBins, yLabel: "Hz", yTicks: [] }], durationSeconds: 1, colorbarLabel: "dB", width: 1200 });
  const [r, g, b] = magma(1);
  let found: [number, number] | undefined;
  // Search the plot area only (the colour bar also holds the top colour).
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width - 130; x++) {
    const i = 3 * (y * img.width + x);
    if (img.rgb[i] === r && img.rgb[i + 1] === g && img.rgb[i + 2] === b) found ??= [x, y];
  }
  assert.ok(found, "the hot cell is drawn");
  const plotW = 1200 - 110 - 120, panelH = 480;
  assert.ok(Math.abs(found![0] - (110 + 0.5 * plotW)) <= 12, `x ${found![0]}`);
  assert.ok(Math.abs(found![1] - (50 + panelH - (10 * panelH) / nBins - panelH / nBins)) <= 12, `y ${found![1]}`);
});
