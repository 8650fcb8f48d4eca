"""Comparisons and other ops with no gradient: ==, <, logical ops, floor, round, isnan, sort..."""
from __future__ import annotations

import numpy as np

from ..backend import xp_of
from ..tensor import Tensor
from ._util import array_of, binary_error, torch_float_result


def _compare(name, fn):
    def op(a, b):
        x, y = array_of(a), array_of(b)
        try:
            return Tensor._wrap(fn(x, y))
        except (ValueError, TypeError) as e:
            raise binary_error(name, a, b, e) from None

    op.__name__ = name
    op.__doc__ = f"Elementwise {name} (bool result, no gradient)."
    return op


eq = _compare("eq", lambda x, y: x == y)
ne = _compare("ne", lambda x, y: x != y)
lt = _compare("lt", lambda x, y: x < y)
le = _compare("le", lambda x, y: x <= y)
gt = _compare("gt", lambda x, y: x > y)
ge = _compare("ge", lambda x, y: x >= y)
logical_and = _compare("logical_and", lambda x, y: xp_of(x if hasattr(x, "dtype") else y).logical_and(x, y))
logical_or = _compare("logical_or", lambda x, y: xp_of(x if hasattr(x, "dtype") else y).logical_or(x, y))
logical_xor = _compare("logical_xor", lambda x, y: xp_of(x if hasattr(x, "dtype") else y).logical_xor(x, y))
bitwise_and = _compare("bitwise_and", lambda x, y: x & y)
bitwise_or = _compare("bitwise_or", lambda x, y: x | y)
bitwise_xor = _compare("bitwise_xor", lambda x, y: x ^ y)


def floor_divide(a, b):
    x, y = array_of(a), array_of(b)
    xp = xp_of(x if hasattr(x, "dtype") else y)
    return Tensor._wrap(torch_float_result(xp.floor_divide(x, y), x, y))


def _unary(name, fn):
    def op(a):
        return Tensor._wrap(fn(xp_of(a.data), a.data))

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
    return Tensor._wrap(xp_of(a.data).round(a.data, decimals))


def allclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
    return bool(xp_of(a.data).allclose(a.data, array_of(b), rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False):
    return Tensor._wrap(xp_of(a.data).isclose(a.data, array_of(b), rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(a, b) -> bool:
    return a.data.shape == b.data.shape and bool((a.data == b.data).all())


def any(a, dim=None, keepdim=False):
    return Tensor._wrap(xp_of(a.data).asarray(a.data.any(axis=dim, keepdims=keepdim)))


def all(a, dim=None, keepdim=False):
    return Tensor._wrap(xp_of(a.data).asarray(a.data.all(axis=dim, keepdims=keepdim)))


def count_nonzero(a, dim=None):
    return Tensor._wrap(xp_of(a.data).asarray(xp_of(a.data).count_nonzero(a.data, axis=dim), dtype=np.int64))


def nonzero(a, *, as_tuple=False):
    idx = xp_of(a.data).nonzero(a.data)
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in idx)
    return Tensor._wrap(xp_of(a.data).stack(idx, axis=1).astype(np.int64))


def argsort(a, dim=-1, descending=False, stable=False):
    arr = a.data
    xp = xp_of(arr)
    idx = xp.argsort(-arr if descending else arr, axis=dim, kind="stable")
    return Tensor._wrap(idx.astype(np.int64))


def sort(a, dim=-1, descending=False, stable=False):
    from .reduction import values_indices

    idx = argsort(a, dim, descending)
    return values_indices(a.gather(dim if dim >= 0 else a.data.ndim + dim, idx), idx)


def topk(a, k, dim=-1, largest=True, sorted=True):
    from .reduction import values_indices

    values, idx = sort(a, dim, descending=largest)
    d = dim if dim >= 0 else a.data.ndim + dim
    sl = (slice(None),) * d + (slice(0, k),)
    return values_indices(values[sl], idx[sl])


def unique(a, sorted=True, return_inverse=False, return_counts=False, dim=None):
    xp = xp_of(a.data)
    res = xp.unique(a.data, return_inverse=return_inverse, return_counts=return_counts)
    if isinstance(res, tuple):
        return tuple(Tensor._wrap(r if i == 0 else r.astype(np.int64)) for i, r in enumerate(res))
    return Tensor._wrap(res)


def bincount(a, weights=None, minlength=0):
    xp = xp_of(a.data)
    return Tensor._wrap(xp.bincount(a.data, None if weights is None else weights.data, minlength))
