"""Runs Debian's mir_eval 0.7 on a batch of cases.
stdin: {"cases": [{"task": "multipitch"|"melody"|"transcription"|"velocity", ...}]}
stdout: {"results": [scores or {"error": message}]}"""
import json, sys, warnings
import numpy as np
import mir_eval

warnings.simplefilter("ignore")

def run(c):
    t = c["task"]
    if t == "multipitch":
        return mir_eval.multipitch.evaluate(
            np.array(c["ref_times"], float), [np.array(f, float) for f in c["ref_freqs"]],
            np.array(c["est_times"], float), [np.array(f, float) for f in c["est_freqs"]])
    if t == "melody":
        kw = {}
        for k in ("est_voicing", "ref_reward"):
            if c.get(k) is not None:
                kw[k] = np.array(c[k], float)
        if c.get("hop") is not None:
            kw["hop"] = c["hop"]
        return mir_eval.melody.evaluate(np.array(c["ref_times"], float), np.array(c["ref_freqs"], float),
                                        np.array(c["est_times"], float), np.array(c["est_freqs"], float), **kw)
    iv = lambda x: np.array(x, float).reshape(-1, 2)
    if t == "transcription":
        return mir_eval.transcription.evaluate(iv(c["ref_intervals"]), np.array(c["ref_pitches"], float),
                                               iv(c["est_intervals"]), np.array(c["est_pitches"], float))
    if t == "velocity":
        return mir_eval.transcription_velocity.evaluate(
            iv(c["ref_intervals"]), np.array(c["ref_pitches"], float), np.array(c["ref_velocities"], float),
            iv(c["est_intervals"]), np.array(c["est_pitches"], float), np.array(c["est_velocities"], float))
    raise ValueError(t)

out = []
for c in json.load(sys.stdin)["cases"]:
    try:
        out.append({k: float(v) for k, v in run(c).items()})
    except Exception as e:  # report, so the test can check we also refuse
        out.append({"error": str(e)})
json.dump({"results": out}, sys.stdout)
