import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

test("npm run docs (typedoc) builds the API reference of mirkit and mirkit/node without warnings", { timeout: 120_000 }, () => {
  const out = mkdtempSync(path.join(tmpdir(), "mirkit-docs-"));
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typedoc", "bin", "typedoc"), "--out", out], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(existsSync(path.join(out, "index.html")));
  const functions = readdirSync(path.join(out, "functions")).join(" ");
  for (const name of ["separate", "multipitch", "stft", "evaluateMelody", "loadSeparationModel", "addToLibrary"]) assert.match(functions, new RegExp(`\\b${name}\\.html`), name);
});
