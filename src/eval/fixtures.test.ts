/** Every triple in ../shared/fixtures/mir_eval (multipitch, melody, transcription, velocity) reproduced to 1e-6. */
import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { SHARED, sharedAvailable } from "../testing/reference.js";
import { parseNotes, parseNotesWithVelocity, parseRaggedTimeSeries, parseTimeSeries } from "./io.js";
import { evaluateMelody } from "./melody.js";
import { evaluateMultipitch } from "./multipitch.js";
import { evaluateTranscription } from "./transcription.js";

const DIR = path.join(SHARED, "fixtures/mir_eval");
const skip = sharedAvailable("fixtures/mir_eval") === true ? false : String(sharedAvailable("fixtures/mir_eval"));
const read = (...p: string[]) => readFileSync(path.join(DIR, ...p), "utf8");

function ids(folder: string, pattern: RegExp): string[] {
  if (skip) return [];
  return readdirSync(path.join(DIR, folder)).map((f) => pattern.exec(f)?.[1]).filter((x): x is string => x !== undefined).sort();
}

function assertScores(got: object, expected: Record<string, number>, label: string): void {
  for (const [k, v] of Object.entries(expected)) {
    const g = (got as Record<string, number>)[k];
    assert.ok(g !== undefined, `${label}: missing key "${k}"`);
    assert.ok(Math.abs(g - v) <= 1e-6, `${label} ${k}: ${g} vs mir_eval ${v}`);
  }
  for (const k of Object.keys(got)) assert.ok(k in expected, `${label}: extra key "${k}"`);
}

for (const id of ids("multipitch", /^output(\d+)\.json$/)) {
  test(`multipitch fixture ${id} equals mir_eval`, { skip }, () => {
    const ref = parseRaggedTimeSeries(read("multipitch", `ref${id}.txt`));
    const est = parseRaggedTimeSeries(read("multipitch", `est${id}.txt`));
    const got = evaluateMultipitch({ times: ref.times, freqs: ref.values }, { times: est.times, freqs: est.values });
    assertScores(got, JSON.parse(read("multipitch", `output${id}.json`)), `multipitch ${id}`);
  });
}

for (const id of ids("melody", /^output(\d+)\.json$/)) {
  test(`melody fixture ${id} equals mir_eval`, { skip }, () => {
    const ref = parseTimeSeries(read("melody", `ref${id}.txt`));
    const est = parseTimeSeries(read("melody", `est${id}.txt`));
    const got = evaluateMelody({ times: ref.times, freqs: ref.values }, { times: est.times, freqs: est.values });
    assertScores(got, JSON.parse(read("melody", `output${id}.json`)), `melody ${id}`);
  });
}

for (const id of ids("transcription", /^output(\d+)\.json$/)) {
  test(`transcription fixture ${id} equals mir_eval`, { skip }, () => {
    const got = evaluateTranscription(parseNotes(read("transcription", `ref${id}.txt`)), parseNotes(read("transcription", `est${id}.txt`)));
    assertScores(got, JSON.parse(read("transcription", `output${id}.json`)), `transcription ${id}`);
  });
}

for (const id of ids("transcription_velocity", /^output(\d+)\.json$/)) {
  test(`transcription_velocity fixture ${id} equals mir_eval`, { skip }, () => {
    // The velocity files carry MIDI pitches and mir_eval's stored scores used them as given
    // (not converted to Hz): so do we, to reproduce them.
    const load = (f: string) => parseNotesWithVelocity(read("transcription_velocity", f));
    const got = evaluateTranscription(load(`ref${id}.txt`), load(`est${id}.txt`));
    assertScores(got, JSON.parse(read("transcription_velocity", `output${id}.json`)), `velocity ${id}`);
  });
}
