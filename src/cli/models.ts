/** `mirkit models`: the shipped models, what they do, and their held-out scores (from their recipes). */
import type { Command } from "commander";
import { shippedModels } from "../io/model-files.js";

const TASKS: Record<string, string> = { separation: "separate (vocals / accompaniment)", multif0: "multipitch (F0s of a vocal ensemble)" };

/** One line of held-out scores from a recipe's metrics. */
function scores(metrics: Record<string, unknown> | undefined): string {
  if (!metrics) return "";
  const parts: string[] = [];
  if (typeof metrics.vocalsSdr === "number") parts.push(`held-out vocals SDR ${metrics.vocalsSdr} dB`);
  const test = metrics.test as Record<string, { Accuracy?: number }> | undefined;
  if (test) for (const [k, v] of Object.entries(test)) if (typeof v.Accuracy === "number" && !k.includes("reverb")) parts.push(`${k} Accuracy ${v.Accuracy.toFixed(2)}`);
  if (typeof metrics.parameters === "number") parts.push(`${metrics.parameters} parameters`);
  if (typeof metrics.realtime === "number") parts.push(`${metrics.realtime.toFixed(0)}× realtime`);
  return parts.join(", ");
}

export function addModelsCommand(program: Command): void {
  program
    .command("models")
    .description("List the shipped models (use a name with --model), the job each serves and its held-out scores.")
    .option("--json", "print JSON: [{ name, task, file, sizeBytes, metrics }]")
    .addHelpText("after", "\nExamples:\n  $ mirkit models\n  $ mirkit separate song.wav --model separation-tfc-tdf")
    .action((o: { json?: boolean }) => {
      const rows = shippedModels().map((m) => ({ name: m.name, task: TASKS[m.name.split("-")[0]] ?? "unknown", file: m.file, sizeBytes: m.sizeBytes, metrics: m.recipe.metrics as Record<string, unknown> | undefined }));
      if (o.json) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
      else process.stdout.write(rows.map((r) => `${r.name.padEnd(22)} ${r.task}\n${" ".repeat(23)}${scores(r.metrics)}`).join("\n") + "\n");
    });
}
