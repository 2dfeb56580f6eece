/**
 * An advisory lock between processes on one file (a covers library shared by
 * the service's workers): `<file>.lock` made with O_EXCL, holding the owner's
 * host and pid. A lock whose owner on this host is gone (a worker killed
 * with SIGKILL) is taken over; one held elsewhere is waited for.
 */
import { promises as fs } from "node:fs";
import * as os from "node:os";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Runs `fn` holding the lock on `file`; waits up to `timeoutMs` for another holder. */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const lock = `${file}.lock`;
  const me = JSON.stringify({ host: os.hostname(), pid: process.pid });
  const start = Date.now();
  for (;;) {
    try {
      const h = await fs.open(lock, "wx");
      try {
        await h.writeFile(me);
      } finally {
        await h.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let owner: { host?: string; pid?: number } = {};
      try {
        owner = JSON.parse(await fs.readFile(lock, "utf8"));
      } catch {
        // being written, or removed meanwhile: try again
      }
      if (owner.host === os.hostname() && typeof owner.pid === "number" && !alive(owner.pid)) {
        await fs.rm(lock, { force: true });
        continue;
      }
      if (Date.now() - start > timeoutMs) throw new Error(`${file}: locked by ${owner.host ?? "?"} pid ${owner.pid ?? "?"} for over ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lock, { force: true });
  }
}
