import * as assert from "node:assert/strict";
import { test } from "node:test";
import { encodeMidi } from "../io/midi.js";
import { soundFontsAvailable } from "../io/soundfonts.js";
import { KEYS, LOWEST_KEY, OFF, OFFSET, ONSET, SUSTAIN } from "../models/transcription/contract.js";
import { PianoTranscriber } from "../models/transcription/model.js";
import type { OnnxModel } from "../nn/runtime.js";
import { loadPianoTranscriber } from "../node.js";
import { pianoRecording } from "../testing/piano.js";
import { estimateTempo, notesToMidi, transcribe } from "./transcribe.js";

test("estimateTempo: the beat of a regular onset train at 72, 100 and 140 BPM, with accents and a few stray notes", () => {
  for (const bpm of [72, 100, 140]) {
    const beat = 60 / bpm;
    const notes = Array.from({ length: 40 }, (_, i) => ({ onset: 0.3 + i * beat, offset: 0.3 + i * beat + 0.2, pitch: 60, velocity: i % 4 === 0 ? 110 : 70 }));
    notes.push({ onset: 3.7, offset: 4, pitch: 67, velocity: 50 }, { onset: 9.1, offset: 9.3, pitch: 64, velocity: 50 });
    const est = estimateTempo(notes);
    assert.ok(Math.abs(est - bpm) / bpm < 0.03, `${bpm} BPM estimated as ${est}`);
  }
  assert.equal(estimateTempo([]), 120);
});

test("notesToMidi: the tempo goes in the header and times stay exact at it", () => {
  const notes = [{ onset: 0.5, offset: 1.25, pitch: 60, velocity: 90 }];
  const midi = notesToMidi(notes, { tempoBpm: 90 });
  // Tempo meta event FF 51 03 with 60e6/90 µs per quarter.
  const i = midi.findIndex((b, k) => b === 0xff && midi[k + 1] === 0x51 && midi[k + 2] === 3);
  assert.equal((midi[i + 3] << 16) | (midi[i + 4] << 8) | midi[i + 5], Math.round(60e6 / 90));
  // Note on at 0.5 s = 0.75 quarters = 720 ticks at 960 per quarter.
  const on = midi.findIndex((b, k) => b === 0x90 && midi[k + 1] === 60);
  assert.deepEqual([midi[on - 2], midi[on - 1]], [0x85, 0x50]); // varlen 720
  assert.notDeepEqual(encodeMidi([{ name: "p", program: 0, drums: false, notes }]), midi);
});

const fonts = soundFontsAvailable(["timgm6mb"]);
test("transcribe: streamed in short segments, the notes equal one long segment's (the LSTM state and open notes carry over)", { skip: fonts !== true ? fonts : false }, async () => {
  const model = await loadPianoTranscriber();
  try {
    const audio = { sampleRate: 22050, channels: [await pianoRecording()] };
    const whole = await transcribe(audio, { model });
    const pieces = await transcribe(audio, { model, segmentSeconds: 1.1 });
    assert.ok(whole.length >= 5);
    assert.deepEqual(pieces.map((n) => [n.onset, n.offset, n.pitch]), whole.map((n) => [n.onset, n.offset, n.pitch]));
  } finally {
    await model.dispose();
  }
});

test("transcribe with a frame head: a sustained note ends after steerFrames frames the head calls silent, and the next step is told the key is at offset", async () => {
  const S = 5, KEY = 40, FPS = 31.25;
  const hot = (k: number, s: number, frame: Float32Array) => { frame[k * S + s] = 10; };
  let calls = 0;
  const seenPrev: number[] = [];
  const acoustic = {
    inputNames: ["cqt"], outputNames: ["features", "velocity"],
    run: async (i: Record<string, { dims: readonly number[] }>) => {
      const T = i.cqt.dims[1];
      return { features: { data: new Float32Array(T * KEYS), dims: [1, T, KEYS] }, velocity: { data: new Float32Array(T * KEYS).fill(0.5), dims: [1, T, KEYS] } };
    },
  };
  const step = {
    inputNames: ["features", "previous", "h", "c"], outputNames: ["logits", "h_out", "c_out", "frame_logits"],
    run: async (i: Record<string, { data: Float32Array }>) => {
      const t = calls++, prev = i.previous.data;
      const was = [...prev.subarray(KEY * S, (KEY + 1) * S)].indexOf(1);
      seenPrev.push(was);
      const logits = new Float32Array(KEYS * S), frame = new Float32Array(KEYS * S);
      // The autoregressive head: an onset at frame 0, then it sustains whatever it was told it is playing.
      hot(KEY, t === 0 ? ONSET : was === ONSET || was === SUSTAIN ? SUSTAIN : OFF, logits);
      // The frame head: the key sounds for 5 frames.
      hot(KEY, t < 5 ? SUSTAIN : OFF, frame);
      return { logits: { data: logits, dims: [1, KEYS * S] }, h_out: { data: new Float32Array(KEYS), dims: [1, KEYS] }, c_out: { data: new Float32Array(KEYS), dims: [1, KEYS] }, frame_logits: { data: frame, dims: [1, KEYS * S] } };
    },
  };
  const model = new PianoTranscriber(acoustic as unknown as OnnxModel, step as unknown as OnnxModel, { front: "keys", kind: "ar", states: S, features: KEYS, hidden: KEYS, decodeBias: [0, 0, 0, 0, 0], steerFrames: 2 });
  const audio = { sampleRate: 16000, channels: [new Float32Array(16000)] };
  const steered = await transcribe(audio, { model });
  // Silent at frames 5 and 6: offset state at frame 6, fed back at frame 7.
  assert.deepEqual(steered.map((n) => [n.pitch, Math.round(n.onset * FPS), Math.round(n.offset * FPS)]), [[KEY + LOWEST_KEY, 0, 6]]);
  assert.deepEqual(seenPrev.slice(0, 9), [OFF, ONSET, SUSTAIN, SUSTAIN, SUSTAIN, SUSTAIN, SUSTAIN, OFFSET, OFF]);
  calls = 0;
  const held = await transcribe(audio, { model, steerFrames: 0 }); // no steering: held to the end
  assert.equal(held.length, 1);
  assert.ok(held[0].offset > 0.9, `${held[0].offset}`);
});
