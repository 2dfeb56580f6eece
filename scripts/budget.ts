import { MemoryStore } from "../src/nn/train.js";

/**
 * The training scripts' loop options: an exact step count (reproducible) or a time limit, checkpoints in
 * memory only (the scripts write their own outputs), and a progress line every `every` steps.
 */
export function trainingBudget(fixedSteps: number | undefined, minutes: number, every: number) {
  const deadline = Date.now() + minutes * 60 * 1000;
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  return {
    options: {
      store: new MemoryStore(),
      checkpointEvery: 1000000,
      stopAt: fixedSteps,
      stopWhen: () => fixedSteps === undefined && Date.now() > deadline,
      onProgress: (step: number, _steps: number, loss: number) => {
        if (step % every === 0) console.error(`step ${step} loss ${loss.toExponential(3)} (${seconds().toFixed(0)} s)`);
      },
    },
    seconds,
  };
}
