"""Power-law fits recover known laws (with and without an irreducible loss), and 6ND."""

import numpy as np
import pytest

from dlbook.transformer.scaling import PowerLaw, fit_power_law, training_flops


def test_recovers_a_pure_power_law_with_noise():
    rng = np.random.default_rng(0)
    x = np.logspace(3, 7, 12)
    y = 40 * x ** -0.3 * np.exp(rng.normal(scale=0.01, size=12))
    law = fit_power_law(x, y)
    assert law.alpha == pytest.approx(0.3, abs=0.01)
    assert law.a == pytest.approx(40, rel=0.1)
    assert law.rmse_log < 0.02


def test_recovers_the_irreducible_loss():
    x = np.logspace(4, 8, 10)
    y = 25 * x ** -0.35 + 1.7
    law = fit_power_law(x, y, irreducible=True)
    assert law.c == pytest.approx(1.7, abs=0.02)
    assert law.alpha == pytest.approx(0.35, abs=0.02)
    np.testing.assert_allclose(law(x), y, rtol=1e-2)
    assert fit_power_law(x, y).rmse_log > law.rmse_log        # without c the fit is worse


def test_power_law_call_and_flops():
    assert PowerLaw(1.0, 1.0, 0.0, 0.0)(np.array([1.0, 2.0])).tolist() == [1.0, 0.5]
    assert training_flops(2, 3) == 36.0


def test_bad_input():
    with pytest.raises(ValueError, match="at least 3 points"):
        fit_power_law([1, 2], [1, 2], irreducible=True)
    with pytest.raises(ValueError, match="must be positive"):
        fit_power_law([1, 0], [1, 2])
    with pytest.raises(ValueError, match=r"x has shape \(2,\) but y has \(3,\)"):
        fit_power_law([1, 2], [1, 2, 3])
