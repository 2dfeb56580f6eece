/**
 * Test helpers (not exported from the package). `expectAllClose` applies
 * numpy's rule |a − b| ≤ atol + rtol·|b| and reports the first failing index
 * with its neighbours.
 */
import * as assert from "node:assert/strict";

export function expectAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  options: { readonly atol?: number; readonly rtol?: number; readonly label?: string } = {},
): void {
  const atol = options.atol ?? 1e-8;
  const rtol = options.rtol ?? 1e-5;
  const label = options.label ? `${options.label}: ` : "";
  assert.equal(actual.length, expected.length, `${label}length ${actual.length} != expected ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], b = expected[i];
    const ok = Math.abs(a - b) <= atol + rtol * Math.abs(b) || (Number.isNaN(a) && Number.isNaN(b)) || a === b;
    if (!ok) {
      const lo = Math.max(0, i - 2), hi = Math.min(actual.length, i + 3);
      const around = [];
      for (let j = lo; j < hi; j++) around.push(`[${j}] ${actual[j]} vs ${expected[j]}`);
      assert.fail(`${label}mismatch at index ${i}: ${a} vs ${b} (diff ${Math.abs(a - b)}, atol ${atol}, rtol ${rtol})\n  ${around.join("\n  ")}`);
    }
    worst = Math.max(worst, Math.abs(a - b));
  }
}

/** Max |a − b| over two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A seeded PRNG (mulberry32) for reproducible test signals. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform noise in [-amp, amp). */
export function noise(n: number, seed: number, amp = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amp * (2 * r() - 1);
  return out;
}

/** A sine of `hz` at `sampleRate`, `n` samples, amplitude `amp`. */
export function sine(hz: number, sampleRate: number, n: number, amp = 1, phase = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amp * Math.sin((2 * Math.PI * hz * i) / sampleRate + phase);
  return out;
}
