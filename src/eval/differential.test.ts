/**
 * Differential tests against Debian's mir_eval 0.7 on random and edge-case
 * inputs: the TypeScript scores equal mir_eval's to 1e-9.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { rng } from "../testing/assert.js";
import { referenceAvailable, runReference } from "../testing/reference.js";
import { evaluateMelody } from "./melody.js";
import { evaluateMultipitch } from "./multipitch.js";
import { evaluateTranscription } from "./transcription.js";

const skip = referenceAvailable(["numpy", "mir_eval"]) === true ? false : String(referenceAvailable(["numpy", "mir_eval"]));

function compare(label: string, got: object, expected: Record<string, number>): void {
  assert.ok(!("error" in expected), `${label}: mir_eval refused: ${(expected as { error?: string }).error}`);
  for (const [k, v] of Object.entries(expected)) {
    const g = (got as Record<string, number>)[k];
    assert.ok(g !== undefined, `${label}: missing "${k}"`);
    assert.ok(Math.abs(g - v) <= 1e-9 || (Number.isNaN(g) && Number.isNaN(v)), `${label} ${k}: ${g} vs mir_eval ${v}`);
  }
}

const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);

test("multipitch equals mir_eval on random frames, octave errors, empty frames, other time grids and empty inputs", { skip }, () => {
  const cases: Record<string, unknown>[] = [];
  for (let seed = 1; seed <= 12; seed++) {
    const r = rng(seed);
    const n = 30 + Math.floor(r() * 60);
    const refTimes = Array.from({ length: n }, (_, i) => i * 0.01);
    const refFreqs = refTimes.map(() => Array.from({ length: Math.floor(r() * 4) }, () => hz(40 + r() * 40)));
    const sameGrid = seed % 3 !== 0;
    const estTimes = sameGrid ? refTimes : Array.from({ length: Math.floor(n * 0.8) }, (_, i) => 0.005 + i * 0.0125);
    const estFreqs = estTimes.map((_, i) => {
      const src = refFreqs[Math.min(n - 1, i)];
      return src.flatMap((f) => {
        const u = r();
        if (u < 0.15) return []; // miss
        if (u < 0.3) return [f * 2]; // octave error
        if (u < 0.4) return [f * 2 ** ((r() - 0.5) / 6)]; // near miss ±1 semitone
        return [f * 2 ** ((r() - 0.5) / 30)];
      }).concat(r() < 0.2 ? [hz(50 + r() * 30)] : []); // false alarm
    });
    cases.push({ task: "multipitch", ref_times: refTimes, ref_freqs: refFreqs, est_times: estTimes, est_freqs: estFreqs });
  }
  // Edge cases: all-empty estimate, all-empty reference.
  cases.push({ task: "multipitch", ref_times: [0, 0.01, 0.02], ref_freqs: [[220], [220, 330], []], est_times: [0, 0.01, 0.02], est_freqs: [[], [], []] });
  cases.push({ task: "multipitch", ref_times: [0, 0.01, 0.02], ref_freqs: [[], [], []], est_times: [0, 0.01, 0.02], est_freqs: [[220], [], [440]] });
  const { results } = runReference<{ results: Record<string, number>[] }>("mir_eval_ref.py", { cases });
  cases.forEach((c, i) => {
    const got = evaluateMultipitch({ times: c.ref_times as number[], freqs: c.ref_freqs as number[][] }, { times: c.est_times as number[], freqs: c.est_freqs as number[][] });
    compare(`multipitch case ${i}`, got, results[i]);
  });
});

test("melody equals mir_eval: unvoiced frames, octave errors, negative (unvoiced-guess) frequencies, resampling, continuous voicing", { skip }, () => {
  const cases: Record<string, unknown>[] = [];
  for (let seed = 1; seed <= 12; seed++) {
    const r = rng(100 + seed);
    const n = 100 + Math.floor(r() * 100);
    const refTimes = Array.from({ length: n }, (_, i) => (seed % 4 === 0 ? 0.02 : 0) + i * 0.0058);
    let f0 = hz(55 + r() * 20);
    const refFreqs = refTimes.map(() => {
      if (r() < 0.05) f0 = hz(55 + r() * 20);
      return r() < 0.2 ? 0 : f0;
    });
    const grid = seed % 3 === 0 ? 0.01 : 0.0058;
    const estTimes = Array.from({ length: Math.floor((n * 0.0058) / grid) }, (_, i) => i * grid);
    const estFreqs = estTimes.map((t) => {
      const f = refFreqs[Math.min(n - 1, Math.round(t / 0.0058))];
      const u = r();
      const g = f === 0 ? hz(60) : u < 0.2 ? f * 2 : u < 0.3 ? f * 1.2 : f;
      return r() < 0.15 ? -g : r() < 0.05 ? 0 : g;
    });
    const c: Record<string, unknown> = { task: "melody", ref_times: refTimes, ref_freqs: refFreqs, est_times: estTimes, est_freqs: estFreqs };
    if (seed % 2 === 0) {
      c.est_voicing = estTimes.map(() => r());
      c.ref_reward = refTimes.map(() => r());
    }
    if (seed % 5 === 0) c.hop = 0.01;
    cases.push(c);
  }
  // Unsorted times (mir_eval scores them: scipy's interp1d sorts its knots): a few neighbours swapped in each series.
  for (const base of cases.slice(0, 6).map((c) => ({ ...c }))) {
    const swap = (times: number[], freqs: number[]) => {
      const t = [...times], f = [...freqs];
      for (let k = 3; k + 1 < t.length; k += 17) { [t[k], t[k + 1]] = [t[k + 1], t[k]]; [f[k], f[k + 1]] = [f[k + 1], f[k]]; }
      return [t, f];
    };
    [base.ref_times, base.ref_freqs] = swap(base.ref_times as number[], base.ref_freqs as number[]);
    [base.est_times, base.est_freqs] = swap(base.est_times as number[], base.est_freqs as number[]);
    cases.push(base);
  }
  const { results } = runReference<{ results: Record<string, number>[] }>("mir_eval_ref.py", { cases });
  cases.forEach((c, i) => {
    const got = evaluateMelody(
      { times: c.ref_times as number[], freqs: c.ref_freqs as number[] },
      { times: c.est_times as number[], freqs: c.est_freqs as number[] },
      { estVoicing: c.est_voicing as number[] | undefined, refReward: c.ref_reward as number[] | undefined, hop: c.hop as number | undefined },
    );
    compare(`melody case ${i}`, got, results[i]);
  });
});

function randomNotes(r: () => number, n: number): { intervals: [number, number][]; pitches: number[]; velocities: number[] } {
  const intervals: [number, number][] = [], pitches: number[] = [], velocities: number[] = [];
  for (let k = 0; k < n; k++) {
    const on = Math.round(r() * 1000) / 100;
    intervals.push([on, on + 0.05 + Math.round(r() * 100) / 100]);
    pitches.push(hz(48 + Math.floor(r() * 24)));
    velocities.push(20 + Math.floor(r() * 100));
  }
  return { intervals, pitches, velocities };
}

test("transcription (and velocity) equal mir_eval: overlapping notes, chords, jittered onsets/offsets, empty lists", { skip }, () => {
  const cases: Record<string, unknown>[] = [];
  for (let seed = 1; seed <= 16; seed++) {
    const r = rng(500 + seed);
    const ref = randomNotes(r, 10 + Math.floor(r() * 40));
    // Estimates: jittered copies (some pitch/octave errors), plus random notes; overlapping notes by construction.
    const est = { intervals: [] as [number, number][], pitches: [] as number[], velocities: [] as number[] };
    ref.intervals.forEach(([on, off], k) => {
      if (r() < 0.15) return;
      const j = () => Math.round((r() - 0.5) * 12) / 100;
      const o = Math.max(0, on + j());
      est.intervals.push([o, Math.max(o + 0.01, off + j())]);
      est.pitches.push(r() < 0.1 ? ref.pitches[k] * 2 : ref.pitches[k] * 2 ** ((r() - 0.5) / 20));
      est.velocities.push(ref.velocities[k] * 0.8 + r() * 20);
    });
    const extra = randomNotes(r, Math.floor(r() * 8));
    est.intervals.push(...extra.intervals); est.pitches.push(...extra.pitches); est.velocities.push(...extra.velocities);
    const task = seed % 4 === 0 ? "velocity" : "transcription";
    cases.push({ task, ref_intervals: ref.intervals, ref_pitches: ref.pitches, ref_velocities: ref.velocities, est_intervals: est.intervals, est_pitches: est.pitches, est_velocities: est.velocities });
  }
  const one = randomNotes(rng(9), 5);
  cases.push({ task: "transcription", ref_intervals: one.intervals, ref_pitches: one.pitches, est_intervals: [], est_pitches: [] });
  cases.push({ task: "transcription", ref_intervals: [], ref_pitches: [], est_intervals: one.intervals, est_pitches: one.pitches });
  const { results } = runReference<{ results: Record<string, number>[] }>("mir_eval_ref.py", { cases });
  cases.forEach((c, i) => {
    const v = c.task === "velocity";
    const got = evaluateTranscription(
      { intervals: c.ref_intervals as [number, number][], pitches: c.ref_pitches as number[], velocities: v ? (c.ref_velocities as number[]) : undefined },
      { intervals: c.est_intervals as [number, number][], pitches: c.est_pitches as number[], velocities: v ? (c.est_velocities as number[]) : undefined },
    );
    compare(`${c.task} case ${i}`, got, results[i]);
  });
});
