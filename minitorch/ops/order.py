"""Order statistics and searches: median, kthvalue, mode, quantile, searchsorted, bucketize, nansum, ...

The selections (median, kthvalue, mode, ...) find an index per slice with array code, then one
Function, ``PickAlongDim``, reads the values there and routes the gradient back to those indices.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import BuiltinOp
from ..backend import xp_of
from ..backend.arrays import add_at, numpy_of
from ..return_types import structseq
from ..tensor import Tensor
from ._util import normalize_dims, torch_type_name, wrap_dim

__all__: list[str] = [
    "median", "nanmedian", "kthvalue", "mode", "quantile", "nanquantile", "nansum", "nanmean",
    "searchsorted", "bucketize", "histc",
]

median_result = structseq("median", ["values", "indices"])
nanmedian_result = structseq("nanmedian", ["values", "indices"])
kthvalue_result = structseq("kthvalue", ["values", "indices"])
mode_result = structseq("mode", ["values", "indices"])


class PickAlongDim(BuiltinOp):
    """x at one index per slice along ``dim`` (``idx`` has size 1 there): values and the indices."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, idx):
        xp = xp_of(x.array)
        values = xp.take_along_axis(x.array, idx, axis=dim)
        ctx.dim, ctx.keepdim, ctx.idx, ctx.n = dim, keepdim, idx, x.array.shape[dim]
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return values, idx.astype(np.int64, copy=False)

    @staticmethod
    def backward(ctx, g, _indices_grad=None):
        """d x = g routed to the picked index of each slice (0 elsewhere)."""
        xp = xp_of(ctx.idx)
        nd = ctx.idx.ndim
        onehot = xp.arange(ctx.n).reshape((-1,) + (1,) * (nd - ctx.dim - 1)) == ctx.idx
        gk = g if ctx.keepdim else g.unsqueeze(ctx.dim)
        return gk * onehot, None, None, None


def _sorted_pick(x, dim, keepdim, position, result, op):
    """The element at sorted ``position`` (an int or an array per slice) of each slice along ``dim``."""
    arr = x.array
    xp = xp_of(arr)
    if arr.ndim == 0:
        return result(x.clone(), Tensor._wrap(xp.zeros((), dtype=np.int64)))
    order = xp.argsort(arr, axis=dim, kind="stable")  # NaN sorts last
    if isinstance(position, int):
        idx = order[(slice(None),) * dim + (slice(position, position + 1),)]
    else:
        idx = xp.take_along_axis(order, position, axis=dim)
    return result(*PickAlongDim.apply(x, dim, keepdim, idx))


def _nan_count(arr, dim):
    xp = xp_of(arr)
    if arr.dtype.kind != "f":
        return xp.full(arr.shape[:dim] + (1,) + arr.shape[dim + 1:], arr.shape[dim], dtype=np.int64)
    return (~xp.isnan(arr)).sum(axis=dim, keepdims=True)


def _no_complex(x, kernel: str, suffix: bool = True) -> None:
    """torch's NotImplementedError for an ordering op on complex data (``"median_cpu" not implemented...``)."""
    arr = x.array
    if arr.dtype.kind == "c":
        from .comparison import complex_not_implemented

        if suffix:
            kernel += "_cpu" if isinstance(arr, np.ndarray) else "_cuda"
        raise complex_not_implemented(kernel, arr)


def _dim_of(x, dim, op):
    return wrap_dim(dim, x.array.ndim, op) if x.array.ndim else 0


def _empty_check(x, d, op):
    if x.array.ndim and x.array.shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


def median(input: Tensor, dim=None, keepdim: bool = False, *, axis=None):
    """Lower median: of all elements (dim=None, a 0-d tensor), or (values, indices) along ``dim``."""
    if axis is not None:
        dim = axis
    _no_complex(input, "median" if dim is None else "median_out", dim is None)
    if dim is None:
        if input.array.size == 0:
            raise RuntimeError("median() input tensor cannot be empty")
        return median(input.reshape(-1), 0).values
    d = _dim_of(input, dim, "median")
    _empty_check(input, d, "median")
    arr = input.array
    if arr.ndim == 0:
        return _sorted_pick(input, d, keepdim, 0, median_result, "median")
    m = _nan_count(arr, d)
    pos = xp_of(arr).where(m < arr.shape[d], m, (arr.shape[d] - 1) // 2)  # NaN present: the first NaN
    return _sorted_pick(input, d, keepdim, pos, median_result, "median")


def nanmedian(input: Tensor, dim=None, keepdim: bool = False, *, axis=None):
    """median ignoring NaNs (NaN only where a slice is all NaN)."""
    if axis is not None:
        dim = axis
    _no_complex(input, "median" if dim is None else "median_out", dim is None)
    if dim is None:
        if input.array.size == 0:
            raise RuntimeError("nanmedian() input tensor cannot be empty")
        return nanmedian(input.reshape(-1), 0).values
    d = _dim_of(input, dim, "nanmedian")
    _empty_check(input, d, "nanmedian")
    arr = input.array
    if arr.ndim == 0:
        return _sorted_pick(input, d, keepdim, 0, nanmedian_result, "nanmedian")
    m = _nan_count(arr, d)
    pos = xp_of(arr).where(m == 0, (arr.shape[d] - 1) // 2, (m - 1) // 2)  # all NaN: torch's middle NaN
    return _sorted_pick(input, d, keepdim, pos, nanmedian_result, "nanmedian")


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *, axis=None):
    """The k-th smallest element (1-based) of each slice along ``dim``: (values, indices)."""
    if axis is not None:
        dim = axis
    _no_complex(input, "kthvalue")
    d = _dim_of(input, dim, "kthvalue")
    n = input.array.shape[d] if input.array.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d} (k={k}, size {n})")
    return _sorted_pick(input, d, keepdim, k - 1, kthvalue_result, "kthvalue")


def mode(input: Tensor, dim: int = -1, keepdim: bool = False, *, axis=None):
    """Most frequent value of each slice (the smallest among equally frequent ones) and its last index."""
    if axis is not None:
        dim = axis
    _no_complex(input, "mode")
    d = _dim_of(input, dim, "mode")
    _empty_check(input, d, "mode")
    arr = input.array
    xp = xp_of(arr)
    if arr.ndim == 0:
        return mode_result(input.clone(), Tensor._wrap(xp.zeros((), dtype=np.int64)))
    a = xp.moveaxis(arr, d, -1)
    n = a.shape[-1]
    counts = (a[..., :, None] == a[..., None, :]).sum(axis=-1)  # O(n^2) per slice, no host sync
    frequent = counts == counts.max(axis=-1, keepdims=True)
    value = xp.where(frequent, a, a.max(axis=-1, keepdims=True)).min(axis=-1, keepdims=True)
    last = n - 1 - xp.argmax((a == value)[..., ::-1], axis=-1)
    idx = xp.moveaxis(last[..., None], -1, d)
    return mode_result(*PickAlongDim.apply(input, d, keepdim, idx))


# ---------------------------------------------------------------- quantiles ----------------------
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, op):
    from .comparison import sort
    from .elementwise import where

    if input.array.dtype.kind != "f":
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"{op}() interpolation must be one of linear, lower, higher, midpoint or nearest. "
            f"Got {interpolation}"
        )
    xp = xp_of(input.array)
    if isinstance(q, Tensor):
        if q.array.ndim > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor")
        if q.array.dtype != input.array.dtype:
            raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor")
        qs = q.array.reshape(-1)
        if not bool(numpy_of(((qs >= 0) & (qs <= 1)).all())):  # torch checks on the host too
            raise RuntimeError(f"{op}() q values must be in the range [0, 1]")
        scalar_q = q.array.ndim == 0
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{op}() q must be in the range [0, 1] but got {q}")
        qs = xp.asarray([q], dtype=input.array.dtype)
        scalar_q = True
    if input.array.size == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    in_shape = input.array.shape
    if dim is None:
        x, d = input.reshape(-1), 0
    else:
        d = wrap_dim(dim, input.array.ndim, op) if input.array.ndim else 0
        x = input if input.array.ndim else input.reshape(1)
    s = sort(x, d).values  # NaN last
    arr = x.array
    nq = qs.shape[0]
    lead = (nq,) + (1,) * arr.ndim
    count = _nan_count(arr, d)  # (..., 1, ...)
    n = count if ignore_nan else xp.full(count.shape, arr.shape[d], dtype=count.dtype)
    pos = qs.reshape(lead) * (xp.maximum(n, 1) - 1).astype(arr.dtype)  # (Q, ..., 1, ...)
    lo = xp.floor(pos).astype(np.int64)
    hi = xp.ceil(pos).astype(np.int64)
    full = (nq,) + s.array.shape
    sq = s.unsqueeze(0).expand(full)
    index_shape = (nq,) + count.shape

    def at(i):
        return sq.gather(d + 1, Tensor._wrap(xp.broadcast_to(i, index_shape).astype(np.int64)))

    if interpolation == "lower":
        out = at(lo)
    elif interpolation == "higher":
        out = at(hi)
    elif interpolation == "nearest":
        out = at(xp.round(pos).astype(np.int64))
    else:
        v_lo, v_hi = at(lo), at(hi)
        if interpolation == "midpoint":
            out = (v_lo + v_hi) * 0.5
        else:
            out = v_lo + (v_hi - v_lo) * Tensor._wrap((pos - lo).astype(arr.dtype))
    if arr.dtype.kind == "f":
        bad = (count == 0) if ignore_nan else (count < arr.shape[d])
        out = where(xp.broadcast_to(bad, index_shape), float("nan"), out)
    # out: (Q, ..., 1 at d+1, ...)
    if dim is None:
        out = out.reshape((nq,) + ((1,) * len(in_shape) if keepdim else ()))
    elif not keepdim or not input.array.ndim:
        out = out.squeeze(d + 1)
    if scalar_q:
        out = out.squeeze(0)
    return out


def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear",
             axis=None) -> Tensor:
    """q-th quantiles of each slice (q a float or 1-D tensor in [0, 1]); NaN where a slice has NaN."""
    return _quantile(input, q, dim if axis is None else axis, keepdim, interpolation, False, "quantile")


def nanquantile(input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear",
                axis=None) -> Tensor:
    """quantile ignoring NaNs."""
    return _quantile(input, q, dim if axis is None else axis, keepdim, interpolation, True, "nanquantile")


# ---------------------------------------------------------------- NaN-skipping reductions --------
def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, axis=None) -> Tensor:
    """sum treating NaN as 0 (gradient 0 there)."""
    if axis is not None:
        dim = axis
    from .elementwise import where

    if dtype is not None:
        input = input.to(dtype)
    if input.array.dtype.kind == "f":
        input = where(xp_of(input.array).isnan(input.array), 0.0, input)
    return input.sum(dim=dim, keepdim=keepdim)


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, axis=None) -> Tensor:
    """mean over the non-NaN elements."""
    if axis is not None:
        dim = axis
    if dtype is not None:
        input = input.to(dtype)
    if input.array.dtype.kind != "f":
        raise RuntimeError(
            f"nanmean(): expected input to have floating point or complex dtype but got {torch_type_name(input)}"
        )
    arr = input.array
    xp = xp_of(arr)
    axes = None if dim is None or arr.ndim == 0 else normalize_dims(dim, arr.ndim, "nanmean")
    count = (~xp.isnan(arr)).sum(axis=axes, keepdims=keepdim).astype(arr.dtype)
    return nansum(input, dim, keepdim) / Tensor._wrap(count)


# ---------------------------------------------------------------- searches -----------------------
def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False, right: bool = False, side=None,
                 sorter=None) -> Tensor:
    """Insertion indices of ``input`` in the innermost dim of ``sorted_sequence`` (left: first such, right: last)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError(
                "torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True"
            )
        right = side == "right"
    seq = sorted_sequence.array
    _no_complex(sorted_sequence, "searchsorted_out")
    xp = xp_of(seq)
    if seq.ndim == 0:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension"
        )
    if isinstance(input, Tensor):
        values = input.array
    else:
        if seq.ndim != 1:
            raise RuntimeError(
                "torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, "
                f"but we got boundaries tensor dim({seq.ndim}) and input value's dim(0) numel(1)"
            )
        values = xp.asarray(input, dtype=seq.dtype)
    if seq.ndim > 1 and (values.ndim != seq.ndim or values.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
            f"boundaries tensor and input value tensor must match, but we got boundaries tensor {list(seq.shape)} "
            f"and input value tensor {list(values.shape)}"
        )
    if sorter is not None:
        if sorter.array.shape != seq.shape:
            raise RuntimeError(
                f"torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor "
                f"{list(seq.shape)} and got sorter tensor {list(sorter.shape)}"
            )
        seq = xp.take_along_axis(seq, sorter.array, axis=-1)
    side = "right" if right else "left"
    if seq.ndim == 1:
        out = xp.searchsorted(seq, values, side=side)
    else:  # one sequence per leading index: count the elements before each value (no host sync)
        below = seq[..., None, :] <= values[..., :, None] if right else seq[..., None, :] < values[..., :, None]
        out = below.sum(axis=-1)
    out = xp.asarray(out).astype(np.int32 if out_int32 else np.int64)
    return Tensor._wrap(out)


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """Index of the bucket of each value: boundaries[i-1] < x <= boundaries[i] (right: <= x <)."""
    if boundaries.array.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.array.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def histc(input: Tensor, bins: int = 100, min=0, max=0) -> Tensor:
    """Histogram of ``bins`` equal-width bins over [min, max] (the data's range when min == max); no gradient."""
    arr = input.array
    xp = xp_of(arr)
    if arr.dtype.kind != "f":
        raise NotImplementedError(f'"histogram_cpu" not implemented for \'{torch_type_name(input)}\'')
    if bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins} for bins")
    if min > max:
        raise RuntimeError(f"torch.histc: max must be larger than min, but got min {min} and max {max}")
    flat = arr.reshape(-1)
    if min == max:
        if flat.size:
            lo, hi = flat.min(), flat.max()
        else:
            lo, hi = xp.asarray(min, dtype=arr.dtype), xp.asarray(max, dtype=arr.dtype)
        same = lo == hi
        lo, hi = xp.where(same, lo - 1, lo), xp.where(same, hi + 1, hi)
    else:
        lo, hi = xp.asarray(min, dtype=arr.dtype), xp.asarray(max, dtype=arr.dtype)
    inside = (flat >= lo) & (flat <= hi)
    with np.errstate(invalid="ignore"):
        pos = xp.floor((flat - lo) / (hi - lo) * bins)
    pos = xp.where(inside, pos, 0).astype(np.int64)
    pos = xp.minimum(pos, bins - 1)
    counts = xp.zeros(bins, dtype=arr.dtype)
    add_at(counts, pos, inside.astype(arr.dtype))
    return Tensor._wrap(counts)


METHODS: dict = {
    "median": median, "nanmedian": nanmedian, "kthvalue": kthvalue, "mode": mode, "quantile": quantile,
    "nanquantile": nanquantile, "nansum": nansum, "nanmean": nanmean, "histc": histc,
}
INPLACE_METHODS: dict = {}
