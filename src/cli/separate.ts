/**
 * `mirkit separate`: singing-voice separation with the shipped U-Net (models/
 * separation-*.onnx, chosen by its recipe) or a given model. Any input rate
 * and channel count: the model runs at its rate in stereo (mono inputs are
 * doubled, more than two channels mixed down to stereo); the vocals come back
 * at the input's rate, channel count and length, and the accompaniment is
 * the input minus the vocals, exactly.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { InvalidInputError } from "../errors.js";
import { readAudioFile, writeAudioFile } from "../io/file.js";
import { loadSeparationModel } from "../io/models.js";
import { ortNode } from "../node.js";
import { separate } from "../tasks/separate.js";
import { createProgress } from "./progress.js";

export function addSeparateCommand(program: Command): void {
  program
    .command("separate")
    .description("Separate singing voice from accompaniment: writes DIR/<name>/vocals.wav and accompaniment.wav at the input's rate, channels and length.")
    .argument("<files...>", "audio files")
    .requiredOption("-o, --out <dir>", "output folder")
    .option("--format <fmt>", "wav or flac", "wav")
    .option("--wiener", "refine the vocals with a multichannel Wiener post-filter (spatial covariances per bin; slower, see bench/separation.ts)")
    .option("--model <onnx>", "a separation model (default: the shipped one); its .recipe.json beside it gives the STFT settings")
    .addHelpText("after", "\nExamples:\n  $ mirkit separate song.mp3 -o stems/\n  $ mirkit separate a.wav b.flac -o out --format flac --wiener")
    .action(async (files: string[], o: { out: string; format: string; model?: string; wiener?: boolean }) => {
      if (o.format !== "wav" && o.format !== "flac") throw new InvalidInputError(`--format must be wav or flac, got "${o.format}"`);
      const model = await loadSeparationModel(await ortNode(), o.model);
      try {
        for (const file of files) {
          const audio = await readAudioFile(file);
          const progress = createProgress(path.basename(file), program.opts().quiet === true);
          const { vocals: vocalsOut, accompaniment: accompanimentOut } = await separate(audio, { model, wiener: o.wiener === true, onProgress: (f) => progress.update(f, "separating") });
          progress.stop();
          const dir = path.join(o.out, path.basename(file).replace(/\.[^.]+$/, ""));
          await fs.mkdir(dir, { recursive: true });
          const ext = o.format === "flac" ? "flac" : "wav";
          await writeAudioFile(path.join(dir, `vocals.${ext}`), { sampleRate: audio.sampleRate, channels: vocalsOut }, { format: o.format as "wav" | "flac", encoding: o.format === "wav" ? "float32" : undefined });
          await writeAudioFile(path.join(dir, `accompaniment.${ext}`), { sampleRate: audio.sampleRate, channels: accompanimentOut }, { format: o.format as "wav" | "flac", encoding: o.format === "wav" ? "float32" : undefined });
          if (program.opts().quiet !== true) process.stderr.write(`wrote ${dir}/vocals.${ext}, accompaniment.${ext}\n`);
        }
      } finally {
        await model.onnx.dispose();
      }
    });
}
