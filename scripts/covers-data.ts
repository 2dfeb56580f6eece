/**
 * Cover-song training data as a covers library (no audio kept): each version
 * is rendered in memory (data/datasets.renderCoverVersion), its features
 * extracted (covers/features) and appended to a library file whose entry
 * path is the item name (w0012_v3, noise0004), so the clique is in the name.
 * Resumable (items already in the file are skipped); `--part i/n` splits the
 * items over processes writing separate files.
 *
 *   node dist-bench/scripts/covers-data.js --out /tmp/cv/train-0.mkcl --seed 101 --works 400 --versions 5 \
 *     --noise 0 --fonts fluid,musescore --sung 0.25 --engines formant,speech --chain --part 0/2
 */
import { parseArgs } from "node:util";
import { coverFeatures } from "../src/covers/features.js";
import { renderCoverVersion } from "../src/data/datasets.js";
import type { SingingEngine } from "../src/data/songs.js";
import { toMono } from "../src/io/audio.js";
import type { FontName } from "../src/io/soundfonts.js";
import { openCoversLibrary } from "../src/tasks/covers.js";

const { values: a } = parseArgs({
  options: {
    out: { type: "string" }, seed: { type: "string" }, works: { type: "string" }, versions: { type: "string", default: "5" },
    noise: { type: "string", default: "0" }, fonts: { type: "string", default: "fluid,musescore" }, seconds: { type: "string", default: "30" },
    sung: { type: "string", default: "0" }, engines: { type: "string", default: "formant" }, chain: { type: "boolean", default: false },
    part: { type: "string", default: "0/1" },
  },
});
if (!a.out || !a.seed || !a.works) throw new Error("--out, --seed and --works are required");
const seed = Number(a.seed), works = Number(a.works), versions = Number(a.versions), noise = Number(a.noise), seconds = Number(a.seconds);
const fonts = a.fonts!.split(",") as FontName[];
const engines = a.engines!.split(",") as SingingEngine[];
const [part, parts] = a.part!.split("/").map(Number);
const SR = 22050;

const jobs: { name: string; work: number | null; version: number; index: number }[] = [];
for (let w = 0; w < works; w++) for (let v = 0; v < versions; v++) jobs.push({ name: `w${String(w).padStart(4, "0")}_v${v}`, work: w, version: v, index: jobs.length });
for (let k = 0; k < noise; k++) jobs.push({ name: `noise${String(k).padStart(4, "0")}`, work: null, version: 0, index: k });
const mine = jobs.filter((_, i) => i % parts === part);

const lib = await openCoversLibrary(a.out, { formatOne: true });
const t0 = performance.now();
let done = 0, audioSeconds = 0;
for (const j of mine) {
  if (lib.has(j.name)) continue;
  const { mixture } = await renderCoverVersion(seed, j.work, j.version, j.index, fonts, seconds, SR, { sungShare: Number(a.sung), engines, chain: a.chain });
  const mono = toMono(mixture);
  await lib.add({ path: j.name, durationSeconds: mono.length / SR, sizeBytes: 0, features: coverFeatures(mono, SR) });
  done++;
  audioSeconds += mono.length / SR;
  if (done % 20 === 0) console.log(`${lib.entries.length}/${mine.length} ${j.name} ${(audioSeconds / ((performance.now() - t0) / 1000)).toFixed(1)}× realtime`);
}
console.log(`done: ${lib.entries.length} entries in ${a.out}`);
await lib.close();
