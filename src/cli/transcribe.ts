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
import { loadPartsTranscriber, loadPianoTranscriber, transcribePartsFile } from "../node.js";
import { MAX_INSTRUMENTS, partsToMidi, type PartsResult } from "../tasks/instruments.js";
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
    .description("Transcribe recordings to MIDI: piano (key-aligned CQT with stacked harmonics → a CNN and an autoregressive note-state LSTM that every key shares, after Kwon et al. 2020, with a frame head that ends notes when the key falls silent; --model piano-mel-ar the paper's log-mel model), or, with --instruments, any ensemble split into one track per instrument (pitchgram → note embeddings on the unit sphere → spherical k-means, Tanaka et al. 2020).")
    .argument("<inputs...>", "audio files (any format, rate, channel count and length: streamed), or folders (walked recursively)")
    .option("-o, --out <path>", "one input: the output file (- for standard output with --format json); several: a folder (default .), <name>.mid or <name>.notes.json each")
    .option("--instruments <k>", "multi-instrument transcription: split the notes into K parts (1–5), one MIDI track each, or auto (K of 1–5 counted from the notes' embeddings: the directions that hold a share of them; rough, right on about a third of held-out pieces)")
    .option("--clustering <how>", "with --instruments: embedding (the learned note embeddings, spherical k-means) or timbre (the baseline: k-means on the cepstrum of each note's harmonic amplitudes and its decay; default embedding)")
    .option("--format <f>", `midi (a Standard MIDI File: one track per part, velocities, the estimated tempo) or json (note events for programs: { tempoBpm, notes: [{ onset, offset, pitch, velocity }] }, seconds and MIDI numbers; with --instruments also parts, and each note's part, 1 = the highest)`, "midi")
    .option("--notes <file>", "also write the notes in mir_eval's transcription format (onset offset frequency velocity; a .csv name gives CSV); with --instruments one mir_eval file per part (<name>.part1.txt, …), or one CSV with a part column")
    .option("--roll <png>", "also draw a piano roll (colour = velocity; with --instruments colour = part)")
    .option("--sonify <wav>", "also write a rendering of the transcription to listen to")
    .option("--tempo <bpm>", "the tempo written in the MIDI header (default: estimated from the onsets)", (v) => Number(v))
    .option("-n, --model <name>", "a piano model, or with --instruments a part transcriber (parts-*, with its .pitchgram.onnx beside it): a shipped name (mirkit models) or an .onnx file with its .step.onnx and .recipe.json beside it (default: the shipped one)")
    .addHelpText("after", "\nWith --instruments, every note is clustered with the whole piece's notes at once, so a part keeps its identity from start to end however long the input (it is streamed; memory holds one segment and a few bytes per note frame). Parts are numbered by their mean pitch, the highest first; the instruments themselves are not named (every track is on piano).\n\nNotes end where the key's next note starts, and last at least one 32 ms frame (no fragments on held notes); offsets follow the sustain pedal as it is heard (MAESTRO's convention), so the MIDI has no pedal events.\n\nExamples:\n  $ mirkit transcribe etude.wav                           # etude.mid\n  $ mirkit transcribe etude.flac -o etude.mid --notes etude.txt --roll etude.png --sonify etude-check.wav\n  $ mirkit transcribe recordings/ -o midi/\n  $ mirkit transcribe etude.mp3 --format json -o - | jq '.notes | length'\n  $ mirkit transcribe quartet.wav --instruments 4 -o quartet.mid --notes quartet.txt --roll quartet.png   # quartet.part1.txt … part4.txt\n  $ mirkit transcribe band.flac --instruments auto --format json -o - | jq .parts\n  $ mirkit eval transcription --ref truth.txt --est etude.txt")
    .action(async (inputs: string[], o: { out?: string; format: string; notes?: string; roll?: string; sonify?: string; tempo?: number; model?: string; instruments?: string; clustering?: string }) => {
      if (!(FORMATS as readonly string[]).includes(o.format)) throw new InvalidInputError(`--format must be one of ${FORMATS.join(", ")}, got "${o.format}"`);
      if (o.tempo !== undefined && !(o.tempo >= 20 && o.tempo <= 300)) throw new InvalidInputError(`--tempo must be a number of beats per minute between 20 and 300, got ${o.tempo}`);
      const format = o.format as Format;
      if (o.instruments !== undefined) return transcribeInstruments(program, inputs, { ...o, instruments: o.instruments, clustering: o.clustering ?? "embedding", format });
      if (o.clustering !== undefined) throw new InvalidInputError("--clustering chooses how --instruments splits notes into parts; give --instruments K or auto");
      const model = await loadPianoTranscriber(o.model); // a model problem is reported before any input is read
      try {
        const files = await inputFiles(inputs);
        const { outs, notes, rolls, sonified } = transcriptionOutputs(files, { ...o, format });
        const quiet = program.opts().quiet === true;
        for (const [i, file] of files.entries()) {
          const found = await transcribeOne(file, model, quiet);
          const tempoBpm = o.tempo ?? estimateTempo(found.notes);
          if (format === "midi") await writeOutput(outs[i], notesToMidi(found.notes, { tempoBpm, name: path.basename(file).replace(/\.[^.]+$/, "") }));
          else await writeOutput(outs[i], JSON.stringify({ file: path.basename(file), tempoBpm, notes: found.notes.map((n) => ({ onset: round(n.onset), offset: round(n.offset), pitch: n.pitch, velocity: n.velocity })) }) + "\n");
          if (notes) await writeOutput(notes[i], formatNotes(found.notes, notes[i].endsWith(".csv") ? "csv" : "mir_eval", { velocity: true }));
          if (rolls) await writeOutput(rolls[i], await pianoRoll(found.notes, found.seconds, path.basename(file)));
          if (sonified) await writeOutput(sonified[i], rendering(found.notes, found.seconds));
          if (!quiet) process.stderr.write(`wrote ${outs[i] === "-" ? "standard output" : outs[i]} (${found.notes.length} notes, ${tempoBpm} BPM)\n`);
        }
      } finally {
        await model.dispose();
      }
    });
}

const round = (t: number) => Math.round(t * 1e4) / 1e4;

/** Every input's output paths: the MIDI or JSON, and the optional notes, roll and rendering (checked before any work). */
function transcriptionOutputs(files: readonly string[], o: { out?: string; format: Format; notes?: string; roll?: string; sonify?: string }) {
  const extra = (v: string | undefined, suffix: string, what: string, stdout = false) => (v === undefined ? undefined : outputPaths(files, v, suffix, { what, stdout }));
  return {
    outs: outputPaths(files, o.out, o.format === "midi" ? ".mid" : ".notes.json", { stdout: o.format === "json", what: o.format === "midi" ? "MIDI" : "note events" }),
    notes: extra(o.notes, ".notes.txt", "notes", true), rolls: extra(o.roll, ".roll.png", "the piano roll"), sonified: extra(o.sonify, ".notes.wav", "a rendering"),
  };
}

/** `--instruments K|auto`: the part transcriber over every input. */
async function transcribeInstruments(program: Command, inputs: string[], o: { out?: string; format: Format; notes?: string; roll?: string; sonify?: string; tempo?: number; model?: string; instruments: string; clustering: string }): Promise<void> {
  const k = o.instruments === "auto" ? "auto" : /^[1-5]$/.test(o.instruments.trim()) ? Number(o.instruments) : undefined;
  if (k === undefined) throw new InvalidInputError(`--instruments must be a number of parts from 1 to ${MAX_INSTRUMENTS}, or auto, got "${o.instruments}"`);
  if (o.clustering !== "embedding" && o.clustering !== "timbre") throw new InvalidInputError(`--clustering must be embedding or timbre, got "${o.clustering}"`);
  const model = await loadPartsTranscriber(o.model);
  try {
    const files = await inputFiles(inputs);
    const { outs, notes, rolls, sonified } = transcriptionOutputs(files, o);
    const quiet = program.opts().quiet === true;
    for (const [i, file] of files.entries()) {
      const progress = createProgress(path.basename(file), quiet);
      let found: PartsResult;
      try {
        found = await transcribePartsFile(file, { model, instruments: k, method: o.clustering, onProgress: (f) => progress.update(f, "frames") });
      } finally {
        progress.stop();
      }
      const tempoBpm = o.tempo ?? estimateTempo(found.notes);
      if (o.format === "midi") await writeOutput(outs[i], partsToMidi(found.notes, found.parts, { tempoBpm }));
      else await writeOutput(outs[i], JSON.stringify({ file: path.basename(file), tempoBpm, parts: found.parts, silhouette: round(found.silhouette), notes: found.notes.map((n) => ({ onset: round(n.onset), offset: round(n.offset), pitch: n.pitch, velocity: n.velocity, part: n.part + 1 })) }) + "\n");
      if (notes) {
        const csv = notes[i] === "-" || notes[i].endsWith(".csv");
        if (csv) await writeOutput(notes[i], formatNotes(found.notes.map((n) => ({ ...n, voice: n.part + 1 })), "csv", { groupColumn: "part" }));
        else for (let p = 0; p < found.parts; p++) await writeOutput(partFile(notes[i], p), formatNotes(found.notes.filter((n) => n.part === p), "mir_eval", { velocity: true }));
      }
      if (rolls) await writeOutput(rolls[i], await partsRoll(found, path.basename(file)));
      if (sonified) await writeOutput(sonified[i], rendering(found.notes, found.seconds));
      if (!quiet) process.stderr.write(`wrote ${outs[i] === "-" ? "standard output" : outs[i]} (${found.notes.length} notes in ${found.parts} part${found.parts === 1 ? "" : "s"}, ${tempoBpm} BPM)\n`);
    }
  } finally {
    await model.dispose();
  }
}

/** A WAV rendering of the notes to listen to (22050 Hz mono). */
const rendering = (notes: readonly PianoNote[], seconds: number) => encodeWav({ sampleRate: 22050, channels: [sonifyNotes(notes, 22050, seconds)] });

/** notes.txt → notes.part1.txt (the part's number before the extension). */
function partFile(file: string, part: number): string {
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}.part${part + 1}${ext}`;
}

/** A piano roll with each part in its own colour (value = part number). */
async function partsRoll(found: PartsResult, title: string): Promise<Uint8Array> {
  return roll(found.notes.map((n) => ({ ...n, value: n.part + 1 })), found.seconds, `${title}: ${found.parts} part${found.parts === 1 ? "" : "s"}`, [0, Math.max(1, found.parts)], "part");
}

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
  return roll(notes.map((n) => ({ ...n, value: n.velocity / 127 })), seconds, `${title}: piano roll`, [0, 1], "velocity");
}

/** 88 keys up, time across (at most 2000 columns), colour = each note's value. */
async function roll(notes: readonly { onset: number; offset: number; pitch: number; value: number }[], seconds: number, title: string, valueRange: [number, number], colorbarLabel: string): Promise<Uint8Array> {
  const columns = Math.max(1, Math.min(2000, Math.ceil(seconds * 50)));
  const perColumn = Math.max(seconds, 1e-3) / columns;
  const data = new Float32Array(columns * 88);
  for (const n of notes) {
    const k = n.pitch - 21;
    if (k < 0 || k >= 88) continue;
    for (let c = Math.floor(n.onset / perColumn); c < Math.min(columns, Math.ceil(n.offset / perColumn)); c++) data[c * 88 + k] = Math.max(data[c * 88 + k], n.value);
  }
  const img = renderFigure({
    title,
    panels: [{ data, nFrames: columns, nBins: 88, yLabel: "key", yTicks: [0, 1, 2, 3, 4, 5, 6, 7].map((o) => ({ at: 3 + 12 * o, label: `C${o + 1}` })) }],
    durationSeconds: seconds, valueRange, colorbarLabel,
  });
  return encodePng(img.rgb, img.width, img.height);
}
