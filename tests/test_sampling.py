"""Random sampling: the in-place fills, bernoulli/poisson/multinomial, and the global generator's state.

Samples are random, so the checks are statistical with fixed seeds (deterministic) and bounds wide
enough (>= 5 standard errors) that a correct sampler passes for any seed, while a wrong
distribution (wrong scale, off-by-one support, ignored weights) fails.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch

from .helpers import devices, raises_like_torch, require_torch

torch = require_torch()
N = 40_000


def _sample(device, fill, *args, dtype=minitorch.float64, **kwargs):
    minitorch.manual_seed(1234)
    t = minitorch.empty(N, dtype=dtype, device=device)
    out = getattr(t, fill)(*args, **kwargs)
    assert out is t, f"{fill} must return the tensor it filled"
    return t.cpu().numpy()


def _mean_within(values, mean, std, k=6.0):
    se = std / math.sqrt(values.size)
    assert abs(values.mean() - mean) < k * se, f"mean {values.mean():.4f}, expected {mean:.4f} +- {k * se:.4f}"


@pytest.mark.parametrize("device", devices())
def test_exponential_has_mean_and_std_one_over_lambda(device):
    v = _sample(device, "exponential_", 2.5)
    assert (v >= 0).all()
    _mean_within(v, 1 / 2.5, 1 / 2.5)
    assert abs(v.std() - 0.4) < 0.02


@pytest.mark.parametrize("device", devices())
def test_geometric_counts_trials_from_one(device):
    v = _sample(device, "geometric_", 0.25)
    assert v.min() == 1 and np.all(v == np.round(v)), "support is 1, 2, 3, ... (torch counts the success)"
    _mean_within(v, 1 / 0.25, math.sqrt(0.75) / 0.25)


@pytest.mark.parametrize("device", devices())
def test_cauchy_median_and_quartiles(device):
    v = _sample(device, "cauchy_", 1.5, 0.5)
    q1, med, q3 = np.quantile(v, [0.25, 0.5, 0.75])
    assert abs(med - 1.5) < 0.03 and abs(q1 - 1.0) < 0.03 and abs(q3 - 2.0) < 0.03  # median -+ sigma


@pytest.mark.parametrize("device", devices())
def test_log_normal_is_exp_of_a_normal(device):
    v = _sample(device, "log_normal_", 0.5, 0.25)
    assert (v > 0).all()
    _mean_within(np.log(v), 0.5, 0.25)
    assert abs(np.log(v).std() - 0.25) < 0.01


@pytest.mark.parametrize("device", devices())
def test_random_bounds(device):
    v = _sample(device, "random_", 3, 7)
    assert set(np.unique(v)) == {3, 4, 5, 6}
    v = _sample(device, "random_", 5, dtype=minitorch.int64)
    assert set(np.unique(v)) == {0, 1, 2, 3, 4}
    v = _sample(device, "random_", dtype=minitorch.float32)  # torch: [0, 2^24] for float32
    assert v.min() >= 0 and v.max() <= 2**24 and v.max() > 2**23 and np.all(v == np.round(v))
    v = _sample(device, "random_", dtype=minitorch.uint8)
    assert v.min() >= 0 and v.max() == 255
    v = _sample(device, "random_", **{"from": -2, "to": 0}, dtype=minitorch.int64)
    assert set(np.unique(v)) == {-2, -1}


@pytest.mark.parametrize("device", devices())
def test_uniform_normal_bernoulli_fills_keep_dtype(device):
    for fill, args in [("uniform_", (-1, 3)), ("normal_", (2.0, 0.5)), ("bernoulli_", (0.3,))]:
        t = minitorch.zeros(3, 4, dtype=minitorch.float32, device=device)
        getattr(t, fill)(*args)
        assert t.dtype == minitorch.float32 and t.device.type == device
    v = _sample(device, "bernoulli_", 0.3)
    assert set(np.unique(v)) == {0.0, 1.0}
    _mean_within(v, 0.3, math.sqrt(0.21))


@pytest.mark.parametrize("device", devices())
def test_bernoulli_uses_each_probability(device):
    minitorch.manual_seed(0)
    p = minitorch.tensor([0.0, 1.0, 0.2], dtype=minitorch.float64, device=device).expand(N, 3)
    s = minitorch.bernoulli(p)
    assert s.dtype == minitorch.float64 and s.shape == (N, 3) and s.device.type == device
    v = s.cpu().numpy()
    assert (v[:, 0] == 0).all() and (v[:, 1] == 1).all()
    _mean_within(v[:, 2], 0.2, 0.4)
    fixed = minitorch.bernoulli(minitorch.zeros(N, device=device), 0.75).cpu().numpy()
    _mean_within(fixed, 0.75, math.sqrt(0.75 * 0.25))
    assert p.bernoulli().shape == (N, 3)


@pytest.mark.parametrize("device", devices())
def test_poisson_means(device):
    minitorch.manual_seed(3)
    rates = minitorch.tensor([0.0, 1.0, 20.0], device=device).expand(N, 3)
    v = minitorch.poisson(rates).cpu().numpy()
    assert (v[:, 0] == 0).all() and np.all(v == np.round(v))
    _mean_within(v[:, 1], 1.0, 1.0)
    _mean_within(v[:, 2], 20.0, math.sqrt(20.0))


@pytest.mark.parametrize("device", devices())
def test_multinomial_with_replacement_follows_the_weights(device):
    minitorch.manual_seed(7)
    w = minitorch.tensor([[1.0, 0.0, 3.0, 4.0], [0.0, 0.0, 0.0, 2.0]], device=device)
    idx = minitorch.multinomial(w, N, replacement=True)
    assert idx.dtype == minitorch.int64 and idx.shape == (2, N) and idx.device.type == device
    counts = np.bincount(idx.cpu().numpy()[0], minlength=4) / N
    assert counts[1] == 0, "a zero-weight category was drawn"
    np.testing.assert_allclose(counts, [1 / 8, 0, 3 / 8, 4 / 8], atol=6 * math.sqrt(0.25 / N))
    assert (idx.cpu().numpy()[1] == 3).all()


@pytest.mark.parametrize("device", devices())
def test_multinomial_without_replacement_is_a_weighted_permutation(device):
    minitorch.manual_seed(11)
    w = minitorch.tensor([1.0, 2.0, 0.0, 7.0], device=device)
    rows = minitorch.multinomial(w.expand(N // 4, 4), 3).cpu().numpy()
    assert all(len(set(r)) == 3 for r in rows[:200]), "indices repeat without replacement"
    assert not (rows == 2).any(), "a zero-weight category was drawn"
    first = np.bincount(rows[:, 0], minlength=4) / rows.shape[0]  # the first draw is a plain weighted draw
    np.testing.assert_allclose(first, [0.1, 0.2, 0.0, 0.7], atol=6 * math.sqrt(0.25 / rows.shape[0]))
    exhausted = minitorch.multinomial(minitorch.tensor([[0.0, 3.0, 0.0, 0.0]], device=device), 4)
    # as in torch: once the weighted categories run out, the zero-weight ones follow (in no set order)
    assert exhausted.tolist()[0][0] == 1 and sorted(exhausted.tolist()[0]) == [0, 1, 2, 3]
    one_d = minitorch.multinomial(w, 2)
    assert one_d.shape == (2,) and one_d.dtype == minitorch.int64


def test_multinomial_and_sampler_errors_like_torch():
    def both(fn):
        return raises_like_torch(lambda: fn(torch), lambda: fn(minitorch))

    both(lambda L: L.multinomial(L.tensor([1.0, 2.0]), 3))  # more samples than categories
    both(lambda L: L.multinomial(L.tensor([1.0, -2.0]), 1))
    both(lambda L: L.multinomial(L.tensor([0.0, 0.0]), 1, True))
    both(lambda L: L.multinomial(L.ones(2, 2, 2), 1))
    both(lambda L: L.multinomial(L.tensor([1, 2]), 1))  # integer weights
    both(lambda L: L.empty(3).exponential_(-1.0))
    both(lambda L: L.empty(3).geometric_(1.5))
    both(lambda L: L.empty(3).random_(5, 2))
    both(lambda L: L.empty(3).log_normal_(0.0, -1.0))


def test_fills_are_seeded_and_leave_no_graph():
    x = minitorch.zeros(5, requires_grad=True)
    with minitorch.no_grad():
        x.exponential_()
    minitorch.manual_seed(5)
    a = minitorch.empty(6).cauchy_()
    minitorch.manual_seed(5)
    b = minitorch.empty(6).cauchy_()
    assert np.array_equal(a.numpy(), b.numpy())
    assert x.grad_fn is None and x.requires_grad


def test_rng_state_round_trips_like_torch():
    minitorch.manual_seed(42)
    state = minitorch.get_rng_state()
    assert state.dtype == minitorch.uint8 and state.dim() == 1
    first = minitorch.rand(5).numpy()
    minitorch.randn(3)
    minitorch.set_rng_state(state)
    assert np.array_equal(minitorch.rand(5).numpy(), first)
    assert minitorch.initial_seed() == 42
    with pytest.raises(TypeError):
        minitorch.set_rng_state(minitorch.zeros(3))
    with pytest.raises(RuntimeError):
        minitorch.set_rng_state(minitorch.zeros(3, dtype=minitorch.uint8))
    saved = minitorch.get_rng_state().numpy().copy()
    saved[-1] ^= 0xFF  # the tag bytes
    with pytest.raises(RuntimeError, match="not a minitorch generator state"):
        minitorch.set_rng_state(minitorch.tensor(saved))


def test_seed_picks_a_fresh_seed_and_reports_it():
    s1 = minitorch.seed()
    assert minitorch.initial_seed() == s1
    s2 = minitorch.seed()
    assert s1 != s2
    minitorch.manual_seed(0)
