"""autograd.check: correct Functions pass; planted bugs are caught and the cause is named."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
from minitorch.autograd import Function, check
from minitorch.ops._util import unbroadcast
from tests.helpers import require_torch, to_torch

torch = require_torch()


# ---- correct Functions -----------------------------------------------------------------------
class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        """d(a*b) = g*b, g*a (summed back over broadcast dims)."""
        a, b = ctx.saved_tensors
        return unbroadcast(g * b, tuple(a.shape)), unbroadcast(g * a, tuple(b.shape))


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        """d(a-b) = g, -g."""
        return g, -g


class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, g):
        """d(a@b) = g @ b.T, a.T @ g."""
        a, b = ctx.saved_tensors
        return g @ b.t(), a.t() @ g


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        """d(x^2) = 2 x g."""
        (x,) = ctx.saved_tensors
        return 2 * g * x


class Softplus(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x.exp() + 1).log()

    @staticmethod
    def backward(ctx, g):
        """d softplus(x) = g * sigmoid(x)."""
        (x,) = ctx.saved_tensors
        return g * x.sigmoid()


# ---- planted bugs --------------------------------------------------------------------------------
class MulNoUnbroadcast(Mul):
    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a


class SubWrongSign(Sub):
    @staticmethod
    def backward(ctx, g):
        return g, g


class MatMulWrongTranspose(MatMul):
    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g @ b, a.t() @ g


class MatMulTransposedResult(MatMul):
    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g @ b.t(), (a.t() @ g).t()


class SquareMissingFactor(Square):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x


class SquareIgnoresUpstream(Square):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x


class SquareReturnsNone(Square):
    @staticmethod
    def backward(ctx, g):
        return None


class SquareOnRawArrays(Square):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return minitorch.Tensor._wrap(2 * g.array * x.array)


class SoftplusWrongDerivative(Softplus):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.exp()


class SquareWrongCount(Square):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * g * x, g


def _randn(*shape, seed=0):
    return minitorch.tensor(np.random.default_rng(seed + len(shape)).standard_normal(shape))


def _torch_jacobian(fn, *xs):
    ts = tuple(to_torch(x, True) for x in xs)
    jac = torch.autograd.functional.jacobian(fn, ts)
    return [j.numpy() for j in jac] if isinstance(jac, tuple) else [jac.numpy()]


# ---- tests --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn, inputs, torch_fn",
    [
        (Mul, lambda: (_randn(3, 4), _randn(4, seed=1)), torch.mul),
        (Sub, lambda: (_randn(2, 3), _randn(2, 3, seed=1)), torch.sub),
        (MatMul, lambda: (_randn(3, 2), _randn(2, 4, seed=1)), torch.matmul),
        (Square, lambda: (_randn(5),), torch.square),
        (Softplus, lambda: (_randn(2, 3),), torch.nn.functional.softplus),
    ],
)
def test_correct_functions_pass(fn, inputs, torch_fn, capsys):
    res = check(fn, *inputs(), gradgrad=True, torch_fn=torch_fn)
    assert res.ok and bool(res), res.message
    assert res.cause is None
    assert "OK" in res.message and "torch" in res.message
    assert capsys.readouterr().out.strip() == res.message


def test_plain_callables_and_float32_inputs_are_checked_in_float64():
    x = minitorch.randn(3, 2)  # float32, no requires_grad: check makes a float64 copy that does
    res = check(lambda t: (t * t).sum(1).exp(), x, verbose=False)
    assert res.ok, res.message
    assert x.dtype == minitorch.float32 and not x.requires_grad


def test_missing_unbroadcast():
    a, b = _randn(3, 4), _randn(4, seed=1)
    res = check(MulNoUnbroadcast, a, b, verbose=False)
    assert not res.ok and res.cause == "unbroadcast"
    assert res.input_index == 1
    assert "(3, 4)" in res.message and "(4,)" in res.message and "unbroadcast" in res.message


def test_wrong_sign_names_input_element_and_values():
    a, b = _randn(2, 3), _randn(2, 3, seed=1)
    res = check(SubWrongSign, a, b, verbose=False)
    assert not res.ok and res.cause == "sign" and res.input_index == 1
    jac = _torch_jacobian(torch.sub, a, b)[1].reshape(6, 6)
    r = np.ravel_multi_index(res.output_element, (2, 3))
    c = np.ravel_multi_index(res.element, (2, 3))
    assert res.expected == pytest.approx(jac[r, c])
    assert res.got == pytest.approx(-jac[r, c])
    assert f"input 1{list(res.element)}" in res.message and "wrong sign" in res.message


def test_wrong_transpose_of_an_operand():
    a, b = _randn(3, 3), _randn(3, 3, seed=1)
    res = check(MatMulWrongTranspose, a, b, verbose=False)
    assert not res.ok and res.cause == "transpose" and res.input_index == 0
    assert "input 1 transposed" in res.message


def test_gradient_returned_transposed():
    a, b = _randn(3, 3), _randn(3, 3, seed=1)
    res = check(MatMulTransposedResult, a, b, verbose=False)
    assert not res.ok and res.cause == "transpose" and res.input_index == 1
    assert "right one transposed" in res.message


def test_missing_constant_factor():
    x = _randn(5)
    res = check(SquareMissingFactor, x, verbose=False)
    assert not res.ok and res.cause == "factor"
    jac = _torch_jacobian(torch.square, x)[0]
    ratio = res.got / res.expected
    assert ratio == pytest.approx(0.5)
    assert res.expected == pytest.approx(jac[res.output_element[0], res.element[0]])
    assert "0.5 times" in res.message


def test_ignoring_the_upstream_gradient():
    res = check(SquareIgnoresUpstream, _randn(4), verbose=False)
    assert not res.ok and res.cause == "upstream"


def test_returning_none_and_wrong_count():
    res = check(SquareReturnsNone, _randn(4), verbose=False)
    assert not res.ok and res.cause == "zero" and "returned None" in res.message
    res = check(SquareWrongCount, _randn(4), verbose=False)
    assert not res.ok and res.cause == "count"


def test_wrong_local_derivative():
    res = check(SoftplusWrongDerivative, _randn(2, 3), verbose=False)
    assert not res.ok and res.cause == "derivative"


def test_non_differentiable_backward_is_caught_by_gradgrad_only():
    x = _randn(4)
    assert check(SquareOnRawArrays, x, verbose=False).ok
    res = check(SquareOnRawArrays, x, gradgrad=True, verbose=False)
    assert not res.ok and res.cause == "not_differentiable" and res.stage == "gradgradcheck"


def test_torch_reference_catches_a_different_forward():
    class SoftplusBeta2(Softplus):  # consistent forward/backward, but not torch's softplus
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return (x.exp() + 1).log() * 2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * g * x.sigmoid()

    x = _randn(3)
    assert check(SoftplusBeta2, x, verbose=False).ok
    res = check(SoftplusBeta2, x, torch_fn=torch.nn.functional.softplus, verbose=False)
    assert not res.ok and res.cause == "forward" and "torch" in res.message


def test_bad_argument():
    with pytest.raises(TypeError, match="check"):
        check(42, _randn(2))


def test_inputs_too_large_for_a_jacobian_are_refused_with_advice():
    with pytest.raises(ValueError, match="small inputs"):
        check(Square, minitorch.randn(1100, 1000), verbose=False)
