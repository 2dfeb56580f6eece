/**
 * A Standard MIDI File writer (format 1): one track per part, notes, program
 * changes, sustain pedal (CC64) and pitch bends (range set to ±2 semitones by
 * RPN 0). Times are written at 960 ticks per quarter at the given tempo
 * (default 120 BPM: 0.52 ms per tick), so event times survive to about half a
 * millisecond; a transcription passes its estimated tempo, so that notation
 * programs show beats where the music has them.
 */

/** One track: what a score part or a transcribed voice gives (data/score.ts's Part fits). */
export interface MidiPart {
  readonly name: string;
  /** General MIDI program 0–127; ignored for drums. */
  readonly program: number;
  readonly drums: boolean;
  readonly notes: readonly { readonly onset: number; readonly offset: number; readonly pitch: number; readonly velocity: number }[];
  /** Sustain-pedal intervals. */
  readonly pedal?: readonly (readonly [number, number])[];
  /** Pitch bends in semitones (−2…2) from `time` on. */
  readonly bends?: readonly { readonly time: number; readonly semitones: number }[];
}

/** Pitch-bend range written with every track that bends (semitones). */
export const BEND_RANGE = 2;

const PPQ = 960;
const US_PER_QUARTER = 500000; // 120 BPM
/** Seconds per tick at the default tempo. */
export const MIDI_TICK_SECONDS = US_PER_QUARTER / 1e6 / PPQ;

function varLen(n: number): number[] {
  const bytes = [n & 0x7f];
  while ((n >>= 7) > 0) bytes.unshift((n & 0x7f) | 0x80);
  return bytes;
}

function chunk(type: string, body: number[]): number[] {
  const len = body.length;
  return [...[...type].map((c) => c.charCodeAt(0)), (len >>> 24) & 255, (len >>> 16) & 255, (len >>> 8) & 255, len & 255, ...body];
}

export function encodeMidi(parts: readonly MidiPart[], options: { readonly tempoBpm?: number } = {}): Uint8Array {
  const usPerQuarter = Math.round(60e6 / Math.max(20, Math.min(300, options.tempoBpm ?? 120)));
  const tickSeconds = usPerQuarter / 1e6 / PPQ;
  const tracks: number[][] = [];
  // Track 0: tempo.
  tracks.push(chunk("MTrk", [0, 0xff, 0x51, 3, (usPerQuarter >> 16) & 255, (usPerQuarter >> 8) & 255, usPerQuarter & 255, 0, 0xff, 0x2f, 0]));
  parts.forEach((part, k) => {
    const ch = part.drums ? 9 : k % 16 === 9 ? 10 : k % 16;
    const events: { tick: number; order: number; bytes: number[] }[] = [];
    const tick = (t: number) => Math.max(0, Math.round(t / tickSeconds));
    const name = [...part.name].map((c) => c.charCodeAt(0) & 0x7f);
    events.push({ tick: 0, order: -2, bytes: [0xff, 0x03, ...varLen(name.length), ...name] });
    if (!part.drums) events.push({ tick: 0, order: -1, bytes: [0xc0 | ch, part.program & 0x7f] });
    for (const n of part.notes) {
      events.push({ tick: tick(n.onset), order: 1, bytes: [0x90 | ch, n.pitch & 0x7f, Math.max(1, Math.min(127, n.velocity))] });
      events.push({ tick: tick(n.offset), order: 0, bytes: [0x80 | ch, n.pitch & 0x7f, 0] });
    }
    if (part.bends !== undefined && part.bends.length > 0) {
      // RPN 0 (pitch-bend sensitivity) = BEND_RANGE semitones, then back to the null RPN.
      [[101, 0], [100, 0], [6, BEND_RANGE], [38, 0], [101, 127], [100, 127]].forEach(([cc, v], i) => events.push({ tick: 0, order: -1 + i / 10, bytes: [0xb0 | ch, cc, v] }));
      for (const b of part.bends) {
        const v = Math.max(0, Math.min(16383, Math.round(8192 + (b.semitones / BEND_RANGE) * 8192)));
        events.push({ tick: tick(b.time), order: 0.5, bytes: [0xe0 | ch, v & 0x7f, (v >> 7) & 0x7f] });
      }
    }
    for (const [on, off] of part.pedal ?? []) {
      events.push({ tick: tick(on), order: 2, bytes: [0xb0 | ch, 64, 127] });
      events.push({ tick: tick(off), order: -0.5, bytes: [0xb0 | ch, 64, 0] });
    }
    events.sort((a, b) => a.tick - b.tick || a.order - b.order);
    const body: number[] = [];
    let last = 0;
    for (const e of events) {
      body.push(...varLen(e.tick - last), ...e.bytes);
      last = e.tick;
    }
    body.push(0, 0xff, 0x2f, 0);
    tracks.push(chunk("MTrk", body));
  });
  const header = chunk("MThd", [0, 1, (tracks.length >> 8) & 255, tracks.length & 255, (PPQ >> 8) & 255, PPQ & 255]);
  return Uint8Array.from([...header, ...tracks.flat()]);
}
