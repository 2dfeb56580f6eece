"""scipy.signal.resample_poly with its defaults (Kaiser β=5, half length 10·max(up, down)).
stdin: {"x": [...], "up", "down"}; stdout: {"y": [...]}."""
import json, sys
import numpy as np
from scipy.signal import resample_poly

a = json.load(sys.stdin)
y = resample_poly(np.asarray(a["x"], dtype=np.float64), a["up"], a["down"])
json.dump({"y": y.tolist()}, sys.stdout)
