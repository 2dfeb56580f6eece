/**
 * Separation with a U-Net mask model in ONNX Runtime: the complex STFT of
 * each channel pair as 4 input channels (DC dropped), the model's mask over
 * the whole song in chunks with overlap (runChunked), the mask applied to
 * the mixture, inverse STFT. Accompaniment = mixture − vocals, exactly.
 * Conventions of the model (STFT size, hop, bins) come from its config.
 */
import { audioLength, type AudioSignal } from "../io/audio.js";
import { resample } from "../dsp/resample.js";
import { istft, stft } from "../dsp/stft.js";
import type { ComplexSpectrogram } from "../dsp/types.js";
import { wienerFilter } from "../dsp/wiener.js";
import { InvalidInputError } from "../errors.js";
import { chunkWeight, OnnxModel, runChunked } from "../nn/runtime.js";

export interface SeparationModelConfig {
  readonly sampleRate: number;
  readonly nFft: number;
  readonly hopLength: number;
  /** Frames must be a multiple of this (2^depth). */
  readonly frameMultiple: number;
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

export interface SeparateWithModelOptions {
  /** Multichannel Wiener post-filter (dsp/wiener.ts) on the masked estimate. */
  readonly wiener?: boolean;
  readonly onProgress?: (fraction: number) => void;
}

/** Stereo separation at the model's rate: vocals and accompaniment (= mixture − vocals, exactly). */
export async function separateWithModel(model: OnnxModel, left: Float32Array, right: Float32Array, cfg: SeparationModelConfig, options: SeparateWithModelOptions = {}): Promise<{ vocals: Float32Array[]; accompaniment: Float32Array[] }> {
  const t = mixtureTensor(left, right, cfg);
  const { data, bins, frames } = t;
  // Keep only the shapes of the mixture's spectra: the tensor holds the same values (DC aside), so the
  // complex spectra need not live through inference. (Measured: peak RSS on a 3-minute song barely moves,
  // 1057 → 1048 MB; the rest is ONNX Runtime's arena and the whole-song tensors.)
  const shape = { nFrames: t.specs[0].nFrames, nBins: t.specs[0].nBins, hopLength: cfg.hopLength, sampleRate: cfg.sampleRate };
  t.specs.length = 0;
  // Long chunks (overlap is 6 % of each): the overlap is recomputed work.
  const chunk = 64 * cfg.frameMultiple, overlap = 4 * cfg.frameMultiple;
  const mask = await runChunked(model, { data, dims: [1, 4, bins, frames] }, { chunk, overlap, onProgress: options.onProgress });
  // Spectra rebuilt from the tensor (mask = 1 gives the mixture); the DC bin (not modelled) is zero.
  const spectra = (useMask: boolean): [ComplexSpectrogram, ComplexSpectrogram] => [0, 1].map((c) => {
    const re = new Float32Array(shape.nFrames * shape.nBins), im = new Float32Array(shape.nFrames * shape.nBins);
    for (let f = 0; f < bins; f++) {
      const rowRe = ((2 * c) * bins + f) * frames, rowIm = ((2 * c + 1) * bins + f) * frames, rowM = (c * bins + f) * frames;
      for (let u = 0; u < shape.nFrames; u++) {
        const m = useMask ? mask.data[rowM + u] : 1;
        re[u * shape.nBins + f + 1] = data[rowRe + u] * m;
        im[u * shape.nBins + f + 1] = data[rowIm + u] * m;
      }
    }
    return { ...shape, re, im };
  }) as [ComplexSpectrogram, ComplexSpectrogram];
  let vocalSpectra = spectra(true);
  if (options.wiener) vocalSpectra = wienerFilter(spectra(false), vocalSpectra);
  const vocals = vocalSpectra.map((s, c) => istft(s, { nFft: cfg.nFft, hopLength: cfg.hopLength, length: c === 0 ? left.length : right.length }));
  return { vocals, accompaniment: [left, right].map((x, c) => difference(x, vocals[c])) };
}

function difference(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** A loaded separation model: the ONNX session and the STFT conventions from its recipe. */
export interface SeparationModel {
  readonly onnx: OnnxModel;
  readonly config: SeparationModelConfig;
}

export interface SeparateOptions extends SeparateWithModelOptions {
  readonly model: SeparationModel;
  /** Seconds of input per segment (default 30, at least 4); memory grows with it, not with the song. */
  readonly segmentSeconds?: number;
}

/** Context each side of a segment: far beyond the U-Net's receptive field (≈ 0.2 s) and the resampler's filters. */
const SEGMENT_MARGIN_SECONDS = 1;

/**
 * Singing-voice separation of any audio: any rate and channel count. The
 * model runs at its rate in stereo (mono doubled; more than two channels
 * mixed down to two, odd channels left and even right); vocals come back at
 * the input's rate, channel count and length, and the accompaniment is the
 * input minus the vocals, exactly.
 */
export async function separate(audio: AudioSignal, options: SeparateOptions): Promise<{ vocals: Float32Array[]; accompaniment: Float32Array[] }> {
  const ch = audio.channels;
  const n = audioLength(audio);
  if (ch.length === 0 || n === 0) throw new InvalidInputError("separate: the audio is empty");
  const cfg = options.model.config;
  const stereoIn = ch.length === 1 ? [ch[0], ch[0]] : ch.length === 2 ? [...ch] : [0, 1].map((side) => {
    const out = new Float32Array(n);
    const members = ch.filter((_, k) => k % 2 === side);
    for (const c of members) for (let i = 0; i < n; i++) out[i] += c[i] / members.length;
    return out;
  });
  // Segments of the input, overlapping by 2·margin and cross-faded (the model and the resampler see every
  // output sample with context); working memory is bounded by the segment, not the song.
  const margin = Math.round(SEGMENT_MARGIN_SECONDS * audio.sampleRate);
  // At least 4 margins, so that only neighbouring segments overlap (their weights then sum to 1).
  const core = Math.max(4 * margin, Math.round((options.segmentSeconds ?? 30) * audio.sampleRate));
  const back = [new Float32Array(n), new Float32Array(n)];
  for (let a = 0; a < n; a += core) {
    const from = Math.max(0, a - margin), to = Math.min(n, a + core + margin);
    const len = to - from;
    // The "fast" resampler (stop band > 60 dB down): its error is far below the model's.
    const atModel = stereoIn.map((c) => resample(c.subarray(from, to), audio.sampleRate, cfg.sampleRate, { quality: "fast" }));
    const { vocals } = await separateWithModel(options.model.onnx, atModel[0], atModel[1], cfg, {
      wiener: options.wiener,
      onProgress: options.onProgress && ((f) => options.onProgress!(Math.min(1, (a + f * Math.min(core, n - a)) / n))),
    });
    const first = from === 0, last = to === n;
    vocals.forEach((v, c) => {
      const r = resample(v, cfg.sampleRate, audio.sampleRate, { quality: "fast" });
      for (let t = 0; t < len; t++) {
        const w = chunkWeight(t, len, first, last, 2 * margin);
        if (w !== 0) back[c][from + t] += w * (r[t] ?? 0);
      }
    });
    if (last) break;
  }
  options.onProgress?.(1);
  let vocalsOut = back;
  if (ch.length === 1) {
    const mono = back[0];
    for (let i = 0; i < n; i++) mono[i] = 0.5 * (mono[i] + back[1][i]);
    vocalsOut = [mono];
  } else if (ch.length > 2) vocalsOut = ch.map((_, k) => back[k % 2]);
  return { vocals: vocalsOut, accompaniment: ch.map((c, k) => difference(c, vocalsOut[k])) };
}
