/**
 * The shipped trimmed models beside the full ones they were trimmed from, in
 * each ONNX Runtime build mirkit runs on: onnxruntime-node (the CLI, the
 * service) and onnxruntime-web's wasm backend (the browser app; here in
 * Node, with 1 and 2 threads). One model call on a chunk as the tasks cut
 * them (multi-F0: 512 frames of the HCQT; separation: 256 STFT frames),
 * each model alone in a process (median of 15 calls after 5 warm-up calls:
 * the wasm backend's first calls are 3–10× slower), full
 * and trimmed in turn three times (the median kept). Prints a Markdown
 * table: ms per chunk and the trimmed model's speed-up over its full model.
 * The point (issue 18): on a CPU where onnxruntime-node's NCHWc convolution
 * kernels work in blocks of 16 channels (AVX-512), a convolution with 5 or
 * 15 output channels costs what one with 16 costs, so trimming our 8–16
 * channel models saves little there; the wasm kernels have no such block.
 *   npm run bench:trim-runtimes
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { nanMedian } from "../src/eval/separation.js";
import { MODELS_DIR } from "../src/io/model-files.js";
import { OnnxModel, type OrtLike } from "../src/nn/runtime.js";
import { ortNode } from "../src/node.js";

const PASSES = 15, WARM_UP = 5;
const pairs = [
  { family: "multi-F0 CNN", full: "multif0-late", trimmed: "multif0-late-trimmed", dims: [1, 12, 360, 512] },
  { family: "separation U-Net", full: "separation-tfc-tdf", trimmed: "separation-tfc-tdf-trimmed", dims: [1, 4, 256, 256] },
];

type Web = OrtLike & { env: { wasm: { numThreads: number } } };
const RUNTIMES = ["onnxruntime-node", "onnxruntime-web (wasm), 1 thread", "onnxruntime-web (wasm), 2 threads"];

/**
 * ms per call of one model in one runtime, alone in this process (median of PASSES calls after WARM_UP):
 * with several sessions in one process their thread pools and caches disturb each other's timings.
 */
async function measure(runtime: number, name: string, dims: number[]): Promise<number> {
  let ort: OrtLike;
  if (runtime === 0) ort = await ortNode();
  else {
    // onnxruntime-web reads its thread count once, at its first session.
    const web = (await import("onnxruntime-web")) as unknown as Web;
    web.env.wasm.numThreads = runtime;
    ort = web;
  }
  const model = await OnnxModel.load(ort, new Uint8Array(readFileSync(path.join(MODELS_DIR, `${name}.onnx`))));
  const n = dims.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n }, (_, i) => (i % 97) / 97);
  const times: number[] = [];
  for (let pass = -WARM_UP; pass < PASSES; pass++) {
    const t0 = performance.now();
    await model.run({ [model.inputNames[0]]: { data, dims } });
    if (pass >= 0) times.push(performance.now() - t0);
  }
  await model.dispose();
  return nanMedian(times);
}

const at = process.argv.indexOf("--measure");
if (at > 0) {
  const [runtime, name, dims] = process.argv.slice(at + 1);
  console.log(await measure(Number(runtime), name, dims.split(",").map(Number)));
} else {
  // Each model in its own process, full and trimmed in turn, three rounds; the median round is kept.
  const ROUNDS = 3;
  console.log("| runtime | model family | full (ms per chunk) | trimmed (ms per chunk) | trimmed speed-up |\n|---|---|---|---|---|");
  for (let r = 0; r < RUNTIMES.length; r++) {
    for (const p of pairs) {
      const got = new Map<string, number[]>();
      for (let round = 0; round < ROUNDS; round++) {
        for (const name of [p.full, p.trimmed]) {
          const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--measure", String(r), name, p.dims.join(",")], { encoding: "utf8" });
          if (child.status !== 0) throw new Error(`${RUNTIMES[r]} ${name}: ${child.stderr}`);
          got.set(name, [...(got.get(name) ?? []), Number(child.stdout.trim())]);
        }
      }
      const full = nanMedian(got.get(p.full)!), trimmed = nanMedian(got.get(p.trimmed)!);
      console.log(`| ${RUNTIMES[r]} | ${p.family} | ${full.toFixed(1)} | ${trimmed.toFixed(1)} | ${(full / trimmed).toFixed(2)}× |`);
    }
  }
}
