/**
 * Node-only: where the shipped models live (models/<name>.onnx beside its
 * <name>.recipe.json) and reading a model's two files. Which recipe fields a
 * model needs is its family's business (src/models/<family>/model.ts).
 */
import { existsSync, promises as fs, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidInputError, ModelError } from "../errors.js";

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

/**
 * Second graphs of a model, beside its main one as <name>.<part>.onnx (the
 * piano model's per-frame step: models/transcription/model.ts); they are
 * read with the model and are not models of their own.
 */
export const COMPANION_PARTS = ["step", "pitchgram"] as const;
const isCompanion = (f: string) => COMPANION_PARTS.some((p) => f.endsWith(`.${p}.onnx`));

/** A variant that is never a family's default: a trimmed model, or one of the informed/multitask family (issue 20), chosen by name. */
function isVariant(onnxFile: string): boolean {
  try {
    const r = JSON.parse(readFileSync(onnxFile.replace(/\.onnx$/, ".recipe.json"), "utf8")) as { trimmedFrom?: unknown; model?: { kind?: unknown } };
    return r.trimmedFrom !== undefined || r.model?.kind === "informed";
  } catch {
    return false;
  }
}

/**
 * The family's default model `<prefix>*.onnx`: the full one (trimmed and informed models beside it are chosen by name,
 * `--model NAME`); `what` and `script` make the error useful.
 */
export function shippedModel(prefix: string, what: string, script: string): string {
  const found = existsSync(MODELS_DIR) ? readdirSync(MODELS_DIR).filter((f) => f.startsWith(prefix) && f.endsWith(".onnx") && !isCompanion(f)).sort().map((f) => path.join(MODELS_DIR, f)) : [];
  if (found.length === 0) throw new ModelError(`no ${what} model in ${MODELS_DIR}; train one with ${script} or pass a model file`);
  return found.find((f) => !isVariant(f)) ?? found[0];
}

/**
 * The ONNX file a `--model` value names: a path (it has a folder or ends in
 * .onnx), or the name of a shipped model (`mirkit models` lists them).
 */
export function resolveModel(nameOrFile: string): string {
  if (nameOrFile.includes("/") || nameOrFile.includes(path.sep) || nameOrFile.endsWith(".onnx")) return nameOrFile;
  const file = path.join(MODELS_DIR, `${nameOrFile}.onnx`);
  if (!existsSync(file)) {
    const names = existsSync(MODELS_DIR) ? readdirSync(MODELS_DIR).filter((f) => f.endsWith(".onnx") && !isCompanion(f)).map((f) => f.replace(/\.onnx$/, "")) : [];
    throw new InvalidInputError(`no shipped model of that name; the shipped ones are ${names.join(", ") || "none"} (or give a path to an .onnx file)`, { file: nameOrFile });
  }
  return file;
}

/** The shipped models: name, file and parsed recipe each. */
export function shippedModels(): { name: string; file: string; sizeBytes: number; recipe: Record<string, unknown> }[] {
  if (!existsSync(MODELS_DIR)) return [];
  return readdirSync(MODELS_DIR).filter((f) => f.endsWith(".onnx") && !isCompanion(f)).sort().map((f) => {
    const file = path.join(MODELS_DIR, f), recipeFile = file.replace(/\.onnx$/, ".recipe.json");
    let recipe: Record<string, unknown> = {};
    try {
      recipe = JSON.parse(readFileSync(recipeFile, "utf8")) as Record<string, unknown>;
    } catch {
      // listed without its recipe; loading it will say what is wrong
    }
    return { name: f.replace(/\.onnx$/, ""), file, sizeBytes: statSync(file).size, recipe };
  });
}

/** A model's ONNX bytes and parsed recipe (`x.onnx` → `x.recipe.json`). */
export async function readModelFiles(onnxFile: string): Promise<{ onnx: Uint8Array; recipe: unknown; recipeName: string; companions: Record<string, Uint8Array> }> {
  if (!existsSync(onnxFile)) throw new InvalidInputError("no such model file", { file: onnxFile });
  const recipeName = onnxFile.replace(/\.onnx$/, "") + ".recipe.json";
  if (!existsSync(recipeName)) throw new InvalidInputError("the model has no .recipe.json beside it (the training script writes one)", { file: recipeName });
  let recipe: unknown;
  try {
    recipe = JSON.parse(await fs.readFile(recipeName, "utf8"));
  } catch (e) {
    throw new ModelError(`the model's recipe is not valid JSON (${(e as Error).message})`, { file: recipeName });
  }
  const companions: Record<string, Uint8Array> = {};
  const base = onnxFile.replace(/\.onnx$/, "");
  for (const part of COMPANION_PARTS) if (existsSync(`${base}.${part}.onnx`)) companions[part] = new Uint8Array(await fs.readFile(`${base}.${part}.onnx`));
  return { onnx: new Uint8Array(await fs.readFile(onnxFile)), recipe, recipeName, companions };
}
