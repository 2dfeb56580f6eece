/**
 * `mirkit eval <task>`: mir_eval-compatible scores as JSON on stdout, with
 * mir_eval's key names. NaN and ±Infinity (undefined or perfect components)
 * are written as null, since JSON has no such numbers.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { intOption } from "./options.js";
import { InvalidInputError, MirError } from "../errors.js";
import { toMono } from "../io/audio.js";
import { readAudioFile } from "../io/file.js";
import { evaluateCoversMatrix } from "../eval/covers.js";
import { parseNotes, parseNotesWithVelocity, parseRaggedTimeSeries, parseTimeSeries } from "../eval/io.js";
import { evaluateMelody } from "../eval/melody.js";
import { evaluateMultipitch } from "../eval/multipitch.js";
import { bssEvalImages, bssEvalImagesFramewise, bssEvalSources, bssEvalSourcesFramewise, musevalV4, nanMedian } from "../eval/separation.js";
import { evaluateTranscription } from "../eval/transcription.js";

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InvalidInputError(code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, expected a text file" : `cannot read: ${(e as Error).message}`, { file });
  }
}

/** Runs `fn`, naming both files in any input error it raises. */
async function scored<T>(ref: string, est: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof MirError && e.file === undefined) throw new InvalidInputError(`${ref} vs ${est}: ${e.message}`, { cause: e });
    throw e;
  }
}

function print(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n");
}

const refEst = (cmd: Command) => cmd.requiredOption("--ref <file>", "reference annotation").requiredOption("--est <file>", "estimated annotation");

export function addEvalCommands(program: Command): void {
  const ev = program
    .command("eval")
    .description("Score estimates against references with mir_eval's metrics (same names, defaults and JSON keys).")
    .addHelpText(
      "after",
      `
Examples:
  $ mirkit eval multipitch --ref ref.txt --est est.txt        # time f1 f2 … per line
  $ mirkit eval transcription --ref ref.txt --est est.txt     # onset offset pitch(Hz) per line
  $ mirkit eval transcription --velocity --ref r.txt --est e.txt   # onset offset pitch velocity
  $ mirkit eval melody --ref ref.txt --est est.txt            # time frequency(Hz, ≤0 unvoiced)
  $ mirkit eval separation --ref refs/ --est ests/ [--all | --museval]
  $ mirkit eval covers --distances D.csv --labels cliques.txt`,
    );

  refEst(ev.command("multipitch").description("mir_eval.multipitch: Precision, Recall, Accuracy, errors, chroma variants."))
    .action(async (o: { ref: string; est: string }) => {
      const ref = parseRaggedTimeSeries(await readText(o.ref), o.ref), est = parseRaggedTimeSeries(await readText(o.est), o.est);
      print(await scored(o.ref, o.est, () => evaluateMultipitch({ times: ref.times, freqs: ref.values }, { times: est.times, freqs: est.values })));
    });

  refEst(ev.command("melody").description("mir_eval.melody: voicing recall/false alarm, raw pitch/chroma accuracy, overall accuracy."))
    .action(async (o: { ref: string; est: string }) => {
      const ref = parseTimeSeries(await readText(o.ref), o.ref), est = parseTimeSeries(await readText(o.est), o.est);
      print(await scored(o.ref, o.est, () => evaluateMelody({ times: ref.times, freqs: ref.values }, { times: est.times, freqs: est.values })));
    });

  refEst(ev.command("transcription").description("mir_eval.transcription: note P/R/F with and without offsets, overlap ratio, onset- and offset-only scores."))
    .option("--velocity", "4-column files (onset offset pitch velocity): mir_eval.transcription_velocity")
    .option("--midi-to-hz", "with --velocity: convert the pitch column from MIDI to Hz (mir_eval's velocity test data uses MIDI numbers as given)")
    .action(async (o: { ref: string; est: string; velocity?: boolean; midiToHz?: boolean }) => {
      const load = async (f: string) => {
        const text = await readText(f);
        if (!o.velocity) return parseNotes(text, f);
        const n = parseNotesWithVelocity(text, f);
        return o.midiToHz ? { ...n, pitches: n.pitches.map((m) => 440 * 2 ** ((m - 69) / 12)) } : n;
      };
      const ref = await load(o.ref), est = await load(o.est);
      print(await scored(o.ref, o.est, () => evaluateTranscription(ref, est)));
    });

  refEst(ev.command("separation").description("BSS Eval: mir_eval's bss_eval_sources (default), all four mir_eval blocks (--all), or museval v4 (--museval)."))
    .option("--all", 'print mir_eval\'s four blocks: "Sources", "Framewise", "Images", "Images Framewise"')
    .option("--museval", "museval v4: per-window SDR/ISR/SIR/SAR (1 s windows) and their medians")
    .option("--win <samples>", "framewise window in samples (default 30 s)", intOption("--win"))
    .option("--hop <samples>", "framewise hop in samples (default 15 s)", intOption("--hop"))
    .addHelpText("after", "\nEach folder holds one WAV (or FLAC/MP3/Ogg) per source; files are paired by sorted name.")
    .action(async (o: { ref: string; est: string; all?: boolean; museval?: boolean; win?: number; hop?: number }) => {
      const [ref, est] = await Promise.all([loadSources(o.ref), loadSources(o.est)]);
      if (ref.names.length !== est.names.length) throw new InvalidInputError(`${o.ref} has ${ref.names.length} sources but ${o.est} has ${est.names.length}; give one file per source in each`);
      if (ref.sampleRate !== est.sampleRate) throw new InvalidInputError(`${o.ref} is at ${ref.sampleRate} Hz but ${o.est} is at ${est.sampleRate} Hz; resample the estimates`);
      await scored(o.ref, o.est, () => {
        if (o.museval) {
          const frames = musevalV4(ref.channels, est.channels, ref.sampleRate);
          print({
            targets: ref.names.map((name, j) => ({ name, frames: frames[j].map((f) => ({ time: f.time, duration: f.duration, metrics: { SDR: f.SDR, SIR: f.SIR, SAR: f.SAR, ISR: f.ISR } })) })),
            aggregated: Object.fromEntries(ref.names.map((name, j) => [name, Object.fromEntries((["SDR", "SIR", "SAR", "ISR"] as const).map((m) => [m, nanMedian(frames[j].map((f) => f[m]))]))])),
          });
          return;
        }
        const monoRef = ref.channels.map((c) => mix(c)), monoEst = est.channels.map((c) => mix(c));
        const s = bssEvalSources(monoRef, monoEst);
        const block = (r: { sdr: unknown; isr?: unknown; sir: unknown; sar: unknown; perm: unknown }) => ({
          "Source to Distortion": r.sdr,
          ...(r.isr !== undefined ? { "Image to Spatial": r.isr } : {}),
          "Source to Interference": r.sir,
          "Source to Artifact": r.sar,
          "Source permutation": r.perm,
        });
        const out: Record<string, unknown> = { Sources: block({ ...s, isr: undefined }) };
        if (o.all) {
          const win = o.win ?? 30 * ref.sampleRate, hop = o.hop ?? 15 * ref.sampleRate;
          out.Framewise = { ...block({ ...bssEvalSourcesFramewise(monoRef, monoEst, { window: win, hop }), isr: undefined }), win, hop };
          const nchan = ref.channels[0].length;
          out.Images = { ...block(bssEvalImages(ref.channels, est.channels)), nchan };
          out["Images Framewise"] = { ...block(bssEvalImagesFramewise(ref.channels, est.channels, { window: win, hop })), win, hop, nchan };
        }
        print(out);
      });
    });

  ev.command("covers")
    .description("Cover-song retrieval: MAP, MR1, P@10 and MRR from a distance matrix and clique labels (query excluded).")
    .requiredOption("--distances <file>", "square matrix: whitespace/comma separated rows, or a JSON array of arrays")
    .requiredOption("--labels <file>", "one clique label per line, in row order (empty or '-' for a noise song), or a JSON array")
    .addHelpText("after", "\nQueries with no relevant item (noise songs, cliques of one) are left out of every mean and counted.")
    .action(async (o: { distances: string; labels: string }) => {
      const dText = await readText(o.distances), lText = await readText(o.labels);
      const matrix = dText.trimStart().startsWith("[")
        ? (parseJson(dText, o.distances) as number[][])
        : dText.split(/\r?\n/).filter((l) => l.trim() !== "" && !l.startsWith("#")).map((l, i) => l.trim().split(/[\s,]+/).map((v) => {
          const x = Number(v);
          if (Number.isNaN(x)) throw new InvalidInputError(`line ${i + 1}: "${v}" is not a number`, { file: o.distances });
          return x;
        }));
      const labels = lText.trimStart().startsWith("[")
        ? (parseJson(lText, o.labels) as (string | number | null)[]).map((l) => (l === null ? null : String(l)))
        : lText.split(/\r?\n/).filter((l, i, all) => i < all.length - 1 || l !== "").map((l) => (l.trim() === "" || l.trim() === "-" ? null : l.trim()));
      print(await scored(o.distances, o.labels, () => evaluateCoversMatrix(matrix, labels)));
    });
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`not valid JSON: ${(e as Error).message}`, { file });
  }
}


function mix(channels: readonly Float32Array[]): Float32Array {
  return toMono({ sampleRate: 0, channels: [...channels] });
}

const AUDIO = /\.(wav|flac|mp3|ogg|oga)$/i;

async function loadSources(dir: string): Promise<{ names: string[]; channels: Float32Array[][]; sampleRate: number }> {
  let entries: string[];
  try {
    entries = (await fs.readdir(dir)).filter((f) => AUDIO.test(f)).sort();
  } catch (e) {
    throw new InvalidInputError((e as NodeJS.ErrnoException).code === "ENOTDIR" ? "is a file, expected a folder with one audio file per source" : "no such folder", { file: dir });
  }
  if (entries.length === 0) throw new InvalidInputError("no audio files (wav, flac, mp3, ogg) in this folder", { file: dir });
  const audio = await Promise.all(entries.map((f) => readAudioFile(path.join(dir, f))));
  const sr = audio[0].sampleRate, len = audio[0].channels[0].length, nch = audio[0].channels.length;
  audio.forEach((a, i) => {
    const f = path.join(dir, entries[i]);
    if (a.sampleRate !== sr) throw new InvalidInputError(`sample rate ${a.sampleRate} Hz differs from ${entries[0]} (${sr} Hz)`, { file: f });
    if (a.channels.length !== nch) throw new InvalidInputError(`${a.channels.length} channels, but ${entries[0]} has ${nch}`, { file: f });
    if (a.channels[0].length !== len) throw new InvalidInputError(`${a.channels[0].length} samples, but ${entries[0]} has ${len}; sources must have equal lengths`, { file: f });
  });
  return { names: entries.map((f) => f.replace(AUDIO, "")), channels: audio.map((a) => [...a.channels]), sampleRate: sr };
}
