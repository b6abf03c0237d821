r"""Audio features on torch tensors (any device): the same functions as :mod:`dlbook.nlp.audio`,
with ``torch.stft`` doing the transform.

See Also
--------
dlbook.nlp.audio : the NumPy reference, with the formulas.
:ref:`ch-speech` : the chapter.
"""

from __future__ import annotations

import math

import torch

from dlbook import _checks

__all__ = ["hann_window", "frame_signal", "stft", "spectrogram", "hz_to_mel", "mel_to_hz",
           "mel_filterbank", "log_mel_spectrogram"]


def hann_window(window_length: int, periodic: bool = True, dtype=torch.float64, device=None):
    r"""The Hann window (``torch.hann_window``), float64 by default.

    Examples
    --------
    >>> hann_window(4)
    tensor([0.0000, 0.5000, 1.0000, 0.5000], dtype=torch.float64)
    """
    L = _checks.positive_int(window_length, "window_length")
    return torch.hann_window(L, periodic=_checks.boolean(periodic, "periodic"), dtype=dtype,
                             device=device)


def frame_signal(x, frame_length: int, hop_length: int):
    r"""Overlapping frames (n_frames, frame_length) of a 1-D signal (a view, by ``unfold``).

    Examples
    --------
    >>> frame_signal(torch.arange(7.0), 3, 2)
    tensor([[0., 1., 2.],
            [2., 3., 4.],
            [4., 5., 6.]])
    """
    a = _checks.real_tensor(x, "x", ndim=1)
    n = _checks.positive_int(frame_length, "frame_length")
    hop = _checks.positive_int(hop_length, "hop_length")
    if a.shape[0] < n:
        raise ValueError(f"x has {a.shape[0]} samples, fewer than one frame of {n}")
    return a.unfold(0, n, hop)


def stft(x, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
         window=None, center: bool = True):
    r"""``torch.stft(..., return_complex=True)`` with reflect padding: (n_fft // 2 + 1, n_frames).

    Examples
    --------
    >>> x = torch.cos(2 * math.pi * 2 * torch.arange(8.0, dtype=torch.float64) / 8)
    >>> stft(x, n_fft=8, hop_length=8, center=False).abs().round(decimals=6).ravel()
    tensor([0., 0., 4., 0., 0.], dtype=torch.float64)
    """
    a = _checks.real_tensor(x, "x", ndim=1)
    n_fft = _checks.positive_int(n_fft, "n_fft")
    hop = n_fft // 4 if hop_length is None else _checks.positive_int(hop_length, "hop_length")
    win_length = n_fft if win_length is None else _checks.int_value(win_length, "win_length",
                                                                    low=1, high=n_fft)
    w = torch.ones(win_length, dtype=a.dtype, device=a.device) if window is None else window
    _checks.check_shape(w, "window", (win_length,), "(win_length,)")
    center = _checks.boolean(center, "center")
    if center and a.shape[0] <= n_fft // 2:
        raise ValueError(f"x has {a.shape[0]} samples; reflect padding needs more than "
                         f"n_fft // 2 = {n_fft // 2}")
    return torch.stft(a, n_fft, hop, win_length, w.to(a), center=center, pad_mode="reflect",
                      return_complex=True)


def spectrogram(x, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
                power: float = 2.0, center: bool = True):
    r"""Power spectrogram :math:`|X|^p` with a periodic Hann window, (n_fft // 2 + 1, n_frames).

    Examples
    --------
    >>> x = torch.cos(2 * math.pi * 1000 * torch.arange(1600) / 16000)
    >>> int(spectrogram(x, 512, 160, 400)[:, 5].argmax()) * 16000 / 512
    1000.0
    """
    power = _checks.positive_real(power, "power")
    win_length = n_fft if win_length is None else win_length
    a = _checks.real_tensor(x, "x", ndim=1)
    w = hann_window(win_length, dtype=a.dtype, device=a.device)
    return stft(a, n_fft, hop_length, win_length, w, center).abs() ** power


def hz_to_mel(f):
    r"""HTK mel scale :math:`2595 \log_{10}(1 + f / 700)` of a tensor.

    Examples
    --------
    >>> hz_to_mel(torch.tensor([0.0, 1000.0], dtype=torch.float64)).round(decimals=2)
    tensor([  0.0000, 999.9900], dtype=torch.float64)
    """
    f = _checks.real_tensor(f, "f")
    if bool((f < 0).any()):
        raise ValueError("frequencies must be non-negative")
    return 2595.0 * torch.log10(1.0 + f / 700.0)


def mel_to_hz(m):
    r"""Inverse of :func:`hz_to_mel`: :math:`700 (10^{m / 2595} - 1)`.

    Examples
    --------
    >>> mel_to_hz(hz_to_mel(torch.tensor([440.0], dtype=torch.float64))).round(decimals=9)
    tensor([440.], dtype=torch.float64)
    """
    m = _checks.real_tensor(m, "m")
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def mel_filterbank(n_mels: int, n_fft: int, sample_rate: float, f_min: float = 0.0,
                   f_max: float | None = None, dtype=torch.float64, device=None):
    r"""Triangular mel filters, shape (n_mels, n_fft // 2 + 1); see
    :func:`dlbook.nlp.audio.mel_filterbank`.

    Examples
    --------
    >>> mel_filterbank(3, 16, 16000).shape
    torch.Size([3, 9])
    """
    n_mels = _checks.positive_int(n_mels, "n_mels")
    n_fft = _checks.positive_int(n_fft, "n_fft")
    sr = _checks.positive_real(sample_rate, "sample_rate")
    f_max = sr / 2 if f_max is None else _checks.real_value(f_max, "f_max", high=sr / 2)
    f_min = _checks.real_value(f_min, "f_min", low=0.0, high=f_max, high_open=True)
    freqs = torch.arange(n_fft // 2 + 1, dtype=dtype, device=device) * sr / n_fft
    m_lo, m_hi = (2595.0 * math.log10(1.0 + f / 700.0) for f in (f_min, f_max))
    points = mel_to_hz(torch.linspace(m_lo, m_hi, n_mels + 2, dtype=dtype, device=device))
    lower, peak, upper = points[:-2, None], points[1:-1, None], points[2:, None]
    rising = (freqs - lower) / (peak - lower)
    falling = (upper - freqs) / (upper - peak)
    return torch.clamp(torch.minimum(rising, falling), min=0.0)


def log_mel_spectrogram(x, sample_rate: float = 16000, n_fft: int = 512, hop_length: int = 160,
                        win_length: int = 400, n_mels: int = 40, eps: float = 1e-10):
    r"""Log-mel features :math:`\log(H |X|^2 + \epsilon)`, shape (n_mels, n_frames).

    Examples
    --------
    >>> log_mel_spectrogram(torch.randn(16000)).shape
    torch.Size([40, 101])
    """
    eps = _checks.positive_real(eps, "eps")
    power = spectrogram(x, n_fft, hop_length, win_length)
    fb = mel_filterbank(n_mels, n_fft, sample_rate, dtype=power.dtype, device=power.device)
    return torch.log(fb @ power + eps)
