"""Op-table rows (see op_table.py) for linear algebra: det, inv, solve, cholesky, qr, svd, eigh, pinv,
lstsq, matrix_power, matrix_exp, norms, ... (``minitorch.linalg`` and the top-level/Tensor forms).

Inputs are structured so that the gradient exists and finite differences are meaningful: square
matrices are ``random + 3 I`` (well conditioned), symmetric positive-definite ones are built inside the
call as ``X X^T + n I`` (so gradcheck perturbs X, not one triangle of a symmetric matrix), random
matrices have distinct singular values. Outputs defined up to signs (QR, SVD, eigh) are compared
through sign-invariant functions of them (squares of the vectors, R with a positive diagonal).
"""
from __future__ import annotations

import numpy as np

from .op_table_core import _f, pair

OPS: list = []
add = OPS.append

LOOSE = {"rtol": 1e-3, "atol": 1e-4}


def square(*shape):
    """Well-conditioned square matrices: uniform(-1, 1) + 3 I."""

    def make(rng, dtype):
        n = shape[-1]
        return [(_f(rng, np.float64, *shape, lo=-1.0, hi=1.0) + 3 * np.eye(n)).astype(dtype)]

    return make


def square_and(shape_a, shape_b):
    def make(rng, dtype):
        return square(*shape_a)(rng, dtype) + [_f(rng, dtype, *shape_b)]

    return make


def plain(*shapes):
    def make(rng, dtype):
        return [_f(rng, dtype, *s) for s in shapes]

    return make


def spd(L, x):
    """X X^T + n I: symmetric positive-definite, a smooth function of every entry of X."""
    n = x.shape[-1]
    return x @ x.mT + n * L.eye(n, dtype=x.dtype, device=x.device)


def sym(x):
    return x + x.mT


# ---------------------------------------------------------------- determinants -------------------
add(pair("linalg_det", lambda L: L.linalg.det, make_inputs=square(3, 3), **LOOSE))
add(pair("linalg_det_batched", lambda L: L.linalg.det, make_inputs=square(2, 3, 3), **LOOSE))
add(pair("det_fn", lambda L: L.det, make_inputs=square(2, 2, 2), **LOOSE))
add(pair("det_method", lambda L: lambda a: a.det(), make_inputs=square(4, 4), **LOOSE))
add(pair("linalg_slogdet", lambda L: lambda a: tuple(L.linalg.slogdet(a)), make_inputs=plain((2, 3, 3)), **LOOSE))
add(pair("slogdet_fn", lambda L: lambda a: tuple(L.slogdet(a)), make_inputs=square(3, 3), **LOOSE))
add(pair("slogdet_method", lambda L: lambda a: tuple(a.slogdet()), make_inputs=square(3, 3), **LOOSE))
add(pair("logdet_spd", lambda L: lambda x: L.logdet(spd(L, x)), make_inputs=plain((2, 3, 3)), **LOOSE))
add(pair("logdet_method", lambda L: lambda a: a.logdet(), make_inputs=square(3, 3), **LOOSE))

# ---------------------------------------------------------------- inverse and solve --------------
add(pair("linalg_inv", lambda L: L.linalg.inv, make_inputs=square(2, 3, 3), **LOOSE))
add(pair("inverse_fn", lambda L: L.inverse, make_inputs=square(3, 3), **LOOSE))
add(pair("inverse_method", lambda L: lambda a: a.inverse(), make_inputs=square(2, 2, 3, 3), **LOOSE))
add(pair("linalg_solve", lambda L: L.linalg.solve, make_inputs=square_and((2, 3, 3), (2, 3, 2)), **LOOSE))
add(pair("linalg_solve_vector", lambda L: L.linalg.solve, make_inputs=square_and((3, 3), (3,)), **LOOSE))
add(pair("linalg_solve_batch_of_vectors", lambda L: L.linalg.solve, make_inputs=square_and((2, 3, 3), (2, 3)),
         **LOOSE))
add(pair("linalg_solve_broadcast", lambda L: L.linalg.solve, make_inputs=square_and((3, 3), (2, 3, 2)), **LOOSE))
add(pair("linalg_solve_broadcast_a", lambda L: L.linalg.solve, make_inputs=square_and((2, 1, 3, 3), (4, 3, 1)),
         **LOOSE))
add(pair("linalg_solve_right", lambda L: lambda a, b: L.linalg.solve(a, b, left=False),
         make_inputs=square_and((2, 3, 3), (2, 4, 3)), **LOOSE))
add(pair("linalg_solve_triangular_upper", lambda L: lambda a, b: L.linalg.solve_triangular(a, b, upper=True),
         make_inputs=square_and((2, 3, 3), (2, 3, 2)), **LOOSE))
add(pair("linalg_solve_triangular_lower_right",
         lambda L: lambda a, b: L.linalg.solve_triangular(a, b, upper=False, left=False),
         make_inputs=square_and((3, 3), (2, 3)), **LOOSE))
add(pair("linalg_solve_triangular_unit",
         lambda L: lambda a, b: L.linalg.solve_triangular(a, b, upper=False, unitriangular=True),
         make_inputs=square_and((3, 3), (2, 3, 2)), **LOOSE))
add(pair("triangular_solve", lambda L: lambda a, b: tuple(L.triangular_solve(b, a, upper=False, transpose=True)),
         make_inputs=square_and((2, 3, 3), (2, 3, 2)), **LOOSE))
add(pair("triangular_solve_method", lambda L: lambda a, b: tuple(b.triangular_solve(a)),
         make_inputs=square_and((3, 3), (3, 2)), **LOOSE))

# ---------------------------------------------------------------- cholesky ------------------------
add(pair("linalg_cholesky", lambda L: lambda x: L.linalg.cholesky(spd(L, x)), make_inputs=plain((2, 3, 3)),
         **LOOSE))
add(pair("linalg_cholesky_upper", lambda L: lambda x: L.linalg.cholesky(spd(L, x), upper=True),
         make_inputs=plain((3, 3)), **LOOSE))
add(pair("cholesky_fn", lambda L: lambda x: L.cholesky(spd(L, x)), make_inputs=plain((4, 4)), **LOOSE))
add(pair("cholesky_method_upper", lambda L: lambda x: spd(L, x).cholesky(upper=True), make_inputs=plain((3, 3)),
         **LOOSE))
add(pair("cholesky_solve", lambda L: lambda x, b: L.cholesky_solve(b, L.linalg.cholesky(spd(L, x))),
         make_inputs=plain((2, 3, 3), (2, 3, 2)), **LOOSE))
add(pair("cholesky_solve_upper_method",
         lambda L: lambda x, b: b.cholesky_solve(L.linalg.cholesky(spd(L, x), upper=True), upper=True),
         make_inputs=plain((3, 3), (3, 2)), **LOOSE))
add(pair("cholesky_inverse", lambda L: lambda x: L.cholesky_inverse(L.linalg.cholesky(spd(L, x))),
         make_inputs=plain((3, 3)), **LOOSE))
add(pair("cholesky_inverse_method", lambda L: lambda x: L.linalg.cholesky(spd(L, x)).cholesky_inverse(),
         make_inputs=plain((3, 3)), **LOOSE))


# ---------------------------------------------------------------- qr, svd, eigh ------------------
def qr_fixed(q, r):
    """(Q D, D R) with D = sign(diag R): the unique factorisation with a positive diagonal."""
    d = r.diagonal(dim1=-2, dim2=-1).sign()
    return q * d.unsqueeze(-2), r * d.unsqueeze(-1)


add(pair("linalg_qr_tall", lambda L: lambda a: qr_fixed(*L.linalg.qr(a)), make_inputs=plain((2, 4, 3)), **LOOSE))
add(pair("linalg_qr_wide", lambda L: lambda a: qr_fixed(*L.linalg.qr(a)), make_inputs=plain((3, 5)), **LOOSE))
add(pair("linalg_qr_complete_square", lambda L: lambda a: qr_fixed(*L.linalg.qr(a, mode="complete")),
         make_inputs=plain((3, 3)), **LOOSE))
add(pair("linalg_qr_r", lambda L: lambda a: L.linalg.qr(a, mode="r")[1].abs(), make_inputs=plain((4, 3)),
         supports_grad=False, **LOOSE))
add(pair("qr_fn", lambda L: lambda a: qr_fixed(*L.qr(a)), make_inputs=plain((4, 3)), **LOOSE))
add(pair("qr_method", lambda L: lambda a: qr_fixed(*a.qr()), make_inputs=plain((2, 3, 3)), **LOOSE))


def svd_invariants(u, s, vh):
    """Squares of the singular vectors (signs cancel), the values, and U Vh (the polar factor)."""
    return u * u, s, vh * vh, u @ vh


add(pair("linalg_svd_tall", lambda L: lambda a: svd_invariants(*L.linalg.svd(a, full_matrices=False)),
         make_inputs=plain((2, 4, 3)), **LOOSE))
add(pair("linalg_svd_wide", lambda L: lambda a: svd_invariants(*L.linalg.svd(a, full_matrices=False)),
         make_inputs=plain((3, 5)), **LOOSE))
add(pair("linalg_svd_square_full", lambda L: lambda a: svd_invariants(*L.linalg.svd(a)),
         make_inputs=plain((2, 3, 3)), **LOOSE))
add(pair("linalg_svd_full_tall_values", lambda L: lambda a: L.linalg.svd(a)[1], make_inputs=plain((4, 2)),
         **LOOSE))
add(pair("linalg_svdvals", lambda L: L.linalg.svdvals, make_inputs=plain((2, 3, 4)), **LOOSE))
add(pair("svd_fn", lambda L: lambda a: (lambda u, s, v: svd_invariants(u, s, v.mT))(*L.svd(a)),
         make_inputs=plain((2, 4, 3)), **LOOSE))
add(pair("svd_method_not_some", lambda L: lambda a: a.svd(some=False)[1], make_inputs=plain((3, 2)), **LOOSE))
add(pair("svd_no_uv", lambda L: lambda a: tuple(L.svd(a, compute_uv=False)), make_inputs=plain((3, 2)),
         **LOOSE))
add(pair("linalg_eigh", lambda L: lambda x: (lambda w, v: (w, v * v))(*L.linalg.eigh(sym(x))),
         make_inputs=plain((2, 3, 3)), **LOOSE))
add(pair("linalg_eigh_upper", lambda L: lambda x: (lambda w, v: (w, v * v))(*L.linalg.eigh(sym(x), UPLO="U")),
         make_inputs=plain((4, 4)), **LOOSE))
add(pair("linalg_eigvalsh", lambda L: lambda x: L.linalg.eigvalsh(sym(x)), make_inputs=plain((2, 3, 3)), **LOOSE))

# ---------------------------------------------------------------- pinv, lstsq, rank --------------
add(pair("linalg_pinv_tall", lambda L: L.linalg.pinv, make_inputs=plain((2, 4, 3)), **LOOSE))
add(pair("linalg_pinv_wide", lambda L: L.linalg.pinv, make_inputs=plain((3, 5)), **LOOSE))
add(pair("linalg_pinv_square", lambda L: L.linalg.pinv, make_inputs=square(3, 3), **LOOSE))
add(pair("linalg_pinv_hermitian", lambda L: lambda x: L.linalg.pinv(spd(L, x), hermitian=True),
         make_inputs=plain((3, 3)), **LOOSE))
add(pair("pinverse_method", lambda L: lambda a: a.pinverse(), make_inputs=plain((4, 2)), **LOOSE))
add(pair("linalg_lstsq_tall", lambda L: lambda a, b: L.linalg.lstsq(a, b).solution,
         make_inputs=plain((2, 5, 3), (2, 5, 2)), **LOOSE))
add(pair("linalg_lstsq_wide_vector", lambda L: lambda a, b: L.linalg.lstsq(a, b).solution,
         make_inputs=plain((3, 4), (3,)), **LOOSE))
add(pair("linalg_matrix_rank", lambda L: L.linalg.matrix_rank, make_inputs=plain((2, 3, 4)), supports_grad=False))

# ---------------------------------------------------------------- powers and exponentials --------
add(pair("linalg_matrix_power_3", lambda L: lambda a: L.linalg.matrix_power(a, 3), make_inputs=plain((2, 3, 3)),
         **LOOSE))
add(pair("linalg_matrix_power_neg", lambda L: lambda a: L.linalg.matrix_power(a, -2), make_inputs=square(3, 3),
         **LOOSE))
add(pair("matrix_power_zero_method", lambda L: lambda a: a.matrix_power(0), make_inputs=plain((2, 3, 3))))
add(pair("matrix_power_fn", lambda L: lambda a: L.matrix_power(a, 6), make_inputs=plain((3, 3), ), **LOOSE))
MEXP_SYNC = "scaling and squaring reads the matrix norm to pick the number of squarings (torch's does too)"
add(pair("linalg_matrix_exp", lambda L: L.linalg.matrix_exp, make_inputs=plain((2, 3, 3)),
         syncs_by_nature=MEXP_SYNC, **LOOSE))
add(pair("matrix_exp_large_norm", lambda L: lambda a: L.matrix_exp(a * 4), make_inputs=plain((3, 3)),
         syncs_by_nature=MEXP_SYNC, rtol=2e-3, atol=1e-3))
add(pair("matrix_exp_method", lambda L: lambda a: a.matrix_exp(), make_inputs=plain((2, 2)),
         syncs_by_nature=MEXP_SYNC, **LOOSE))

# ---------------------------------------------------------------- norms --------------------------
INF = float("inf")
add(pair("linalg_vector_norm", lambda L: lambda a, **k: L.linalg.vector_norm(a, **k), make_inputs=plain((2, 3, 4)),
         kwargs=[{}, {"ord": 1}, {"ord": 3, "dim": -1}, {"ord": 0.5, "dim": (0, 2), "keepdim": True},
                 {"ord": INF, "dim": 1}, {"ord": -INF}, {"ord": 2, "keepdim": True}]))
add(pair("linalg_vector_norm_zero", lambda L: lambda a: L.linalg.vector_norm(a, 0, dim=1),
         make_inputs=plain((2, 3, 4)), supports_grad=False))
MATRIX_ORDS = [{"ord": o} for o in ("fro", "nuc", 2, -2, 1, -1, INF, -INF)]
add(pair("linalg_matrix_norm", lambda L: lambda a, **k: L.linalg.matrix_norm(a, **k), make_inputs=plain((2, 3, 4)),
         kwargs=MATRIX_ORDS, **LOOSE))
add(pair("linalg_matrix_norm_dims", lambda L: lambda a, **k: L.linalg.matrix_norm(a, dim=(2, 0), keepdim=True, **k),
         make_inputs=plain((3, 2, 4)), kwargs=MATRIX_ORDS, **LOOSE))
add(pair("linalg_norm", lambda L: lambda a, **k: L.linalg.norm(a, **k), make_inputs=plain((3, 4)),
         kwargs=[{}, {"ord": "fro"}, {"ord": "nuc"}, {"ord": 2}, {"ord": -INF}, {"dim": 1}, {"ord": 3, "dim": 0},
                 {"dim": (0, 1), "keepdim": True}], **LOOSE))
add(pair("linalg_norm_vector", lambda L: lambda a, **k: L.linalg.norm(a, **k), make_inputs=plain((5,)),
         kwargs=[{}, {"ord": 1}, {"ord": INF}]))
add(pair("linalg_norm_batched", lambda L: lambda a: L.linalg.norm(a), make_inputs=plain((2, 3, 4))))
add(pair("linalg_cond", lambda L: lambda a, **k: L.linalg.cond(a, **k), make_inputs=square(2, 3, 3),
         kwargs=[{}, {"p": -2}], **LOOSE))
add(pair("linalg_cond_fro", lambda L: lambda a: L.linalg.cond(a, "fro"), make_inputs=square(3, 3),
         supports_grad=False, **LOOSE))  # torch's backward of cond(p='fro') trips its own in-place check

# ---------------------------------------------------------------- chains, structured, re-exports -
add(pair("linalg_multi_dot", lambda L: lambda *ts: L.linalg.multi_dot(ts),
         make_inputs=plain((4, 5), (5, 2), (2, 6), (6, 3)), **LOOSE))
add(pair("linalg_multi_dot_vectors", lambda L: lambda *ts: L.linalg.multi_dot(list(ts)),
         make_inputs=plain((3,), (3, 4), (4,)), **LOOSE))
add(pair("linalg_vander", lambda L: lambda x, **k: L.linalg.vander(x, **k), make_inputs=plain((2, 3)),
         kwargs=[{}, {"N": 5}]))
add(pair("linalg_cross", lambda L: L.linalg.cross, make_inputs=plain((2, 4, 3), (1, 4, 3))))
add(pair("linalg_diagonal", lambda L: lambda a: L.linalg.diagonal(a, offset=1), make_inputs=plain((2, 3, 4))))
add(pair("linalg_matmul", lambda L: L.linalg.matmul, make_inputs=plain((2, 3, 4), (4, 2))))

# ---------------------------------------------------------------- LU, *_ex, vecdot, big triangular solves
add(pair("linalg_lu_factor", lambda L: lambda a: tuple(L.linalg.lu_factor(a)), make_inputs=square(2, 4, 4), **LOOSE))
add(pair("linalg_lu_factor_ex_wide", lambda L: lambda a: tuple(L.linalg.lu_factor_ex(a)), make_inputs=plain((2, 3, 5)),
         **LOOSE))
add(pair("linalg_lu_tall", lambda L: lambda a: tuple(L.linalg.lu(a)), make_inputs=plain((5, 3)), **LOOSE))
add(pair("linalg_lu_square", lambda L: lambda a: tuple(L.linalg.lu(a)), make_inputs=plain((2, 4, 4)), **LOOSE))
add(pair("lu_unpack", lambda L: lambda a: tuple(L.lu_unpack(*L.linalg.lu_factor(a))), make_inputs=plain((3, 4, 3)),
         **LOOSE))
add(pair("lu_method", lambda L: lambda a: tuple(a.lu(get_infos=True)), make_inputs=square(3, 3), **LOOSE))
add(pair("linalg_lu_solve", lambda L: lambda a, b, **k: L.linalg.lu_solve(*L.linalg.lu_factor(a), b, **k),
         make_inputs=square_and((2, 3, 3), (2, 3, 2)), kwargs=[{}, {"adjoint": True}], **LOOSE))
add(pair("linalg_lu_solve_right", lambda L: lambda a, b, **k: L.linalg.lu_solve(*L.linalg.lu_factor(a), b, left=False,
                                                                                 **k),
         make_inputs=square_and((3, 3), (2, 2, 3)), kwargs=[{}, {"adjoint": True}], **LOOSE))
add(pair("lu_solve_fn", lambda L: lambda a, b: L.lu_solve(b, *L.lu(a)), make_inputs=square_and((2, 3, 3), (2, 3, 1)),
         **LOOSE))
add(pair("lu_solve_method", lambda L: lambda a, b: b.lu_solve(*L.linalg.lu_factor(a)),
         make_inputs=square_and((3, 3), (3, 2)), **LOOSE))
add(pair("linalg_solve_ex", lambda L: lambda a, b: tuple(L.linalg.solve_ex(a, b)),
         make_inputs=square_and((2, 3, 3), (2, 3, 2)), **LOOSE))
add(pair("linalg_solve_ex_vector_right", lambda L: lambda a, b: tuple(L.linalg.solve_ex(a, b.unsqueeze(0), left=False)),
         make_inputs=square_and((3, 3), (3,)), **LOOSE))
add(pair("linalg_inv_ex", lambda L: lambda a: tuple(L.linalg.inv_ex(a)), make_inputs=square(2, 3, 3), **LOOSE))
add(pair("linalg_cholesky_ex", lambda L: lambda x: tuple(L.linalg.cholesky_ex(spd(L, x))), make_inputs=plain((2, 3, 3)),
         **LOOSE))
add(pair("linalg_cholesky_ex_upper", lambda L: lambda x: tuple(L.linalg.cholesky_ex(spd(L, x), upper=True)),
         make_inputs=plain((3, 3)), **LOOSE))
add(pair("linalg_vecdot", lambda L: lambda a, b, **k: L.linalg.vecdot(a, b, **k), make_inputs=plain((2, 3, 4), (3, 4)),
         kwargs=[{}, {"dim": 1}]))
# past one diagonal block (64): the blocked substitution's off-diagonal products are exercised
add(pair("linalg_solve_triangular_blocked", lambda L: lambda a, b: L.linalg.solve_triangular(a, b, upper=True),
         make_inputs=square_and((70, 70), (70, 2)), supports_gradcheck=False, **LOOSE))
add(pair("cholesky_solve_blocked", lambda L: lambda x, b: L.cholesky_solve(b, L.linalg.cholesky(spd(L, x))),
         make_inputs=plain((70, 70), (70, 1)), supports_gradcheck=False, **LOOSE))
