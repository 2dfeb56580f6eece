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

/** A progress callback for jobs with stages (`(stage, fraction, item)`): one bar per stage, in turn. */
export function stagedProgress(quiet: boolean): { update: (stage: string, fraction: number, item: string) => void; stop: () => void } {
  let bar: Progress | undefined, current: string | undefined;
  return {
    update(stage, fraction, item) {
      if (stage !== current) {
        bar?.stop();
        bar = createProgress(stage, quiet);
        current = stage;
      }
      bar!.update(fraction, item);
    },
    stop() {
      bar?.stop();
    },
  };
}
