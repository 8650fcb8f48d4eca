"""Comparisons and other ops with no gradient: ==, <, logical ops, floor, round, isnan, sort..."""
from __future__ import annotations

import numpy as np

from .. import return_types
from ..backend import xp_of
from ..tensor import Tensor
from ._util import array_of, binary_error, torch_float_result, torch_operands, wrap_dim


def _compare(name, fn, promote: bool = False):
    def op(a, b):
        x, y = array_of(a), array_of(b)
        if promote and getattr(x, "dtype", None) is not getattr(y, "dtype", None):  # compared in torch's
            x, y = torch_operands(x, y, name)  # result dtype (float32 == float64 0-d in float32, uint8 == -1 wraps)
        try:
            return Tensor._wrap(fn(x, y))
        except (ValueError, TypeError) as e:
            raise binary_error(name, a, b, e) from None

    op.__name__ = name
    op.__doc__ = f"Elementwise {name} (bool result, no gradient)."
    return op


def _kernel_name(arr, kernel: str) -> str:
    return f"{kernel}_{'cpu' if isinstance(arr, np.ndarray) else 'cuda'}"


def complex_not_implemented(kernel: str, arr, other=None) -> NotImplementedError:
    """torch's refusal of an ordering op on complex data: ``"lt_cpu" not implemented for 'ComplexFloat'``
    (the dtype named is the promoted one)."""
    from ..backend.dtype import from_numpy_dtype

    dt = arr.dtype if other is None else np.result_type(arr, other)
    if dt.kind != "c":
        dt = np.dtype(np.complex128 if dt == np.float64 else np.complex64)  # a Python complex operand
    name = {"complex64": "ComplexFloat", "complex128": "ComplexDouble"}.get(from_numpy_dtype(dt).name, str(dt))
    return NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")


def _ordered(name, fn):
    """An ordering comparison: as torch, refused for complex operands (NumPy orders them lexicographically)."""
    def op(a, b):
        x, y = array_of(a), array_of(b)
        if getattr(x, "dtype", _REAL).kind == "c" or getattr(y, "dtype", _REAL).kind == "c" or type(y) is complex \
                or type(x) is complex:
            arr = x if hasattr(x, "dtype") else y
            raise complex_not_implemented(_kernel_name(arr, name), arr, y if arr is x else x)
        if getattr(x, "dtype", None) is not getattr(y, "dtype", None):  # compared in torch's result dtype
            x, y = torch_operands(x, y, name)
        try:
            return Tensor._wrap(fn(x, y))
        except (ValueError, TypeError) as e:
            raise binary_error(name, a, b, e) from None

    op.__name__ = name
    op.__doc__ = f"Elementwise {name} (bool result, no gradient; complex operands are refused, as torch)."
    return op


_REAL = np.dtype(np.float32)
eq = _compare("eq", lambda x, y: x == y, promote=True)
ne = _compare("ne", lambda x, y: x != y, promote=True)
lt = _ordered("lt", lambda x, y: x < y)
le = _ordered("le", lambda x, y: x <= y)
gt = _ordered("gt", lambda x, y: x > y)
ge = _ordered("ge", lambda x, y: x >= y)
logical_and = _compare("logical_and", lambda x, y: xp_of(x if hasattr(x, "dtype") else y).logical_and(x, y))
logical_or = _compare("logical_or", lambda x, y: xp_of(x if hasattr(x, "dtype") else y).logical_or(x, y))
logical_xor = _compare("logical_xor", lambda x, y: xp_of(x if hasattr(x, "dtype") else y).logical_xor(x, y))
bitwise_and = _compare("bitwise_and", lambda x, y: x & y)
bitwise_or = _compare("bitwise_or", lambda x, y: x | y)
bitwise_xor = _compare("bitwise_xor", lambda x, y: x ^ y)


def floor_divide(a, b):
    x, y = array_of(a), array_of(b)
    if getattr(x, "dtype", None) is not getattr(y, "dtype", None):
        x, y = torch_operands(x, y, "floor_divide")
    xp = xp_of(x if hasattr(x, "dtype") else y)
    return Tensor._wrap(torch_float_result(xp.floor_divide(x, y), x, y))


def _unary(name, fn):
    def op(a):
        return Tensor._wrap(fn(xp_of(a.array), a.array))

    op.__name__ = name
    op.__doc__ = f"Elementwise {name} (no gradient: piecewise constant or boolean)."
    return op


logical_not = _unary("logical_not", lambda xp, x: xp.logical_not(x))
bitwise_not = _unary("bitwise_not", lambda xp, x: ~x)
isnan = _unary("isnan", lambda xp, x: xp.isnan(x))
isinf = _unary("isinf", lambda xp, x: xp.isinf(x))
isfinite = _unary("isfinite", lambda xp, x: xp.isfinite(x))
floor = _unary("floor", lambda xp, x: xp.floor(x))
ceil = _unary("ceil", lambda xp, x: xp.ceil(x))
trunc = _unary("trunc", lambda xp, x: xp.trunc(x))


def round(a, decimals: int = 0):
    return Tensor._wrap(xp_of(a.array).round(a.array, decimals))


def allclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
    return bool(xp_of(a.array).allclose(a.array, array_of(b), rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False):
    return Tensor._wrap(xp_of(a.array).isclose(a.array, array_of(b), rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(a, b) -> bool:
    return a.array.shape == b.array.shape and bool((a.array == b.array).all())


def any(a, dim=None, keepdim=False, *, axis=None):
    if axis is not None:
        dim = axis
    return Tensor._wrap(xp_of(a.array).asarray(a.array.any(axis=dim, keepdims=keepdim)))


def all(a, dim=None, keepdim=False, *, axis=None):
    if axis is not None:
        dim = axis
    return Tensor._wrap(xp_of(a.array).asarray(a.array.all(axis=dim, keepdims=keepdim)))


def count_nonzero(a, dim=None, *, axis=None):
    if axis is not None:
        dim = axis
    return Tensor._wrap(xp_of(a.array).asarray(xp_of(a.array).count_nonzero(a.array, axis=dim), dtype=np.int64))


def nonzero(a, *, as_tuple=False):
    idx = xp_of(a.array).nonzero(a.array)
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in idx)
    return Tensor._wrap(xp_of(a.array).stack(idx, axis=1).astype(np.int64))


def _no_complex_sort(arr, op: str = "Sort") -> None:
    if arr.dtype.kind == "c":
        dev = "CPU" if isinstance(arr, np.ndarray) else "CUDA"
        raise RuntimeError(f" {op} does not support complex dtypes on {dev}")


def _argsort(arr, d: int, descending: bool):
    """Indices that sort ``arr`` along ``d`` as torch does: NaN counts as the largest value, equal values
    keep their original order (stable) in both directions. Descending sorts the reversed slice ascending
    and reverses the result back (no negation: uint8 would wrap, bool has none, int64's min overflows)."""
    xp = xp_of(arr)
    if not descending:
        return xp.argsort(arr, axis=d, kind="stable")
    n = arr.shape[d]
    rev = (slice(None),) * d + (slice(None, None, -1),)
    return (n - 1) - xp.argsort(arr[rev], axis=d, kind="stable")[rev]


def _sort_dim(a, dim, op):
    return wrap_dim(dim, a.array.ndim, op) if a.array.ndim else None


def argsort(a, dim=-1, descending=False, stable=False, *, axis=None):
    """Indices that sort ``a`` along ``dim`` (NaN last ascending, first descending; always stable)."""
    _no_complex_sort(a.array)
    d = _sort_dim(a, dim if axis is None else axis, "argsort")
    xp = xp_of(a.array)
    if d is None:
        return Tensor._wrap(xp.zeros((), dtype=np.int64))
    return Tensor._wrap(_argsort(a.array, d, descending).astype(np.int64, copy=False))


def sort(a, dim=-1, descending=False, stable=False, *, axis=None):
    """(values, indices) of ``a`` sorted along ``dim``; the values carry the gradient back to their places."""

    _no_complex_sort(a.array)
    d = _sort_dim(a, dim if axis is None else axis, "sort")
    if d is None:
        return return_types.sort(a.clone(), Tensor._wrap(xp_of(a.array).zeros((), dtype=np.int64)))
    idx = Tensor._wrap(_argsort(a.array, d, descending).astype(np.int64, copy=False))
    return return_types.sort(a.gather(d, idx), idx)


def _topk_indices(arr, k: int, d: int, largest: bool):
    """The indices of the k largest (smallest) elements along ``d``, sorted: one partial partition
    (O(n)) picks the k, then only those k are sorted. Ties are ordered by position."""
    xp = xp_of(arr)
    n = arr.shape[d]
    if 4 * k >= n or not hasattr(xp, "argpartition"):  # most of the slice: a full sort is as cheap
        order = _argsort(arr, d, largest)
        return order[(slice(None),) * d + (slice(0, k),)]
    if largest:
        picked = xp.argpartition(arr, n - k, axis=d)[(slice(None),) * d + (slice(n - k, None),)]
    else:
        picked = xp.argpartition(arr, k - 1, axis=d)[(slice(None),) * d + (slice(0, k),)]
    picked = xp.sort(picked, axis=d)  # by position first, so that the stable sort below orders ties by it
    order = _argsort(xp.take_along_axis(arr, picked, axis=d), d, largest)
    return xp.take_along_axis(picked, order, axis=d)


def topk(a, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *, axis=None):
    """The k largest (``largest=False``: smallest) elements along ``dim`` and their indices, largest first
    (NaN counts as the largest). ``sorted=False`` still returns them sorted, as torch is free to."""

    arr = a.array
    _no_complex_sort(arr, "topk")
    xp = xp_of(arr)
    k = int(k)
    if arr.ndim == 0:
        if k not in (0, 1):
            raise RuntimeError("selected index k out of range")
        return return_types.topk(a.clone(), Tensor._wrap(xp.zeros((), dtype=np.int64)))
    d = wrap_dim(dim if axis is None else axis, arr.ndim, "topk")
    if not 0 <= k <= arr.shape[d]:
        raise RuntimeError(f"selected index k out of range (k={k}, size {arr.shape[d]} of dim {d}, "
                           f"input shape {list(arr.shape)})")
    if k == 0:
        idx = xp.zeros(arr.shape[:d] + (0,) + arr.shape[d + 1:], dtype=np.int64)
    else:
        idx = _topk_indices(arr, k, d, largest).astype(np.int64, copy=False)
    idx = Tensor._wrap(idx)
    return return_types.topk(a.gather(d, idx), idx)


def _unique_slices(arr, d: int, consecutive: bool):
    """Unique slices of ``arr`` along ``d``: (unique array, inverse, counts), all as arrays.

    The slices are flattened to rows, sorted lexicographically (unless ``consecutive``), and a new group
    starts wherever a row differs from the previous one. The number of groups sizes the result: one
    host sync, as in torch."""
    xp = xp_of(arr)
    moved = xp.moveaxis(arr, d, 0)
    n = moved.shape[0]
    rows = moved.reshape(n, int(np.prod(moved.shape[1:])))
    if consecutive or n == 0 or rows.shape[1] == 0:
        order = xp.arange(n)
    else:
        order = xp.lexsort(rows.T[::-1])  # column 0 is the primary key
    srt = rows[order]
    new = xp.ones(n, dtype=bool)
    if n > 1:
        new[1:] = (srt[1:] != srt[:-1]).any(axis=1)
    group = xp.cumsum(new) - 1
    starts = xp.nonzero(new)[0]  # the sync
    inverse = xp.empty(n, dtype=np.int64)
    inverse[order] = group
    counts = xp.diff(xp.concatenate([starts, xp.asarray([n])])).astype(np.int64)
    uniq = xp.moveaxis(srt[starts].reshape((starts.shape[0],) + moved.shape[1:]), 0, d)
    return uniq, inverse, counts


def _unique_result(uniq, inverse, counts, return_inverse, return_counts):
    out = [Tensor._wrap(uniq)]
    if return_inverse:
        out.append(Tensor._wrap(inverse.astype(np.int64, copy=False)))
    if return_counts:
        out.append(Tensor._wrap(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)


def unique(a, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The unique elements (``dim``: the unique slices along ``dim``), sorted; optionally the index of each
    input element (slice) in the result and the count of each unique value. No gradient."""
    arr = a.array
    if arr.dtype.kind == "c":
        raise complex_not_implemented("unique", arr)
    if dim is not None:
        d = wrap_dim(dim, arr.ndim, "unique")
        if arr.ndim == 0:
            raise IndexError(f"unique(): Dimension out of range (expected to be in range of [-1, 0], but got {dim})")
        return _unique_result(*_unique_slices(arr, d, False), return_inverse, return_counts)
    uniq, inverse, counts = _unique_slices(arr.reshape(-1), 0, False)  # NaNs stay apart, as in torch
    return _unique_result(uniq, inverse.reshape(arr.shape), counts, return_inverse, return_counts)


def unique_consecutive(a, return_inverse=False, return_counts=False, dim=None):
    """Collapse each run of equal consecutive elements (``dim``: slices along ``dim``) to one. No gradient."""
    arr = a.array
    if arr.dtype.kind == "c":
        raise complex_not_implemented("unique", arr)
    if dim is None:
        uniq, inverse, counts = _unique_slices(arr.reshape(-1), 0, True)
        return _unique_result(uniq, inverse.reshape(arr.shape), counts, return_inverse, return_counts)
    if arr.ndim == 0:
        raise IndexError(f"unique_consecutive(): Dimension out of range (expected to be in range of [-1, 0], "
                         f"but got {dim})")
    d = wrap_dim(dim, arr.ndim, "unique_consecutive")
    return _unique_result(*_unique_slices(arr, d, True), return_inverse, return_counts)


def bincount(a, weights=None, minlength=0):
    """Count of each non-negative int value; with ``weights`` their sums (float32 weights stay float32,
    any other weights give float64, as torch)."""
    xp = xp_of(a.array)
    if weights is None:
        return Tensor._wrap(xp.bincount(a.array, minlength=minlength).astype(np.int64, copy=False))
    w = weights.array
    out_dtype = w.dtype if w.dtype in (np.float32, np.float64) else np.float64
    return Tensor._wrap(xp.bincount(a.array, w.astype(np.float64, copy=False), minlength).astype(out_dtype))
