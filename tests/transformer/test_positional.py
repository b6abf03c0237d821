"""Positional encodings: the formula entry by entry, the rotation property of sinusoids, and
RoPE's relative-position property."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.transformer.attention import scaled_dot_product_attention
from dlbook.transformer.positional import rotary_embedding, sinusoidal_encoding


def test_sinusoidal_encoding_entry_by_entry():
    pe = sinusoidal_encoding(50, 7)
    for p in (0, 1, 13, 49):
        for i in range(7):
            pair = i // 2
            angle = p / 10000 ** (2 * pair / 7)
            expected = np.sin(angle) if i % 2 == 0 else np.cos(angle)
            assert pe[p, i] == pytest.approx(expected, abs=1e-15), (p, i)


def test_sinusoidal_offset_is_a_fixed_rotation():
    """PE[p + k] = R_k PE[p] for every p, with R_k block-diagonal rotations."""
    d, k = 8, 5
    pe = sinusoidal_encoding(40, d)
    omega = 1 / 10000 ** (np.arange(0, d, 2) / d)
    for p in range(0, 35):
        s, c = pe[p, 0::2], pe[p, 1::2]
        a = k * omega
        np.testing.assert_allclose(pe[p + k, 0::2], s * np.cos(a) + c * np.sin(a), atol=1e-12)
        np.testing.assert_allclose(pe[p + k, 1::2], c * np.cos(a) - s * np.sin(a), atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(m=st.integers(0, 200), n=st.integers(0, 200), shift=st.integers(0, 500),
       seed=st.integers(0, 2**31 - 1))
def test_rope_scores_depend_only_on_the_offset(m, n, shift, seed):
    rng = np.random.default_rng(seed)
    q, k = rng.normal(size=(1, 8)), rng.normal(size=(1, 8))
    score = (rotary_embedding(q, [m]) @ rotary_embedding(k, [n]).T).item()
    moved = (rotary_embedding(q, [m + shift]) @ rotary_embedding(k, [n + shift]).T).item()
    assert score == pytest.approx(moved, rel=1e-9, abs=1e-9)


def test_rope_preserves_lengths_and_is_identity_at_zero():
    x = np.random.default_rng(0).normal(size=(3, 10, 6))
    r = rotary_embedding(x)
    np.testing.assert_allclose(np.linalg.norm(r, axis=-1), np.linalg.norm(x, axis=-1), rtol=1e-12)
    np.testing.assert_array_equal(r[:, 0], x[:, 0])
    np.testing.assert_allclose(rotary_embedding(x, np.arange(4, 14))[:, :6],
                               rotary_embedding(np.pad(x, ((0, 0), (4, 0), (0, 0))))[:, 4:10],
                               rtol=1e-12)


def test_without_positions_attention_is_blind_to_order():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 4))
    perm = rng.permutation(5)
    out = scaled_dot_product_attention(x, x, x)[0]
    np.testing.assert_allclose(scaled_dot_product_attention(x[perm], x[perm], x[perm])[0],
                               out[perm], rtol=1e-12)
    y = x + sinusoidal_encoding(5, 4)
    yp = x[perm] + sinusoidal_encoding(5, 4)
    assert not np.allclose(scaled_dot_product_attention(yp, yp, yp)[0],
                           scaled_dot_product_attention(y, y, y)[0][perm])


def test_bad_input():
    with pytest.raises(ValueError, match="even feature size"):
        rotary_embedding(np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"positions must have shape \(T,\) = \(3,\)"):
        rotary_embedding(np.ones((3, 4)), [0, 1])
    with pytest.raises(ValueError, match="d_model must be >= 1"):
        sinusoidal_encoding(4, 0)
    with pytest.raises(TypeError, match="max_len must be an int"):
        sinusoidal_encoding(4.0, 8)
