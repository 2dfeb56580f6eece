/**
 * Progress on stderr: a bar when stderr is a terminal and --quiet is off,
 * nothing otherwise (so logs and pipes stay clean).
 */
import cliProgress from "cli-progress";

export interface Progress {
  update(fraction: number, stage?: string): void;
  stop(): void;
}

export function createProgress(label: string, quiet: boolean): Progress {
  if (quiet || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% {stage}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0, { stage: "" });
  return {
    update(fraction, stage) {
      bar.update(Math.round(Math.min(1, Math.max(0, fraction)) * 1000), { stage: stage ?? "" });
    },
    stop() {
      bar.stop();
    },
  };
}
