import * as assert from "node:assert/strict";
import { test } from "node:test";
import { yin } from "../dsp/pitch.js";
import { Rng } from "../random.js";
import { expressiveContour } from "./contours.js";
import { drawSinger, singFormant, splitSyllable, VOICE_RANGES, VOICE_TYPES } from "./singer.js";

const SR = 22050;

/** Notes of a phrase inside a voice type's range: steps and leaps, legato and detached, with lyrics. */
function phrase(rng: Rng, lo: number, hi: number) {
  const notes = [];
  let t = 0.2, p = Math.round((lo + hi) / 2);
  for (let i = 0; i < 8; i++) {
    const len = rng.range(0.35, 0.9);
    p = Math.max(lo, Math.min(hi, p + rng.int(-4, 4)));
    notes.push({ onset: t, offset: t + len, pitch: p, velocity: 90, syllable: rng.pick(["la", "see", "sun", "moon", "ta", "ko", "high", "day", "new"]) });
    t += len + (rng.uniform() < 0.5 ? 0.02 : rng.range(0.1, 0.3));
  }
  return notes;
}

test("splitSyllable: leading consonants and the sung vowel", () => {
  assert.deepEqual(splitSyllable("sky"), { onset: "sk", vowel: "a" });
  assert.deepEqual(splitSyllable("see"), { onset: "s", vowel: "i" });
  assert.deepEqual(splitSyllable("moon"), { onset: "m", vowel: "u" });
  assert.deepEqual(splitSyllable("day"), { onset: "d", vowel: "e" });
  assert.deepEqual(splitSyllable("go"), { onset: "g", vowel: "o" });
  assert.deepEqual(splitSyllable("high"), { onset: "h", vowel: "a" });
});

test("formant singer: every voice type follows its expressive F0 truth (YIN within 50 cents on ≥ 95 % of voiced frames), silent where the truth is, and seeded", () => {
  for (const [k, type] of VOICE_TYPES.entries()) {
    const rng = new Rng(100 + k);
    const [lo, hi] = VOICE_RANGES[type];
    const notes = phrase(rng, lo, hi);
    const seconds = notes[notes.length - 1].offset + 0.5;
    const contour = expressiveContour(notes, rng, seconds);
    const draw = drawSinger(rng, type);
    const length = Math.ceil(seconds * SR);
    const audio = singFormant(notes, contour.f0, 0.01, draw, SR, length, new Rng(5));
    assert.deepEqual(audio, singFormant(notes, contour.f0, 0.01, draw, SR, length, new Rng(5)));
    const fmin = 440 * 2 ** ((lo - 3 - 69) / 12), fmax = 440 * 2 ** ((hi + 3 - 69) / 12);
    const { f0, hopLength } = yin(audio, SR, { fminHz: fmin * 0.9, fmaxHz: fmax * 1.1, threshold: 0.15, voicingThreshold: 0.5 });
    let voiced = 0, ok = 0, silentLoud = 0, silent = 0;
    contour.times.forEach((t, i) => {
      const est = f0[Math.round((t * SR) / hopLength)];
      if (contour.f0[i] <= 0) {
        // Well inside a gap (80 ms from any note): no voice.
        if (notes.every((n) => t < n.onset - 0.12 || t > n.offset + 0.08)) {
          silent++;
          const a = Math.round(t * SR);
          let e = 0;
          for (let j = a - 100; j < a + 100; j++) e = Math.max(e, Math.abs(audio[j] ?? 0));
          if (e > 1e-6) silentLoud++;
        }
        return;
      }
      voiced++;
      if (est > 0 && Math.abs(1200 * Math.log2(est / contour.f0[i])) < 50) ok++;
    });
    assert.ok(voiced > 200 && ok / voiced >= 0.95, `${type}: ${ok}/${voiced} voiced frames within 50 cents`);
    assert.equal(silentLoud, 0, `${type}: sound in ${silentLoud} of ${silent} silent frames`);
  }
});
