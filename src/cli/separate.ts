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
import { UnsupportedFormatError } from "../errors.js";
import { encodeWithTool, encoderAvailable } from "../io/encoders.js";
import type { WavEncoding } from "../io/wav.js";
import type { SeparationModel } from "../models/separation/model.js";
import { makeOutputDir, openAudioStream, readAudioFile, scratchDir, WavFileWriter, writeAudioFile } from "../io/file.js";
import { loadSeparationModel } from "../node.js";
import { separate, separateStream } from "../tasks/separate.js";
import { UsageError } from "./options.js";
import { inputFiles, outputNames } from "./outputs.js";
import { createProgress, type Progress } from "./progress.js";

export function addSeparateCommand(program: Command): void {
  program
    .command("separate")
    .description("Separate singing voice from accompaniment: writes DIR/<name>/vocals.wav and accompaniment.wav (DIR: separated/ unless -o says) at the input's rate, channels and length (inputs that share a name, like song1/mixture.wav and song2/mixture.wav, go to DIR/song1-mixture/ and DIR/song2-mixture/).")
    .argument("<inputs...>", "audio files, or folders (walked recursively)")
    .option("-o, --out <dir>", "output folder", "separated")
    .option("--format <fmt>", "wav (streamed: any length in bounded memory), flac, mp3 or ogg (MP3/Ogg through lame/oggenc)", "wav")
    .option("--bits <b>", "sample format of WAV/FLAC stems: 16, 24 or 32f (float; WAV only); default 32f for WAV, 16 for FLAC")
    .option("--wiener", "refine the vocals with a multichannel Wiener post-filter (spatial covariances per bin; slower, see bench/separation.ts)")
    .option("-n, --model <name>", "a separation model: a shipped name (mirkit models) or an .onnx file with its .recipe.json beside it (default: the shipped one)")
    .addHelpText("after", "\nExamples:\n  $ mirkit separate song.mp3                 # separated/song/vocals.wav, accompaniment.wav\n  $ mirkit separate music/ -o stems/ --format mp3\n  $ mirkit separate a.wav b.flac -o out --format flac --bits 24 --wiener")
    .action(async (inputs: string[], o: { out: string; format: string; bits?: string; model?: string; wiener?: boolean }) => {
      const format = o.format;
      if (format !== "wav" && format !== "flac" && format !== "mp3" && format !== "ogg") throw new UsageError(`--format must be wav, flac, mp3 or ogg, got "${format}"`);
      const bits = o.bits ?? (format === "flac" ? "16" : "32f");
      if (!(format === "wav" ? ["16", "24", "32f"] : format === "flac" ? ["16", "24"] : [bits]).includes(bits) || (o.bits !== undefined && (format === "mp3" || format === "ogg"))) {
        throw new UsageError(`--bits ${o.bits} does not apply to ${format} stems (WAV: 16, 24, 32f; FLAC: 16, 24; MP3 and Ogg choose their own)`);
      }
      if (format === "mp3" || format === "ogg") {
        const ok = encoderAvailable(format);
        if (ok !== true) throw new UnsupportedFormatError(ok);
      }
      const encoding: WavEncoding = bits === "16" ? "pcm16" : bits === "24" ? "pcm24" : "float32";
      const model = await loadSeparationModel(o.model); // a model problem is reported before any input is read
      try {
        const files = await inputFiles(inputs);
        const folders = outputNames(files);
        for (const [i, file] of files.entries()) {
          const dir = path.join(o.out, folders[i]);
          const progress = createProgress(path.basename(file), program.opts().quiet === true);
          const onProgress = (f: number) => progress.update(f, "separating");
          const stems = ["vocals", "accompaniment"].map((s) => path.join(dir, `${s}.${format}`));
          if (format === "flac") {
            const audio = await readAudioFile(file);
            const { vocals, accompaniment } = await separate(audio, { model, wiener: o.wiener === true, onProgress });
            progress.stop();
            await makeOutputDir(dir);
            await writeAudioFile(stems[0], { sampleRate: audio.sampleRate, channels: vocals }, { format: "flac", encoding });
            await writeAudioFile(stems[1], { sampleRate: audio.sampleRate, channels: accompaniment }, { format: "flac", encoding });
          } else {
            // WAV: streamed block by block (any input format); memory is bounded by the segment, whatever the length.
            // MP3/Ogg: the same 16-bit WAV stems in a scratch folder, then encoded into place.
            const scratch = format === "wav" ? undefined : await scratchDir();
            try {
              const wavs = scratch ? ["vocals", "accompaniment"].map((s) => path.join(scratch.path, `${s}.wav`)) : stems;
              await streamStems(file, wavs, scratch ? "pcm16" : encoding, { model, wiener: o.wiener === true, progress, onProgress, makeDir: scratch ? undefined : dir });
              if (scratch) {
                await makeOutputDir(dir);
                for (const [k, wav] of wavs.entries()) await encodeWithTool(format as "mp3" | "ogg", wav, stems[k]);
              }
            } finally {
              await scratch?.done();
            }
          }
          if (program.opts().quiet !== true) process.stderr.write(`wrote ${stems.join(", ")}\n`);
        }
      } finally {
        await model.dispose();
      }
    });
}

/** Separates `file` into two WAV files as it streams (WavFileWriter: temporary siblings until closed). */
async function streamStems(file: string, outs: string[], encoding: WavEncoding, o: { model: SeparationModel; wiener: boolean; progress: Progress; onProgress: (f: number) => void; makeDir?: string }): Promise<void> {
  const { sampleRate, channels, frames: total, blocks } = await openAudioStream(file);
  if (o.makeDir !== undefined) await makeOutputDir(o.makeDir);
  const writers = [await WavFileWriter.open(outs[0], sampleRate, channels, encoding), await WavFileWriter.open(outs[1], sampleRate, channels, encoding)];
  try {
    let done = 0;
    for await (const out of separateStream(blocks, { model: o.model, wiener: o.wiener, onProgress: total ? o.onProgress : undefined, totalFrames: total })) {
      await writers[0].write(out.vocals);
      await writers[1].write(out.accompaniment);
      done += out.vocals[0].length;
      // Compressed inputs do not say their length up front: show the time done instead of a fraction.
      if (!total) o.progress.update(0, `${(done / sampleRate).toFixed(0)} s done`);
    }
    for (const w of writers) await w.close();
  } catch (e) {
    for (const w of writers) await w.abort();
    throw e;
  } finally {
    o.progress.stop();
  }
}
