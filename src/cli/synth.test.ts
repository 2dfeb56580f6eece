import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { yin } from "../dsp/pitch.js";
import { parseNotes, parseTimeSeries } from "../eval/io.js";
import { espeakAvailable } from "../io/espeak.js";
import { festivalAvailable } from "../io/festival.js";
import { soundFontsAvailable } from "../io/soundfonts.js";
import { decodeWav } from "../io/wav.js";
import { parseAlignment, parseLrc, VOWEL_PHONEMES } from "../lyrics/phonemes.js";
import { scratchDir } from "../testing/scratch.js";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");
const fest = festivalAvailable(), fonts = soundFontsAvailable(["fluid", "timgm6mb"]);
const skip = fest !== true ? fest : fonts !== true ? fonts : false;

function synth(...args: string[]): string {
  const dir = scratchDir("mirkit-synth-");
  const r = spawnSync(process.execPath, [BIN, "synth", ...args, "--out", dir, "--quiet"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return dir;
}
const wav = (f: string) => decodeWav(new Uint8Array(readFileSync(f)));

/** YIN on a stereo stem against an F0 truth file: voiced truth frames, and those within 50 cents. */
function f0Agreement(stemFile: string, truthFile: string, range: [number, number]): { voiced: number; ok: number } {
  const w = wav(stemFile);
  const mono = Float32Array.from(w.channels[0], (v, i) => 0.5 * (v + w.channels[1][i]));
  const { f0, hopLength } = yin(mono, w.sampleRate, { fminHz: range[0], fmaxHz: range[1], threshold: 0.15, voicingThreshold: 0.5 });
  const truth = parseTimeSeries(readFileSync(truthFile, "utf8"));
  let voiced = 0, ok = 0;
  truth.times.forEach((t, k) => {
    if (truth.values[k] <= 0) return;
    voiced++;
    const est = f0[Math.round((t * w.sampleRate) / hopLength)];
    if (est > 0 && Math.abs(1200 * Math.log2(est / truth.values[k])) < 50) ok++;
  });
  return { voiced, ok };
}

test("synth separation: stems sum to the mixture, accompaniment = mixture − vocals, deterministic per seed, resumable", { skip }, () => {
  const a = synth("separation", "--n", "1", "--seed", "5", "--seconds", "8", "--fonts", "fluid");
  const b = synth("separation", "--n", "1", "--seed", "5", "--seconds", "8", "--fonts", "fluid");
  const item = path.join(a, "item0000");
  const mix = wav(path.join(item, "mixture.wav")), voc = wav(path.join(item, "vocals.wav")), acc = wav(path.join(item, "accompaniment.wav"));
  const manifest = JSON.parse(readFileSync(path.join(a, "manifest.json"), "utf8"));
  const stems = manifest.items[0].parts.filter((p: { name: string }) => p.name !== "vocals").map((p: { name: string }) => wav(path.join(item, "stems", `${p.name}.wav`)));
  let worstSum = 0, worstAcc = 0;
  for (let c = 0; c < 2; c++) for (let i = 0; i < mix.channels[c].length; i++) {
    const s = voc.channels[c][i] + stems.reduce((t: number, st: { channels: Float32Array[] }) => t + st.channels[c][i], 0);
    worstSum = Math.max(worstSum, Math.abs(s - mix.channels[c][i]));
    worstAcc = Math.max(worstAcc, Math.abs(mix.channels[c][i] - voc.channels[c][i] - acc.channels[c][i]));
  }
  assert.ok(worstSum < 1e-6, `stems vs mixture: ${worstSum}`);
  assert.ok(worstAcc < 1e-6, `accompaniment: ${worstAcc}`);
  for (const f of ["mixture.wav", "vocals.wav", "vocals.f0.txt", "vocals.phones.txt", "bass.notes.txt"]) {
    assert.deepEqual(readFileSync(path.join(item, f)), readFileSync(path.join(b, "item0000", f)), `${f} differs between two runs with the same seed`);
  }
  // Re-running into the same folder keeps what is there.
  const before = readFileSync(path.join(a, "manifest.json"), "utf8");
  const r = spawnSync(process.execPath, [BIN, "synth", "separation", "--n", "1", "--seed", "5", "--seconds", "8", "--fonts", "fluid", "--out", a, "--quiet"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(path.join(a, "manifest.json"), "utf8"), before);
});

test("synth separation: the sung F0 truth agrees with the audio (YIN within 50 cents on ≥ 95 % of voiced frames); phones are monotonic and cover the notes", { skip }, () => {
  const dir = synth("separation", "--n", "1", "--seed", "7", "--seconds", "10", "--fonts", "timgm6mb");
  const item = path.join(dir, "item0000");
  const { voiced, ok } = f0Agreement(path.join(item, "vocals.wav"), path.join(item, "vocals.f0.txt"), [80, 600]);
  assert.ok(voiced > 100, `${voiced} voiced frames`);
  assert.ok(ok / voiced >= 0.95, `${ok}/${voiced} frames within 50 cents`);
  const phones = readFileSync(path.join(item, "vocals.phones.txt"), "utf8").trim().split("\n").map((l) => l.split("\t"));
  for (let i = 1; i < phones.length; i++) assert.ok(Number(phones[i][0]) >= Number(phones[i - 1][1]) - 1e-6, "phones are monotonic");
  const notes = parseNotes(readFileSync(path.join(item, "vocals.notes.txt"), "utf8"));
  const last = Number(phones[phones.length - 1][1]);
  assert.ok(notes.intervals.every(([, off]) => off <= last + 1e-6), "phones cover every sung note");
});

test("synth separation: instrument note onsets coincide with rises in the stem's energy (within a SoundFont attack of ≤ 40 ms)", { skip }, () => {
  const dir = synth("separation", "--n", "1", "--seed", "9", "--seconds", "8", "--fonts", "fluid");
  const item = path.join(dir, "item0000");
  for (const part of ["bass", "comp"]) {
    const stem = wav(path.join(item, "stems", `${part}.wav`));
    const notes = parseNotes(readFileSync(path.join(item, `${part}.notes.txt`), "utf8"));
    const x = stem.channels[0], sr = stem.sampleRate;
    const energy = (a: number, b: number) => { let e = 0; for (let i = Math.max(0, a); i < Math.min(x.length, b); i++) e += x[i] * x[i]; return e / Math.max(1, b - a); };
    // Notes starting together (chords) count once.
    const onsets = [...new Set(notes.intervals.map(([on]) => on.toFixed(4)))].map(Number);
    let rises = 0;
    for (const on of onsets) {
      const i = Math.round(on * sr);
      // Some samples start with a few ms of silence (FluidR3's bass: ≈ 25 ms): look 40 ms ahead.
      if (energy(i, i + Math.round(0.04 * sr)) > 1.2 * energy(i - Math.round(0.02 * sr), i)) rises++;
    }
    assert.ok(rises / onsets.length >= 0.9, `${part}: ${rises}/${onsets.length} onsets with an energy rise`);
  }
});

test("synth multi: 2–5 pitched parts on distinct programs, notes per part, multipitch truth; --parts and --instruments held-out", { skip: fonts !== true ? fonts : false }, () => {
  const dir = synth("multi", "--n", "2", "--seed", "3", "--seconds", "6", "--fonts", "musescore,timgm6mb".replace("musescore", "fluid"));
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
  assert.equal(manifest.items.length, 2);
  for (const item of manifest.items) {
    const pitched = item.parts.filter((p: { drums: boolean }) => !p.drums);
    assert.ok(pitched.length >= 2 && pitched.length <= 5);
    assert.equal(new Set(pitched.map((p: { program: number }) => p.program)).size, pitched.length);
    for (const p of pitched) assert.ok(parseNotes(readFileSync(path.join(dir, item.name, `${p.name}.notes.txt`), "utf8")).intervals.length > 0);
    const mp = readFileSync(path.join(dir, item.name, "multipitch.txt"), "utf8").trim().split("\n");
    assert.ok(mp.length > 100);
  }
  assert.deepEqual(manifest.items.map((i: { font: string }) => i.font), ["fluid", "timgm6mb"]);
  const held = JSON.parse(readFileSync(path.join(synth("multi", "--n", "1", "--seed", "5", "--seconds", "4", "--fonts", "fluid", "--parts", "3", "--instruments", "held-out"), "manifest.json"), "utf8"));
  const parts = held.items[0].parts.filter((p: { drums: boolean }) => !p.drums);
  assert.equal(parts.length, 3);
  for (const p of parts) assert.ok(["harpsichord", "vibraphone", "harmonica", "jazz guitar", "cello", "harp", "trombone", "french horn", "baritone sax", "oboe", "bassoon", "pan flute"].includes(p.instrument), p.instrument);
});

test("synth piano: MIDI file with pedal, note truth with offsets extended by the pedal", { skip: fonts !== true ? fonts : false }, async () => {
  const dir = synth("piano", "--n", "1", "--seed", "4", "--seconds", "8", "--fonts", "fluid");
  const item = path.join(dir, "item0000");
  const { BasicMIDI } = await import("spessasynth_core");
  const bytes = readFileSync(path.join(item, "piano.mid"));
  const midi = BasicMIDI.fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const noteOns = midi.tracks.flatMap((t) => t.events).filter((e) => (e.statusByte & 0xf0) === 0x90 && e.data[1] > 0).length;
  const pedals = midi.tracks.flatMap((t) => t.events).filter((e) => (e.statusByte & 0xf0) === 0xb0 && e.data[0] === 64).length;
  const truth = parseNotes(readFileSync(path.join(item, "notes.txt"), "utf8"));
  assert.equal(noteOns, truth.intervals.length, "one MIDI note-on per annotated note");
  assert.ok(pedals >= 2, "sustain pedal events are written");
  const velocity = readFileSync(path.join(item, "notes_velocity.txt"), "utf8").trim().split("\n");
  assert.equal(velocity.length, truth.intervals.length);
  // With the pedal, most accompaniment notes sound past their key release: many offsets reach a bar line.
  const durations = truth.intervals.map(([a, b]) => b - a);
  assert.ok(Math.max(...durations) > 1, "pedalled notes last longer than their key presses");
});

test("synth covers: cliques in the manifest; versions keep the melody (transposed) and their chroma matches after key alignment", { skip: fonts !== true ? fonts : false }, async () => {
  const { chromaCqt } = await import("../dsp/chroma.js");
  const { toMono } = await import("../io/audio.js");
  const dir = synth("covers", "--n", "3", "--versions", "2", "--noise", "1", "--seconds", "8", "--rate", "22050", "--fonts", "fluid,timgm6mb");
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
  assert.equal(manifest.items.length, 3 * 2 + 1);
  const works = manifest.items.filter((i: { work: number | null }) => i.work !== null);
  assert.equal(new Set(works.map((i: { work: number }) => i.work)).size, 3);
  assert.equal(manifest.items.filter((i: { work: number | null }) => i.work === null).length, 1);
  const melody = (name: string) => parseNotes(readFileSync(path.join(dir, name, "melody.notes.txt"), "utf8")).pitches.map((f) => Math.round(69 + 12 * Math.log2(f / 440)));
  for (const item of works.filter((i: { version: number; transform: { structure: string } }) => i.version === 1 && ["original", "move-bridge"].includes(i.transform.structure))) {
    const v0 = [...melody(item.name.replace("_v1", "_v0"))].sort((a, b) => a - b);
    const v1 = [...melody(item.name)].map((p) => p - item.transform.transpose).sort((a, b) => a - b);
    assert.deepEqual(v1, v0, `${item.name}: same melody notes after undoing the transposition`);
  }
  // Mean chroma per item; versions of one work correlate better (after the best circular shift) than different works.
  const profile = (name: string) => {
    const a = wav(path.join(dir, name, "mixture.wav"));
    const c = chromaCqt(toMono(a), a.sampleRate, { hopLength: 512 });
    const m = new Float64Array(12);
    for (let t = 0; t < c.nFrames; t++) for (let k = 0; k < 12; k++) m[k] += c.data[t * 12 + k];
    const n = Math.hypot(...m);
    return m.map((v) => v / n);
  };
  const best = (x: Float64Array, y: Float64Array) => Math.max(...Array.from({ length: 12 }, (_, s) => x.reduce((acc, v, k) => acc + v * y[(k + s) % 12], 0)));
  const prof = new Map<string, Float64Array>(works.map((i: { name: string }) => [i.name, profile(i.name)]));
  let same = 0, ns = 0, diff = 0, nd = 0;
  for (const a of works) for (const b of works) {
    if (a.name >= b.name) continue;
    const s = best(prof.get(a.name)!, prof.get(b.name)!);
    if (a.work === b.work) { same += s; ns++; } else { diff += s; nd++; }
  }
  assert.ok(same / ns > diff / nd, `same-work similarity ${same / ns} vs different works ${diff / nd}`);
});

test("synth choir: four voices, each stem's F0 truth agrees with YIN on ≥ 95 % of voiced frames; multipitch has up to four F0s", { skip }, () => {
  const dir = synth("choir", "--n", "1", "--seed", "2", "--seconds", "10");
  const item = path.join(dir, "item0000");
  // Search ranges per voice (the singers' ranges with a margin): Festival's diphone voice shows strong
  // sub-harmonics on high notes, which an unconstrained YIN takes for the F0 an octave down.
  const ranges: Record<string, [number, number]> = { soprano: [200, 600], alto: [150, 450], tenor: [100, 400], bass: [70, 250] };
  for (const voice of ["soprano", "alto", "tenor", "bass"]) {
    const { voiced, ok } = f0Agreement(path.join(item, "stems", `${voice}.wav`), path.join(item, `${voice}.f0.txt`), ranges[voice]);
    assert.ok(voiced > 100 && ok / voiced >= 0.95, `${voice}: ${ok}/${voiced}`);
  }
  const mp = readFileSync(path.join(item, "multipitch.txt"), "utf8").trim().split("\n").map((l) => l.split("\t").length - 1);
  assert.ok(Math.max(...mp) === 4 && mp.filter((n) => n === 4).length > 50);
  assert.ok(readFileSync(path.join(item, "mixture_reverb.wav")).length > 1000);
});

test("synth choir --voices soundfont --expressive: sung contours (vibrato, scoops, portamento) through the pitch wheel; YIN follows the contour truth on ≥ 95 % of voiced frames; the manifest records every draw", { skip: fonts !== true ? fonts : false }, () => {
  const dir = synth("choir", "--voices", "soundfont", "--expressive", "--n", "1", "--seed", "4", "--seconds", "10", "--fonts", "timgm6mb");
  const item = path.join(dir, "item0000");
  const ranges: Record<string, [number, number]> = { soprano: [200, 900], alto: [150, 700], tenor: [90, 500], bass: [60, 320] };
  for (const voice of ["soprano", "alto", "tenor", "bass"]) {
    const { voiced, ok } = f0Agreement(path.join(item, "stems", `${voice}.wav`), path.join(item, `${voice}.f0.txt`), ranges[voice]);
    assert.ok(voiced > 100 && ok / voiced >= 0.95, `${voice}: ${ok}/${voiced}`);
    // The truth moves within notes: vibrato of ±30–100 cents, not a held pitch.
    const f = parseTimeSeries(readFileSync(path.join(item, `${voice}.f0.txt`), "utf8")).values;
    let moves = 0;
    for (let i = 1; i < f.length; i++) if (f[i] > 0 && f[i - 1] > 0 && Math.abs(1200 * Math.log2(f[i] / f[i - 1])) > 5) moves++;
    assert.ok(moves > 100, `${voice}: the contour moves (${moves} frames)`);
  }
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { command: string; items: { expression: Record<string, { vibratoRateHz: number; vibratoDepthSemitones: number }[]> }[] };
  assert.match(manifest.command, /--expressive/);
  const draws = manifest.items[0].expression.soprano;
  assert.ok(draws.length > 3 && draws.every((d) => d.vibratoRateHz >= 5 && d.vibratoRateHz <= 7 && d.vibratoDepthSemitones >= 0.3 && d.vibratoDepthSemitones <= 1));
  const r = spawnSync(process.execPath, [BIN, "synth", "choir", "--expressive", "--n", "1", "--out", path.join(dir, "x"), "--quiet"], { encoding: "utf8" });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /expressive contours need --voices without festival/);
});

const espeak = espeakAvailable();
test("synth choir --voices formant,speech --singers 1-6 --chain: each singer's F0 truth agrees with YIN (≥ 95 % of voiced frames) whatever the engine, doubling or voice type; multipitch lists every singer; the recording chain and every draw are in the manifest", { skip: espeak !== true ? espeak : false }, () => {
  const dir = synth("choir", "--voices", "formant,speech", "--expressive", "--singers", "5-6", "--chain", "--n", "2", "--seed", "8", "--seconds", "8", "--rate", "22050");
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { command: string; items: { name: string; singers: Record<string, { engine: string; role: string; singer: { engine: string } }>; recording: { peakDbfs: number } }[] };
  assert.match(manifest.command, /--voices formant,speech --expressive --singers 5-6 --chain/);
  const engines = new Set<string>(), roles = new Set<string>();
  for (const it of manifest.items) {
    const item = path.join(dir, it.name);
    const names = Object.keys(it.singers);
    assert.ok(names.length >= 5 && names.length <= 6, `${names.length} singers`);
    for (const name of names) {
      const s = it.singers[name];
      engines.add(s.engine);
      roles.add(s.role);
      assert.equal(s.singer.engine, s.engine, "the singer's draws are recorded");
      const f = parseTimeSeries(readFileSync(path.join(item, `${name}.f0.txt`), "utf8")).values.filter((v) => v > 0);
      const lo = Math.min(...f), hi = Math.max(...f);
      const { voiced, ok } = f0Agreement(path.join(item, "stems", `${name}.wav`), path.join(item, `${name}.f0.txt`), [lo * 0.8, hi * 1.25]);
      assert.ok(voiced > 100 && ok / voiced >= 0.95, `${it.name} ${name} (${s.engine}, ${s.role}): ${ok}/${voiced}`);
    }
    const counts = readFileSync(path.join(item, "multipitch.txt"), "utf8").trim().split("\n").map((l) => l.split("\t").length - 1);
    assert.equal(Math.max(...counts), names.length, "multipitch lists every singer's F0");
    const dry = wav(path.join(item, "mixture.wav")), rec = wav(path.join(item, "mixture_recorded.wav"));
    assert.equal(rec.channels[0].length, dry.channels[0].length);
    const peak = Math.max(...rec.channels.map((c) => c.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    assert.ok(Math.abs(20 * Math.log10(peak) - it.recording.peakDbfs) < 1.5, `recorded peak ${20 * Math.log10(peak)} dBFS vs drawn ${it.recording.peakDbfs}`);
  }
  assert.deepEqual([...engines].sort(), ["formant", "speech"]);
  assert.ok(roles.has("part") && (roles.has("unison") || roles.has("octave")));
});

test("synth separation --instrumental 1: songs without a voice have silent vocals and a mixture equal to the accompaniment; a lead instrument carries the sung line with its expressive F0", { skip }, () => {
  const dir = synth("separation", "--instrumental", "1", "--n", "3", "--seed", "9", "--seconds", "8", "--rate", "22050", "--fonts", "fluid");
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { items: { name: string; vocals: string; parts: { name: string; program: number }[] }[] };
  let leads = 0;
  for (const it of manifest.items) {
    const item = path.join(dir, it.name);
    const voc = wav(path.join(item, "vocals.wav")), mix = wav(path.join(item, "mixture.wav")), acc = wav(path.join(item, "accompaniment.wav"));
    assert.ok(voc.channels.every((c) => c.every((v) => v === 0)), "vocals.wav is silence");
    assert.ok(mix.channels.every((c, k) => c.every((v, i) => Math.abs(v - acc.channels[k][i]) < 1e-6)));
    assert.ok(["lead instrument", "none"].includes(it.vocals));
    if (it.vocals === "lead instrument") {
      leads++;
      assert.ok([56, 65, 66, 40, 73, 71, 80, 81].includes(it.parts.find((p) => p.name === "lead")!.program));
      assert.ok(parseTimeSeries(readFileSync(path.join(item, "lead.f0.txt"), "utf8")).values.some((v) => v > 0));
    }
  }
  assert.ok(leads >= 1, "at least one song with a lead instrument");
});

test("synth separation --chain: stems and mixture go through one drawn recording chain; accompaniment = mixture − vocals exactly; without a codec the stems (noise included) sum to the mixture", { skip }, () => {
  const dir = synth("separation", "--voices", "formant", "--chain", "--n", "4", "--seed", "9", "--seconds", "6", "--rate", "22050", "--fonts", "fluid");
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { items: { name: string; recording: { codec: unknown; noiseDb: number | null; peakDbfs: number } }[] };
  let coded = 0;
  for (const it of manifest.items) {
    const item = path.join(dir, it.name);
    const mix = wav(path.join(item, "mixture.wav")), voc = wav(path.join(item, "vocals.wav")), acc = wav(path.join(item, "accompaniment.wav"));
    for (let c = 0; c < 2; c++) for (let i = 0; i < mix.channels[c].length; i += 7) assert.ok(Math.abs(mix.channels[c][i] - voc.channels[c][i] - acc.channels[c][i]) < 1e-6);
    assert.ok(it.recording !== undefined, "the chain's draws are in the manifest");
    const stems = readdirSync(path.join(item, "stems")).map((f) => wav(path.join(item, "stems", f)));
    assert.equal(readdirSync(path.join(item, "stems")).includes("noise.wav"), it.recording.noiseDb !== null);
    if (it.recording.codec !== null) { coded++; continue; }
    let worst = 0;
    for (let c = 0; c < 2; c++) for (let i = 0; i < mix.channels[c].length; i += 7) {
      const s = voc.channels[c][i] + stems.reduce((t, st) => t + st.channels[c][i], 0);
      worst = Math.max(worst, Math.abs(s - mix.channels[c][i]));
    }
    assert.ok(worst < 1e-5, `${it.name}: stems vs mixture ${worst}`);
    const peak = Math.max(...mix.channels.map((ch) => ch.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    assert.ok(Math.abs(20 * Math.log10(peak) - it.recording.peakDbfs) < 0.01);
  }
  assert.ok(coded < manifest.items.length, "at least one song without a codec to check the sum");
});

test("synth separation: vocals.phonemes.txt aligns what each engine sang (a vowel in every note; the vocals silent away from the aligned phonemes); vocals.lrc has the lyrics; an instrumental is all silence", { skip: skip || (espeakAvailable() !== true ? "espeak-ng is not installed" : false) }, () => {
  for (const voices of ["festival", "formant", "speech"]) {
    const dir = synth("separation", "--voices", voices, "--n", "1", "--seed", "12", "--seconds", "8", "--rate", "22050", "--fonts", "fluid");
    const item = path.join(dir, "item0000");
    const segs = parseAlignment(readFileSync(path.join(item, "vocals.phonemes.txt"), "utf8"), "vocals.phonemes.txt");
    const notes = parseNotes(readFileSync(path.join(item, "vocals.notes.txt"), "utf8"));
    assert.ok(notes.intervals.length > 3, voices);
    notes.intervals.forEach(([on, off], k) => {
      const mid = (on + off) / 2;
      assert.ok(segs.some((s) => s.start <= mid && s.end > mid && VOWEL_PHONEMES.has(s.phoneme)), `${voices}: a vowel sounds in the middle of note ${k}`);
    });
    // Energy of the vocals in 10 ms frames more than 60 ms from any aligned phoneme, against the aligned frames'.
    const voc = wav(path.join(item, "vocals.wav")), sr = voc.sampleRate, hop = Math.round(0.01 * sr);
    let eIn = 0, nIn = 0, eOut = 0, nOut = 0;
    for (let i = 0; i + hop <= voc.channels[0].length; i += hop) {
      const t = (i + hop / 2) / sr;
      let e = 0;
      for (let j = i; j < i + hop; j++) e += voc.channels[0][j] ** 2 + voc.channels[1][j] ** 2;
      if (segs.some((s) => t >= s.start && t < s.end)) { eIn += e; nIn++; }
      else if (!segs.some((s) => t > s.start - 0.06 && t < s.end + 0.06)) { eOut += e; nOut++; }
    }
    assert.ok(nOut > 20, `${voices}: some silence`);
    const db = 10 * Math.log10((eOut / nOut + 1e-20) / (eIn / nIn));
    assert.ok(db < -30, `${voices}: the vocals away from the alignment are ${db.toFixed(1)} dB re the aligned frames`);
    const lrc = parseLrc(readFileSync(path.join(item, "vocals.lrc"), "utf8"), "vocals.lrc");
    assert.ok(Math.abs(lrc[0].start - notes.intervals[0][0]) < 0.01, `${voices}: the first line starts with the first note`);
  }
  const dir = synth("separation", "--instrumental", "1", "--n", "1", "--seed", "9", "--seconds", "8", "--rate", "22050", "--fonts", "fluid");
  const segs = parseAlignment(readFileSync(path.join(dir, "item0000", "vocals.phonemes.txt"), "utf8"), "x");
  assert.deepEqual(segs.map((s) => s.phoneme), ["sil"]);
  assert.ok(!readdirSync(path.join(dir, "item0000")).includes("vocals.lrc"));
});
