"""Reference mel filterbank in numpy, written from librosa 0.10's filters.mel
(Slaney or HTK scale, Slaney area normalisation).
stdin: {"sr", "n_fft", "n_mels", "fmin", "fmax", "htk"}; stdout: {"weights": n_mels × (n_fft/2+1), row-major}."""
import json, sys
import numpy as np

a = json.load(sys.stdin)
sr, n_fft, n_mels, fmin, fmax, htk = a["sr"], a["n_fft"], a["n_mels"], a["fmin"], a["fmax"], a["htk"]

def hz_to_mel(f):
    f = np.asanyarray(f, dtype=float)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-12) / min_log_hz) / logstep, mels)

def mel_to_hz(m):
    m = np.asanyarray(m, dtype=float)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)

fftfreqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
fdiff = np.diff(mel_f)
ramps = np.subtract.outer(mel_f, fftfreqs)
w = np.zeros((n_mels, len(fftfreqs)))
for i in range(n_mels):
    w[i] = np.maximum(0, np.minimum(-ramps[i] / fdiff[i], ramps[i + 2] / fdiff[i + 1]))
w *= (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, None]
json.dump({"weights": w.ravel().tolist()}, sys.stdout)
