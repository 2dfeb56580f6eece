/**
 * The layering of docs/architecture.md, checked on the sources: every import
 * runs down the layers (or stays in its folder), only the Node rooms use
 * Node's built-ins, and bench/ and scripts/ never reach into cli/.
 */
import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Rank of each room: a module may import its own room and lower ranks only. */
const RANK: Record<string, number> = {
  "errors.ts": 0, "crc32.ts": 0, "random.ts": 0,
  io: 1, dsp: 1, plot: 1, lyrics: 1, nn: 3, eval: 3, covers: 4, data: 4, models: 4, prune: 4.5, tasks: 5,
  "index.ts": 6, "node.ts": 6.5, server: 7, web: 7, cli: 8,
};
/** Modules outside io/, cli/ and server/ that may use Node built-ins (they drive files; mirkit/node exports them). */
const NODE_ONLY = new Set(["node.ts", "tasks/covers.ts", "tasks/covers-catalog.ts", "tasks/file-jobs.ts", "tasks/multif0-training.ts", "tasks/trim.ts", "tasks/separation-training.ts", "tasks/piano-training.ts", "tasks/instruments-training.ts", "data/datasets.ts"]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const f = path.join(dir, e.name);
    return e.isDirectory() ? sources(f) : /\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name) ? [f] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gms), ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]);
}

const room = (rel: string) => (rel.includes("/") ? rel.split("/")[0] : rel);

test("imports run down the layers of docs/architecture.md; Node built-ins only in the Node rooms", () => {
  const src = path.join(ROOT, "src");
  const problems: string[] = [];
  for (const file of sources(src)) {
    const rel = path.relative(src, file).split(path.sep).join("/");
    if (/\.test\.ts$/.test(rel) || rel.startsWith("testing/")) continue; // tests and test helpers may reach anywhere
    const mine = room(rel);
    if (!(mine in RANK)) { problems.push(`${rel}: its room "${mine}" has no place in the layers`); continue; }
    for (const spec of imports(file)) {
      if (spec.startsWith("node:")) {
        if (!["io", "cli", "server"].includes(mine) && !NODE_ONLY.has(rel)) problems.push(`${rel} uses ${spec}`);
        continue;
      }
      if (!spec.startsWith(".")) continue; // packages
      const target = path.relative(src, path.resolve(path.dirname(file), spec)).split(path.sep).join("/").replace(/\.js$/, ".ts");
      const theirs = room(target);
      if (theirs !== mine && !(RANK[theirs] < RANK[mine])) problems.push(`${rel} imports ${target} (${mine} → ${theirs} runs up)`);
    }
  }
  for (const dir of ["bench", "scripts"]) {
    for (const file of sources(path.join(ROOT, dir))) {
      for (const spec of imports(file)) if (/\/src\/cli\//.test(spec)) problems.push(`${path.relative(ROOT, file)} imports ${spec}`);
    }
  }
  assert.deepEqual(problems, []);
});
