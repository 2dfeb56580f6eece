import * as assert from "node:assert/strict";
import { tinyEmbedder } from "../testing/cover-embedder.js";
import * as path from "node:path";
import { test } from "node:test";
import { makeCoversDataset, makeDataset } from "../data/datasets.js";
import { loadMultipitchModel, loadSeparationModel } from "../node.js";
import { sine } from "../testing/assert.js";
import { addToLibrary, evaluateCoversDataset } from "./covers.js";
import { multipitch } from "./multipitch.js";
import { separate } from "./separate.js";
import { scratchDir } from "../testing/scratch.js";

const isAbort = (e: unknown) => (e as Error).name === "AbortError";

test("every long job takes an AbortSignal: a pre-aborted one rejects at once, one aborted mid-run stops the job", async () => {
  const audio = { sampleRate: 22050, channels: [sine(220, 22050, 22050 * 20, 0.4), sine(330, 22050, 22050 * 20, 0.4)] };
  const aborted = AbortSignal.abort();
  const sep = await loadSeparationModel(), mp = await loadMultipitchModel();
  try {
    await assert.rejects(separate(audio, { model: sep, signal: aborted }), isAbort);
    await assert.rejects(multipitch(audio, { model: mp, signal: aborted }), isAbort);
    // Mid-run: abort at the first progress report; the job must stop before it reports completion.
    for (const job of ["separate", "multipitch"] as const) {
      const ctl = new AbortController();
      const seen: number[] = [];
      const onProgress = (f: number) => { seen.push(f); if (seen.length === 1) ctl.abort(); };
      const run = job === "separate" ? separate(audio, { model: sep, signal: ctl.signal, onProgress, segmentSeconds: 5 }) : multipitch(audio, { model: mp, signal: ctl.signal, onProgress, segmentSeconds: 5 });
      await assert.rejects(run, isAbort, job);
      assert.ok(!seen.includes(1), `${job} stopped before the end (${seen.join(", ")})`);
    }
  } finally {
    await sep.dispose();
    await mp.dispose();
  }
  const dir = scratchDir("mirkit-abort-");
  const embedder = await tinyEmbedder();
  await assert.rejects(addToLibrary(path.join(dir, "lib.mkcl"), [dir], { embedder, signal: aborted }), isAbort);
  await assert.rejects(evaluateCoversDataset(dir, { signal: aborted }), isAbort);
  await assert.rejects(makeDataset("multi", { out: path.join(dir, "d"), n: 1, seed: 1, seconds: 2, sampleRate: 22050, fonts: ["fluid"], signal: aborted }), isAbort);
  await assert.rejects(makeCoversDataset({ out: path.join(dir, "c"), works: 1, versions: 1, noise: 0, seed: 1, seconds: 2, sampleRate: 22050, sung: 0, fonts: ["fluid"], signal: aborted }), isAbort);
});
