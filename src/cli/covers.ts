/**
 * `mirkit covers add|query|compare|eval`: argument parsing and printing over
 * tasks/covers.ts (a library of HPCP, melody and salience features,
 * alignment similarity, fusion by averaging).
 */
import * as path from "node:path";
import type { Command } from "commander";
import { batchCoversAdd } from "../server/batch.js";
import type { LibraryDamage } from "../covers/library.js";
import { InvalidInputError } from "../errors.js";
import { addToLibrary, compareCovers, evaluateCoversDataset, queryLibrary, repairLibrary, type CoversEvalResult } from "../tasks/covers.js";
import { stagedProgress } from "./progress.js";

/** JSON with non-finite numbers (an unaligned pair) as null. */
const json = (x: unknown): string => JSON.stringify(x, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n";

/** One warning line when a library has damage that readers skip. */
function warnDamage(db: string, damage: readonly LibraryDamage[]): void {
  if (damage.length === 0) return;
  const where = damage.slice(0, 3).map((d) => `bytes ${d.offset}–${d.offset + d.length}`).join(", ") + (damage.length > 3 ? ", …" : "");
  process.stderr.write(`mirkit: warning: ${db}: ${damage.length} damaged record(s) skipped (${where}); the intact ones are used. Run mirkit covers repair --db ${db} to rewrite it without them (the original is kept).\n`);
}

export function addCoversCommands(program: Command): void {
  const quiet = () => program.opts().quiet === true;
  const covers = program.command("covers").description("Cover-song detection: a library of HPCP and melody features, alignment similarity (Qmax), fusion by averaging.");
  covers
    .command("add")
    .description("Extract features of audio files (or folders, recursively) into the library; files already in it are skipped; resumable.")
    .argument("<inputs...>", "audio files or folders")
    .requiredOption("--db <file>", "library file (created if missing)")
    .option("--redis <url>", "extract on `mirkit worker` processes of this Redis (they must see the same paths); this process writes the library")
    .addHelpText("after", "\nExamples:\n  $ mirkit covers add music/ --db covers.mkcl\n  $ mirkit covers add /mnt/music --db covers.mkcl --redis redis://10.0.0.5:6379   # workers extract")
    .action(async (inputs: string[], o: { db: string; redis?: string }) => {
      const progress = stagedProgress(quiet());
      const r = o.redis
        ? await batchCoversAdd(o.redis, o.db, inputs, { onProgress: (done, total, file) => progress.update("covers add (workers)", done / total, path.basename(file)) })
        : await addToLibrary(o.db, inputs, { onProgress: progress.update });
      progress.stop();
      warnDamage(o.db, r.damage);
      // One failure: its own line is the error. Several: a warning line each, then the list.
      if (r.failed.length > 1) for (const f of r.failed) process.stderr.write(`mirkit: warning: skipped ${f.message}\n`);
      if (!quiet()) process.stderr.write(`added ${r.added} file(s); ${r.total} in ${o.db}\n`);
      if (r.failed.length === 1) throw new InvalidInputError(`${r.failed[0].message} (not added; ${r.added} other file(s) were)`);
      if (r.failed.length > 1) throw new InvalidInputError(`${r.failed.length} files could not be added: ${r.failed.map((f) => f.file).join(", ")}`);
    });
  covers
    .command("query")
    .description("Rank the library's entries against FILE (prefilter by global profile, then alignment re-ranking); each result's distance and cover decision are the ones covers compare gives for that pair.")
    .argument("<file>", "audio file")
    .requiredOption("--db <file>", "library file")
    .option("-k, --top <k>", "how many results", (v) => Number(v), 10)
    .option("--candidates <c>", "prefilter size (re-ranked by alignment)", (v) => Number(v), 200)
    .option("--json", "print JSON: [{ path, distance, cover, rankScore, hpcpDistance, melodyDistance, salienceDistance }]; distance and cover are compare's")
    .action(async (file: string, o: { db: string; top: number; candidates: number; json?: boolean }) => {
      const progress = stagedProgress(quiet());
      const rows = await queryLibrary(o.db, file, { top: o.top, candidates: o.candidates, onDamage: (d) => warnDamage(o.db, d), onProgress: progress.update });
      progress.stop();
      if (o.json) process.stdout.write(json(rows));
      else process.stdout.write(rows.map((r, k) => `${String(k + 1).padStart(3)}  ${r.distance.toFixed(3)}  ${r.cover ? "cover" : "     "}  ${r.path}`).join("\n") + "\n");
    });
  covers
    .command("repair")
    .description("Rewrite a damaged library with its intact records only; the original is kept as <db>.bak.")
    .requiredOption("--db <file>", "library file")
    .addHelpText("after", "\nA torn last record (an interrupted add) is cut by the next add on its own; damage elsewhere is skipped\nby every reader and removed only here. See docs/covers-library.md.\n\nExample:\n  $ mirkit covers repair --db covers.mkcl")
    .action(async (o: { db: string }) => {
      const r = await repairLibrary(o.db);
      process.stderr.write(`${o.db}: kept ${r.kept} record(s), dropped ${r.dropped.length} damaged part(s)${r.dropped.map((d) => ` [bytes ${d.offset}–${d.offset + d.length}: ${d.reason}]`).join("")}; the original is in ${r.backup}\n`);
    });
  covers
    .command("compare")
    .description("Distance between two recordings and a cover / not-cover decision at the calibrated threshold.")
    .argument("<a>").argument("<b>")
    .option("--json", "print JSON: { distance, hpcpDistance, melodyDistance, threshold, cover }")
    .action(async (a: string, b: string, o: { json?: boolean }) => {
      const progress = stagedProgress(quiet());
      const res = await compareCovers(a, b, { onProgress: progress.update });
      progress.stop();
      if (o.json) process.stdout.write(json(res));
      else process.stdout.write(`${res.cover ? "cover" : "not a cover"} (distance ${res.distance.toFixed(3)}, threshold ${res.threshold})\n`);
    });
  covers
    .command("eval")
    .description("MAP, MR1, P@10 and MRR on a dataset made by mirkit synth covers (manifest.json): HPCP+Qmax, HPCP+Dmax, melody+Qmax and their fusion.")
    .requiredOption("--dataset <dir>", "folder with manifest.json and <item>/mixture.wav")
    .option("--json", "print JSON")
    .action(async (o: { dataset: string; json?: boolean }) => {
      const progress = stagedProgress(quiet());
      const res = await evaluateCoversDataset(o.dataset, { onProgress: progress.update });
      progress.stop();
      process.stdout.write(o.json ? JSON.stringify(res, null, 2) + "\n" : formatEval(res) + "\n");
    });
}

function formatEval(r: CoversEvalResult): string {
  const lines = ["| method | MAP | MR1 | P@10 | MRR |", "|---|---|---|---|---|"];
  for (const [k, s] of Object.entries(r.scores)) lines.push(`| ${k} | ${s.MAP.toFixed(3)} | ${s.MR1.toFixed(1)} | ${s["P@10"].toFixed(3)} | ${s.MRR.toFixed(3)} |`);
  return lines.join("\n") + `\n${r.items} items (${r.queries} queries); features ${r.extractRealtime.toFixed(0)}× realtime; ${r.pairs} pairs in ${r.pairSeconds.toFixed(1)} s`;
}
