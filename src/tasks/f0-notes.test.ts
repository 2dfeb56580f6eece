import * as assert from "node:assert/strict";
import { test } from "node:test";
import { yin } from "../dsp/pitch.js";
import { Rng } from "../random.js";
import { f0ToNotes, formatNotes, sonifyNotes, voiceNotesToMidi } from "./f0-notes.js";

const HOP = 256 / 22050;
const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);

/**
 * Two voices for 2 s: the upper sings C4 (0–1 s, steady) then D4 (1–2 s) with 6 Hz vibrato of ±50 cents and a
 * 80 ms scoop up into it; the lower holds G3 for 2 s with slow drift (±20 cents) and jitter. Frames at the
 * multi-F0 hop, with the odd frame where a voice is missed, as a salience model would.
 */
function duet(): { times: number[]; freqs: Float64Array[] } {
  const rng = new Rng(5);
  const times: number[] = [], freqs: Float64Array[] = [];
  for (let i = 0; i * HOP < 2; i++) {
    const t = i * HOP;
    const upper = t < 1 ? 60 : 62 + 0.5 * Math.sin(2 * Math.PI * 6 * (t - 1)) - Math.max(0, 0.08 - (t - 1)) / 0.08 * 1.0;
    const lower = 55 + 0.2 * Math.sin(2 * Math.PI * 0.7 * t) + 0.03 * rng.normal();
    const f = [hz(lower), hz(upper)].filter(() => rng.uniform() > 0.03);
    times.push(t);
    freqs.push(Float64Array.from(f));
  }
  return { times, freqs };
}

test("F0 tracks become notes: voices followed, a held note stays one note (no fragments), vibrato and scoops become pitch bends", () => {
  const { times, freqs } = duet();
  const notes = f0ToNotes(times, freqs);
  const summary = notes.map((n) => ({ pitch: n.pitch, voice: n.voice, onset: +n.onset.toFixed(2), offset: +n.offset.toFixed(2) }));
  assert.equal(notes.length, 3, JSON.stringify(summary));
  const [g3, c4, d4] = [55, 60, 62].map((p) => notes.find((n) => n.pitch === p)!);
  assert.ok(g3 && c4 && d4, JSON.stringify(summary));
  assert.ok(g3.onset < 0.03 && g3.offset > 1.97, "the held G3 is one note over the whole 2 s");
  assert.equal(g3.voice, 1);
  assert.equal(c4.voice, 0);
  assert.equal(d4.voice, 0);
  assert.ok(Math.abs(c4.offset - 1) < 0.06 && Math.abs(d4.onset - 1) < 0.1, JSON.stringify(summary));
  assert.ok(notes.every((n) => n.offset - n.onset >= 0.03), "no note shorter than 30 ms");
  // The vibrato is in D4's bends (±0.5 semitone), C4 is nearly flat.
  const span = (n: typeof d4) => Math.max(...n.bends.map((b) => b.semitones)) - Math.min(...n.bends.map((b) => b.semitones));
  assert.ok(span(d4) > 0.8, `D4 bends span ${span(d4)}`);
  assert.ok(span(c4) < 0.1, `C4 bends span ${span(c4)}`);
  assert.ok(d4.bends[0].semitones < -0.5, "the scoop starts below the note");
  assert.match(formatNotes(notes, "mir_eval").split("\n")[0], /^0\.000000\t[\d.]+\t(196|261)\.\d+/);
  assert.match(formatNotes(notes, "csv"), /^onset_s,offset_s,pitch_midi,frequency_hz,velocity,voice\n/);
});

test("the MIDI file has one track per voice with its notes and pitch bends; the rendering sings the notes", async () => {
  const { times, freqs } = duet();
  const notes = f0ToNotes(times, freqs);
  const bytes = voiceNotesToMidi(notes);
  const { BasicMIDI } = await import("spessasynth_core");
  const midi = BasicMIDI.fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const voiceTracks = midi.tracks.filter((t) => t.events.some((e) => (e.statusByte & 0xf0) === 0x90));
  assert.equal(voiceTracks.length, 2);
  const ons = (t: (typeof voiceTracks)[number]) => t.events.filter((e) => (e.statusByte & 0xf0) === 0x90 && e.data[1] > 0).map((e) => e.data[0]);
  assert.deepEqual(ons(voiceTracks[0]), [60, 62]);
  assert.deepEqual(ons(voiceTracks[1]), [55]);
  assert.ok(voiceTracks[0].events.filter((e) => (e.statusByte & 0xf0) === 0xe0).length > 20, "pitch bends follow the vibrato");
  const sr = 22050;
  const audio = sonifyNotes(notes.filter((n) => n.voice === 1), sr, 2);
  assert.equal(audio.length, 2 * sr + 1);
  const f0 = yin(audio.subarray(sr / 2, sr), sr, { fminHz: 100, fmaxHz: 600 }).f0;
  const voiced = Array.from(f0).filter((f) => f > 0);
  assert.ok(voiced.length > 10 && voiced.every((f) => Math.abs(12 * Math.log2(f / hz(55))) < 0.5), "the rendering sings G3 (with its drift)");
});
