/**
 * A private Redis for tests and benchmarks: Debian's redis-server on a free
 * local port, no persistence, stopped by `stop()` (and with the process).
 * `startRedis()` resolves to undefined when redis-server is not installed,
 * so tests can skip with a message.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";

export const REDIS_MISSING = "redis-server is not installed (apt-get install -y redis-server)";

export function redisAvailable(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisHandle {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisHandle | undefined> {
  if (!redisAvailable()) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), "mirkit-redis-"));
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const p = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
    const ready = await new Promise<boolean>((resolve) => {
      let out = "";
      p.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("Ready to accept connections")) resolve(true);
      });
      p.once("exit", () => resolve(false));
      setTimeout(() => resolve(false), 10_000);
    });
    if (!ready) {
      p.kill("SIGKILL");
      continue;
    }
    p.stdout!.resume();
    const kill = () => p.kill("SIGKILL");
    process.once("exit", kill);
    return {
      url: `redis://127.0.0.1:${port}`,
      process: p,
      stop: async () => {
        process.off("exit", kill);
        if (p.exitCode === null) {
          const gone = new Promise((r) => p.once("exit", r));
          p.kill("SIGTERM");
          await gone;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw new Error("could not start redis-server on a free port");
}
