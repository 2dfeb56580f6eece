/**
 * Trimming lottery tickets (Esling et al., ISMIR 2020) for a multi-F0 model
 * (Node-only: it reads datasets and writes a run folder): round after round,
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
import { OnnxModel, type OrtLike } from "../nn/runtime.js";
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from "../nn/safetensors.js";
import { cosineLr, MemoryStore, train } from "../nn/train.js";
import { multif0Activations, multif0Groups } from "../prune/multif0.js";
import { composeKeep, magnitudeScores, maskTensors, selectUnits, tensorParameters, tensorsOf, treeOf, trimTensors, type Criterion, type Scope, type Tensors } from "../prune/units.js";
import { exportMultif0, scoreMultif0, trainingBatch, trainingSongs, type HeldOutScores } from "./multif0-training.js";

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
  readonly threshold: number;
  readonly validationAccuracy: number;
  readonly test?: HeldOutScores;
  readonly realtime: number;
  readonly trainSeconds: number;
}

interface State {
  readonly key: string;
  keep: Record<string, number[]>;
  rows: RoundRow[];
}

function readRecipe(onnxFile: string): { model: MultiF0Config } & Record<string, unknown> {
  const file = onnxFile.replace(/\.onnx$/, ".recipe.json");
  if (!existsSync(file)) throw new InvalidInputError("no recipe beside the model (it carries the model's configuration)", { file });
  const r = JSON.parse(readFileSync(file, "utf8")) as { model?: MultiF0Config };
  if (!r.model || !FUSIONS.includes(r.model.fusion)) throw new InvalidInputError("trim: this build trims multi-F0 models (a recipe with model.fusion); other families are not wired yet", { file });
  return r as { model: MultiF0Config } & Record<string, unknown>;
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
export async function trimMultif0(ort: OrtLike, o: TrimOptions): Promise<RoundRow[]> {
  const recipe = readRecipe(o.model);
  const cfg = recipe.model;
  const reset = o.reset ?? "rewind", steps = o.steps ?? 300, lr = o.lr ?? 5e-4, seed = o.seed ?? 1;
  if (o.criterion === "batchnorm") throw new InvalidInputError("trim: the multi-F0 CNN has no batch norm; use --criterion magnitude or activation");
  if (!(o.rate > 0 && o.rate < 1)) throw new InvalidInputError(`trim: --rate must be between 0 and 1, got ${o.rate}`);
  if (o.data.length === 0 || o.val.length === 0) throw new InvalidInputError("trim: give training data (--data) and validation data (--val)");
  const start = readWeights(o.model.replace(/\.onnx$/, ".safetensors"));
  const rewindTo = o.rewindFrom ? readWeights(o.rewindFrom) : start;
  const groups0 = multif0Groups(start);
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
    const { onnx, gflopsPerSecond } = exportMultif0(treeOf<MultiF0Params>(tensors), cfg);
    const model = await OnnxModel.load(ort, onnx);
    let row: RoundRow;
    try {
      const scored = await scoreMultif0(model, o.val, o.test ?? [], cfg, " (recorded)");
      const { sweep, best } = scored;
      const test = Object.keys(scored.test).length > 0 ? scored.test : undefined;
      const widths = Object.fromEntries(multif0Groups(tensors).map((g) => [g.name, g.size]));
      row = {
        round: k, parameters: tensorParameters(tensors), activeParameters: active, gflopPerSecond: gflopsPerSecond,
        onnxBytes: onnx.length, widths, threshold: best.th, validationAccuracy: best.Accuracy, ...(test ? { test } : {}),
        realtime: scored.realtime, trainSeconds,
      };
      const dir = roundDir(k);
      mkdirSync(dir, { recursive: true });
      const base = path.join(dir, `${name}-trim${k}`);
      writeFileSync(`${base}.onnx`, onnx);
      writeFileSync(`${base}.safetensors`, encodeSafetensors(tensors, { fusion: cfg.fusion, round: String(k) }));
      const rec = {
        command: `mirkit trim --model ${o.model} --criterion ${o.criterion} --scope ${o.scope} --rate ${o.rate} --rounds ${o.rounds} --reset ${reset} --steps ${steps} --lr ${lr} --data ${o.data.join(",")} --val ${o.val.join(",")}${o.test ? ` --test ${o.test.join(",")}` : ""} -o ${o.out}`,
        trimmedFrom: name, round: k, criterion: o.criterion, scope: o.scope, rate: o.rate, reset, seed,
        model: { ...cfg, widths }, hcqt: recipe.hcqt, thresholdSweep: sweep,
        metrics: { parameters: row.parameters, activeParameters: active, gflopsPerSecond: row.gflopPerSecond, threshold: best.th, validationAccuracy: best.Accuracy, ...(test ? { test } : {}), realtime: row.realtime, trainSeconds },
        ...extra,
      };
      writeFileSync(`${base}.recipe.json`, JSON.stringify(rec, null, 2) + "\n");
    } finally {
      await model.dispose();
    }
    return row;
  };

  if (state.rows.length === 0) {
    state.rows.push(await finish(0, start, tensorParameters(start), 0, { note: "round 0: the model as given, scored the same way" }));
    save();
    o.onRound?.(state.rows[0]);
  }
  let songs: ReturnType<typeof trainingSongs> | undefined;
  for (let k = state.rows.length; k <= o.rounds; k++) {
    o.signal?.throwIfAborted();
    progress(`round ${k}`, 0, "loading training data");
    songs ??= trainingSongs(o.data, cfg);
    const prevDir = roundDir(k - 1);
    const prev = readWeights(path.join(prevDir, `${name}-trim${k - 1}.safetensors`));
    // Masked runs keep full-size tensors; their units are the original's, with the masked ones at zero score.
    const current = reset === "mask" ? trimTensors(prev, groups0, state.keep) : prev;
    const groups = multif0Groups(current);
    progress(`round ${k}`, 0.02, `scoring units (${o.criterion})`);
    let scores: Record<string, ArrayLike<number>>;
    if (o.criterion === "magnitude") scores = magnitudeScores(current, groups);
    else {
      const inputs = [0, 1, 2, 3].map((i) => trainingBatch(songs!, 1_000_000 + i, seed, cfg)).map(([x, y]) => (y.dispose(), x));
      scores = multif0Activations(treeOf<MultiF0Params>(current), inputs, cfg);
      inputs.forEach((x) => x.dispose());
    }
    const keep = composeKeep(state.keep, selectUnits(scores, o.rate, o.scope));
    // The survivors' starting weights.
    let init: Tensors;
    if (reset === "reinit") {
      const fresh = tensorsOf(initMultiF0(cfg, seed + 1000 * k));
      init = trimTensors(fresh, multif0Groups(fresh), keep);
    } else if (reset === "rewind") init = trimTensors(rewindTo, multif0Groups(rewindTo), keep);
    else init = maskTensors(rewindTo, groups0, keep);
    const masks: Record<string, JArray> = {};
    if (reset === "mask") {
      const ones = Object.fromEntries(Object.entries(rewindTo).map(([n, t]) => [n, { shape: t.shape, data: new Float32Array(t.data.length).fill(1) }]));
      for (const [n, t] of Object.entries(maskTensors(ones, groups0, keep))) if (t.data.some((v) => v === 0)) masks[n] = np.array(t.data).reshape([...t.shape]);
    }
    const t0 = performance.now();
    const result = await train({
      init: () => treeOf<MultiF0Params>(init),
      loss: (p: MultiF0Params, x: JArray, y: JArray) => multiF0Loss(reset === "mask" ? masked(p, masks) : p, x, y, cfg),
      batch: (step) => trainingBatch(songs!, 7919 * k + step, seed, cfg),
      steps,
      schedule: cosineLr(lr, { warmup: 20 }),
      store: new MemoryStore(),
      checkpointEvery: 1_000_000,
      onProgress: (step) => progress(`round ${k}`, 0.05 + (0.85 * step) / steps, `retraining ${step}/${steps}`),
      signal: o.signal,
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    let trained = tensorsOf(result.params as JsTree<JArray>);
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
