/**
 * An advisory lock between processes on one file (a covers library shared by
 * the service's workers): `<file>.lock`, holding the owner's host and pid. The
 * owner is written to a file of its own first and hard-linked to the lock's
 * name (link fails if the name exists), so a lock is never seen half-written:
 * a process killed while taking it leaves no empty lock behind. A lock whose
 * owner on this host is gone (a worker killed with SIGKILL) is taken over; one
 * held elsewhere is waited for; one that cannot be read (an older mirkit's,
 * emptied by a kill) is taken over once it is STALE_UNREADABLE_MS old.
 * Where the file system has no hard links, the lock is made with O_EXCL.
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

/** How old an unreadable lock (no owner in it) must be before it is taken over. */
export const STALE_UNREADABLE_MS = 10_000;

let attempts = 0;

/** Creates `lock` holding `me` if no lock exists; false if one does. */
async function tryCreate(lock: string, me: string): Promise<boolean> {
  // A name of this attempt's own: calls in one process may try at once.
  const own = `${lock}.${os.hostname()}.${process.pid}.${attempts++}`;
  await fs.writeFile(own, me);
  try {
    await fs.link(own, lock);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw e;
  } finally {
    await fs.rm(own, { force: true });
  }
  // No hard links here: O_EXCL, written at once.
  try {
    const h = await fs.open(lock, "wx");
    try {
      await h.writeFile(me);
    } finally {
      await h.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

/** Runs `fn` holding the lock on `file`; waits up to `timeoutMs` for another holder. */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const lock = `${file}.lock`;
  const me = JSON.stringify({ host: os.hostname(), pid: process.pid });
  const start = Date.now();
  while (!(await tryCreate(lock, me))) {
    let owner: { host?: string; pid?: number } = {}, readable = false;
    try {
      owner = JSON.parse(await fs.readFile(lock, "utf8"));
      readable = true;
    } catch {
      // removed meanwhile (try again), or an unreadable lock (below)
    }
    // Stale: its owner on this host is dead, or it has stayed unreadable too long.
    const stale = readable
      ? owner.host === os.hostname() && typeof owner.pid === "number" && !alive(owner.pid)
      : await fs.stat(lock).then((st) => Date.now() - st.mtimeMs > STALE_UNREADABLE_MS, () => false);
    if (stale) {
      await fs.rm(lock, { force: true });
      continue;
    }
    if (Date.now() - start > timeoutMs) throw new Error(`${file}: locked by ${owner.host ?? "?"} pid ${owner.pid ?? "?"} for over ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 25));
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lock, { force: true });
  }
}
