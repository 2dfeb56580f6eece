/**
 * `mirkit separate`: singing-voice separation with the shipped U-Net (models/
 * separation-*.onnx, chosen by its recipe) or a given model. Any input rate
 * and channel count: the model runs at its rate in stereo (mono inputs are
 * doubled, more than two channels mixed down to stereo); the vocals come back
 * at the input's rate, channel count and length, and the accompaniment is
 * the input minus the vocals, exactly. WAV output is streamed (any input
 * format, any length, memory bounded by 30-second segments); FLAC output is
 * encoded from the whole stems in memory.
 */
import * as path from "node:path";
import type { Command } from "commander";
import { InvalidInputError } from "../errors.js";
import { makeOutputDir, openAudioStream, readAudioFile, WavFileWriter, writeAudioFile } from "../io/file.js";
import { loadSeparationModel } from "../node.js";
import { separate, separateStream } from "../tasks/separate.js";
import { inputFiles, outputNames } from "./outputs.js";
import { createProgress } from "./progress.js";

export function addSeparateCommand(program: Command): void {
  program
    .command("separate")
    .description("Separate singing voice from accompaniment: writes DIR/<name>/vocals.wav and accompaniment.wav (DIR: separated/ unless -o says) at the input's rate, channels and length (inputs that share a name, like song1/mixture.wav and song2/mixture.wav, go to DIR/song1-mixture/ and DIR/song2-mixture/).")
    .argument("<inputs...>", "audio files, or folders (walked recursively)")
    .option("-o, --out <dir>", "output folder", "separated")
    .option("--format <fmt>", "wav (streamed: any length in bounded memory) or flac (encoded in memory)", "wav")
    .option("--wiener", "refine the vocals with a multichannel Wiener post-filter (spatial covariances per bin; slower, see bench/separation.ts)")
    .option("--model <onnx>", "a separation model (default: the shipped one); its .recipe.json beside it gives the STFT settings")
    .addHelpText("after", "\nExamples:\n  $ mirkit separate song.mp3                 # separated/song/vocals.wav, accompaniment.wav\n  $ mirkit separate music/ -o stems/\n  $ mirkit separate a.wav b.flac -o out --format flac --wiener")
    .action(async (inputs: string[], o: { out: string; format: string; model?: string; wiener?: boolean }) => {
      if (o.format !== "wav" && o.format !== "flac") throw new InvalidInputError(`--format must be wav or flac, got "${o.format}"`);
      const model = await loadSeparationModel(o.model); // a model problem is reported before any input is read
      try {
        const files = await inputFiles(inputs);
        const folders = outputNames(files);
        for (const [i, file] of files.entries()) {
          const dir = path.join(o.out, folders[i]);
          const ext = o.format === "flac" ? "flac" : "wav";
          const progress = createProgress(path.basename(file), program.opts().quiet === true);
          const onProgress = (f: number) => progress.update(f, "separating");
          if (o.format === "wav") {
            // WAV out: streamed block by block (any input format); memory is bounded by the segment, whatever the length.
            const { sampleRate, channels, frames: total, blocks } = await openAudioStream(file);
            await makeOutputDir(dir);
            const writers = [await WavFileWriter.open(path.join(dir, "vocals.wav"), sampleRate, channels), await WavFileWriter.open(path.join(dir, "accompaniment.wav"), sampleRate, channels)];
            try {
              let done = 0;
              for await (const out of separateStream(blocks, { model, wiener: o.wiener === true, onProgress: total ? onProgress : undefined, totalFrames: total })) {
                await writers[0].write(out.vocals);
                await writers[1].write(out.accompaniment);
                done += out.vocals[0].length;
                // Compressed inputs do not say their length up front: show the time done instead of a fraction.
                if (!total) progress.update(0, `${(done / sampleRate).toFixed(0)} s done`);
              }
              for (const w of writers) await w.close();
            } catch (e) {
              for (const w of writers) await w.abort();
              throw e;
            } finally {
              progress.stop();
            }
          } else {
            const audio = await readAudioFile(file);
            const { vocals, accompaniment } = await separate(audio, { model, wiener: o.wiener === true, onProgress });
            progress.stop();
            await makeOutputDir(dir);
            await writeAudioFile(path.join(dir, "vocals.flac"), { sampleRate: audio.sampleRate, channels: vocals }, { format: "flac" });
            await writeAudioFile(path.join(dir, "accompaniment.flac"), { sampleRate: audio.sampleRate, channels: accompaniment }, { format: "flac" });
          }
          if (program.opts().quiet !== true) process.stderr.write(`wrote ${dir}/vocals.${ext}, accompaniment.${ext}\n`);
        }
      } finally {
        await model.dispose();
      }
    });
}
