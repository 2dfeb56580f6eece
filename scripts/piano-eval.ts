/**
 * Scores piano transcription models on held-out `mirkit synth piano` sets,
 * side by side with Spotify's basic-pitch (its ONNX model, its own note
 * rule) on the same items: mir_eval note F1 with onsets only, with offsets,
 * with offsets and velocity, frame F1 (a 10 ms piano roll), and ×realtime
 * of the whole pipeline (decoding to notes included) on this machine.
 * Means over items; `--audio dry|recorded` picks piano.wav or
 * piano_recorded.wav (both by default). `--write-recipe BASE` stores the
 * scores in BASE.recipe.json's metrics.test. `--tune` (on validation sets,
 * never the test) runs each model at onset biases −2…3 on top of its
 * recipe's (`--biases` another list; `--sustain-biases` a list for the sustain state, every pair tried),
 * picks the one with the best mean of onset F1 and onset+offset F1, and adds it to the recipe's
 * (model.decodeBias on onset and re-onset, and on sustain). `--steer 1,2,4` scores a model with a frame head
 * at each of those steerFrames (instead of --tune; write the chosen one into the recipe's model.steerFrames).
 *
 *   node dist-bench/scripts/piano-eval.js --test /tmp/piano/test --models models/piano-ar.onnx,/tmp/piano/frame5.onnx --basic-pitch
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { evaluateTranscription, type NoteList } from "../src/eval/transcription.js";
import { decodeAudio } from "../src/io/decode.js";
import { readModelFiles } from "../src/io/model-files.js";
import { ONSET, REONSET, SUSTAIN, type PianoNote } from "../src/models/transcription/contract.js";
import { PianoTranscriber } from "../src/models/transcription/model.js";
import { ortNode } from "../src/node.js";
import { midiToHz } from "../src/data/score.js";
import { resample } from "../src/dsp/resample.js";
import { toMono } from "../src/io/audio.js";
import { transcribe } from "../src/tasks/transcribe.js";
import { basicPitchNotes, loadBasicPitch, runBasicPitch } from "../bench/basic-pitch.js";

const { values: a } = parseArgs({
  options: {
    test: { type: "string" }, models: { type: "string", default: "" }, "basic-pitch": { type: "boolean", default: false },
    audio: { type: "string", default: "dry,recorded" }, biases: { type: "string", default: "-2,-1,0,1,2,3" }, "sustain-biases": { type: "string", default: "0" }, limit: { type: "string" }, "write-recipe": { type: "string" }, json: { type: "string" }, tune: { type: "boolean", default: false },
    steer: { type: "string" },
  },
});
if (!a.test) throw new Error("usage: --test DIRS [--models A.onnx,B.onnx] [--basic-pitch] [--audio dry,recorded] [--write-recipe BASE] [--json OUT]");
const items = a.test.split(",").flatMap((d) => (JSON.parse(readFileSync(path.join(d, "manifest.json"), "utf8")) as { items: { name: string }[] }).items.map((it) => path.join(d, it.name)))
  .slice(0, a.limit ? Number(a.limit) : undefined);
const conditions = a.audio!.split(",") as ("dry" | "recorded")[];

function truth(dir: string): PianoNote[] {
  return readFileSync(path.join(dir, "notes_velocity.txt"), "utf8").trim().split("\n").map((l) => {
    const [onset, offset, pitch, velocity] = l.split("\t").map(Number);
    return { onset, offset, pitch, velocity };
  });
}

const asList = (notes: readonly PianoNote[], velocity: boolean): NoteList => ({
  intervals: notes.map((n) => [n.onset, Math.max(n.offset, n.onset + 1e-3)] as [number, number]), pitches: notes.map((n) => midiToHz(n.pitch)),
  ...(velocity ? { velocities: notes.map((n) => n.velocity) } : {}),
});

/** Frame F1 over a 10 ms piano roll. */
function frameF1(ref: readonly PianoNote[], est: readonly PianoNote[]): number {
  const roll = (notes: readonly PianoNote[]) => {
    const s = new Set<number>();
    for (const n of notes) for (let t = Math.round(n.onset * 100); t < Math.round(n.offset * 100); t++) s.add(t * 128 + n.pitch);
    return s;
  };
  const r = roll(ref), e = roll(est);
  let tp = 0;
  for (const x of e) if (r.has(x)) tp++;
  return r.size + e.size === 0 ? 1 : (2 * tp) / (r.size + e.size);
}

type Scores = { onsetF1: number; onsetOffsetF1: number; velocityF1: number; frameF1: number; onsetPrecision: number; onsetRecall: number };
function score(ref: PianoNote[], est: PianoNote[]): Scores {
  const plain = evaluateTranscription(asList(ref, false), asList(est, false));
  const withVel = evaluateTranscription(asList(ref, true), asList(est, true));
  return { onsetF1: plain["F-measure_no_offset"], onsetOffsetF1: plain["F-measure"]!, velocityF1: withVel["F-measure"]!, frameF1: frameF1(ref, est), onsetPrecision: plain.Precision_no_offset, onsetRecall: plain.Recall_no_offset };
}

const ort = await ortNode();
const systems: { name: string; run: (ch: readonly Float32Array[], sr: number) => Promise<PianoNote[]> }[] = [];
const BIASES = a.biases!.split(",").map(Number), SUSTAIN_BIASES = a["sustain-biases"]!.split(",").map(Number);
/** The (onset, sustain) bias pairs --tune tries; the name of a model's system at one. */
const PAIRS = BIASES.flatMap((o) => SUSTAIN_BIASES.map((s) => [o, s] as const));
const tuned = (name: string, [o, s]: readonly [number, number]) => `${name} bias ${o}${SUSTAIN_BIASES.length > 1 || s !== 0 ? `/${s}` : ""}`;
for (const m of a.models!.split(",").filter(Boolean)) {
  const model = await PianoTranscriber.load(ort, await readModelFiles(m));
  if (a.steer) for (const steerFrames of a.steer.split(",").map(Number)) systems.push({ name: `${path.basename(m, ".onnx")} steer ${steerFrames}`, run: (channels, sampleRate) => transcribe({ sampleRate, channels }, { model, steerFrames }) });
  else if (!a.tune) systems.push({ name: path.basename(m, ".onnx"), run: (channels, sampleRate) => transcribe({ sampleRate, channels }, { model }) });
  else for (const pair of PAIRS) {
    // The sustain bias on a copy of the model's decoding biases (the sessions shared).
    const biased = new PianoTranscriber(model.acoustic, model.step, { ...model.info, decodeBias: model.info.decodeBias.map((b, st) => b + (st === SUSTAIN ? pair[1] : 0)) });
    systems.push({ name: tuned(path.basename(m, ".onnx"), pair), run: (channels, sampleRate) => transcribe({ sampleRate, channels }, { model: biased, onsetBias: pair[0] }) });
  }
}
if (a["basic-pitch"]) {
  const nmp = await loadBasicPitch();
  systems.push({ name: "basic-pitch (ONNX)", run: async (channels, sr) => {
    const mono = toMono({ sampleRate: sr, channels });
    return basicPitchNotes(await runBasicPitch(nmp, sr === 22050 ? mono : resample(mono, sr, 22050)));
  } });
}
const results: Record<string, Record<string, Scores & { realtime: number; items: number }>> = {};
for (const cond of conditions) {
  const sums = systems.map(() => ({ s: { onsetF1: 0, onsetOffsetF1: 0, velocityF1: 0, frameF1: 0, onsetPrecision: 0, onsetRecall: 0 } as Scores, seconds: 0, audio: 0 }));
  let n = 0;
  for (const dir of items) {
    const file = path.join(dir, cond === "dry" ? "piano.wav" : "piano_recorded.wav");
    if (!existsSync(file)) continue;
    const audio = await decodeAudio(new Uint8Array(readFileSync(file)), { file });
    const ref = truth(dir);
    n++;
    for (const [i, sys] of systems.entries()) {
      const t0 = performance.now();
      const est = await sys.run(audio.channels, audio.sampleRate);
      sums[i].seconds += (performance.now() - t0) / 1000;
      sums[i].audio += audio.channels[0].length / audio.sampleRate;
      const s = score(ref, est);
      for (const k of Object.keys(s) as (keyof Scores)[]) sums[i].s[k] += s[k];
    }
    process.stderr.write(`${cond} ${n}/${items.length}\r`);
  }
  results[cond] = {};
  systems.forEach((sys, i) => {
    const s = sums[i].s;
    const mean = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Number((v / n).toFixed(4))])) as Scores;
    results[cond][sys.name] = { ...mean, realtime: Number((sums[i].audio / sums[i].seconds).toFixed(1)), items: n };
  });
}
console.log(`\n| audio | system | onset F1 | onset P | onset R | onset+offset F1 | +velocity F1 | frame F1 | × realtime |\n|---|---|---|---|---|---|---|---|---|`);
for (const [cond, bySys] of Object.entries(results)) for (const [name, r] of Object.entries(bySys)) {
  console.log(`| ${cond} | ${name} | ${r.onsetF1.toFixed(3)} | ${r.onsetPrecision.toFixed(3)} | ${r.onsetRecall.toFixed(3)} | ${r.onsetOffsetF1.toFixed(3)} | ${r.velocityF1.toFixed(3)} | ${r.frameF1.toFixed(3)} | ${r.realtime} |`);
}
if (a.json) writeFileSync(a.json, JSON.stringify(results, null, 2) + "\n");
if (a.tune) {
  for (const m of a.models!.split(",").filter(Boolean)) {
    const name = path.basename(m, ".onnx");
    const value = (pair: readonly [number, number]) => Object.values(results).reduce((s, r) => s + (r[tuned(name, pair)].onsetF1 + r[tuned(name, pair)].onsetOffsetF1) / 2, 0);
    const best = PAIRS.reduce((x, y) => (value(y) > value(x) ? y : x));
    const file = m.replace(/\.onnx$/, ".recipe.json");
    const recipe = JSON.parse(readFileSync(file, "utf8")) as { model: { decodeBias: number[]; weights: number[]; onsetBias?: { value: number; tunedOn?: string[]; audio?: string[] }; sustainBias?: { value: number } } };
    // The biases tried were relative to the recipe's: the new ones are the old ones plus the best.
    const total = (recipe.model.onsetBias?.value ?? 0) + best[0], sustain = (recipe.model.sustainBias?.value ?? 0) + best[1];
    recipe.model.decodeBias = recipe.model.weights.slice(0, recipe.model.decodeBias.length).map((w, s) => -Math.log(w) + (s === ONSET || s === REONSET ? total : s === SUSTAIN ? sustain : 0));
    recipe.model.onsetBias = { value: total, tunedOn: a.test.split(","), audio: conditions };
    if (sustain !== 0) recipe.model.sustainBias = { value: sustain };
    writeFileSync(file, JSON.stringify(recipe, null, 2) + "\n");
    console.log(`${name}: onset bias ${total}, sustain bias ${sustain} (validation; +${best[0]}/+${best[1]} on the recipe's), written to ${file}`);
  }
}
if (a["write-recipe"]) {
  const file = `${a["write-recipe"]}.recipe.json`, name = path.basename(a["write-recipe"]);
  const recipe = JSON.parse(readFileSync(file, "utf8")) as { metrics: Record<string, unknown> };
  recipe.metrics.test = Object.fromEntries(Object.entries(results).map(([cond, r]) => [cond, r[name]]));
  recipe.metrics.testData = { sets: a.test.split(","), command: "mirkit synth piano --n 30 --seed 9 --fonts timgm6mb --chain --seconds 30 --out /tmp/piano/test" };
  writeFileSync(file, JSON.stringify(recipe, null, 2) + "\n");
}
process.exit(0);
