"""Scans along a dim: cumprod, cummax, cummin, logcumsumexp, diff.

The scans that NumPy/CuPy have no accumulate for on both backends (running max/min, running
logsumexp) are computed with a log-step (Hillis-Steele) scan: log2(n) elementwise steps, no loop
over the elements and no read-back to the host.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import BuiltinOp
from ..autograd.grad_mode import _GradState
from ..backend import xp_of
from ..return_types import structseq
from ..tensor import Tensor
from ._util import wrap_dim
from .complex import conj_of

__all__: list[str] = ["cumprod", "cummax", "cummin", "logcumsumexp", "diff"]

cummax_result = structseq("cummax", ["values", "indices"])
cummin_result = structseq("cummin", ["values", "indices"])


def _reverse_cumsum(g: Tensor, dim: int) -> Tensor:
    return g.flip(dim).cumsum(dim).flip(dim)


def _shifted(arr, s: int, dim: int, fill):
    """``arr`` moved ``s`` steps forward along ``dim`` (the first ``s`` entries become ``fill``)."""
    xp = xp_of(arr)
    pad_shape = arr.shape[:dim] + (s,) + arr.shape[dim + 1:]
    head = xp.full(pad_shape, fill, dtype=arr.dtype)
    body = arr[(slice(None),) * dim + (slice(0, arr.shape[dim] - s),)]
    return xp.concatenate([head, body], axis=dim)


class Cumprod(BuiltinOp):
    saves_output = True
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        ctx.save_for_backward(x)
        arr = x.array
        if arr.dtype.kind in "bu":  # bool/uint8 accumulate in int64, as torch (NumPy: uint64)
            arr = arr.astype(np.int64)
        return xp_of(arr).cumprod(arr, axis=dim)

    @staticmethod
    def backward(ctx, g):
        """d x_i = sum_{k>=i} g_k prod_{j<=k, j!=i} x_j (complex: conj of the products; split at the first zero
        of x, no division by 0)."""
        (x,) = ctx.saved_tensors
        x, out = conj_of(x), conj_of(ctx.output)  # the real formula on conj(x): the holomorphic rule
        d = ctx.dim
        from .elementwise import where

        if _GradState.enabled:  # create_graph: a polynomial in x, so every order of derivative is right
            return _cumprod_grad_quadratic(x, g, d), None
        arr = x.array
        zero = arr == 0
        before = xp_of(arr).cumsum(zero, axis=d) == 0  # i < z, the first zero's position
        at_first = zero & (xp_of(arr).cumsum(zero, axis=d) == 1)
        after = ~(before | at_first)
        # i < z: x_i != 0, so prod_{j<=k, j!=i} x_j = out_k / x_i (and out_k = 0 from z on)
        left = _reverse_cumsum(g * out, d) / where(before, x, 1.0) * before
        # i == z: the prefix product before z times the running product of what follows z
        prefix = where(before, x, 1.0).cumprod(d)
        prefix = prefix.narrow(d, arr.shape[d] - 1, 1)
        tail = where(after, x, 1.0).cumprod(d)
        at = _reverse_cumsum(g * tail * ~before, d) * prefix * at_first
        return left + at, None


def _cumprod_grad_quadratic(x: Tensor, g: Tensor, d: int) -> Tensor:
    """sum_{k>=i} g_k prod_{j<=k, j!=i} x_j as an (n, n) table per slice: row i is x with x_i set to 1."""
    from .elementwise import where

    xm, gm = x.movedim(d, -1), g.movedim(d, -1)
    n = xm.array.shape[-1]
    xp = xp_of(x.array)
    rows = xm.unsqueeze(-2).expand(xm.array.shape[:-1] + (n, n))
    others = where(xp.eye(n, dtype=bool), 1.0, rows).cumprod(-1)  # [..., i, k]
    upper = xp.triu(xp.ones((n, n), dtype=x.array.dtype))  # k >= i
    return (others * gm.unsqueeze(-2) * Tensor._wrap(upper)).sum(-1).movedim(-1, d)


class CumExtremum(BuiltinOp):
    """Running max/min along ``dim``: values and (non-differentiable) indices of the latest extremum."""

    @staticmethod
    def forward(ctx, x, dim, is_max):
        arr = x.array
        xp = xp_of(arr)
        n = arr.shape[dim]
        vals = arr.copy()
        idx = xp.broadcast_to(xp.arange(n).reshape((-1,) + (1,) * (arr.ndim - dim - 1)), arr.shape).copy()
        s = 1
        while s < n:  # after this step, position k holds the extremum of (k - 2s, k]
            fill = vals.dtype.type(0)
            left_v, left_i = _shifted(vals, s, dim, fill), _shifted(idx, s, dim, 0)
            valid = _shifted(xp.ones(arr.shape, dtype=bool), s, dim, False)
            better = (left_v > vals) if is_max else (left_v < vals)
            if arr.dtype.kind == "f":  # NaN wins and stays, as in torch
                better = better | (xp.isnan(left_v) & ~xp.isnan(vals))
            better = better & valid
            vals = xp.where(better, left_v, vals)
            idx = xp.where(better, left_i, idx)
            s *= 2
        ctx.dim, ctx.idx, ctx.shape = dim, idx, arr.shape
        return vals, idx.astype(np.int64, copy=False)

    @staticmethod
    def backward(ctx, g, _indices_grad=None):
        """d cummax(x)_k = g_k routed to x at the index of the running maximum (summed there)."""
        zeros = Tensor._wrap(xp_of(g.array).zeros(ctx.shape, dtype=g.array.dtype))
        return zeros.scatter_add(ctx.dim, Tensor._wrap(ctx.idx), g), None, None


class LogCumSumExp(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, x, dim):
        arr = x.array
        xp = xp_of(arr)
        ctx.dim = dim
        ctx.save_for_backward(x)
        out = arr.copy()
        s, n = 1, arr.shape[dim]
        with np.errstate(invalid="ignore"):
            while s < n:
                out = xp.logaddexp(out, _shifted(out, s, dim, -np.inf))
                s *= 2
        return out

    @staticmethod
    def backward(ctx, g):
        """d x_i = sum_{k>=i} g_k exp(x_i - out_k), in log space split by the sign of g (stable)."""
        (x,) = ctx.saved_tensors
        d = ctx.dim
        out = ctx.output
        from .elementwise import where

        lowest = float(np.finfo(x.array.dtype).min) / 4  # log(0) stand-in; sums of a few stay finite
        log_abs = where(g.array != 0, g, 1.0).abs().log()
        pos = where(g.array > 0, log_abs, lowest)
        neg = where(g.array < 0, log_abs, lowest)

        def rev(t):
            return logcumsumexp(t.flip(d), d).flip(d)

        return (rev(pos - out) + x).exp() - (rev(neg - out) + x).exp(), None


# ---------------------------------------------------------------- functional API -----------------
def _dim(x, dim, op):
    return wrap_dim(dim, x.array.ndim, op) if x.array.ndim else 0


def cumprod(input: Tensor, dim: int | None = None, *, dtype=None, axis: int | None = None) -> Tensor:
    if axis is not None:
        dim = axis
    elif dim is None:
        raise TypeError("cumprod() missing 1 required positional argument: 'dim'")
    if dtype is not None:
        input = input.to(dtype)
    if input.array.ndim == 0:
        _dim(input, dim, "cumprod")
        return input.clone()
    return Cumprod.apply(input, _dim(input, dim, "cumprod"))


def _cum_extremum(x, dim, is_max):
    name = "cummax" if is_max else "cummin"
    result = cummax_result if is_max else cummin_result
    d = _dim(x, dim, name)
    if x.array.ndim == 0:
        return result(x.clone(), Tensor._wrap(xp_of(x.array).zeros((), dtype=np.int64)))
    return result(*CumExtremum.apply(x, d, is_max))


def cummax(input: Tensor, dim: int):
    return _cum_extremum(input, dim, True)


def cummin(input: Tensor, dim: int):
    return _cum_extremum(input, dim, False)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f'"logcumsumexp" not implemented for {input.dtype}')
    if input.array.ndim == 0:
        _dim(input, dim, "logcumsumexp")
        return input.clone()
    return LogCumSumExp.apply(input, _dim(input, dim, "logcumsumexp"))


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """n-th forward difference along ``dim``, after concatenating ``prepend`` and ``append``."""
    if input.array.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    d = wrap_dim(dim, input.array.ndim, "diff")
    from .shape import cat

    parts = [p for p in (prepend, input, append) if p is not None]
    for p in (prepend, append):
        if isinstance(p, Tensor) and p.array.ndim != input.array.ndim:
            raise RuntimeError(
                f"diff expects prepend or append to be the same dimension as input (input {list(input.shape)}, "
                f"got {list(p.shape)})"
            )
    if len(parts) > 1:
        parts = [_as_like(p, input, d) for p in parts]
        input = cat(parts, d)
    for _ in range(n):
        m = input.array.shape[d]
        if m == 0:
            break
        hi, lo = input.narrow(d, 1, m - 1), input.narrow(d, 0, m - 1)
        input = (hi != lo) if input.array.dtype.kind == "b" else hi - lo
    return input


def _as_like(p, x, d):
    if isinstance(p, Tensor):
        return p
    xp = xp_of(x.array)
    shape = x.array.shape[:d] + (1,) + x.array.shape[d + 1:]
    return Tensor._wrap(xp.full(shape, p, dtype=x.array.dtype))


METHODS: dict = {
    "cumprod": cumprod, "cummax": cummax, "cummin": cummin, "logcumsumexp": logcumsumexp, "diff": diff,
}
INPLACE_METHODS: dict = {"cumprod_": cumprod}
