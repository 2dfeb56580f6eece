/**
 * `mirkit separate` speed and memory on a 3-minute stereo 44.1 kHz song
 * (synthetic content; speed does not depend on it): ×realtime and peak RSS,
 * 2 cores, beside the oracle-mask pipeline (read the stems, STFT, ideal
 * ratio mask, ISTFT, write the vocals) on the same audio in the same run.
 * Goal (issue 4): ≥ 20× realtime and < 1 GB whatever the length.
 *   npm run bench:separate [-- model.onnx]      (MIRKIT_BENCH_SECONDS sets the length)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { decodeWav, encodeWav } from "../src/io/wav.js";
import { Rng } from "../src/random.js";
import { oracleIrm } from "../src/models/separation/baselines.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SR = 44100, SECONDS = Number(process.env.MIRKIT_BENCH_SECONDS ?? 180);

if (process.argv[2] === "--oracle") {
  // Child process: the oracle pipeline on DIR's stems, so that /usr/bin/time measures it alone.
  const dir = process.argv[3];
  const load = (f: string) => decodeWav(new Uint8Array(readFileSync(path.join(dir, f))));
  const mix = load("song.wav"), voc = load("vocals.wav"), acc = load("accompaniment.wav");
  const v = oracleIrm(mix.channels, voc.channels, acc.channels, mix.sampleRate);
  writeFileSync(path.join(dir, "oracle-vocals.wav"), encodeWav({ sampleRate: mix.sampleRate, channels: v }, { encoding: "float32" }));
  process.exit(0);
}

const dir = mkdtempSync(path.join(tmpdir(), "mirkit-sepspeed-"));
try {
  const r = new Rng(1);
  const n = SR * SECONDS;
  const voc = [0, 1].map(() => Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / SR)));
  const acc = [0, 1].map(() => Float32Array.from({ length: n }, () => 0.05 * r.normal()));
  const mix = voc.map((v, c) => Float32Array.from(v, (x, i) => x + acc[c][i]));
  const file = path.join(dir, "song.wav");
  writeFileSync(file, encodeWav({ sampleRate: SR, channels: mix }, { encoding: "pcm16" }));
  writeFileSync(path.join(dir, "vocals.wav"), encodeWav({ sampleRate: SR, channels: voc }, { encoding: "pcm16" }));
  writeFileSync(path.join(dir, "accompaniment.wav"), encodeWav({ sampleRate: SR, channels: acc }, { encoding: "pcm16" }));
  const measure = (args: string[]) => {
    const res = spawnSync("/usr/bin/time", ["-f", "%M %e", process.execPath, ...args], { encoding: "utf8" });
    if (res.status !== 0) throw new Error(res.stderr);
    const [kb, sec] = res.stderr.trim().split("\n").pop()!.split(" ").map(Number);
    return `${(SECONDS / sec).toFixed(1)}× (${sec.toFixed(1)} s) | ${(kb / 1024).toFixed(0)} MB`;
  };
  const ours = measure([path.join(ROOT, "dist/cli/main.js"), "separate", file, "-o", path.join(dir, "out"), "--quiet", ...(process.argv[2] ? ["--model", process.argv[2]] : [])]);
  const oracle = measure([fileURLToPath(import.meta.url), "--oracle", dir]);
  console.log(`${SECONDS} s stereo ${SR} Hz, WAV in and out\n| pipeline | ×realtime | peak RSS |\n|---|---|---|\n| mirkit separate (shipped U-Net) | ${ours} |\n| oracle ideal ratio mask (stems known) | ${oracle} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
