r"""Audio features for speech recognition: framing, the short-time Fourier transform, the
spectrogram, the mel filter bank and log-mel features.

A recognizer does not read 16,000 samples a second; it reads a short description of each
*frame* of about 25 ms, taken every 10 ms.  Each frame is multiplied by a window (Hann), its
discrete Fourier transform gives the frequencies present in it (the STFT), and the squared
magnitudes over time form the *spectrogram*.  Triangular filters spaced evenly on the *mel*
scale (which follows the ear: fine at low frequencies, coarse at high ones) pool the spectrogram
into a few dozen bands, and a logarithm compresses their range: the *log-mel features*.

Conventions are torch's (``torch.stft``): output (n_fft // 2 + 1, n_frames), frames centred on
``t * hop_length`` with reflect padding when ``center=True``, a periodic Hann window, and the
HTK mel scale without filter normalization (``torchaudio``'s ``melscale_fbanks`` defaults).

See Also
--------
dlbook.nlp.audio_torch : the PyTorch twin.
:ref:`ch-speech` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook import _checks

__all__ = ["hann_window", "frame_signal", "stft", "spectrogram", "hz_to_mel", "mel_to_hz",
           "mel_filterbank", "log_mel_spectrogram"]


def hann_window(window_length: int, periodic: bool = True) -> np.ndarray:
    r"""The Hann window :math:`w_n = \tfrac12 - \tfrac12 \cos(2\pi n / M)`, :math:`n < L`.

    ``periodic=True`` uses :math:`M = L` (the window for spectral analysis, as
    ``torch.hann_window``); ``False`` uses :math:`M = L - 1` (symmetric, ends at 0).

    Examples
    --------
    >>> hann_window(4)
    array([0. , 0.5, 1. , 0.5])
    >>> hann_window(5, periodic=False)
    array([0. , 0.5, 1. , 0.5, 0. ])
    """
    L = _checks.positive_int(window_length, "window_length")
    _checks.boolean(periodic, "periodic")
    if L == 1:
        return np.ones(1)                                   # as torch and scipy
    M = L if periodic else L - 1
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(L) / M)


def frame_signal(x, frame_length: int, hop_length: int) -> np.ndarray:
    r"""Cut a signal into overlapping frames: row :math:`t` is ``x[t*hop : t*hop + frame_length]``.

    Parameters
    ----------
    x : array_like of shape (n_samples,)
    frame_length, hop_length : int

    Returns
    -------
    ndarray of shape (1 + (n_samples - frame_length) // hop_length, frame_length)
        A read-only view (no copy).

    Raises
    ------
    ValueError
        If the signal is shorter than one frame.

    Examples
    --------
    >>> frame_signal(np.arange(7.0), 3, 2)
    array([[0., 1., 2.],
           [2., 3., 4.],
           [4., 5., 6.]])
    """
    a = _checks.finite_array(x, "x", ndim=1)
    n = _checks.positive_int(frame_length, "frame_length")
    hop = _checks.positive_int(hop_length, "hop_length")
    if a.shape[0] < n:
        raise ValueError(f"x has {a.shape[0]} samples, fewer than one frame of {n}")
    frames = np.lib.stride_tricks.sliding_window_view(a, n)          # (n_samples - n + 1, n)
    return frames[::hop]


def stft(x, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
         window=None, center: bool = True) -> np.ndarray:
    r"""Short-time Fourier transform, as ``torch.stft(..., return_complex=True)``.

    Parameters
    ----------
    x : array_like of shape (n_samples,)
    n_fft : int
        Length of each DFT; frequencies :math:`k \cdot \text{sr} / n_\text{fft}`,
        :math:`k = 0 \dots n_\text{fft}/2`.
    hop_length : int, default ``n_fft // 4``
    win_length : int, default ``n_fft``
        The window is zero-padded on both sides to ``n_fft`` (centred), as in torch.
    window : array_like of shape (win_length,), optional
        Default: a rectangular window of ones (torch's default; pass :func:`hann_window`).
    center : bool, default True
        Pad ``n_fft // 2`` samples by reflection on both ends, so frame :math:`t` is centred
        on sample :math:`t \cdot \text{hop}`.

    Returns
    -------
    ndarray of complex128, shape (n_fft // 2 + 1, n_frames)

    Notes
    -----
    .. math:: X[k, t] = \sum_{n=0}^{n_\text{fft}-1} w[n]\, x[t h + n]\,
              e^{-2\pi i k n / n_\text{fft}}

    Examples
    --------
    A cosine of 2 cycles per 8 samples lands in bin 2, with half its energy there (the other
    half is the negative frequency, not stored):

    >>> x = np.cos(2 * np.pi * 2 * np.arange(8) / 8)
    >>> np.abs(stft(x, n_fft=8, hop_length=8, center=False)).round(6).ravel()
    array([0., 0., 4., 0., 0.])
    """
    a = _checks.finite_array(x, "x", ndim=1)
    n_fft = _checks.positive_int(n_fft, "n_fft")
    hop = n_fft // 4 if hop_length is None else _checks.positive_int(hop_length, "hop_length")
    win_length = n_fft if win_length is None else _checks.int_value(win_length, "win_length",
                                                                    low=1, high=n_fft)
    w = np.ones(win_length) if window is None else _checks.finite_array(window, "window", ndim=1)
    _checks.check_shape(w, "window", (win_length,), "(win_length,)")
    left = (n_fft - win_length) // 2
    w = np.pad(w, (left, n_fft - win_length - left))                    # (n_fft,)
    if _checks.boolean(center, "center"):
        if a.shape[0] <= n_fft // 2:
            raise ValueError(f"x has {a.shape[0]} samples; reflect padding needs more than "
                             f"n_fft // 2 = {n_fft // 2}")
        a = np.pad(a, n_fft // 2, mode="reflect")
    frames = frame_signal(a, n_fft, hop)                                # (n_frames, n_fft)
    return np.fft.rfft(frames * w, axis=-1).T                           # (n_fft//2+1, n_frames)


def spectrogram(x, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
                power: float = 2.0, center: bool = True) -> np.ndarray:
    r"""Power spectrogram :math:`|X[k, t]|^p` with a periodic Hann window of ``win_length``.

    Returns
    -------
    ndarray of shape (n_fft // 2 + 1, n_frames)

    Examples
    --------
    >>> x = np.cos(2 * np.pi * 1000 * np.arange(1600) / 16000)        # 1 kHz, 0.1 s
    >>> S = spectrogram(x, n_fft=512, hop_length=160, win_length=400)
    >>> S.shape, int(S[:, 5].argmax()) * 16000 / 512                    # the peak is at 1 kHz
    ((257, 11), 1000.0)
    """
    power = _checks.positive_real(power, "power")
    win_length = n_fft if win_length is None else win_length
    X = stft(x, n_fft, hop_length, win_length, hann_window(win_length), center)
    return np.abs(X) ** power


def hz_to_mel(f):
    r"""HTK mel scale :math:`m = 2595 \log_{10}(1 + f / 700)`.

    Examples
    --------
    >>> round(float(hz_to_mel(1000.0)), 2)          # about 1000 mel at 1000 Hz, by design
    999.99
    """
    f = _checks.finite_array(f, "f")
    if np.any(f < 0):
        raise ValueError("frequencies must be non-negative")
    out = 2595.0 * np.log10(1.0 + f / 700.0)
    return out if out.ndim else float(out)


def mel_to_hz(m):
    r"""Inverse of :func:`hz_to_mel`: :math:`f = 700 (10^{m / 2595} - 1)`.

    Examples
    --------
    >>> round(float(mel_to_hz(hz_to_mel(440.0))), 9)
    440.0
    """
    m = _checks.finite_array(m, "m")
    out = 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    return out if out.ndim else float(out)


def mel_filterbank(n_mels: int, n_fft: int, sample_rate: float, f_min: float = 0.0,
                   f_max: float | None = None) -> np.ndarray:
    r"""Triangular filters evenly spaced on the mel scale, shape (n_mels, n_fft // 2 + 1).

    Parameters
    ----------
    n_mels : int
    n_fft : int
    sample_rate : float
    f_min, f_max : float
        Frequency range; ``f_max`` defaults to the Nyquist frequency ``sample_rate / 2``.

    Returns
    -------
    ndarray of shape (n_mels, n_fft // 2 + 1)
        Row :math:`m` is the triangle over the bin frequencies
        :math:`f_k = k\,\text{sr}/n_\text{fft}`.

    Notes
    -----
    With :math:`n_\text{mels} + 2` points :math:`p_0 < \dots < p_{n+1}` evenly spaced in mel
    between ``f_min`` and ``f_max`` and converted back to Hz,

    .. math:: H_m(f) = \max\Bigl(0, \min\Bigl(\frac{f - p_{m}}{p_{m+1} - p_{m}},
              \frac{p_{m+2} - f}{p_{m+2} - p_{m+1}}\Bigr)\Bigr),

    a triangle rising from :math:`p_m` to a peak of 1 at :math:`p_{m+1}` and back to 0 at
    :math:`p_{m+2}` (0-based :math:`m`).  Neighbouring triangles overlap by half.

    Examples
    --------
    >>> fb = mel_filterbank(n_mels=3, n_fft=16, sample_rate=16000)
    >>> fb.shape, bool(np.all(fb.max(axis=1) <= 1.0))
    ((3, 9), True)
    """
    n_mels = _checks.positive_int(n_mels, "n_mels")
    n_fft = _checks.positive_int(n_fft, "n_fft")
    sr = _checks.positive_real(sample_rate, "sample_rate")
    f_max = sr / 2 if f_max is None else _checks.real_value(f_max, "f_max", high=sr / 2)
    f_min = _checks.real_value(f_min, "f_min", low=0.0, high=f_max, high_open=True)
    freqs = np.arange(n_fft // 2 + 1) * sr / n_fft                        # (K,)
    points = mel_to_hz(np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2))
    lower, peak, upper = points[:-2, None], points[1:-1, None], points[2:, None]
    rising = (freqs - lower) / (peak - lower)                             # (n_mels, K)
    falling = (upper - freqs) / (upper - peak)
    return np.maximum(0.0, np.minimum(rising, falling))


def log_mel_spectrogram(x, sample_rate: float = 16000, n_fft: int = 512, hop_length: int = 160,
                        win_length: int = 400, n_mels: int = 40,
                        eps: float = 1e-10) -> np.ndarray:
    r"""Log-mel features :math:`\log(H\, |X|^2 + \epsilon)`, shape (n_mels, n_frames).

    The defaults are the usual ones for 16 kHz speech: 25 ms windows (400 samples) every 10 ms
    (160), a 512-point FFT and 40 mel bands up to 8 kHz.  ``eps`` keeps silent bands finite.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=16000)                  # 1 s of white noise
    >>> log_mel_spectrogram(x).shape                                       # 100 frames a second
    (40, 101)
    """
    eps = _checks.positive_real(eps, "eps")
    power = spectrogram(x, n_fft, hop_length, win_length)                  # (K, T)
    return np.log(mel_filterbank(n_mels, n_fft, sample_rate) @ power + eps)
