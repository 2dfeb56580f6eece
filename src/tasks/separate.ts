/**
 * Separation with a U-Net mask model in ONNX Runtime: the complex STFT of
 * each channel pair as 4 input channels (DC dropped), the model's mask over
 * the whole song in chunks with overlap (runChunked), the mask applied to
 * the mixture, inverse STFT. Accompaniment = mixture − vocals, exactly.
 * Conventions of the model (STFT size, hop, bins) come from its config.
 */
import { asBlocks, audioLength, type AudioSignal } from "../io/audio.js";
import { resample } from "../dsp/resample.js";
import { istft } from "../dsp/stft.js";
import type { ComplexSpectrogram } from "../dsp/types.js";
import { wienerFilter } from "../dsp/wiener.js";
import { InvalidInputError } from "../errors.js";
import { mixtureTensor, type SeparationModelConfig } from "../models/separation/contract.js";
import type { SeparationModel } from "../models/separation/model.js";
import { phonemeMatrix, PHONEMES, type AlignedPhoneme } from "../lyrics/phonemes.js";
import { chunkWeight, OnnxModel, runChunkedAll, type TensorF32 } from "../nn/runtime.js";

export interface SeparateWithModelOptions {
  /** Multichannel Wiener post-filter (dsp/wiener.ts) on the masked estimate. */
  readonly wiener?: boolean;
  readonly onProgress?: (fraction: number) => void;
  /** Cancels the job: it rejects with the signal's reason before the next chunk of model input. */
  readonly signal?: AbortSignal;
  /**
   * What is sung when (informed models only, which need it): aligned phonemes, times in seconds from the
   * start of the song (lyrics/phonemes: parseAlignment, or lyricsAlignment of LRC lines).
   */
  readonly phonemes?: readonly AlignedPhoneme[];
  /** Where this audio starts in the song the alignment times (seconds); 0 by default. */
  readonly offsetSeconds?: number;
  /**
   * Models with a vocals-activation head: the mask is zeroed in frames whose activation, thresholded and
   * median-filtered, says no vocals (Hung & Lerch). Default: the recipe's gate, else threshold 0.5 over
   * 0.2 s; false keeps the mask as it is.
   */
  readonly gate?: ActivationGate | false;
}

export interface ActivationGate {
  readonly threshold: number;
  /** Median filter length in frames (odd). */
  readonly medianFrames: number;
}

export const DEFAULT_GATE: ActivationGate = { threshold: 0.5, medianFrames: 35 };

/** Zeroes mask frames [rows × frames] where the activation, thresholded and median-filtered, is off. Returns the gate. */
export function gateMask(mask: Float32Array, activation: Float32Array, frames: number, gate: ActivationGate): Uint8Array {
  const on = Uint8Array.from(activation.subarray(0, frames), (a) => (a >= gate.threshold ? 1 : 0));
  const half = Math.floor(gate.medianFrames / 2), g = new Uint8Array(frames);
  // A binary median: on where most frames of the window (clipped at the edges) are on.
  let count = 0;
  for (let t = 0; t < Math.min(frames, half); t++) count += on[t];
  for (let t = 0; t < frames; t++) {
    if (t + half < frames) count += on[t + half];
    if (t - half - 1 >= 0) count -= on[t - half - 1];
    const n = Math.min(frames - 1, t + half) - Math.max(0, t - half) + 1;
    g[t] = 2 * count > n ? 1 : 0;
  }
  const rows = mask.length / frames;
  for (let r = 0; r < rows; r++) for (let t = 0; t < frames; t++) if (!g[t]) mask[r * frames + t] = 0;
  return g;
}

/** The model's top band, whose vocal share is given to content above the model's Nyquist frequency. */
export const HIGH_BAND_HZ = 7000;

/**
 * Stereo separation at the model's rate: vocals and accompaniment (= mixture − vocals, exactly), and per
 * channel and STFT frame the vocals' amplitude share of the top band (HIGH_BAND_HZ up to the model's
 * Nyquist), which `separateStream` applies to what lies above the model's band (sibilants, breath).
 */
export async function separateWithModel(model: OnnxModel, left: Float32Array, right: Float32Array, cfg: SeparationModelConfig, options: SeparateWithModelOptions = {}): Promise<{ vocals: Float32Array[]; accompaniment: Float32Array[]; highShare: Float32Array[] }> {
  const t = mixtureTensor(left, right, cfg);
  const { data, bins, frames } = t;
  // Keep only the shapes of the mixture's spectra: the tensor holds the same values (DC aside), so the
  // complex spectra need not live through inference.
  const shape = { nFrames: t.specs[0].nFrames, nBins: t.specs[0].nBins, hopLength: cfg.hopLength, sampleRate: cfg.sampleRate };
  t.specs.length = 0;
  const chunk = cfg.chunkFrames ?? 256, overlap = 2 * cfg.frameMultiple;
  if (chunk % cfg.frameMultiple !== 0 || chunk <= overlap) throw new InvalidInputError(`separation: chunkFrames ${chunk} must be a multiple of ${cfg.frameMultiple} above ${overlap}`);
  const inputs: Record<string, TensorF32> = { [model.inputNames[0]]: { data, dims: [1, 4, bins, frames] } };
  if (model.inputNames.includes("phonemes")) {
    if (!options.phonemes) throw new InvalidInputError("this separation model is informed by phonemes: give an alignment or lyrics (--phonemes ALIGN.txt or --lyrics LYRICS.lrc)");
    inputs.phonemes = { data: phonemeMatrix(options.phonemes, frames, cfg.hopLength / cfg.sampleRate, options.offsetSeconds ?? 0), dims: [1, PHONEMES.length, frames] };
  } else if (options.phonemes) {
    throw new InvalidInputError("this separation model takes no phonemes or lyrics; choose an informed one (mirkit models lists them)");
  }
  const outs = await runChunkedAll(model, inputs, { chunk, overlap, onProgress: options.onProgress, signal: options.signal });
  const mask = outs[model.outputNames[0]];
  if (outs.activation && options.gate !== false) gateMask(mask.data, outs.activation.data, frames, options.gate ?? cfg.gate ?? DEFAULT_GATE);
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
  const vocals = vocalSpectra.map((s, c) => istft(s, { nFft: cfg.nFft, hopLength: cfg.hopLength, length: c === 0 ? left.length : right.length, precision: "single" }));
  const lo = Math.max(1, Math.round((HIGH_BAND_HZ * cfg.nFft) / cfg.sampleRate));
  const highShare = vocalSpectra.map((v, c) => {
    const share = new Float32Array(shape.nFrames);
    for (let u = 0; u < shape.nFrames; u++) {
      let ev = 0, ex = 0;
      for (let f = lo; f < shape.nBins; f++) {
        const i = u * shape.nBins + f, k = f - 1;
        if (k >= bins) continue;
        const xr = data[((2 * c) * bins + k) * frames + u], xi = data[((2 * c + 1) * bins + k) * frames + u];
        ev += v.re[i] * v.re[i] + v.im[i] * v.im[i];
        ex += xr * xr + xi * xi;
      }
      share[u] = ex > 0 ? Math.min(1, Math.sqrt(ev / ex)) : 0;
    }
    return share;
  });
  return { vocals, accompaniment: [left, right].map((x, c) => difference(x, vocals[c])), highShare };
}

function difference(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

export interface SeparateOptions extends SeparateWithModelOptions {
  readonly model: SeparationModel;
  /** Seconds of input per segment (default 30, at least 4); memory grows with it, not with the song. */
  readonly segmentSeconds?: number;
  /**
   * What happens to the input above the model's Nyquist frequency (11.025 kHz): "shared" (the default)
   * gives the vocals the share the model gives them of its top band, frame by frame; "accompaniment"
   * leaves it all in the accompaniment, as mirkit did before (kept for comparisons).
   */
  readonly highBand?: "shared" | "accompaniment";
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
  const n = audioLength(audio);
  const vocals = audio.channels.map(() => new Float32Array(n)), accompaniment = audio.channels.map(() => new Float32Array(n));
  let at = 0;
  for await (const out of separateStream(asBlocks(audio), { ...options, totalFrames: n })) {
    out.vocals.forEach((v, c) => vocals[c].set(v, at));
    out.accompaniment.forEach((v, c) => accompaniment[c].set(v, at));
    at += out.vocals[0].length;
  }
  return { vocals, accompaniment };
}

/**
 * `separate` over a stream of audio blocks (one rate and channel count), yielding the stems block by
 * block in order: segments of `segmentSeconds` overlapping by 2 s are separated one at a time and
 * cross-faded, so memory is bounded by the segment length, whatever the stream's. `totalFrames`, when
 * known, only drives progress.
 */
export async function* separateStream(blocks: AsyncIterable<AudioSignal>, options: SeparateOptions & { readonly totalFrames?: number }): AsyncGenerator<{ vocals: Float32Array[]; accompaniment: Float32Array[] }> {
  const cfg = options.model.config;
  let rate = 0, nc = 0, margin = 0, core = 0;
  let input: Float32Array[] = []; // input[c][i] is sample bufStart + i
  let bufStart = 0, bufEnd = 0;
  let acc = [new Float32Array(0), new Float32Array(0)]; // vocals (stereo) accumulated from bufStart on
  let a = 0; // the next segment's core start
  const append = (chs: readonly Float32Array[]) => {
    const len = chs[0].length, used = bufEnd - bufStart;
    if (used + len > (input[0]?.length ?? 0)) {
      const cap = Math.max(2 * (used + len), core + 2 * margin);
      input = input.map((x) => { const y = new Float32Array(cap); y.set(x.subarray(0, used)); return y; });
      acc = acc.map((x) => { const y = new Float32Array(cap); y.set(x.subarray(0, used)); return y; });
    }
    chs.forEach((c, k) => input[k].set(c, used));
    bufEnd += len;
  };
  const stereoSlice = (from: number, to: number): Float32Array[] => {
    const s = from - bufStart, e = to - bufStart;
    if (nc === 1) return [input[0].subarray(s, e), input[0].subarray(s, e)];
    if (nc === 2) return [input[0].subarray(s, e), input[1].subarray(s, e)];
    return [0, 1].map((side) => {
      const out = new Float32Array(e - s);
      const members = input.filter((_, k) => k % 2 === side);
      for (const c of members) for (let i = 0; i < out.length; i++) out[i] += c[s + i] / members.length;
      return out;
    });
  };
  const runSegment = async (last: boolean) => {
    const from = Math.max(0, a - margin), to = last ? bufEnd : a + core + margin;
    const len = to - from;
    // The "fast" resampler (stop band > 60 dB down): its error is far below the model's.
    const original = stereoSlice(from, to);
    const atModel = original.map((c) => resample(c, rate, cfg.sampleRate, { quality: "fast" }));
    const total = options.totalFrames;
    const { vocals, highShare } = await separateWithModel(options.model.onnx, atModel[0], atModel[1], cfg, {
      wiener: options.wiener,
      signal: options.signal,
      phonemes: options.phonemes,
      offsetSeconds: from / rate,
      gate: options.gate,
      onProgress: options.onProgress && total ? (f) => options.onProgress!(Math.min(1, (a + f * Math.min(core, total - a)) / total)) : undefined,
    });
    const shareHighBand = rate > cfg.sampleRate && options.highBand !== "accompaniment";
    vocals.forEach((v, c) => {
      const r = resample(v, cfg.sampleRate, rate, { quality: "fast" });
      if (shareHighBand) {
        // Above the model's band (sibilants, breath): the input minus its band-limited copy, shared out as
        // the model shares its top band, frame by frame (linear between frame centres).
        const band = resample(atModel[c], cfg.sampleRate, rate, { quality: "fast" }), x = original[c], g = highShare[c];
        const framesPerSample = cfg.sampleRate / rate / cfg.hopLength;
        for (let t = 0; t < r.length; t++) {
          const u = t * framesPerSample, j = Math.min(g.length - 1, Math.floor(u)), w = u - j;
          const share = j + 1 < g.length ? g[j] + w * (g[j + 1] - g[j]) : g[j];
          r[t] += share * (x[t] - (band[t] ?? 0));
        }
      }
      const dst = acc[c], off = from - bufStart;
      for (let t = 0; t < len; t++) {
        const w = chunkWeight(t, len, from === 0, last, 2 * margin);
        if (w !== 0) dst[off + t] += w * (r[t] ?? 0);
      }
    });
  };
  // Stems for [bufStart, upTo), then dropped from the buffers.
  const emit = (upTo: number) => {
    const k = upTo - bufStart;
    const back = acc.map((x) => x.slice(0, k));
    let vocals = back;
    if (nc === 1) {
      for (let i = 0; i < k; i++) back[0][i] = 0.5 * (back[0][i] + back[1][i]);
      vocals = [back[0]];
    } else if (nc > 2) vocals = input.map((_, c) => back[c % 2]);
    const accompaniment = input.map((x, c) => difference(x.subarray(0, k), vocals[c]));
    const used = bufEnd - bufStart;
    for (const x of [...input, ...acc]) { x.copyWithin(0, k, used); x.fill(0, used - k, used); }
    bufStart = upTo;
    return { vocals, accompaniment };
  };
  options.signal?.throwIfAborted();
  for await (const block of blocks) {
    options.signal?.throwIfAborted();
    if (block.channels.length === 0) throw new InvalidInputError("separate: the audio is empty (no channels)");
    if (nc === 0) {
      rate = block.sampleRate;
      nc = block.channels.length;
      margin = Math.round(SEGMENT_MARGIN_SECONDS * rate);
      // At least 4 margins, so that only neighbouring segments overlap (their weights then sum to 1).
      core = Math.max(4 * margin, Math.round((options.segmentSeconds ?? 30) * rate));
      input = block.channels.map(() => new Float32Array(0));
    } else if (block.sampleRate !== rate || block.channels.length !== nc) {
      throw new InvalidInputError(`separate: a block of ${block.channels.length} channels at ${block.sampleRate} Hz in a stream of ${nc} at ${rate} Hz`);
    }
    append(block.channels);
    while (bufEnd >= a + core + margin) {
      await runSegment(false);
      a += core;
      yield emit(a - margin);
    }
  }
  if (bufEnd === 0) throw new InvalidInputError("separate: the audio is empty");
  if (bufEnd > bufStart) {
    await runSegment(true);
    yield emit(bufEnd);
  }
  options.onProgress?.(1);
}
