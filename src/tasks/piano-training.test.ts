import * as assert from "node:assert/strict";
import { test } from "node:test";
import { KEYS } from "../models/transcription/contract.js";
import { Rng } from "../random.js";
import { statePerturbation } from "./piano-training.js";

/** One key's states as digits (0 off, 1 onset, 2 sustain, 3 offset, 4 re-onset) → y and prev (the states one frame earlier) on every key. */
function sequence(states: string): { y: Int32Array; prev: Int32Array; T: number } {
  const T = states.length, y = new Int32Array(T * KEYS), prev = new Int32Array(T * KEYS);
  for (let t = 0; t < T; t++) for (let k = 0; k < KEYS; k++) {
    y[t * KEYS + k] = Number(states[t]);
    prev[t * KEYS + k] = t ? Number(states[t - 1]) : 0;
  }
  return { y, prev, T };
}
const row = (a: Int32Array, T: number, k: number) => Array.from({ length: T }, (_, t) => a[t * KEYS + k]).join("");

test("state perturbation: a note ends late (prev holds sustain past the offset, the target is offset until it ends) or early (prev says offset then off, the target is off); the rest is untouched", () => {
  const truth = "0122222230000000000000122";
  const seen = new Set<string>();
  for (let seed = 1; seed <= 40; seed++) {
    const { y, prev, T } = sequence(truth);
    statePerturbation(y, prev, 1, T, 0.5, new Rng(seed));
    for (let k = 0; k < KEYS; k++) {
      const ys = row(y, T, k), ps = row(prev, T, k);
      // The second note (onset at 22, cut off by the crop's end) is never changed, nor anything before the first note's sustain.
      assert.equal(ys.slice(0, 4) + ys.slice(21), truth.slice(0, 4) + truth.slice(21), `targets, seed ${seed}`);
      assert.equal(ps.slice(0, 4) + ps.slice(22), "0012" + truth.slice(21, -1), `prev, seed ${seed}`);
      const late = /^012222223(3*)0+122$/.exec(ys), early = /^0122*0+122$/.exec(ys);
      if (ys === truth) {
        assert.equal(ps, "0" + truth.slice(0, -1));
        seen.add("none");
      } else if (late) {
        const n = late[1].length; // frames the decoder held the note too long
        assert.ok(n >= 1 && n <= 12, ys); // 1–8 frames, drawn again at the last (12 frames are free before the next onset)
        assert.equal(ps, "001222222" + "2".repeat(n) + "3" + "0".repeat(12 - n) + "012", `late by ${n}`);
        seen.add("late");
      } else if (early) {
        // The decoder ended the note at m (a sustain frame, still a sustain target): prev says offset at m + 1, then off.
        const m = ys.indexOf("0", 1) - 1;
        assert.ok(m >= 3 && m < 8, ys);
        assert.equal(ps, "001" + "2".repeat(m - 2) + "3" + "0".repeat(20 - m) + "012", `early at ${m}`);
        seen.add("early");
      } else assert.fail(`unexpected targets ${ys}`);
    }
  }
  assert.deepEqual([...seen].sort(), ["early", "late", "none"]);
});

test("state perturbation: a late end stops before the key's next onset, and re-onsets (no offset frame) are never perturbed", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const { y, prev, T } = sequence("0122300122242222");
    statePerturbation(y, prev, 1, T, 1, new Rng(seed)); // p = 1: every offset ends late
    for (let k = 0; k < KEYS; k++) {
      // Frames 5 and 6 lie between the offset at 4 and the onset at 7: one late frame at most (its offset target
      // drawn again finds no free frame), and the onset keeps its truth; the re-onset at 10 and the note it starts (no offset in the crop) are untouched.
      assert.equal(row(y, T, k), "0122330122242222");
      assert.equal(row(prev, T, k), "0012223012224222");
    }
  }
  const none = sequence("0122222222222222222");
  statePerturbation(none.y, none.prev, 1, none.T, 1, new Rng(3));
  assert.equal(row(none.y, none.T, 0), "0122222222222222222", "no offset inside the crop: nothing to perturb");
});
