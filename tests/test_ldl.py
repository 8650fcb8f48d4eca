"""linalg.ldl_factor_ex / ldl_factor / ldl_solve against torch 2.13 (LAPACK sytrf/sytrs, lower, Bunch-Kaufman):
pivots and info equal torch's exactly, LD equal to float round-off, solves equal; errors; not differentiable."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch

from .helpers import devices, raises_like_torch, require_torch

torch = require_torch()


def _sym(rng, n, kind):
    a = rng.standard_normal((n, n))
    a = a + a.T
    if kind == "small_diag":  # forces 2x2 pivots and swaps
        a[np.diag_indices(n)] *= 0.01
    elif kind == "integer":  # exact ties in the pivot search: the first maximum must win
        a = np.round(a * 2)
    elif kind == "zero_diag":
        a[np.diag_indices(n)] = 0
    elif kind == "spd":
        a = a @ a.T + n * np.eye(n)
    return a


KINDS = ["plain", "small_diag", "integer", "zero_diag", "spd"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_factor_pivots_info_and_LD_equal_torch(kind, dtype):
    rng = np.random.default_rng(0)
    for n in (1, 2, 3, 5, 8, 13, 24):
        for _ in range(4):
            a = _sym(rng, n, kind).astype(dtype)
            LDt, pt, it = torch.linalg.ldl_factor_ex(torch.tensor(a))
            LDm, pm, im = minitorch.linalg.ldl_factor_ex(minitorch.tensor(a))
            assert pm.dtype == minitorch.int32 and im.dtype == minitorch.int32
            assert str(LDm.dtype) == str(LDt.dtype)
            np.testing.assert_array_equal(pm.numpy(), pt.numpy())
            assert int(im) == int(it)
            tol = 1e-12 if dtype == np.float64 else 2e-5
            scale = max(1.0, np.abs(LDt.numpy()).max())
            np.testing.assert_allclose(LDm.numpy(), LDt.numpy(), rtol=0, atol=tol * scale)
            assert np.all(np.triu(LDm.numpy(), 1) == 0)


def test_upper_triangle_is_ignored_and_batches_and_2x2_blocks():
    rng = np.random.default_rng(1)
    a = np.stack([_sym(rng, 6, "small_diag") for _ in range(6)]).reshape(2, 3, 6, 6)
    a_junk = a + np.triu(rng.standard_normal((6, 6)), 1)  # only the lower triangle is read
    LDt, pt = torch.linalg.ldl_factor(torch.tensor(a))
    LDm, pm = minitorch.linalg.ldl_factor(minitorch.tensor(a_junk))
    np.testing.assert_array_equal(pm.numpy(), pt.numpy())
    assert (pt.numpy() < 0).any()  # the cases include 2x2 blocks
    np.testing.assert_allclose(LDm.numpy(), LDt.numpy(), rtol=0, atol=1e-12)
    assert type(minitorch.linalg.ldl_factor(minitorch.eye(2))).__name__ == "linalg_ldl_factor"
    r = minitorch.linalg.ldl_factor_ex(minitorch.eye(2))
    assert (r.LD.shape, r.pivots.shape, r.info.shape) == ((2, 2), (2,), ())


@pytest.mark.parametrize("kind", ["plain", "small_diag", "integer", "spd"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_solve_equals_torch(kind, dtype):
    rng = np.random.default_rng(2)
    for n in (1, 2, 4, 9, 17):
        a = _sym(rng, n, kind)
        if np.linalg.cond(a) > 1e6:
            continue
        a = a.astype(dtype)
        b = rng.standard_normal((n, 3)).astype(dtype)
        LDt, pt = torch.linalg.ldl_factor(torch.tensor(a))
        LDm, pm = minitorch.linalg.ldl_factor(minitorch.tensor(a))
        xt = torch.linalg.ldl_solve(LDt, pt, torch.tensor(b))
        xm = minitorch.linalg.ldl_solve(LDm, pm, minitorch.tensor(b))
        tol = 1e-10 if dtype == np.float64 else 1e-3
        np.testing.assert_allclose(xm.numpy(), xt.numpy(), rtol=tol, atol=tol)
        np.testing.assert_allclose(a.astype(np.float64) @ xm.numpy(), b, rtol=0, atol=50 * tol)


def test_solve_broadcasts_batches_as_torch():
    rng = np.random.default_rng(3)
    a = np.stack([_sym(rng, 4, "small_diag") for _ in range(2)])
    LDt, pt = torch.linalg.ldl_factor(torch.tensor(a))
    LDm, pm = minitorch.linalg.ldl_factor(minitorch.tensor(a))
    # (torch 2.13 crashes when B has more batch dims than LD, so only these are compared)
    for b in (rng.standard_normal((4, 2)), rng.standard_normal((2, 4, 3))):
        xt = torch.linalg.ldl_solve(LDt, pt, torch.tensor(b))
        xm = minitorch.linalg.ldl_solve(LDm, pm, minitorch.tensor(b))
        assert tuple(xm.shape) == tuple(xt.shape)
        np.testing.assert_allclose(xm.numpy(), xt.numpy(), rtol=1e-10, atol=1e-10)


def test_singular_info_and_errors():
    z = np.zeros((3, 3))
    assert int(minitorch.linalg.ldl_factor_ex(minitorch.tensor(z)).info) == int(
        torch.linalg.ldl_factor_ex(torch.tensor(z)).info) == 1
    # torch 2.13 hits an internal assert here; minitorch says what is wrong, with the same exception type
    raises_like_torch(lambda: torch.linalg.ldl_factor(torch.tensor(z)),
                      lambda: minitorch.linalg.ldl_factor(minitorch.tensor(z)))
    raises_like_torch(lambda: torch.linalg.ldl_factor_ex(torch.tensor(z), check_errors=True),
                      lambda: minitorch.linalg.ldl_factor_ex(minitorch.tensor(z), check_errors=True))


def _err_cases():
    return [
        ("1-D", lambda L: L.linalg.ldl_factor_ex(L.zeros(3))),
        ("not square", lambda L: L.linalg.ldl_factor_ex(L.zeros(3, 4))),
        ("integer", lambda L: L.linalg.ldl_factor_ex(L.zeros(3, 3, dtype=L.int64))),
        ("half", lambda L: L.linalg.ldl_factor_ex(L.eye(3).half())),
        ("solve B 1-D", lambda L: L.linalg.ldl_solve(*L.linalg.ldl_factor(L.eye(3)), L.ones(3))),
        ("solve rows", lambda L: L.linalg.ldl_solve(*L.linalg.ldl_factor(L.eye(3)), L.ones(4, 2))),
        ("solve pivots", lambda L: L.linalg.ldl_solve(L.linalg.ldl_factor(L.eye(3))[0],
                                                      L.linalg.ldl_factor(L.eye(3))[1][:2], L.ones(3, 2))),
        ("solve dtype", lambda L: L.linalg.ldl_solve(*L.linalg.ldl_factor(L.eye(3)), L.ones(3, 2, dtype=L.float64))),
    ]


@pytest.mark.parametrize("case", _err_cases(), ids=lambda c: c[0])
def test_errors_match_torch(case):
    _, call = case
    err = raises_like_torch(lambda: call(torch), lambda: call(minitorch))
    with pytest.raises(Exception) as te:
        call(torch)
    assert str(err) == str(te.value)


def test_not_differentiable_as_torch():
    for L in (torch, minitorch):
        a = L.tensor([[2.0, 1.0], [1.0, -3.0]], requires_grad=True)
        LD, piv = L.linalg.ldl_factor(a)
        assert LD.requires_grad and not piv.requires_grad
        with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_factor_ex is not implemented"):
            LD.sum().backward()
        b = L.ones(2, 1, requires_grad=True)
        x = L.linalg.ldl_solve(LD.detach(), piv, b)
        with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_solve is not implemented"):
            x.sum().backward()


@pytest.mark.parametrize("device", devices())
def test_cuda_values_and_device(device):
    rng = np.random.default_rng(4)
    a = _sym(rng, 7, "small_diag")
    b = rng.standard_normal((7, 2))
    LDt, pt = torch.linalg.ldl_factor(torch.tensor(a))
    xt = torch.linalg.ldl_solve(LDt, pt, torch.tensor(b))
    LDm, pm = minitorch.linalg.ldl_factor(minitorch.tensor(a, device=device))
    xm = minitorch.linalg.ldl_solve(LDm, pm, minitorch.tensor(b, device=device))
    assert LDm.device.type == pm.device.type == xm.device.type == device
    np.testing.assert_array_equal(pm.cpu().numpy(), pt.numpy())
    np.testing.assert_allclose(xm.cpu().numpy(), xt.numpy(), rtol=1e-10, atol=1e-10)
