/**
 * A small deterministic stereo reverb (Schroeder/Moorer structure, as in
 * Freeverb): eight parallel damped comb filters into four series all-pass
 * filters per channel, the right channel's delays spread by 23 samples.
 * Used to make "wet" versions of synthetic mixtures.
 */
const COMBS = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617];
const ALLPASSES = [556, 441, 341, 225];

export interface ReverbOptions {
  /** 0…1: longer tails with larger values. Default 0.84. */
  readonly roomSize?: number;
  /** 0…1: high-frequency damping in the combs. Default 0.2. */
  readonly damping?: number;
  /** Wet level (the dry signal is kept at 1). Default 0.3. */
  readonly wet?: number;
  /** Room dimensions: every comb and all-pass delay is scaled by this (0.4 a small room, 1.6 a hall). Default 1. */
  readonly size?: number;
}

function channel(x: Float32Array, sampleRate: number, spread: number, o: Required<ReverbOptions>): Float32Array {
  const scale = (sampleRate / 44100) * o.size;
  const out = new Float32Array(x.length);
  const combs = COMBS.map((d) => ({ buf: new Float32Array(Math.round((d + spread) * scale)), i: 0, store: 0 }));
  const aps = ALLPASSES.map((d) => ({ buf: new Float32Array(Math.round((d + spread) * scale)), i: 0 }));
  const fb = 0.7 + 0.28 * o.roomSize, damp = o.damping, gainIn = 0.015;
  for (let n = 0; n < x.length; n++) {
    const input = x[n] * gainIn;
    let acc = 0;
    for (const c of combs) {
      const y = c.buf[c.i];
      c.store = y * (1 - damp) + c.store * damp;
      c.buf[c.i] = input + c.store * fb;
      if (++c.i >= c.buf.length) c.i = 0;
      acc += y;
    }
    for (const a of aps) {
      const b = a.buf[a.i];
      a.buf[a.i] = acc + b * 0.5;
      acc = b - acc;
      if (++a.i >= a.buf.length) a.i = 0;
    }
    out[n] = x[n] + o.wet * acc;
  }
  return out;
}

/** Reverberated copy of a stereo signal (input untouched). */
export function reverb(left: Float32Array, right: Float32Array, sampleRate: number, options: ReverbOptions = {}): { left: Float32Array; right: Float32Array } {
  const o = { roomSize: options.roomSize ?? 0.84, damping: options.damping ?? 0.2, wet: options.wet ?? 0.3, size: options.size ?? 1 };
  return { left: channel(left, sampleRate, 0, o), right: channel(right, sampleRate, 23, o) };
}
