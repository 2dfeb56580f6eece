/**
 * A loaded piano transcription model: two ONNX graphs, the acoustic model
 * (log-mel [1, T, 229], or the key-aligned CQT [1, T, 294] → features [1, T, F] and onset velocities
 * [1, T, 88], any T) and the per-frame step (features [1, F], the previous
 * frame's states one-hot [1, 88·S], the LSTM state h, c [1, H] → state
 * logits [1, 88·S] and the new h, c; with a frame head, its logits [1, 88·S] fourth), and its recipe's
 * `model` (kind, states, features, hidden, frameHead). `PianoTranscriber.load(ort, files)` in any
 * runtime (files.companions.step is the step graph: <name>.step.onnx beside
 * <name>.onnx); `loadPianoTranscriber()` from "mirkit/node" reads the
 * shipped one.
 */
import { ModelError } from "../../errors.js";
import { OnnxModel, recipeOf, type ModelFiles, type OrtLike, type SessionOptions } from "../../nn/runtime.js";
import { PIANO_FRONTS, pianoWidths, type PianoFront, type StateCount } from "./contract.js";
import type { PianoKind } from "./piano.js";

/** File name prefix of the shipped piano models (models/piano-*.onnx). */
export const PIANO_MODEL_PREFIX = "piano-";

export interface PianoModelInfo {
  /** The input: "mel" (the paper's log-mel, the default), "keys" (the key-aligned CQT) or "vqt" (the key-aligned VQT); features and hidden per key for the last two. */
  readonly front: PianoFront;
  readonly kind: PianoKind;
  readonly states: StateCount;
  readonly features: number;
  readonly hidden: number;
  /**
   * Added to each state's logit before the argmax (recipe `model.decodeBias`): −log of the training
   * loss's state weights, plus an onset bias tuned on validation pieces (scripts/piano-eval.ts --tune).
   */
  readonly decodeBias: readonly number[];
  /**
   * With a frame head (recipe `model.frameHead`, the step graph's fourth output): a sustained note ends after
   * this many frames in a row that the frame head calls silent (recipe `model.steerFrames`); 0 without one.
   */
  readonly steerFrames: number;
}

export class PianoTranscriber {
  /** Wraps loaded sessions; `load` is the usual way in. */
  constructor(readonly acoustic: OnnxModel, readonly step: OnnxModel, readonly info: PianoModelInfo) {}

  static async load(ort: OrtLike, files: ModelFiles, options: SessionOptions = {}): Promise<PianoTranscriber> {
    const r = recipeOf<{ model: Omit<PianoModelInfo, "front" | "steerFrames"> & { front?: PianoFront; frameHead?: number; steerFrames?: number } }>(files, "model.kind, model.states, model.features, model.hidden and model.decodeBias (model.front mel, keys or vqt; model.frameHead and model.steerFrames together)", (x) =>
      (x.model?.frameHead === undefined || (Number.isInteger(x.model.frameHead) && x.model.frameHead > 0 && Number.isInteger(x.model.steerFrames) && (x.model.steerFrames ?? 0) > 0)) &&
      (x.model?.front === undefined || PIANO_FRONTS.includes(x.model.front)) && (x.model?.kind === "ar" || x.model?.kind === "frame") && [3, 4, 5].includes(x.model?.states) && x.model?.features > 0 && x.model?.hidden > 0 &&
      Array.isArray(x.model?.decodeBias) && x.model.decodeBias.length === x.model.states && x.model.decodeBias.every((v) => typeof v === "number" && Number.isFinite(v)));
    const step = files.companions?.step;
    if (step === undefined) throw new ModelError("the piano model's step graph (<name>.step.onnx beside the model) is missing", { file: files.recipeName.replace(/\.recipe\.json$/, ".step.onnx") });
    // One thread for the step graph: it is called once per frame on tiny tensors, where threads only add overhead.
    const [a, s] = await Promise.all([OnnxModel.load(ort, files.onnx, options), OnnxModel.load(ort, step, { ...options, threads: 1 })]);
    const w = pianoWidths(r.model);
    const steerFrames = r.model.frameHead ? r.model.steerFrames! : 0;
    if ((s.outputNames.length === 4) !== steerFrames > 0) throw new ModelError(`the piano model's step graph has ${s.outputNames.length} outputs, and its recipe ${steerFrames ? "names" : "has no"} frame head`, { file: files.recipeName });
    return new PianoTranscriber(a, s, { front: r.model.front ?? "mel", kind: r.model.kind, states: r.model.states, features: w.features, hidden: w.state, decodeBias: r.model.decodeBias, steerFrames });
  }

  /** Releases both ONNX Runtime sessions. */
  async dispose(): Promise<void> {
    await Promise.all([this.acoustic.dispose(), this.step.dispose()]);
  }
}
