/**
 * Makes examples/arpeggio.flac, the bundled example: 8 s of stereo 22050 Hz
 * audio synthesised here (no third-party audio): a I–vi–IV–V arpeggio in C
 * of harmonic tones with decaying envelopes over a bass line, panned apart.
 * Deterministic: the same bytes every run.
 *   npm run build:scripts && node dist-bench/scripts/make-example.js
 */
import { writeAudioFile } from "../src/io/file.js";

const SR = 22050;
const SECONDS = 8;
const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);

function addNote(out: Float32Array, midi: number, startSeconds: number, durSeconds: number, amp: number, partials: number, decayPerSecond: number): void {
  const f0 = hz(midi);
  const start = Math.round(startSeconds * SR), n = Math.round(durSeconds * SR);
  for (let i = 0; i < n && start + i < out.length; i++) {
    const t = i / SR;
    const env = Math.min(1, t / 0.01) * Math.exp(-decayPerSecond * t) * Math.min(1, (n - i) / (0.02 * SR));
    let s = 0;
    for (let h = 1; h <= partials; h++) if (h * f0 < SR / 2) s += Math.sin(2 * Math.PI * h * f0 * t) / h;
    out[start + i] += amp * env * s;
  }
}

const left = new Float32Array(SR * SECONDS), right = new Float32Array(SR * SECONDS);
const chords = [[60, 64, 67, 72], [57, 60, 64, 69], [53, 57, 60, 65], [55, 59, 62, 67]]; // C, Am, F, G
chords.forEach((chord, c) => {
  const bar = 2 * c;
  for (let i = 0; i < 8; i++) {
    const note = chord[i % 4] + (i >= 4 ? 12 : 0);
    addNote(left, note, bar + i * 0.25, 0.5, 0.12, 6, 3);
    addNote(right, note, bar + i * 0.25, 0.5, 0.06, 6, 3);
  }
  addNote(left, chord[0] - 24, bar, 1.9, 0.1, 4, 0.8);
  addNote(right, chord[0] - 24, bar, 1.9, 0.2, 4, 0.8);
});
await writeAudioFile("examples/arpeggio.flac", { sampleRate: SR, channels: [left, right] });
console.log("wrote examples/arpeggio.flac");
