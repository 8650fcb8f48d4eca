"""minitorch.linalg and the top-level decompositions beyond the op table: errors vs torch, named-tuple
fields, torch.svd's V against linalg.svd's Vh, dtype rules, sign-invariant properties of the factors,
lstsq's fields per driver, method forms."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch as mt

from .helpers import assert_close, raises_like_torch, require_torch

torch = require_torch()

RNG = np.random.default_rng(1234)


def both(a):
    return mt.tensor(a), torch.from_numpy(np.array(a, copy=True))


def rand(*shape):
    return RNG.standard_normal(shape)


def eye_t(n, m):
    return np.broadcast_to(np.eye(n), m.shape).copy()


# ---------------------------------------------------------------- errors like torch ----------------
ERROR_CASES = {
    "det_non_square": lambda L: L.linalg.det(L.ones(2, 3)),
    "det_1d": lambda L: L.linalg.det(L.ones(3)),
    "det_int": lambda L: L.linalg.det(L.ones(2, 2, dtype=L.int64)),
    "logdet_int": lambda L: L.logdet(L.ones(2, 2, dtype=L.int64)),
    "slogdet_non_square": lambda L: L.linalg.slogdet(L.ones(3, 2)),
    "inv_singular": lambda L: L.linalg.inv(L.ones(2, 2)),
    "inverse_singular_batch": lambda L: L.inverse(L.zeros(2, 3, 3)),
    "inv_non_square": lambda L: L.linalg.inv(L.ones(2, 3)),
    "solve_singular": lambda L: L.linalg.solve(L.ones(2, 2), L.ones(2)),
    "solve_shapes": lambda L: L.linalg.solve(L.eye(3), L.ones(2)),
    "solve_dtypes": lambda L: L.linalg.solve(L.eye(2), L.ones(2, dtype=L.float64)),
    "solve_int": lambda L: L.linalg.solve(L.eye(2, dtype=L.int64), L.ones(2, dtype=L.int64)),
    "cholesky_not_pd": lambda L: L.linalg.cholesky(-L.eye(2)),
    "cholesky_non_square": lambda L: L.linalg.cholesky(L.ones(2, 3)),
    "cholesky_int": lambda L: L.cholesky(L.eye(2, dtype=L.int64)),
    "qr_int": lambda L: L.linalg.qr(L.ones(2, 2, dtype=L.int64)),
    "qr_bad_mode": lambda L: L.linalg.qr(L.ones(2, 2), mode="full"),
    "svd_int": lambda L: L.linalg.svd(L.ones(2, 2, dtype=L.int64)),
    "torch_svd_int": lambda L: L.svd(L.ones(2, 2, dtype=L.int32)),
    "svd_1d": lambda L: L.linalg.svd(L.ones(3)),
    "eigh_non_square": lambda L: L.linalg.eigh(L.ones(2, 3)),
    "eigh_bad_uplo": lambda L: L.linalg.eigh(L.eye(2), UPLO="X"),
    "eigvalsh_int": lambda L: L.linalg.eigvalsh(L.eye(2, dtype=L.int64)),
    "pinv_int": lambda L: L.linalg.pinv(L.ones(2, 2, dtype=L.int64)),
    "lstsq_int": lambda L: L.linalg.lstsq(L.ones(3, 2, dtype=L.int64), L.ones(3, 1, dtype=L.int64)),
    "lstsq_rows": lambda L: L.linalg.lstsq(L.ones(3, 2), L.ones(4, 1)),
    "lstsq_driver": lambda L: L.linalg.lstsq(L.ones(3, 2), L.ones(3, 1), driver="magic"),
    "matrix_rank_int": lambda L: L.linalg.matrix_rank(L.ones(2, 2, dtype=L.int64)),
    "matrix_power_non_square": lambda L: L.linalg.matrix_power(L.ones(2, 3), 2),
    "matrix_power_negative_int": lambda L: L.linalg.matrix_power(L.ones(2, 2, dtype=L.int64), -1),
    "matrix_exp_int": lambda L: L.matrix_exp(L.ones(2, 2, dtype=L.int64)),
    "matrix_exp_non_square": lambda L: L.linalg.matrix_exp(L.ones(2, 3)),
    "vector_norm_int": lambda L: L.linalg.vector_norm(L.ones(3, dtype=L.int64)),
    "norm_int": lambda L: L.linalg.norm(L.ones(2, 2, dtype=L.int64)),
    "matrix_norm_bad_ord": lambda L: L.linalg.matrix_norm(L.ones(2, 2), ord=3),
    "matrix_norm_1d": lambda L: L.linalg.matrix_norm(L.ones(3)),
    "norm_string_ord_on_vector": lambda L: L.linalg.norm(L.ones(3), "fro"),
    "norm_ord_on_3d": lambda L: L.linalg.norm(L.ones(2, 2, 2), 2),
    "solve_triangular_int": lambda L: L.linalg.solve_triangular(L.eye(2, dtype=L.int64), L.eye(2, dtype=L.int64),
                                                                upper=True),
    "eigh_int": lambda L: L.linalg.eigh(L.eye(2, dtype=L.int64)),
    "linalg_cholesky_int": lambda L: L.linalg.cholesky(L.eye(2, dtype=L.int64)),
    "solve_triangular_vector": lambda L: L.linalg.solve_triangular(L.eye(2), L.ones(2), upper=True),
    "multi_dot_one": lambda L: L.linalg.multi_dot([L.ones(2, 2)]),
    "multi_dot_3d": lambda L: L.linalg.multi_dot([L.ones(2, 2), L.ones(2, 2, 2)]),
    "multi_dot_middle_1d": lambda L: L.linalg.multi_dot([L.ones(2, 2), L.ones(2), L.ones(2, 2)]),
    "multi_dot_shapes": lambda L: L.linalg.multi_dot([L.ones(2, 3), L.ones(2, 2)]),
    "vander_n1": lambda L: L.linalg.vander(L.ones(3), N=1),
    "cholesky_solve_int": lambda L: L.cholesky_solve(L.ones(2, 1, dtype=L.int64), L.eye(2, dtype=L.int64)),
}


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_errors_like_torch(name):
    case = ERROR_CASES[name]
    raises_like_torch(lambda: case(torch), lambda: case(mt))


def test_linalg_errors_name_the_op_and_shapes():
    err = raises_like_torch(lambda: torch.linalg.det(torch.ones(2, 3)), lambda: mt.linalg.det(mt.ones(2, 3)))
    assert "linalg.det" in str(err) and "2 by 3" in str(err)
    err = raises_like_torch(lambda: torch.linalg.solve(torch.eye(3), torch.ones(2)),
                            lambda: mt.linalg.solve(mt.eye(3), mt.ones(2)))
    assert "3x3" in str(err) and "2x1" in str(err)


def test_singular_and_indefinite_raise_linalg_error():
    with pytest.raises(mt.linalg.LinAlgError, match="singular"):
        mt.linalg.inv(mt.ones(3, 3))
    with pytest.raises(mt.linalg.LinAlgError, match="positive-definite"):
        mt.linalg.cholesky(mt.tensor([[1.0, 2.0], [2.0, 1.0]]))
    assert issubclass(mt.linalg.LinAlgError, RuntimeError)


def test_qr_backward_errors_like_torch():
    def r_mode(L):
        a = L.tensor(rand(3, 3), requires_grad=True)
        L.linalg.qr(a, mode="r")[1].sum().backward()

    def complete_tall(L):
        a = L.tensor(rand(4, 2), requires_grad=True)
        L.linalg.qr(a, mode="complete")[0].sum().backward()

    raises_like_torch(lambda: r_mode(torch), lambda: r_mode(mt))
    raises_like_torch(lambda: complete_tall(torch), lambda: complete_tall(mt))


# ---------------------------------------------------------------- named tuples ---------------------
def test_named_tuple_fields_match_torch():
    a = rand(3, 3)
    spd = a @ a.T + 3 * np.eye(3)
    m, t = both(a)
    ms, ts = both(spd)
    pairs = [
        (mt.linalg.slogdet(m), torch.linalg.slogdet(t)),
        (mt.slogdet(m), torch.slogdet(t)),
        (mt.linalg.svd(m), torch.linalg.svd(t)),
        (mt.svd(m), torch.svd(t)),
        (mt.linalg.qr(m), torch.linalg.qr(t)),
        (mt.qr(m), torch.qr(t)),
        (mt.linalg.eigh(ms), torch.linalg.eigh(ts)),
        (mt.linalg.lstsq(m, m), torch.linalg.lstsq(t, t)),
        (mt.triangular_solve(m, m), torch.triangular_solve(t, t)),
    ]
    for mine, theirs in pairs:
        assert type(mine).__name__ == type(theirs).__name__.rsplit(".", 1)[-1]
        for field in mine._fields:
            assert_close(getattr(mine, field), getattr(theirs, field), rtol=1e-6, atol=1e-8, msg=field)
        assert len(mine) == len(theirs)


def test_torch_svd_returns_v_linalg_svd_returns_vh():
    m, t = both(rand(2, 4, 3))
    U, S, V = mt.svd(m)
    U2, S2, Vh = mt.linalg.svd(m, full_matrices=False)
    assert tuple(V.shape) == (2, 3, 3) and tuple(U.shape) == (2, 4, 3)
    assert_close(V, Vh.mT)
    assert_close(U @ (S.unsqueeze(-1) * V.mT), m, atol=1e-10)
    Uf, Sf, Vf = mt.svd(m, some=False)
    assert tuple(Uf.shape) == (2, 4, 4) and tuple(Vf.shape) == (2, 3, 3)
    Uz, Sz, Vz = mt.svd(m, compute_uv=False)
    Tz = torch.svd(t, compute_uv=False)
    assert_close(Uz, Tz.U)
    assert_close(Vz, Tz.V)
    assert_close(Sz, Tz.S, atol=1e-10)


# ---------------------------------------------------------------- properties of the factors --------
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)])
def test_svd_reconstructs_and_is_orthogonal(shape):
    a = mt.tensor(rand(*shape))
    for full in (True, False):
        U, S, Vh = mt.linalg.svd(a, full_matrices=full)
        k = min(shape[-2:])
        rec = U[..., :, :k] @ (S.unsqueeze(-1) * Vh[..., :k, :])
        assert_close(rec, a, atol=1e-10)
        assert_close(U.mT @ U, eye_t(U.shape[-1], (U.mT @ U).numpy()), atol=1e-10)
        assert_close(Vh @ Vh.mT, eye_t(Vh.shape[-2], (Vh @ Vh.mT).numpy()), atol=1e-10)
        assert bool((S[..., :-1] >= S[..., 1:]).all())


@pytest.mark.parametrize("mode", ["reduced", "complete"])
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)])
def test_qr_reconstructs_with_orthogonal_q_and_triangular_r(shape, mode):
    a = mt.tensor(rand(*shape))
    Q, R = mt.linalg.qr(a, mode=mode)
    assert_close(Q @ R, a, atol=1e-10)
    assert_close(Q.mT @ Q, eye_t(Q.shape[-1], (Q.mT @ Q).numpy()), atol=1e-10)
    assert_close(R, R.triu())
    Qt, Rt = torch.linalg.qr(torch.from_numpy(a.numpy()), mode=mode)
    assert tuple(Q.shape) == tuple(Qt.shape) and tuple(R.shape) == tuple(Rt.shape)
    assert_close(R.abs(), Rt.abs(), atol=1e-10)


def test_qr_mode_r_returns_empty_q_like_torch():
    m, t = both(rand(4, 3))
    Q, R = mt.linalg.qr(m, mode="r")
    Qt, Rt = torch.linalg.qr(t, mode="r")
    assert tuple(Q.shape) == tuple(Qt.shape) == (0,)
    assert_close(R.abs(), Rt.abs(), atol=1e-10)


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_diagonalises_and_reads_one_triangle(uplo):
    a = rand(2, 4, 4)
    full = a + np.swapaxes(a, -1, -2)
    half = np.triu(full) if uplo == "U" else np.tril(full)  # the other triangle must be ignored
    w, V = mt.linalg.eigh(mt.tensor(half), UPLO=uplo)
    rec = (V * w.unsqueeze(-2)) @ V.mT
    assert_close(rec, full, atol=1e-10)
    assert_close(V.mT @ V, eye_t(4, full), atol=1e-10)
    assert_close(w, torch.linalg.eigvalsh(torch.from_numpy(half), UPLO=uplo), atol=1e-10)
    assert_close(mt.linalg.eigvalsh(mt.tensor(half), UPLO=uplo), w, atol=1e-12)


def test_cholesky_factors():
    a = rand(2, 3, 3)
    spd = a @ np.swapaxes(a, -1, -2) + 3 * np.eye(3)
    L = mt.linalg.cholesky(mt.tensor(spd))
    U = mt.linalg.cholesky(mt.tensor(spd), upper=True)
    assert_close(L @ L.mT, spd, atol=1e-10)
    assert_close(U.mT @ U, spd, atol=1e-10)
    assert_close(L, L.tril())
    assert_close(mt.cholesky_inverse(L), np.linalg.inv(spd), atol=1e-10)
    assert_close(mt.cholesky_inverse(U, upper=True), np.linalg.inv(spd), atol=1e-10)


def test_pinv_penrose_conditions_and_rank_deficient_input():
    a = rand(5, 3)
    a[:, 2] = a[:, 0] + a[:, 1]  # rank 2
    m, t = both(a)
    P = mt.linalg.pinv(m)
    assert_close(P, torch.linalg.pinv(t), atol=1e-10)
    assert_close(m @ P @ m, m, atol=1e-10)
    assert_close(P @ m @ P, P, atol=1e-10)
    assert int(mt.linalg.matrix_rank(m)) == 2 == int(torch.linalg.matrix_rank(t))
    for kw in ({"atol": 0.5}, {"rtol": 0.3}, {"atol": 0.1, "rtol": 0.2}):
        assert_close(mt.linalg.pinv(m, **kw), torch.linalg.pinv(t, **kw), atol=1e-10, msg=str(kw))
        assert_close(mt.linalg.matrix_rank(m, **kw), torch.linalg.matrix_rank(t, **kw), msg=str(kw))
    assert_close(mt.linalg.matrix_rank(m, 1.0), torch.linalg.matrix_rank(t, 1.0))


# ---------------------------------------------------------------- lstsq ---------------------------
@pytest.mark.parametrize("driver", [None, "gelsy", "gelsd", "gelss", "gels"])
@pytest.mark.parametrize("shapes", [((2, 5, 3), (2, 5, 2)), ((5, 3), (5,)), ((3, 5), (3, 2))])
def test_lstsq_fields_follow_the_driver_like_torch(driver, shapes):
    (ma, ta), (mb, tb) = both(rand(*shapes[0])), both(rand(*shapes[1]))
    mine = mt.linalg.lstsq(ma, mb, driver=driver)
    theirs = torch.linalg.lstsq(ta, tb, driver=driver)
    for field in ("solution", "residuals", "rank", "singular_values"):
        m, t = getattr(mine, field), getattr(theirs, field)
        assert tuple(m.shape) == tuple(t.shape), f"{field}: {tuple(m.shape)} vs torch {tuple(t.shape)}"
        assert str(m.dtype).rsplit(".")[-1] == str(t.dtype).rsplit(".")[-1], field
        assert_close(m, t, rtol=1e-8, atol=1e-10, msg=field)


def test_lstsq_rank_deficient_gelsd():
    a = rand(5, 3)
    a[:, 2] = a[:, 1]
    (ma, ta), (mb, tb) = both(a), both(rand(5, 2))
    mine, theirs = mt.linalg.lstsq(ma, mb, driver="gelsd"), torch.linalg.lstsq(ta, tb, driver="gelsd")
    assert int(mine.rank) == int(theirs.rank) == 2
    assert tuple(mine.residuals.shape) == tuple(theirs.residuals.shape) == (0,)
    assert_close(mine.solution, theirs.solution, atol=1e-8)


# ---------------------------------------------------------------- values against torch ------------
def test_matrix_exp_matches_torch_over_a_range_of_norms():
    for scale in (1e-3, 0.5, 3.0, 20.0):
        m, t = both(rand(2, 4, 4) * scale)
        assert_close(mt.linalg.matrix_exp(m), torch.linalg.matrix_exp(t), rtol=1e-9, atol=1e-10, msg=str(scale))
    m32, t32 = both(rand(3, 3).astype(np.float32))
    out = mt.matrix_exp(m32)
    assert out.dtype == mt.float32
    assert_close(out, torch.matrix_exp(t32), rtol=1e-5, atol=1e-5)
    assert_close(mt.matrix_exp(mt.zeros(3, 3)), np.eye(3))


def test_matrix_power_integer_and_zero():
    m, t = both(RNG.integers(-3, 4, (2, 3, 3)))
    for n in (0, 1, 2, 5):
        got, want = mt.linalg.matrix_power(m, n), torch.linalg.matrix_power(t, n)
        assert got.dtype == mt.int64
        assert_close(got, want)


def test_logdet_signs_like_torch():
    for a in (-np.eye(3), np.zeros((2, 2)), np.diag([2.0, 3.0]), np.array([[[0.0, 1.0], [1.0, 0.0]]])):
        m, t = both(a)
        assert_close(mt.logdet(m), torch.logdet(t))
        assert_close(mt.det(m), torch.det(t))


def test_cond_and_norms_agree_with_torch():
    m, t = both(rand(3, 3))
    for p in (None, 2, -2, "fro", "nuc", 1, -1, float("inf"), -float("inf")):
        assert_close(mt.linalg.cond(m, p), torch.linalg.cond(t, p), rtol=1e-8, msg=str(p))
    for ordv in (None, "fro", "nuc", 1, 2, float("inf")):
        assert_close(mt.linalg.norm(m, ordv), torch.linalg.norm(t, ordv), rtol=1e-10, msg=str(ordv))
    m32, t32 = both(rand(3, 3).astype(np.float32))
    got = mt.linalg.vector_norm(m32, 2, dtype=mt.float64)
    assert got.dtype == mt.float64
    assert_close(got, torch.linalg.vector_norm(t32, 2, dtype=torch.float64))
    raises_like_torch(lambda: torch.linalg.vector_norm(t, dtype=torch.float32),
                      lambda: mt.linalg.vector_norm(m, dtype=mt.float32))


def test_vander_integer_input_like_torch():
    m, t = both(np.array([1, 2, 3]))
    got = mt.linalg.vander(m)
    assert got.dtype == mt.int64
    assert_close(got, torch.linalg.vander(t))


def test_linalg_reexports():
    a, b = rand(2, 3), rand(2, 3)
    (ma, ta), (mb, tb) = both(a), both(b)
    assert_close(mt.linalg.cross(ma, mb), torch.linalg.cross(ta, tb))
    assert_close(mt.linalg.diagonal(mt.tensor(rand(2, 3, 3))).shape, (2, 3))
    assert_close(mt.linalg.matmul(ma, mb.mT), torch.linalg.matmul(ta, tb.mT))


# ---------------------------------------------------------------- method forms --------------------
def test_method_forms_match_functions():
    a = rand(3, 3) + 3 * np.eye(3)
    spd = a @ a.T
    m, s = mt.tensor(a), mt.tensor(spd)
    b = mt.tensor(rand(3, 2))
    assert_close(m.det(), mt.linalg.det(m))
    assert_close(s.logdet(), mt.logdet(s))
    assert_close(m.slogdet().logabsdet, mt.linalg.slogdet(m).logabsdet)
    assert_close(m.inverse(), mt.linalg.inv(m))
    assert_close(m.pinverse(), mt.linalg.pinv(m))
    assert_close(s.cholesky(), mt.linalg.cholesky(s))
    L = s.cholesky()
    assert_close(b.cholesky_solve(L), mt.linalg.solve(s, b), atol=1e-10)
    assert_close(L.cholesky_inverse(), mt.linalg.inv(s), atol=1e-10)
    assert_close(m.svd().S, mt.linalg.svdvals(m))
    assert_close(m.qr().R, mt.linalg.qr(m).R)
    assert_close(m.matrix_power(3), m @ m @ m)
    assert_close(m.matrix_exp(), mt.linalg.matrix_exp(m))
    assert_close(b.triangular_solve(m).solution, mt.linalg.solve_triangular(m, b, upper=True))


def test_values_only_paths_record_no_graph():
    a = mt.tensor(rand(3, 3))
    assert not mt.linalg.svdvals(a).requires_grad
    assert not mt.linalg.eigvalsh(a + a.mT).requires_grad
    g = mt.tensor(rand(3, 3), requires_grad=True)
    with mt.no_grad():
        assert not mt.linalg.svdvals(g).requires_grad


def test_eigvalsh_gradient_at_repeated_eigenvalues_is_finite():
    """A loss on the eigenvalues alone never meets the 1/(w_j - w_i) gaps (torch agrees)."""
    m = mt.eye(3, dtype=mt.float64, requires_grad=True)
    t = torch.eye(3, dtype=torch.float64, requires_grad=True)
    (mt.linalg.eigvalsh(m) * mt.tensor([1.0, 2.0, 3.0], dtype=mt.float64)).sum().backward()
    (torch.linalg.eigvalsh(t) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    assert bool(mt.isfinite(m.grad).all())
    assert_close(m.grad.diagonal().sum(), t.grad.diagonal().sum())
