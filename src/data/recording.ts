/**
 * The recording chain of a synthetic mixture (issue 16): what lies between
 * singers and a file in the world. In order: a room (reverb of drawn size,
 * decay, damping and wet level), a microphone/preamp colour (low and high
 * shelves and one peaking band, ±6 dB), light compression (2–4:1 above a
 * threshold 6–18 dB under the peak, RMS detector with 10 ms attack and
 * 150 ms release), a noise floor (pink-ish hiss 45–75 dB under the signal's
 * RMS, or none), and a level (peak −1…−20 dBFS). The codec round trip
 * (MP3 at a drawn bit rate, Vorbis at a drawn quality) needs the encoders and is applied by the
 * Node-side generator (data/datasets.ts); its draw is made here so that one
 * object records the whole chain. Pure and seeded.
 */
import { reverb } from "../dsp/reverb.js";
import type { AudioSignal } from "../io/audio.js";
import { Rng } from "../random.js";
import { peak, scaleInPlace } from "./render.js";

export interface RecordingDraw {
  readonly room: { readonly size: number; readonly roomSize: number; readonly damping: number; readonly wet: number } | null;
  readonly eq: { readonly lowShelfDb: number; readonly lowHz: number; readonly highShelfDb: number; readonly highHz: number; readonly peakDb: number; readonly peakHz: number; readonly peakQ: number };
  readonly compression: { readonly thresholdDb: number; readonly ratio: number } | null;
  /** Noise floor relative to the signal's RMS (dB), or null. */
  readonly noiseDb: number | null;
  /** An MP3 at a constant bit rate or a Vorbis file at a quality level (0 ≈ 64 kbit/s … 4 ≈ 128 kbit/s at 44.1 kHz), or none. */
  readonly codec: { readonly format: "mp3"; readonly kbps: number } | { readonly format: "ogg"; readonly quality: number } | null;
  readonly peakDbfs: number;
}

export function drawRecording(rng: Rng): RecordingDraw {
  return {
    room: rng.uniform() < 0.85 ? { size: rng.range(0.4, 1.6), roomSize: rng.range(0.3, 0.92), damping: rng.range(0.1, 0.6), wet: rng.range(0.08, 0.5) } : null,
    eq: { lowShelfDb: rng.range(-6, 6), lowHz: rng.range(80, 300), highShelfDb: rng.range(-6, 6), highHz: rng.range(3000, 9000), peakDb: rng.range(-6, 6), peakHz: rng.range(300, 4000), peakQ: rng.range(0.5, 2) },
    compression: rng.uniform() < 0.6 ? { thresholdDb: -rng.range(6, 18), ratio: rng.range(2, 4) } : null,
    noiseDb: rng.uniform() < 0.7 ? -rng.range(45, 75) : null,
    codec: rng.uniform() < 0.5 ? (rng.uniform() < 0.5 ? { format: "mp3", kbps: rng.pick([64, 96, 128, 160, 192]) } : { format: "ogg", quality: rng.pick([0, 1, 2, 3, 4]) }) : null,
    peakDbfs: -rng.range(1, 20),
  };
}

/** RBJ biquad coefficients [b0, b1, b2, a1, a2] (a0 normalised). */
function biquad(kind: "low" | "high" | "peak", f: number, db: number, q: number, sr: number): number[] {
  const A = Math.pow(10, db / 40), w = (2 * Math.PI * f) / sr, cw = Math.cos(w), sw = Math.sin(w);
  if (kind === "peak") {
    const al = sw / (2 * q), a0 = 1 + al / A;
    return [(1 + al * A) / a0, (-2 * cw) / a0, (1 - al * A) / a0, (-2 * cw) / a0, (1 - al / A) / a0];
  }
  const al = (sw / 2) * Math.SQRT2, s = 2 * Math.sqrt(A) * al, sign = kind === "low" ? 1 : -1;
  const a0 = A + 1 + sign * (A - 1) * cw + s;
  return [
    (A * (A + 1 - sign * (A - 1) * cw + s)) / a0, (sign * 2 * A * (A - 1 - sign * (A + 1) * cw)) / a0, (A * (A + 1 - sign * (A - 1) * cw - s)) / a0,
    (-sign * 2 * (A - 1 + sign * (A + 1) * cw)) / a0, (A + 1 + sign * (A - 1) * cw - s) / a0,
  ];
}

function filterInPlace(x: Float32Array, [b0, b1, b2, a1, a2]: number[]): void {
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const y = b0 * x[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1; x1 = x[i]; y2 = y1; y1 = y;
    x[i] = y;
  }
}

/** The chain up to (not including) the codec, on a copy of `signal`. `rng` draws the noise. */
export function recordChain(signal: AudioSignal, draw: RecordingDraw, rng: Rng): AudioSignal {
  return recordStems([signal], draw, rng, true).stems[0];
}

/**
 * The chain up to the codec applied to the stems of one mixture so that they still sum to it: the room
 * and the EQ are linear and run on each stem; the compressor's gain curve comes from the mixture and
 * multiplies every stem; the noise floor is a stem of its own (or, with `noiseIntoFirst`, added to the
 * first stem); the level scales them all. Copies; `rng` draws the noise.
 */
export function recordStems(stems: readonly AudioSignal[], draw: RecordingDraw, rng: Rng, noiseIntoFirst = false): { stems: AudioSignal[]; noise: AudioSignal | null } {
  const sr = stems[0].sampleRate;
  const e = draw.eq;
  const filters = [biquad("low", e.lowHz, e.lowShelfDb, 0.707, sr), biquad("high", Math.min(e.highHz, 0.45 * sr), e.highShelfDb, 0.707, sr), biquad("peak", e.peakHz, e.peakDb, e.peakQ, sr)];
  const out: AudioSignal[] = stems.map((signal) => {
    let channels: Float32Array[] = signal.channels.map((c) => Float32Array.from(c));
    if (draw.room) {
      const [l, r] = channels.length > 1 ? channels : [channels[0], channels[0]];
      const wet = reverb(l, r, sr, draw.room);
      channels = channels.length > 1 ? [wet.left, wet.right] : [wet.left];
    }
    for (const c of channels) for (const f of filters) filterInPlace(c, f);
    return { sampleRate: sr, channels };
  });
  const nc = out[0].channels.length, n = out[0].channels[0].length;
  // The sum of some stems (the stem itself when there is one).
  const sum = (list: readonly AudioSignal[]): Float32Array[] => list.length === 1 ? [...list[0].channels] : Array.from({ length: nc }, (_, c) => {
    const m = new Float32Array(n);
    for (const st of list) { const x = st.channels[c]; for (let i = 0; i < n; i++) m[i] += x[i]; }
    return m;
  });
  const mixture = () => sum(out);
  if (draw.compression) {
    // Gain from a linked RMS detector on the mixture; threshold relative to its peak.
    const mix = mixture();
    const p = peak({ sampleRate: sr, channels: mix });
    const th = p * Math.pow(10, draw.compression.thresholdDb / 20), ratio = draw.compression.ratio;
    const att = Math.exp(-1 / (0.01 * sr)), rel = Math.exp(-1 / (0.15 * sr));
    let env = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (const c of mix) s += c[i] * c[i];
      const level = Math.sqrt(s / nc);
      env = level > env ? att * env + (1 - att) * level : rel * env + (1 - rel) * level;
      const g = env > th && th > 0 ? Math.pow(env / th, 1 / ratio - 1) : 1;
      for (const st of out) for (const c of st.channels) c[i] *= g;
    }
  }
  let noise: AudioSignal | null = null;
  if (draw.noiseDb !== null) {
    const mix = mixture();
    let s = 0, count = 0;
    for (const c of mix) for (let i = 0; i < c.length; i++) { s += c[i] * c[i]; count++; }
    const level = Math.sqrt(s / Math.max(1, count)) * Math.pow(10, draw.noiseDb / 20);
    const target = noiseIntoFirst ? out[0] : (noise = { sampleRate: sr, channels: Array.from({ length: nc }, () => new Float32Array(n)) });
    for (const c of target.channels) {
      let b = 0;
      for (let i = 0; i < c.length; i++) { b = 0.95 * b + 0.3 * rng.normal(); c[i] += level * b; } // ≈ unit RMS, tilted down
    }
  }
  const all = noise ? [...out, noise] : out;
  const p = peak({ sampleRate: sr, channels: sum(all) });
  if (p > 0) for (const st of all) scaleInPlace(st, Math.pow(10, draw.peakDbfs / 20) / p);
  return { stems: out, noise };
}
