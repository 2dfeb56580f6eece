/**
 * Node-only: loading the shipped models (models/<name>.onnx beside its
 * <name>.recipe.json) or a user's, for the browser-safe tasks
 * (`separate`, `multipitch`). The recipe carries the conventions the task
 * needs (STFT settings; input kind and peak threshold).
 */
import { existsSync, promises as fs, readdirSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidInputError, ModelError } from "../errors.js";
import { FUSIONS, type Fusion } from "../models/pitch/multif0.js";
import { OnnxModel, type OrtLike } from "../nn/runtime.js";
import type { MultipitchModel } from "../tasks/multipitch.js";
import type { SeparationModel, SeparationModelConfig } from "../tasks/separate.js";

/** The package's models/ folder: the first ancestor of this module holding package.json and models/ (dist/ and dist-bench/ builds alike). */
export const MODELS_DIR = ((): string => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "models"))) return path.join(dir, "models");
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../models");
    dir = up;
  }
})();

/** The shipped model whose file name matches `pattern` (there is one per task). */
export function shippedModel(pattern: RegExp, what: string, script: string): string {
  const found = existsSync(MODELS_DIR) ? readdirSync(MODELS_DIR).filter((f) => pattern.test(f)).sort() : [];
  if (found.length === 0) throw new ModelError(`no ${what} model in ${MODELS_DIR}; train one with ${script} or pass a model file`);
  return path.join(MODELS_DIR, found[0]);
}

async function readRecipe<R>(onnxFile: string, needs: string, valid: (r: R) => boolean): Promise<R> {
  if (!existsSync(onnxFile)) throw new InvalidInputError("no such model file", { file: onnxFile });
  const file = onnxFile.replace(/\.onnx$/, ".recipe.json");
  if (!existsSync(file)) throw new InvalidInputError(`the model has no .recipe.json beside it (${needs})`, { file });
  let r: R;
  try {
    r = JSON.parse(await fs.readFile(file, "utf8")) as R;
  } catch (e) {
    throw new ModelError(`the model's recipe is not valid JSON (${(e as Error).message})`, { file });
  }
  if (!valid(r)) throw new ModelError(`the recipe lacks ${needs}`, { file });
  return r;
}

async function session(ort: OrtLike, onnxFile: string): Promise<OnnxModel> {
  return OnnxModel.load(ort, new Uint8Array(await fs.readFile(onnxFile)));
}

/** A separation model (default: the shipped one). Dispose with `model.onnx.dispose()`. */
export async function loadSeparationModel(ort: OrtLike, onnxFile = shippedModel(/^separation-.*\.onnx$/, "separation", "scripts/train-separation.ts")): Promise<SeparationModel> {
  const r = await readRecipe<{ stft: SeparationModelConfig }>(onnxFile, "the STFT settings (stft)", (x) => typeof x?.stft?.nFft === "number" && typeof x.stft.hopLength === "number");
  return { onnx: await session(ort, onnxFile), config: r.stft };
}

/** A multi-F0 model (default: the shipped one), with its input kind and tuned threshold. */
export async function loadMultipitchModel(ort: OrtLike, onnxFile = shippedModel(/^multif0-.*\.onnx$/, "multi-F0", "scripts/train-multif0.ts")): Promise<MultipitchModel> {
  const r = await readRecipe<{ model: { fusion: Fusion }; metrics: { threshold: number } }>(onnxFile, "model.fusion and metrics.threshold", (x) => FUSIONS.includes(x?.model?.fusion) && x?.metrics?.threshold > 0);
  return { onnx: await session(ort, onnxFile), fusion: r.model.fusion, threshold: r.metrics.threshold };
}
