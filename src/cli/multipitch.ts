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
import { openAudioStream, writeFileAtomic } from "../io/file.js";
import { loadMultipitchModel } from "../node.js";
import { renderFigure } from "../plot/figure.js";
import { octaveTicks } from "../tasks/plot.js";
import { encodePng } from "../plot/png.js";
import { MULTIPITCH_BINS, MULTIPITCH_HOP, MULTIPITCH_RATE } from "../models/pitch/contract.js";
import { multipitchStream } from "../tasks/multipitch.js";
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
    .argument("<file>", "audio file (any rate and channel count; channels are mixed to mono)")
    .requiredOption("-o, --out <file>", "output text file: time, then the F0s in Hz, tab-separated, one row per 11.6 ms frame")
    .option("--salience <png>", "also draw the salience map")
    .option("--threshold <t>", "peak-picking threshold on the salience, 0–1 (default: the model's, tuned on validation data)", (v) => Number(v))
    .option("--model <onnx>", "a multi-F0 model (default: the shipped one); its .recipe.json beside it gives input kind and threshold")
    .addHelpText("after", "\nExamples:\n  $ mirkit multipitch choir.wav -o choir.multipitch.txt --salience choir.png\n  $ mirkit eval multipitch --ref truth.txt --est choir.multipitch.txt")
    .action(async (file: string, o: { out: string; salience?: string; threshold?: number; model?: string }) => {
      if (o.threshold !== undefined && !(o.threshold > 0 && o.threshold < 1)) throw new InvalidInputError(`--threshold must be between 0 and 1, got ${o.threshold}`);
      const model = await loadMultipitchModel(o.model);
      const progress = createProgress(path.basename(file), program.opts().quiet === true);
      // Streamed: memory is bounded by a segment, whatever the file's length. The picture keeps at most
      // ~2000 columns (max over groups of frames); without a known length it grows a column per frame group.
      const times: number[] = [];
      const freqs: Float64Array[] = [];
      let picture: Float32Array[] | undefined;
      let group = 1;
      try {
        const { sampleRate, frames, blocks } = await openAudioStream(file);
        const totalSeconds = frames !== undefined ? frames / sampleRate : undefined;
        if (o.salience) {
          picture = [];
          group = totalSeconds ? Math.max(1, Math.ceil((totalSeconds * MULTIPITCH_RATE) / MULTIPITCH_HOP / 2000)) : 8;
        }
        for await (const part of multipitchStream(model.onnx, blocks, {
          fusion: model.fusion,
          threshold: o.threshold ?? model.threshold,
          totalSeconds,
          onProgress: (f) => progress.update(f, "salience"),
          onSalience: picture && ((sal, frames, first) => {
            for (let t = 0; t < frames; t++) {
              const col = Math.floor((first + t) / group);
              const column = (picture![col] ??= new Float32Array(MULTIPITCH_BINS));
              for (let k = 0; k < MULTIPITCH_BINS; k++) column[k] = Math.max(column[k], sal[k * frames + t]);
            }
          }),
        })) {
          for (const t of part.times) times.push(t);
          for (const f of part.freqs) freqs.push(f);
        }
      } finally {
        progress.stop();
        await model.dispose();
      }
      const result = { times, freqs };
      await writeFileAtomic(o.out, formatRaggedTimeSeries(result.times, result.freqs));
      if (picture && o.salience) {
        const img = renderFigure({
          title: `${path.basename(file)}: multi-F0 salience`,
          panels: [{ data: columnsToFrames(picture, MULTIPITCH_BINS), nFrames: picture.length, nBins: MULTIPITCH_BINS, yLabel: "F0", yTicks: octaveTicks(MULTIPITCH_BINS, HCQT_DEFAULTS.binsPerOctave) }],
          durationSeconds: ((times.length - 1) * MULTIPITCH_HOP) / MULTIPITCH_RATE,
          valueRange: [0, 1],
          colorbarLabel: "level",
        });
        await writeFileAtomic(o.salience, await encodePng(img.rgb, img.width, img.height));
      }
      if (program.opts().quiet !== true) {
        const voiced = result.freqs.filter((f) => f.length > 0).length;
        process.stderr.write(`wrote ${o.out} (${result.times.length} frames, ${voiced} with at least one F0)${o.salience ? ` and ${o.salience}` : ""}\n`);
      }
    });
}
