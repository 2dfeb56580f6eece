import * as assert from "node:assert/strict";
import { test } from "node:test";
import { KEYS, LOWEST_KEY, noteStates, NoteTracker, OFF, OFFSET, ONSET, PIANO_FPS, REONSET, statesToNotes, SUSTAIN, type PianoNote } from "./contract.js";

const f = (frame: number) => frame / PIANO_FPS;
const note = (on: number, off: number, pitch: number, velocity = 80): PianoNote => ({ onset: f(on), offset: f(off), pitch, velocity });
const column = (s: Uint8Array, frames: number, pitch: number) => Array.from({ length: frames }, (_, t) => s[t * KEYS + pitch - LOWEST_KEY]);

test("noteStates: onset, sustain, offset one frame after the last frame, re-onset for a note right after one of its key", () => {
  const notes = [note(2, 5, 60), note(5, 7, 60), note(1, 3, 21), note(4, 5, 108)];
  const s = noteStates(notes, 10);
  assert.deepEqual(column(s, 10, 60), [OFF, OFF, ONSET, SUSTAIN, SUSTAIN, REONSET, SUSTAIN, OFFSET, OFF, OFF]);
  assert.deepEqual(column(s, 10, 21), [OFF, ONSET, SUSTAIN, OFFSET, OFF, OFF, OFF, OFF, OFF, OFF]);
  assert.deepEqual(column(s, 10, 108), [OFF, OFF, OFF, OFF, ONSET, OFFSET, OFF, OFF, OFF, OFF]);
  // The reduced sets: 4 states drop offsets; 3 states also read re-onsets as onsets.
  assert.deepEqual(column(noteStates(notes, 10, 4), 10, 60), [OFF, OFF, ONSET, SUSTAIN, SUSTAIN, REONSET, SUSTAIN, OFF, OFF, OFF]);
  assert.deepEqual(column(noteStates(notes, 10, 3), 10, 60), [OFF, OFF, ONSET, SUSTAIN, SUSTAIN, ONSET, SUSTAIN, OFF, OFF, OFF]);
});

test("noteStates: a note that starts inside another of its key cuts it; keys off the piano are ignored", () => {
  const s = noteStates([note(1, 8, 64), note(4, 6, 64), note(2, 4, 12)], 10);
  assert.deepEqual(column(s, 10, 64), [OFF, ONSET, SUSTAIN, SUSTAIN, REONSET, SUSTAIN, OFFSET, OFF, OFF, OFF]);
  assert.equal(s.filter((v) => v !== OFF).length, 6);
});

test("statesToNotes inverts noteStates for every state set, velocities from the onset frame", () => {
  const notes = [note(2, 5, 60), note(5, 7, 60), note(1, 3, 21), note(0, 12, 72), note(9, 12, 40)];
  for (const count of [3, 4, 5] as const) {
    const back = statesToNotes(noteStates(notes, 12, count), 12);
    assert.deepEqual(back.map((n) => [Math.round(n.onset * PIANO_FPS), Math.round(n.offset * PIANO_FPS), n.pitch]), [[0, 12, 72], [1, 3, 21], [2, 5, 60], [5, 7, 60], [9, 12, 40]], `${count} states`);
  }
  const vel = new Float32Array(12 * KEYS);
  vel[2 * KEYS + 60 - LOWEST_KEY] = 1;
  const withVel = statesToNotes(noteStates(notes, 12), 12, vel);
  assert.equal(withVel.find((n) => n.pitch === 60)!.velocity, 127);
  assert.equal(withVel.find((n) => n.pitch === 72)!.velocity, 1);
});

test("NoteTracker: notes come out as they end, frame by frame; a sustain without an onset starts a note", () => {
  const tr = new NoteTracker();
  const frame = (pairs: [number, number][]) => {
    const s = new Uint8Array(KEYS);
    for (const [pitch, state] of pairs) s[pitch - LOWEST_KEY] = state;
    return tr.push(s);
  };
  assert.deepEqual(frame([[60, SUSTAIN]]), []);
  assert.deepEqual(frame([[60, SUSTAIN]]), []);
  const ended = frame([[60, OFFSET]]);
  assert.deepEqual(ended.map((n) => [n.onset, n.offset, n.pitch]), [[0, f(2), 60]]);
  frame([[61, ONSET]]);
  frame([[61, REONSET]]); // a flicker one frame after the onset continues the note
  frame([[61, SUSTAIN]]);
  assert.deepEqual(frame([[61, REONSET]]).map((n) => [n.onset, n.offset, n.pitch]), [[f(3), f(6), 61]]);
  assert.deepEqual(tr.end().map((n) => [n.onset, n.offset, n.pitch]), [[f(6), f(7), 61]]);
});
