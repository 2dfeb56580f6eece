/**
 * `mirkit trim`: structured trimming with lottery-ticket rewinding
 * (tasks/trim.ts): a progress bar per round and one line per round
 * (parameters, FLOPs, ONNX size, validation score); resumable.
 */
import * as path from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { resolveModel } from "../io/model-files.js";
import { ortNode } from "../node.js";
import { CRITERIA } from "../prune/units.js";
import { RESETS, trimModel, type Reset, type RoundRow } from "../tasks/trim.js";
import { intOption } from "./options.js";
import { stagedProgress } from "./progress.js";

const list = (v: string) => v.split(",").filter(Boolean);
const rateOption = (v: string) => {
  const n = Number(v);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`--rate must be between 0 and 1, got "${v}"`);
  return n;
};

export function formatRound(r: RoundRow): string {
  return `round ${String(r.round).padStart(2)}: ${String(r.activeParameters).padStart(6)} parameters${r.activeParameters !== r.parameters ? ` (of ${r.parameters}, masked)` : ""}, ${r.gflopPerSecond.toFixed(3)} GFLOP/s of audio, ONNX ${(r.onnxBytes / 1024).toFixed(1)} KiB, validation ${r.metric} ${r.validation.toFixed(3)}${r.threshold !== undefined ? ` (threshold ${r.threshold})` : ""}`;
}

export function addTrimCommand(program: Command): void {
  program
    .command("trim")
    .description("Trim a model by lottery tickets: score units, remove a share of them, rewind the survivors, retrain; a smaller model per round in OUT/round-<k>/ (resumable: run it again to continue).")
    .requiredOption("-n, --model <name>", "the model to trim: a multi-F0 model or a plain separation U-Net, by shipped name (mirkit models) or as an .onnx file with its .recipe.json and .safetensors beside it")
    .addOption(new Option("--criterion <c>", "unit scores").choices(CRITERIA).default("magnitude"))
    .addOption(new Option("--scope <s>", "remove the lowest units per layer (local) or under one cut-off over layers normalised by their maxima (global)").choices(["local", "global"]).default("global"))
    .option("--rate <r>", "share of the remaining units removed per round", rateOption, 0.2)
    .option("--rounds <n>", "rounds", intOption("--rounds", 1, 50), 5)
    .addOption(new Option("--reset <how>", "survivors start each round from the rewind weights, a fresh initialisation, or (mask) the full-size net with the removed units masked (the comparison: no smaller, no faster)").choices(RESETS).default("rewind"))
    .requiredOption("--data <dirs>", "training datasets, comma-separated (mirkit synth choir folders for multi-F0 models, mirkit synth separation folders for U-Nets)", list)
    .requiredOption("--val <dirs>", "validation datasets, comma-separated", list)
    .option("--test <dirs>", "held-out datasets scored each round, comma-separated", list)
    .option("--steps <n>", "retraining steps per round", intOption("--steps", 1), 300)
    .option("--lr <x>", "peak learning rate of each round's retraining (cosine to 0)", (v) => Number(v), 5e-4)
    .option("--rewind-from <file>", "weights (.safetensors) of an early iteration to rewind to (default: the model's own)")
    .requiredOption("-o, --out <dir>", "run folder (state.json, round-<k>/)")
    .addHelpText("after", "\nExample:\n  $ mirkit synth choir --n 40 --voices formant,soundfont --expressive --singers 1-6 --chain --out data/train\n  $ mirkit synth choir --n 8 --seed 2 --voices formant,soundfont --expressive --singers 1-6 --chain --out data/val\n  $ mirkit trim --model multif0-late --criterion magnitude --scope global --rate 0.2 --rounds 6 --data data/train --val data/val -o trim-run\n  $ mirkit multipitch choir.wav --model trim-run/round-6/multif0-late-trim6.onnx\n\nA separation U-Net, on songs from mirkit synth separation (scored by vocals SDR):\n  $ mirkit synth separation --n 60 --seed 31 --rate 22050 --out data/songs\n  $ mirkit synth separation --n 8 --seed 33 --rate 22050 --out data/songs-val\n  $ mirkit trim --model separation-tfc-tdf --criterion activation --rounds 6 --data data/songs --val data/songs-val -o trim-sep\n  $ mirkit separate song.wav --model trim-sep/round-6/separation-tfc-tdf-trim6.onnx\n\nLong runs: retraining leaves memory mappings behind, and after a few rounds one process can reach Linux's vm.max_map_count (65530 by default; V8 then reports \"heap out of memory\"). Run one round per process (--rounds 1, then 2, …: the run resumes) or raise the limit: sysctl -w vm.max_map_count=1048576")
    .action(async (o: { model: string; criterion: "magnitude" | "activation" | "batchnorm"; scope: "local" | "global"; rate: number; rounds: number; reset: Reset; data: string[]; val: string[]; test?: string[]; steps: number; lr: number; rewindFrom?: string; out: string }) => {
      const quiet = program.opts().quiet === true;
      const progress = stagedProgress(quiet);
      await trimModel(await ortNode(), {
        model: resolveModel(o.model), criterion: o.criterion, scope: o.scope, rate: o.rate, rounds: o.rounds, reset: o.reset,
        data: o.data, val: o.val, test: o.test, steps: o.steps, lr: o.lr, rewindFrom: o.rewindFrom, out: o.out,
        onProgress: progress.update,
        onRound: (r) => {
          progress.stop();
          process.stderr.write(`${formatRound(r)}\n`);
        },
      });
      progress.stop();
      if (!quiet) process.stderr.write(`the rounds are in ${path.join(o.out, "round-<k>")}; state in ${path.join(o.out, "state.json")}\n`);
    });
}
