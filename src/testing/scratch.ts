/**
 * Scratch directories for tests: a fresh directory under the OS temp folder,
 * removed with everything in it when the test file's process exits (each
 * test file runs in its own process), so a run of the suite leaves nothing
 * behind in /tmp.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const made: string[] = [];
process.on("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory named `prefix` + random characters, removed at exit. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
