"""Reference STFT in numpy: centre (reflect) padding, window padded to n_fft at the centre.
stdin: {"x": [...], "n_fft": int, "hop": int, "win": [...]}; stdout: frames × bins, frame-major."""
import json, sys
import numpy as np

a = json.load(sys.stdin)
x = np.asarray(a["x"], dtype=np.float64)
n_fft, hop = a["n_fft"], a["hop"]
win = np.asarray(a["win"], dtype=np.float64)
lpad = (n_fft - len(win)) // 2
w = np.zeros(n_fft)
w[lpad:lpad + len(win)] = win
xp = np.pad(x, n_fft // 2, mode="reflect")
n_frames = 1 + (len(xp) - n_fft) // hop
frames = np.stack([xp[t * hop:t * hop + n_fft] * w for t in range(n_frames)])
D = np.fft.rfft(frames, axis=1)
json.dump({"re": D.real.ravel().tolist(), "im": D.imag.ravel().tolist(), "shape": list(D.shape)}, sys.stdout)
