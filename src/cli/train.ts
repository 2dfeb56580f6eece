/** `mirkit train demo`: the worked example of the model stack. */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { InvalidInputError } from "../errors.js";
import { writeFileAtomic } from "../io/file.js";
import { ortNode } from "../node.js";
import { runTrainDemo } from "../tasks/train-demo.js";
import { intOption } from "./options.js";
import { createProgress } from "./progress.js";

export function addTrainCommands(program: Command): void {
  const train = program.command("train").description("Train models with jax-js, export them to ONNX, check them in ONNX Runtime.");
  train
    .command("demo")
    .description("Train a small CNN to tell a pure tone from a harmonic tone in noise (≈ 15 s), export DIR/model.onnx, and report held-out accuracy and jax-js/ONNX Runtime agreement.")
    .requiredOption("-o, --out <dir>", "output folder (model.onnx, model.safetensors, train-log.csv, metrics.json)")
    .option("--seed <n>", "seed for data, initialisation and batches", intOption("--seed"), 1)
    .option("--steps <n>", "training steps (batches of 32)", intOption("--steps"), 240)
    .option("--json", "print the metrics as JSON: accuracy, onnxAgreement, maxAbsDiff, …")
    .addHelpText("after", "\nExample:\n  $ mirkit train demo -o out/demo --json")
    .action(async (o: { out: string; seed: number; steps: number; json?: boolean }) => {
      const { init } = await import("@jax-js/jax");
      await init("wasm");
      await fs.mkdir(o.out, { recursive: true }).catch((e: Error) => {
        throw new InvalidInputError(`cannot create the output folder: ${e.message}`, { file: o.out });
      });
      const progress = createProgress("train demo", program.opts().quiet === true);
      const r = await runTrainDemo(await ortNode(), { seed: o.seed, steps: o.steps, onProgress: (s, n, loss) => progress.update(s / n, `loss ${loss.toFixed(3)}`) });
      progress.stop();
      const { files, ...metrics } = r;
      await writeFileAtomic(path.join(o.out, "model.onnx"), files.onnx);
      await writeFileAtomic(path.join(o.out, "model.safetensors"), files.safetensors);
      await writeFileAtomic(path.join(o.out, "train-log.csv"), files.logCsv);
      const summary = { ...metrics, seed: o.seed, command: `mirkit train demo -o ${o.out} --seed ${o.seed} --steps ${o.steps}` };
      await writeFileAtomic(path.join(o.out, "metrics.json"), JSON.stringify(summary, null, 2) + "\n");
      if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
      else {
        process.stdout.write(
          `held-out accuracy ${(100 * r.accuracy).toFixed(1)}% (jax-js), ${(100 * r.onnxAccuracy).toFixed(1)}% (ONNX Runtime)\n` +
            `agreement ${(100 * r.onnxAgreement).toFixed(1)}%, max |logit difference| ${r.maxAbsDiff.toExponential(2)}\n` +
            `${r.parameters} parameters, ${r.steps} steps in ${r.trainSeconds.toFixed(1)} s; wrote ${path.join(o.out, "model.onnx")}\n`,
        );
      }
    });
}

