import * as assert from "node:assert/strict";
import { test } from "node:test";
import { bestAssignment, partFrameAccuracy, partNoteScores } from "./parts.js";
import type { NoteList } from "./transcription.js";

const notes = (...ns: [number, number][]): NoteList => ({ intervals: ns.map(([on]) => [on, on + 0.3] as [number, number]), pitches: ns.map(([, m]) => 440 * 2 ** ((m - 69) / 12)) });

test("part note scores: swapped part numbers still score 1; a merged pair of parts loses one part's notes; extra parts count as false alarms", () => {
  const a = notes([0, 60], [1, 62], [2, 64]), b = notes([0, 40], [1, 43]);
  const swapped = partNoteScores([a, b], [b, a]);
  assert.equal(swapped.f, 1);
  assert.deepEqual(swapped.assignment, [1, 0]);
  const merged = partNoteScores([a, b], [notes([0, 60], [1, 62], [2, 64], [0, 40], [1, 43])]);
  assert.equal(merged.precision, 3 / 5);
  assert.equal(merged.recall, 3 / 5);
  const extra = partNoteScores([a], [a, b]);
  assert.equal(extra.recall, 1);
  assert.equal(extra.precision, 3 / 5);
  // Onsets more than 50 ms off do not match.
  assert.equal(partNoteScores([a], [notes([0.06, 60], [1, 62], [2, 64])]).recall, 2 / 3);
});

test("best assignment: tries every injective map, leaving extra estimated parts unmatched", () => {
  assert.deepEqual(bestAssignment([[1, 5], [4, 0]], 2), { assignment: [1, 0], total: 9 });
  assert.deepEqual(bestAssignment([[1], [3], [2]], 1), { assignment: [-1, 0, -1], total: 3 });
  assert.equal(bestAssignment([[1, 2, 3]], 3).total, 3);
});

test("frame part accuracy: over the bins both sides label, under the best assignment; NaN when none", () => {
  assert.equal(partFrameAccuracy([0, 0, 1, 1, -1], [1, 1, 0, 1, 0], 2, 2), 3 / 4);
  assert.ok(Number.isNaN(partFrameAccuracy([-1, -1], [0, 1], 2, 2)));
});
