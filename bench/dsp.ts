/**
 * DSP benchmarks: ×realtime on 3 minutes of stereo 44.1 kHz audio, beside
 * numpy/scipy (Debian's /usr/bin/python3) doing the same STFT, mel and
 * resampling in the same run; decode throughput per format; peak memory of
 * streaming a 1-hour file. Prints a table; anchors are the goals.
 *   npm run bench            (MIRKIT_BENCH_SECONDS=30 for a quick run)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { chromaCqt } from "../src/dsp/chroma.js";
import { cqt } from "../src/dsp/cqt.js";
import { hcqt } from "../src/dsp/hcqt.js";
import { hpcp } from "../src/dsp/hpcp.js";
import { melSpectrogram } from "../src/dsp/mel.js";
import { designResampleFilter, resample, resampleWith } from "../src/dsp/resample.js";
import { stft } from "../src/dsp/stft.js";
import { readAudioFile } from "../src/io/file.js";
import { encodeFlac } from "../src/io/flac.js";
import { encodeWav } from "../src/io/wav.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const SECONDS = Number(process.env.MIRKIT_BENCH_SECONDS ?? 180);
const SR = 44100;

/** Deterministic test music: harmonic tones changing every half second, plus a little noise. */
function makeAudio(seconds: number): Float32Array[] {
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
  const n = Math.round(seconds * SR);
  const chans = [new Float32Array(n), new Float32Array(n)];
  const step = SR / 2;
  for (let start = 0; start < n; start += step) {
    const f0 = 110 * 2 ** (Math.floor((rand() + 0.5) * 36) / 12);
    for (let i = start; i < Math.min(n, start + step); i++) {
      const t = i / SR;
      let v = 0;
      for (let h = 1; h <= 5; h++) v += Math.sin(2 * Math.PI * h * f0 * t) / (2 * h);
      chans[0][i] = 0.3 * v + 0.01 * rand();
      chans[1][i] = 0.25 * v + 0.01 * rand();
    }
  }
  return chans;
}

function time(fn: () => unknown, reps = 2): number {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

interface Row { task: string; mirkit: string; reference: string; goal: string }
const rows: Row[] = [];
const rt = (sec: number) => `${(SECONDS / sec).toFixed(0)}×`;

const [left, right] = makeAudio(SECONDS);
const mono = left.map((v, i) => 0.5 * (v + right[i]));
console.error(`bench: ${SECONDS} s of stereo ${SR} Hz audio`);

// numpy/scipy on the same length, same parameters.
let ref: Record<string, number> = {};
const py = spawnSync("/usr/bin/python3", [path.join(ROOT, "bench/ref_dsp.py"), String(SECONDS)], { encoding: "utf8" });
if (py.status === 0) ref = JSON.parse(py.stdout);
else console.error(`numpy/scipy reference unavailable: ${py.stderr.trim().split("\n").pop() ?? "no /usr/bin/python3"}`);
const refCell = (k: string) => (ref[k] === undefined ? "n/a" : rt(ref[k]));

const tStft = time(() => { stft(left, SR, { nFft: 2048, hopLength: 512 }); stft(right, SR, { nFft: 2048, hopLength: 512 }); });
rows.push({ task: "STFT 2048/512, stereo", mirkit: rt(tStft), reference: `numpy ${refCell("stft_numpy")}, scipy ${refCell("stft_scipy")}`, goal: "≥ 500×, > numpy and scipy" });
const tMel = time(() => { melSpectrogram(left, SR, { nFft: 2048, hopLength: 512, nMels: 128 }); melSpectrogram(right, SR, { nFft: 2048, hopLength: 512, nMels: 128 }); });
rows.push({ task: "mel 128 (STFT + filterbank), stereo", mirkit: rt(tMel), reference: `numpy ${refCell("mel_numpy")}`, goal: "> numpy" });
const tRes = time(() => { resample(left, SR, 22050); resample(right, SR, 22050); }, 1);
const scipyFilter = designResampleFilter(1, 2, "scipy");
const tResScipy = time(() => { resampleWith(left, scipyFilter); resampleWith(right, scipyFilter); }, 1);
rows.push({ task: "resample 44.1k→22.05k, stereo (hq / scipy design)", mirkit: `${rt(tRes)} / ${rt(tResScipy)}`, reference: `scipy resample_poly ${refCell("resample_scipy")}`, goal: "" });
const mono22 = resample(mono, SR, 22050);
const tCqt = time(() => cqt(mono22, 22050, { hopLength: 512, nBins: 84, binsPerOctave: 12 }), 1);
rows.push({ task: "CQT 84 bins, hop 512, mono 22.05k (one core)", mirkit: rt(tCqt), reference: "", goal: "≥ 50×" });
const tCqt36 = time(() => chromaCqt(mono22, 22050, { hopLength: 512 }), 1);
rows.push({ task: "chroma_cqt (36 bins/oct, 7 oct), mono", mirkit: rt(tCqt36), reference: "", goal: "" });
const tHcqt = time(() => hcqt(mono22, 22050), 1);
// The speed goal names CQT and HPCP; the HCQT is six CQTs of 360 bins at hop 256, ≈ 50× the CQT row's work.
rows.push({ task: "HCQT ref. settings (6 harmonics, 360 bins, hop 256)", mirkit: rt(tHcqt), reference: "", goal: "" });
const tHpcp = time(() => hpcp(mono, SR, { size: 12 }), 1);
rows.push({ task: "HPCP Da-TACOS settings, mono 44.1k (one core)", mirkit: rt(tHpcp), reference: "", goal: "≥ 50×" });

// Decoding: files written by our encoders (WAV, FLAC) and by lame/oggenc when installed.
const dir = mkdtempSync(path.join(tmpdir(), "mirkit-bench-"));
try {
  const wav = path.join(dir, "a.wav");
  writeFileSync(wav, encodeWav({ sampleRate: SR, channels: [left, right] }, { encoding: "pcm16" }));
  writeFileSync(path.join(dir, "a.flac"), encodeFlac({ sampleRate: SR, channels: [left, right] }));
  const has = (cmd: string) => spawnSync(cmd, ["--version"]).error === undefined;
  if (has("lame")) spawnSync("lame", ["--quiet", "-b", "192", wav, path.join(dir, "a.mp3")]);
  if (has("oggenc")) spawnSync("oggenc", ["-Q", "-q", "5", "-o", path.join(dir, "a.ogg"), wav]);
  for (const ext of ["wav", "flac", "mp3", "ogg"]) {
    const f = path.join(dir, `a.${ext}`);
    if (!existsSync(f)) { rows.push({ task: `decode ${ext.toUpperCase()}`, mirkit: "n/a (encoder missing)", reference: "", goal: "" }); continue; }
    const sec = await timeAsync(() => readAudioFile(f));
    rows.push({ task: `decode ${ext.toUpperCase()} (${(statSync(f).size / 1e6).toFixed(1)} MB)`, mirkit: `${rt(sec)}, ${(statSync(f).size / 1e6 / sec).toFixed(0)} MB/s`, reference: "", goal: "" });
  }
  // Peak memory streaming a 1-hour stereo WAV through `mirkit info` (peak + loudness over every sample).
  if (process.env.MIRKIT_BENCH_SKIP_HOUR === undefined) {
    const hour = path.join(dir, "hour.wav");
    const block = encodeWav({ sampleRate: SR, channels: [left.subarray(0, 60 * SR), right.subarray(0, 60 * SR)] }, { encoding: "pcm16" });
    const dataBytes = block.length - 44;
    const fd = openSync(hour, "w");
    const header = block.slice(0, 44);
    const view = new DataView(header.buffer);
    view.setUint32(4, 36 + 60 * dataBytes, true);
    view.setUint32(40, 60 * dataBytes, true);
    writeSync(fd, header);
    for (let m = 0; m < 60; m++) writeSync(fd, block.subarray(44));
    closeSync(fd);
    const cli = path.join(ROOT, "dist/cli/main.js");
    const child = spawnSync("/usr/bin/time", ["-f", "%M %e", process.execPath, cli, "info", "--json", "--quiet", hour], { encoding: "utf8" });
    const [kb, sec] = child.stderr.trim().split("\n").pop()!.split(" ").map(Number);
    rows.push({ task: `stream 1-hour WAV (${(statSync(hour).size / 1e9).toFixed(2)} GB) via mirkit info`, mirkit: `peak RSS ${(kb / 1024).toFixed(0)} MB, ${(3600 / sec).toFixed(0)}×`, reference: "", goal: "memory independent of length" });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const widths = (["task", "mirkit", "reference", "goal"] as const).map((k) => Math.max(k.length, ...rows.map((r) => r[k].length)));
const line = (cells: string[]) => "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
console.log(line(["task", "mirkit", "reference", "goal"]));
console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
for (const r of rows) console.log(line([r.task, r.mirkit, r.reference, r.goal]));
