/**
 * The command line's conventions (demucs, basic-pitch): files and folders as
 * inputs, default output places, `-o -` for text on standard output, one JSON
 * shape whatever the number of inputs, covers query and compare agreeing.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { encodeWav } from "../io/wav.js";
import { sine } from "../testing/assert.js";
import { scratchDir } from "../testing/scratch.js";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");
const dir = scratchDir("mirkit-conv-");
const run = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [BIN, "--quiet", ...args], { cwd, encoding: "utf8" });
const music = path.join(dir, "music");
mkdirSync(path.join(music, "live"), { recursive: true });
// A3 as a voice-like harmonic tone (the multi-F0 model hears partials, not bare sines).
const a3 = new Float32Array(22050 * 3);
for (let h = 1; h <= 6; h++) { const s = sine(220 * h, 22050, a3.length, 0.3 / h); for (let i = 0; i < a3.length; i++) a3[i] += s[i]; }
writeFileSync(path.join(music, "a.wav"), encodeWav({ sampleRate: 22050, channels: [a3] }));
writeFileSync(path.join(music, "live", "b.wav"), encodeWav({ sampleRate: 22050, channels: [sine(330, 22050, 22050 * 3, 0.4)] }));
writeFileSync(path.join(music, "notes.txt"), "not audio, skipped by extension\n");

test("folders are inputs (walked recursively, audio by extension); several inputs write one output each into a folder", () => {
  const info = run(dir, "info", "--json", music);
  assert.equal(info.status, 0, info.stderr);
  assert.deepEqual((JSON.parse(info.stdout) as { file: string }[]).map((r) => path.basename(r.file)), ["a.wav", "b.wav"]);
  const mp = run(dir, "multipitch", music, "-o", "f0");
  assert.equal(mp.status, 0, mp.stderr);
  assert.deepEqual(readdirSync(path.join(dir, "f0")).sort(), ["a.multipitch.txt", "b.multipitch.txt"]);
  const plot = run(dir, "plot", music, "--kind", "chroma", "-o", "pics");
  assert.equal(plot.status, 0, plot.stderr);
  assert.deepEqual(readdirSync(path.join(dir, "pics")).sort(), ["a.chroma.png", "b.chroma.png"]);
});

test("default outputs: separate writes separated/<name>/, multipitch <name>.multipitch.txt, plot <name>.<kind>.png, in the current folder", () => {
  const cwd = path.join(dir, "work");
  mkdirSync(cwd);
  copyFileSync(path.join(music, "a.wav"), path.join(cwd, "song.wav"));
  assert.equal(run(cwd, "separate", "song.wav").status, 0);
  assert.deepEqual(readdirSync(path.join(cwd, "separated", "song")).sort(), ["accompaniment.wav", "vocals.wav"]);
  assert.equal(run(cwd, "multipitch", "song.wav").status, 0);
  assert.ok(existsSync(path.join(cwd, "song.multipitch.txt")));
  assert.equal(run(cwd, "plot", "song.wav").status, 0);
  assert.ok(existsSync(path.join(cwd, "song.stft.png")));
});

test("-o - writes text to standard output, for one input; outputs that cannot be text refuse it", () => {
  const one = run(dir, "multipitch", path.join(music, "a.wav"), "-o", "-");
  assert.equal(one.status, 0, one.stderr);
  assert.equal(one.stdout, readFileSync(path.join(dir, "f0", "a.multipitch.txt"), "utf8"));
  assert.ok(!existsSync(path.join(dir, "-")), "no file named -");
  const two = run(dir, "multipitch", music, "-o", "-");
  assert.equal(two.status, 1);
  assert.match(two.stderr, /-o - writes one input's F0s to standard output; got 2 inputs/);
  const png = run(dir, "plot", path.join(music, "a.wav"), "-o", "-");
  assert.equal(png.status, 1);
  assert.match(png.stderr, /cannot go to standard output/);
});

const has = (cmd: string) => spawnSync(cmd, ["--version"]).status === 0;
test("separate --format wav|flac|mp3|ogg with --bits 16|24|32f; combinations that do not exist are bad usage", () => {
  const song = path.join(music, "a.wav");
  const out = path.join(dir, "formats");
  const wav16 = run(dir, "separate", song, "-o", path.join(out, "w16"), "--bits", "16");
  assert.equal(wav16.status, 0, wav16.stderr);
  const header = readFileSync(path.join(out, "w16", "a", "vocals.wav"));
  assert.equal(header.readUInt16LE(34), 16, "16-bit PCM WAV");
  const flac24 = run(dir, "separate", song, "-o", path.join(out, "f24"), "--format", "flac", "--bits", "24");
  assert.equal(flac24.status, 0, flac24.stderr);
  const flac = readFileSync(path.join(out, "f24", "a", "vocals.flac"));
  assert.equal(((flac[20] & 1) << 4 | flac[21] >> 4) + 1, 24, "STREAMINFO: 24 bits per sample");
  for (const [fmt, tool] of [["mp3", "lame"], ["ogg", "oggenc"]] as const) {
    if (!has(tool)) continue;
    const r = run(dir, "separate", song, "-o", path.join(out, fmt), "--format", fmt);
    assert.equal(r.status, 0, r.stderr);
    for (const stem of ["vocals", "accompaniment"]) {
      const info = run(dir, "info", "--json", path.join(out, fmt, "a", `${stem}.${fmt}`));
      assert.equal(info.status, 0, info.stderr);
      assert.ok(Math.abs((JSON.parse(info.stdout) as { durationSeconds: number }[])[0].durationSeconds - 3) < 0.1, `${fmt} ${stem} lasts the input's 3 s`);
    }
  }
  for (const args of [["--format", "flac", "--bits", "32f"], ["--format", "aiff"], ["--format", "mp3", "--bits", "24"], ["--bits", "8"]]) {
    const r = run(dir, "separate", song, "-o", path.join(out, "bad"), ...args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split("\n").length, 1);
  }
  assert.ok(!existsSync(path.join(out, "bad")));
});

test("mirkit models lists the shipped models with their held-out scores; --model takes a shipped name", () => {
  const list = run(dir, "models", "--json");
  assert.equal(list.status, 0, list.stderr);
  const models = JSON.parse(list.stdout) as { name: string; task: string; parameters: number; gflopPerSecond: number; scores: Record<string, unknown>; trimmedFrom?: string; round?: number }[];
  const sep = models.find((m) => m.name.startsWith("separation-"));
  assert.ok(sep && /separate/.test(sep.task) && typeof sep.scores.vocalsSdr === "number");
  for (const m of models) {
    assert.ok(m.parameters > 0 && m.gflopPerSecond > 0, `${m.name}: parameters and GFLOP per second of audio`);
    // A trimmed model names its source (a shipped model) and round; a full one neither.
    if (m.trimmedFrom !== undefined) assert.ok(models.some((x) => x.name === m.trimmedFrom) && Number.isInteger(m.round) && m.parameters < models.find((x) => x.name === m.trimmedFrom)!.parameters);
    else assert.equal(m.round, undefined);
  }
  const text = run(dir, "models");
  assert.match(text.stdout, /held-out vocals SDR/);
  // Costs, not the recipes' old speeds: every model's GFLOP per second of audio, as the JSON gives it.
  assert.doesNotMatch(text.stdout, /realtime/);
  for (const m of models) assert.ok(text.stdout.includes(`${m.gflopPerSecond.toFixed(3)} GFLOP per second of audio`), m.name);
  // A trimmed model says how fast it is against its full model in each runtime (fewer FLOPs need not mean faster).
  for (const m of models.filter((x) => x.trimmedFrom !== undefined)) assert.match(text.stdout, new RegExp(`${m.name} [^\\n]*\\n[^\\n]*speed vs the full model: onnxruntime-node [\\d.]+×`));
  const byName = run(dir, "multipitch", path.join(music, "a.wav"), "-o", "-", "-n", models.find((m) => m.name.startsWith("multif0-"))!.name);
  assert.equal(byName.status, 0, byName.stderr);
  const unknown = run(dir, "separate", path.join(music, "a.wav"), "--model", "nonesuch");
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /nonesuch: no shipped model of that name; the shipped ones are .*separation-/);
});

test("multipitch --midi --notes --sonify: notes from the F0s as MIDI, text (CSV, or mir_eval's format for .txt) and a rendering", () => {
  const a = path.join(music, "a.wav");
  const r = run(dir, "multipitch", a, "-o", path.join(dir, "n", "a.txt"), "--midi", path.join(dir, "n", "a.mid"), "--notes", path.join(dir, "n", "a.notes.txt"), "--sonify", path.join(dir, "n", "a.notes.wav"));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(path.join(dir, "n", "a.mid")).subarray(0, 4).toString(), "MThd");
  const lines = readFileSync(path.join(dir, "n", "a.notes.txt"), "utf8").trim().split("\n");
  assert.ok(lines.some((l) => Math.abs(Number(l.split("\t")[2]) - 220) < 1), `an A3 note: ${lines.join(" | ")}`);
  const ev = run(dir, "eval", "transcription", "--ref", path.join(dir, "n", "a.notes.txt"), "--est", path.join(dir, "n", "a.notes.txt"));
  assert.equal(ev.status, 0, ev.stderr);
  assert.equal(JSON.parse(ev.stdout)["Onset_F-measure"], 1, "mir_eval reads the note list");
  const info = run(dir, "info", "--json", path.join(dir, "n", "a.notes.wav"));
  assert.ok(Math.abs((JSON.parse(info.stdout) as { durationSeconds: number }[])[0].durationSeconds - 3) < 0.05);
  const csv = run(dir, "multipitch", a, "-o", path.join(dir, "n", "b.txt"), "--notes", "-");
  assert.equal(csv.status, 0, csv.stderr);
  assert.match(csv.stdout, /^onset_s,offset_s,pitch_midi,frequency_hz,velocity,voice\n/);
  assert.match(csv.stdout, /\n[\d.]+,[\d.]+,57,220\.0000,80,\d\n/, "the A3 as CSV");
});
