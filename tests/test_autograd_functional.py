"""minitorch.autograd.functional (vjp, jvp, jacobian, hessian, hvp) vs torch.autograd.functional,
and gradcheck's failure report."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
from minitorch.autograd import Function, gradcheck, gradgradcheck
from minitorch.autograd import functional as MF

from .helpers import assert_close, require_torch

torch = require_torch()
TF = torch.autograd.functional


def _x(*shape, seed=0):
    arr = np.random.default_rng(seed).uniform(-1.5, 1.5, shape)
    return minitorch.tensor(arr), torch.tensor(arr)


def f_vec(x):
    return (x.sin() * x).cumsum(0)


def f_two(x, y):
    return (x * y.exp()).tanh(), x.sum() * y


def f_scalar(x):
    return (x.exp() * x.sin()).sum() + (x * x).sum() ** 2


def f_scalar2(x, y):
    return (x.tanh() * y).sum() + (y**3).sum()


def _close_nested(a, b):
    if isinstance(b, (tuple, list)):
        assert isinstance(a, (tuple, list)) and len(a) == len(b)
        for u, v in zip(a, b):
            _close_nested(u, v)
    else:
        assert_close(a, b, rtol=1e-9, atol=1e-10)


def test_vjp_single_and_multiple_inputs():
    mx, tx = _x(4)
    mv, tv = _x(4, seed=1)
    _close_nested(MF.vjp(f_vec, mx, mv), TF.vjp(f_vec, tx, tv))
    (mx, tx), (my, ty) = _x(3, seed=2), _x(3, seed=3)
    mv = (minitorch.ones(3, dtype=minitorch.float64), minitorch.tensor(np.arange(3.0)))
    tv = (torch.ones(3, dtype=torch.float64), torch.tensor(np.arange(3.0)))
    _close_nested(MF.vjp(f_two, (mx, my), mv), TF.vjp(f_two, (tx, ty), tv))


def test_vjp_scalar_output_without_v():
    mx, tx = _x(3, 2)
    _close_nested(MF.vjp(f_scalar, mx), TF.vjp(f_scalar, tx))


def test_jvp():
    mx, tx = _x(4)
    mv, tv = _x(4, seed=5)
    _close_nested(MF.jvp(f_vec, mx, mv), TF.jvp(f_vec, tx, tv))
    (mx, tx), (my, ty) = _x(3, seed=6), _x(3, seed=7)
    (mu, tu), (mw, tw) = _x(3, seed=8), _x(3, seed=9)
    _close_nested(MF.jvp(f_two, (mx, my), (mu, mw)), TF.jvp(f_two, (tx, ty), (tu, tw)))


def test_jacobian_shapes_and_values():
    mx, tx = _x(2, 3)
    _close_nested(MF.jacobian(lambda x: x.softmax(-1), mx), TF.jacobian(lambda x: x.softmax(-1), tx))
    (mx, tx), (my, ty) = _x(3, seed=10), _x(3, seed=11)
    _close_nested(MF.jacobian(f_two, (mx, my)), TF.jacobian(f_two, (tx, ty)))
    _close_nested(MF.jacobian(f_scalar, mx), TF.jacobian(f_scalar, tx))


def test_jacobian_of_unused_input_is_zero():
    (mx, tx), (my, ty) = _x(2, seed=12), _x(3, seed=13)
    _close_nested(MF.jacobian(lambda x, y: x * 2, (mx, my)), TF.jacobian(lambda x, y: x * 2, (tx, ty)))


def test_hessian():
    mx, tx = _x(4, seed=14)
    _close_nested(MF.hessian(f_scalar, mx), TF.hessian(f_scalar, tx))
    (mx, tx), (my, ty) = _x(2, seed=15), _x(2, seed=16)
    _close_nested(MF.hessian(f_scalar2, (mx, my)), TF.hessian(f_scalar2, (tx, ty)))


def test_hvp():
    mx, tx = _x(4, seed=17)
    mv, tv = _x(4, seed=18)
    _close_nested(MF.hvp(f_scalar, mx, mv), TF.hvp(f_scalar, tx, tv))
    (mx, tx), (my, ty) = _x(3, seed=19), _x(3, seed=20)
    (mu, tu), (mw, tw) = _x(3, seed=21), _x(3, seed=22)
    _close_nested(MF.hvp(f_scalar2, (mx, my), (mu, mw)), TF.hvp(f_scalar2, (tx, ty), (tu, tw)))


def test_functional_does_not_touch_inputs_grad():
    mx, _ = _x(3)
    MF.jacobian(f_vec, mx)
    MF.hessian(f_scalar, mx)
    assert mx.grad is None and not mx.requires_grad


@pytest.mark.parametrize("name", ["vjp", "hvp", "jacobian"])
def test_create_graph_results_stay_connected_to_inputs(name):
    grads = []
    for L, F in ((minitorch, MF), (torch, TF)):
        x = L.tensor([0.3, -0.7], dtype=L.float64, requires_grad=True)
        v = L.tensor([1.0, 2.0], dtype=L.float64)
        fn = lambda t: (t**3).sum() * t.sin().sum()  # noqa: E731
        if name == "vjp":
            res = F.vjp(fn, x, create_graph=True)[1]
        elif name == "hvp":
            res = F.hvp(fn, x, v, create_graph=True)[1]
        else:
            res = F.jacobian(lambda t: t.exp() * t, x, create_graph=True)
        assert res.requires_grad
        (res * res).sum().backward()
        grads.append(x.grad)
    assert_close(grads[0], grads[1], rtol=1e-9, atol=1e-10)


# ---------------------------------------------------------------- gradcheck reports ---------------
class WrongGrad(Function):
    """sin with a wrong gradient in one element: the report must point at it."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        bump = np.zeros(x.shape)
        bump[1, 2] = 0.5
        return g * x.cos() + minitorch.tensor(bump) * g


def test_gradcheck_passes_for_correct_ops():
    x = minitorch.tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    y = minitorch.tensor(np.random.default_rng(1).standard_normal((3,)), requires_grad=True)
    assert gradcheck(lambda a, b: (a * b).tanh() @ b, (x, y))
    assert gradgradcheck(lambda a, b: (a * b).tanh() @ b, (x, y))


def test_gradcheck_failure_names_input_and_worst_element():
    c = minitorch.tensor(np.ones(3), requires_grad=True)
    x = minitorch.tensor(np.random.default_rng(2).standard_normal((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError) as err:
        gradcheck(lambda a, b: WrongGrad.apply(b) * a, (c, x))
    msg = str(err.value)
    assert "input 1" in msg
    assert "[1, 2]" in msg
    assert "analytical" in msg and "numerical" in msg


def test_gradcheck_raise_exception_false_returns_false():
    x = minitorch.tensor(np.random.default_rng(3).standard_normal((2, 3)), requires_grad=True)
    assert gradcheck(WrongGrad.apply, (x,), raise_exception=False) is False


def test_gradcheck_warns_on_float32_inputs():
    x = minitorch.tensor([0.5, 1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="float64"):
        gradcheck(lambda t: t * 2, (x,), raise_exception=False)


def test_gradcheck_on_non_contiguous_input():
    base = minitorch.tensor(np.random.default_rng(4).standard_normal((3, 2)))
    x = base.T.detach().requires_grad_()
    assert gradcheck(lambda t: (t * t).sum(1), (x,))
