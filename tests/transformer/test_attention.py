"""Attention in NumPy against PyTorch in float64 (forward and gradients to 1e-10), a numerical
gradient, the two mask conventions, and the errors bad input gets."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.transformer.attention import (
    causal_mask,
    multi_head_attention_backward,
    multi_head_attention_forward,
    scaled_dot_product_attention,
    scaled_dot_product_attention_backward,
)

TOL = {"rtol": 1e-10, "atol": 1e-10}


def _random_mask(rng, shape, p=0.3):
    """A boolean "may attend" mask with at least one allowed key per query (torch's MHA gives
    NaN for a query with none)."""
    mask = rng.random(shape) > p
    mask[..., 0] = True
    return mask


@settings(max_examples=30, deadline=None)
@given(batch=st.lists(st.integers(1, 3), min_size=0, max_size=2), L=st.integers(1, 6),
       S=st.integers(1, 6), E=st.integers(1, 5), Ev=st.integers(1, 5),
       use_mask=st.booleans(), seed=st.integers(0, 2**31 - 1))
def test_sdpa_matches_torch_forward_and_backward(batch, L, S, E, Ev, use_mask, seed):
    rng = np.random.default_rng(seed)
    q, k = rng.normal(size=(*batch, L, E)), rng.normal(size=(*batch, S, E))
    v, dout = rng.normal(size=(*batch, S, Ev)), rng.normal(size=(*batch, L, Ev))
    mask = _random_mask(rng, (L, S)) if use_mask else None
    out, cache = scaled_dot_product_attention(q, k, v, mask)
    qt, kt, vt = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    ref = F.scaled_dot_product_attention(qt, kt, vt,
                                         attn_mask=None if mask is None else torch.tensor(mask))
    (ref * torch.tensor(dout)).sum().backward()
    np.testing.assert_allclose(out, ref.detach().numpy(), **TOL, err_msg="forward")
    for name, mine, theirs in zip("qkv", scaled_dot_product_attention_backward(dout, cache),
                                  (qt, kt, vt)):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), **TOL, err_msg=f"d{name}")


def test_sdpa_gradient_against_central_differences():
    """Independent of torch: L = sum(out * dout) differentiated numerically."""
    rng = np.random.default_rng(3)
    q, k, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 2))
    dout, mask = rng.normal(size=(2, 3, 2)), _random_mask(rng, (2, 3, 5))
    grads = scaled_dot_product_attention_backward(dout, scaled_dot_product_attention(q, k, v,
                                                                                     mask)[1])
    args = [q, k, v]
    for i, g in enumerate(grads):
        num = np.zeros_like(args[i])
        for idx in np.ndindex(args[i].shape):
            plus, minus = [a.copy() for a in args], [a.copy() for a in args]
            plus[i][idx] += 1e-6
            minus[i][idx] -= 1e-6
            num[idx] = (np.sum(scaled_dot_product_attention(*plus, mask)[0] * dout)
                        - np.sum(scaled_dot_product_attention(*minus, mask)[0] * dout)) / 2e-6
        np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-8, err_msg=f"gradient {i}")


def test_sdpa_weights_are_a_softmax_of_scaled_scores():
    """The formula itself, written out by hand for one pair of vectors."""
    q, k = np.array([[2.0, 0.0, 1.0]]), np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    _, cache = scaled_dot_product_attention(q, k, np.eye(2))
    s = 3.0 / np.sqrt(3.0)
    np.testing.assert_allclose(cache["weights"], [[np.exp(s) / (np.exp(s) + 1),
                                                   1 / (np.exp(s) + 1)]], rtol=1e-14)


def test_fully_masked_query_gives_zeros_like_torch_functional():
    rng = np.random.default_rng(1)
    q, k, v = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    mask = np.ones((3, 5), dtype=bool)
    mask[1] = False
    out, cache = scaled_dot_product_attention(q, k, v, mask)
    ref = F.scaled_dot_product_attention(*(torch.tensor(a) for a in (q, k, v)),
                                         attn_mask=torch.tensor(mask))
    np.testing.assert_allclose(out, ref.numpy(), **TOL)
    assert np.all(out[1] == 0)
    dq, dk, dv = scaled_dot_product_attention_backward(np.ones((3, 2)), cache)
    assert np.all(dq[1] == 0) and np.all(np.isfinite(dk)) and np.all(np.isfinite(dv))


def test_causal_mask_lets_no_query_see_the_future():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(6, 3))
    out, _ = scaled_dot_product_attention(x, x, x, causal_mask(6))
    changed = x.copy()
    changed[4:] += 10.0                                     # change the last two positions
    out2, _ = scaled_dot_product_attention(changed, changed, changed, causal_mask(6))
    np.testing.assert_allclose(out[:4], out2[:4], rtol=1e-14)
    assert not np.allclose(out[4:], out2[4:])
    ref = F.scaled_dot_product_attention(*(torch.tensor(x),) * 3, is_causal=True)
    np.testing.assert_allclose(out, ref.numpy(), **TOL)
    # the last query of a longer source sees every key
    assert causal_mask(2, 5).tolist() == [[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]]


def _torch_mha(E, H, rng, bias=True):
    mha = torch.nn.MultiheadAttention(E, H, batch_first=True, bias=bias, dtype=torch.float64)
    with torch.no_grad():
        for p in mha.parameters():
            p.copy_(torch.tensor(rng.normal(size=p.shape)))
    return mha


@settings(max_examples=25, deadline=None)
@given(N=st.integers(1, 3), L=st.integers(1, 5), S=st.integers(1, 5),
       heads_width=st.sampled_from([(1, 3), (2, 2), (2, 3), (4, 1), (3, 2)]),
       mask_kind=st.sampled_from(["none", "padding", "attn", "both", "float", "per_head"]),
       bias=st.booleans(), self_attention=st.booleans(), seed=st.integers(0, 2**31 - 1))
def test_mha_matches_torch_forward_and_backward(N, L, S, heads_width, mask_kind, bias,
                                                self_attention, seed):
    H, D = heads_width
    E = H * D
    rng = np.random.default_rng(seed)
    if self_attention:
        S = L
    query = rng.normal(size=(N, L, E))
    key = query if self_attention else rng.normal(size=(N, S, E))
    value = query if self_attention else rng.normal(size=(N, S, E))
    dout = rng.normal(size=(N, L, E))
    mha = _torch_mha(E, H, rng, bias)
    kpm = am = None
    if mask_kind in ("padding", "both"):
        kpm = ~_random_mask(rng, (N, 1, S))[:, 0]               # True = masked out
    if mask_kind in ("attn", "both"):
        am = ~_random_mask(rng, (L, S))
    if mask_kind == "float":
        am = rng.normal(size=(L, S))
    if mask_kind == "per_head":
        am = ~_random_mask(rng, (N * H, L, S))
    if mask_kind == "both":
        am[:, 0] = False                                         # keep key 0 for every query
        kpm[:, 0] = False
    weights = {n: p.detach().numpy() for n, p in mha.named_parameters()}
    out, cache = multi_head_attention_forward(
        query, key, value, H, weights["in_proj_weight"], weights.get("in_proj_bias"),
        weights["out_proj.weight"], weights.get("out_proj.bias"), key_padding_mask=kpm,
        attn_mask=am)
    tensors = [torch.tensor(a, requires_grad=True) for a in (query, key, value)]
    ref, _ = mha(*tensors, key_padding_mask=None if kpm is None else torch.tensor(kpm),
                 attn_mask=None if am is None else torch.tensor(am), need_weights=False)
    (ref * torch.tensor(dout)).sum().backward()
    np.testing.assert_allclose(out, ref.detach().numpy(), **TOL, err_msg="forward")
    grads = multi_head_attention_backward(dout, cache)
    if self_attention:                      # one tensor used three times: torch sums for us
        np.testing.assert_allclose(grads["query"] + grads["key"] + grads["value"],
                                   tensors[0].grad.numpy() + tensors[1].grad.numpy()
                                   + tensors[2].grad.numpy(), **TOL, err_msg="dx")
    else:
        for name, t in zip(("query", "key", "value"), tensors):
            np.testing.assert_allclose(grads[name], t.grad.numpy(), **TOL, err_msg=name)
    for mine, theirs in [("in_proj_weight", "in_proj_weight"), ("in_proj_bias", "in_proj_bias"),
                         ("out_proj_weight", "out_proj.weight"),
                         ("out_proj_bias", "out_proj.bias")]:
        param = dict(mha.named_parameters()).get(theirs)
        if param is None:
            assert grads[mine] is None, mine
        else:
            np.testing.assert_allclose(grads[mine], param.grad.numpy(), **TOL, err_msg=mine)


def test_mha_weights_have_one_map_per_head_and_sum_to_one():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 5, 6))
    _, cache = multi_head_attention_forward(x, x, x, 3, rng.normal(size=(18, 6)), None,
                                            rng.normal(size=(6, 6)), None)
    assert cache["weights"].shape == (2, 3, 5, 5)
    np.testing.assert_allclose(cache["weights"].sum(-1), 1.0, rtol=1e-14)


def test_the_two_mask_conventions_are_opposite():
    """The same causal pattern: True = may attend for sdpa, True = masked out for MHA."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1, 4, 2))
    eye = np.vstack([np.eye(2)] * 3)
    allowed = causal_mask(4)
    mha_right, _ = multi_head_attention_forward(x, x, x, 1, eye, None, np.eye(2), None,
                                                attn_mask=~allowed)
    mha_wrong, _ = multi_head_attention_forward(x, x, x, 1, eye, None, np.eye(2), None,
                                                attn_mask=allowed)
    sdpa, _ = scaled_dot_product_attention(x, x, x, allowed)
    np.testing.assert_allclose(mha_right, sdpa, rtol=1e-14)
    assert not np.allclose(mha_wrong[0, 1:], sdpa[0, 1:])


def test_float32_stays_float32():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 3, 8)).astype(np.float32)
    w = rng.normal(size=(24, 8)).astype(np.float32)
    out, cache = multi_head_attention_forward(x, x, x, 2, w, None, np.eye(8, dtype=np.float32),
                                              None, attn_mask=~causal_mask(3))
    grads = multi_head_attention_backward(np.ones_like(out), cache)
    assert out.dtype == np.float32 and grads["in_proj_weight"].dtype == np.float32


@pytest.mark.parametrize("args, kwargs, error, words", [
    ((np.ones((2, 3)), np.ones((4, 2)), np.ones((4, 1))), {}, ValueError, "same feature size"),
    ((np.ones((2, 3)), np.ones((4, 3)), np.ones((5, 1))), {}, ValueError, "same source length"),
    ((np.ones((2, 2, 3)), np.ones((3, 4, 3)), np.ones((3, 4, 1))), {}, ValueError,
     "leading (batch) dimensions"),
    ((np.ones((2, 3)), np.ones((4, 3)), np.ones((4, 1))), {"mask": np.ones((3, 4), bool)},
     ValueError, "does not broadcast"),
    ((np.ones((2, 3)), np.ones((4, 3)), np.ones((4, 1))), {"mask": np.ones((2, 4))},
     TypeError, "boolean"),
])
def test_sdpa_bad_input(args, kwargs, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        scaled_dot_product_attention(*args, **kwargs)


def test_mha_bad_input():
    x, w_in, w_out = np.ones((2, 3, 4)), np.ones((12, 4)), np.ones((4, 4))
    with pytest.raises(ValueError, match="E=4.*num_heads=3"):
        multi_head_attention_forward(x, x, x, 3, w_in, None, w_out, None)
    with pytest.raises(ValueError, match=r"in_proj_weight must have shape \(3E, E\)"):
        multi_head_attention_forward(x, x, x, 2, np.ones((8, 4)), None, w_out, None)
    with pytest.raises(ValueError, match=r"key_padding_mask must have shape \(N, S\) = \(2, 3\)"):
        multi_head_attention_forward(x, x, x, 2, w_in, None, w_out, None,
                                     key_padding_mask=np.zeros((3, 2), bool))
    with pytest.raises(ValueError, match=r"attn_mask must have shape \(L, S\)"):
        multi_head_attention_forward(x, x, x, 2, w_in, None, w_out, None,
                                     attn_mask=np.zeros((3, 4), bool))
    with pytest.raises(ValueError, match="same batch size"):
        multi_head_attention_forward(x, np.ones((1, 3, 4)), np.ones((1, 3, 4)), 2, w_in, None,
                                     w_out, None)
    with pytest.raises(ValueError, match="3 dimension"):
        multi_head_attention_forward(np.ones((3, 4)), x, x, 2, w_in, None, w_out, None)
    with pytest.raises(ValueError, match="dout has shape"):
        _, cache = multi_head_attention_forward(x, x, x, 2, w_in, None, w_out, None)
        multi_head_attention_backward(np.ones((2, 3, 3)), cache)
    with pytest.raises(ValueError, match="source_size must be >= size"):
        causal_mask(3, 2)
