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
export { rfft, irfft, RealFft, realFft, type RealFftEngine, type RealFftOptions } from "./dsp/fft.js";
export { fastFftEngine } from "./dsp/fft-wasm.js";
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
export { OnnxModel, runChunked, type OrtLike, type TensorF32, type TensorSource, type ModelFiles, type SessionOptions } from "./nn/runtime.js";
export { SeparationModel } from "./models/separation/model.js";
export type { SeparationModelConfig } from "./models/separation/contract.js";
export { MultipitchModel } from "./models/pitch/model.js";
export { pickPeaks, binToHz, hzToBin } from "./models/pitch/contract.js";
export { separate, separateStream, separateWithModel, type SeparateOptions } from "./tasks/separate.js";
export { multipitch, multipitchWithModel, type MultipitchOptions } from "./tasks/multipitch.js";
export { transcribe, transcribeStream, notesToMidi, estimateTempo, type TranscribeOptions } from "./tasks/transcribe.js";
export { PianoTranscriber, type PianoModelInfo } from "./models/transcription/model.js";
export { transcribeParts, transcribePartsStream, clusterNotes, noteVectors, partsToMidi, type PartsModels, type PartsOptions, type PartsResult, type PartedNote } from "./tasks/instruments.js";
export { PartsTranscriber } from "./models/transcription/parts-model.js";
export { kMeans, silhouette, type KMeansOptions, type KMeansResult } from "./nn/kmeans.js";
export { noteStates, statesToNotes, NoteTracker, pianoInput, pianoKeysInput, pianoFrontInput, type PianoFront, type PianoNote, type StateCount } from "./models/transcription/contract.js";
export { composePianoPiece, type PianoPieceOptions, type PianoTexture } from "./data/piano.js";
// Evaluation: ports of mir_eval 0.7 and museval (keys and defaults as theirs), and readers of mir_eval's text formats.
export { evaluateMultipitch, resampleMultipitch, type MultipitchScores, type MultipitchInput } from "./eval/multipitch.js";
export { evaluateMelody, toCentVoicing, resampleMelodySeries, type MelodyScores, type MelodyOptions } from "./eval/melody.js";
export { evaluateTranscription, matchNotes, matchNotesWithVelocity, averageOverlapRatio, type NoteList, type TranscriptionOptions, type TranscriptionScores } from "./eval/transcription.js";
export {
  bssEvalSources, bssEvalImages, bssEvalSourcesFramewise, bssEvalImagesFramewise, musevalV4, siSdr, mdxSdr, nanMedian,
  type MultiSource, type BssSourcesResult, type BssImagesResult, type ImageScores, type Framewise, type MusevalFrame,
} from "./eval/separation.js";
export { parseRaggedTimeSeries, parseTimeSeries, parseNotes, parseNotesWithVelocity, parseColumns, formatRaggedTimeSeries, pythonFloat, type Notes } from "./eval/io.js";

export { coverFeatures, type CoverFeatures } from "./covers/features.js";
export { alignmentDistance, fuseDistances } from "./covers/similarity.js";
export { CALIBRATION, pairDistances, profileDistance, rerankScores, calibrate, type PairDistances } from "./covers/rank.js";
export { CoversLibrary, encodeEntry, decodeEntry, MAGIC as COVERS_LIBRARY_MAGIC, type LibraryEntry, type StoredEmbedding } from "./covers/library.js";
export { CoverEmbedder, COVERS_MODEL_PREFIX } from "./models/covers/model.js";
export { coverInput } from "./models/covers/contract.js";
export { MemoryRecordStore, type RecordStore } from "./io/records.js";
export { evaluateCovers, evaluateCoversMatrix, type CoverScores } from "./eval/covers.js";
export { f0ToNotes, trackVoices, voiceNotesToMidi, formatNotes, sonifyNotes, type VoiceNote, type F0NotesOptions } from "./tasks/f0-notes.js";
export { encodeMidi, type MidiPart } from "./io/midi.js";
