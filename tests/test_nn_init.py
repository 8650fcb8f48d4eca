"""nn.init: the distributions (bounds, mean, std) and gains match PyTorch's; layers' defaults too."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch
from minitorch import nn
from minitorch.nn import init
from tests.helpers import require_torch

torch = require_torch()

N = 200_000  # elements drawn for the statistical checks


def _vals(t) -> np.ndarray:
    return t.detach().numpy().astype(np.float64).ravel()


def _check_uniform(v: np.ndarray, lo: float, hi: float) -> None:
    """Bounds respected and (almost) reached; mean and std within 6 standard errors of U(lo, hi)'s."""
    width, n = hi - lo, v.size
    sigma = width / math.sqrt(12)
    assert v.min() >= lo and v.max() <= hi
    assert v.min() < lo + 0.01 * width and v.max() > hi - 0.01 * width
    assert abs(v.mean() - (lo + hi) / 2) < 6 * sigma / math.sqrt(n)
    assert abs(v.std() - sigma) < 6 * sigma * math.sqrt(0.2 / n)


def _check_normal(v: np.ndarray, mean: float, std: float) -> None:
    """Mean, std and the 1-sigma mass within 6 standard errors of N(mean, std^2)'s."""
    n = v.size
    assert abs(v.mean() - mean) < 6 * std / math.sqrt(n)
    assert abs(v.std() - std) < 6 * std * math.sqrt(0.5 / n)
    assert abs(np.mean(np.abs(v - mean) < std) - 0.6827) < 6 * math.sqrt(0.6827 * 0.3173 / n)


def test_calculate_gain_matches_torch():
    for nl, param in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                      ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None), ("conv_transpose2d", None)]:
        assert init.calculate_gain(nl, param) == pytest.approx(torch.nn.init.calculate_gain(nl, param))
    with pytest.raises(ValueError):
        init.calculate_gain("softmax")
    with pytest.raises(ValueError):
        init.calculate_gain("leaky_relu", "x")


@pytest.mark.parametrize("shape", [(3, 4), (6, 2, 3, 5), (4, 3, 7)])
def test_fan_in_and_fan_out_match_torch(shape):
    assert init._calculate_fan_in_and_fan_out(minitorch.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    with pytest.raises(ValueError):
        init._calculate_fan_in_and_fan_out(minitorch.empty(5))


def test_uniform_normal_constant():
    t = minitorch.empty(N)
    _check_uniform(_vals(init.uniform_(t, -2.0, 3.0)), -2.0, 3.0)
    _check_normal(_vals(init.normal_(t, 1.5, 0.5)), 1.5, 0.5)
    assert np.all(init.constant_(t, 0.25).numpy() == 0.25)
    assert np.all(init.ones_(t).numpy() == 1) and np.all(init.zeros_(t).numpy() == 0)
    assert t.dtype == minitorch.float32


def test_trunc_normal_bounds_and_moments():
    t = init.trunc_normal_(minitorch.empty(N), mean=0.5, std=1.0, a=-1.0, b=2.0)
    v = _vals(t)
    assert v.min() >= -1.0 and v.max() <= 2.0
    ref = torch.nn.init.trunc_normal_(torch.empty(N, dtype=torch.float64), mean=0.5, std=1.0, a=-1.0, b=2.0)
    r = ref.numpy()
    assert abs(v.mean() - r.mean()) < 0.02 and abs(v.std() - r.std()) < 0.02


@pytest.mark.parametrize("shape", [(400, 500), (64, 32, 3, 3)])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_distributions(shape, mode):
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(minitorch.empty(*shape))
    fan = fan_in if mode == "fan_in" else fan_out
    gain = math.sqrt(2.0)
    bound = gain * math.sqrt(3.0 / fan)
    _check_uniform(_vals(init.kaiming_uniform_(minitorch.empty(*shape), mode=mode, nonlinearity="relu")),
                   -bound, bound)
    _check_normal(_vals(init.kaiming_normal_(minitorch.empty(*shape), mode=mode, nonlinearity="relu")),
                  0.0, gain / math.sqrt(fan))
    a = 0.3
    bound_a = math.sqrt(2.0 / (1 + a * a)) * math.sqrt(3.0 / fan)
    _check_uniform(_vals(init.kaiming_uniform_(minitorch.empty(*shape), a=a, mode=mode)), -bound_a, bound_a)
    with pytest.raises(ValueError):
        init.kaiming_uniform_(minitorch.empty(*shape), mode="fan_avg")


@pytest.mark.parametrize("shape", [(400, 500), (64, 32, 3, 3)])
def test_xavier_distributions(shape):
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(minitorch.empty(*shape))
    a = 1.3 * math.sqrt(6.0 / (fan_in + fan_out))
    _check_uniform(_vals(init.xavier_uniform_(minitorch.empty(*shape), gain=1.3)), -a, a)
    _check_normal(_vals(init.xavier_normal_(minitorch.empty(*shape), gain=1.3)), 0.0,
                  1.3 * math.sqrt(2.0 / (fan_in + fan_out)))


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 3, 2)])
def test_orthogonal(shape):
    t = init.orthogonal_(minitorch.empty(*shape), gain=2.0)
    w = t.numpy().reshape(shape[0], -1).astype(np.float64) / 2.0
    rows, cols = w.shape
    gram = w @ w.T if rows <= cols else w.T @ w
    np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-5)
    with pytest.raises(ValueError):
        init.orthogonal_(minitorch.empty(3))


def test_eye_and_dirac_match_torch():
    np.testing.assert_array_equal(init.eye_(minitorch.empty(3, 5)).numpy(), torch.nn.init.eye_(torch.empty(3, 5)))
    for shape, groups in [((4, 4, 3, 3), 1), ((6, 2, 3), 2), ((4, 2, 3, 3, 3), 2)]:
        np.testing.assert_array_equal(init.dirac_(minitorch.empty(*shape), groups).numpy(),
                                      torch.nn.init.dirac_(torch.empty(*shape), groups).numpy())
    with pytest.raises(ValueError):
        init.eye_(minitorch.empty(3))
    with pytest.raises(ValueError):
        init.dirac_(minitorch.empty(3, 3))


def test_init_is_in_place_under_no_grad_and_seeded():
    p = nn.Parameter(minitorch.empty(30, 20))
    before = p.array
    out = init.kaiming_uniform_(p)
    assert out is p and p.array is before and p.requires_grad and p.grad_fn is None
    minitorch.manual_seed(3)
    a = init.normal_(minitorch.empty(10)).numpy().copy()
    minitorch.manual_seed(3)
    b = init.normal_(minitorch.empty(10)).numpy().copy()
    np.testing.assert_array_equal(a, b)
    g = minitorch.Generator().manual_seed(7)
    c = init.uniform_(minitorch.empty(5), generator=g).numpy().copy()
    g.manual_seed(7)
    np.testing.assert_array_equal(c, init.uniform_(minitorch.empty(5), generator=g).numpy())


# -------------------------------------------------------------------- layer defaults ---------------
def _concat(mods, attr):
    return np.concatenate([_vals(getattr(m, attr)) for m in mods])


def test_linear_and_conv_defaults_follow_torch():
    minitorch.manual_seed(0)
    lins = [nn.Linear(256, 64) for _ in range(8)]
    bound = 1 / math.sqrt(256)  # kaiming_uniform(a=sqrt 5) == U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    _check_uniform(_concat(lins, "weight"), -bound, bound)
    b = _concat(lins, "bias")
    assert b.min() >= -bound and b.max() <= bound and abs(b.std() - bound / math.sqrt(3)) < 0.1 * bound
    convs = [nn.Conv2d(16, 32, 3, groups=2) for _ in range(20)]
    fan_in = 8 * 9
    bound = 1 / math.sqrt(fan_in)
    _check_uniform(_concat(convs, "weight"), -bound, bound)
    tconv = [nn.ConvTranspose2d(16, 8, 3) for _ in range(40)]
    fan_in_t = 8 * 9  # torch computes fan_in from weight.size(1) = out/groups for transposed convs
    bound = 1 / math.sqrt(fan_in_t)
    _check_uniform(_concat(tconv, "weight"), -bound, bound)
    bil = nn.Bilinear(20, 30, 40)
    v = _vals(bil.weight)
    assert v.min() >= -1 / math.sqrt(20) and v.max() <= 1 / math.sqrt(20)


def test_norm_embedding_defaults_follow_torch():
    for build in (lambda L: L.nn.BatchNorm2d(5), lambda L: L.nn.LayerNorm(5), lambda L: L.nn.GroupNorm(5, 5)):
        m, t = build(minitorch), build(torch)
        for (k, a), (_, b) in zip(m.state_dict().items(), t.state_dict().items()):
            np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    minitorch.manual_seed(0)
    e = nn.Embedding(1000, 200, padding_idx=3)
    v = e.weight.detach().numpy()
    assert not np.any(v[3])
    _check_normal(np.delete(v, 3, axis=0).ravel().astype(np.float64), 0.0, 1.0)
