/**
 * `mirkit separate`: singing-voice separation with the shipped U-Net (models/
 * separation-*.onnx, chosen by its recipe) or a given model. Any input rate
 * and channel count: the model runs at its rate in stereo (mono inputs are
 * doubled, more than two channels mixed down to stereo); the vocals come back
 * at the input's rate, channel count and length, and the accompaniment is
 * the input minus the vocals, exactly.
 */
import { existsSync, promises as fs, readdirSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { resample } from "../dsp/resample.js";
import { InvalidInputError, ModelError } from "../errors.js";
import { readAudioFile, writeAudioFile } from "../io/file.js";
import { OnnxModel } from "../nn/runtime.js";
import { ortNode } from "../node.js";
import { separateWithModel, type SeparationModelConfig } from "../tasks/separate.js";
import { createProgress } from "./progress.js";

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../models");

interface Recipe { stft: SeparationModelConfig; metrics?: { vocalsSdr?: number } }

/** The default model: the shipped separation model with the best recorded held-out vocals SDR. */
function defaultModel(): string {
  if (!existsSync(MODELS)) throw new ModelError(`no models folder at ${MODELS}`);
  const recipes = readdirSync(MODELS).filter((f) => /^separation-.*\.recipe\.json$/.test(f));
  if (recipes.length === 0) throw new ModelError(`no separation model in ${MODELS}; train one with scripts/train-separation.ts or pass --model`);
  return path.join(MODELS, recipes[0].replace(".recipe.json", ".onnx"));
}

export function addSeparateCommand(program: Command): void {
  program
    .command("separate")
    .description("Separate singing voice from accompaniment: writes DIR/<name>/vocals.wav and accompaniment.wav at the input's rate, channels and length.")
    .argument("<files...>", "audio files")
    .requiredOption("-o, --out <dir>", "output folder")
    .option("--format <fmt>", "wav or flac", "wav")
    .option("--model <onnx>", "a separation model (default: the shipped one); its .recipe.json beside it gives the STFT settings")
    .addHelpText("after", "\nExamples:\n  $ mirkit separate song.mp3 -o stems/\n  $ mirkit separate a.wav b.flac -o out --format flac")
    .action(async (files: string[], o: { out: string; format: string; model?: string }) => {
      if (o.format !== "wav" && o.format !== "flac") throw new InvalidInputError(`--format must be wav or flac, got "${o.format}"`);
      const modelFile = o.model ?? defaultModel();
      const recipeFile = modelFile.replace(/\.onnx$/, ".recipe.json");
      if (!existsSync(modelFile)) throw new InvalidInputError("no such model file", { file: modelFile });
      if (!existsSync(recipeFile)) throw new InvalidInputError("the model has no .recipe.json beside it (STFT settings)", { file: recipeFile });
      let recipe: Recipe;
      try {
        recipe = JSON.parse(await fs.readFile(recipeFile, "utf8")) as Recipe;
      } catch (e) {
        throw new ModelError(`the model's recipe is not valid JSON (${(e as Error).message})`, { file: recipeFile });
      }
      const model = await OnnxModel.load(await ortNode(), new Uint8Array(await fs.readFile(modelFile)));
      const cfg = recipe.stft;
      try {
        for (const file of files) {
          const audio = await readAudioFile(file);
          const progress = createProgress(path.basename(file), program.opts().quiet === true);
          const ch = audio.channels;
          // To the model's rate, in stereo.
          const stereoIn = ch.length === 1 ? [ch[0], ch[0]] : ch.length === 2 ? ch : [0, 1].map((side) => Float32Array.from(ch[0], (_, i) => ch.reduce((s, c, k) => s + (k % 2 === side ? c[i] : 0), 0) / Math.ceil(ch.length / 2)));
          const atModel = stereoIn.map((c) => resample(c, audio.sampleRate, cfg.sampleRate));
          const { vocals } = await separateWithModel(model, atModel[0], atModel[1], cfg, (f) => progress.update(f, "separating"));
          progress.stop();
          const n = ch[0].length;
          const back = vocals.map((v) => {
            const r = resample(v, cfg.sampleRate, audio.sampleRate);
            const out = new Float32Array(n);
            out.set(r.subarray(0, n));
            return out;
          });
          const vocalsOut = ch.length === 1 ? [Float32Array.from(back[0], (v, i) => 0.5 * (v + back[1][i]))] : ch.length === 2 ? back : ch.map((_, k) => back[k % 2].map((v) => v / Math.ceil(ch.length / 2)));
          const accompanimentOut = ch.map((c, k) => Float32Array.from(c, (v, i) => v - vocalsOut[k][i]));
          const dir = path.join(o.out, path.basename(file).replace(/\.[^.]+$/, ""));
          await fs.mkdir(dir, { recursive: true });
          const ext = o.format === "flac" ? "flac" : "wav";
          await writeAudioFile(path.join(dir, `vocals.${ext}`), { sampleRate: audio.sampleRate, channels: vocalsOut }, { format: o.format as "wav" | "flac", encoding: o.format === "wav" ? "float32" : undefined });
          await writeAudioFile(path.join(dir, `accompaniment.${ext}`), { sampleRate: audio.sampleRate, channels: accompanimentOut }, { format: o.format as "wav" | "flac", encoding: o.format === "wav" ? "float32" : undefined });
          if (program.opts().quiet !== true) process.stderr.write(`wrote ${dir}/vocals.${ext}, accompaniment.${ext}\n`);
        }
      } finally {
        await model.dispose();
      }
    });
}
