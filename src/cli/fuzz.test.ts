/**
 * Seeded fuzzing of every command with mutated WAV, FLAC, MP3 and Ogg files
 * (issue 15): headers overwritten with extreme values, random bytes flipped,
 * files cut, chunks spliced or zeroed, garbage appended. Every run must exit
 * 0, 1 or 2; a failure (1) prints one line naming the file and leaves no
 * output and no temporary file; no run exceeds 1 GB or 10 s on these 3 s
 * inputs. Peak memory comes from /usr/bin/time (Debian's `time`).
 */
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { encodeFlac } from "../io/flac.js";
import { encodeWav } from "../io/wav.js";
import { Rng } from "../random.js";
import { scratchDir } from "../testing/scratch.js";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");
const TIME = "/usr/bin/time";
const has = (cmd: string) => spawnSync(cmd, ["--version"]).status === 0;
const skip = existsSync(TIME) ? false : "/usr/bin/time is missing (apt-get install time): it measures each run's peak memory";

/** The base files: 3 s of a chord with a changing level, in each format we read. */
function bases(dir: string): Map<string, Uint8Array> {
  const sr = 22050, n = 3 * sr, l = new Float32Array(n), r = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const env = 0.5 + 0.4 * Math.sin(i / 3000);
    l[i] = env * 0.3 * (Math.sin((2 * Math.PI * 220 * i) / sr) + 0.5 * Math.sin((2 * Math.PI * 330 * i) / sr));
    r[i] = env * 0.3 * (Math.sin((2 * Math.PI * 277 * i) / sr) + 0.5 * Math.sin((2 * Math.PI * 440 * i) / sr));
  }
  const out = new Map<string, Uint8Array>([
    ["wav", encodeWav({ sampleRate: sr, channels: [l, r] })],
    ["f32.wav", encodeWav({ sampleRate: sr, channels: [l] }, { encoding: "float32" })],
    ["flac", encodeFlac({ sampleRate: sr, channels: [l, r] })],
  ]);
  const wav = path.join(dir, "base.wav");
  writeFileSync(wav, out.get("wav")!);
  if (has("lame") && spawnSync("lame", ["--quiet", wav, path.join(dir, "base.mp3")]).status === 0) out.set("mp3", new Uint8Array(readFileSync(path.join(dir, "base.mp3"))));
  if (has("oggenc") && spawnSync("oggenc", ["-Q", wav, "-o", path.join(dir, "base.ogg")]).status === 0) out.set("ogg", new Uint8Array(readFileSync(path.join(dir, "base.ogg"))));
  return out;
}

const EXTREMES = [0, 1, 7, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 65535 * 65536];

/** One seeded mutation of `b`; returns the bytes and what was done. */
function mutate(b: Uint8Array, ext: string, rng: Rng): { bytes: Uint8Array; what: string } {
  const x = b.slice();
  const v = new DataView(x.buffer);
  const kind = rng.int(0, 7);
  const at = (lo: number, hi: number) => rng.int(lo, Math.max(lo, Math.min(hi, x.length - 1)));
  switch (kind) {
    case 0: { // a header field set to an extreme value
      const pos = ext.endsWith("wav") ? rng.pick([4, 22, 24, 28, 32, 34, 40]) : at(4, 60);
      const val = rng.pick(EXTREMES);
      if (pos + 4 <= x.length) v.setUint32(pos, val >>> 0, true);
      return { bytes: x, what: `u32 ${val} at ${pos}` };
    }
    case 1: { // header bytes randomised
      const k = rng.int(1, 6);
      for (let i = 0; i < k; i++) x[at(0, 64)] = rng.int(0, 255);
      return { bytes: x, what: `${k} header bytes` };
    }
    case 2: { // bytes flipped anywhere
      const k = rng.int(1, 40);
      for (let i = 0; i < k; i++) x[at(0, x.length)] ^= 1 << rng.int(0, 7);
      return { bytes: x, what: `${k} bit flips` };
    }
    case 3: { const cut = at(0, x.length); return { bytes: x.slice(0, cut), what: `cut at ${cut}` }; }
    case 4: { // a chunk duplicated
      const a = at(0, x.length), len = rng.int(1, 4000);
      const out = new Uint8Array(x.length + Math.min(len, x.length - a));
      out.set(x.subarray(0, a + Math.min(len, x.length - a)));
      out.set(x.subarray(a), a + Math.min(len, x.length - a));
      return { bytes: out, what: `splice at ${a}` };
    }
    case 5: { const a = at(0, x.length), len = rng.int(1, 5000); x.fill(0, a, Math.min(x.length, a + len)); return { bytes: x, what: `zeros at ${a}` }; }
    case 6: { // garbage appended
      const g = Uint8Array.from({ length: rng.int(1, 3000) }, () => rng.int(0, 255));
      const out = new Uint8Array(x.length + g.length);
      out.set(x);
      out.set(g, x.length);
      return { bytes: out, what: `${g.length} garbage bytes appended` };
    }
    default: { // float samples set to NaN / Inf (WAV float), or random words in the data
      for (let i = 0; i < 3; i++) { const p = at(64, x.length - 4) & ~3; v.setFloat32(p, rng.pick([NaN, Infinity, -Infinity, 3e38]), true); }
      return { bytes: x, what: "non-finite words" };
    }
  }
}

interface Run { code: number | null; err: string; maxRssKb: number; seconds: number }

function runTimed(args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const stats = path.join(cwd, `.time-${Math.random().toString(36).slice(2)}`);
    const child = spawn(TIME, ["-f", "%M %e", "-o", stats, process.execPath, BIN, "--quiet", ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const [kb, secs] = existsSync(stats) ? readFileSync(stats, "utf8").trim().split(/\s+/).slice(-2).map(Number) : [NaN, NaN];
      rmSync(stats, { force: true });
      // time(1) prints "Command exited with non-zero status N" into its -o file, not stderr.
      resolve({ code, err, maxRssKb: kb, seconds: secs });
    });
  });
}

test("fuzz: 240 mutated WAV/FLAC/MP3/Ogg files through info, plot, multipitch, separate and covers add", { skip, timeout: 900_000 }, async (t) => { // a hang guard, not a speed target: 44 s on an idle 2-core machine, 203 s alone on a slow one, more beside the rest of the suite
  const dir = scratchDir("mirkit-fuzz-");
  const files = bases(dir);
  const rng = new Rng(Number(process.env.MIRKIT_FUZZ_SEED ?? 20261129)); // the suite's seed; set MIRKIT_FUZZ_SEED to explore others
  const cases: { file: string; args: string[]; out: string; what: string }[] = [];
  const formats = [...files.keys()];
  for (let i = 0; i < 240; i++) {
    const ext = formats[i % formats.length];
    const { bytes, what } = mutate(files.get(ext)!, ext, rng);
    const name = `case${String(i).padStart(3, "0")}.${ext.replace("f32.", "")}`;
    writeFileSync(path.join(dir, name), bytes);
    const out = path.join(dir, `out${i}`);
    const cmd = rng.uniform();
    const args = cmd < 0.55 ? ["info", name]
      : cmd < 0.7 ? ["plot", name, "--kind", rng.pick(["stft", "mel", "chroma"]), "-o", path.join(out, "p.png")]
      : cmd < 0.82 ? ["multipitch", name, "-o", path.join(out, "f0.txt")]
      : cmd < 0.92 ? ["separate", name, "-o", out]
      : ["covers", "add", name, "--db", path.join(out, "lib.mkcl")];
    if (args[0] === "plot" || args[0] === "multipitch" || args[0] === "covers") mkdirSync(out, { recursive: true });
    cases.push({ file: name, args, out, what });
  }
  const problems: string[] = [];
  let next = 0, maxKb = 0, maxSeconds = 0;
  const exits = [0, 0, 0];
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const r = await runTimed(c.args, dir);
      maxKb = Math.max(maxKb, r.maxRssKb || 0);
      maxSeconds = Math.max(maxSeconds, r.seconds || 0);
      if (r.code !== null && r.code <= 2) exits[r.code]++;
      const label = `${c.args.slice(0, 2).join(" ")} (${c.what})`;
      const lines = r.err.trim().split("\n").filter((l) => l !== "");
      if (r.code === null || ![0, 1, 2].includes(r.code)) problems.push(`${label}: exit ${r.code}`);
      if (r.code === 1) {
        if (lines.length !== 1 || !lines[0].includes(c.file)) problems.push(`${label}: not one line naming the file: ${JSON.stringify(lines)}`);
        const left = existsSync(c.out) ? readdirSync(c.out, { recursive: true }).map(String) : [];
        if (left.length > 0) problems.push(`${label}: left ${left.join(", ")}`);
      }
      if (/internal error|\n\s+at /.test(r.err)) problems.push(`${label}: ${r.err.trim()}`);
      if (!(r.maxRssKb < 1024 * 1024)) problems.push(`${label}: peak memory ${(r.maxRssKb / 1024).toFixed(0)} MB`);
      if (!(r.seconds < 10)) problems.push(`${label}: ${r.seconds} s`);
    }
  };
  await Promise.all([worker(), worker()]);
  t.diagnostic(`exits 0/1/2: ${exits.join("/")}; slowest run ${maxSeconds.toFixed(2)} s; largest peak memory ${(maxKb / 1024).toFixed(0)} MB`);
  const temps = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(".tmp"));
  if (temps.length > 0) problems.push(`temporary files left: ${temps.join(", ")}`);
  assert.deepEqual(problems, []);
});
