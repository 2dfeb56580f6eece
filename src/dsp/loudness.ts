/**
 * Integrated loudness per ITU-R BS.1770-4 (LUFS), streaming: K-weighting
 * (a high shelf and a high pass, designed for any sample rate by the bilinear
 * transform of their analogue prototypes), mean square per
 * 400 ms block with 75 % overlap, channel weights (1 for L/R/C, 1.41 for
 * surrounds at channel index ≥ 3 in a 5.1 layout), an absolute gate at −70
 * LUFS and a relative gate 10 LU below the absolutely-gated mean.
 * Memory: one number per 100 ms step, whatever the length.
 */
import { InvalidInputError } from "../errors.js";

interface Biquad { b0: number; b1: number; b2: number; a1: number; a2: number }

/**
 * BS.1770's two K-weighting stages at `sampleRate`, from the analogue
 * prototypes fitted to the standard's 48 kHz coefficients (the constants
 * libebur128 publishes): a +4 dB high shelf near 1.7 kHz, then the RLB high pass.
 */
function kWeighting(sampleRate: number): [Biquad, Biquad] {
  let K = Math.tan((Math.PI * 1681.974450955533) / sampleRate);
  let Q = 0.7071752369554196;
  const Vh = Math.pow(10, 3.999843853973347 / 20);
  const Vb = Math.pow(Vh, 0.4996667741545416);
  let a0 = 1 + K / Q + K * K;
  const shelf: Biquad = {
    b0: (Vh + (Vb * K) / Q + K * K) / a0,
    b1: (2 * (K * K - Vh)) / a0,
    b2: (Vh - (Vb * K) / Q + K * K) / a0,
    a1: (2 * (K * K - 1)) / a0,
    a2: (1 - K / Q + K * K) / a0,
  };
  K = Math.tan((Math.PI * 38.13547087602444) / sampleRate);
  Q = 0.5003270373238773;
  a0 = 1 + K / Q + K * K;
  const highpass: Biquad = { b0: 1, b1: -2, b2: 1, a1: (2 * (K * K - 1)) / a0, a2: (1 - K / Q + K * K) / a0 };
  return [shelf, highpass];
}

/** Accumulates K-weighted energy block by block; call `push` with consecutive blocks. */
export class LoudnessMeter {
  private readonly filters: [Biquad, Biquad];
  private readonly state: Float64Array[]; // per channel: x1, x2, y1, y2 for each stage
  private readonly step: number; // 100 ms in samples
  private readonly stepEnergy: number[] = []; // weighted Σ over channels of mean square per 100 ms step
  private acc = 0;
  private accN = 0;

  constructor(readonly sampleRate: number, readonly nChannels: number) {
    if (!(sampleRate > 0) || !(nChannels > 0)) throw new InvalidInputError(`LoudnessMeter: need a positive rate and channel count, got ${sampleRate} Hz, ${nChannels} channels`);
    this.filters = kWeighting(sampleRate);
    this.state = Array.from({ length: nChannels }, () => new Float64Array(8));
    this.step = Math.round(sampleRate / 10);
  }

  push(channels: readonly Float32Array[]): void {
    const n = channels[0]?.length ?? 0;
    const weights = channels.map((_, c) => (this.nChannels >= 5 && c >= 3 ? 1.41 : 1));
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let c = 0; c < channels.length; c++) {
        const s = this.state[c];
        let x = channels[c][i];
        for (let st = 0; st < 2; st++) {
          const f = this.filters[st], o = 4 * st;
          const y = f.b0 * x + f.b1 * s[o] + f.b2 * s[o + 1] - f.a1 * s[o + 2] - f.a2 * s[o + 3];
          s[o + 1] = s[o]; s[o] = x; s[o + 3] = s[o + 2]; s[o + 2] = y;
          x = y;
        }
        e += weights[c] * x * x;
      }
      this.acc += e;
      if (++this.accN === this.step) {
        this.stepEnergy.push(this.acc / this.step);
        this.acc = 0;
        this.accN = 0;
      }
    }
  }

  /** Integrated loudness in LUFS; −Infinity for silence or input shorter than one 400 ms block. */
  integrated(): number {
    const blocks: number[] = [];
    for (let i = 0; i + 4 <= this.stepEnergy.length; i++) {
      blocks.push((this.stepEnergy[i] + this.stepEnergy[i + 1] + this.stepEnergy[i + 2] + this.stepEnergy[i + 3]) / 4);
    }
    const lufs = (z: number) => -0.691 + 10 * Math.log10(z);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const abs = blocks.filter((z) => lufs(z) > -70);
    if (abs.length === 0) return -Infinity;
    const threshold = lufs(mean(abs)) - 10;
    const rel = abs.filter((z) => lufs(z) > threshold);
    return lufs(mean(rel));
  }
}

/** Integrated loudness (LUFS) of a whole signal. */
export function integratedLoudness(channels: readonly Float32Array[], sampleRate: number): number {
  const m = new LoudnessMeter(sampleRate, channels.length);
  m.push(channels);
  return m.integrated();
}
