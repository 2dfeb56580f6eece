"""Debian mir_eval 0.7 separation metrics on a batch of cases.
stdin: {"cases": [{"fn": "sources"|"images"|"sources_framewise"|"images_framewise", "ref": [...], "est": [...],
                   "window": int?, "hop": int?, "perm": bool}]}  (ref/est: nsrc × nsampl or nsrc × nsampl × nchan)
stdout: {"results": [[list per output]]} with NaN as null."""
import json, sys, warnings
import numpy as np
import mir_eval

warnings.simplefilter("ignore")
out = []
for c in json.load(sys.stdin)["cases"]:
    ref, est = np.array(c["ref"], float), np.array(c["est"], float)
    fn = c["fn"]
    if fn == "sources":
        r = mir_eval.separation.bss_eval_sources(ref, est, compute_permutation=c["perm"])
    elif fn == "images":
        r = mir_eval.separation.bss_eval_images(ref, est, compute_permutation=c["perm"])
    elif fn == "sources_framewise":
        r = mir_eval.separation.bss_eval_sources_framewise(ref, est, c["window"], c["hop"], c["perm"])
    else:
        r = mir_eval.separation.bss_eval_images_framewise(ref, est, c["window"], c["hop"], c["perm"])
    out.append([[None if (isinstance(v, float) and np.isnan(v)) else v for v in np.asarray(x, float).ravel().tolist()] for x in r])
json.dump({"results": out}, sys.stdout)
