import * as assert from "node:assert/strict";
import { test } from "node:test";
import { composeSong } from "./composer.js";
import { composeEnsemble, HELD_OUT_INSTRUMENTS, TRAIN_INSTRUMENTS } from "./ensemble.js";

test("ensembles: 2–5 pitched parts on distinct programs in their instruments' ranges; the same seed gives the same piece", () => {
  const counts = new Set<number>();
  let doubled = 0, chords = 0, drums = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const song = composeEnsemble(seed, { durationSeconds: 12 });
    const pitched = song.parts.filter((p) => !p.drums);
    counts.add(pitched.length);
    if (song.parts.some((p) => p.drums)) drums++;
    assert.ok(pitched.length >= 2 && pitched.length <= 5);
    assert.equal(new Set(pitched.map((p) => p.program)).size, pitched.length);
    for (const p of pitched) {
      const inst = TRAIN_INSTRUMENTS.find((i) => i.program === p.program);
      assert.ok(inst, `program ${p.program} is a training one`);
      assert.ok(p.notes.length > 0);
      for (const n of p.notes) assert.ok(n.pitch >= inst.lo && n.pitch <= inst.hi && n.offset > n.onset, `${inst.name} plays ${n.pitch}`);
      if (p.notes.some((n, i) => p.notes.some((m, j) => j !== i && Math.abs(m.onset - n.onset) < 1e-9))) chords++;
    }
    // A doubling: two parts with the same pitch-class line at near-identical onsets.
    for (const [i, p] of pitched.entries()) for (const q of pitched.slice(i + 1)) {
      const same = q.notes.filter((n) => p.notes.some((m) => Math.abs(m.onset - n.onset) < 0.03 && (m.pitch - n.pitch) % 12 === 0)).length;
      if (same > 0.8 * q.notes.length) doubled++;
    }
  }
  assert.deepEqual([...counts].sort(), [2, 3, 4, 5]);
  assert.ok(doubled >= 5 && chords >= 10 && drums >= 10, `doublings ${doubled}, chordal parts ${chords}, drums ${drums}`);
  assert.deepEqual(composeEnsemble(7), composeEnsemble(7));
});

test("held-out instruments: never in the training pool, nor among the programs of the song composer's parts", () => {
  const train = new Set(TRAIN_INSTRUMENTS.map((i) => i.program));
  const composer = new Set<number>();
  for (let s = 1; s <= 200; s++) for (const p of composeSong(s).parts) if (!p.drums) composer.add(p.program);
  for (const i of HELD_OUT_INSTRUMENTS) {
    assert.ok(!train.has(i.program), `${i.name} is also a training program`);
    assert.ok(!composer.has(i.program), `${i.name} is played in composed songs`);
  }
  for (let s = 1; s <= 20; s++) for (const p of composeEnsemble(s, { instruments: "held-out", parts: [3, 3] }).parts) if (!p.drums) assert.ok(!train.has(p.program));
});
