#!/usr/bin/env node
/**
 * The `mirkit` command. Exit codes: 0 success, 1 bad input (the file, its
 * contents), 2 bad usage (unknown command or option, missing argument).
 * Errors are one line on stderr; set MIRKIT_DEBUG=1 for a stack trace.
 */
import { readFileSync, realpathSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, Option } from "commander";
import { MirError } from "../errors.js";
import { cleanUpOutputs, readAudioFile } from "../io/file.js";
import { renderFigure, renderSvg } from "../plot/figure.js";
import { encodePng } from "../plot/png.js";
import { PLOT_KINDS, spectrogramFigure, type PlotKind } from "../tasks/plot.js";
import { addCoversCommands } from "./covers.js";
import { addEvalCommands } from "./eval.js";
import { addModelsCommand } from "./models.js";
import { addTrimCommand } from "./trim.js";
import { addMultipitchCommand } from "./multipitch.js";
import { addTranscribeCommand } from "./transcribe.js";
import { addSeparateCommand } from "./separate.js";
import { addServeCommand } from "./serve.js";
import { addSynthCommands } from "./synth.js";
import { addTrainCommands } from "./train.js";
import { audioInfo, formatInfo } from "./info.js";
import { UsageError } from "./options.js";
import { inputFiles, outputPaths, writeOutput } from "./outputs.js";
import { createProgress } from "./progress.js";

const EXIT_BAD_INPUT = 1;
const EXIT_USAGE = 2;

function version(): string {
  const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../package.json");
  return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command("mirkit")
    .description("Music information retrieval from the command line: inspect, plot, separate, transcribe, match covers.")
    .version(version(), "-V, --version")
    .option("-q, --quiet", "no progress bars")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .addHelpText(
      "after",
      `
Examples:
  $ mirkit info song.flac                 format, duration, rate, channels, peak, loudness
  $ mirkit info --json *.wav              the same as JSON (one object per file)
  $ mirkit plot song.mp3 --kind cqt -o song-cqt.png
  $ mirkit eval transcription --ref ref.txt --est est.txt
  $ mirkit train demo -o out/demo         train, export to ONNX, compare in ONNX Runtime
  $ mirkit synth separation --n 10 --out data/sep   songs with sung vocals, stems and exact annotations
  $ mirkit <command> --help               options and examples of one command`,
    );

  program
    .command("info")
    .description("Print an audio file's format, duration, sample rate, channels, peak level and loudness (ITU-R BS.1770).")
    .argument("<inputs...>", "audio files (WAV, FLAC, MP3, Ogg Vorbis), or folders (walked recursively)")
    .option("--json", "print a JSON array, one object per file: file, format, durationSeconds, sampleRate, channels, frames, peak, peakDbfs, loudnessLufs")
    .addHelpText("after", "\nExamples:\n  $ mirkit info take1.wav\n  $ mirkit info --json take1.wav | jq .durationSeconds")
    .action(async (inputs: string[], opts: { json?: boolean }) => {
      const quiet = program.opts().quiet === true;
      const files = await inputFiles(inputs);
      const results = [];
      for (const file of files) {
        const progress = createProgress(path.basename(file), quiet);
        try {
          results.push(await audioInfo(file, progress));
        } finally {
          progress.stop();
        }
      }
      if (opts.json) {
        const clean = results.map((r) => ({ ...r, peakDbfs: Number.isFinite(r.peakDbfs) ? r.peakDbfs : null }));
        process.stdout.write(JSON.stringify(clean, null, 2) + "\n");
      } else {
        process.stdout.write(results.map(formatInfo).join("\n\n") + "\n");
      }
    });

  program
    .command("plot")
    .description("Draw a labelled time-frequency image of audio files: PNG, or SVG (real type) for an .svg name.")
    .argument("<inputs...>", "audio files, or folders (walked recursively)")
    .addOption(new Option("-k, --kind <kind>", "what to draw").choices(PLOT_KINDS).default("stft"))
    .option("-o, --output <path>", "one input: the output .png or .svg (default <name>.<kind>.png); several: a folder (default .)")
    .option("--svg", "with a folder output, write SVG instead of PNG")
    .option("--width <px>", "image width in pixels", (v) => parsePositiveInt(v, "--width"), 1200)
    .option("--height <px>", "image height in pixels (default: 600 for one panel)", (v) => parsePositiveInt(v, "--height"))
    .option("--start <s>", "draw from this time (seconds)", (v) => secondsOption(v, "--start"))
    .option("--end <s>", "draw up to this time (seconds)", (v) => secondsOption(v, "--end"))
    .addHelpText(
      "after",
      `
Kinds:
  stft    magnitude in dB, linear frequency (n_fft 2048, hop 512)
  mel     128-band mel power in dB (Slaney scale)
  cqt     constant-Q magnitude in dB, 36 bins/octave from C1, 7 octaves (at 22050 Hz)
  hcqt    harmonic CQT: one panel per harmonic 0.5, 1, 2, 3, 4, 5 (20-cent bins, 6 octaves from C1)
  chroma  chroma from the CQT, C to B, each frame scaled to max 1

Examples:
  $ mirkit plot song.wav --kind mel -o song-mel.png
  $ mirkit plot choir.flac --kind hcqt
  $ mirkit plot song.mp3 --kind cqt --start 30 --end 45 --width 1600 -o chorus.svg`,
    )
    .action(async (inputs: string[], opts: { kind: PlotKind; output?: string; svg?: boolean; width: number; height?: number; start?: number; end?: number }) => {
      if (opts.start !== undefined && opts.end !== undefined && !(opts.end > opts.start)) throw new UsageError(`--end (${opts.end}) must come after --start (${opts.start})`);
      const files = await inputFiles(inputs);
      const outs = outputPaths(files, opts.output, `.${opts.kind}.${opts.svg ? "svg" : "png"}`, { what: "a picture" });
      for (const [i, file] of files.entries()) {
        const progress = createProgress(path.basename(file), program.opts().quiet === true);
        try {
          progress.update(0, "decoding");
          const audio = await readAudioFile(file);
          const name = path.basename(file);
          const fig = spectrogramFigure(audio, opts.kind, name, (stage, f) => progress.update(0.1 + 0.7 * f, stage), { startSeconds: opts.start, endSeconds: opts.end });
          progress.update(0.8, "drawing");
          const spec = { ...fig, width: opts.width, height: opts.height };
          const out = outs[i];
          let bytes: Uint8Array | string, size: string;
          if (out.toLowerCase().endsWith(".svg")) {
            bytes = await renderSvg(spec);
            size = `${spec.width} wide`;
          } else {
            const img = renderFigure(spec);
            bytes = await encodePng(img.rgb, img.width, img.height);
            size = `${img.width}×${img.height}`;
          }
          await writeOutput(out, bytes);
          progress.stop();
          if (program.opts().quiet !== true) process.stderr.write(`wrote ${out} (${size})\n`);
        } finally {
          progress.stop();
        }
      }
    });
  addEvalCommands(program);
  addTrainCommands(program);
  addSynthCommands(program);
  addCoversCommands(program);
  addSeparateCommand(program);
  addMultipitchCommand(program);
  addTranscribeCommand(program);
  addModelsCommand(program);
  addTrimCommand(program);
  addServeCommand(program);
  return program;
}

function secondsOption(v: string, name: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`${name} must be a time in seconds ≥ 0, got "${v}"`);
  return n;
}

function parsePositiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 200 || n > 10000) throw new UsageError(`${name} must be an integer from 200 to 10000, got "${v}"`);
  return n;
}


export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its message.
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help" ? 0 : EXIT_USAGE;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`mirkit: ${e.message}\n`);
      return EXIT_USAGE;
    }
    cleanUpOutputs();
    if (e instanceof MirError) {
      process.stderr.write(`mirkit: ${e.message}\n`);
      if (process.env.MIRKIT_DEBUG) process.stderr.write(`${e.stack}\n`);
      return EXIT_BAD_INPUT;
    }
    process.stderr.write(`mirkit: internal error: ${(e as Error).message ?? String(e)} (set MIRKIT_DEBUG=1 for a stack trace, and please report it)\n`);
    if (process.env.MIRKIT_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return EXIT_BAD_INPUT;
  }
}

// Run when executed (directly or through npm's bin symlink), not when imported by tests.
const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) {
  // A reader that stops early (`mirkit … | head`) closes the pipe: end quietly, not with a stack trace.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  // Interrupted (Ctrl-C, kill, a closed terminal): remove temporary files and the empty folders this run made.
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    process.on(signal, () => {
      cleanUpOutputs();
      process.exit(code);
    });
  }
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
