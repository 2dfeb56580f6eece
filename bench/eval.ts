/**
 * BSS Eval speed: ours beside Debian's mir_eval 0.7 on the same 3-minute
 * stereo 44.1 kHz pair of two sources (bss_eval_sources with permutation on the
 * mono mix, bss_eval_images without), plus museval v4 (1 s windows).
 *   npm run bench:eval          (MIRKIT_BENCH_SECONDS=30 for a quick run)
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { bssEvalImages, bssEvalSources, musevalV4 } from "../src/eval/separation.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SECONDS = Number(process.env.MIRKIT_BENCH_SECONDS ?? 180);
const SR = 44100, n = SR * SECONDS;

// Same construction as bench/ref_bss.py (different random numbers; timing does not depend on them).
let s = 1;
const gauss = () => {
  s = (s * 1103515245 + 12345) >>> 0;
  const u = (s + 1) / 4294967297;
  s = (s * 1103515245 + 12345) >>> 0;
  const v = (s + 1) / 4294967297;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
};
const ref = [0, 1].map(() => [0, 1].map(() => Float64Array.from({ length: n }, gauss)));
const est = ref.map((src, j) => src.map((ch, c) => ch.map((v, i) => v + 0.3 * gauss() + 0.2 * ref[1 - j][c][i])));
const mono = (x: Float64Array[][]) => x.map((src) => src[0].map((v, i) => 0.5 * (v + src[1][i])));

const time = (fn: () => unknown) => { const t = performance.now(); fn(); return (performance.now() - t) / 1000; };
console.error(`bench: BSS Eval on ${SECONDS} s of stereo ${SR} Hz, 2 sources`);
const ours = {
  sources: time(() => bssEvalSources(mono(ref), mono(est))),
  images: time(() => bssEvalImages(ref, est, { computePermutation: false })),
  museval: time(() => musevalV4(ref, est, SR)),
};
const py = spawnSync("/usr/bin/python3", [path.join(ROOT, "bench/ref_bss.py"), String(SECONDS)], { encoding: "utf8", timeout: 30 * 60 * 1000 });
const ref_ = py.status === 0 ? (JSON.parse(py.stdout) as Record<string, number>) : {};
if (py.status !== 0) console.error(`mir_eval timing unavailable: ${(py.stderr || String(py.error)).trim().split("\n").pop()}`);
const cell = (x?: number) => (x === undefined ? "n/a" : `${x.toFixed(1)} s`);
const rows = [
  ["bss_eval_sources (mono mix, permutation)", cell(ours.sources), cell(ref_.sources)],
  ["bss_eval_images (stereo, no permutation)", cell(ours.images), cell(ref_.images)],
  ["museval v4 (1 s windows)", cell(ours.museval), "(museval not installed)"],
];
console.log("| task | mirkit | mir_eval 0.7 |\n|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
