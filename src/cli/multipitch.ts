/**
 * `mirkit multipitch`: multiple F0s per frame with the shipped salience CNN
 * (models/multif0-*.onnx; its recipe gives the input kind and the
 * peak-picking threshold), written in mir_eval's multipitch format
 * (time, then zero or more frequencies in Hz, tab-separated), optionally
 * with a salience picture.
 */
import * as path from "node:path";
import type { Command } from "commander";
import { HCQT_DEFAULTS } from "../dsp/hcqt.js";
import { InvalidInputError } from "../errors.js";
import { formatRaggedTimeSeries } from "../eval/io.js";
import type { MultipitchModel } from "../models/pitch/model.js";
import { loadMultipitchModel } from "../node.js";
import { renderFigure } from "../plot/figure.js";
import { octaveTicks } from "../tasks/plot.js";
import { encodePng } from "../plot/png.js";
import { MULTIPITCH_BINS, MULTIPITCH_HOP, MULTIPITCH_RATE } from "../models/pitch/contract.js";
import { multipitchFile } from "../tasks/file-jobs.js";
import { inputFiles, outputPaths, writeOutput } from "./outputs.js";
import { encodeWav } from "../io/wav.js";
import { f0ToNotes, formatNotes, sonifyNotes, voiceNotesToMidi } from "../tasks/f0-notes.js";
import { createProgress } from "./progress.js";

function columnsToFrames(columns: Float32Array[], bins: number): Float32Array {
  const out = new Float32Array(columns.length * bins);
  columns.forEach((c, i) => out.set(c ?? new Float32Array(bins), i * bins));
  return out;
}

export function addMultipitchCommand(program: Command): void {
  program
    .command("multipitch")
    .description("Estimate every F0 per frame of a vocal ensemble (HCQT → salience CNN → peaks); writes mir_eval's multipitch format.")
    .argument("<inputs...>", "audio files (any rate and channel count; channels are mixed to mono), or folders (walked recursively)")
    .option("-o, --out <path>", "one input: the output text file, or - for standard output (default <name>.multipitch.txt); several: a folder (default .)")
    .option("--salience <png>", "also draw the salience map (a file for one input, a folder for several)")
    .option("--midi <file>", "also write notes as MIDI: one track per voice, pitch bends where the F0 glides (a folder for several inputs)")
    .option("--notes <file>", "also write the notes: CSV (onset_s, offset_s, pitch_midi, frequency_hz, velocity, voice), or mir_eval's transcription format for a .txt name")
    .option("--sonify <wav>", "also write a rendering of the notes to listen to")
    .option("--threshold <t>", "peak-picking threshold on the salience, 0–1 (default: the model's, tuned on validation data)", (v) => Number(v))
    .option("-n, --model <name>", "a multi-F0 model: a shipped name (mirkit models) or an .onnx file with its .recipe.json beside it (default: the shipped one)")
    .addHelpText("after", "\nOutput: one row per 11.6 ms frame: the time, then every F0 in Hz, tab-separated.\n\nExamples:\n  $ mirkit multipitch choir.wav --salience choir.png       # choir.multipitch.txt\n  $ mirkit multipitch choir.wav -o - | head\n  $ mirkit multipitch choir.wav --midi choir.mid --notes choir.csv --sonify choir-notes.wav\n  $ mirkit multipitch takes/ -o f0/\n  $ mirkit eval multipitch --ref truth.txt --est choir.multipitch.txt")
    .action(async (inputs: string[], o: { out?: string; salience?: string; midi?: string; notes?: string; sonify?: string; threshold?: number; model?: string }) => {
      if (o.threshold !== undefined && !(o.threshold > 0 && o.threshold < 1)) throw new InvalidInputError(`--threshold must be between 0 and 1, got ${o.threshold}`);
      const model = await loadMultipitchModel(o.model); // a model problem is reported before any input is read
      try {
        const files = await inputFiles(inputs);
        const outs = outputPaths(files, o.out, ".multipitch.txt", { stdout: true, what: "F0s" });
        const pictures = o.salience === undefined ? undefined : outputPaths(files, o.salience, ".salience.png", { what: "the salience picture" });
        const extra = (v: string | undefined, suffix: string, what: string, stdout = false) => (v === undefined ? undefined : outputPaths(files, v, suffix, { what, stdout }));
        const midis = extra(o.midi, ".mid", "MIDI"), notes = extra(o.notes, ".notes.csv", "notes", true), sonified = extra(o.sonify, ".notes.wav", "a rendering");
        for (const [i, file] of files.entries()) {
          const f0 = await multipitchToFile(file, outs[i], pictures?.[i], model, o.threshold, program.opts().quiet === true);
          if (midis || notes || sonified) await writeNotes(f0, { midi: midis?.[i], notes: notes?.[i], sonify: sonified?.[i] });
        }
      } finally {
        await model.dispose();
      }
    });
}

/** One input: streamed, so memory is bounded by a segment whatever the file's length. */
async function multipitchToFile(file: string, out: string, salience: string | undefined, model: MultipitchModel, threshold: number | undefined, quiet: boolean): Promise<{ times: number[]; freqs: Float64Array[] }> {
  const progress = createProgress(path.basename(file), quiet);
  // The picture keeps at most ~2000 columns (max over groups of frames); without a known length it grows a column per frame group.
  let picture: Float32Array[] | undefined;
  let group = 1;
  let f0: { times: number[]; freqs: Float64Array[] };
  try {
    f0 = await multipitchFile(file, {
      model, threshold,
      onOpen: (totalSeconds) => {
        if (!salience) return;
        picture = [];
        group = totalSeconds ? Math.max(1, Math.ceil((totalSeconds * MULTIPITCH_RATE) / MULTIPITCH_HOP / 2000)) : 8;
      },
      onProgress: (f) => progress.update(f, "salience"),
      onSalience: salience === undefined ? undefined : (sal, frames, first) => {
        for (let t = 0; t < frames; t++) {
          const col = Math.floor((first + t) / group);
          const column = (picture![col] ??= new Float32Array(MULTIPITCH_BINS));
          for (let k = 0; k < MULTIPITCH_BINS; k++) column[k] = Math.max(column[k], sal[k * frames + t]);
        }
      },
    });
  } finally {
    progress.stop();
  }
  const { times, freqs } = f0;
  const text = formatRaggedTimeSeries(times, freqs);
  await writeOutput(out, text);
  if (picture && salience) {
    const img = renderFigure({
      title: `${path.basename(file)}: multi-F0 salience`,
      panels: [{ data: columnsToFrames(picture, MULTIPITCH_BINS), nFrames: picture.length, nBins: MULTIPITCH_BINS, yLabel: "F0", yTicks: octaveTicks(MULTIPITCH_BINS, HCQT_DEFAULTS.binsPerOctave) }],
      durationSeconds: ((times.length - 1) * MULTIPITCH_HOP) / MULTIPITCH_RATE,
      valueRange: [0, 1],
      colorbarLabel: "level",
    });
    await writeOutput(salience, await encodePng(img.rgb, img.width, img.height));
  }
  if (!quiet) {
    const voiced = freqs.filter((f) => f.length > 0).length;
    process.stderr.write(`wrote ${out === "-" ? "standard output" : out} (${times.length} frames, ${voiced} with at least one F0)${salience ? ` and ${salience}` : ""}\n`);
  }
  return { times, freqs };
}

/** Notes from the F0s: MIDI, a note list, a rendering. */
async function writeNotes(f0: { times: number[]; freqs: Float64Array[] }, to: { midi?: string; notes?: string; sonify?: string }): Promise<void> {
  const notes = f0ToNotes(f0.times, f0.freqs);
  if (to.midi) await writeOutput(to.midi, voiceNotesToMidi(notes));
  if (to.notes) await writeOutput(to.notes, formatNotes(notes, to.notes.endsWith(".txt") ? "mir_eval" : "csv"));
  if (to.sonify) {
    const sr = 22050;
    await writeOutput(to.sonify, encodeWav({ sampleRate: sr, channels: [sonifyNotes(notes, sr, f0.times.length ? f0.times[f0.times.length - 1] + MULTIPITCH_HOP / MULTIPITCH_RATE : 0)] }));
  }
}
