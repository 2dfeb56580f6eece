/**
 * mirkit's library API. Everything here runs in Node and in browsers, except
 * the file helpers re-exported from "mirkit/node" (io/file).
 */
export { MirError, InvalidInputError, UnsupportedFormatError, ModelError } from "./errors.js";

export type { AudioSignal } from "./io/audio.js";
export { audioLength, toMono } from "./io/audio.js";
export { decodeAudio, sniffFormat, type AudioFormat } from "./io/decode.js";
export { decodeWav, encodeWav, type WavEncoding } from "./io/wav.js";
export { encodeFlac } from "./io/flac.js";

export type { Spectrogram, ComplexSpectrogram, Filterbank } from "./dsp/types.js";
export { magnitude, powerToDb, amplitudeToDb } from "./dsp/types.js";
export { getWindow, type WindowName } from "./dsp/window.js";
export { rfft, irfft, RealFft } from "./dsp/fft.js";
export { stft, istft, stftFrameCount, type StftOptions } from "./dsp/stft.js";
export { resample, designResampleFilter, resampleWith, type ResampleOptions } from "./dsp/resample.js";
export { applyFilterbank, normalizeFrames } from "./dsp/filterbank.js";
export { melFilterbank, melSpectrogram, hzToMel, melToHz, melFrequencies, type MelOptions } from "./dsp/mel.js";
export { cqt, cqtFrequencies, type CqtOptions } from "./dsp/cqt.js";
export { hcqt, HCQT_DEFAULTS, type Hcqt, type HcqtOptions } from "./dsp/hcqt.js";
export { chromaFilterbank, chromaStft, chromaCqt, chromaCens, censFromChroma, foldToChroma, C1_HZ } from "./dsp/chroma.js";
export { hpcp, spectralPeaks, type HpcpOptions } from "./dsp/hpcp.js";
export { integratedLoudness, LoudnessMeter } from "./dsp/loudness.js";

export { renderFigure, type FigureSpec } from "./plot/figure.js";
export { encodePng } from "./plot/png.js";

export { wienerFilter } from "./dsp/wiener.js";
export { OnnxModel, runChunked, type OrtLike, type TensorF32 } from "./nn/runtime.js";
export { separate, separateStream, separateWithModel, type SeparationModel, type SeparationModelConfig, type SeparateOptions } from "./tasks/separate.js";
export { multipitch, multipitchWithModel, pickPeaks, salienceTargets, binToHz, hzToBin, type MultipitchModel, type MultipitchOptions } from "./tasks/multipitch.js";
export { evaluateMultipitch, type MultipitchScores } from "./eval/multipitch.js";
