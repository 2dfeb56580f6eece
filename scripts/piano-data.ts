/**
 * Piano transcription training data, features only: each piece is rendered
 * in memory (data/datasets.renderPianoPiece: a varied performance on a
 * drawn piano program, half the items through a drawn recording chain with
 * codec), turned into the model input (log-mel, quantised to bytes) and
 * appended to <out>.bin, with the notes (offsets after the pedal) in
 * <out>.json. `--part i/n` splits the items over processes; `--front keys` stores the key-aligned CQT
 * instead of the log-mel.
 *
 *   node dist-bench/scripts/piano-data.js --out /tmp/piano/train-0 --seed 171 --n 300 --fonts fluid,musescore --part 0/2
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { renderPianoPiece } from "../src/data/datasets.js";
import type { FontName } from "../src/io/soundfonts.js";
import { frontBins, PIANO_FRONTS, pianoFrontInput, toPianoSignal, type PianoFront } from "../src/models/transcription/contract.js";
import { quantiseInput, type PianoDataItem } from "../src/tasks/piano-training.js";

const { values: a } = parseArgs({
  options: {
    out: { type: "string" }, seed: { type: "string" }, n: { type: "string" }, fonts: { type: "string", default: "fluid,musescore" },
    seconds: { type: "string", default: "30" }, front: { type: "string", default: "mel" }, chain: { type: "string", default: "0.5" }, part: { type: "string", default: "0/1" },
  },
});
if (!a.out || !a.seed || !a.n) throw new Error("--out, --seed and --n are required");
const seed = Number(a.seed), n = Number(a.n), seconds = Number(a.seconds), chainShare = Number(a.chain);
const fonts = a.fonts!.split(",") as FontName[];
const [part, parts] = a.part!.split("/").map(Number);
const SR = 22050;

const indexFile = `${a.out}.json`, binFile = `${a.out}.bin`;
const front = a.front as PianoFront;
if (!PIANO_FRONTS.includes(front)) throw new Error("--front is mel, keys or vqt");
const index: { front: PianoFront; items: PianoDataItem[] } = existsSync(indexFile) ? JSON.parse(readFileSync(indexFile, "utf8")) : { front, items: [] };
if ((index.front ?? "mel") !== front) throw new Error(`${indexFile} holds ${index.front ?? "mel"} inputs, not ${front}`);
let offset = index.items.reduce((s, it) => s + it.frames * frontBins(front), 0);
if (!existsSync(binFile)) writeFileSync(binFile, new Uint8Array(0));
const codecDir = mkdtempSync(path.join(os.tmpdir(), "piano-codec-"));
const t0 = performance.now();
let audio = 0;
try {
  for (let i = part; i < n; i += parts) {
    const name = `piece${String(i).padStart(4, "0")}`;
    if (index.items.some((it) => it.name === name)) continue;
    const itemSeed = seed * 1000 + i, font = fonts[i % fonts.length];
    const chain = ((itemSeed * 2654435761) >>> 0) / 4294967296 < chainShare;
    const r = await renderPianoPiece(itemSeed, font, seconds, SR, { chain, codecDir: chain ? codecDir : undefined });
    const sig = r.recorded ?? r.dry;
    const x = pianoFrontInput(front, toPianoSignal(sig.channels, sig.sampleRate));
    appendFileSync(binFile, quantiseInput(x.data, front));
    index.items.push({ name, seed: itemSeed, font, program: r.song.parts[0].program, chain, frames: x.frames, offset, notes: r.heard.map((m) => [m.onset, m.offset, m.pitch, m.velocity]) });
    offset += x.data.length;
    writeFileSync(indexFile, JSON.stringify(index));
    audio += sig.channels[0].length / SR;
    console.log(`${index.items.length} ${name} ${font} ${chain ? "chain" : "dry"} ${(audio / ((performance.now() - t0) / 1000)).toFixed(1)}× realtime`);
  }
} finally {
  rmSync(codecDir, { recursive: true, force: true });
}
