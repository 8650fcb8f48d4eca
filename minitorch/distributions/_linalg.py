"""The two factorisations MultivariateNormal needs, from ``minitorch.linalg`` (one graph node each, with
double backward), under the names the distributions code reads best with."""
from __future__ import annotations

from .. import linalg


def cholesky(a):
    """Lower-triangular L with L L^T = a (a symmetric positive-definite, shape (..., n, n))."""
    return linalg.cholesky(a)


def solve_lower(tril, b):
    """x with tril @ x = b for lower-triangular ``tril`` (..., n, n) and b (..., n, m)."""
    return linalg.solve_triangular(tril, b, upper=False)
