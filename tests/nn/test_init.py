"""Initializers: the distributions (not the samples) must match torch.nn.init's."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

from dlbook.nn import init

SHAPE = (300, 200)  # (out, in): fan_in 200, fan_out 300
FAN_IN, FAN_OUT = 200, 300

# name -> (our call, torch call filling a tensor, standard deviation typed from torch's docs)
CASES = {
    "normal": (
        lambda r: init.normal(SHAPE, 0.0, 0.02, rng=r),
        lambda t: torch.nn.init.normal_(t, 0.0, 0.02),
        0.02,
    ),
    "uniform": (
        lambda r: init.uniform(SHAPE, -0.1, 0.1, rng=r),
        lambda t: torch.nn.init.uniform_(t, -0.1, 0.1),
        0.2 / math.sqrt(12),
    ),
    "xavier_uniform": (
        lambda r: init.xavier_uniform(SHAPE, rng=r),
        torch.nn.init.xavier_uniform_,
        math.sqrt(2 / (FAN_IN + FAN_OUT)),
    ),
    "xavier_normal": (
        lambda r: init.xavier_normal(SHAPE, gain=2.0, rng=r),
        lambda t: torch.nn.init.xavier_normal_(t, gain=2.0),
        2 * math.sqrt(2 / (FAN_IN + FAN_OUT)),
    ),
    "kaiming_uniform": (
        lambda r: init.kaiming_uniform(SHAPE, rng=r),
        torch.nn.init.kaiming_uniform_,
        math.sqrt(2 / FAN_IN),
    ),
    "kaiming_normal": (
        lambda r: init.kaiming_normal(SHAPE, rng=r),
        torch.nn.init.kaiming_normal_,
        math.sqrt(2 / FAN_IN),
    ),
    "kaiming_normal_fan_out_tanh": (
        lambda r: init.kaiming_normal(SHAPE, mode="fan_out", nonlinearity="tanh", rng=r),
        lambda t: torch.nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="tanh"),
        (5 / 3) / math.sqrt(FAN_OUT),
    ),
    "kaiming_uniform_leaky": (
        lambda r: init.kaiming_uniform(SHAPE, a=0.2, rng=r),
        lambda t: torch.nn.init.kaiming_uniform_(t, a=0.2),
        math.sqrt(2 / (1 + 0.04)) / math.sqrt(FAN_IN),
    ),
    "lecun_normal": (
        lambda r: init.lecun_normal(SHAPE, rng=r),
        lambda t: torch.nn.init.kaiming_normal_(t, nonlinearity="linear"),
        1 / math.sqrt(FAN_IN),
    ),
    "lecun_uniform": (
        lambda r: init.lecun_uniform(SHAPE, rng=r),
        lambda t: torch.nn.init.kaiming_uniform_(t, nonlinearity="linear"),
        1 / math.sqrt(FAN_IN),
    ),
}


def torch_sample(fill, seed=0):
    torch.manual_seed(seed)
    t = torch.empty(SHAPE, dtype=torch.float64)
    with torch.no_grad():
        fill(t)
    return t.numpy()


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_distribution_as_torch(name):
    ours_fn, torch_fn, std = CASES[name]
    ours, theirs = ours_fn(1).ravel(), torch_sample(torch_fn).ravel()
    n = ours.size
    # the sample standard deviation of n draws is within a few std/sqrt(n) of the true one
    for label, sample in (("ours", ours), ("torch", theirs)):
        assert abs(sample.std() - std) < 5 * std * math.sqrt(2 / n), (
            f"{name}: {label} std {sample.std()} vs {std}"
        )
        assert abs(sample.mean()) < 5 * std / math.sqrt(n), f"{name}: {label} mean {sample.mean()}"
    # and the two samples come from the same distribution (two-sample Kolmogorov-Smirnov)
    p_value = stats.ks_2samp(ours, theirs).pvalue
    assert p_value > 1e-4, f"{name}: KS test rejects equal distributions, p = {p_value:.2e}"


@pytest.mark.parametrize("name", [k for k in CASES if "uniform" in k])
def test_uniform_bounds_match_sqrt3_std(name):
    ours_fn, torch_fn, std = CASES[name]
    bound = math.sqrt(3) * std
    for sample in (ours_fn(2), torch_sample(torch_fn, 2)):
        assert np.abs(sample).max() <= bound
        assert np.abs(sample).max() > 0.99 * bound  # the bound is reached, not a smaller one


def test_trunc_normal_matches_torch_and_the_variance_formula():
    ours = init.trunc_normal(SHAPE, mean=0.5, std=2.0, a=-1.0, b=3.0, rng=0).ravel()
    theirs = torch_sample(lambda t: torch.nn.init.trunc_normal_(t, 0.5, 2.0, -1.0, 3.0)).ravel()
    assert ours.min() >= -1.0 and ours.max() <= 3.0
    alpha, beta = (-1.0 - 0.5) / 2.0, (3.0 - 0.5) / 2.0
    Z = stats.norm.cdf(beta) - stats.norm.cdf(alpha)
    pa, pb = stats.norm.pdf(alpha), stats.norm.pdf(beta)
    var = 4.0 * (1 + (alpha * pa - beta * pb) / Z - ((pa - pb) / Z) ** 2)
    assert stats.truncnorm(alpha, beta, loc=0.5, scale=2.0).var() == pytest.approx(var, rel=1e-10)
    for sample in (ours, theirs):
        assert abs(sample.var() - var) < 5 * var * math.sqrt(2 / sample.size) * 1.5
    assert stats.ks_2samp(ours, theirs).pvalue > 1e-4


@pytest.mark.parametrize("shape", [(5, 5), (3, 8), (8, 3), (4, 2, 3, 3)])
def test_orthogonal_like_torch(shape):
    q = init.orthogonal(shape, gain=1.5, rng=0)
    torch.manual_seed(0)
    qt = torch.nn.init.orthogonal_(torch.empty(shape, dtype=torch.float64), gain=1.5).numpy()
    for w in (q, qt):
        flat = w.reshape(shape[0], -1)
        rows, cols = flat.shape
        gram = flat @ flat.T if rows <= cols else flat.T @ flat
        np.testing.assert_allclose(gram, 1.5**2 * np.eye(min(rows, cols)), atol=1e-12,
                                   err_msg=f"not semi-orthogonal for shape {shape}")
    assert q.shape == qt.shape == shape


def test_orthogonal_entries_are_spread_like_torch():
    qs = np.concatenate([init.orthogonal((20, 20), rng=s).ravel() for s in range(50)])
    qt = []
    for s in range(50):
        torch.manual_seed(s)
        qt.append(
            torch.nn.init.orthogonal_(torch.empty(20, 20, dtype=torch.float64)).numpy().ravel()
        )
    assert stats.ks_2samp(qs, np.concatenate(qt)).pvalue > 1e-4  # e.g. no sign convention bias


@pytest.mark.parametrize("shape", [(10, 784), (16, 3, 5, 5), (4, 7, 2), (1, 1)])
def test_fans_match_torch(shape):
    assert init.calculate_fan_in_and_fan_out(shape) == torch.nn.init._calculate_fan_in_and_fan_out(
        torch.empty(shape)
    )


@pytest.mark.parametrize(
    "nl, param",
    [
        ("linear", None),
        ("conv2d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.3),
        ("selu", None),
    ],
)
def test_gain_matches_torch(nl, param):
    assert init.calculate_gain(nl, param) == pytest.approx(
        torch.nn.init.calculate_gain(nl, param), rel=1e-15
    )


def test_zeros_and_ones():
    assert init.zeros((2, 3)).shape == (2, 3) and not init.zeros((2, 3)).any()
    assert (init.ones(4) == 1).all()


def test_seeded_calls_repeat():
    np.testing.assert_array_equal(
        init.xavier_normal((4, 5), rng=3), init.xavier_normal((4, 5), rng=3)
    )


@pytest.mark.parametrize("call, match", [
    (lambda: init.xavier_uniform((5,)), "at least 2 dimensions"),
    (lambda: init.orthogonal((5,)), "at least 2 dimensions"),
    (lambda: init.kaiming_normal((3, 3), mode="fan_avg"), "mode"),
    (lambda: init.calculate_gain("swish"), "nonlinearity must be one of"),
    (lambda: init.normal((2, 2), std=0.0), "std"),
    (lambda: init.uniform((2,), 1.0, 0.0), "a <= b"),
    (lambda: init.trunc_normal((2,), mean=0.0, std=1.0, a=10.0, b=11.0), "almost none"),
    (lambda: init.zeros((2, -1)), "non-negative"),
])
def test_bad_arguments_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()
