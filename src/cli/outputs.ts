/**
 * Where each input's outputs go, by the conventions of demucs and
 * basic-pitch: commands take files and folders (walked recursively, audio by
 * extension); one input writes to the `-o` file (or `-`, standard output,
 * for text); several inputs, or a `-o` that is a folder, write one file per
 * input into that folder (default: the current one) under the input's name.
 */
import { existsSync, statSync } from "node:fs";
import * as path from "node:path";
import { InvalidInputError } from "../errors.js";
import { listAudioFiles, makeOutputDir, writeFileAtomic } from "../io/file.js";

/** The inputs' audio files (folders walked); none found is an error naming the inputs. */
export async function inputFiles(inputs: readonly string[]): Promise<string[]> {
  const files = await listAudioFiles(inputs);
  if (files.length === 0) throw new InvalidInputError(`no audio files (.wav, .flac, .mp3, .ogg) in ${inputs.join(", ")}`);
  return files;
}

/**
 * A name per input for its outputs: its base name without extension, or, for
 * inputs that share one (song1/mixture.wav, song2/mixture.wav), its parent
 * folder's name in front ("song1-mixture"). Inputs that would still collide
 * (the same file twice) are refused before any work.
 */
export function outputNames(files: readonly string[]): string[] {
  const base = (f: string) => path.basename(f).replace(/\.[^.]+$/, "");
  const uses = new Map<string, number>();
  for (const f of files) uses.set(base(f), (uses.get(base(f)) ?? 0) + 1);
  const names = files.map((f) => (uses.get(base(f))! > 1 ? `${path.basename(path.dirname(path.resolve(f)))}-${base(f)}` : base(f)));
  const first = new Map<string, string>();
  names.forEach((n, i) => {
    const other = first.get(n);
    if (other !== undefined) throw new InvalidInputError(`${other} and ${files[i]} would both write to ${n}; give each input its own name`);
    first.set(n, files[i]);
  });
  return names;
}

/**
 * The output path of each input: `out` itself for a single input (unless it
 * is a folder), else `out` (default ".") as a folder holding
 * `<name><suffix>` per input. `-` (standard output) is allowed only where
 * `stdout` is, and for one input.
 */
export function outputPaths(files: readonly string[], out: string | undefined, suffix: string, options: { readonly stdout?: boolean; readonly what: string }): string[] {
  const isDir = out !== undefined && (out.endsWith("/") || (existsSync(out) && statSync(out).isDirectory()));
  if (out === "-") {
    if (!options.stdout) throw new InvalidInputError(`${options.what} cannot go to standard output (-o -); give a file name`);
    if (files.length > 1) throw new InvalidInputError(`-o - writes one input's ${options.what} to standard output; got ${files.length} inputs`);
    return ["-"];
  }
  if (files.length === 1 && out !== undefined && !isDir) return [out];
  const dir = out ?? ".";
  return outputNames(files).map((n) => path.join(dir, n + suffix));
}

/** Writes one output: `-` to standard output, otherwise atomically, making its folder if needed. */
export async function writeOutput(file: string, bytes: Uint8Array | string): Promise<void> {
  if (file === "-") {
    process.stdout.write(bytes);
    return;
  }
  await makeOutputDir(path.dirname(file));
  await writeFileAtomic(file, bytes);
}
