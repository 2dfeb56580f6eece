/**
 * What the piano transcription models see and say (issue 17; Kwon, Jeong &
 * Nam, ISMIR 2020): the input is a log-mel spectrogram of 16 kHz mono audio
 * (n_fft 2048, hop 512 → 31.25 frames a second, 229 mel bands 30–8000 Hz,
 * the paper's), and the output is one state per key and frame:
 * - 0 off, 1 onset (the note's first frame), 2 sustain (its later frames),
 *   3 offset (exactly one frame after its last frame), 4 re-onset (the first
 *   frame of a note that starts right after another note of the same key);
 * - the reduced sets: 3 states {off, onset, sustain} (offset → off,
 *   re-onset → onset) and 4 states {off, onset, sustain, re-onset}.
 * A note of a key spans frames [round(onset·fps), round(offset·fps)), at
 * least one frame; a later note of the key that starts inside an earlier one
 * cuts it there.
 */
import { InvalidInputError } from "../../errors.js";
import { cqt } from "../../dsp/cqt.js";
import { melSpectrogram } from "../../dsp/mel.js";
import { resample } from "../../dsp/resample.js";
import { toMono } from "../../io/audio.js";

export const PIANO_RATE = 16000;
export const PIANO_HOP = 512;
export const PIANO_NFFT = 2048;
export const PIANO_MELS = 229;
export const PIANO_FMIN = 30;
export const PIANO_FMAX = 8000;
export const PIANO_FPS = PIANO_RATE / PIANO_HOP;
/** A0 = MIDI 21 … C8 = MIDI 108. */
export const KEYS = 88;
export const LOWEST_KEY = 21;

export const OFF = 0, ONSET = 1, SUSTAIN = 2, OFFSET = 3, REONSET = 4;
export type StateCount = 3 | 4 | 5;
/** Whether a key in this state sounds (a note's onset, re-onset or sustain). */
export const sounding = (state: number): boolean => state === ONSET || state === SUSTAIN || state === REONSET;
export const STATE_NAMES = ["off", "onset", "sustain", "offset", "re-onset"] as const;

/** A note: seconds, MIDI pitch, velocity 1–127. */
export interface PianoNote {
  readonly onset: number;
  readonly offset: number;
  readonly pitch: number;
  readonly velocity: number;
}

/** Mono at PIANO_RATE from any channels and rate. */
export function toPianoSignal(channels: readonly Float32Array[], sampleRate: number): Float32Array {
  if (channels.length === 0 || channels[0].length === 0) throw new InvalidInputError("transcribe: the audio is empty");
  const mono = toMono({ sampleRate, channels });
  return sampleRate === PIANO_RATE ? mono : resample(mono, sampleRate, PIANO_RATE);
}

/** Floor of the mel magnitude before the log (−80 dB under a full-scale sine's band). */
const MEL_FLOOR = 1e-4;

/**
 * The model input: log-mel frames [T × PIANO_MELS], frames centred at t·hop (the signal reflected at the ends),
 * log(mel magnitude + floor) shifted and scaled to about [−1, 1.5].
 */
export function pianoInput(signal: Float32Array): { data: Float32Array; frames: number } {
  const mel = melSpectrogram(signal, PIANO_RATE, { nFft: PIANO_NFFT, hopLength: PIANO_HOP, nMels: PIANO_MELS, fminHz: PIANO_FMIN, fmaxHz: PIANO_FMAX, power: 1 });
  const data = mel.data;
  for (let i = 0; i < data.length; i++) data[i] = (Math.log(data[i] + MEL_FLOOR) + 5) / 4;
  return { data, frames: mel.nFrames };
}

/** The key-aligned front end ("keys"): a CQT of 3 bins a semitone, the middle bin of each key's three on the key. */
export const PIANO_CQT_BPO = 36;
/** Bins of the key-aligned CQT: from a third of a semitone under A0 to 7.6 kHz (under the 8 kHz Nyquist limit). */
export const PIANO_CQT_BINS = 294;
export const PIANO_CQT_FMIN = 27.5 * Math.pow(2, -1 / PIANO_CQT_BPO);
/** Magnitudes under this are silence (0 after the log). */
const CQT_FLOOR = 1e-4;

/**
 * The model input of a front end: log-mel (the paper's), the key-aligned CQT ("keys"), or the key-aligned
 * variable-Q transform ("vqt": the same bins, filters shortened by librosa's ERB γ, so a low key's onset is
 * blurred over ≈ 0.2 s instead of the CQT's 1.9 s at A0).
 */
export type PianoFront = "mel" | "keys" | "vqt";
export const PIANO_FRONTS: readonly PianoFront[] = ["mel", "keys", "vqt"];
/** Whether a front end is key-aligned (3 bins a semitone; the model works per key). */
export const keyAligned = (front: PianoFront | undefined): boolean => front === "keys" || front === "vqt";
export const frontBins = (front: PianoFront): number => (keyAligned(front) ? PIANO_CQT_BINS : PIANO_MELS);

/**
 * The key-aligned input: CQT frames [T × PIANO_CQT_BINS] of 16 kHz mono (hop 512, frames centred at t·hop, as
 * the log-mel), ln(1 + |C|/floor)/4: 0 for silence, 2–3.5 for a loud partial (the longer filters of low bins give larger magnitudes). The model stacks its
 * harmonics by shifting these bins (piano.ts).
 */
export function pianoKeysInput(signal: Float32Array, variableQ = false): { data: Float32Array; frames: number } {
  const C = cqt(signal, PIANO_RATE, { fminHz: PIANO_CQT_FMIN, nBins: PIANO_CQT_BINS, binsPerOctave: PIANO_CQT_BPO, hopLength: PIANO_HOP, ...(variableQ ? { gamma: "erb" as const } : {}) });
  const data = new Float32Array(C.nFrames * PIANO_CQT_BINS);
  const { re, im } = C;
  for (let i = 0; i < data.length; i++) data[i] = Math.log1p(Math.sqrt(re[i] * re[i] + im[i] * im[i]) / CQT_FLOOR) / 4;
  return { data, frames: C.nFrames };
}

/**
 * A model's acoustic features per frame and the step graph's LSTM state width: "keys" works per key, so its
 * `features` and `hidden` (per key) are 88 side by side; a frame head's LSTM (`frameHead` units a key) sits
 * after each key's `hidden`.
 */
export function pianoWidths(m: { readonly front?: PianoFront; readonly features: number; readonly hidden: number; readonly frameHead?: number }): { features: number; state: number } {
  const per = keyAligned(m.front) ? KEYS : 1;
  return { features: per * m.features, state: per * (m.hidden + (m.frameHead ?? 0)) };
}

/** The input of a front end. */
export const pianoFrontInput = (front: PianoFront, signal: Float32Array): { data: Float32Array; frames: number } => (keyAligned(front) ? pianoKeysInput(signal, front === "vqt") : pianoInput(signal));

/** The state of each key in each frame [T × KEYS] (row-major, frame first) for `states` states. */
export function noteStates(notes: readonly PianoNote[], frames: number, states: StateCount = 5): Uint8Array {
  const out = new Uint8Array(frames * KEYS);
  const byKey = new Map<number, [number, number][]>();
  for (const n of notes) {
    const k = Math.round(n.pitch) - LOWEST_KEY;
    if (k < 0 || k >= KEYS) continue;
    const on = Math.round(n.onset * PIANO_FPS);
    const off = Math.max(on + 1, Math.round(n.offset * PIANO_FPS));
    byKey.set(k, [...(byKey.get(k) ?? []), [on, off]]);
  }
  for (const [k, spans] of byKey) {
    spans.sort((a, b) => a[0] - b[0]);
    // Cut each note at the next onset of its key; drop notes that start on the same frame as an earlier one.
    const kept: [number, number][] = [];
    for (const [on, off] of spans) {
      const prev = kept[kept.length - 1];
      if (prev && on <= prev[0]) continue;
      if (prev && prev[1] > on) prev[1] = on;
      kept.push([on, off]);
    }
    for (const [on, off] of kept) {
      if (on >= frames) continue;
      const joined = on > 0 && sounding(out[(on - 1) * KEYS + k]);
      out[on * KEYS + k] = joined && states !== 3 ? REONSET : ONSET;
      for (let t = on + 1; t < Math.min(off, frames); t++) out[t * KEYS + k] = SUSTAIN;
      if (states === 5 && off < frames && out[off * KEYS + k] === OFF) out[off * KEYS + k] = OFFSET;
    }
  }
  return out;
}

/**
 * Notes from decoded states, frame by frame (so a stream needs no more than
 * the open notes): a note starts at an onset or re-onset, continues through
 * sustain frames and ends at the first frame in any other state (a sustain
 * without a note is read as an onset, and an onset in the frame right after
 * a note's first continues it: no key is struck twice 32 ms apart, and
 * flickering onset states would otherwise cut a held note into fragments). Its velocity is the velocity head's
 * (0–1) at the onset frame, or 64 without one. Times are frame · hop / rate.
 */
export class NoteTracker {
  private readonly start = new Int32Array(KEYS).fill(-1);
  private readonly vel = new Uint8Array(KEYS);
  /** Frames pushed so far. */
  frame = 0;

  /** One frame's states (88) and velocities; returns the notes that ended in this frame. */
  push(states: ArrayLike<number>, velocity?: ArrayLike<number>): PianoNote[] {
    const t = this.frame++;
    const done: PianoNote[] = [];
    for (let k = 0; k < KEYS; k++) {
      const s = states[k];
      if (sounding(s)) {
        // A new onset one frame after the note's own (32 ms: faster than any key repeats) continues the note.
        if (s !== SUSTAIN && this.start[k] >= 0 && this.start[k] < t - 1) this.close(k, t, done);
        if (this.start[k] < 0) {
          this.start[k] = t;
          this.vel[k] = velocity ? Math.round(1 + 126 * Math.min(1, Math.max(0, velocity[k]))) : 64;
        }
      } else if (this.start[k] >= 0) this.close(k, t, done);
    }
    return done;
  }

  /** Closes the notes still sounding at the end. */
  end(): PianoNote[] {
    const done: PianoNote[] = [];
    for (let k = 0; k < KEYS; k++) if (this.start[k] >= 0) this.close(k, this.frame, done);
    return done;
  }

  private close(k: number, t: number, into: PianoNote[]): void {
    into.push({ onset: this.start[k] / PIANO_FPS, offset: t / PIANO_FPS, pitch: k + LOWEST_KEY, velocity: this.vel[k] });
    this.start[k] = -1;
  }
}

/** Notes from states [T × KEYS] (and velocities [T × KEYS], 0–1), by NoteTracker; sorted by onset then pitch. */
export function statesToNotes(states: Uint8Array, frames: number, velocity?: Float32Array): PianoNote[] {
  const tracker = new NoteTracker();
  const notes: PianoNote[] = [];
  for (let t = 0; t < frames; t++) notes.push(...tracker.push(states.subarray(t * KEYS, (t + 1) * KEYS), velocity?.subarray(t * KEYS, (t + 1) * KEYS)));
  notes.push(...tracker.end());
  return notes.sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
}
