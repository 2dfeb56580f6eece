/**
 * Multi-instrument transcription, scored on `mirkit synth multi` sets:
 *   npm run bench:instruments -- --sets dir,dir [--model parts.onnx] [--val dir,dir] [--dry] [--json out.json]
 * Per set (the recorded mixtures, or the dry ones with --dry), each item is transcribed with the true number
 * of parts K, and scored in one run, side by side:
 * - multi-pitch (instrument-agnostic) note F1, onsets within 50 ms, offsets ignored: our pitchgram's notes
 *   and Spotify's basic-pitch (its ONNX model and note rule; the anchor, it has no parts);
 * - per-part note F1 after the best part assignment, and frame-level part accuracy, for the spherical
 *   clustering of the learned embeddings and for the baseline (k-means on each note's harmonic-envelope
 *   cepstrum and decay), on the same notes;
 * - the same two clusterings on the true notes (an oracle pitchgram: what the clustering alone does);
 * - --instruments auto: the share of items whose K it finds, at the model's threshold.
 * --long M,M: the command (`mirkit transcribe --instruments 3`) on a recording of M minutes (the sets'
 * mixtures joined), peak memory and × realtime by /usr/bin/time: memory should barely grow with length.
 * With --val, the auto share (estimateParts: the share of the notes' embedding moment a part must hold) is tuned on those sets
 * (K accuracy) and printed. --write-recipe writes the scores (metrics.test per set, metrics.realtime) and
 * the tuned share (metrics.autoMinShare, used by the sets' "auto K right" only from the next run)
 * into the model's recipe.
 */
import { parseArgs } from "node:util";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { encodeWav } from "../src/io/wav.js";
import { resolveModel, shippedModel } from "../src/io/model-files.js";
import { PARTS_MODEL_PREFIX } from "../src/models/transcription/parts-model.js";
import { MULTIPITCH_HOP, MULTIPITCH_RATE, hzToBin } from "../src/models/pitch/contract.js";
import { evaluateTranscription, type NoteList } from "../src/eval/transcription.js";
import { partFrameAccuracy, partNoteScores } from "../src/eval/parts.js";
import { asBlocks } from "../src/io/audio.js";
import { PART_PITCHES, partLabels, pitchBin, type PartNote } from "../src/models/transcription/parts-contract.js";
import { loadPartsTranscriber } from "../src/node.js";
import { clusterNotes, embeddingShares, framesToNotes, noteVectors, partsFrames, keptLookup, type BinLookup } from "../src/tasks/instruments.js";
import { itemPartNotes, itemSignal, multiItems } from "../src/tasks/instruments-training.js";
import { basicPitchNotes, loadBasicPitch, runBasicPitch } from "./basic-pitch.js";
import { HCQT_DEFAULTS } from "../src/dsp/hcqt.js";

const { values: a } = parseArgs({ options: { onset: { type: "string" }, off: { type: "string" }, gap: { type: "string" }, "min-frames": { type: "string" }, sets: { type: "string" }, model: { type: "string" }, val: { type: "string" }, dry: { type: "boolean", default: false }, json: { type: "string" }, "no-anchor": { type: "boolean", default: false }, "write-recipe": { type: "boolean", default: false }, long: { type: "string" } } });
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/cli/main.js");
const list = (v: string | undefined) => (v ?? "").split(",").filter(Boolean);
const model = await loadPartsTranscriber(a.model);
const bp = a["no-anchor"] ? undefined : await loadBasicPitch().catch((e: Error) => { console.error(`basic-pitch skipped: ${e.message}`); return undefined; });
const FRAME = MULTIPITCH_HOP / MULTIPITCH_RATE, H = HCQT_DEFAULTS.harmonics.length, F = 360;
const toList = (notes: readonly PartNote[]): NoteList => ({ intervals: notes.map((n) => [n.onset, n.offset] as [number, number]), pitches: notes.map((n) => 440 * 2 ** ((n.pitch - 69) / 12)) });
const noteF = (ref: readonly PartNote[], est: readonly PartNote[]) => (ref.length && est.length ? evaluateTranscription(toList(ref), toList(est), { offsetRatio: null })["F-measure_no_offset"] : 0);

interface ItemScores {
  k: number; notesF: number; bpF: number | null;
  est: Record<"embedding" | "timbre", { f: number; frame: number }>;
  oracle: Record<"embedding" | "timbre", { f: number; frame: number }>;
  shares: number[]; seconds: number; computeSeconds: number; bpSeconds: number;
}

/** Per-part scores of a clustering of `notes` (labels per note) against the reference parts. */
function partScores(ref: PartNote[][], notes: readonly PartNote[], parts: Int32Array, k: number, frames: number) {
  const est = Array.from({ length: k }, (_, c) => notes.filter((_, i) => parts[i] === c));
  const s = partNoteScores(ref.map(toList), est.map(toList));
  const frame = partFrameAccuracy(partLabels(ref, frames, FRAME), partLabels(est, frames, FRAME), ref.length, k);
  return { f: s.f, frame };
}

async function scoreItem(it: ReturnType<typeof multiItems>[number], wet: boolean): Promise<ItemScores> {
  const signal = itemSignal(it, wet);
  const ref = itemPartNotes(it);
  const k = ref.length;
  // Whole maps kept for the oracle lookups (a 25 s item: a few MB).
  let emb: Float32Array<ArrayBufferLike> = new Float32Array(0), mag: Float32Array<ArrayBufferLike> = new Float32Array(0), D = 0, T = 0;
  const t0 = performance.now();
  const pf = await partsFrames(model, asBlocks({ sampleRate: MULTIPITCH_RATE, channels: [signal] }), { onSegment: (e, m, dims, core) => { emb = e; mag = m; D = dims; T = core; } });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const notes = framesToNotes(pf, { onsetThreshold: num(a.onset), offRatio: num(a.off), gapFrames: num(a.gap), minFrames: num(a["min-frames"]) });
  const vecs = noteVectors(notes, keptLookup(pf), pf.dims);
  const est = { embedding: clusterNotes(notes, vecs, k, "embedding", 0), timbre: clusterNotes(notes, vecs, k, "timbre", 0) };
  const computeSeconds = (performance.now() - t0) / 1000;
  const frames = pf.frames;
  const mapLookup: BinLookup = (t, pitch) => {
    const p = pitchBin(pitch);
    if (p < 0 || t >= T) return undefined;
    const kb = Math.max(0, Math.min(F - 1, Math.round(hzToBin(440 * 2 ** ((pitch - 69) / 12)))));
    return { emb: Array.from({ length: D }, (_, d) => emb[(d * PART_PITCHES + p) * T + t]), mag: Array.from({ length: H }, (_, h) => mag[(h * F + kb) * T + t]) };
  };
  const truth = ref.flat().sort((x, y) => x.onset - y.onset);
  const tv = noteVectors(truth, mapLookup, D);
  const orc = { embedding: clusterNotes(truth, tv, k, "embedding", 0), timbre: clusterNotes(truth, tv, k, "timbre", 0) };
  const shares = embeddingShares(vecs);
  let bpF: number | null = null, bpSeconds = 0;
  if (bp) {
    const t1 = performance.now();
    const bpNotes = basicPitchNotes(await runBasicPitch(bp, signal));
    bpSeconds = (performance.now() - t1) / 1000;
    bpF = noteF(truth, bpNotes);
  }
  return {
    k, notesF: noteF(truth, notes), bpF,
    est: { embedding: partScores(ref, notes, est.embedding.parts, est.embedding.k, frames), timbre: partScores(ref, notes, est.timbre.parts, est.timbre.k, frames) },
    oracle: { embedding: partScores(ref, truth, orc.embedding.parts, orc.embedding.k, frames), timbre: partScores(ref, truth, orc.timbre.parts, orc.timbre.k, frames) },
    shares, seconds: signal.length / MULTIPITCH_RATE, computeSeconds, bpSeconds,
  };
}

/** K chosen by "auto" (estimateParts) from an item's moment shares at share τ. */
const autoK = (s: ItemScores, tau: number) => Math.max(1, Math.min(5, s.shares.filter((v) => v >= tau).length));
const mean = (xs: number[]) => { const v = xs.filter((x) => Number.isFinite(x)); return v.length ? v.reduce((p, q) => p + q, 0) / v.length : NaN; };
const f3 = (x: number | null) => (x === null || !Number.isFinite(x) ? "–" : x.toFixed(3));

const out: Record<string, unknown> = {};
if (a.val) {
  const val: ItemScores[] = [];
  for (const dir of list(a.val)) for (const it of multiItems(dir)) val.push(await scoreItem(it, !a.dry));
  const taus = [0.04, 0.06, 0.08, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.25];
  const acc = taus.map((tau) => ({ tau, accuracy: mean(val.map((s) => (autoK(s, tau) === s.k ? 1 : 0))) }));
  const best = acc.reduce((p, q) => (q.accuracy > p.accuracy ? q : p));
  console.log(`auto share on validation (${val.length} items): ${acc.map((x) => `${x.tau}: ${x.accuracy.toFixed(2)}`).join(", ")} → ${best.tau}`);
  out.autoTuning = { sweep: acc, best, sets: list(a.val).map((d) => path.basename(d)) };
}

console.log(`\n| set (${a.dry ? "dry" : "recorded"}) | items | K | notes F1: ours | basic-pitch | part F1: spherical | baseline | frame part acc.: spherical | baseline | oracle notes, part F1: spherical | baseline | auto K right | × realtime: ours | basic-pitch |`);
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
const sets: Record<string, unknown> = {};
for (const dir of list(a.sets)) {
  const s: ItemScores[] = [];
  for (const it of multiItems(dir)) s.push(await scoreItem(it, !a.dry));
  const row = {
    items: s.length, k: mean(s.map((x) => x.k)), notesF: mean(s.map((x) => x.notesF)), basicPitchF: bp ? mean(s.map((x) => x.bpF ?? NaN)) : null,
    partF: { embedding: mean(s.map((x) => x.est.embedding.f)), timbre: mean(s.map((x) => x.est.timbre.f)) },
    frameAccuracy: { embedding: mean(s.map((x) => x.est.embedding.frame)), timbre: mean(s.map((x) => x.est.timbre.frame)) },
    oraclePartF: { embedding: mean(s.map((x) => x.oracle.embedding.f)), timbre: mean(s.map((x) => x.oracle.timbre.f)) },
    oracleFrameAccuracy: { embedding: mean(s.map((x) => x.oracle.embedding.frame)), timbre: mean(s.map((x) => x.oracle.timbre.frame)) },
    autoRight: mean(s.map((x) => (autoK(x, model.autoMinShare) === x.k ? 1 : 0))),
    realtime: s.reduce((p, x) => p + x.seconds, 0) / s.reduce((p, x) => p + x.computeSeconds, 0),
    basicPitchRealtime: bp ? s.reduce((p, x) => p + x.seconds, 0) / s.reduce((p, x) => p + x.bpSeconds, 0) : null,
  };
  sets[path.basename(dir)] = row;
  console.log(`| ${path.basename(dir)} | ${row.items} | ${row.k.toFixed(1)} | ${f3(row.notesF)} | ${f3(row.basicPitchF)} | ${f3(row.partF.embedding)} | ${f3(row.partF.timbre)} | ${f3(row.frameAccuracy.embedding)} | ${f3(row.frameAccuracy.timbre)} | ${f3(row.oraclePartF.embedding)} | ${f3(row.oraclePartF.timbre)} | ${row.autoRight.toFixed(2)} | ${row.realtime.toFixed(0)}× | ${row.basicPitchRealtime ? `${row.basicPitchRealtime.toFixed(0)}×` : "–"} |`);
}
out.sets = sets;
if (a["write-recipe"]) {
  const file = (a.model ? resolveModel(a.model) : shippedModel(PARTS_MODEL_PREFIX, "parts", "scripts/train-parts.ts")).replace(/\.onnx$/, ".recipe.json");
  const recipe = JSON.parse(readFileSync(file, "utf8")) as { metrics: Record<string, unknown> };
  const test: Record<string, unknown> = {};
  for (const [name, r] of Object.entries(sets) as [string, { items: number; notesF: number; basicPitchF: number | null; partF: { embedding: number; timbre: number }; frameAccuracy: { embedding: number; timbre: number }; oraclePartF: { embedding: number; timbre: number }; autoRight: number }][]) {
    test[name] = { items: r.items, partF1: r.partF.embedding, baselinePartF1: r.partF.timbre, frameAccuracy: r.frameAccuracy.embedding, baselineFrameAccuracy: r.frameAccuracy.timbre, notesF1: r.notesF, basicPitchNotesF1: r.basicPitchF, oracleNotesPartF1: r.oraclePartF.embedding, oracleNotesBaselinePartF1: r.oraclePartF.timbre, autoKRight: r.autoRight };
  }
  const rows = Object.values(sets) as { items: number; realtime: number }[];
  recipe.metrics = { ...recipe.metrics, test, scoredOn: a.dry ? "dry mixtures" : "recorded mixtures (synth multi --chain)", realtime: rows.reduce((p, r) => p + r.realtime * r.items, 0) / Math.max(1, rows.reduce((p, r) => p + r.items, 0)), ...(out.autoTuning ? { autoMinShare: (out.autoTuning as { best: { tau: number } }).best.tau, autoTuning: out.autoTuning } : {}) };
  writeFileSync(file, JSON.stringify(recipe, null, 2) + "\n");
  console.error(`scores written to ${file}`);
}
if (a.long) {
  const items = list(a.sets).flatMap(multiItems);
  const dir = mkdtempSync(path.join(tmpdir(), "mirkit-long-"));
  console.log("\n| input | peak RSS | × realtime |\n|---|---|---|");
  for (const minutes of list(a.long).map(Number)) {
    const n = Math.round(minutes * 60 * MULTIPITCH_RATE), x = new Float32Array(n);
    for (let at = 0, i = 0; at < n; i++) { const sig = itemSignal(items[i % items.length], !a.dry); x.set(sig.subarray(0, n - at), at); at += sig.length; }
    const file = path.join(dir, `long${minutes}.wav`);
    writeFileSync(file, encodeWav({ sampleRate: MULTIPITCH_RATE, channels: [x] }));
    const child = spawnSync("/usr/bin/time", ["-f", "%M %e", process.execPath, CLI, "transcribe", file, "--instruments", "3", "-o", path.join(dir, "out.mid"), "--quiet", ...(a.model ? ["--model", a.model] : [])], { encoding: "utf8" });
    const [kb, sec] = child.stderr.trim().split("\n").pop()!.split(" ").map(Number);
    console.log(`| ${minutes} min, mono 22050 Hz | ${(kb / 1024).toFixed(0)} MB | ${((minutes * 60) / sec).toFixed(0)}× |`);
    out[`long${minutes}`] = { peakRssMB: kb / 1024, realtime: (minutes * 60) / sec };
  }
  rmSync(dir, { recursive: true, force: true });
}
if (a.json) writeFileSync(a.json, JSON.stringify(out, null, 2) + "\n");
await model.dispose();
await bp?.dispose();
