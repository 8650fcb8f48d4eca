"""torch.linalg.householder_product, tensorinv and tensorsolve vs torch: values, shapes, gradients (vs torch
and gradcheck / gradgradcheck in float64), errors."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch

from .helpers import assert_close, raises_like_torch, require_torch

torch = require_torch()
RNG = np.random.default_rng(20250715)


def _pair(a):
    return minitorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


@pytest.mark.parametrize("shape,k", [((5, 3), 2), ((4, 4), 4), ((2, 5, 3), 3), ((3, 2), 0), ((2, 1, 4, 2), 1)])
def test_householder_product_values_and_gradients_match_torch(shape, k):
    am, at = _pair(RNG.standard_normal(shape))
    tm, tt = _pair(RNG.uniform(0.3, 1.7, shape[:-2] + (k,)))
    qm, qt = minitorch.linalg.householder_product(am, tm), torch.linalg.householder_product(at, tt)
    assert_close(qm, qt, rtol=1e-12, atol=1e-13)
    assert qm.requires_grad == qt.requires_grad
    if not k:  # no reflectors: Q = I[:, :n] (torch's gradient of A then comes back as a 0-d zero)
        return
    w = RNG.standard_normal(tuple(qt.shape))
    (qm * minitorch.tensor(w)).sum().backward()
    (qt * torch.tensor(w)).sum().backward()
    assert_close(am.grad, at.grad, rtol=1e-10, atol=1e-12)
    assert_close(tm.grad, tt.grad, rtol=1e-10, atol=1e-12)


def test_householder_product_reproduces_geqrf_q_and_float32():
    a = RNG.standard_normal((6, 4))
    ta, tau = torch.geqrf(torch.tensor(a))
    q = minitorch.linalg.householder_product(minitorch.tensor(ta.numpy()), minitorch.tensor(tau.numpy()))
    assert_close(q, torch.linalg.householder_product(ta, tau), rtol=1e-12, atol=1e-13)
    assert_close(q.mT @ q, np.eye(4), atol=1e-12)
    q32 = minitorch.linalg.householder_product(minitorch.tensor(a, dtype=minitorch.float32),
                                               minitorch.tensor(tau.numpy(), dtype=minitorch.float32))
    assert q32.dtype == minitorch.float32


def test_householder_product_gradcheck_and_gradgradcheck():
    a = minitorch.tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    tau = minitorch.tensor(RNG.uniform(0.3, 1.7, (2,)), requires_grad=True)
    f = minitorch.linalg.householder_product
    assert minitorch.autograd.gradcheck(f, (a, tau))
    assert minitorch.autograd.gradgradcheck(f, (a, tau))


@pytest.mark.parametrize("make", [
    lambda L: (L.randn(3), L.randn(1)),
    lambda L: (L.randn(2, 3), L.randn(1)),
    lambda L: (L.randn(4, 3), L.randn(4)),
    lambda L: (L.randn(2, 4, 3), L.randn(3, 2)),
    lambda L: (L.randn(4, 3), L.randn(2, dtype=L.float64)),
])
def test_householder_product_errors_like_torch(make):
    e = raises_like_torch(lambda: torch.linalg.householder_product(*make(torch)),
                          lambda: minitorch.linalg.householder_product(*make(minitorch)))
    with pytest.raises(RuntimeError) as te:
        torch.linalg.householder_product(*make(torch))
    assert str(e) == str(te.value)


@pytest.mark.parametrize("shape,ind", [((4, 6, 8, 3), 2), ((6, 2, 3), 1), ((2, 3, 6), 2)])
def test_tensorinv_values_and_gradients_match_torch(shape, ind):
    a = RNG.standard_normal(shape)
    am, at = _pair(a)
    rm, rt = minitorch.linalg.tensorinv(am, ind=ind), torch.linalg.tensorinv(at, ind=ind)
    assert tuple(rm.shape) == tuple(rt.shape)
    assert_close(rm, rt, rtol=1e-9, atol=1e-11)
    w = RNG.standard_normal(tuple(rt.shape))
    (rm * minitorch.tensor(w)).sum().backward()
    (rt * torch.tensor(w)).sum().backward()
    assert_close(am.grad, at.grad, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("ashape,bshape,dims", [((2, 3, 6), (2, 3), None), ((6, 2, 3), (2, 3), (0,)),
                                                ((3, 4, 2, 6), (3, 4), None), ((6, 6), (6,), None)])
def test_tensorsolve_values_and_gradients_match_torch(ashape, bshape, dims):
    am, at = _pair(RNG.standard_normal(ashape))
    bm, bt = _pair(RNG.standard_normal(bshape))
    xm, xt = minitorch.linalg.tensorsolve(am, bm, dims=dims), torch.linalg.tensorsolve(at, bt, dims=dims)
    assert tuple(xm.shape) == tuple(xt.shape)
    assert_close(xm, xt, rtol=1e-9, atol=1e-11)
    xm.pow(2).sum().backward()
    xt.pow(2).sum().backward()
    assert_close(am.grad, at.grad, rtol=1e-8, atol=1e-10)
    assert_close(bm.grad, bt.grad, rtol=1e-8, atol=1e-10)


def test_tensorinv_tensorsolve_errors_like_torch():
    for make in (lambda L: L.linalg.tensorinv(L.ones(4, 2, 3), ind=1),
                 lambda L: L.linalg.tensorinv(L.ones(4, 4), ind=0),
                 lambda L: L.linalg.tensorsolve(L.ones(6, 2, 3), L.ones(5)),
                 lambda L: L.linalg.tensorinv(L.zeros(2, 2, 4))):
        raises_like_torch(lambda m=make: m(torch), lambda m=make: m(minitorch))
