/** Helpers for the service's tests: audio files to upload, and polling. */
import { encodeWav } from "../io/wav.js";
import { Rng } from "../random.js";

/** A WAV of a few harmonic tones (a different melody per seed) over a little noise. */
export function toneWav(seconds: number, options: { seed?: number; channels?: number; sampleRate?: number } = {}): Uint8Array<ArrayBuffer> {
  const sr = options.sampleRate ?? 22050, n = Math.round(seconds * sr), seed = options.seed ?? 0;
  const rng = new Rng(seed + 1);
  const x = new Float32Array(n);
  const base = 110 * 2 ** ((seed % 24) / 12);
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    const f = base * 2 ** ([0, 4, 7, 12][Math.floor(t * 2) % 4] / 12);
    x[i] = 0.3 * Math.sin(2 * Math.PI * f * t) + 0.1 * Math.sin(4 * Math.PI * f * t) + 0.01 * (rng.uniform() - 0.5);
  }
  return new Uint8Array(encodeWav({ sampleRate: sr, channels: Array.from({ length: options.channels ?? 1 }, () => x) }));
}

/** Polls `check` every `everyMs` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
