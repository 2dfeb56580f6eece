/** `mirkit models`: the shipped models, what they do, and their held-out scores (from their recipes). */
import type { Command } from "commander";
import { shippedModels } from "../io/model-files.js";

const TASKS: Record<string, string> = { separation: "separate (vocals / accompaniment)", multif0: "multipitch (F0s of a vocal ensemble)", piano: "transcribe (piano to MIDI)", parts: "transcribe --instruments (any ensemble to one MIDI track per instrument)", covers: "covers (the library's embedding: add, query)" };

/** What an informed or multitask separation model needs or adds (issue 20), from its recipe's model. */
function informedNote(model: unknown): string {
  const m = model as { kind?: string; conditioning?: string; activation?: boolean; arch?: string } | undefined;
  if (m?.kind !== "informed") return "";
  if (m.conditioning !== undefined && m.conditioning !== "none") return `, informed (${m.arch === "recurrent" ? "lyrics" : m.conditioning}): needs --phonemes or --lyrics`;
  return m.activation ? ", multitask: vocals-activation head gates the mask" : "";
}

/** One line of held-out scores from a recipe's metrics. */
function scores(metrics: Record<string, unknown> | undefined): string {
  if (!metrics) return "";
  const parts: string[] = [];
  if (typeof metrics.vocalsSdr === "number") parts.push(`held-out vocals SDR ${metrics.vocalsSdr} dB${typeof metrics.vocalsSdrSet === "string" ? ` (${metrics.vocalsSdrSet})` : ""}`);
  const test = metrics.test as Record<string, { Accuracy?: number; MAP?: number; onsetF1?: number; onsetOffsetF1?: number; partF1?: number; vocalsSdr?: number }> | undefined;
  if (test) for (const [k, v] of Object.entries(test)) {
    if (typeof v.Accuracy === "number" && !k.includes("reverb")) parts.push(`${k} Accuracy ${v.Accuracy.toFixed(2)}`);
    if (typeof v.MAP === "number") parts.push(`held-out ${k} MAP ${v.MAP.toFixed(3)}`);
    if (typeof v.vocalsSdr === "number") parts.push(`held-out ${k} vocals SDR ${v.vocalsSdr.toFixed(2)} dB`);
    if (typeof v.partF1 === "number") parts.push(`held-out ${k} part F1 ${v.partF1.toFixed(2)}`);
    if (typeof v.onsetF1 === "number" && typeof v.onsetOffsetF1 === "number") parts.push(`held-out ${k} note onset F1 ${v.onsetF1.toFixed(2)}, onset+offset F1 ${v.onsetOffsetF1.toFixed(2)}`);
  }
  if (typeof metrics.parameters === "number") parts.push(`${metrics.parameters} parameters`);
  // The cost, not a speed: the recipes' ×realtime were measured when each model was made (other exports, other
  // machines); GFLOP per second of audio holds anywhere (speeds: npm run bench:multipitch, bench:separate, …).
  if (typeof metrics.gflopsPerSecond === "number") parts.push(`${metrics.gflopsPerSecond.toFixed(3)} GFLOP per second of audio`);
  // A trimmed model's measured speed against its full model, per runtime (fewer FLOPs need not mean faster).
  const speedup = metrics.speedupOverFull as Record<string, number | string> | undefined;
  if (speedup) parts.push(`speed vs the full model: ${Object.entries(speedup).filter(([, v]) => typeof v === "number").map(([k, v]) => `${k} ${(v as number).toFixed(2)}×`).join(", ")} (npm run bench:trim-runtimes)`);
  return parts.join(", ");
}

export function addModelsCommand(program: Command): void {
  program
    .command("models")
    .description("List the shipped models (use a name with --model), the job each serves and its held-out scores.")
    .option("--json", "print JSON: [{ name, task, parameters, gflopPerSecond, scores, trimmedFrom, round, file, sizeBytes }] (trimmedFrom and round for trimmed models)")
    .addHelpText("after", "\nExamples:\n  $ mirkit models\n  $ mirkit separate song.wav --model separation-tfc-tdf\n  $ mirkit multipitch choir.wav --model multif0-late-trimmed")
    .action((o: { json?: boolean }) => {
      const rows = shippedModels().map((m) => {
        const metrics = (m.recipe.metrics ?? {}) as Record<string, unknown>;
        const { parameters, gflopsPerSecond, ...rest } = metrics;
        return {
          name: m.name, task: `${TASKS[m.name.split("-")[0]] ?? "unknown"}${informedNote(m.recipe.model)}`,
          parameters: typeof parameters === "number" ? parameters : null, gflopPerSecond: typeof gflopsPerSecond === "number" ? gflopsPerSecond : null,
          scores: rest,
          ...(m.recipe.trimmedFrom !== undefined ? { trimmedFrom: m.recipe.trimmedFrom, round: m.recipe.round } : {}),
          file: m.file, sizeBytes: m.sizeBytes, metrics,
        };
      });
      if (o.json) process.stdout.write(JSON.stringify(rows.map(({ metrics: _m, ...r }) => r), null, 2) + "\n");
      else process.stdout.write(rows.map((r) => `${r.name.padEnd(24)} ${r.task}${r.trimmedFrom ? ` (trimmed from ${String(r.trimmedFrom)}, round ${String(r.round)})` : ""}\n${" ".repeat(25)}${scores(r.metrics)}`).join("\n") + "\n");
    });
}
