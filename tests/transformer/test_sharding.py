"""ZeRO memory arithmetic against the paper's figure and its own limits."""

import pytest

from dlbook.transformer.sharding import zero_memory_per_device


def test_the_zero_paper_example():
    """Rajbhandari et al. (2020), figure 1: 7.5B parameters, 64 GPUs: 120, 31.4, 16.6, 1.9 GB."""
    got = [zero_memory_per_device(7.5e9, 64, s) / 1e9 for s in range(4)]
    assert got == pytest.approx([120.0, 31.40625, 16.640625, 1.875])


@pytest.mark.parametrize("stage", [0, 1, 2, 3])
def test_one_device_shards_nothing(stage):
    assert zero_memory_per_device(1000, 1, stage) == 16_000


def test_stages_only_save_and_stage_three_divides_everything():
    values = [zero_memory_per_device(1e6, 8, s) for s in range(4)]
    assert values == sorted(values, reverse=True)
    assert values[3] == pytest.approx(16e6 / 8)
    assert zero_memory_per_device(1e6, 8, 3, param_bytes=4, grad_bytes=4,
                                  optimizer_bytes=8) == pytest.approx(2e6)


def test_bad_input():
    with pytest.raises(ValueError, match="stage must be one of"):
        zero_memory_per_device(10, 2, 4)
    with pytest.raises(ValueError, match="world_size must be >= 1"):
        zero_memory_per_device(10, 0, 1)
