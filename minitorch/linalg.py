"""``minitorch.linalg``: torch.linalg's names. The ops live in ``minitorch.ops.decomposition`` (one
Function per factorisation, forward and backward side by side); this module only names them."""
from __future__ import annotations

from .linalg_more import householder_product, tensorinv, tensorsolve
from .ops.contraction import cross as _cross
from .ops.decomposition import (
    LinAlgError,
    cholesky_ex,
    cond,
    det,
    eigh,
    eigvalsh,
    inv,
    inv_ex,
    lstsq,
    lu_factor,
    lu_factor_ex,
    matrix_exp,
    matrix_norm,
    matrix_power,
    matrix_rank,
    multi_dot,
    pinv,
    solve,
    solve_ex,
    solve_triangular,
    svdvals,
    vander,
    vecdot,
    vector_norm,
)
from .ops.decomposition import linalg_cholesky as cholesky
from .ops.decomposition import linalg_lu as lu
from .ops.decomposition import linalg_lu_solve as lu_solve
from .ops.decomposition import linalg_norm as norm
from .ops.decomposition import linalg_qr as qr
from .ops.decomposition import linalg_slogdet as slogdet
from .ops.decomposition import linalg_svd as svd
from .ops.diagonal import diagonal as _diagonal
from .ops.eig import eig, eigvals
from .ops.ldl import ldl_factor, ldl_factor_ex, ldl_solve
from .ops.linalg import matmul

__all__ = [
    "LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv",
    "inv_ex", "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "matmul", "matrix_exp", "matrix_norm",
    "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex",
    "solve_triangular", "svd", "svdvals", "vander", "vecdot", "vector_norm",
    "householder_product", "tensorinv", "tensorsolve", "eig", "eigvals",
    "ldl_factor", "ldl_factor_ex", "ldl_solve",
]


def cross(input, other, *, dim: int = -1):
    """torch.linalg.cross: like torch.cross, but ``dim`` defaults to -1."""
    return _cross(input, other, dim=dim)


def diagonal(A, *, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """torch.linalg.diagonal: torch.diagonal with the last two dims as defaults."""
    return _diagonal(A, offset, dim1, dim2)
