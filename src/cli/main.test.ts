import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { encodeWav } from "../io/wav.js";
import { sine } from "../testing/assert.js";
import { readPng } from "../testing/png.js";
import { scratchDir } from "../testing/scratch.js";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");
const dir = scratchDir("mirkit-cli-");
const wav = path.join(dir, "tone.wav");
const tone = sine(440, 22050, 22050, 0.5);
writeFileSync(wav, encodeWav({ sampleRate: 22050, channels: [tone, tone] }, { encoding: "float32" }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: dir });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function assertOneLineError(err: string, ...parts: string[]) {
  const lines = err.trim().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${err}`);
  assert.match(lines[0], /^mirkit: /);
  for (const p of parts) assert.ok(lines[0].includes(p), `"${lines[0]}" names ${p}`);
  assert.ok(!/\n\s+at /.test(err), "no stack trace");
}

test("mirkit --help teaches by example and exits 0; each command has its own help", () => {
  const r = run("--help");
  assert.equal(r.code, 0);
  for (const s of ["info", "plot", "Examples:", "--quiet"]) assert.ok(r.out.includes(s), `help mentions ${s}`);
  const p = run("plot", "--help");
  assert.equal(p.code, 0);
  for (const s of ["--kind", "hcqt", "chroma", "$ mirkit plot"]) assert.ok(p.out.includes(s), `plot help mentions ${s}`);
});

test("mirkit info --json reports duration, rate, channels, peak and loudness", () => {
  const r = run("info", "--json", wav);
  assert.equal(r.code, 0, r.err);
  const all = JSON.parse(r.out);
  assert.ok(Array.isArray(all) && all.length === 1, "one JSON shape: an array, whatever the number of inputs");
  const info = all[0];
  assert.equal(info.durationSeconds, 1);
  assert.equal(info.sampleRate, 22050);
  assert.equal(info.channels, 2);
  assert.equal(info.format, "wav");
  assert.ok(Math.abs(info.peak - 0.5) < 1e-3);
  // A 440 Hz sine at amplitude 0.5 in both channels: −3.01 (full-scale mono) − 6.02 + 3.01 (two channels) ≈ −6 LUFS,
  // give or take the K-weighting's small gain at 440 Hz versus 1 kHz.
  assert.ok(Math.abs(info.loudnessLufs + 6.2) < 0.5, `loudness ${info.loudnessLufs}`);
  const text = run("info", wav);
  assert.equal(text.code, 0);
  assert.match(text.out, /sample rate\s+22050 Hz/);
});

test("bad input exits 1 with one line naming the file and the problem", () => {
  const missing = run("info", "missing.wav");
  assert.equal(missing.code, 1);
  assertOneLineError(missing.err, "missing.wav", "no such file");
  const junk = path.join(dir, "junk.wav");
  writeFileSync(junk, "this is not audio at all, just text");
  const bad = run("info", junk);
  assert.equal(bad.code, 1);
  assertOneLineError(bad.err, "junk.wav");
  const empty = path.join(dir, "empty.flac");
  writeFileSync(empty, "");
  const e = run("plot", empty, "-o", path.join(dir, "empty.png"));
  assert.equal(e.code, 1);
  assertOneLineError(e.err, "empty.flac");
  assert.ok(!existsSync(path.join(dir, "empty.png")), "no output written on failure");
});

test("bad usage exits 2: unknown command, unknown kind, missing argument", () => {
  assert.equal(run("frobnicate").code, 2);
  const kind = run("plot", wav, "--kind", "wavelet");
  assert.equal(kind.code, 2);
  assert.ok(kind.err.includes("Allowed choices are stft, mel, cqt, hcqt, chroma"));
  assert.equal(run("info").code, 2);
  assert.equal(run("plot", wav, "--width", "-5").code, 2);
});

for (const kind of ["stft", "mel", "cqt", "hcqt", "chroma"]) {
  test(`mirkit plot --kind ${kind} writes a PNG`, () => {
    const out = path.join(dir, `tone-${kind}.png`);
    const r = run("plot", wav, "--kind", kind, "-o", out, "--quiet");
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, "", "--quiet prints nothing");
    const png = readPng(new Uint8Array(readFileSync(out)));
    assert.equal(png.width, 1200);
    assert.ok(png.height >= 600);
  });
}

test("mirkit plot makes missing output folders; an output under a file fails cleanly and leaves no temporary file", () => {
  const made = run("plot", wav, "-o", path.join(dir, "no/such/dir/x.png"));
  assert.equal(made.code, 0, made.err);
  assert.ok(existsSync(path.join(dir, "no/such/dir/x.png")));
  const r = run("plot", wav, "-o", path.join(wav, "x.png"));
  assert.equal(r.code, 1);
  assertOneLineError(r.err, "tone.wav");
  assert.ok(!readdirSync(dir).some((f) => f.endsWith(".tmp")));
});

test("a reader that closes the pipe early (| head) ends the command quietly, without a stack trace", () => {
  const r = spawnSync("sh", ["-c", `"${process.execPath}" "${BIN}" --help | head -1`], { encoding: "utf8" });
  assert.equal(r.status, 0);
  assert.ok(!/EPIPE|\n\s+at /.test(r.stderr), r.stderr);
});

test("mirkit plot: SVG with real text (title, axes, colour-bar ticks and the dB reference), --start/--end, --width/--height", async () => {
  const svgFile = path.join(dir, "tone.svg");
  const r = run("plot", wav, "--kind", "stft", "-o", svgFile, "--start", "0.25", "--end", "0.75", "--width", "900");
  assert.equal(r.code, 0, r.err);
  const svg = readFileSync(svgFile, "utf8");
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="900"/);
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  for (const t of ["tone.wav: STFT (0.25–0.75 s)", "Time (s)", "Hz", "dB re max", "0.3", "0.5", "0.7"]) assert.ok(texts.includes(t), `text "${t}" in ${JSON.stringify(texts)}`);
  assert.ok(texts.some((t) => /^-\d+$/.test(t)), "colour-bar ticks in dB");
  assert.match(svg, /<image [^>]*href="data:image\/png;base64,iVBOR/);
  const png = path.join(dir, "sized.png");
  assert.equal(run("plot", wav, "-o", png, "--width", "800", "--height", "500").code, 0);
  const img = readPng(new Uint8Array(readFileSync(png)));
  assert.equal(img.width, 800);
  assert.equal(img.height, 500);
  const bad = run("plot", wav, "--start", "2", "--end", "1");
  assert.equal(bad.code, 2);
  const outside = run("plot", wav, "--start", "5");
  assert.equal(outside.code, 1);
  assertOneLineError(outside.err, "time range");
});
