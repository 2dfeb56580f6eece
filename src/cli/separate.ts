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
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { parseInformed, type AlignedPhoneme, type LyricsLine } from "../lyrics/phonemes.js";
import { INFORMED_SEPARATION_MODELS } from "../models/separation/model.js";
import type { Command } from "commander";
import { InvalidInputError, UnsupportedFormatError } from "../errors.js";
import { batchSeparate } from "../server/batch.js";
import { encoderAvailable } from "../io/encoders.js";
import type { WavEncoding } from "../io/wav.js";
import { loadSeparationModel } from "../node.js";
import { separateFile } from "../tasks/file-jobs.js";
import { UsageError } from "./options.js";
import { inputFiles, outputNames } from "./outputs.js";
import { createProgress } from "./progress.js";

export function addSeparateCommand(program: Command): void {
  program
    .command("separate")
    .description("Separate singing voice from accompaniment: writes DIR/<name>/vocals.wav and accompaniment.wav (DIR: separated/ unless -o says) at the input's rate, channels and length (inputs that share a name, like song1/mixture.wav and song2/mixture.wav, go to DIR/song1-mixture/ and DIR/song2-mixture/).")
    .argument("<inputs...>", "audio files, or folders (walked recursively)")
    .option("-o, --out <dir>", "output folder", "separated")
    .option("--format <fmt>", "wav (streamed: any length in bounded memory), flac, mp3 or ogg (MP3/Ogg through lame/oggenc)", "wav")
    .option("--bits <b>", "sample format of WAV/FLAC stems: 16, 24 or 32f (float; WAV only); default 32f for WAV, 16 for FLAC")
    .option("--wiener", "refine the vocals with a multichannel Wiener post-filter (spatial covariances per bin; slower, see bench/separation.ts)")
    .option("--redis <url>", "separate on `mirkit worker` processes of this Redis (they must see the same paths; WAV or FLAC stems); inputs whose stems exist are skipped")
    .option("-n, --model <name>", `a separation model: a shipped name (mirkit models) or an .onnx file with its .recipe.json beside it (default: the shipped one; with --phonemes, ${INFORMED_SEPARATION_MODELS.phonemes}; with --lyrics, ${INFORMED_SEPARATION_MODELS.lyrics})`)
    .option("--phonemes <file>", "informed separation: what is sung when, as \"start end phoneme\" lines (seconds; ARPAbet phonemes such as aa, iy, s, or sil) or a Praat TextGrid; one input file")
    .option("--lyrics <file>", "informed separation from timed lyrics: an LRC file ([mm:ss.xx] words per line; each line's words are spread over it, a line with no words is silence); one input file")
    .addHelpText("after", `\nExamples:\n  $ mirkit separate song.mp3                 # separated/song/vocals.wav, accompaniment.wav\n  $ mirkit separate music/ -o stems/ --format mp3\n  $ mirkit separate a.wav b.flac -o out --format flac --bits 24 --wiener\n  $ mirkit separate song.wav --lyrics song.lrc   # informed by the lyrics (model ${INFORMED_SEPARATION_MODELS.lyrics})\n\nAn alignment file looks like:\n  0.00 1.20 sil\n  1.20 1.31 l\n  1.31 1.90 aa`)
    .action(async (inputs: string[], o: { out: string; format: string; bits?: string; model?: string; wiener?: boolean; redis?: string; phonemes?: string; lyrics?: string }) => {
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
      if (o.phonemes !== undefined && o.lyrics !== undefined) throw new UsageError("give --phonemes or --lyrics, not both");
      const alignmentFile = o.phonemes ?? o.lyrics;
      if (o.redis !== undefined && alignmentFile !== undefined) throw new UsageError("--phonemes and --lyrics separate one file here, not on --redis workers");
      if (o.redis !== undefined) return separateOnWorkers(o.redis, inputs, o.out, format, o.wiener === true, program.opts().quiet === true);
      // The alignment and the model are checked before any input is read.
      const informed = alignmentFile === undefined ? {} : await readAlignment(alignmentFile, o.lyrics !== undefined);
      const model = await loadSeparationModel(o.model ?? (alignmentFile !== undefined ? INFORMED_SEPARATION_MODELS[o.lyrics !== undefined ? "lyrics" : "phonemes"] : undefined));
      try {
        if (alignmentFile !== undefined && !model.informed) throw new UsageError(`the model ${o.model} takes no phonemes or lyrics; drop --model for the shipped informed ones (${INFORMED_SEPARATION_MODELS.phonemes}, ${INFORMED_SEPARATION_MODELS.lyrics})`);
        if (alignmentFile === undefined && model.informed) throw new UsageError(`the model ${o.model} is informed: give --phonemes ALIGN.txt or --lyrics LYRICS.lrc`);
        const files = await inputFiles(inputs);
        if (alignmentFile !== undefined && files.length !== 1) throw new UsageError(`--${o.phonemes ? "phonemes" : "lyrics"} describes one song; got ${files.length} input files`);
        const folders = outputNames(files);
        for (const [i, file] of files.entries()) {
          const progress = createProgress(path.basename(file), program.opts().quiet === true);
          let stems: string[];
          try {
            // Compressed inputs do not say their length up front: the time done stands in for a fraction.
            const onProgress = (f: number, seconds?: number) => progress.update(f, seconds === undefined ? "separating" : `${seconds.toFixed(0)} s done`);
            stems = await separateFile(file, path.join(o.out, folders[i]), { model, format, encoding, wiener: o.wiener === true, onProgress, ...informed, alignmentName: alignmentFile });
          } finally {
            progress.stop();
          }
          if (program.opts().quiet !== true) process.stderr.write(`wrote ${stems.join(", ")}\n`);
        }
      } finally {
        await model.dispose();
      }
    });
}

/** An alignment (or LRC lyrics) file, parsed: its problems are one-line errors naming it. */
async function readAlignment(file: string, lrc: boolean): Promise<{ phonemes?: AlignedPhoneme[]; lyrics?: LyricsLine[] }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new InvalidInputError(`cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file });
  }
  return parseInformed(lrc ? "lyrics" : "phonemes", text, file);
}

/** `separate … --redis`: one job per input on the workers, stems written where the command would write them. */
async function separateOnWorkers(url: string, inputs: string[], out: string, format: string, wiener: boolean, quiet: boolean): Promise<void> {
  if (format !== "wav" && format !== "flac") throw new UsageError(`--redis writes WAV or FLAC stems, not ${format}`);
  const files = await inputFiles(inputs);
  const folders = outputNames(files);
  const progress = createProgress("separate (workers)", quiet);
  let r;
  try {
    r = await batchSeparate(url, files.map((file, i) => ({ file, dir: path.join(out, folders[i]) })), { format, wiener }, { onProgress: (done, total, file) => progress.update(done / total, path.basename(file)) });
  } finally {
    progress.stop();
  }
  if (!quiet) process.stderr.write(`separated ${r.done} file(s) into ${out}${r.skipped ? `; ${r.skipped} already done, skipped` : ""}\n`);
  if (r.failed.length > 0) throw new InvalidInputError(`${r.failed.length} file(s) failed: ${r.failed.map((f) => `${f.file} (${f.message})`).join("; ")}`);
}
