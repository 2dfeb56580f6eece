/**
 * `mirkit synth`: synthetic datasets with exact annotations. Argument
 * parsing and printing over data/datasets.ts (the generator).
 */
import type { Command } from "commander";
import { makeCoversDataset, makeDataset, type ChoirVoices } from "../data/datasets.js";
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
  separation: "MUSDB-like songs: mixture.wav, vocals.wav (Festival singing), accompaniment.wav, stems/, vocals F0 (mir_eval melody format), notes and phone timings.",
  multi: "Multi-instrument pieces (2–5 parts): mixture.wav, stems/, notes per instrument (mir_eval), multipitch.txt.",
  piano: "MAESTRO-like solo piano with sustain pedal: piano.wav, piano.mid, notes.txt (offsets after the pedal, mir_eval) and notes_velocity.txt.",
  choir: "SATB vocal ensembles (Festival): stems/<voice>.wav, <voice>.f0.txt, mixture.wav (dry), mixture_reverb.wav, multipitch.txt (all four F0s).",
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
    if (kind === "choir") cmd.option("--expressive", "with --voices soundfont: sung contours (vibrato 5–7 Hz ±30–100 cents, scoops, portamento, drift, jitter) through the pitch wheel; the F0 truth is the contour");
    if (kind === "choir") cmd.option("--voices <who>", "festival (sung lyrics, Festival's diphone voice) or soundfont (Choir Aahs / Voice Oohs of the item's SoundFont)", "festival");
    cmd
      .addHelpText("after", `\nExamples:\n  $ mirkit synth ${kind} --n 100 --seed 1 --out data/${kind}-train\n  $ mirkit synth ${kind} --n 20 --seed 2 --fonts timgm6mb --out data/${kind}-test`)
      .action(async (o: { out: string; n: number; seed: number; seconds: number; rate: number; fonts?: string[]; voices?: string; expressive?: boolean }) => {
        const fonts = fontList(o.fonts);
        if (o.voices !== undefined && o.voices !== "festival" && o.voices !== "soundfont") throw new InvalidInputError(`--voices must be festival or soundfont, got "${o.voices}"`);
        const progress = createProgress(`synth ${kind}`, quiet());
        await makeDataset(kind, { out: o.out, n: o.n, seed: o.seed, seconds: o.seconds, sampleRate: o.rate, fonts, voices: o.voices as ChoirVoices | undefined, expressive: o.expressive, onProgress: progress.update });
        progress.stop();
        if (!quiet()) process.stderr.write(`${o.n} ${kind} items in ${o.out}\n`);
      });
  }
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
