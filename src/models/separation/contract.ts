/**
 * The separation models' contract: what a model's input is (the mixture's
 * complex STFT of each channel pair as 4 channels, DC dropped) and which
 * conventions travel with it in its recipe (rate, STFT size, hop, frame
 * multiple, inference chunk). Training (scripts/train-separation.ts) and
 * inference (tasks/separate.ts) both build their tensors here.
 */
import { stft } from "../../dsp/stft.js";

export interface SeparationModelConfig {
  readonly sampleRate: number;
  readonly nFft: number;
  readonly hopLength: number;
  /** Frames must be a multiple of this (2^depth). */
  readonly frameMultiple: number;
  /**
   * Inference chunk length in frames (a multiple of frameMultiple); default
   * 256, chosen on a validation set (seed 3, training fonts) for the shipped
   * model: vocals SDR 7.94 / 7.99 / 8.34 / 8.43 / 8.40 / 8.45 dB at 32 / 64 /
   * 128 / 256 / 512 / 1024 frames; 256 is the shortest within 0.05 dB of the
   * best, and longer chunks cost memory (peak RSS of a 3-minute separation:
   * 350 MB at 256 frames, 509 MB at 512 or 1024) without running faster.
   */
  readonly chunkFrames?: number;
  /** Models with a vocals-activation head: the gate chosen on validation (tasks/separate: gateMask). */
  readonly gate?: { readonly threshold: number; readonly medianFrames: number };
}

/** Mixture STFT as [1, 4, F, T] (F = nFft/2 bins without DC), frame-major input → bin-major tensor. */
export function mixtureTensor(left: Float32Array, right: Float32Array, cfg: SeparationModelConfig): { data: Float32Array; bins: number; frames: number; specs: ReturnType<typeof stft>[] } {
  const specs = [stft(left, cfg.sampleRate, { nFft: cfg.nFft, hopLength: cfg.hopLength }), stft(right, cfg.sampleRate, { nFft: cfg.nFft, hopLength: cfg.hopLength })];
  const bins = cfg.nFft / 2, T0 = specs[0].nFrames;
  const frames = Math.ceil(T0 / cfg.frameMultiple) * cfg.frameMultiple;
  const data = new Float32Array(4 * bins * frames);
  specs.forEach((s, c) => {
    for (let t = 0; t < T0; t++) for (let f = 0; f < bins; f++) {
      const i = t * s.nBins + f + 1; // drop DC
      data[((2 * c) * bins + f) * frames + t] = s.re[i];
      data[((2 * c + 1) * bins + f) * frames + t] = s.im[i];
    }
  });
  return { data, bins, frames, specs };
}

