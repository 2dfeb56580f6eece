import * as assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../random.js";
import { drawRecording, recordChain, type RecordingDraw } from "./recording.js";

const SR = 22050;
/** Amplitude of the component at `hz` (a whole number of cycles in the middle second). */
function amplitude(x: Float32Array, hz: number): number {
  let re = 0, im = 0;
  const a = SR, b = 2 * SR;
  for (let i = a; i < b; i++) { re += x[i] * Math.cos((2 * Math.PI * hz * i) / SR); im += x[i] * Math.sin((2 * Math.PI * hz * i) / SR); }
  return (2 * Math.hypot(re, im)) / (b - a);
}
const flat: RecordingDraw = { room: null, eq: { lowShelfDb: 0, lowHz: 150, highShelfDb: 0, highHz: 6000, peakDb: 0, peakHz: 1000, peakQ: 1 }, compression: null, noiseDb: null, codec: null, peakDbfs: -6 };

test("recording chain: EQ shelves tilt the spectrum by their gains, the level lands on the drawn peak, the draws are seeded", () => {
  const x = Float32Array.from({ length: 3 * SR }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 50 * i) / SR) + 0.3 * Math.sin((2 * Math.PI * 2000 * i) / SR));
  const plain = recordChain({ sampleRate: SR, channels: [x] }, flat, new Rng(1)).channels[0];
  const peak = plain.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(Math.abs(20 * Math.log10(peak) + 6) < 0.01, `peak ${20 * Math.log10(peak)} dBFS`);
  assert.ok(Math.abs(amplitude(plain, 50) / amplitude(plain, 2000) - 1) < 0.01, "flat EQ keeps the balance");
  const shelved = recordChain({ sampleRate: SR, channels: [x] }, { ...flat, eq: { ...flat.eq, lowShelfDb: 6 } }, new Rng(1)).channels[0];
  const tilt = 20 * Math.log10(amplitude(shelved, 50) / amplitude(shelved, 2000));
  assert.ok(Math.abs(tilt - 6) < 0.5, `a +6 dB low shelf at 150 Hz: 50 Hz now ${tilt.toFixed(2)} dB above 2 kHz`);
  assert.deepEqual(drawRecording(new Rng(5)), drawRecording(new Rng(5)));
});

test("recording chain: compression lowers the loud part's level relative to the quiet part's; the noise floor sits at its drawn level under the signal", () => {
  const x = Float32Array.from({ length: 4 * SR }, (_, i) => (i < 2 * SR ? 0.05 : 0.5) * Math.sin((2 * Math.PI * 440 * i) / SR));
  const rms = (y: Float32Array, a: number, b: number) => Math.sqrt(y.subarray(a, b).reduce((s, v) => s + v * v, 0) / (b - a));
  const dry = recordChain({ sampleRate: SR, channels: [x] }, flat, new Rng(1)).channels[0];
  const comp = recordChain({ sampleRate: SR, channels: [x] }, { ...flat, compression: { thresholdDb: -12, ratio: 4 } }, new Rng(1)).channels[0];
  const range = (y: Float32Array) => 20 * Math.log10(rms(y, 3 * SR, 4 * SR) / rms(y, SR / 2, 2 * SR - 100));
  assert.ok(Math.abs(range(dry) - 20) < 0.1, `dry: ${range(dry)} dB between the parts`);
  assert.ok(range(comp) < range(dry) - 4, `compressed: ${range(comp).toFixed(1)} dB`);
  // The level stage rescales both outputs to the same peak: take the dry part out by least squares.
  const noisy = recordChain({ sampleRate: SR, channels: [x] }, { ...flat, noiseDb: -40 }, new Rng(3)).channels[0];
  const g = noisy.reduce((s, v, i) => s + v * dry[i], 0) / dry.reduce((s, v) => s + v * v, 0);
  const noise = Float32Array.from(noisy, (v, i) => v - g * dry[i]);
  const ratio = 20 * Math.log10(rms(noise, 0, noise.length) / (g * rms(dry, 0, dry.length)));
  assert.ok(Math.abs(ratio + 40) < 1.5, `noise ${ratio.toFixed(1)} dB under the signal`);
});
