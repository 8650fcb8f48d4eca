"""set_default_dtype / get_default_dtype: what new float tensors get, compared with torch under the same default.

Gradient-checking exercises start with ``torch.set_default_dtype(torch.float64)``; every creation
path, Python-float operand and integer-to-float promotion must follow it, and restoring float32 must
restore the old behaviour.
"""
from __future__ import annotations

import pytest

import minitorch

from .helpers import raises_like_torch, require_torch

torch = require_torch()


@pytest.fixture
def float64_default():
    minitorch.set_default_dtype(minitorch.float64)
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        minitorch.set_default_dtype(minitorch.float32)
        torch.set_default_dtype(torch.float32)


def _name(t) -> str:
    return str(t.dtype if hasattr(t, "dtype") else t).rsplit(".", 1)[-1]


MAKERS = [
    lambda L: L.tensor([1.5]),
    lambda L: L.tensor(2.0),
    lambda L: L.tensor([1, 2]),
    lambda L: L.Tensor([1, 2]),
    lambda L: L.zeros(2),
    lambda L: L.ones(2, 3),
    lambda L: L.empty(2),
    lambda L: L.full((2,), 1.5),
    lambda L: L.full((2,), 3),
    lambda L: L.rand(2),
    lambda L: L.randn(2),
    lambda L: L.arange(0, 1, 0.25),
    lambda L: L.arange(3),
    lambda L: L.linspace(0, 1, 5),
    lambda L: L.eye(2),
    lambda L: L.zeros_like(L.tensor([1, 2])).float(),
    lambda L: L.tensor([1, 2]) / 2,
    lambda L: L.tensor([1, 2]) * 1.5,
    lambda L: L.tensor([1, 2]) + L.tensor(1.5, dtype=L.float32),
    lambda L: L.tensor([1.0], dtype=L.float32) * 2.5,
    lambda L: L.tensor([1, 2]).float() * 2.5,
    lambda L: L.tensor([1, 2]).double() + 1,
    lambda L: L.nn.Linear(3, 2).weight,
    lambda L: L.nn.Conv2d(1, 2, 3).bias,
    lambda L: L.nn.PReLU().weight,
    lambda L: L.nn.Parameter(),
    lambda L: L.tensor([1, 2]).to(float),
]


@pytest.mark.parametrize("make", MAKERS)
def test_new_tensors_follow_the_default_like_torch(make, float64_default):
    assert minitorch.get_default_dtype() == minitorch.float64
    assert _name(make(minitorch)) == _name(make(torch))


@pytest.mark.parametrize("make", MAKERS)
def test_float32_default_is_restored(make):
    assert minitorch.get_default_dtype() == minitorch.float32
    assert _name(make(minitorch)) == _name(make(torch))


def test_repr_names_the_dtype_when_it_is_not_the_default(float64_default):
    assert repr(minitorch.tensor([0.5])) == repr(torch.tensor([0.5]))
    assert "dtype=torch.float32" in repr(minitorch.tensor([0.5], dtype=minitorch.float32))


def test_gradcheck_exercise_under_a_float64_default(float64_default):
    """The point of the feature: float64 everywhere without writing dtype= on every tensor."""
    x = minitorch.randn(4, 3, requires_grad=True)
    layer = minitorch.nn.Linear(3, 2)
    assert minitorch.autograd.gradcheck(lambda a: layer(a).tanh().sum(), (x,))


def test_only_float_dtypes_can_be_the_default():
    raises_like_torch(lambda: torch.set_default_dtype(torch.int64),
                      lambda: minitorch.set_default_dtype(minitorch.int64))
    assert minitorch.get_default_dtype() == minitorch.float32


@pytest.mark.parametrize("make", [
    lambda L: L.tensor([1, 2]).exp(),
    lambda L: L.tensor([1, 2]).sin(),
    lambda L: L.tensor([1, 2]).sqrt(),
    lambda L: L.erf(L.tensor([1, 2])),
    lambda L: L.tan(L.tensor([1, 2])),
    lambda L: L.deg2rad(L.tensor([90])),
    lambda L: L.tensor([1, 2]).sigmoid(),
    lambda L: L.block_diag(),
    lambda L: L.where(L.tensor([True, False]), 1.5, L.tensor([1, 2])),
])
def test_integer_inputs_to_float_ops_follow_the_default(make, float64_default):
    assert _name(make(minitorch)) == _name(make(torch))
