/**
 * `mirkit separate` speed and memory on a 3-minute stereo 44.1 kHz song
 * (synthetic content; speed does not depend on it): ×realtime and peak RSS,
 * 2 cores. Goal (issue 4): ≥ 20× realtime and < 1 GB whatever the length.
 *   npm run bench:separate [-- model.onnx]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { encodeWav } from "../src/io/wav.js";
import { Rng } from "../src/random.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SR = 44100, SECONDS = Number(process.env.MIRKIT_BENCH_SECONDS ?? 180);
const dir = mkdtempSync(path.join(tmpdir(), "mirkit-sepspeed-"));
try {
  const r = new Rng(1);
  const n = SR * SECONDS;
  const ch = [0, 1].map(() => Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / SR) + 0.05 * r.normal()));
  const file = path.join(dir, "song.wav");
  writeFileSync(file, encodeWav({ sampleRate: SR, channels: ch }, { encoding: "pcm16" }));
  const args = [path.join(ROOT, "dist/cli/main.js"), "separate", file, "-o", path.join(dir, "out"), "--quiet", ...(process.argv[2] ? ["--model", process.argv[2]] : [])];
  const res = spawnSync("/usr/bin/time", ["-f", "%M %e", process.execPath, ...args], { encoding: "utf8" });
  if (res.status !== 0) throw new Error(res.stderr);
  const [kb, sec] = res.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  console.log(`| input | ×realtime | peak RSS |\n|---|---|---|\n| ${SECONDS} s stereo ${SR} Hz | ${(SECONDS / sec).toFixed(1)}× (${sec.toFixed(1)} s) | ${(kb / 1024).toFixed(0)} MB |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
