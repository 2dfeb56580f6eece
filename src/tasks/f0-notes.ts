/**
 * Notes from the F0s of voices (`mirkit multipitch --midi/--notes/--sonify`):
 * the F0 sets of each frame are linked into tracks (one per voice while it
 * can be followed), each track is cut into notes where its pitch settles on
 * another semitone, glides and vibrato stay inside a note as pitch bends,
 * and notes get a voice by their rank among the notes sounding with them
 * (0 = the highest). Pure functions over the multipitch output (browser-safe).
 *
 * Conventions: pitches are MIDI numbers (A4 = 69 = 440 Hz); a note's pitch is
 * the rounded median of its frames; bends are semitones from that pitch,
 * written where they move by more than 5 cents, within ±2 (the MIDI bend
 * range); notes shorter than `minNoteSeconds` (60 ms) are dropped, so a held
 * note never explodes into fragments.
 */
import { BEND_RANGE, encodeMidi } from "../io/midi.js";

export interface VoiceNote {
  readonly onset: number;
  readonly offset: number;
  /** MIDI number. */
  readonly pitch: number;
  readonly velocity: number;
  /** 0 = the highest of the notes sounding with it. */
  readonly voice: number;
  /** Semitones from `pitch`, from `time` on. */
  readonly bends: readonly { readonly time: number; readonly semitones: number }[];
}

export interface F0NotesOptions {
  /** The largest pitch step between neighbouring frames of one voice, in semitones (default 1). */
  readonly maxJumpSemitones?: number;
  /** Frames a voice may vanish for and still be followed (default 3). */
  readonly maxGapFrames?: number;
  /** Frames a new semitone must hold before a new note starts (default 4, ≈ 46 ms at the multi-F0 hop). */
  readonly settleFrames?: number;
  /** Shorter notes are dropped (default 0.06 s). */
  readonly minNoteSeconds?: number;
  readonly velocity?: number;
}

const midiOf = (hz: number) => 69 + 12 * Math.log2(hz / 440);

interface Track { frames: number[]; midi: number[] }

/** Links each frame's F0s into tracks: greedy nearest continuation within `maxJump` semitones, surviving gaps of `maxGap` frames. */
export function trackVoices(freqs: readonly ArrayLike<number>[], options: F0NotesOptions = {}): Track[] {
  const maxJump = options.maxJumpSemitones ?? 1, maxGap = options.maxGapFrames ?? 3;
  const open: Track[] = [], done: Track[] = [];
  freqs.forEach((fs, t) => {
    const cands = Array.from(fs).filter((f) => f > 0).map(midiOf);
    for (let i = open.length - 1; i >= 0; i--) if (t - open[i].frames.at(-1)! > maxGap + 1) done.push(...open.splice(i, 1));
    const pairs: { d: number; track: number; cand: number }[] = [];
    open.forEach((tr, i) => cands.forEach((m, j) => {
      const gap = t - tr.frames.at(-1)!;
      const d = Math.abs(m - tr.midi.at(-1)!);
      if (d <= maxJump * gap) pairs.push({ d, track: i, cand: j });
    }));
    pairs.sort((a, b) => a.d - b.d);
    const usedT = new Set<number>(), usedC = new Set<number>();
    for (const p of pairs) {
      if (usedT.has(p.track) || usedC.has(p.cand)) continue;
      usedT.add(p.track);
      usedC.add(p.cand);
      open[p.track].frames.push(t);
      open[p.track].midi.push(cands[p.cand]);
    }
    cands.forEach((m, j) => { if (!usedC.has(j)) open.push({ frames: [t], midi: [m] }); });
  });
  return [...done, ...open].sort((a, b) => a.frames[0] - b.frames[0]);
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

/** Notes (with bends and voices) from multipitch output: `times[i]` (s) and the F0s of frame i (Hz). */
export function f0ToNotes(times: ArrayLike<number>, freqs: readonly ArrayLike<number>[], options: F0NotesOptions = {}): VoiceNote[] {
  const settle = options.settleFrames ?? 4, minDur = options.minNoteSeconds ?? 0.06, velocity = options.velocity ?? 80;
  const hop = times.length > 1 ? times[1] - times[0] : 0.01;
  const raw: Omit<VoiceNote, "voice">[] = [];
  for (const tr of trackVoices(freqs, options)) {
    // Cut where the rounded pitch has settled elsewhere for `settle` frames. A frame or three where the voice
    // was missed stays inside the note; a longer pause has already ended the track.
    const cuts = [0];
    let current = Math.round(tr.midi[0]), run = 0;
    for (let k = 1; k < tr.midi.length; k++) {
      const q = Math.round(tr.midi[k]);
      run = q !== current ? run + 1 : 0;
      if (run >= settle) {
        cuts.push(k - run + 1);
        current = q;
        run = 0;
      }
    }
    cuts.push(tr.midi.length);
    // A segment too short to be a note (a scoop into the first note, a fall at the end, a passing slide)
    // joins its neighbour as bends: the next segment for the first one, the previous one otherwise.
    const segs = cuts.slice(0, -1).map((a, i) => [a, cuts[i + 1]] as [number, number]);
    const long = (s: [number, number]) => times[tr.frames[s[1] - 1]] + hop - times[tr.frames[s[0]]] >= minDur;
    for (let i = 0; i < segs.length && segs.length > 1; ) {
      if (long(segs[i])) { i++; continue; }
      if (i === 0) segs[1][0] = segs[0][0];
      else segs[i - 1][1] = segs[i][1];
      segs.splice(i, 1);
    }
    for (const [a, b] of segs) {
      const pitch = Math.round(median(tr.midi.slice(a, b)));
      const onset = times[tr.frames[a]], offset = times[tr.frames[b - 1]] + hop;
      if (offset - onset < minDur) continue;
      const bends: { time: number; semitones: number }[] = [];
      let last = NaN;
      for (let k = a; k < b; k++) {
        const st = Math.max(-BEND_RANGE, Math.min(BEND_RANGE, tr.midi[k] - pitch));
        if (!(Math.abs(st - last) <= 0.05)) { bends.push({ time: times[tr.frames[k]], semitones: st }); last = st; }
      }
      raw.push({ onset, offset, pitch, velocity, bends });
    }
  }
  // Voices: rank among the notes sounding at the note's middle, the highest first.
  return raw.sort((a, b) => a.onset - b.onset || b.pitch - a.pitch).map((n) => {
    const mid = (n.onset + n.offset) / 2;
    const voice = raw.filter((o) => o !== n && o.onset <= mid && o.offset > mid && (o.pitch > n.pitch || (o.pitch === n.pitch && o.onset < n.onset))).length;
    return { ...n, voice };
  });
}

/** A Standard MIDI File: one track (and channel) per voice, Choir Aahs, with the notes' pitch bends. */
export function voiceNotesToMidi(notes: readonly VoiceNote[]): Uint8Array {
  const voices = Math.max(0, ...notes.map((n) => n.voice + 1));
  const parts = Array.from({ length: voices }, (_, v) => {
    const mine = notes.filter((n) => n.voice === v);
    const bends = mine.flatMap((n) => [...n.bends, { time: n.offset, semitones: 0 }]).sort((a, b) => a.time - b.time);
    return { name: `voice ${v + 1}`, program: 52, drums: false, notes: mine, bends };
  });
  return encodeMidi(parts);
}

/**
 * The notes as text: CSV (onset_s, offset_s, pitch_midi, frequency_hz, velocity, voice) or mir_eval's
 * transcription format ("onset offset Hz", with a fourth column, the velocity, when `velocity`: what
 * mir_eval's transcription_velocity reads). Notes without a voice are voice 0; `groupColumn` renames the
 * last column (the part transcriber writes each note's part there).
 */
export function formatNotes(notes: readonly (Omit<VoiceNote, "voice" | "bends"> & { readonly voice?: number })[], format: "csv" | "mir_eval", options: { readonly velocity?: boolean; readonly groupColumn?: string } = {}): string {
  const hz = (p: number) => 440 * 2 ** ((p - 69) / 12);
  if (format === "mir_eval") return notes.map((n) => `${n.onset.toFixed(6)}\t${n.offset.toFixed(6)}\t${hz(n.pitch).toFixed(4)}${options.velocity ? `\t${n.velocity}` : ""}`).join("\n") + (notes.length ? "\n" : "");
  return `onset_s,offset_s,pitch_midi,frequency_hz,velocity,${options.groupColumn ?? "voice"}\n` + notes.map((n) => `${n.onset.toFixed(6)},${n.offset.toFixed(6)},${n.pitch},${hz(n.pitch).toFixed(4)},${n.velocity},${n.voice ?? 0}`).join("\n") + (notes.length ? "\n" : "");
}

/** A listening rendering of the notes: each a soft harmonic tone following its bends (10 ms ramps), mono. */
export function sonifyNotes(notes: readonly (Omit<VoiceNote, "voice" | "bends"> & { readonly bends?: VoiceNote["bends"] })[], sampleRate: number, durationSeconds?: number): Float32Array {
  const end = durationSeconds ?? Math.max(0, ...notes.map((n) => n.offset));
  const out = new Float32Array(Math.ceil(end * sampleRate) + 1);
  const ramp = 0.01 * sampleRate;
  for (const n of notes) {
    const a = Math.round(n.onset * sampleRate), b = Math.min(out.length, Math.round(n.offset * sampleRate));
    let phase = 0, k = 0;
    for (let i = a; i < b; i++) {
      const t = i / sampleRate;
      const bends = n.bends ?? [];
      while (k + 1 < bends.length && bends[k + 1].time <= t) k++;
      const f = 440 * 2 ** ((n.pitch + (bends[k]?.semitones ?? 0) - 69) / 12);
      phase += (2 * Math.PI * f) / sampleRate;
      const env = Math.min(1, (i - a) / ramp, (b - i) / ramp);
      out[i] += 0.15 * env * (Math.sin(phase) + 0.4 * Math.sin(2 * phase) + 0.15 * Math.sin(3 * phase));
    }
  }
  return out;
}
