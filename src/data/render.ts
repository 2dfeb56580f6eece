/**
 * Renders score parts to audio through a SoundFont with spessasynth_core,
 * one synthesiser per part, so every stem is rendered alone and the mixture
 * is exactly their sum. Events are applied at their exact sample (the synth
 * is run in blocks split at event times), so note annotations are exact to
 * the sample at the synth's input. Pan and reverb send are MIDI controllers
 * (CC10, CC91), gain is applied to the rendered stem.
 */
import { SoundBankLoader, SpessaSynthProcessor, type BasicSoundBank } from "spessasynth_core";
import { InvalidInputError } from "../errors.js";
import type { AudioSignal } from "../io/audio.js";
import type { Part } from "./score.js";

const banks = new WeakMap<ArrayBuffer, BasicSoundBank>();

/** Parses a SoundFont (SF2/SF3/DLS) once per buffer. */
export function loadSoundBank(bytes: ArrayBuffer, name = "soundfont"): BasicSoundBank {
  let bank = banks.get(bytes);
  if (bank === undefined) {
    try {
      bank = SoundBankLoader.fromArrayBuffer(bytes);
    } catch (e) {
      throw new InvalidInputError(`${name}: not a readable SoundFont (${(e as Error).message})`);
    }
    banks.set(bytes, bank);
  }
  return bank;
}

const BLOCK = 512;

/** The pitch-wheel range set for parts with bends (semitones each way): portamento spans up to an octave. */
export const BEND_RANGE_SEMITONES = 12;

interface Event { sample: number; order: number; apply: (s: SpessaSynthProcessor) => void }

/** One part rendered alone: stereo, `lengthSamples` long. */
export async function renderPart(part: Part, bank: BasicSoundBank, sampleRate: number, lengthSamples: number): Promise<AudioSignal> {
  const synth = new SpessaSynthProcessor(sampleRate, { maxBufferSize: BLOCK, effectsEnabled: true, eventsEnabled: false });
  await synth.processorInitialized;
  synth.soundBankManager.addSoundBank(bank, "main");
  const ch = part.drums ? 9 : 0;
  if (!part.drums) synth.programChange(ch, part.program);
  synth.controllerChange(ch, 10, Math.max(0, Math.min(127, Math.round(64 + 63 * part.pan))));
  synth.controllerChange(ch, 91, Math.max(0, Math.min(127, Math.round(part.reverb))));
  synth.controllerChange(ch, 93, 0); // no chorus
  const events: Event[] = [];
  const at = (t: number) => Math.max(0, Math.round(t * sampleRate));
  // Offs before ons at the same sample, so a repeated pitch retriggers.
  for (const n of part.notes) {
    events.push({ sample: at(n.onset), order: 1, apply: (s) => s.noteOn(ch, n.pitch, n.velocity) });
    events.push({ sample: at(n.offset), order: 0, apply: (s) => s.noteOff(ch, n.pitch) });
  }
  if (part.bends !== undefined && part.bends.length > 0) {
    // Pitch-bend sensitivity (RPN 0) to ±BEND_RANGE_SEMITONES, then the wheel at every bend (14 bits, centre 8192).
    for (const [cc, v] of [[101, 0], [100, 0], [6, BEND_RANGE_SEMITONES], [38, 0]] as const) synth.controllerChange(ch, cc as Parameters<typeof synth.controllerChange>[1], v);
    for (const b of part.bends) {
      const value = Math.max(0, Math.min(16383, Math.round(8192 + (b.semitones / BEND_RANGE_SEMITONES) * 8192)));
      events.push({ sample: at(b.time), order: 0.5, apply: (s) => s.pitchWheel(ch, value) });
    }
  }
  for (const [on, off] of part.pedal ?? []) {
    events.push({ sample: at(on), order: 2, apply: (s) => s.controllerChange(ch, 64, 127) });
    events.push({ sample: at(off), order: -1, apply: (s) => s.controllerChange(ch, 64, 0) });
  }
  events.sort((a, b) => a.sample - b.sample || a.order - b.order);
  const left = new Float32Array(lengthSamples), right = new Float32Array(lengthSamples);
  let e = 0;
  for (let pos = 0; pos < lengthSamples;) {
    while (e < events.length && events[e].sample <= pos) events[e++].apply(synth);
    const next = e < events.length ? events[e].sample : Infinity;
    const count = Math.min(BLOCK, lengthSamples - pos, next - pos);
    synth.process(left, right, pos, count);
    pos += count;
  }
  const g = Math.pow(10, part.gainDb / 20);
  if (g !== 1) for (let i = 0; i < lengthSamples; i++) { left[i] *= g; right[i] *= g; }
  return { sampleRate, channels: [left, right] };
}

/** Element-wise sum of stereo stems, in order (the mixture). */
export function mixStems(stems: readonly AudioSignal[], sampleRate: number, lengthSamples: number): AudioSignal {
  const left = new Float32Array(lengthSamples), right = new Float32Array(lengthSamples);
  for (const s of stems) {
    const [l, r] = s.channels;
    for (let i = 0; i < lengthSamples; i++) { left[i] += l[i]; right[i] += r[i]; }
  }
  return { sampleRate, channels: [left, right] };
}

/** Root mean square over every channel's samples (0 for empty audio). */
export function rms(signal: AudioSignal): number {
  const { channels } = signal;
  const n = channels[0]?.length ?? 0;
  let e = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const c of channels) s += c[i] * c[i];
    e += s;
  }
  return Math.sqrt(e / (channels.length * Math.max(1, n)));
}

/** The largest absolute sample. */
export function peak(signal: AudioSignal): number {
  let p = 0;
  for (const c of signal.channels) for (let i = 0; i < c.length; i++) p = Math.max(p, Math.abs(c[i]));
  return p;
}

/** Multiplies every sample by `gain`, in place. */
export function scaleInPlace(signal: AudioSignal, gain: number): void {
  for (const c of signal.channels) for (let i = 0; i < c.length; i++) c[i] *= gain;
}
