"""Randomized low-rank SVD and PCA (``torch.svd_lowrank``, ``torch.pca_lowrank``), after Halko, Martinsson
and Tropp, "Finding structure with randomness" (2009): project onto q random directions, sharpen the basis
with ``niter`` power iterations (a QR after every product keeps it well conditioned), then take the exact SVD
of the small q-row matrix. Built from differentiable Tensor ops, so gradients flow through U, S and V.
"""
from __future__ import annotations

from . import creation
from .ops import decomposition as dec
from .tensor import Tensor

__all__ = ["svd_lowrank", "pca_lowrank"]


def _times(a: Tensor, m: Tensor | None, x: Tensor) -> Tensor:
    """(a - m) @ x without forming a - m (m, when given, is the broadcast row mean)."""
    return a @ x if m is None else a @ x - m @ x


def _approximate_basis(a: Tensor, q: int, niter: int, m: Tensor | None) -> Tensor:
    """Q with q orthonormal columns whose span approximately contains the range of (a - m)."""
    r = creation.randn(*a.shape[:-2], a.shape[-1], q, dtype=a.dtype, device=a.device)
    basis = dec.linalg_qr(_times(a, m, r)).Q
    mt = None if m is None else m.mT
    for _ in range(niter):
        basis = dec.linalg_qr(_times(a.mT, mt, basis)).Q
        basis = dec.linalg_qr(_times(a, m, basis)).Q
    return basis


def svd_lowrank(A: Tensor, q: int | None = 6, niter: int = 2, M: Tensor | None = None) -> tuple:
    """(U, S, V) with A - M ~= U diag(S) V^T of rank q (randomized; exact when rank(A - M) <= q)."""
    m_rows, n_cols = A.shape[-2:]
    q = min(6 if q is None else q, m_rows, n_cols)  # as torch: a q past min(m, n) is cut to it
    if M is not None:
        M = M.broadcast_to(A.shape)
    if m_rows < n_cols:  # work with the tall transpose: its basis is the small side
        v, s, u = svd_lowrank(A.mT, q, niter, None if M is None else M.mT)
        return u, s, v
    basis = _approximate_basis(A, q, niter, M)
    b = _times(A.mT, None if M is None else M.mT, basis).mT  # basis^T (A - M)
    u, s, vh = dec.linalg_svd(b, full_matrices=False)
    return basis @ u, s, vh.mT


def pca_lowrank(A: Tensor, q: int | None = None, center: bool = True, niter: int = 2) -> tuple:
    """(U, S, V) of the (column-centred) data A: principal directions V, singular values S (torch.pca_lowrank)."""
    m_rows, n_cols = A.shape[-2:]
    q = min(6, m_rows, n_cols) if q is None else q
    if not 0 <= q <= min(m_rows, n_cols):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m_rows, n_cols)}")
    if not center:
        return svd_lowrank(A, q, niter, None)
    return svd_lowrank(A, q, niter, A.mean(dim=-2, keepdim=True))
