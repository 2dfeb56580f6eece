/**
 * Piano transcription (issue 17): audio → mono 16 kHz → log-mel (or the key-aligned CQT) → the
 * acoustic model per segment → the autoregressive step model frame by frame
 * (greedy: each frame's decoded states are the next frame's input; the LSTM
 * state and the open notes carry across segments; a model with a frame head ends a sustained note after
 * steerFrames frames the head calls silent) → notes with velocities.
 * Memory is bounded by a segment (tasks/segments.ts), whatever the length.
 * Notes never overlap another note of their key (a note ends where the next
 * one of its key starts) and last at least one frame (32 ms).
 */
import { asBlocks, type AudioSignal } from "../io/audio.js";
import { encodeMidi } from "../io/midi.js";
import { KEYS, NoteTracker, OFF, OFFSET, ONSET, PIANO_HOP, PIANO_RATE, pianoFrontInput, REONSET, sounding, SUSTAIN, type PianoNote } from "../models/transcription/contract.js";
import type { PianoTranscriber } from "../models/transcription/model.js";
import { segmentStream } from "./segments.js";

export interface TranscribeOptions {
  readonly model: PianoTranscriber;
  /** Added to the onset and re-onset logits on top of the model's decoding bias: higher finds more notes (default 0). */
  readonly onsetBias?: number;
  /** Overrides the model's steerFrames (a model with a frame head; tuning on validation). */
  readonly steerFrames?: number;
  /** Seconds of audio per segment (memory bound); default 30. */
  readonly segmentSeconds?: number;
  readonly onProgress?: (fraction: number) => void;
  /** Cancels the job between frames of a segment. */
  readonly signal?: AbortSignal;
}

/**
 * Context frames each side of a segment: the STFT window (±2 frames) and the three 3×3 convs (±3), with room to
 * spare; the key-aligned CQT's longest filter (A0's, 1.9 s) reaches ±30 frames (the VQT's are shorter: the same margin serves).
 */
const MARGIN_FRAMES = { mel: 8, keys: 36, vqt: 36 } as const;

/** Notes over a stream of audio blocks (any rate and channel count); yields the notes that end in each segment. */
export async function* transcribeStream(blocks: AsyncIterable<AudioSignal>, o: TranscribeOptions & { readonly totalSeconds?: number }): AsyncGenerator<PianoNote[]> {
  const { model } = o;
  const { states: S, hidden: H, features: F } = model.info;
  const coreFrames = Math.max(32, Math.round(((o.segmentSeconds ?? 30) * PIANO_RATE) / PIANO_HOP));
  const totalGuess = o.totalSeconds !== undefined ? Math.floor((o.totalSeconds * PIANO_RATE) / PIANO_HOP) + 1 : undefined;
  const tracker = new NoteTracker();
  let h: Float32Array = new Float32Array(H), c: Float32Array = new Float32Array(H);
  const prev = new Float32Array(KEYS * S);
  for (let k = 0; k < KEYS; k++) prev[k * S] = 1; // every key off before the first frame
  const states = new Uint8Array(KEYS);
  const bias = model.info.decodeBias.map((b, s) => b + (s === ONSET || s === REONSET ? o.onsetBias ?? 0 : 0));
  const [featName, prevName, hName, cName] = model.step.inputNames;
  const [logitName, hOut, cOut, frameName] = model.step.outputNames;
  // The frame head (if any) steers: a sustain ends after `steer` frames in a row it calls silent.
  const steer = model.info.steerFrames ? o.steerFrames ?? model.info.steerFrames : 0, silent = new Uint16Array(KEYS);
  const [featOut, velOut] = model.acoustic.outputNames;
  yield* segmentStream(blocks, { rate: PIANO_RATE, hop: PIANO_HOP, marginFrames: MARGIN_FRAMES[model.info.front], coreFrames, what: "transcribe", signal: o.signal }, async (audio, from, first, core) => {
    const input = pianoFrontInput(model.info.front, audio);
    const out = await model.acoustic.run({ [model.acoustic.inputNames[0]]: { data: input.data, dims: [1, input.frames, input.data.length / input.frames] } });
    const feats = out[featOut].data, vel = out[velOut].data;
    const notes: PianoNote[] = [];
    for (let t = 0; t < core; t++) {
      o.signal?.throwIfAborted();
      const row = Math.min(input.frames - 1, first - from + t);
      const step = await model.step.run({
        [featName]: { data: feats.subarray(row * F, (row + 1) * F), dims: [1, F] }, [prevName]: { data: prev, dims: [1, KEYS * S] },
        [hName]: { data: h, dims: [1, H] }, [cName]: { data: c, dims: [1, H] },
      });
      const logits = step[logitName].data;
      h = step[hOut].data;
      c = step[cOut].data;
      const frame = steer ? step[frameName].data : undefined;
      prev.fill(0);
      for (let k = 0; k < KEYS; k++) {
        let best = argmaxState(logits, k, S, bias);
        if (frame) {
          // The frame head's own call (the model's decoding bias, without the caller's onsetBias): does the key sound?
          const f = argmaxState(frame, k, S, model.info.decodeBias);
          silent[k] = best === SUSTAIN && !sounding(f) ? silent[k] + 1 : 0;
          if (silent[k] >= steer) {
            best = S === 5 ? OFFSET : OFF;
            silent[k] = 0;
          }
        }
        states[k] = best;
        prev[k * S + best] = 1;
      }
      notes.push(...tracker.push(states, vel.subarray(row * KEYS, (row + 1) * KEYS)));
      if (totalGuess && t % 64 === 0) o.onProgress?.(Math.min(1, (first + t) / totalGuess));
    }
    return notes;
  });
  yield tracker.end();
  o.onProgress?.(1);
}

/** The state with the highest biased logit of key k (logits [88·S]). */
function argmaxState(logits: Float32Array, k: number, S: number, bias: readonly number[]): number {
  let best = 0;
  for (let s = 1; s < S; s++) if (logits[k * S + s] + bias[s] > logits[k * S + best] + bias[best]) best = s;
  return best;
}

/** The notes of a recording (any rate and channel count), sorted by onset then pitch. */
export async function transcribe(audio: AudioSignal, options: TranscribeOptions): Promise<PianoNote[]> {
  const n = audio.channels[0]?.length ?? 0;
  const notes: PianoNote[] = [];
  for await (const part of transcribeStream(asBlocks(audio), { ...options, totalSeconds: n / audio.sampleRate })) notes.push(...part);
  return notes.sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
}

/**
 * A tempo for the MIDI header from the onsets: the autocorrelation of an
 * onset train (10 ms bins, weighted by velocity, smoothed by ±20 ms) over
 * beat periods of 60–180 BPM, weighted by a log-normal preference around
 * 110 BPM; 120 when there are fewer than 8 onsets.
 */
export function estimateTempo(notes: readonly PianoNote[]): number {
  if (notes.length < 8) return 120;
  const bin = 0.01, end = Math.max(...notes.map((n) => n.onset)) + 1;
  const train = new Float64Array(Math.ceil(end / bin) + 1);
  for (const n of notes) for (let d = -2; d <= 2; d++) {
    const i = Math.round(n.onset / bin) + d;
    if (i >= 0 && i < train.length) train[i] += (n.velocity / 127) * (1 - Math.abs(d) / 3);
  }
  let best = 120, bestScore = -Infinity;
  for (let bpm = 60; bpm <= 180; bpm += 0.5) {
    const lag = 60 / bpm / bin;
    const l0 = Math.floor(lag), w = lag - l0;
    let s = 0;
    for (let i = 0; i + l0 + 1 < train.length; i++) s += train[i] * ((1 - w) * train[i + l0] + w * train[i + l0 + 1]);
    const score = s * Math.exp(-0.5 * Math.pow(Math.log2(bpm / 110) / 0.9, 2));
    if (score > bestScore) {
      bestScore = score;
      best = bpm;
    }
  }
  return best;
}

/** A Standard MIDI File with one piano track (program 0), the notes' velocities, and `tempoBpm` (default: estimated) in the header. */
export function notesToMidi(notes: readonly PianoNote[], options: { readonly tempoBpm?: number; readonly name?: string } = {}): Uint8Array {
  return encodeMidi([{ name: options.name ?? "piano", program: 0, drums: false, notes }], { tempoBpm: options.tempoBpm ?? estimateTempo(notes) });
}
