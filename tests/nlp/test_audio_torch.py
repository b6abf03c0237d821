"""The torch audio features equal the NumPy reference."""

import numpy as np
import pytest
import torch

from dlbook.nlp import audio as A
from dlbook.nlp import audio_torch as T


@pytest.mark.parametrize("center", [True, False])
def test_features_agree(center):
    x = np.random.default_rng(0).normal(size=5000)
    tx = torch.tensor(x)
    np.testing.assert_allclose(T.stft(tx, 512, 160, 400, T.hann_window(400), center).numpy(),
                               A.stft(x, 512, 160, 400, A.hann_window(400), center),
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(T.spectrogram(tx, 256, 80, 200, center=center).numpy(),
                               A.spectrogram(x, 256, 80, 200, center=center), rtol=1e-10,
                               atol=1e-10)
    np.testing.assert_allclose(T.mel_filterbank(40, 512, 16000, 20.0, 7600.0).numpy(),
                               A.mel_filterbank(40, 512, 16000, 20.0, 7600.0), atol=1e-12)
    np.testing.assert_allclose(T.log_mel_spectrogram(tx).numpy(), A.log_mel_spectrogram(x),
                               rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(T.frame_signal(tx, 7, 3).numpy(), A.frame_signal(x, 7, 3))
    np.testing.assert_allclose(T.mel_to_hz(T.hz_to_mel(tx.abs())).numpy(), np.abs(x),
                               atol=1e-9)


def test_bad_inputs():
    with pytest.raises(ValueError, match="non-negative"):
        T.hz_to_mel(torch.tensor([-1.0]))
    with pytest.raises(ValueError, match="reflect padding"):
        T.stft(torch.zeros(4), 16)


@pytest.mark.gpu
def test_on_cuda():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    assert T.log_mel_spectrogram(torch.randn(16000, device="cuda")).device.type == "cuda"
