/**
 * `mirkit transcribe`: piano recordings to MIDI with the shipped
 * autoregressive multi-state model (models/piano-*.onnx + .step.onnx): one
 * Standard MIDI File per input (a piano track, velocities, the estimated
 * tempo in the header), or JSON note events; optionally the notes in
 * mir_eval's format, a piano-roll picture and a rendering to listen to.
 */
import * as path from "node:path";
import type { Command } from "commander";
import { InvalidInputError } from "../errors.js";
import { encodeWav } from "../io/wav.js";
import type { PianoNote } from "../models/transcription/contract.js";
import type { PianoTranscriber } from "../models/transcription/model.js";
import { loadPianoTranscriber } from "../node.js";
import { renderFigure } from "../plot/figure.js";
import { encodePng } from "../plot/png.js";
import { formatNotes, sonifyNotes } from "../tasks/f0-notes.js";
import { transcribeFile } from "../tasks/file-jobs.js";
import { estimateTempo, notesToMidi } from "../tasks/transcribe.js";
import { inputFiles, outputPaths, writeOutput } from "./outputs.js";
import { createProgress } from "./progress.js";

const FORMATS = ["midi", "json"] as const;
type Format = (typeof FORMATS)[number];

export function addTranscribeCommand(program: Command): void {
  program
    .command("transcribe")
    .description("Transcribe piano recordings to MIDI (log-mel → acoustic CNN → autoregressive note states per key, Kwon et al. 2020).")
    .argument("<inputs...>", "audio files (any format, rate, channel count and length: streamed), or folders (walked recursively)")
    .option("-o, --out <path>", "one input: the output file (- for standard output with --format json); several: a folder (default .), <name>.mid or <name>.notes.json each")
    .option("--format <f>", `midi (a Standard MIDI File: one piano track, velocities, the estimated tempo) or json (note events for programs: { tempoBpm, notes: [{ onset, offset, pitch, velocity }] }, seconds and MIDI numbers)`, "midi")
    .option("--notes <file>", "also write the notes in mir_eval's transcription format (onset offset frequency velocity; a .csv name gives CSV)")
    .option("--roll <png>", "also draw a piano roll (velocity as colour)")
    .option("--sonify <wav>", "also write a rendering of the transcription to listen to")
    .option("--tempo <bpm>", "the tempo written in the MIDI header (default: estimated from the onsets)", (v) => Number(v))
    .option("-n, --model <name>", "a piano model: a shipped name (mirkit models) or an .onnx file with its .step.onnx and .recipe.json beside it (default: the shipped one)")
    .addHelpText("after", "\nNotes end where the key's next note starts, and last at least one 32 ms frame (no fragments on held notes); offsets follow the sustain pedal as it is heard (MAESTRO's convention), so the MIDI has no pedal events.\n\nExamples:\n  $ mirkit transcribe etude.wav                           # etude.mid\n  $ mirkit transcribe etude.flac -o etude.mid --notes etude.txt --roll etude.png --sonify etude-check.wav\n  $ mirkit transcribe recordings/ -o midi/\n  $ mirkit transcribe etude.mp3 --format json -o - | jq '.notes | length'\n  $ mirkit eval transcription --ref truth.txt --est etude.txt")
    .action(async (inputs: string[], o: { out?: string; format: string; notes?: string; roll?: string; sonify?: string; tempo?: number; model?: string }) => {
      if (!(FORMATS as readonly string[]).includes(o.format)) throw new InvalidInputError(`--format must be one of ${FORMATS.join(", ")}, got "${o.format}"`);
      if (o.tempo !== undefined && !(o.tempo >= 20 && o.tempo <= 300)) throw new InvalidInputError(`--tempo must be a number of beats per minute between 20 and 300, got ${o.tempo}`);
      const format = o.format as Format;
      const model = await loadPianoTranscriber(o.model); // a model problem is reported before any input is read
      try {
        const files = await inputFiles(inputs);
        const outs = outputPaths(files, o.out, format === "midi" ? ".mid" : ".notes.json", { stdout: format === "json", what: format === "midi" ? "MIDI" : "note events" });
        const extra = (v: string | undefined, suffix: string, what: string, stdout = false) => (v === undefined ? undefined : outputPaths(files, v, suffix, { what, stdout }));
        const notes = extra(o.notes, ".notes.txt", "notes", true), rolls = extra(o.roll, ".roll.png", "the piano roll"), sonified = extra(o.sonify, ".notes.wav", "a rendering");
        const quiet = program.opts().quiet === true;
        for (const [i, file] of files.entries()) {
          const found = await transcribeOne(file, model, quiet);
          const tempoBpm = o.tempo ?? estimateTempo(found.notes);
          if (format === "midi") await writeOutput(outs[i], notesToMidi(found.notes, { tempoBpm, name: path.basename(file).replace(/\.[^.]+$/, "") }));
          else await writeOutput(outs[i], JSON.stringify({ file: path.basename(file), tempoBpm, notes: found.notes.map((n) => ({ onset: round(n.onset), offset: round(n.offset), pitch: n.pitch, velocity: n.velocity })) }) + "\n");
          if (notes) await writeOutput(notes[i], formatNotes(found.notes, notes[i].endsWith(".csv") ? "csv" : "mir_eval", { velocity: true }));
          if (rolls) await writeOutput(rolls[i], await pianoRoll(found.notes, found.seconds, path.basename(file)));
          if (sonified) {
            const sr = 22050;
            await writeOutput(sonified[i], encodeWav({ sampleRate: sr, channels: [sonifyNotes(found.notes, sr, found.seconds)] }));
          }
          if (!quiet) process.stderr.write(`wrote ${outs[i] === "-" ? "standard output" : outs[i]} (${found.notes.length} notes, ${tempoBpm} BPM)\n`);
        }
      } finally {
        await model.dispose();
      }
    });
}

const round = (t: number) => Math.round(t * 1e4) / 1e4;

async function transcribeOne(file: string, model: PianoTranscriber, quiet: boolean): Promise<{ notes: PianoNote[]; seconds: number }> {
  const progress = createProgress(path.basename(file), quiet);
  let total: number | undefined;
  try {
    const notes = await transcribeFile(file, { model, onOpen: (s) => (total = s), onProgress: (f) => progress.update(f, "notes") });
    return { notes, seconds: total ?? Math.max(0, ...notes.map((n) => n.offset)) };
  } finally {
    progress.stop();
  }
}

/** A piano roll: 88 keys up, time across (at most 2000 columns), colour = velocity. */
async function pianoRoll(notes: readonly PianoNote[], seconds: number, title: string): Promise<Uint8Array> {
  const columns = Math.max(1, Math.min(2000, Math.ceil(seconds * 50)));
  const perColumn = Math.max(seconds, 1e-3) / columns;
  const data = new Float32Array(columns * 88);
  for (const n of notes) {
    const k = n.pitch - 21;
    if (k < 0 || k >= 88) continue;
    for (let c = Math.floor(n.onset / perColumn); c < Math.min(columns, Math.ceil(n.offset / perColumn)); c++) data[c * 88 + k] = Math.max(data[c * 88 + k], n.velocity / 127);
  }
  const img = renderFigure({
    title: `${title}: piano roll`,
    panels: [{ data, nFrames: columns, nBins: 88, yLabel: "key", yTicks: [0, 1, 2, 3, 4, 5, 6, 7].map((o) => ({ at: 3 + 12 * o, label: `C${o + 1}` })) }],
    durationSeconds: seconds, valueRange: [0, 1], colorbarLabel: "velocity",
  });
  return encodePng(img.rgb, img.width, img.height);
}
