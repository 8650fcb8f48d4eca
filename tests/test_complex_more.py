"""Complex autograd for more ops (scans, var/std, where/masked_fill/index_put, linalg inv/det/slogdet/solve/
matrix_exp, F.linear, trig/hyperbolic, rsqrt/log1p/expm1/exp2, padding, shape ops): forward and gradients
against torch in complex128, and finite differences on the real and imaginary parts."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch as m

from .helpers import devices, require_torch

torch = require_torch()
RNG = np.random.default_rng(3)


def cz(*shape):
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


def _np(t):
    t = t.detach()
    return t.cpu().numpy() if isinstance(t, m.Tensor) else t.resolve_conj().numpy()


def _lib(t):
    return m if isinstance(t, m.Tensor) else torch


def _loss(lib, y, w):
    w = lib.tensor(w)
    if y.is_complex():
        return (y.abs() ** 2 * w).sum() + (y.real * w).sum() + (y.imag * w * 0.5).sum()
    return (y * w).sum()


def check(f, inputs, device="cpu", atol=1e-9):
    """Forward values and the gradients of a real loss equal torch's (complex128/float64)."""
    t_in = [torch.tensor(a, requires_grad=True) for a in inputs]
    m_in = [m.tensor(a, device=device, requires_grad=True) for a in inputs]
    yt, ym = f(*t_in), f(*m_in)
    assert str(ym.dtype) == str(yt.dtype) and tuple(ym.shape) == tuple(yt.shape)
    np.testing.assert_allclose(_np(ym), _np(yt), atol=atol)
    w = RNG.standard_normal(tuple(yt.shape))
    gt = torch.autograd.grad(_loss(torch, yt, w), t_in)
    gm = m.autograd.grad(_loss(m, ym, w if device == "cpu" else m.tensor(w).to(device)), m_in)
    for a, b, x in zip(gt, gm, m_in):
        assert b.dtype == x.dtype
        np.testing.assert_allclose(_np(b), _np(a), atol=atol)


A, B = cz(3, 4), cz(3, 4)
SQ, SQ2 = cz(2, 3, 3), cz(2, 3, 3)

UNARY = ["rsqrt", "log1p", "expm1", "exp2", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
         "square", "log2", "log10", "clone"]


@pytest.mark.parametrize("name", UNARY)
def test_unary(name):
    t_in = torch.tensor(A, requires_grad=True)
    x = m.tensor(A, requires_grad=True)
    yt, ym = getattr(torch, name)(t_in), getattr(m, name)(x)
    assert str(ym.dtype) == str(yt.dtype)
    np.testing.assert_allclose(_np(ym), _np(yt), atol=1e-9)
    w = RNG.standard_normal(A.shape)
    (gt,) = torch.autograd.grad(_loss(torch, yt, w), t_in)
    (gm,) = m.autograd.grad(_loss(m, ym, w), x)
    np.testing.assert_allclose(_np(gm), _np(gt), atol=1e-9)


CASES = {
    "cumsum": (lambda x, y: x.cumsum(1) + _lib(x).cumsum(y, 0), [A, B]),
    "cumprod": (lambda x, y: x.cumprod(1) * y.cumprod(0), [A, B]),
    "cumprod_zero": (lambda x: x.cumprod(1), [np.array([[1 + 1j, 0, 2 - 1j, 0.5j], [0, 1j, 1, 2]])]),
    "var": (lambda x: x.var(1), [A]),
    "var_all_keep": (lambda x: x.var(correction=0) + x.var(0, keepdim=True).sum(), [A]),
    "std": (lambda x: x.std(0) * 2, [A]),
    "std_mean": (lambda x: _lib(x).std_mean(x, 1)[0] * _lib(x).var_mean(x, 0)[0].sum(), [A]),
    "mean": (lambda x: x.mean(1) + x.mean(), [A]),
    "where": (lambda x, y: _lib(x).where(x.abs() > 1, x, y * 2), [A, B]),
    "masked_fill": (lambda x: x.masked_fill(x.real > 0, 2 - 1j), [A]),
    "masked_fill_tensor": (lambda x, y: x.masked_fill(x.imag > 0, y[0, 0]), [A, B]),
    "index_put": (lambda x, y: x.index_put((_lib(x).tensor([0, 2]),), y[1]), [A, B]),
    "setitem": (lambda x, y: _setitem(x, y), [A, B]),
    "inv": (lambda x: _lib(x).linalg.inv(x), [SQ]),
    "det": (lambda x: _lib(x).linalg.det(x), [SQ]),
    "slogdet_abs": (lambda x: _lib(x).linalg.slogdet(x)[1], [SQ]),
    "slogdet_both": (lambda x: _lib(x).linalg.slogdet(x)[0] * 2 + _lib(x).linalg.slogdet(x)[1], [SQ]),
    "solve": (lambda x, y: _lib(x).linalg.solve(x, y), [SQ, SQ2]),
    "solve_vec": (lambda x, y: _lib(x).linalg.solve(x, y[..., 0]), [SQ, SQ2]),
    "solve_right": (lambda x, y: _lib(x).linalg.solve(x, y, left=False), [SQ, SQ2]),
    "matrix_exp": (lambda x: _lib(x).linalg.matrix_exp(x * 0.5), [SQ]),
    "linear": (lambda x, w, b: _lib(x).nn.functional.linear(x, w, b), [cz(2, 5, 4), cz(3, 4), cz(3)]),
    "linear_2d": (lambda x, w: _lib(x).nn.functional.linear(x, w), [cz(5, 4), cz(3, 4)]),
    "shapes": (lambda x, y: _lib(x).stack([x, y], 1).permute(2, 0, 1).transpose(0, 1).flip(0).roll(1, 2)
               .reshape(-1).narrow(0, 1, 10), [A, B]),
    "sum_dims": (lambda x: x.sum((0, 1)) + x.sum(-1).sum(), [cz(2, 3, 4)]),
    "pad_reflect": (lambda x: _lib(x).nn.functional.pad(x[None], (2, 1), mode="reflect")[0], [A]),
    "pad_constant": (lambda x: _lib(x).nn.functional.pad(x, (1, 2, 0, 1)), [A]),
    "diag_embed": (lambda x: _lib(x).diag_embed(x) @ x[..., None], [A]),
}


def _setitem(x, y):
    z = x.clone()
    z[1:, ::2] = y[:2, :2] * 2
    return z


@pytest.mark.parametrize("name", sorted(CASES))
def test_vs_torch(name):
    f, inputs = CASES[name]
    check(f, inputs)


def _fd_grad(f, a, eps=1e-6):
    """torch's convention by finite differences of the real loss f: dL/dx + i dL/dy."""
    g = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        for unit in (1, 1j):
            e = np.zeros_like(a)
            e[idx] = unit * eps
            g[idx] += unit * (f(a + e) - f(a - e)) / (2 * eps)
    return g


FD = {
    "cumprod": lambda x: x.cumprod(1), "var": lambda x: x.var(0), "inv": lambda x: m.linalg.inv(x[:, :2]),
    "det": lambda x: m.linalg.det(x[:, :2]).reshape(1), "slogdet": lambda x: m.linalg.slogdet(x[:, :2])[0],
    "matrix_exp": lambda x: m.linalg.matrix_exp(x[:, :2]), "asin": m.asin, "acosh": m.acosh, "rsqrt": m.rsqrt,
    "tan": m.tan, "solve": lambda x: m.linalg.solve(x[:, :2], x[:, 2:]),
    "linear": lambda x: m.nn.functional.linear(x, x[:1] * 1j + 1),
}


@pytest.mark.parametrize("name", sorted(FD))
def test_finite_differences(name):
    f = FD[name]
    a = cz(2, 3)
    wt = RNG.standard_normal(np.asarray(f(m.tensor(a)).shape)) + 0.5

    def loss(arr):
        y = f(m.tensor(arr))
        return (y.abs() ** 2 * m.tensor(wt)).sum() + ((y.imag if y.is_complex() else y) * m.tensor(wt)).sum()

    z = m.tensor(a, requires_grad=True)
    y = f(z)
    ((y.abs() ** 2 * m.tensor(wt)).sum() + ((y.imag if y.is_complex() else y) * m.tensor(wt)).sum()).backward()
    np.testing.assert_allclose(z.grad.numpy(), _fd_grad(lambda arr: float(loss(arr)), a), atol=1e-5)


def test_var_of_complex_is_real():
    z = m.tensor(A.astype(np.complex64))
    for y, yt in ((z.var(), torch.tensor(A.astype(np.complex64)).var()),
                  (z.std(1), torch.tensor(A.astype(np.complex64)).std(1))):
        assert str(y.dtype) == str(yt.dtype) == "torch.float32"
        np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-5)


def test_double_backward_through_inv_and_cumprod():
    def second(lib, a):
        z = lib.tensor(a, requires_grad=True)
        y = (lib.linalg.inv(z).abs() ** 2).sum() + (z.cumprod(-1).abs() ** 2).sum()
        (g,) = lib.autograd.grad(y, z, create_graph=True)
        (gg,) = lib.autograd.grad((g.real * 1.5 + g.imag).sum(), z)
        return gg
    np.testing.assert_allclose(_np(second(m, SQ)), _np(second(torch, SQ)), atol=1e-8)


def test_real_paths_unchanged():
    """Real data through the newly marked ops: real gradients, as before (the flags only add a dtype check)."""
    x = m.tensor(RNG.standard_normal((3, 3)), requires_grad=True)
    w = m.tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    y = (m.linalg.inv(x).sum() + m.nn.functional.linear(x, w).cumprod(0).sum() + x.var() + m.linalg.det(x)
         + m.asinh(x).sum())
    y.backward()
    t = torch.tensor(x.detach().numpy(), requires_grad=True)
    tw = torch.tensor(w.detach().numpy(), requires_grad=True)
    yt = (torch.linalg.inv(t).sum() + torch.nn.functional.linear(t, tw).cumprod(0).sum() + t.var()
          + torch.linalg.det(t) + torch.asinh(t).sum())
    yt.backward()
    assert x.grad.dtype is m.float64 and w.grad.dtype is m.float64
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=1e-9)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), atol=1e-9)


@pytest.mark.parametrize("device", devices())
def test_device(device):
    check(lambda x, y: (x.cumprod(1) * y.cumsum(0)).sinh() + x.var(0) + _lib(x).nn.functional.linear(x, y[:2]).sum(),
          [A, B], device)
    check(lambda x, y: _lib(x).linalg.solve(x, y) + _lib(x).linalg.inv(x) * _lib(x).linalg.det(x)[..., None, None],
          [SQ, SQ2], device)
