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
import { loadCoverEmbedder } from "../node.js";
import { addToLibrary, compareCovers, COVERS_METHODS, TWO_STAGE_CANDIDATES, evaluateCoversDataset, migrateLibrary, queryLibrary, repairLibrary, type CoversEvalResult, type CoversMethod } from "../tasks/covers.js";
import { intOption } from "./options.js";
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
  const covers = program.command("covers").description("Cover-song detection: a library of cover features and learned embeddings in a vector index; queries find candidates by embedding and re-rank them by alignment (Qmax, Dmax), fused by averaging.");
  covers
    .command("add")
    .description("Extract features of audio files (or folders, recursively) into the library; files already in it are skipped; resumable.")
    .argument("<inputs...>", "audio files or folders")
    .requiredOption("--db <file>", "library file (created if missing)")
    .option("--redis <url>", "extract on `mirkit worker` processes of this Redis (they must see the same paths); this process writes the library")
    .option("--model <name>", "cover embedding model (a shipped name from mirkit models, or an .onnx file); default the shipped one")
    .addHelpText("after", "\nThe library is one append-only file (the truth) plus <db>.index and <db>.index.json, a vector index of the\nembeddings rebuilt from it when missing or stale. See docs/covers-library.md.\n\nExamples:\n  $ mirkit covers add music/ --db covers.mkcl\n  $ mirkit covers add /mnt/music --db covers.mkcl --redis redis://10.0.0.5:6379   # workers extract")
    .action(async (inputs: string[], o: { db: string; redis?: string; model?: string }) => {
      const progress = stagedProgress(quiet());
      const model = await loadCoverEmbedder(o.model);
      const r = o.redis
        ? await batchCoversAdd(o.redis, o.db, inputs, { embedder: model, onProgress: (done, total, file) => progress.update("covers add (workers)", done / total, path.basename(file)) })
        : await addToLibrary(o.db, inputs, { embedder: model, onProgress: progress.update });
      await model.dispose();
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
    .description("Rank the library's entries against FILE. two-stage (default): the nearest by embedding, re-ranked by alignment and the embedding distance; each result's distance and cover decision are the ones covers compare gives for that pair.")
    .argument("<file>", "audio file")
    .requiredOption("--db <file>", "library file")
    .option("-k, --top <k>", "how many results", intOption("--top"), 10)
    .option("--method <m>", `${COVERS_METHODS.join(" | ")}: embedding = the vector index alone (fastest; distance = cosine, cover by the model's calibrated threshold); alignment = every entry's global profile, then alignment (reads the whole library)`, "two-stage")
    .option("--candidates <c>", `how many candidates alignment re-ranks (default ${TWO_STAGE_CANDIDATES} for two-stage, 200 for alignment)`, intOption("--candidates"))
    .option("--model <name>", "cover embedding model (default the shipped one; the library's index is rebuilt for another)")
    .option("--json", "print JSON: [{ path, distance, cover, rankScore, hpcpDistance, melodyDistance, salienceDistance, embeddingDistance }]")
    .addHelpText("after", "\nExamples:\n  $ mirkit covers query song.mp3 --db covers.mkcl\n  $ mirkit covers query song.mp3 --db covers.mkcl --method embedding -k 50 --json")
    .action(async (file: string, o: { db: string; top: number; candidates?: number; method: string; model?: string; json?: boolean }) => {
      if (!COVERS_METHODS.includes(o.method as CoversMethod)) throw new InvalidInputError(`--method must be one of ${COVERS_METHODS.join(", ")}, got "${o.method}"`);
      const progress = stagedProgress(quiet());
      const model = o.method === "alignment" ? undefined : await loadCoverEmbedder(o.model);
      const rows = await queryLibrary(o.db, file, { top: o.top, candidates: o.candidates, method: o.method as CoversMethod, embedder: model, onDamage: (d) => warnDamage(o.db, d), onProgress: progress.update }).finally(() => model?.dispose());
      progress.stop();
      if (o.json) process.stdout.write(json(rows));
      else process.stdout.write(rows.map((r, k) => `${String(k + 1).padStart(3)}  ${r.distance.toFixed(3)}  ${r.cover ? "cover" : "     "}  ${r.path}`).join("\n") + "\n");
    });
  covers
    .command("migrate")
    .description("Rewrite a format-1 library (features only, from mirkit before embeddings) with an embedding per entry, computed from its stored features (no audio needed), and build its index; the original is kept as <db>.v1.bak. On a current library: rebuild its index.")
    .requiredOption("--db <file>", "library file")
    .option("--model <name>", "cover embedding model (default the shipped one)")
    .addHelpText("after", "\nExample:\n  $ mirkit covers migrate --db covers.mkcl")
    .action(async (o: { db: string; model?: string }) => {
      const progress = stagedProgress(quiet());
      const model = await loadCoverEmbedder(o.model);
      const r = await migrateLibrary(o.db, { embedder: model, onProgress: progress.update }).finally(() => model.dispose());
      progress.stop();
      process.stderr.write(r.from === 1 ? `${o.db}: migrated ${r.entries} entries to format 2 with embeddings; the original is in ${r.backup}\n` : `${o.db}: already format 2; rebuilt the index of its ${r.entries} entries\n`);
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
    .description("MAP, MR1, P@10 and MRR on a dataset made by mirkit synth covers (manifest.json): each alignment view, their fusions, the embedding alone and the two-stage query.")
    .requiredOption("--dataset <dir>", "folder with manifest.json and <item>/mixture.wav")
    .option("--model <name>", "cover embedding model (default the shipped one)")
    .option("--candidates <c>", "candidates of the two-stage query (default as covers query)", intOption("--candidates"))
    .option("--json", "print JSON")
    .action(async (o: { dataset: string; json?: boolean; model?: string; candidates?: number }) => {
      const progress = stagedProgress(quiet());
      const model = await loadCoverEmbedder(o.model);
      const res = await evaluateCoversDataset(o.dataset, { onProgress: progress.update, embedder: model, candidates: o.candidates }).finally(() => model.dispose());
      progress.stop();
      process.stdout.write(o.json ? JSON.stringify(res, null, 2) + "\n" : formatEval(res) + "\n");
    });
}

function formatEval(r: CoversEvalResult): string {
  const lines = ["| method | MAP | MR1 | P@10 | MRR |", "|---|---|---|---|---|"];
  for (const [k, s] of Object.entries(r.scores)) lines.push(`| ${k} | ${s.MAP.toFixed(3)} | ${s.MR1.toFixed(1)} | ${s["P@10"].toFixed(3)} | ${s.MRR.toFixed(3)} |`);
  return lines.join("\n") + `\n${r.items} items (${r.queries} queries); features ${r.extractRealtime.toFixed(0)}× realtime; ${r.pairs} pairs in ${r.pairSeconds.toFixed(1)} s`;
}
