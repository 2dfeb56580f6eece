import * as assert from "node:assert/strict";
import { test } from "node:test";
import { composeEnsemble } from "../data/ensemble.js";
import { normalise, renderSong } from "../data/songs.js";
import { soundFontsAvailable } from "../io/soundfonts.js";
import { loadPartsTranscriber } from "../node.js";
import { Rng } from "../random.js";
import { clusterNotes, estimateParts, framesToNotes, packFrames, transcribeParts, type NoteVectors, type PartsFrames } from "./instruments.js";

const fonts = soundFontsAvailable(["timgm6mb"]);

/** Note vectors around `dirs` (unit directions), one per note, with a little noise. */
function vectors(dirs: number[][], per: number, noise: number, seed = 1): NoteVectors[] {
  const rng = new Rng(seed);
  return Array.from({ length: dirs.length * per }, (_, i) => {
    const v = dirs[i % dirs.length].map((x) => x + noise * rng.normal());
    const n = Math.hypot(...v);
    return { emb: Float64Array.from(v, (x) => x / n), timbre: Float64Array.from(v), weight: 1 + (i % 3), level: 0.5 };
  });
}

test("clustering notes: two directions give two parts, numbered by mean pitch (the higher first); auto counts 2 or 3 directions, and 1 for one tight cloud", () => {
  const vecs = vectors([[1, 0, 0, 0], [0, 0, 1, 0]], 30, 0.1);
  // Notes of direction 0 are low (pitch 40), of direction 1 high (pitch 70).
  const notes = vecs.map((_, i) => ({ onset: i * 0.1, offset: i * 0.1 + 0.2, pitch: i % 2 === 0 ? 40 : 70 }));
  const c = clusterNotes(notes, vecs, 2, "embedding", 0.2);
  assert.equal(c.k, 2);
  notes.forEach((n, i) => assert.equal(c.parts[i], n.pitch === 70 ? 0 : 1, `note ${i}`));
  assert.ok(c.silhouette > 0.8);
  assert.equal(clusterNotes(notes, vecs, "auto", "embedding", 0.2).k, 2);
  // Weights 1, 2, 3 by direction: shares of about 1/6, 2/6 and 3/6.
  assert.equal(estimateParts(vectors([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], 20, 0.05), 0.1), 3);
  assert.equal(estimateParts(vectors([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], 20, 0.05), 0.25), 2);
  const one = vectors([[1, 1, 0, 0]], 40, 0.05, 2);
  const single = clusterNotes(one.map((_, i) => ({ onset: i, offset: i + 0.5, pitch: 60 })), one, "auto", "embedding", 0.2);
  assert.equal(single.k, 1);
  assert.ok(single.parts.every((p) => p === 0));
  // Fewer notes than parts asked for: as many parts as notes.
  assert.equal(clusterNotes(notes.slice(0, 2), vecs.slice(0, 2), 4, "timbre", 0).k, 2);
});

test("notes from kept frames: a held semitone is one note; an onset peak inside splits it; a salience hole of 3 frames ends it; salience without an onset is no note", () => {
  const frames = (o: { strikes?: number[]; weak?: number; hole?: boolean; noOnsets?: boolean }): PartsFrames => ({
    dims: 2, threshold: 0.4, frames: 60,
    segments: [packFrames(Array.from({ length: 60 }, (_, t) => {
      const sal = o.hole && t >= 40 && t < 43 ? 0.1 : t < 2 ? 0 : 0.8;
      const onset = o.noOnsets ? 0 : (o.strikes ?? [2]).includes(t) ? 0.9 : t === o.weak ? 0.4 : (o.strikes ?? [2]).some((s) => Math.abs(s - t) === 1) ? 0.6 : 0.02;
      return { bins: [45], sal: [Math.round(sal * 255)], onset: [Math.round(onset * 255)], emb: [127, 0], mag: [0, 0, 0, 0, 0, 0] };
    }), 2)],
  });
  const frame = (n: { onset: number }) => Math.round((n.onset * 22050) / 256);
  const one = framesToNotes(frames({}));
  assert.equal(one.length, 1);
  assert.ok(one[0].pitch === 69 && frame(one[0]) === 2 && Math.abs(one[0].offset - (60 * 256) / 22050) < 1e-9);
  assert.deepEqual(framesToNotes(frames({ strikes: [2, 30] })).map(frame), [2, 30]);
  // An onset peak below the threshold does not split.
  assert.deepEqual(framesToNotes(frames({ weak: 30 })).map(frame), [2, 30]);
  assert.deepEqual(framesToNotes(frames({ weak: 30 }), { onsetThreshold: 0.5 }).map(frame), [2]);
  assert.deepEqual(framesToNotes(frames({ hole: true })).map(frame), [2]);
  assert.equal(framesToNotes(frames({ hole: true }), { gapFrames: 3 }).length, 1);
  assert.deepEqual(framesToNotes(frames({ noOnsets: true })), []);
});

test("streaming: 3-second segments give the notes and parts of one 60-second segment (part identities kept across segments)", { skip: fonts !== true ? fonts : false }, async () => {
  const song = composeEnsemble(777, { durationSeconds: 10, parts: [3, 3] });
  const length = Math.ceil((song.durationSeconds + 1) * 22050);
  const mix = normalise(await renderSong(song, "timgm6mb", 22050, length), 22050, length);
  const model = await loadPartsTranscriber();
  try {
    const whole = await transcribeParts(mix, model, { instruments: 3 });
    const pieces = await transcribeParts(mix, model, { instruments: 3, segmentSeconds: 3 });
    assert.ok(whole.notes.length > 20);
    // Float rounding differs between the two runs (chunk cross-fades), so a note or two near a threshold may
    // come or go; the notes found by both must be the same notes in the same parts (same numbering).
    const key = (n: { pitch: number; onset: number }) => `${n.pitch}@${Math.round(n.onset / 0.0116)}`;
    const byKey = new Map(whole.notes.map((n) => [key(n), n]));
    const both = pieces.notes.filter((n) => byKey.has(key(n)));
    assert.ok(both.length >= 0.95 * Math.max(whole.notes.length, pieces.notes.length), `${both.length} shared of ${whole.notes.length} and ${pieces.notes.length}`);
    const same = both.filter((n) => byKey.get(key(n))!.part === n.part).length;
    assert.ok(same >= 0.95 * both.length, `${same} of ${both.length} shared notes in the same part`);
  } finally {
    await model.dispose();
  }
});
