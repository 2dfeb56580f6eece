"""The museval fixture's random estimates, as Debian numpy draws them:
np.random.seed(seed); vocals = np.random.random((n, 2)); accompaniment = np.random.random((n, 2)).
stdin: {"seed": int, "n": int, "indices": [flat indices into the concatenated draws]}; stdout: {"values": [...]}."""
import json, sys
import numpy as np

a = json.load(sys.stdin)
np.random.seed(a["seed"])
draws = np.concatenate([np.random.random((a["n"], 2)).ravel(), np.random.random((a["n"], 2)).ravel()])
json.dump({"values": [float(draws[i]) for i in a["indices"]]}, sys.stdout)
