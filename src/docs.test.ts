import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { scratchDir } from "./testing/scratch.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

test("npm run docs (typedoc) builds the API reference of mirkit and mirkit/node without warnings", { timeout: 120_000 }, () => {
  const out = scratchDir("mirkit-docs-");
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typedoc", "bin", "typedoc"), "--out", out], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(existsSync(path.join(out, "index.html")));
  const functions = readdirSync(path.join(out, "functions")).join(" ");
  for (const name of ["separate", "multipitch", "stft", "evaluateMelody", "loadSeparationModel", "addToLibrary"]) assert.match(functions, new RegExp(`\\b${name}\\.html`), name);
});
