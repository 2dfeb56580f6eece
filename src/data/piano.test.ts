import * as assert from "node:assert/strict";
import { test } from "node:test";
import { pedalledNotes } from "./composer.js";
import { composePianoPiece, PIANO_HIGH, PIANO_LOW, PIANO_TEXTURES } from "./piano.js";

test("composePianoPiece: seeded, on the keyboard, every texture reachable, no key struck twice at once", () => {
  const a = composePianoPiece(5, { durationSeconds: 20 }), b = composePianoPiece(5, { durationSeconds: 20 });
  assert.deepEqual(a, b);
  const notes = a.parts[0].notes;
  assert.ok(notes.length > 40);
  assert.ok(notes.every((n) => n.pitch >= PIANO_LOW && n.pitch <= PIANO_HIGH && n.offset > n.onset && n.velocity >= 1 && n.velocity <= 127));
  const byKey = new Map<number, number[][]>();
  for (const n of notes) byKey.set(n.pitch, [...(byKey.get(n.pitch) ?? []), [n.onset, n.offset]]);
  for (const spans of byKey.values()) for (let i = 1; i < spans.length; i++) assert.ok(spans[i][0] >= spans[i - 1][1] - 1e-9, "notes of one key overlap");
  // Every texture alone makes a playable piece.
  for (const t of PIANO_TEXTURES) assert.ok(composePianoPiece(9, { durationSeconds: 8, textures: [t] }).parts[0].notes.length > 0, t);
});

test("composePianoPiece: trills and repeated notes are fast; scatter covers the whole keyboard; pedalled repeats touch (re-onsets)", () => {
  const gaps = (t: "trill" | "repeated") => {
    const n = composePianoPiece(11, { durationSeconds: 12, textures: [t] }).parts[0].notes;
    const on = n.map((x) => x.onset).sort((x, y) => x - y);
    return Math.min(...on.slice(1).map((x, i) => x - on[i]).filter((d) => d > 0.02));
  };
  assert.ok(gaps("trill") < 0.13);
  assert.ok(gaps("repeated") < 0.34);
  const wide = Array.from({ length: 6 }, (_, s) => composePianoPiece(s, { durationSeconds: 20, textures: ["scatter"] }).parts[0].notes).flat();
  assert.ok(Math.min(...wide.map((n) => n.pitch)) < 30 && Math.max(...wide.map((n) => n.pitch)) > 100);
  let touching = 0;
  for (let s = 0; s < 6; s++) {
    const heard = pedalledNotes(composePianoPiece(s, { durationSeconds: 20, textures: ["repeated"] }).parts[0]);
    for (let i = 0; i < heard.length; i++) for (let j = 0; j < heard.length; j++) if (heard[i].pitch === heard[j].pitch && Math.abs(heard[i].offset - heard[j].onset) < 1e-9) touching++;
  }
  assert.ok(touching > 0, "no repeated note sounds up to the next stroke of its key");
});
