"""The batched torch decoder against the NumPy beam search, input by input."""

import numpy as np
import pytest
import torch

from dlbook.nlp.batched_beam_search_torch import batched_beam_search
from dlbook.nlp.beam_search import beam_search

EOS = 0


class TorchToyLM(torch.nn.Module):
    """A small recurrent conditional LM in float64: the source is a per-input context vector."""

    def __init__(self, V, n_inputs, d=8, seed=0, eos_bias=0.0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.emb = torch.nn.Parameter(torch.randn(V + 1, d, generator=g, dtype=torch.float64))
        self.ctx = torch.nn.Parameter(torch.randn(n_inputs, d, generator=g,
                                                  dtype=torch.float64))
        self.out = torch.nn.Parameter(2 * torch.randn(d, V, generator=g, dtype=torch.float64))
        self.bias = torch.zeros(V, dtype=torch.float64)
        self.bias[EOS] = eos_bias

    def forward(self, prefixes, rows):                   # (M, t), (M,) -> (M, V)
        h = self.ctx[rows]
        for t in range(prefixes.shape[1]):
            h = torch.tanh(h + self.emb[prefixes[:, t]])
        return torch.log_softmax(h @ self.out + self.bias, dim=-1)


@pytest.mark.parametrize("V, width, max_len, alpha, eos_bias", [
    (5, 1, 6, 0.7, 0.0), (5, 3, 6, 0.7, 0.0), (4, 8, 5, 0.0, 0.0), (7, 4, 7, 1.0, 0.0),
    (5, 3, 8, 0.7, 1.5), (6, 2, 4, 0.7, -3.0), (3, 27, 3, 0.7, 0.0)])
def test_batch_equals_numpy_per_input(V, width, max_len, alpha, eos_bias):
    """Same hypotheses, same order, same finished flags, same scores, for every input; the
    cases include early stops (eos likely), cut-off sequences (eos unlikely), a beam wider
    than every sequence."""
    n_inputs, bos = 6, V                                   # bos is an extra embedding row
    model = TorchToyLM(V, n_inputs, seed=V + width, eos_bias=eos_bias)
    with torch.no_grad():
        batched = batched_beam_search(model, bos, EOS, width, max_len, alpha,
                                      batch_size=n_inputs)
        for i in range(n_inputs):
            def step(prefixes, i=i):
                p = torch.tensor(prefixes, dtype=torch.long)
                return model(p, torch.full((len(prefixes),), i)).numpy()
            ref = beam_search(step, bos, EOS, width, max_len, alpha)
            assert [(h.tokens, h.finished) for h in batched[i]] == \
                [(h.tokens, h.finished) for h in ref], i
            np.testing.assert_allclose([h.score for h in batched[i]], [h.score for h in ref],
                                       rtol=1e-12, err_msg=f"input {i}")


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(beam_width=0, max_len=3), ValueError, "beam_width"),
    (dict(beam_width=2, max_len=0), ValueError, "max_len"),
    (dict(beam_width=2, max_len=2, batch_size=0), ValueError, "batch_size"),
    (dict(beam_width=2, max_len=2, alpha=float("nan")), ValueError, "alpha"),
])
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        batched_beam_search(lambda p, r: torch.zeros(len(p), 3), 3, EOS, **kwargs)


def test_wrong_step_shape():
    with pytest.raises(ValueError, match="step_fn returned shape"):
        batched_beam_search(lambda p, r: torch.zeros(3), 3, EOS, 2, 2)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_on_cuda_equals_cpu():
    model = TorchToyLM(6, 4, seed=1)
    with torch.no_grad():
        cpu = batched_beam_search(model, 6, EOS, 3, 6, batch_size=4)
        model = model.cuda()
        model.bias = model.bias.cuda()
        gpu = batched_beam_search(model, 6, EOS, 3, 6, batch_size=4, device="cuda")
    for a, b in zip(cpu, gpu):
        assert [h.tokens for h in a] == [h.tokens for h in b]
        np.testing.assert_allclose([h.score for h in a], [h.score for h in b], rtol=1e-9)
