"""Complex tensors: dtypes, creation, promotion, printing, ops and torch's complex autograd, the safety net."""
from __future__ import annotations

import io

import numpy as np
import pytest

import minitorch as m
from minitorch.autograd.function import BuiltinOp

from .helpers import devices, no_host_sync, require_torch

torch = require_torch()
RNG = np.random.default_rng(0)


def cz(*shape):
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


def _np(t):
    t = t.detach()
    return t.resolve_conj().numpy() if hasattr(t, "resolve_conj") and not isinstance(t, m.Tensor) else t.cpu().numpy()


def _loss(lib, y, w):
    """A real loss of a real or complex output (|y|^2 weighted, so real and imaginary parts both matter)."""
    w = lib.tensor(w)
    if y.is_complex():
        return (y.abs() ** 2 * w).sum() + (y.real * w).sum()
    return (y * w).sum()


def check(f_m, f_t, inputs, device="cpu", atol=1e-9):
    """Forward values and the gradients of a real loss equal torch's (complex128/float64)."""
    t_in = [torch.tensor(a, requires_grad=True) for a in inputs]
    m_in = [m.tensor(a, device=device, requires_grad=True) for a in inputs]
    yt, ym = f_t(*t_in), f_m(*m_in)
    assert str(ym.dtype) == str(yt.dtype)
    np.testing.assert_allclose(_np(ym), _np(yt), atol=atol)
    w = RNG.standard_normal(tuple(yt.shape))
    gt = torch.autograd.grad(_loss(torch, yt, w), t_in)
    lm = _loss(m, ym, w if device == "cpu" else m.tensor(w).to(device))
    gm = m.autograd.grad(lm, m_in)
    for a, b, x in zip(gt, gm, m_in):
        assert b.dtype == x.dtype
        np.testing.assert_allclose(_np(b), _np(a), atol=atol)


A, B = cz(3, 4), cz(3, 4)
UNARY = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "abs", "angle", "sgn", "reciprocal", "conj",
         "conj_physical", "neg", "square"]


# ---------------------------------------------------------------- dtypes, creation, promotion ---------
def test_dtypes_and_aliases():
    assert m.cfloat is m.complex64 and m.cdouble is m.complex128
    assert m.complex64.is_complex and not m.complex64.is_floating_point and m.complex64.is_signed
    assert not m.float32.is_complex
    assert m.complex64.itemsize == 8 and m.complex128.to_real() is m.float64 and m.float32.to_complex() is m.complex64
    assert str(m.complex64) == "torch.complex64"
    z = m.tensor([1 + 2j, 3])
    assert z.dtype is m.complex64 and z.is_complex() and m.is_complex(z) and not m.ones(2).is_complex()
    assert m.tensor(1 + 2j).dtype is m.complex64
    assert m.tensor([1j], dtype=m.cdouble).dtype is m.complex128
    assert m.zeros(2, 3, dtype=m.complex64).dtype is m.complex64 and m.ones(2, dtype=m.cdouble).dtype is m.complex128
    assert m.ones(2).cfloat().dtype is m.complex64 and m.ones(2).cdouble().dtype is m.complex128
    assert m.ones(2).to(m.complex64).dtype is m.complex64
    m.set_default_dtype(m.float64)
    try:
        assert m.tensor([1j]).dtype is m.complex128
    finally:
        m.set_default_dtype(m.float32)


@pytest.mark.parametrize("a,b", [("complex64", "float64"), ("complex64", "float16"), ("complex128", "float32"),
                                 ("complex64", "int64"), ("complex64", "bool"), ("complex64", "complex128")])
def test_promote_types(a, b):
    assert str(m.promote_types(getattr(m, a), getattr(m, b))) == str(torch.promote_types(getattr(torch, a),
                                                                                         getattr(torch, b)))


@pytest.mark.parametrize("make", [
    lambda lib: (lib.ones(2), 1j), lambda lib: (lib.ones(2, dtype=lib.float64), 1j),
    lambda lib: (lib.ones(2, dtype=lib.int64), 1j), lambda lib: (lib.ones(2), lib.tensor(1j, dtype=lib.complex128)),
    lambda lib: (lib.ones(2, dtype=lib.complex64), lib.tensor(1.0, dtype=lib.float64)),
    lambda lib: (lib.ones(2, dtype=lib.float64), lib.tensor(1j, dtype=lib.complex64)),
    lambda lib: (lib.ones(2, dtype=lib.int32), lib.tensor(1j, dtype=lib.complex64)),
])
def test_result_type(make):
    assert str(m.result_type(*make(m))) == str(torch.result_type(*make(torch)))


def test_arithmetic_result_dtypes():
    for x, y in [(m.ones(2), 1j), (m.ones(2, dtype=m.float64), 2j), (m.ones(2, dtype=m.complex64), 2.5)]:
        tx = torch.tensor(x.numpy())
        assert str((x * y).dtype) == str((tx * y).dtype)


@pytest.mark.parametrize("data,dtype", [([1 + 2j, 3.5 - 1j], None), ([1 + 2j, 3j], "complex128"),
                                        (1 + 2j, None), ([1e-5 + 2j, 3.5 - 1000j], None),
                                        ([[1 + 2j, 3.25 - 1j], [0, 1j]], None), ([0.5j, -2, 7 + 1e9j], None)])
def test_printing(data, dtype):
    kw = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    mkw = {} if dtype is None else {"dtype": getattr(m, dtype)}
    assert repr(m.tensor(data, **mkw)) == repr(torch.tensor(data, **kw))


def test_printing_requires_grad_and_grad_fn():
    assert repr(m.tensor([1 + 2j], requires_grad=True)) == repr(torch.tensor([1 + 2j], requires_grad=True))
    assert "grad_fn=<MulBackward0>" in repr(m.tensor([1 + 2j], requires_grad=True) * 2)


def test_conversions():
    z = m.tensor([1 + 2j])
    assert z.item() == 1 + 2j and isinstance(z.item(), complex)
    assert z.numpy().dtype == np.complex64
    with pytest.raises(RuntimeError, match="cannot be converted"):
        float(z)
    with pytest.raises(RuntimeError, match="cannot be converted"):
        int(z)
    assert float(m.tensor(1 + 0j)) == float(torch.tensor(1 + 0j)) == 1.0
    assert m.tensor([1.5]).to(m.complex64).item() == 1.5 + 0j


def test_save_load_round_trip():
    z = m.tensor(cz(3, 2))
    buf = io.BytesIO()
    m.save({"z": z, "w": z.cfloat()}, buf)
    buf.seek(0)
    back = m.load(buf)
    assert back["z"].dtype is m.complex128 and back["w"].dtype is m.complex64
    assert np.array_equal(back["z"].numpy(), z.numpy()) and np.array_equal(back["w"].numpy(), z.cfloat().numpy())


# ---------------------------------------------------------------- values and gradients vs torch ------
@pytest.mark.parametrize("name", UNARY)
def test_unary(name):
    check(getattr(m, name), getattr(torch, name), [A])


@pytest.mark.parametrize("name,f", [
    ("mul", lambda x, y: x * y), ("div", lambda x, y: x / y), ("add", lambda x, y: x + y - 2 * y),
    ("pow", lambda x, y: x ** y), ("matmul", lambda x, y: x @ y.mT), ("mm_rowvec", lambda x, y: x[0] @ y.mT),
    ("broadcast", lambda x, y: x * y[:1] / (y[:, :1] + 3)), ("mixed_real", lambda x, y: (x * y.real).exp()),
    ("real_times_complex", lambda x, y: x.real * (1 + 2j) + y.imag),
    ("cat_flip_index", lambda x, y: _lib(x).cat([x, y[:, :2]], 1).flip(0)[1:].reshape(-1)),
    ("stack_T_sum", lambda x, y: _lib(x).stack([x, y]).transpose(0, 2).sum(1)),
    ("mean_prod", lambda x, y: x.mean(0) * y.prod(1).sum()),
    ("where", lambda x, y: _lib(x).where(x.real > 0, x, y)),
    ("einsum", lambda x, y: _lib(x).einsum("ij,kj->ik", x, y)),
    ("mH", lambda x, y: x @ y.mH),
])
def test_binary(name, f):
    check(f, f, [A, B])


def _lib(t):
    return m if isinstance(t, m.Tensor) else torch


def test_scalar_ops():
    check(lambda x: x ** 2.5 * (1 - 2j) + 1j / x, lambda x: x ** 2.5 * (1 - 2j) + 1j / x, [A])
    check(lambda x: 2 ** x, lambda x: 2 ** x, [A])


def test_parts():
    check(lambda x: x.real * x.imag + x.angle(), lambda x: x.real * x.imag + x.angle(), [A])
    check(m.view_as_real, torch.view_as_real, [A])
    check(lambda x: m.view_as_complex(x * 2), lambda x: torch.view_as_complex(x * 2), [RNG.standard_normal((3, 2))])
    check(m.complex, torch.complex, [A.real.copy(), B.real.copy()])
    check(m.polar, torch.polar, [np.abs(A.real) + 0.1, B.real.copy()])
    x = m.tensor(A)
    assert x.conj().is_conj() is False and x.resolve_conj() is x and x.conj_physical().dtype is x.dtype
    assert np.array_equal(m.isreal(m.tensor([1 + 0j, 1j])).numpy(), [True, False])
    with pytest.raises(RuntimeError, match="imag is not implemented"):
        m.ones(2).imag  # noqa: B018
    assert m.ones(2).real.dtype is m.float32


def test_zero_is_safe_for_abs_angle_sgn():
    z = np.array([0j, 1 + 1j])
    for name in ("abs", "angle", "sgn"):
        check(getattr(m, name), getattr(torch, name), [z])


def test_double_backward_complex():
    """create_graph through complex ops equals torch's second derivative."""
    def second(lib, a):
        z = lib.tensor(a, requires_grad=True)
        y = (z * z.exp()).abs().sum()
        (g,) = lib.autograd.grad(y, z, create_graph=True)
        (gg,) = lib.autograd.grad((g.real * 1.5 + g.imag).sum(), z)
        return gg
    np.testing.assert_allclose(second(m, A).numpy(), second(torch, A).resolve_conj().numpy(), atol=1e-9)


def _fd_grad(f, a, eps=1e-6):
    """torch's convention by finite differences of the real loss f: dL/dx + i dL/dy."""
    g = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        for unit in (1, 1j):
            e = np.zeros_like(a)
            e[idx] = unit * eps
            d = (f(a + e) - f(a - e)) / (2 * eps)
            g[idx] += d * unit
    return g


@pytest.mark.parametrize("name", ["exp", "sin", "tanh", "sigmoid", "abs", "angle", "sgn", "sqrt"])
def test_finite_differences(name):
    def f(a):
        y = getattr(m, name)(m.tensor(a))
        return float(((y * m.tensor(np.arange(a.size).reshape(a.shape) + 1.0)).abs() ** 2).sum())
    a = cz(2, 2)
    z = m.tensor(a, requires_grad=True)
    y = getattr(m, name)(z)
    ((y * m.tensor(np.arange(4.0).reshape(2, 2) + 1)).abs() ** 2).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), _fd_grad(f, a), atol=1e-5)


def test_real_input_gets_real_grad():
    x = m.tensor([1.0, 2.0], requires_grad=True)
    (x * (1 + 2j)).abs().sum().backward()
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    (tx * (1 + 2j)).abs().sum().backward()
    assert x.grad.dtype is m.float32
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)


# ---------------------------------------------------------------- the safety net ----------------------
def test_complex_scalar_backward_refuses_as_torch():
    z = m.tensor([1 + 2j], requires_grad=True)
    with pytest.raises(RuntimeError, match="real scalar outputs"):
        z.sum().backward()
    with pytest.raises(RuntimeError, match="same dtype"):
        (z * 2).backward(m.ones(1))


def test_unflagged_op_refuses_complex_autograd():
    z = m.tensor(cz(3), requires_grad=True)
    with pytest.raises(NotImplementedError, match="autograd for complex tensors is not implemented"):
        m.repeat_interleave(z, 2)  # (cumsum, the earlier example here, is complex-aware now)
    with m.no_grad():  # forward only: the values are right
        np.testing.assert_allclose(m.repeat_interleave(z, 2).numpy(), np.repeat(z.detach().numpy(), 2))

    class RealFromComplex(BuiltinOp):  # an unflagged op with a real output of a complex input
        @staticmethod
        def forward(ctx, x):
            return x.array.real.copy()

        @staticmethod
        def backward(ctx, g):
            """Wrong on purpose."""
            return g

    with pytest.raises(NotImplementedError, match="RealFromComplex"):
        RealFromComplex.apply(z)
    RealFromComplex.apply(m.ones(2, requires_grad=True))  # real data: no check, records as ever


def test_user_function_is_trusted_with_complex():
    class Double(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    z = m.tensor([1 + 1j], requires_grad=True)
    Double.apply(z).abs().sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), 2 * (1 + 1j) / abs(1 + 1j))


def test_real_hot_path_flags():
    from minitorch.ops import elementwise as ew

    assert BuiltinOp.complex_autograd is False and m.autograd.Function.complex_autograd is True
    assert ew.Mul.complex_autograd and ew.Add.complex_autograd and not ew.Relu.complex_autograd
    x = m.ones(3, requires_grad=True)
    y = (x * 2).relu().sum()  # real data through flagged and unflagged ops: recorded as before
    y.backward()
    assert x.grad.dtype is m.float32 and np.array_equal(x.grad.numpy(), [2, 2, 2])


# ---------------------------------------------------------------- devices ------------------------------
@pytest.mark.parametrize("device", devices())
def test_cuda_complex_ops(device):
    check(lambda x, y: (x * y.conj() / (y + 2)).exp().abs() + x.angle() + (x @ y.mT).sum(),
          lambda x, y: (x * y.conj() / (y + 2)).exp().abs() + x.angle() + (x @ y.mT).sum(), [A, B], device)
    if device == "cuda":
        z = m.tensor(A, device="cuda", requires_grad=True)
        with no_host_sync():
            y = (m.view_as_real(z * z.sgn()).sum() + z.abs().sum() + z.real.sum())
            y.backward()
