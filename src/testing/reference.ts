/**
 * Differential tests against Debian's numpy/scipy/mir_eval: runs a Python
 * script from tests/ref with JSON on stdin and returns its JSON output.
 * When /usr/bin/python3 or the module is missing, `referenceAvailable` says
 * why, so tests can skip with a clear message.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const PYTHON = "/usr/bin/python3";
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SHARED = path.resolve(REPO_ROOT, "../shared");

const cache = new Map<string, string | true>();

/** true, or the reason the reference cannot run (a skip message). */
export function referenceAvailable(modules: readonly string[]): true | string {
  const key = modules.join(",");
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let result: true | string = true;
  if (!existsSync(PYTHON)) result = `${PYTHON} not found: install Debian's python3-numpy python3-scipy python3-mir-eval`;
  else {
    const r = spawnSync(PYTHON, ["-c", modules.map((m) => `import ${m}`).join(";")], { encoding: "utf8" });
    if (r.status !== 0) result = `reference Python modules missing (${modules.join(", ")}): apt-get install python3-numpy python3-scipy python3-mir-eval`;
  }
  cache.set(key, result);
  return result;
}

/** Runs tests/ref/<script> with `input` as JSON on stdin; returns the parsed JSON it prints. */
export function runReference<T>(script: string, input: unknown): T {
  const r = spawnSync(PYTHON, [path.join(REPO_ROOT, "tests/ref", script)], {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`reference script ${script} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** true if ../shared (fixtures, real audio) is present, else a skip message. */
export function sharedAvailable(sub: string): true | string {
  return existsSync(path.join(SHARED, sub)) ? true : `../shared/${sub} is absent: this test needs the shared fixtures checkout`;
}
