"""Helpers every chapter uses (dlbook.utils): the device choice, seeding every generator, and
torch's default dtype inside a block."""

import random

import numpy as np
import pytest
import torch

from dlbook.utils import float64_default, get_device, seed_everything


def test_cpu_is_always_there_and_the_environment_can_force_it(monkeypatch):
    assert get_device("cpu") == torch.device("cpu")
    monkeypatch.setenv("DLBOOK_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")
    monkeypatch.delenv("DLBOOK_DEVICE")
    assert get_device().type in ("cuda", "mps", "cpu")


def test_unknown_or_missing_devices_are_refused():
    with pytest.raises(ValueError, match="prefer must be one of"):
        get_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="not available"):
            get_device("cuda")


def test_seed_everything_repeats_every_generator():
    def draw(seed):
        rng = seed_everything(seed)
        return (random.random(), np.random.random(), torch.rand(1).item(), rng.random())

    assert draw(3) == draw(3)
    assert draw(3) != draw(4)
    with pytest.raises(TypeError, match="seed must be an int"):
        seed_everything(1.5)
    with pytest.raises(ValueError, match="seed must be in"):
        seed_everything(-1)


def test_float64_default_restores_the_previous_dtype_even_after_an_error():
    before = torch.get_default_dtype()
    with float64_default():
        assert torch.tensor(1.0).dtype == torch.float64
    assert torch.get_default_dtype() == before
    with pytest.raises(RuntimeError):
        with float64_default():
            raise RuntimeError("inside")
    assert torch.get_default_dtype() == before


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_is_chosen_first_when_there_is_one(monkeypatch):
    monkeypatch.delenv("DLBOOK_DEVICE", raising=False)
    assert get_device().type == "cuda" and get_device("cuda").type == "cuda"
