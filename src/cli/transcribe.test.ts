import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { evaluateTranscription } from "../eval/transcription.js";
import { soundFontsAvailable } from "../io/soundfonts.js";
import { encodeWav } from "../io/wav.js";
import { midiToHz } from "../data/score.js";
import { pianoRecording, PIANO_TEST_NOTES } from "../testing/piano.js";
import { scratchDir } from "../testing/scratch.js";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
const fonts = soundFontsAvailable(["timgm6mb"]);

test("mirkit transcribe: a held chord and a melody on a held-out piano → MIDI, JSON events, mir_eval notes, a roll, a rendering; no fragments, most onsets", { skip: fonts !== true ? fonts : false }, async () => {
  const dir = scratchDir("mirkit-transcribe-");
  const wav = path.join(dir, "take.wav");
  writeFileSync(wav, encodeWav({ sampleRate: 22050, channels: [await pianoRecording()] }));
  const r = run("transcribe", wav, "-o", path.join(dir, "take.mid"), "--notes", path.join(dir, "take.txt"), "--roll", path.join(dir, "take.png"), "--sonify", path.join(dir, "check.wav"), "--quiet");
  assert.equal(r.status, 0, r.stderr);
  const midi = readFileSync(path.join(dir, "take.mid"));
  assert.equal(midi.subarray(0, 4).toString("latin1"), "MThd");
  assert.equal(readFileSync(path.join(dir, "take.png")).subarray(1, 4).toString("latin1"), "PNG");
  assert.equal(readFileSync(path.join(dir, "check.wav")).subarray(0, 4).toString("latin1"), "RIFF");
  const rows = readFileSync(path.join(dir, "take.txt"), "utf8").trim().split("\n").map((l) => l.split("\t").map(Number));
  assert.ok(rows.every((x) => x.length === 4 && x[3] >= 1 && x[3] <= 127), "onset offset Hz velocity");
  // The notes: nothing shorter than 30 ms, no held key cut into fragments, most reference onsets found.
  const est = { intervals: rows.map((x) => [x[0], x[1]] as [number, number]), pitches: rows.map((x) => x[2]) };
  assert.equal(rows.filter((x) => x[1] - x[0] < 0.03).length, 0);
  for (const pitch of [60, 64, 67]) {
    const held = rows.filter((x) => Math.abs(x[2] - midiToHz(pitch)) < 1 && x[0] < 2.2);
    assert.ok(held.length <= 1, `C-major chord key ${pitch}: ${held.length} notes`);
  }
  assert.ok(rows.some((x) => Math.abs(x[2] - midiToHz(60)) < 1 && x[0] < 0.3 && x[1] > 2.1), "the held C4 is one note over its whole length");
  const ref = { intervals: PIANO_TEST_NOTES.map((n) => [n.onset, n.offset] as [number, number]), pitches: PIANO_TEST_NOTES.map((n) => midiToHz(n.pitch)) };
  const s = evaluateTranscription(ref, est, { offsetRatio: null });
  // The shipped model finds 6 of the 8 onsets here (recall 0.75); its precision suffers from octave errors (docs/results.md).
  assert.ok(s.Recall_no_offset >= 0.6, `onset recall ${s.Recall_no_offset}`);
  // JSON events on standard output.
  const j = run("transcribe", wav, "--format", "json", "-o", "-", "--tempo", "96");
  assert.equal(j.status, 0, j.stderr);
  const events = JSON.parse(j.stdout) as { tempoBpm: number; notes: { onset: number; offset: number; pitch: number; velocity: number }[] };
  assert.equal(events.tempoBpm, 96);
  assert.equal(events.notes.length, rows.length);
  assert.ok(events.notes.every((n) => Number.isInteger(n.pitch) && n.offset > n.onset));
});

test("mirkit transcribe: bad input is one line naming the file, and an existing output is left alone", () => {
  const dir = scratchDir("mirkit-transcribe-");
  const bad = path.join(dir, "notes.wav"), out = path.join(dir, "keep.mid");
  writeFileSync(bad, "this is not audio");
  writeFileSync(out, "mine");
  const r = run("transcribe", bad, "-o", out);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr.trim(), /notes\.wav/);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.equal(readFileSync(out, "utf8"), "mine");
  const f = run("transcribe", bad, "--format", "abc");
  assert.match(f.stderr, /--format must be one of midi, json/);
  assert.ok(!existsSync(path.join(dir, "notes.mid")));
});
