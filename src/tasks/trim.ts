/**
 * Trimming lottery tickets (Esling et al., ISMIR 2020) for a multi-F0 model
 * or a separation U-Net (Node-only: it reads datasets and writes a run
 * folder; each family says what its units, data, loss and scores are in a
 * `TrimFamily`, chosen from the model's recipe): round after round,
 * score the units (magnitude, activation), remove `rate` of those left
 * (local or global), reset the survivors (rewind to the start weights,
 * re-initialise, or keep the full net and mask instead of trimming),
 * retrain, export a smaller ONNX model and score it on validation (and the
 * held-out sets if given). Each round is written to OUT/round-<k>/ with its
 * recipe, and OUT/state.json makes the run resumable between rounds.
 *
 * The rewind point is the weights the run starts from (the shipped model's:
 * "late rewinding"); the original training left no snapshot of an early
 * iteration to rewind to. `rewindFrom` takes one where it exists.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { numpy as np, type Array as JArray, type JsTree } from "@jax-js/jax";
import { InvalidInputError } from "../errors.js";
import { FUSIONS, initMultiF0, multiF0Loss, type MultiF0Config, type MultiF0Params } from "../models/pitch/multif0.js";
import type { SeparationModelConfig } from "../models/separation/contract.js";
import { initUNet, separationLoss, type UNetConfig, type UNetParams } from "../models/separation/unet.js";
import { OnnxModel, type OrtLike } from "../nn/runtime.js";
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from "../nn/safetensors.js";
import { cosineLr, MemoryStore, train } from "../nn/train.js";
import { multif0Activations, multif0Groups } from "../prune/multif0.js";
import { unetActivations, unetGroups } from "../prune/unet.js";
import { composeKeep, magnitudeScores, maskTensors, selectUnits, tensorParameters, tensorsOf, treeOf, trimTensors, type Criterion, type Scope, type Tensors, type UnitGroup } from "../prune/units.js";
import { exportMultif0, scoreMultif0, trainingBatch, trainingSongs } from "./multif0-training.js";
import { exportSeparation, scoreSeparation, separationBatch, separationSongs } from "./separation-training.js";

export type Reset = "rewind" | "reinit" | "mask";
export const RESETS: readonly Reset[] = ["rewind", "reinit", "mask"];

export interface TrimOptions {
  /** The model to trim: an .onnx file with its .recipe.json and .safetensors beside it. */
  readonly model: string;
  readonly criterion: Criterion;
  readonly scope: Scope;
  /** Share of the remaining units removed per round. */
  readonly rate: number;
  readonly rounds: number;
  /** Training datasets (`mirkit synth choir` folders) for retraining and the activation criterion. */
  readonly data: readonly string[];
  /** Validation datasets (threshold sweep, the per-round score). */
  readonly val: readonly string[];
  /** Held-out datasets scored each round (optional). */
  readonly test?: readonly string[];
  readonly out: string;
  readonly reset?: Reset;
  /** Retraining steps per round (default 300) and the peak learning rate (default 5e-4, cosine to 0). */
  readonly steps?: number;
  readonly lr?: number;
  readonly seed?: number;
  /** Weights to rewind to (a snapshot of an early iteration of the model's training), instead of the start weights. */
  readonly rewindFrom?: string;
  readonly onProgress?: (stage: string, fraction: number, detail: string) => void;
  readonly onRound?: (row: RoundRow) => void;
  readonly signal?: AbortSignal;
}

export interface RoundRow {
  readonly round: number;
  readonly parameters: number;
  /** Parameters that are not masked to zero (equal to `parameters` when trimming). */
  readonly activeParameters: number;
  readonly gflopPerSecond: number;
  readonly onnxBytes: number;
  readonly widths: Record<string, number>;
  /** The family's validation score (multi-F0: Accuracy at the best threshold; separation: vocals SDR, dB) and its name. */
  readonly validation: number;
  readonly metric: string;
  /** Multi-F0: the peak threshold chosen on validation. */
  readonly threshold?: number;
  /** Each held-out set's scores (the family's metrics). */
  readonly test?: Record<string, Record<string, number>>;
  readonly realtime: number;
  readonly trainSeconds: number;
}

/** A round's scores as a family gives them. */
interface Scored {
  readonly validation: number;
  readonly threshold?: number;
  readonly test?: Record<string, Record<string, number>>;
  readonly realtime: number;
  /** The family's own names for its validation scores in the recipe (multi-F0: validationAccuracy; separation: validationVocalsSdr, …). */
  readonly metrics: Record<string, unknown>;
  /** Recipe fields beside metrics (the multi-F0 threshold sweep). */
  readonly extra?: Record<string, unknown>;
}

/** What trimming needs of a model family. */
interface TrimFamily {
  readonly label: string;
  readonly metric: string;
  /** Recipe fields a loaded model needs besides `model` (hcqt, stft). */
  readonly recipeFields: Record<string, unknown>;
  readonly config: Record<string, unknown>;
  groups(t: Tensors): UnitGroup[];
  init(seed: number): unknown;
  /** Loads the training sets; the batch of a step. */
  loader(dirs: readonly string[]): (step: number, seed: number) => JArray[];
  loss(p: unknown, ...batch: JArray[]): JArray;
  activations(p: unknown, inputs: readonly JArray[]): Record<string, Float64Array>;
  export(p: unknown): { onnx: Uint8Array; gflopsPerSecond: number };
  score(model: OnnxModel, val: readonly string[], test: readonly string[]): Promise<Scored>;
}

function multif0Family(cfg: MultiF0Config, recipe: Record<string, unknown>): TrimFamily {
  return {
    label: "multi-F0", metric: "Accuracy", recipeFields: { hcqt: recipe.hcqt }, config: { ...cfg },
    groups: multif0Groups,
    init: (seed) => initMultiF0(cfg, seed),
    loader: (dirs) => {
      const songs = trainingSongs(dirs, cfg);
      return (step, seed) => trainingBatch(songs, step, seed, cfg);
    },
    loss: (p, x, y) => multiF0Loss(p as MultiF0Params, x, y, cfg),
    activations: (p, inputs) => multif0Activations(p as MultiF0Params, inputs, cfg),
    export: (p) => exportMultif0(p as MultiF0Params, cfg),
    score: async (model, val, test) => {
      const scored = await scoreMultif0(model, val, test, cfg, " (recorded)");
      const held = Object.keys(scored.test).length > 0 ? scored.test : undefined;
      return {
        validation: scored.best.Accuracy, threshold: scored.best.th, realtime: scored.realtime, ...(held ? { test: held } : {}),
        metrics: { validationAccuracy: scored.best.Accuracy },
        extra: { thresholdSweep: scored.sweep },
      };
    },
  };
}

function separationFamily(cfg: UNetConfig, stft: SeparationModelConfig): TrimFamily {
  return {
    label: "separation", metric: "vocals SDR (dB)", recipeFields: { stft }, config: { ...cfg },
    groups: unetGroups,
    init: (seed) => initUNet(cfg, seed),
    loader: (dirs) => {
      const songs = separationSongs(dirs, stft);
      return (step, seed) => separationBatch(songs, step, seed, cfg.bins);
    },
    loss: (p, x, y) => separationLoss(p as UNetParams, x, y),
    activations: (p, inputs) => unetActivations(p as UNetParams, inputs),
    export: (p) => exportSeparation(p as UNetParams, cfg, stft),
    score: async (model, val, test) => {
      const v = await scoreSeparation(model, val, stft);
      const held: Record<string, Record<string, number>> = {};
      for (const dir of test) {
        const t = await scoreSeparation(model, [dir], stft);
        held[path.basename(dir)] = { vocalsSdr: t.vocalsSdr, accompanimentSdr: t.accompanimentSdr, songs: t.songs, ...(t.instrumentalVocalsReInputDb !== undefined ? { instrumentalVocalsReInputDb: t.instrumentalVocalsReInputDb } : {}) };
      }
      return {
        validation: v.vocalsSdr, realtime: v.realtime, ...(test.length > 0 ? { test: held } : {}),
        metrics: {
          validationVocalsSdr: v.vocalsSdr, validationAccompanimentSdr: v.accompanimentSdr,
          ...(v.instrumentalVocalsReInputDb !== undefined ? { validationInstrumentalVocalsReInputDb: v.instrumentalVocalsReInputDb } : {}),
        },
      };
    },
  };
}

interface State {
  readonly key: string;
  keep: Record<string, number[]>;
  rows: RoundRow[];
}

/** The family of the model a recipe describes. */
function familyOf(onnxFile: string): TrimFamily {
  const file = onnxFile.replace(/\.onnx$/, ".recipe.json");
  if (!existsSync(file)) throw new InvalidInputError("no recipe beside the model (it carries the model's configuration)", { file });
  const r = JSON.parse(readFileSync(file, "utf8")) as { model?: Record<string, unknown>; stft?: SeparationModelConfig } & Record<string, unknown>;
  if (r.model && FUSIONS.includes(r.model.fusion as MultiF0Config["fusion"])) return multif0Family(r.model as unknown as MultiF0Config, r);
  if (r.model && typeof r.model.block === "string" && r.model.kind === undefined && r.stft) return separationFamily(r.model as unknown as UNetConfig, r.stft);
  throw new InvalidInputError("trim: this build trims multi-F0 models and plain separation U-Nets (a recipe with model.fusion, or model.block and stft); informed, piano, part and cover models are not wired yet", { file });
}

function readWeights(file: string): Record<string, NamedTensor> {
  if (!existsSync(file)) throw new InvalidInputError("no weights (.safetensors) beside the model: trimming needs them", { file });
  return decodeSafetensors(new Uint8Array(readFileSync(file)), file).tensors;
}

/** Multiplies each leaf by its mask inside the loss, so masked weights stay zero and get no gradient. */
function masked<P>(p: P, masks: Readonly<Record<string, JArray>>, prefix = ""): P {
  if (p !== null && typeof p === "object" && "shape" in (p as object)) {
    const m = masks[prefix];
    return (m ? (p as unknown as JArray).ref.mul(m.ref) : (p as unknown as JArray).ref) as P;
  }
  if (Array.isArray(p)) return p.map((x, i) => masked(x, masks, prefix ? `${prefix}.${i}` : String(i))) as P;
  return Object.fromEntries(Object.entries(p as object).map(([k, v]) => [k, masked(v, masks, prefix ? `${prefix}.${k}` : k)])) as P;
}

/** Runs (or resumes) a trimming run; resolves to the rows of every round, round 0 being the model as given. */
export async function trimModel(ort: OrtLike, o: TrimOptions): Promise<RoundRow[]> {
  const family = familyOf(o.model);
  const reset = o.reset ?? "rewind", steps = o.steps ?? 300, lr = o.lr ?? 5e-4, seed = o.seed ?? 1;
  if (o.criterion === "batchnorm") throw new InvalidInputError(`trim: the ${family.label} model has no batch norm; use --criterion magnitude or activation`);
  if (!(o.rate > 0 && o.rate < 1)) throw new InvalidInputError(`trim: --rate must be between 0 and 1, got ${o.rate}`);
  if (o.data.length === 0 || o.val.length === 0) throw new InvalidInputError("trim: give training data (--data) and validation data (--val)");
  const start = readWeights(o.model.replace(/\.onnx$/, ".safetensors"));
  const rewindTo = o.rewindFrom ? readWeights(o.rewindFrom) : start;
  const groups0 = family.groups(start);
  mkdirSync(o.out, { recursive: true });
  const stateFile = path.join(o.out, "state.json");
  const key = JSON.stringify({ model: path.resolve(o.model), criterion: o.criterion, scope: o.scope, rate: o.rate, reset, steps, lr, seed, data: o.data, val: o.val, rewindFrom: o.rewindFrom });
  let state: State = { key, keep: {}, rows: [] };
  if (existsSync(stateFile)) {
    const saved = JSON.parse(readFileSync(stateFile, "utf8")) as State;
    if (saved.key !== key) throw new InvalidInputError("this folder holds a trimming run with other options; choose another -o or remove it", { file: o.out });
    state = saved;
  }
  const save = () => writeFileSync(stateFile, JSON.stringify(state, null, 1) + "\n");
  const progress = o.onProgress ?? (() => {});
  const roundDir = (k: number) => path.join(o.out, `round-${k}`);
  const name = path.basename(o.model).replace(/\.onnx$/, "");

  /** Exports, scores and writes one round. */
  const finish = async (k: number, tensors: Tensors, active: number, trainSeconds: number, extra: Record<string, unknown>): Promise<RoundRow> => {
    progress(`round ${k}`, 0.9, "scoring");
    const { onnx, gflopsPerSecond } = family.export(treeOf(tensors));
    const model = await OnnxModel.load(ort, onnx);
    let row: RoundRow;
    try {
      const scored = await family.score(model, o.val, o.test ?? []);
      const widths = Object.fromEntries(family.groups(tensors).map((g) => [g.name, g.size]));
      row = {
        round: k, parameters: tensorParameters(tensors), activeParameters: active, gflopPerSecond: gflopsPerSecond,
        onnxBytes: onnx.length, widths, validation: scored.validation, metric: family.metric,
        ...(scored.threshold !== undefined ? { threshold: scored.threshold } : {}), ...(scored.test ? { test: scored.test } : {}),
        realtime: scored.realtime, trainSeconds,
      };
      const dir = roundDir(k);
      mkdirSync(dir, { recursive: true });
      const base = path.join(dir, `${name}-trim${k}`);
      writeFileSync(`${base}.onnx`, onnx);
      writeFileSync(`${base}.safetensors`, encodeSafetensors(tensors, { round: String(k), trimmedFrom: name }));
      const rec = {
        command: `mirkit trim --model ${o.model} --criterion ${o.criterion} --scope ${o.scope} --rate ${o.rate} --rounds ${o.rounds} --reset ${reset} --steps ${steps} --lr ${lr} --data ${o.data.join(",")} --val ${o.val.join(",")}${o.test ? ` --test ${o.test.join(",")}` : ""} -o ${o.out}`,
        trimmedFrom: name, round: k, criterion: o.criterion, scope: o.scope, rate: o.rate, reset, seed,
        model: { ...family.config, widths }, ...family.recipeFields, ...scored.extra,
        metrics: {
          parameters: row.parameters, activeParameters: active, gflopsPerSecond: row.gflopPerSecond,
          ...(row.threshold !== undefined ? { threshold: row.threshold } : {}), ...scored.metrics, ...(row.test ? { test: row.test } : {}),
          realtime: row.realtime, trainSeconds,
        },
        ...extra,
      };
      writeFileSync(`${base}.recipe.json`, JSON.stringify(rec, null, 2) + "\n");
    } finally {
      await model.dispose();
    }
    return row;
  };

  // The training data first: a set that cannot be used stops the run before any round is written.
  let batchOf: ((step: number, seed: number) => JArray[]) | undefined;
  if (state.rows.length <= o.rounds) {
    progress("round 0", 0, "loading training data");
    batchOf = family.loader(o.data);
  }
  if (state.rows.length === 0) {
    state.rows.push(await finish(0, start, tensorParameters(start), 0, { note: "round 0: the model as given, scored the same way" }));
    save();
    o.onRound?.(state.rows[0]);
  }
  for (let k = state.rows.length; k <= o.rounds; k++) {
    o.signal?.throwIfAborted();
    const batch = batchOf!;
    const prev = readWeights(path.join(roundDir(k - 1), `${name}-trim${k - 1}.safetensors`));
    // Masked runs keep full-size tensors; their units are the original's, with the masked ones at zero score.
    const current = reset === "mask" ? trimTensors(prev, groups0, state.keep) : prev;
    const groups = family.groups(current);
    progress(`round ${k}`, 0.02, `scoring units (${o.criterion})`);
    let scores: Record<string, ArrayLike<number>>;
    if (o.criterion === "magnitude") scores = magnitudeScores(current, groups);
    else {
      const inputs = [0, 1, 2, 3].map((i) => batch(1_000_000 + i, seed)).map(([x, ...rest]) => (rest.forEach((r) => r.dispose()), x));
      scores = family.activations(treeOf(current), inputs);
      inputs.forEach((x) => x.dispose());
    }
    const keep = composeKeep(state.keep, selectUnits(scores, o.rate, o.scope));
    // The survivors' starting weights.
    let init: Tensors;
    if (reset === "reinit") {
      const fresh = tensorsOf(family.init(seed + 1000 * k));
      init = trimTensors(fresh, family.groups(fresh), keep);
    } else if (reset === "rewind") init = trimTensors(rewindTo, family.groups(rewindTo), keep);
    else init = maskTensors(rewindTo, groups0, keep);
    const masks: Record<string, JArray> = {};
    if (reset === "mask") {
      const ones = Object.fromEntries(Object.entries(rewindTo).map(([n, t]) => [n, { shape: t.shape, data: new Float32Array(t.data.length).fill(1) }]));
      for (const [n, t] of Object.entries(maskTensors(ones, groups0, keep))) if (t.data.some((v) => v === 0)) masks[n] = np.array(t.data).reshape([...t.shape]);
    }
    const t0 = performance.now();
    const result = await train({
      init: () => treeOf<JsTree<JArray>>(init),
      loss: (p: JsTree<JArray>, ...b: JArray[]) => family.loss(reset === "mask" ? masked(p, masks) : p, ...b),
      batch: (step) => batch(7919 * k + step, seed),
      steps,
      schedule: cosineLr(lr, { warmup: 20 }),
      store: new MemoryStore(),
      checkpointEvery: 1_000_000,
      onProgress: (step) => progress(`round ${k}`, 0.05 + (0.85 * step) / steps, `retraining ${step}/${steps}`),
      signal: o.signal,
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    let trained = tensorsOf(result.params);
    if (reset === "mask") trained = maskTensors(trained, groups0, keep);
    for (const m of Object.values(masks)) m.dispose();
    const active = reset === "mask" ? tensorParameters(trimTensors(trained, groups0, keep)) : tensorParameters(trained);
    const row = await finish(k, trained, active, trainSeconds, { keep });
    state.keep = keep;
    state.rows.push(row);
    save();
    o.onRound?.(row);
  }
  return state.rows;
}
