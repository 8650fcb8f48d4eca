"""Linear algebra beyond the op table: cdist's matrix-product and chunked exact paths (large inputs,
zero distances, compute modes), the blocked triangular solver behind solve_triangular / cholesky_solve /
cholesky_inverse, LU with partial pivoting (lu_factor[_ex], lu, lu_unpack, lu_solve, torch.lu[_solve]) and
its gradients for square, wide and tall matrices, the *_ex functions' info tensors, vecdot. All against torch."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch as mt
import minitorch.ops.contraction as contraction
import minitorch.ops.decomposition as decomposition
from minitorch.autograd import gradcheck, gradgradcheck

from .helpers import assert_close, cuda_is_fake, devices, no_host_sync, raises_like_torch, require_torch

torch = require_torch()

RNG = np.random.default_rng(2024)


def rand(*shape):
    return RNG.standard_normal(shape)


def pair(a, grad=False):
    return mt.tensor(a, requires_grad=grad), torch.tensor(np.array(a, copy=True), requires_grad=grad)


def check_fwd_bwd(f_mt, f_th, *arrays, rtol=1e-7, atol=1e-9):
    """Outputs and the gradients of sum(out * G) (G random, one per float output) agree with torch's."""
    ms, ts = zip(*(pair(a, grad=True) for a in arrays))
    om, ot = f_mt(*ms), f_th(*ts)
    if not isinstance(om, tuple):
        om, ot = (om,), (ot,)
    lm = lt = 0
    for a, b in zip(om, ot):
        assert_close(a, b, rtol=rtol, atol=atol)
        assert a.dtype == mt.float64 or b.dtype != torch.float64, (a.dtype, b.dtype)
        if b.dtype.is_floating_point:
            g = rand(*b.shape)
            lm = lm + (a * mt.tensor(g)).sum()
            lt = lt + (b * torch.tensor(g)).sum()
    lm.backward()
    lt.backward()
    for a, b in zip(ms, ts):
        assert_close(a.grad, b.grad, rtol=rtol * 10, atol=atol * 10)


# ---------------------------------------------------------------- cdist ---------------------------
@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist",
                                  "use_mm_for_euclid_dist_if_necessary"])
@pytest.mark.parametrize("shapes", [((40, 6), (30, 6)), ((2, 1, 30, 5), (3, 27, 5)), ((3, 4), (26, 4))])
def test_cdist_large_matches_torch_in_every_mode(mode, shapes):
    x, y = rand(*shapes[0]), rand(*shapes[1])
    check_fwd_bwd(lambda a, b: mt.cdist(a, b, compute_mode=mode), lambda a, b: torch.cdist(a, b, compute_mode=mode),
                  x, y, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"])
def test_cdist_gradient_at_zero_distance_is_zero_like_torch(mode):
    x = rand(30, 4)
    y = np.concatenate([x[:5], rand(25, 4)])  # five pairs at distance exactly 0
    check_fwd_bwd(lambda a, b: mt.cdist(a, b, compute_mode=mode), lambda a, b: torch.cdist(a, b, compute_mode=mode),
                  x, y, rtol=1e-6, atol=1e-6)
    xm = mt.tensor(x, requires_grad=True)
    mt.cdist(xm, xm, compute_mode=mode).sum().backward()
    assert np.isfinite(xm.grad.numpy()).all()


def test_cdist_mm_path_gradcheck_and_gradgradcheck():
    x = mt.tensor(rand(2, 5, 3), requires_grad=True)
    y = mt.tensor(rand(2, 4, 3), requires_grad=True)

    def f(a, b):
        return mt.cdist(a, b, compute_mode="use_mm_for_euclid_dist")

    assert gradcheck(f, (x, y))
    assert gradgradcheck(f, (x, y))


@pytest.mark.parametrize("p", [2.0, 1.0, 0.5, 3.0, float("inf"), 0.0])
def test_cdist_exact_path_in_chunks_matches_torch(monkeypatch, p):
    monkeypatch.setattr(contraction, "_CDIST_CHUNK", 40)  # a few rows per block
    x, y = rand(2, 9, 4), rand(2, 7, 4)
    mode = "donot_use_mm_for_euclid_dist"
    if p == 0.0:
        assert_close(mt.cdist(*pair(x)[:1], mt.tensor(y), p=p), torch.cdist(torch.tensor(x), torch.tensor(y), p=p))
        return
    check_fwd_bwd(lambda a, b: mt.cdist(a, b, p=p, compute_mode=mode),
                  lambda a, b: torch.cdist(a, b, p=p, compute_mode=mode), x, y)
    xm, ym = mt.tensor(x, requires_grad=True), mt.tensor(y, requires_grad=True)
    assert gradcheck(lambda a, b: mt.cdist(a, b, p=p, compute_mode=mode), (xm, ym))


def test_cdist_float32_stays_float32_and_errors_like_torch():
    x, y = rand(30, 3).astype(np.float32), rand(4, 3).astype(np.float32)
    out = mt.cdist(mt.tensor(x), mt.tensor(y))
    assert out.dtype == mt.float32
    assert_close(out, torch.cdist(torch.tensor(x), torch.tensor(y)), rtol=1e-4, atol=1e-5)
    raises_like_torch(lambda: torch.cdist(torch.ones(3, 2), torch.ones(3, 2), compute_mode="foo"),
                      lambda: mt.cdist(mt.ones(3, 2), mt.ones(3, 2), compute_mode="foo"))
    raises_like_torch(lambda: torch.cdist(torch.ones(3, 2, dtype=torch.int64), torch.ones(3, 2, dtype=torch.int64)),
                      lambda: mt.cdist(mt.ones(3, 2, dtype=mt.int64), mt.ones(3, 2, dtype=mt.int64)))
    raises_like_torch(lambda: torch.cdist(torch.ones(3, 2), torch.ones(3, 3)),
                      lambda: mt.cdist(mt.ones(3, 2), mt.ones(3, 3)))


# ---------------------------------------------------------------- triangular solves ---------------
def tri_system(*shape, upper):
    n = shape[-1]
    a = rand(*shape) / np.sqrt(n) + 2 * np.eye(n)
    return np.triu(a) if upper else np.tril(a)


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_blocked_solve_triangular_matches_torch(upper, left, unit):
    a = tri_system(2, 150, 150, upper=upper) + rand(2, 150, 150) * 0.01  # the other triangle must be ignored
    b = rand(2, 150, 3) if left else rand(2, 3, 150)
    check_fwd_bwd(lambda x, y: mt.linalg.solve_triangular(x, y, upper=upper, left=left, unitriangular=unit),
                  lambda x, y: torch.linalg.solve_triangular(x, y, upper=upper, left=left, unitriangular=unit),
                  a, b, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("upper", [True, False])
def test_blocked_solve_triangular_gradcheck_and_gradgradcheck(monkeypatch, upper):
    monkeypatch.setattr(decomposition, "_TRSM_BLOCK", 3)
    a = mt.tensor(tri_system(2, 7, 7, upper=upper), requires_grad=True)
    b = mt.tensor(rand(1, 7, 2), requires_grad=True)

    def f(x, y):
        return mt.linalg.solve_triangular(x, y, upper=upper)

    assert gradcheck(f, (a, b))
    assert gradgradcheck(f, (a, b))


def test_solve_triangular_zero_diagonal_gives_inf_like_torch():
    a = np.triu(rand(4, 4)) + 3 * np.eye(4)
    a[1, 1] = 0.0
    b = np.ones((4, 1))
    out = mt.linalg.solve_triangular(mt.tensor(a), mt.tensor(b), upper=True)
    assert_close(out, torch.linalg.solve_triangular(torch.tensor(a), torch.tensor(b), upper=True))


def spd(*shape):
    n = shape[-1]
    x = rand(*shape)
    return x @ np.swapaxes(x, -1, -2) / n + np.eye(n)


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("n", [5, 140])
def test_cholesky_solve_and_inverse_match_torch_dense_gradient(upper, n):
    factor = np.linalg.cholesky(spd(2, n, n))
    if upper:
        factor = np.ascontiguousarray(np.swapaxes(factor, -1, -2))
    b = rand(3, 1, n, 2)  # batch dims broadcast
    check_fwd_bwd(lambda x, y: mt.cholesky_solve(x, y, upper=upper),
                  lambda x, y: torch.cholesky_solve(x, y, upper=upper), b, factor, rtol=1e-8, atol=1e-9)
    check_fwd_bwd(lambda y: mt.cholesky_inverse(y, upper=upper), lambda y: torch.cholesky_inverse(y, upper=upper),
                  factor, rtol=1e-8, atol=1e-9)


def test_cholesky_solve_double_backward_and_errors():
    x = mt.tensor(rand(2, 4, 4), requires_grad=True)
    b = mt.tensor(rand(2, 4, 2), requires_grad=True)

    def f(x, b):
        return mt.cholesky_solve(b, mt.linalg.cholesky(x @ x.mT + 4 * mt.eye(4, dtype=mt.float64)))

    assert gradcheck(f, (x, b))
    assert gradgradcheck(f, (x, b))
    raises_like_torch(lambda: torch.cholesky_solve(torch.ones(4, 1), torch.eye(3)),
                      lambda: mt.cholesky_solve(mt.ones(4, 1), mt.eye(3)))
    raises_like_torch(lambda: torch.cholesky_solve(torch.ones(3), torch.eye(3)),
                      lambda: mt.cholesky_solve(mt.ones(3), mt.eye(3)))


# ---------------------------------------------------------------- LU ------------------------------
LU_SHAPES = [(4, 4), (2, 5, 5), (3, 6), (6, 3), (2, 4, 7), (2, 7, 4), (70, 70), (2, 40, 75), (75, 40)]


@pytest.mark.parametrize("shape", LU_SHAPES)
def test_lu_factor_matches_lapack_pivots_and_gradients(shape):
    """Same LU, same 1-based int32 pivots as LAPACK (torch), and the same gradient (also wide / tall)."""
    a = rand(*shape)
    am, at = pair(a)
    LU, piv = mt.linalg.lu_factor(am)
    LU_t, piv_t = torch.linalg.lu_factor(at)
    assert piv.dtype == mt.int32
    np.testing.assert_array_equal(piv.numpy(), piv_t.numpy())
    assert_close(LU, LU_t, rtol=1e-9, atol=1e-10)
    check_fwd_bwd(lambda x: tuple(mt.linalg.lu_factor_ex(x)), lambda x: tuple(torch.linalg.lu_factor_ex(x)), a,
                  rtol=1e-9, atol=1e-10)
    check_fwd_bwd(lambda x: tuple(mt.linalg.lu(x)), lambda x: tuple(torch.linalg.lu(x)), a, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 5), (5, 3)])
def test_lu_gradcheck_and_gradgradcheck(shape):
    a = mt.tensor(rand(*shape) + np.eye(*shape[-2:]), requires_grad=True)
    assert gradcheck(lambda x: mt.linalg.lu_factor(x).LU, (a,))
    assert gradgradcheck(lambda x: tuple(mt.linalg.lu(x))[1:], (a,))


def test_lu_singular_info_and_errors_like_torch():
    s = np.array([[1.0, 2, 3], [2, 4, 6], [1, 1, 1]])
    for a in (s, np.zeros((2, 3, 3)), np.stack([np.eye(3), s])):
        got, want = mt.linalg.lu_factor_ex(mt.tensor(a)), torch.linalg.lu_factor_ex(torch.tensor(a))
        for x, y in zip(got, want):
            assert_close(x, y)
        assert got.info.dtype == mt.int32
    err = raises_like_torch(lambda: torch.linalg.lu_factor(torch.tensor(np.stack([np.eye(3), s]))),
                            lambda: mt.linalg.lu_factor(mt.tensor(np.stack([np.eye(3), s]))))
    assert str(err).startswith("torch.linalg.lu_factor: (Batch element 1): U[3,3] is zero")
    raises_like_torch(lambda: torch.linalg.lu_factor(torch.randn(3, 3), pivot=False),
                      lambda: mt.linalg.lu_factor(mt.randn(3, 3), pivot=False))
    raises_like_torch(lambda: torch.linalg.lu_factor(torch.ones(3, 3, dtype=torch.int64)),
                      lambda: mt.linalg.lu_factor(mt.ones(3, 3, dtype=mt.int64)))
    raises_like_torch(lambda: torch.linalg.lu_factor(torch.ones(3)), lambda: mt.linalg.lu_factor(mt.ones(3)))
    LU, piv, info = mt.lu(mt.tensor(s), get_infos=True)
    assert int(info) == 3


def test_lu_unpack_flags_and_pivot_checks():
    a = rand(2, 4, 3)
    LU, piv = mt.linalg.lu_factor(mt.tensor(a))
    LU_t, piv_t = torch.linalg.lu_factor(torch.tensor(a))
    for flags in ({}, {"unpack_data": False}, {"unpack_pivots": False}):
        for x, y in zip(mt.lu_unpack(LU, piv, **flags), torch.lu_unpack(LU_t, piv_t, **flags)):
            assert_close(x, y, rtol=1e-10)
    raises_like_torch(lambda: torch.lu_unpack(LU_t, piv_t.long()), lambda: mt.lu_unpack(LU, piv.long()))
    bad = np.array([[5, 1, 1], [1, 1, 1]], dtype=np.int32)
    raises_like_torch(lambda: torch.lu_unpack(LU_t, torch.tensor(bad)), lambda: mt.lu_unpack(LU, mt.tensor(bad)))


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve_matches_torch(left, adjoint):
    a = rand(2, 70, 70)
    b = rand(3, 1, 70, 2) if left else rand(3, 1, 2, 70)

    def via(L):
        return lambda x, y: L.linalg.lu_solve(*L.linalg.lu_factor(x), y, left=left, adjoint=adjoint)

    check_fwd_bwd(via(mt), via(torch), a, b, rtol=1e-8, atol=1e-9)


def test_lu_solve_gradgradcheck_and_errors():
    a = mt.tensor(rand(3, 3) + 2 * np.eye(3), requires_grad=True)
    b = mt.tensor(rand(2, 3, 2), requires_grad=True)
    assert gradgradcheck(lambda x, y: mt.linalg.lu_solve(*mt.linalg.lu_factor(x), y, adjoint=True), (a, b))
    LU, piv = mt.linalg.lu_factor(mt.randn(3, 3))
    LU_t, piv_t = torch.linalg.lu_factor(torch.randn(3, 3))
    for call in (lambda L, lu, p: L.linalg.lu_solve(lu, p, L.ones(4, 1)),
                 lambda L, lu, p: L.linalg.lu_solve(lu, p, L.ones(4, 1), left=False),
                 lambda L, lu, p: L.linalg.lu_solve(lu, p, L.ones(3)),
                 lambda L, lu, p: L.linalg.lu_solve(lu, p.long(), L.ones(3, 1))):
        raises_like_torch(lambda c=call: c(torch, LU_t, piv_t), lambda c=call: c(mt, LU, piv))


# ---------------------------------------------------------------- *_ex ----------------------------
def test_solve_ex_and_inv_ex_report_singular_matrices_like_torch():
    s = np.array([[1.0, 2, 3], [2, 4, 6], [1, 1, 1]])
    batch = np.stack([np.eye(3) * 2, s])
    got, want = mt.linalg.solve_ex(mt.tensor(batch), mt.ones(3, 1, dtype=mt.float64)), \
        torch.linalg.solve_ex(torch.tensor(batch), torch.ones(3, 1, dtype=torch.float64))
    assert_close(got.result, want.result)
    np.testing.assert_array_equal(got.info.numpy(), want.info.numpy())
    got, want = mt.linalg.inv_ex(mt.tensor(s)), torch.linalg.inv_ex(torch.tensor(s))
    assert_close(got.inverse, want.inverse)
    assert got.info.dtype == mt.int32 and int(got.info) == int(want.info)
    err = raises_like_torch(
        lambda: torch.linalg.solve_ex(torch.tensor(batch), torch.ones(3, 1, dtype=torch.float64), check_errors=True),
        lambda: mt.linalg.solve_ex(mt.tensor(batch), mt.ones(3, 1, dtype=mt.float64), check_errors=True))
    assert "(Batch element 1)" in str(err) and isinstance(err, mt.linalg.LinAlgError)
    raises_like_torch(lambda: torch.linalg.inv_ex(torch.tensor(s), check_errors=True),
                      lambda: mt.linalg.inv_ex(mt.tensor(s), check_errors=True))


def test_solve_ex_inv_ex_gradients_match_torch():
    a, b = rand(2, 4, 4) + 2 * np.eye(4), rand(2, 4)
    check_fwd_bwd(lambda x, y: tuple(mt.linalg.solve_ex(x, y)), lambda x, y: tuple(torch.linalg.solve_ex(x, y)), a, b)
    check_fwd_bwd(lambda x: tuple(mt.linalg.inv_ex(x)), lambda x: tuple(torch.linalg.inv_ex(x)), a)


def test_cholesky_ex_info_and_partial_factor_like_lapack():
    not_pd = np.array([[4.0, 2, 1], [2, 1, 3], [1, 3, 2]])
    batch = np.stack([not_pd, spd(3, 3), np.array([[1.0, 2, 0], [2, 1, 0], [0, 0, 1]])])
    for upper in (False, True):
        got = mt.linalg.cholesky_ex(mt.tensor(batch), upper=upper)
        want = torch.linalg.cholesky_ex(torch.tensor(batch), upper=upper)
        assert_close(got.L, want.L)
        np.testing.assert_array_equal(got.info.numpy(), want.info.numpy())
    err = raises_like_torch(lambda: torch.linalg.cholesky_ex(torch.tensor(batch), check_errors=True),
                            lambda: mt.linalg.cholesky_ex(mt.tensor(batch), check_errors=True))
    assert "(Batch element 0)" in str(err) and "order 2" in str(err)
    check_fwd_bwd(lambda x: tuple(mt.linalg.cholesky_ex(x)), lambda x: tuple(torch.linalg.cholesky_ex(x)),
                  spd(2, 4, 4))


def test_vecdot_like_torch():
    check_fwd_bwd(lambda x, y: mt.linalg.vecdot(x, y, dim=0), lambda x, y: torch.linalg.vecdot(x, y, dim=0),
                  rand(3, 4), rand(3, 1))
    raises_like_torch(lambda: torch.linalg.vecdot(torch.ones(3), torch.ones(3, dtype=torch.float64)),
                      lambda: mt.linalg.vecdot(mt.ones(3), mt.ones(3, dtype=mt.float64)))
    raises_like_torch(lambda: torch.linalg.vecdot(torch.ones(3, dtype=torch.int64), torch.ones(3, dtype=torch.int64)),
                      lambda: mt.linalg.vecdot(mt.ones(3, dtype=mt.int64), mt.ones(3, dtype=mt.int64)))


# ---------------------------------------------------------------- cuda ----------------------------
@pytest.mark.parametrize("device", devices())
def test_lu_and_ex_functions_on_every_device_without_host_sync(device):
    if device == "cuda" and not cuda_is_fake():
        pytest.skip("sync counting needs the fake CuPy")
    a = rand(2, 40, 40)
    a[1] = 0.0  # singular: info > 0, no error, no sync
    am = mt.tensor(a, device=device, requires_grad=True)
    b = mt.tensor(rand(2, 40, 3), device=device)
    with (no_host_sync() if device == "cuda" else _null()):
        LU, piv, info = mt.linalg.lu_factor_ex(am)
        X = mt.linalg.lu_solve(LU[:1], piv[:1], b[:1])
        (X.sum() + LU[:1].sum()).backward()
        res, sinfo = mt.linalg.solve_ex(am, b)
        _, cinfo = mt.linalg.cholesky_ex(am @ am.mT + mt.eye(40, dtype=mt.float64, device=device))
        P, L, U = mt.linalg.lu(am)
    np.testing.assert_array_equal(info.cpu().numpy(), [0, 1])
    np.testing.assert_array_equal(sinfo.cpu().numpy(), [0, 1])
    np.testing.assert_array_equal(cinfo.cpu().numpy(), [0, 0])
    want = torch.linalg.lu_factor_ex(torch.tensor(a))
    assert_close(LU.cpu(), want.LU, rtol=1e-9, atol=1e-10)
    np.testing.assert_array_equal(piv.cpu().numpy()[0], want.pivots.numpy()[0])
    assert_close((P @ L @ U)[0].cpu(), torch.tensor(a[0]), rtol=1e-9, atol=1e-10)
    assert am.grad is not None


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("device", devices())
def test_lu_without_pivoting_on_cuda_factors_a(device):
    a = rand(2, 40, 35) + 5 * np.eye(40, 35)  # diagonally dominant: no pivoting needed
    if device == "cpu":
        raises_like_torch(lambda: torch.linalg.lu(torch.tensor(a), pivot=False),
                          lambda: mt.linalg.lu(mt.tensor(a), pivot=False))
        return
    P, L, U = mt.linalg.lu(mt.tensor(a, device=device), pivot=False)
    assert P.numel() == 0
    assert_close((L @ U).cpu(), a, rtol=1e-9, atol=1e-10)
    _, piv = mt.linalg.lu_factor(mt.tensor(a, device=device), pivot=False)
    np.testing.assert_array_equal(piv.cpu().numpy(), np.broadcast_to(np.arange(1, 36), (2, 35)))
