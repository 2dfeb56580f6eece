/** Test input for piano transcription: a short score played by a SoundFont's piano (Node-only: reads the font). */
import { loadSoundBank, renderPart } from "../data/render.js";
import type { Note } from "../data/score.js";
import { toMono } from "../io/audio.js";
import { readSoundFont, type FontName } from "../io/soundfonts.js";

/** A held C-major chord (C4 E4 G4, 0.2–2.2 s) and then five melody notes, D5 repeated twice (re-onsets). */
export const PIANO_TEST_NOTES: readonly Note[] = [
  ...[60, 64, 67].map((pitch) => ({ onset: 0.2, offset: 2.2, pitch, velocity: 80 })),
  { onset: 2.5, offset: 2.9, pitch: 74, velocity: 90 }, { onset: 2.9, offset: 3.3, pitch: 74, velocity: 70 },
  { onset: 3.3, offset: 3.7, pitch: 72, velocity: 85 }, { onset: 3.7, offset: 4.1, pitch: 71, velocity: 75 }, { onset: 4.1, offset: 5.0, pitch: 48, velocity: 95 },
];

/** The notes played by `font`'s acoustic grand piano, mono, with a second of silence after. */
export async function pianoRecording(font: FontName = "timgm6mb", notes: readonly Note[] = PIANO_TEST_NOTES, sampleRate = 22050): Promise<Float32Array> {
  const bank = loadSoundBank(readSoundFont(font), font);
  const end = Math.max(...notes.map((n) => n.offset)) + 1;
  const audio = await renderPart({ name: "piano", program: 0, drums: false, notes, gainDb: 0, pan: 0, reverb: 20 }, bank, sampleRate, Math.ceil(end * sampleRate));
  const mono = toMono(audio);
  const peak = mono.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return mono.map((v) => (v / peak) * 0.8);
}
