/**
 * The `plot` job: audio → a time-frequency representation → a labelled
 * figure. Kinds: "stft" (linear Hz), "mel" (128 bands), "cqt" (36 bins per
 * octave from C1, 7 octaves, at 22050 Hz), "hcqt" (the multi-F0 reference
 * settings, one panel per harmonic), "chroma" (chroma_cqt, C…B).
 */
import type { AudioSignal } from "../io/audio.js";
import { toMono } from "../io/audio.js";
import { C1_HZ, chromaCqt } from "../dsp/chroma.js";
import { cqt } from "../dsp/cqt.js";
import { HCQT_DEFAULTS, hcqt } from "../dsp/hcqt.js";
import { hzToMel, melSpectrogram } from "../dsp/mel.js";
import { resample } from "../dsp/resample.js";
import { stft } from "../dsp/stft.js";
import { amplitudeToDb, magnitude, powerToDb } from "../dsp/types.js";
import type { FigureSpec, HeatmapPanel, Tick } from "../plot/figure.js";
import { niceTicks } from "../plot/figure.js";
import { InvalidInputError } from "../errors.js";

export const PLOT_KINDS = ["stft", "mel", "cqt", "hcqt", "chroma"] as const;
export type PlotKind = (typeof PLOT_KINDS)[number];

const NOTE_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

/** Ticks at every C of a log-frequency axis starting at C1 with `bpo` bins per octave. */
export function octaveTicks(nBins: number, bpo: number): Tick[] {
  const ticks: Tick[] = [];
  for (let o = 0; o * bpo < nBins; o++) ticks.push({ at: o * bpo, label: `C${o + 1}` });
  return ticks;
}

function hzLabel(f: number): string {
  return f >= 1000 ? `${Number((f / 1000).toPrecision(3))}k` : String(Math.round(f));
}

export interface PlotProgress {
  (stage: string, fraction: number): void;
}

/** Computes the figure for `kind`; `name` titles it; `startSeconds`/`endSeconds` draw a part of the audio. */
export function spectrogramFigure(audio: AudioSignal, kind: PlotKind, name: string, onProgress?: PlotProgress, range: { readonly startSeconds?: number; readonly endSeconds?: number } = {}): FigureSpec {
  const sr = audio.sampleRate;
  const whole = toMono(audio);
  const start = range.startSeconds ?? 0, end = Math.min(range.endSeconds ?? Infinity, whole.length / sr);
  if (!(start >= 0 && end > start)) throw new InvalidInputError(`plot: the time range ${start}–${range.endSeconds ?? "end"} s is empty (the audio lasts ${(whole.length / sr).toFixed(2)} s)`);
  const mono = start === 0 && end * sr >= whole.length ? whole : whole.subarray(Math.round(start * sr), Math.round(end * sr));
  const durationSeconds = mono.length / sr;
  if (mono.length < 2048) throw new InvalidInputError(`plot: the audio is too short to draw (${mono.length} samples, need at least 2048)`);
  const title = `${name}: ${kind.toUpperCase()}`;
  onProgress?.("features", 0);
  const to22k = () => (sr === 22050 ? mono : resample(mono, sr, 22050));
  let panels: HeatmapPanel[];
  // Levels are in dB relative to the loudest bin of the drawing (librosa's ref=np.max): 0 dB is that bin.
  let colorbarLabel = "dB re max";
  let valueRange: [number, number] | undefined;
  switch (kind) {
    case "stft": {
      const nFft = 2048;
      const S = amplitudeToDb(magnitude(stft(mono, sr, { nFft, hopLength: 512 })), { ref: "max" });
      const yTicks = niceTicks(sr / 2, 8).map((f) => ({ at: (f * nFft) / sr, label: hzLabel(f) }));
      panels = [{ ...S, yLabel: "Hz", yTicks }];
      break;
    }
    case "mel": {
      const nMels = 128;
      const S = powerToDb(melSpectrogram(mono, sr, { nFft: 2048, hopLength: 512, nMels }), { ref: "max" });
      const top = hzToMel(sr / 2);
      const yTicks = [0, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]
        .filter((f) => f <= sr / 2)
        .map((f) => ({ at: (hzToMel(f) / top) * (nMels + 1) - 1, label: hzLabel(f) }));
      panels = [{ ...S, yLabel: "Hz (mel scale)", yTicks }];
      colorbarLabel = "dB re max (power)";
      break;
    }
    case "cqt": {
      const y = to22k();
      const bpo = 36;
      const S = amplitudeToDb(magnitude(cqt(y, 22050, { hopLength: 256, fminHz: C1_HZ, binsPerOctave: bpo, nBins: 7 * bpo })), { ref: "max" });
      panels = [{ ...S, yLabel: "Note", yTicks: octaveTicks(S.nBins, bpo) }];
      break;
    }
    case "hcqt": {
      const y = to22k();
      const H = hcqt(y, 22050);
      const size = H.nFrames * H.nBins;
      panels = H.harmonics.map((h, i) => ({
        data: H.magnitude.subarray(i * size, (i + 1) * size).map((v) => (v - 1) * 80),
        nFrames: H.nFrames,
        nBins: H.nBins,
        yLabel: "F0",
        yTicks: octaveTicks(H.nBins, HCQT_DEFAULTS.binsPerOctave),
        title: `harmonic ${h}`,
      }));
      valueRange = [-80, 0];
      break;
    }
    case "chroma": {
      const C = chromaCqt(to22k(), 22050, { hopLength: 512 });
      panels = [{ ...C, yLabel: "Pitch class", yTicks: NOTE_NAMES.map((label, at) => ({ at, label })) }];
      colorbarLabel = "relative (frame max = 1)";
      valueRange = [0, 1];
      break;
    }
  }
  onProgress?.("features", 1);
  return { title: start > 0 || range.endSeconds !== undefined ? `${title} (${start}–${(start + durationSeconds).toFixed(2)} s)` : title, panels, durationSeconds, startSeconds: start, colorbarLabel, valueRange };
}
