import * as assert from "node:assert/strict";
import { test } from "node:test";
import { composePiano, composeSong, pedalledNotes, SYLLABLES } from "./composer.js";
import type { Part } from "./score.js";

test("composeSong is a function of the seed, and the melody stays in its range with one syllable per note", () => {
  const a = composeSong(42, { durationSeconds: 20, sungMelody: true }), b = composeSong(42, { durationSeconds: 20, sungMelody: true });
  assert.deepEqual(a, b);
  assert.notDeepEqual(composeSong(43, { durationSeconds: 20 }), a);
  const melody = a.parts.find((p) => p.sung)!;
  assert.ok(melody.notes.length > 8);
  for (const n of melody.notes) {
    assert.ok(n.pitch >= 55 && n.pitch <= 71, `pitch ${n.pitch}`);
    assert.ok(SYLLABLES.includes(n.syllable!));
    assert.ok(n.offset - n.onset >= 0.4, "sung notes last at least ~a beat");
  }
  assert.equal(a.chords.length * (60 / a.tempoBpm) * a.beatsPerBar, a.durationSeconds);
});

test("pedalledNotes: a note released under the pedal sounds until the pedal lifts, or until its key is struck again", () => {
  const part: Part = {
    name: "p", program: 0, drums: false, gainDb: 0, pan: 0, reverb: 0,
    notes: [
      { onset: 0, offset: 0.5, pitch: 60, velocity: 80 }, // released at 0.5, pedal down until 2 → 2
      { onset: 1, offset: 1.2, pitch: 64, velocity: 80 }, // restruck at 1.5 → 1.5
      { onset: 1.5, offset: 1.7, pitch: 64, velocity: 80 }, // → 2
      { onset: 2.5, offset: 3, pitch: 67, velocity: 80 }, // no pedal → 3
    ],
    pedal: [[0.1, 2]],
  };
  assert.deepEqual(pedalledNotes(part).map((n) => [n.onset, n.offset]), [[0, 2], [1, 1.5], [1.5, 2], [2.5, 3]]);
});

test("composePiano: pedal changes every bar and notes within the piano's range", () => {
  const s = composePiano(3, { durationSeconds: 15 });
  assert.equal(s.parts.length, 1);
  const p = s.parts[0];
  assert.equal(p.pedal!.length, s.chords.length);
  for (const n of p.notes) assert.ok(n.pitch >= 21 && n.pitch <= 108);
});
