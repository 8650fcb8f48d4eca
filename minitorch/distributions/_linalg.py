"""The batched Cholesky factorisation and triangular solves MultivariateNormal needs, written with
differentiable Tensor ops (a loop over the n columns, each step vectorised over the batch), so gradients
flow through them by the chain rule. O(n) Python steps: meant for the small event sizes of teaching
scripts, not for n in the thousands."""
from __future__ import annotations

import minitorch


def cholesky(a):
    """Lower-triangular L with L L^T = a (a symmetric positive-definite, shape (..., n, n)).

    Column j: v = a[:, j] - sum_{k<j} L[:, k] L[j, k];  L[j, j] = sqrt(v[j]);  L[i, j] = v[i] / L[j, j] (i > j).
    Factorises (a + a^T) / 2, so the gradient with respect to ``a`` is symmetric, as torch's is."""
    a = (a + a.mT) / 2
    n = a.shape[-1]
    rows = minitorch.arange(n, device=a.device)
    cols = []
    for j in range(n):
        v = a[..., :, j]
        if cols:
            done = minitorch.stack(cols, -1)  # (..., n, j)
            v = v - (done * done[..., j:j + 1, :]).sum(-1)
        d = v[..., j:j + 1].sqrt()
        cols.append(minitorch.where(rows >= j, v / d, 0.0))
    return minitorch.stack(cols, -1)


def solve_lower(tril, b):
    """x with tril @ x = b for lower-triangular ``tril`` (..., n, n) and b (..., n, m), by forward
    substitution: x_i = (b_i - sum_{k<i} tril[i, k] x_k) / tril[i, i]."""
    n = tril.shape[-1]
    xs = []
    for i in range(n):
        r = b[..., i, :]
        if xs:
            done = minitorch.stack(xs, -2)  # (..., i, m)
            r = r - (tril[..., i, :i].unsqueeze(-1) * done).sum(-2)
        xs.append(r / tril[..., i, i:i + 1])
    return minitorch.stack(xs, -2)


def solve_upper(triu, b):
    """x with triu @ x = b for upper-triangular ``triu``, by back substitution."""
    return solve_lower(triu.flip((-1, -2)), b.flip(-2)).flip(-2)
