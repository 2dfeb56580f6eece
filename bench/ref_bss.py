"""mir_eval 0.7 timings for bench/eval.ts on the same deterministic signals.
argv: seconds. Prints {"name": seconds}."""
import json, sys, time, warnings
import numpy as np
import mir_eval

warnings.simplefilter("ignore")
sr, seconds = 44100, float(sys.argv[1])
n = int(sr * seconds)
rng = np.random.default_rng(1)
ref = rng.standard_normal((2, n, 2))
est = ref + 0.3 * rng.standard_normal((2, n, 2)) + 0.2 * ref[::-1]
out = {}
t = time.perf_counter()
mir_eval.separation.bss_eval_sources(ref.mean(axis=2), est.mean(axis=2))
out["sources"] = time.perf_counter() - t
t = time.perf_counter()
mir_eval.separation.bss_eval_images(ref, est, compute_permutation=False)
out["images"] = time.perf_counter() - t
json.dump(out, sys.stdout)
