/**
 * `mirkit synth`: synthetic datasets with exact annotations. Argument
 * parsing and printing over data/datasets.ts (the generator).
 */
import type { Command } from "commander";
import { CHOIR_ENGINES, makeCoversDataset, makeDataset, type ChoirEngine } from "../data/datasets.js";
import type { InstrumentSet } from "../data/ensemble.js";
import { InvalidInputError } from "../errors.js";
import { isFontName, TRAIN_FONTS, type FontName } from "../io/soundfonts.js";
import { intOption } from "./options.js";
import { createProgress } from "./progress.js";

function fontList(names: readonly string[] | undefined): FontName[] {
  return (names ?? [...TRAIN_FONTS]).map((f) => {
    if (!isFontName(f)) throw new InvalidInputError(`unknown SoundFont "${f}"; choose from fluid, musescore, timgm6mb`);
    return f;
  });
}

const DESCRIPTIONS = {
  separation: "MUSDB-like songs: mixture.wav, vocals.wav (Festival, formant or speech singer; silence in instrumentals), accompaniment.wav, stems/, vocals F0 (mir_eval melody format), notes, phone timings (Festival), vocals.phonemes.txt (what was sung, phoneme by phoneme, every engine: the input of mirkit separate --phonemes) and vocals.lrc (the lyrics, LRC).",
  multi: "Multi-instrument ensembles (2–5 pitched parts, each on its own General MIDI program, overlapping registers, crossings, unison and octave doublings, chords within keyboard, guitar and mallet parts, sometimes drums): mixture.wav, stems/<part>.wav, <part>.notes.txt (mir_eval; the part's program and instrument in manifest.json), multipitch.txt, mixture_recorded.wav (--chain).",
  piano: "MAESTRO-like solo piano performances (melodies, runs, trills, repeated notes, wide chords, arpeggios, the whole keyboard; rubato, velocity curves, sustain pedal; four piano programs): piano.wav, piano_recorded.wav (--chain), piano.mid, notes.txt (offsets after the pedal, mir_eval) and notes_velocity.txt.",
  choir: "Vocal ensembles (SATB by default; 1–6 singers with --singers): stems/<voice>.wav, <voice>.f0.txt, mixture.wav (dry), mixture_reverb.wav, mixture_recorded.wav (--chain), multipitch.txt (every singer's F0).",
} as const;

export function addSynthCommands(program: Command): void {
  const quiet = () => program.opts().quiet === true;
  const synth = program.command("synth").description("Make synthetic datasets with exact annotations: SoundFont stems, sung lyrics (Festival), notes, F0, phones.");
  addCoversCommand(synth, quiet);
  for (const kind of ["separation", "multi", "piano", "choir"] as const) {
    const cmd = synth
      .command(kind)
      .description(DESCRIPTIONS[kind])
      .requiredOption("--out <dir>", "dataset folder (manifest.json and one folder per item)")
      .option("--n <count>", "number of items", intOption("--n"), 10)
      .option("--seed <s>", "dataset seed; item i uses seed·1000 + i", intOption("--seed", 0), 1)
      .option("--seconds <s>", "approximate song length", intOption("--seconds"), 30)
      .option("--rate <hz>", "sample rate", intOption("--rate"), 44100)
      .option("--fonts <names>", `comma-separated SoundFonts, cycled over items (fluid, musescore, timgm6mb; default ${TRAIN_FONTS.join(",")}; hold one out for tests)`, (v) => v.split(",").map((s) => s.trim()));
    if (kind === "separation") {
      cmd
        .option("--voices <engines>", "comma-separated engines for the vocal line, drawn per song: festival, formant (source–filter singer), speech (eSpeak NG re-pitched by PSOLA); formant and speech sing expressive contours", "festival")
        .option("--instrumental <share>", "share of songs without vocals (0–1): half with a lead instrument (trumpet, sax, violin, flute, clarinet, synth lead) playing the sung line with vibrato and glides, half with a played melody; their vocals.wav is silence", (v) => Number(v), 0)
        .option("--chain", "record each song through a drawn chain: room and microphone EQ on every stem, compression, a noise floor (stems/noise.wav), level, MP3/Ogg round trip of the mixture; accompaniment = mixture − vocals (every draw in the manifest)");
    }
    if (kind === "multi") {
      cmd
        .option("--parts <range>", "pitched parts per item, drawn in a range within 1–5 (e.g. 2-5, 3)", "2-5")
        .option("--instruments <set>", "the programs parts are drawn from: train (38 programs of every family), held-out (12 programs never used in training: harpsichord, vibraphone, harmonica, jazz guitar, cello, harp, trombone, french horn, baritone sax, oboe, bassoon, pan flute) or all", "train")
        .option("--chain", "also write mixture_recorded.wav: a drawn room, microphone EQ, compression, noise floor, level and MP3/Ogg round trip (every draw in the manifest)");
    }
    if (kind === "piano") cmd.option("--chain", "also write piano_recorded.wav: a drawn room, microphone EQ, compression, noise floor, level and MP3/Ogg round trip (every draw in the manifest)");
    if (kind === "choir") {
      cmd
        .option("--voices <engines>", "comma-separated singing engines, drawn per singer: festival (sung lyrics, Festival's diphone voice), soundfont (Choir Aahs / Voice Oohs of the item's SoundFont), formant (source–filter singer: glottal source, soprano/alto/tenor/bass/child formants, consonants, breath), speech (eSpeak NG syllables re-pitched onto the sung line by PSOLA; needs espeak-ng)", "festival")
        .option("--expressive", "sung contours (vibrato 5–7 Hz ±30–100 cents, scoops, portamento, drift, jitter) instead of held pitches; the F0 truth is the contour (not with festival)")
        .option("--singers <range>", "singers per item, drawn in a range within 1–6 (e.g. 1-6, 3): up to four distinct parts, then unison or octave doublings (default: the four SATB parts)")
        .option("--chain", "also write mixture_recorded.wav: a drawn room, microphone EQ, compression, noise floor, level and MP3/Ogg round trip (every draw in the manifest)");
    }
    cmd
      .addHelpText("after", `\nExamples:\n  $ mirkit synth ${kind} --n 100 --seed 1 --out data/${kind}-train\n  $ mirkit synth ${kind} --n 20 --seed 2 --fonts timgm6mb --out data/${kind}-test`)
      .action(async (o: { out: string; n: number; seed: number; seconds: number; rate: number; fonts?: string[]; voices?: string; expressive?: boolean; singers?: string; chain?: boolean; instrumental?: number; parts?: string; instruments?: string }) => {
        const fonts = fontList(o.fonts);
        const voices = o.voices?.split(",").map((v) => v.trim());
        const unknown = voices?.find((v) => !(CHOIR_ENGINES as readonly string[]).includes(v));
        if (unknown !== undefined) throw new InvalidInputError(`--voices: unknown engine "${unknown}"; choose from ${CHOIR_ENGINES.join(", ")}`);
        const ensemble = o.singers === undefined ? undefined : countRange(o.singers, "--singers", "1-6");
        const parts = o.parts === undefined ? undefined : countRange(o.parts, "--parts", "2-5");
        const progress = createProgress(`synth ${kind}`, quiet());
        await makeDataset(kind, { out: o.out, n: o.n, seed: o.seed, seconds: o.seconds, sampleRate: o.rate, fonts, voices: voices as ChoirEngine[] | undefined, expressive: o.expressive, ensemble, chain: o.chain, instrumental: o.instrumental, parts, instruments: o.instruments as InstrumentSet | undefined, onProgress: progress.update });
        progress.stop();
        if (!quiet()) process.stderr.write(`${o.n} ${kind} items in ${o.out}\n`);
      });
  }
}

/** "3" or "1-6" as [lo, hi]. */
function countRange(v: string, flag: string, example: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(v.trim());
  if (!m) throw new InvalidInputError(`${flag} must be a count or a range like ${example}, got "${v}"`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

function addCoversCommand(synth: Command, quiet: () => boolean): void {
  synth
    .command("covers")
    .description("Cover-song sets: N works × V versions (key, tempo, structure, instrumentation, SoundFont, sung or played melody) plus noise songs; manifest.json lists the cliques.")
    .requiredOption("--out <dir>", "dataset folder")
    .option("--n <works>", "number of works (cliques)", intOption("--n"), 10)
    .option("--versions <v>", "versions per work (version 0 is the work as composed)", intOption("--versions"), 4)
    .option("--noise <k>", "non-cover songs (default: as many as works)", intOption("--noise", 0))
    .option("--seed <s>", "dataset seed", intOption("--seed", 0), 1)
    .option("--seconds <s>", "approximate length of each work", intOption("--seconds"), 30)
    .option("--rate <hz>", "sample rate", intOption("--rate"), 22050)
    .option("--sung <share>", "share of versions with a sung melody (needs festival)", (v) => Number(v), 0)
    .option("--fonts <names>", `comma-separated SoundFonts, cycled over versions (default ${TRAIN_FONTS.join(",")})`, (v) => v.split(",").map((x) => x.trim()))
    .addHelpText("after", "\nExamples:\n  $ mirkit synth covers --n 100 --versions 4 --fonts timgm6mb --out data/covers-test\n  $ mirkit eval covers … (distances from mirkit covers, labels from manifest.json)")
    .action(async (o: { out: string; n: number; versions: number; noise?: number; seed: number; seconds: number; rate: number; sung: number; fonts?: string[] }) => {
      const fonts = fontList(o.fonts);
      const noise = o.noise ?? o.n;
      const progress = createProgress("synth covers", quiet());
      await makeCoversDataset({ out: o.out, works: o.n, versions: o.versions, noise, seed: o.seed, seconds: o.seconds, sampleRate: o.rate, sung: o.sung, fonts, onProgress: progress.update });
      progress.stop();
      if (!quiet()) process.stderr.write(`${o.n * o.versions + noise} covers items (${o.n} works × ${o.versions} + ${noise} noise) in ${o.out}\n`);
    });
}
