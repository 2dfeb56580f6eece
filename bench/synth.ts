/**
 * Synthetic-data rendering speed: stems as ×realtime per core (seconds of
 * stem audio rendered per second of wall time, one thread), per SoundFont,
 * for a 30-second song; and Festival singing speed.
 *   npm run bench:synth
 */
import { composeSong } from "../src/data/composer.js";
import { loadSoundBank, renderPart } from "../src/data/render.js";
import { festivalAvailable, singPhrase } from "../src/io/festival.js";
import { readSoundFont, soundFontsAvailable, type FontName } from "../src/io/soundfonts.js";

const SR = 44100;
const song = composeSong(11, { durationSeconds: 30 });
const length = Math.ceil((song.durationSeconds + 1.5) * SR);
const rows: string[][] = [];
for (const font of ["fluid", "musescore", "timgm6mb"] as FontName[]) {
  if (soundFontsAvailable([font]) !== true) { rows.push([font, "n/a (not installed)", "", ""]); continue; }
  const t0 = performance.now();
  const bank = loadSoundBank(readSoundFont(font), font);
  const load = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  for (const part of song.parts) await renderPart(part, bank, SR, length);
  const secs = (performance.now() - t1) / 1000;
  const stemSeconds = (song.parts.length * length) / SR;
  rows.push([font, `${(stemSeconds / secs).toFixed(0)}×`, `${song.parts.length} stems × ${(length / SR).toFixed(1)} s in ${secs.toFixed(2)} s`, `load ${load.toFixed(2)} s`]);
}
if (festivalAvailable() === true) {
  const sung = composeSong(12, { durationSeconds: 30, sungMelody: true }).parts[0];
  const t = performance.now();
  const r = singPhrase(sung.notes.map((n) => ({ onset: n.onset, offset: n.offset, pitch: n.pitch, syllable: n.syllable ?? "la" })));
  const secs = (performance.now() - t) / 1000;
  rows.push(["festival (kal)", `${(r.audio.length / r.sampleRate / secs).toFixed(0)}×`, `${(r.audio.length / r.sampleRate).toFixed(1)} s sung in ${secs.toFixed(2)} s`, ""]);
}
console.log("| renderer | ×realtime per core | work | |\n|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
console.log("goal: ≥ 20× realtime per core for stems");
