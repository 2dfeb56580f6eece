import * as assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../random.js";
import { expressiveContour } from "./contours.js";

const notes = [
  { onset: 0.1, offset: 1.1, pitch: 60, velocity: 80 },
  { onset: 1.12, offset: 2.0, pitch: 64, velocity: 80 }, // legato: 20 ms after the previous note
  { onset: 2.5, offset: 3.5, pitch: 62, velocity: 80 }, // detached
];
const semitones = (hz: number, pitch: number) => 12 * Math.log2(hz / 440) + 69 - pitch;

test("expressive contours: seeded; vibrato of the drawn rate and depth after its delay; portamento from the previous pitch on legato notes only", () => {
  const a = expressiveContour(notes, new Rng(7), 4), b = expressiveContour(notes, new Rng(7), 4);
  assert.deepEqual(Array.from(a.f0), Array.from(b.f0), "the same seed gives the same contour");
  assert.equal(a.expression.length, 3);
  assert.equal(a.expression[0].portamentoSeconds, 0);
  assert.ok(a.expression[1].portamentoSeconds >= 0.06, "the legato note glides");
  assert.equal(a.expression[2].portamentoSeconds, 0, "the detached note does not");
  // The legato note starts near the previous pitch (60), four semitones below its own.
  const i = Math.ceil(1.12 / 0.01);
  assert.ok(semitones(a.f0[i], 64) < -3, `starts at ${semitones(a.f0[i], 64).toFixed(2)} semitones`);
  // Held part of the first note: the deviation swings by about twice the drawn depth (vibrato), and stays within it (+ drift).
  const e = a.expression[0], from = Math.ceil((0.1 + e.vibratoDelaySeconds + 0.3) / 0.01), to = Math.floor(1.05 / 0.01);
  const dev = Array.from(a.f0.subarray(from, to), (f) => semitones(f, 60));
  const swing = Math.max(...dev) - Math.min(...dev);
  assert.ok(swing > 1.6 * e.vibratoDepthSemitones && swing < 2 * e.vibratoDepthSemitones + 0.5, `swing ${swing.toFixed(2)} for depth ${e.vibratoDepthSemitones.toFixed(2)}`);
  // Silence between notes; bends only while a note sounds.
  assert.equal(a.f0[Math.round(2.2 / 0.01)], 0);
  assert.equal(a.bends.length, a.f0.filter((f) => f > 0).length);
});
