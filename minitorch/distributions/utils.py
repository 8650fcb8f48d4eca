"""Helpers shared by the distributions: argument broadcasting, probs <-> logits, lazy parameters."""
from __future__ import annotations

from numbers import Number

import minitorch
from minitorch.tensor import Size, Tensor

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits", "tril_matrix_to_vec",
           "vec_to_tril_matrix"]

euler_constant = 0.57721566490153286060  # Euler-Mascheroni constant


def broadcast_all(*values):
    """Broadcast tensors and numbers together; numbers become tensors of the first tensor's dtype and
    device (the default dtype when all are numbers)."""
    if not all(isinstance(v, (Tensor, Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number or minitorch.Tensor.")
    if not all(isinstance(v, Tensor) for v in values):
        like = next((v for v in values if isinstance(v, Tensor)), None)
        options = {"dtype": minitorch.get_default_dtype()} if like is None else {"dtype": like.dtype,
                                                                                  "device": like.device}
        values = [v if isinstance(v, Tensor) else minitorch.tensor(float(v), **options) for v in values]
    return minitorch.broadcast_tensors(*values)


def as_size(shape) -> Size:
    """A ``Size`` from a Size, tuple, list or int."""
    if isinstance(shape, int):
        return Size((shape,))
    return Size(tuple(shape))


def standard_normal(shape, dtype, device) -> Tensor:
    return minitorch.randn(tuple(shape), dtype=dtype, device=device)


def uniform(shape, dtype, device, low: float = 0.0, high: float = 1.0) -> Tensor:
    """U[low, high) samples from minitorch's generator."""
    return minitorch.empty(tuple(shape), dtype=dtype, device=device).uniform_(low, high)


def sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """Sum out the ``dim`` rightmost dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def _tril_positions(n: int, diag: int) -> list:
    """Flat (row-major) positions of the entries of an n x n matrix on or below diagonal ``diag``."""
    return [i * n + j for i in range(n) for j in range(n) if j <= i + diag]


def tril_matrix_to_vec(mat: Tensor, diag: int = 0) -> Tensor:
    """The entries on or below diagonal ``diag`` of (a batch of) square matrices, row by row."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    index = minitorch.tensor(_tril_positions(n, diag), dtype=minitorch.int64, device=mat.device)
    return mat.reshape(tuple(mat.shape[:-2]) + (n * n,)).index_select(-1, index)


def vec_to_tril_matrix(vec: Tensor, diag: int = 0) -> Tensor:
    """The inverse of ``tril_matrix_to_vec``: a (batch of) D x D matrices, zero above diagonal ``diag``."""
    m = vec.shape[-1]
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * m + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if abs(round(n) - n) > 1e-6:
        raise ValueError(f"The size of last dimension is {m} which cannot be expressed as the lower triangular "
                         "part of a square D x D matrix.")
    n = round(n)
    # gather from [0, vec...]: slot 0 (zero) for entries above the diagonal, slot k + 1 for the k-th entry
    source = [0] * (n * n)
    for k, pos in enumerate(_tril_positions(n, diag)):
        source[pos] = k + 1
    index = minitorch.tensor(source, dtype=minitorch.int64, device=vec.device)
    padded = minitorch.cat([vec.new_zeros(tuple(vec.shape[:-1]) + (1,)), vec], -1)
    return padded.index_select(-1, index).reshape(tuple(vec.shape[:-1]) + (n, n))


def clamp_probs(probs: Tensor) -> Tensor:
    """Clamp probabilities into [eps, 1 - eps] (eps of the dtype)."""
    eps = minitorch.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Binary: sigmoid(log-odds); categorical: softmax over the last dim."""
    if is_binary:
        return minitorch.sigmoid(logits)
    return minitorch.softmax(logits, dim=-1)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Binary: log(p) - log(1 - p); categorical: log(p) (unnormalised log-probabilities)."""
    p = clamp_probs(probs)
    if is_binary:
        return minitorch.log(p) - minitorch.log1p(-p)
    return minitorch.log(p)


class lazy_property:
    """A parameter computed from another on first access (e.g. ``probs`` from ``logits``), then cached
    on the instance. Computed with grad recording on, so it stays differentiable."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__name__ = wrapped.__name__
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with minitorch.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class BinaryProbs:
    """``probs`` and ``logits`` of a two-outcome parameter (Bernoulli, Geometric, Binomial, ...): the one
    given at construction is stored; the other is computed from it on first use."""

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)
