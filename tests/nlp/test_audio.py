"""Audio features in NumPy against torch.stft, scipy.signal and hand-checkable cases."""

import numpy as np
import pytest
import scipy.signal
import torch

from dlbook.nlp import audio as A


@pytest.mark.parametrize("n_fft, hop, win, center", [
    (512, 160, 400, True), (512, 160, 400, False), (256, 64, None, True), (64, 17, 31, True),
    (8, 8, 8, False), (400, 160, 400, True)])
def test_stft_equals_torch_stft(n_fft, hop, win, center):
    x = np.random.default_rng(0).normal(size=3001)
    w = A.hann_window(win or n_fft)
    ours = A.stft(x, n_fft, hop, win, w, center)
    theirs = torch.stft(torch.tensor(x), n_fft, hop, win, torch.tensor(w), center=center,
                        pad_mode="reflect", return_complex=True).numpy()
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


def test_hann_window_equals_torch_and_scipy():
    for n in (1, 2, 7, 400):
        np.testing.assert_allclose(A.hann_window(n), torch.hann_window(n, dtype=torch.float64),
                                   atol=1e-15)
        np.testing.assert_allclose(A.hann_window(n), scipy.signal.get_window("hann", n),
                                   atol=1e-15)
        np.testing.assert_allclose(A.hann_window(n, periodic=False),
                                   scipy.signal.windows.hann(n, sym=True), atol=1e-15)


def test_spectrogram_equals_scipy():
    # scipy.signal.spectrogram(mode="complex", scaling="spectrum") divides the STFT by the
    # window's sum and frames without padding, as center=False does.
    # Our 400-sample window sits in the middle of each 512-sample frame (56 samples in), as
    # torch's does; scipy's starts at the frame's first sample.  Padding 56 zeros in front
    # lines the windows up; the phase differs, the magnitudes agree.
    x = np.random.default_rng(1).normal(size=4000)
    ours = A.spectrogram(np.pad(x, 56), n_fft=512, hop_length=160, win_length=400,
                         center=False)
    f, t, Z = scipy.signal.spectrogram(x, fs=16000, window="hann", nperseg=400, noverlap=240,
                                       nfft=512, detrend=False, mode="complex",
                                       scaling="spectrum")
    w = scipy.signal.get_window("hann", 400)
    assert ours.shape == Z.shape == (257, 23)
    np.testing.assert_allclose(ours, np.abs(Z * w.sum()) ** 2, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(f, np.arange(257) * 16000 / 512)


def test_frame_signal_and_sizes():
    x = np.arange(10.0)
    fr = A.frame_signal(x, 4, 3)
    np.testing.assert_array_equal(fr, [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]])
    assert A.stft(np.zeros(16000), 512, 160).shape == (257, 101)     # 1 + 16000 // 160
    with pytest.raises(ValueError, match="fewer than one frame"):
        A.frame_signal(np.zeros(3), 4, 1)


def test_parseval_on_one_frame():
    # A rectangular window and one frame: sum |X_k|^2 over the full spectrum = n_fft sum x^2.
    x = np.random.default_rng(2).normal(size=64)
    X = A.stft(x, 64, 64, center=False)[:, 0]
    full = np.abs(X[0]) ** 2 + np.abs(X[-1]) ** 2 + 2 * np.sum(np.abs(X[1:-1]) ** 2)
    np.testing.assert_allclose(full, 64 * np.sum(x ** 2), rtol=1e-12)


def test_mel_scale_and_filters_by_hand():
    np.testing.assert_allclose(A.hz_to_mel(np.array([0.0, 700.0])),
                               [0.0, 2595 * np.log10(2)], rtol=1e-15)
    np.testing.assert_allclose(A.mel_to_hz(A.hz_to_mel(np.linspace(0, 8000, 9))),
                               np.linspace(0, 8000, 9), atol=1e-9)
    sr, n_fft, n_mels = 16000, 512, 40
    fb = A.mel_filterbank(n_mels, n_fft, sr)
    freqs = np.arange(257) * sr / n_fft
    edges = A.mel_to_hz(np.linspace(0, A.hz_to_mel(8000.0), n_mels + 2))
    for m in range(n_mels):                      # one filter at a time, from the definition
        lo, mid, hi = edges[m], edges[m + 1], edges[m + 2]
        want = [(f - lo) / (mid - lo) if lo <= f <= mid else
                (hi - f) / (hi - mid) if mid < f <= hi else 0.0 for f in freqs]
        np.testing.assert_allclose(fb[m], want, atol=1e-12, err_msg=f"filter {m}")
    # the filters overlap by half: between the first and last peaks they sum to 1
    inside = (freqs >= edges[1]) & (freqs <= edges[-2])
    np.testing.assert_allclose(fb.sum(0)[inside], 1.0, atol=1e-9)
    # equal widths in mel mean wider and wider filters in Hz
    widths = np.diff(edges)
    assert np.all(np.diff(widths) > 0)


def test_log_mel_finds_a_tone_in_the_right_band():
    sr = 16000
    t = np.arange(sr) / sr
    feats = A.log_mel_spectrogram(np.sin(2 * np.pi * 2000 * t), sr)
    edges = A.mel_to_hz(np.linspace(0, A.hz_to_mel(8000.0), 42))
    band = int(np.argmax(feats[:, 50]))
    assert edges[band] < 2000 < edges[band + 2]
    silent = A.log_mel_spectrogram(np.zeros(sr), sr, eps=1e-10)
    np.testing.assert_allclose(silent, np.log(1e-10))


def test_bad_inputs():
    with pytest.raises(ValueError, match="window must have shape"):
        A.stft(np.zeros(100), 16, 4, 8, np.ones(9))
    with pytest.raises(ValueError, match="win_length must be <= 16"):
        A.stft(np.zeros(100), 16, 4, 32)
    with pytest.raises(ValueError, match="non-negative"):
        A.hz_to_mel(-1.0)
    with pytest.raises(ValueError, match="f_max must be <= 8000"):
        A.mel_filterbank(40, 512, 16000, f_max=9000)
