"""Beam search against exhaustive enumeration and greedy decoding; the torch twin against NumPy."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nlp import beam_search_torch
from dlbook.nlp.beam_search import beam_search, exhaustive_search, greedy_search

EOS, BOS = 0, -1


def toy_model(V, seed, context=0):
    """A random conditional LM whose next-token distribution depends on the whole prefix."""
    rng = np.random.default_rng(seed)
    table = {}
    ctx_shift = rng.normal(size=V) * context

    def logp_of(prefix):
        key = tuple(prefix)
        if key not in table:
            logits = rng.normal(scale=2.0, size=V) + ctx_shift
            table[key] = logits - np.logaddexp.reduce(logits)
        return table[key]

    def step(prefixes):
        assert all(p[0] == BOS for p in prefixes)
        return np.stack([logp_of(p) for p in prefixes])

    return step


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 4), st.integers(1, 4), st.integers(0, 10_000),
       st.sampled_from([0.0, 0.7, 1.0]))
def test_wide_beam_equals_exhaustive(V, max_len, seed, alpha):
    step = toy_model(V, seed)
    exact = exhaustive_search(step, BOS, EOS, max_len, alpha)
    beam = beam_search(step, BOS, EOS, beam_width=V ** max_len, max_len=max_len, alpha=alpha)
    assert beam[0][0] == exact[0][0], (beam[0], exact[0])
    assert math.isclose(beam[0][1], exact[0][1], rel_tol=1e-12)
    # nothing pruned: the beam returns every complete sequence, in the same order
    assert [t for t, _ in beam] == [t for t, _ in exact]


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 6), st.integers(1, 6), st.integers(0, 10_000))
def test_width_one_is_greedy(V, max_len, seed):
    step = toy_model(V, seed)
    toks, s = greedy_search(step, BOS, EOS, max_len)
    out = beam_search(step, BOS, EOS, beam_width=1, max_len=max_len, alpha=0.0)
    assert len(out) == 1
    assert out[0][0] == toks
    assert math.isclose(out[0][1], s, rel_tol=1e-12)


def test_alpha_zero_gives_raw_sums_and_tokens_layout():
    V, max_len = 4, 3
    step = toy_model(V, 3)
    for toks, score in beam_search(step, BOS, EOS, beam_width=3, max_len=max_len, alpha=0.0):
        prefix, total = [BOS], 0.0
        for t in toks:
            total += step([prefix])[0][t]
            prefix = prefix + [t]
        assert math.isclose(score, total, rel_tol=1e-12)
        assert EOS not in toks[:-1]                       # eos only at the end
        assert toks[-1] == EOS or len(toks) == max_len


def test_length_normalization_formula():
    step = toy_model(5, 11)
    raw = dict((tuple(t), s) for t, s in beam_search(step, BOS, EOS, 4, 4, alpha=0.0))
    for t, s in beam_search(step, BOS, EOS, 4, 4, alpha=0.7):
        assert math.isclose(s, raw[tuple(t)] / len(t) ** 0.7, rel_tol=1e-12)


def test_greedy_can_be_wrong_and_beam_fixes_it():
    """P(a)=0.6 but every continuation of a is poor; P(b)=0.4 then eos with 0.9."""
    table = {(BOS,): [0.0, 0.6, 0.4], (BOS, 1): [0.3, 0.35, 0.35], (BOS, 2): [0.9, 0.05, 0.05]}

    def step(prefixes):
        with np.errstate(divide="ignore"):      # P(eos first) = 0: log 0 = -inf is allowed
            return np.log([table.get(tuple(p), [1.0, 1e-9, 1e-9]) for p in prefixes])

    toks, s = greedy_search(step, BOS, EOS, max_len=2)
    assert toks == [1, 1] and math.isclose(math.exp(s), 0.6 * 0.35)
    best = beam_search(step, BOS, EOS, beam_width=2, max_len=2, alpha=0.0)[0]
    assert best[0] == [2, EOS] and math.isclose(math.exp(best[1]), 0.4 * 0.9)


@pytest.mark.parametrize("kwargs, match", [
    (dict(beam_width=0, max_len=3), "beam_width"),
    (dict(beam_width=1.5, max_len=3), "beam_width"),
    (dict(beam_width=2, max_len=0), "max_len"),
    (dict(beam_width=2, max_len=2, alpha=float("nan")), "alpha"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        beam_search(toy_model(3, 0), BOS, EOS, **kwargs)
    with pytest.raises(ValueError, match=match):
        beam_search_torch.beam_search(lambda p, r: torch.zeros(len(p), 3), 3, EOS, **kwargs)


def test_wrong_step_shape():
    with pytest.raises(ValueError, match="step_fn returned shape"):
        beam_search(lambda p: np.zeros(3), BOS, EOS, 2, 2)
    with pytest.raises(ValueError, match="step_fn returned shape"):
        beam_search_torch.beam_search(lambda p, r: torch.zeros(3), 3, EOS, 2, 2)


class TorchToyLM(torch.nn.Module):
    """A small recurrent conditional LM in float64: the source is a per-input context vector."""

    def __init__(self, V, n_inputs, d=8, seed=0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.emb = torch.nn.Parameter(torch.randn(V + 1, d, generator=g, dtype=torch.float64))
        self.ctx = torch.nn.Parameter(torch.randn(n_inputs, d, generator=g,
                                                  dtype=torch.float64))
        self.out = torch.nn.Parameter(2 * torch.randn(d, V, generator=g, dtype=torch.float64))

    def forward(self, prefixes, rows):                   # (M, t), (M,) -> (M, V)
        h = self.ctx[rows]
        for t in range(prefixes.shape[1]):
            h = torch.tanh(h + self.emb[prefixes[:, t]])
        return torch.log_softmax(h @ self.out, dim=-1)


@pytest.mark.parametrize("V, width, max_len, alpha", [(5, 1, 6, 0.7), (5, 3, 6, 0.7),
                                                      (4, 8, 5, 0.0), (7, 4, 7, 1.0)])
def test_torch_batch_equals_numpy_per_input(V, width, max_len, alpha):
    n_inputs, bos = 6, V                                   # bos is an extra embedding row
    model = TorchToyLM(V, n_inputs, seed=V + width)
    with torch.no_grad():
        batched = beam_search_torch.beam_search(model, bos, EOS, width, max_len, alpha,
                                                batch_size=n_inputs)
        for i in range(n_inputs):
            def step(prefixes, i=i):
                p = torch.tensor(prefixes, dtype=torch.long)
                return model(p, torch.full((len(prefixes),), i)).numpy()
            ref = beam_search(step, bos, EOS, width, max_len, alpha)
            assert [t for t, _ in batched[i]] == [t for t, _ in ref], i
            np.testing.assert_allclose([s for _, s in batched[i]], [s for _, s in ref],
                                       rtol=1e-12, err_msg=f"input {i}")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_torch_on_cuda_equals_cpu():
    model = TorchToyLM(6, 4, seed=1)
    with torch.no_grad():
        cpu = beam_search_torch.beam_search(model, 6, EOS, 3, 6, batch_size=4)
        model = model.cuda()
        gpu = beam_search_torch.beam_search(model, 6, EOS, 3, 6, batch_size=4, device="cuda")
    for a, b in zip(cpu, gpu):
        assert [t for t, _ in a] == [t for t, _ in b]
        np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=1e-9)
