"""numpy/scipy timings for bench/dsp.ts: the same STFT, mel and resampling work
on 3 minutes of stereo 44.1 kHz audio. Prints {"name": seconds, ...} (best of 3)."""
import json, sys, time
import numpy as np
import scipy.signal

sr, seconds = 44100, float(sys.argv[1]) if len(sys.argv) > 1 else 180.0
rng = np.random.default_rng(0)
x = (0.1 * rng.standard_normal((2, int(sr * seconds)))).astype(np.float32)
n_fft, hop = 2048, 512
win = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float32)

def stft_numpy(y):
    yp = np.pad(y, n_fft // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(yp, n_fft)[::hop]
    return np.fft.rfft(frames * win, axis=1)

# Mel filterbank (128 Slaney bands), as a dense matrix, as librosa applies it.
def hz_to_mel(f):
    f = np.asanyarray(f, float)
    return np.where(f >= 1000, 15 + np.log(np.maximum(f, 1e-9) / 1000) / (np.log(6.4) / 27), f * 3 / 200)
def mel_to_hz(m):
    return np.where(m >= 15, 1000 * np.exp(np.log(6.4) / 27 * (m - 15)), m * 200 / 3)
mf = mel_to_hz(np.linspace(0, hz_to_mel(sr / 2), 130))
ff = np.linspace(0, sr / 2, n_fft // 2 + 1)
ramps = np.subtract.outer(mf, ff)
fb = np.maximum(0, np.minimum(-ramps[:-2] / np.diff(mf)[:-1, None], ramps[2:] / np.diff(mf)[1:, None]))
fb = (fb * (2 / (mf[2:] - mf[:-2]))[:, None]).astype(np.float32)

def best(fn, reps=3):
    t = []
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); t.append(time.perf_counter() - t0)
    return min(t)

out = {
    "stft_numpy": best(lambda: [stft_numpy(c) for c in x]),
    "stft_scipy": best(lambda: scipy.signal.stft(x, nperseg=n_fft, noverlap=n_fft - hop, window="hann", boundary="even", padded=False)),
    "mel_numpy": best(lambda: [fb @ (np.abs(stft_numpy(c)) ** 2).T for c in x]),
    "resample_scipy": best(lambda: scipy.signal.resample_poly(x, 1, 2, axis=1)),
}
json.dump(out, sys.stdout)
