import * as assert from "node:assert/strict";
import { test } from "node:test";
import { sine } from "../testing/assert.js";
import { pitchSalience, trackMelody } from "./salience.js";

test("harmonic-summation salience peaks at a harmonic tone's F0 (not its octave), and the melody tracker follows a two-note line", () => {
  const sr = 22050, n = sr;
  const tone = (f: number) => {
    const x = new Float32Array(n);
    for (let h = 1; h <= 6; h++) { const s = sine(h * f, sr, n, 0.3 / h); for (let i = 0; i < n; i++) x[i] += s[i]; }
    return x;
  };
  const x = new Float32Array(2 * n);
  x.set(tone(220), 0);
  x.set(tone(330), n);
  const sal = pitchSalience(x, sr, { hopLength: 256 });
  const t = Math.floor(sal.nFrames / 4);
  let best = 0;
  for (let k = 1; k < sal.nBins; k++) if (sal.data[t * sal.nBins + k] > sal.data[t * sal.nBins + best]) best = k;
  const f = sal.fminHz * 2 ** (best / 120);
  assert.ok(Math.abs(1200 * Math.log2(f / 220)) < 15, `salience peak at ${f} Hz`);
  const f0 = trackMelody(sal);
  const first = f0[Math.floor(sal.nFrames / 4)], second = f0[Math.floor((3 * sal.nFrames) / 4)];
  assert.ok(Math.abs(1200 * Math.log2(first / 220)) < 25 && Math.abs(1200 * Math.log2(second / 330)) < 25, `${first}, ${second}`);
});
