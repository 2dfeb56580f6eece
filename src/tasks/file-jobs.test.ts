/**
 * File jobs release the input file on every path: a separation stopped by a
 * mismatched alignment, or a job aborted before it read a block, leaves no
 * descriptor open on the input (else Node closes it at garbage collection and
 * prints a warning into what should be a one-line error).
 */
import * as assert from "node:assert/strict";
import { readdirSync, readlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { encodeWav } from "../io/wav.js";
import { loadMultipitchModel, loadSeparationModel } from "../node.js";
import { sine } from "../testing/assert.js";
import { multipitchFile, separateFile } from "./file-jobs.js";
import { scratchDir } from "../testing/scratch.js";

/** Descriptors of this process open on `file` (Linux /proc). */
const openOn = (file: string) => readdirSync("/proc/self/fd").filter((fd) => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === file;
  } catch {
    return false;
  }
}).length;

test("file jobs close the input when they stop early: a mismatched alignment, an abort before the first block", { skip: process.platform !== "linux" && "reads /proc/self/fd" }, async () => {
  const dir = scratchDir("mirkit-filejobs-");
  const song = path.join(dir, "song.wav");
  writeFileSync(song, encodeWav({ sampleRate: 22050, channels: [sine(220, 22050, 22050 * 3, 0.3), sine(330, 22050, 22050 * 3, 0.3)] }));
  const sep = await loadSeparationModel("separation-informed-phonemes"), mp = await loadMultipitchModel();
  try {
    const phonemes = [{ start: 0, end: 30, phoneme: "aa" as const }];
    await assert.rejects(separateFile(song, path.join(dir, "out"), { model: sep, phonemes, alignmentName: "long.txt" }), /long.txt runs to 30.0 s but song.wav lasts 3.0 s/);
    assert.equal(openOn(song), 0, "the separation released the song");
    await assert.rejects(multipitchFile(song, { model: mp, signal: AbortSignal.abort() }), (e: Error) => e.name === "AbortError");
    assert.equal(openOn(song), 0, "the aborted multipitch released the song");
  } finally {
    await sep.dispose();
    await mp.dispose();
  }
});
