"""Reductions: sum, mean, var/std, prod, max/min, logsumexp, softmax, cumsum, norm."""
from __future__ import annotations

import builtins

import numpy as np

from .. import return_types
from ..amp.autocast_mode import _AutocastState, autocast_args
from ..autograd.function import BuiltinOp
from ..backend import xp_of
from ..tensor import Tensor
from ._util import bad_keepdim, keepdim_shape, normalize_dims, wrap_dim
from .complex import conj_of
from .shape import Expand


def _expand_back(g: Tensor, in_shape: tuple, axes, keepdim: bool) -> Tensor:
    """Broadcast a reduced gradient back to the input's shape (differentiably)."""
    if not keepdim and axes is not None:  # a full reduction broadcasts straight from 0-d
        g = g.reshape(keepdim_shape(in_shape, axes))
    return g if g.array.shape == in_shape else Expand.apply(g, in_shape)  # no argument parsing: shapes are known


class Sum(BuiltinOp):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.in_shape, ctx.axes, ctx.keepdim = x.array.shape, axes, keepdim
        arr = x.array
        if arr.dtype.kind in "bu":  # torch accumulates bool/uint8 in int64 (NumPy would give uint64)
            arr = arr.astype(np.int64)
        if type(arr) is np.ndarray and arr.dtype.kind == "f":  # the ufunc skips ndarray.sum's Python wrapper
            return np.add.reduce(arr, axis=axes, keepdims=keepdim)
        return arr.sum(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        """d sum(x) = g broadcast back over the summed dims."""
        return _expand_back(g, ctx.in_shape, ctx.axes, ctx.keepdim), None, None


class Mean(BuiltinOp):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.in_shape, ctx.axes, ctx.keepdim = x.array.shape, axes, keepdim
        r = x.array.mean(axis=axes, keepdims=keepdim)
        ctx.count = x.array.size // builtins.max(r.size, 1) if x.array.size else 0
        return r.astype(x.array.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        """d mean(x) = g / N broadcast back."""
        return _expand_back(g / ctx.count, ctx.in_shape, ctx.axes, ctx.keepdim), None, None


class Var(BuiltinOp):
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        ctx.save_for_backward(x)
        ctx.axes, ctx.correction, ctx.keepdim = axes, correction, keepdim
        arr = x.array
        n = arr.size if axes is None else int(np.prod([arr.shape[a] for a in axes]))
        ctx.n = n
        xp = xp_of(arr)
        if n - correction <= 0:  # torch: nan (with a warning), e.g. the unbiased var of one element
            return xp.full(_reduced_shape(arr.shape, axes, keepdim), np.nan, dtype=_real_of(arr.dtype))
        return xp.var(arr, axis=axes, ddof=correction, keepdims=keepdim).astype(_real_of(arr.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        """d var(x) = g * 2 (x - mean) / (N - correction) (complex x: the same, var = mean |x - mean|^2)."""
        (x,) = ctx.saved_tensors
        centered = x - x.mean(dim=ctx.axes, keepdim=True)
        return _expand_back(g, x.array.shape, ctx.axes, ctx.keepdim) * centered * (
            2.0 / (ctx.n - ctx.correction) if ctx.n > ctx.correction else float("nan")
        ), None, None, None


def _real_of(dtype) -> np.dtype:
    """The real dtype of a complex one (var/std of complex data is real, as torch); others unchanged."""
    return dtype if dtype.kind != "c" else np.dtype(dtype.char.lower())


def _reduced_shape(shape, axes, keepdim):
    if keepdim:
        return keepdim_shape(shape, axes)
    if axes is None:
        return ()
    return tuple(s for i, s in enumerate(shape) if i not in axes)


class Prod(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.save_for_backward(x)
        ctx.axis, ctx.keepdim = axis, keepdim
        return x.array.prod(axis=axis, keepdims=keepdim, dtype=np.int64 if x.array.dtype.kind in "biu" else None)

    @staticmethod
    def backward(ctx, g):
        """d prod(x)/dx_i = g * prod_{j != i} x_j (complex: its conj; without dividing when some x_j = 0)."""
        (x,) = ctx.saved_tensors
        axis = ctx.axis
        axes = None if axis is None else (axis,)
        gx = _expand_back(g, x.array.shape, axes, ctx.keepdim)
        arr = x.array
        xp = xp_of(arr)
        if not bool((arr == 0).any()):
            out = _expand_back(ctx.output, x.array.shape, axes, ctx.keepdim)
            return gx * conj_of(out / x), None, None
        # some x_j == 0: prod_{j != i} x_j directly, as prod over rows of x with x_i replaced by 1
        # (written with Tensor ops so that double backward works too)
        from .elementwise import where

        xm = x.reshape(-1) if axis is None else x.movedim(axis, -1)
        n = xm.array.shape[-1]
        rows = xm.unsqueeze(-2).expand(xm.array.shape[:-1] + (n, n))
        others = where(xp.eye(n, dtype=bool), 1.0, rows).prod(dim=-1)
        others = others.reshape(arr.shape) if axis is None else others.movedim(-1, axis)
        return gx * conj_of(others), None, None


class MaxMinDim(BuiltinOp):
    """max/min over one dim: values and (non-differentiable) indices of the first extremum."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, is_max):
        arr = x.array
        xp = xp_of(arr)
        if arr.shape and arr.shape[dim] == 0:
            raise IndexError(
                f"{'max' if is_max else 'min'}(): Expected reduction dim {dim} to have non-zero size."
            )
        pick = xp.argmax if is_max else xp.argmin
        idx = pick(arr, axis=dim, keepdims=True) if arr.ndim else xp.zeros((), dtype=np.int64)
        if arr.dtype.kind == "f" and arr.ndim:  # NaN wins, like torch
            nan_idx = xp.isnan(arr).argmax(axis=dim, keepdims=True)
            has_nan = xp.isnan(arr).any(axis=dim, keepdims=True)
            idx = xp.where(has_nan, nan_idx, idx)
        values = xp.take_along_axis(arr, idx, axis=dim) if arr.ndim else arr.copy()
        ctx.dim, ctx.keepdim, ctx.in_shape = dim, keepdim, arr.shape
        ctx.idx = idx
        if not keepdim and arr.ndim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return values, idx.astype(np.int64, copy=False)

    @staticmethod
    def backward(ctx, g, _indices_grad=None):
        """d max(x, dim) = g routed to the index of the maximum."""
        if not ctx.in_shape:
            return g, None, None, None
        xp = xp_of(ctx.idx)
        onehot = xp.arange(ctx.in_shape[ctx.dim]).reshape(
            (-1,) + (1,) * (len(ctx.in_shape) - ctx.dim - 1)
        ) == ctx.idx
        gk = g if ctx.keepdim else g.unsqueeze(ctx.dim)
        return gk * onehot, None, None, None


class AmaxAmin(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, x, axes, keepdim, is_max):
        arr = x.array
        if arr.size == 0:
            raise RuntimeError(f"{'amax' if is_max else 'amin'}(): Expected reduction over a non-empty tensor")
        ctx.save_for_backward(x)
        ctx.axes, ctx.keepdim = axes, keepdim
        return (arr.max if is_max else arr.min)(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        """d amax(x) = g split evenly among the elements equal to the maximum."""
        (x,) = ctx.saved_tensors
        out = ctx.output.array
        if not ctx.keepdim:
            out = out.reshape(keepdim_shape(x.array.shape, ctx.axes))
        mask = (x.array == out)
        count = mask.sum(axis=ctx.axes, keepdims=True)
        weights = (mask / count).astype(x.array.dtype)
        return _expand_back(g, x.array.shape, ctx.axes, ctx.keepdim) * weights, None, None, None


class LogSumExp(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        arr = x.array
        xp = xp_of(arr)
        ctx.save_for_backward(x)
        ctx.axes, ctx.keepdim = axes, keepdim
        m = arr.max(axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):
            r = xp.log(xp.exp(arr - m).sum(axis=axes, keepdims=True)) + m
        return r if keepdim else r.reshape(_reduced_shape(arr.shape, axes, False))

    @staticmethod
    def backward(ctx, g):
        """d logsumexp(x) = g * softmax(x)."""
        (x,) = ctx.saved_tensors
        out = ctx.output
        if not ctx.keepdim:
            out = out.reshape(keepdim_shape(x.array.shape, ctx.axes))
        return _expand_back(g, x.array.shape, ctx.axes, ctx.keepdim) * (x - out).exp(), None, None


class Softmax(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, x, dim):
        arr = x.array
        xp = xp_of(arr)
        ctx.dim = dim
        e = xp.exp(arr - arr.max(axis=dim, keepdims=True))
        e /= e.sum(axis=dim, keepdims=True)
        return e

    @staticmethod
    def backward(ctx, g):
        """d softmax: y * (g - sum(g*y))."""
        y = ctx.output
        return y * (g - (g * y).sum(dim=ctx.dim, keepdim=True)), None


class LogSoftmax(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, x, dim):
        arr = x.array
        xp = xp_of(arr)
        ctx.dim = dim
        shifted = arr - arr.max(axis=dim, keepdims=True)
        return shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))

    @staticmethod
    def backward(ctx, g):
        """d log_softmax: g - softmax * sum(g)."""
        y = ctx.output
        return g - y.exp() * g.sum(dim=ctx.dim, keepdim=True), None


class Cumsum(BuiltinOp):
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        arr = x.array
        if arr.dtype.kind in "bu":  # torch accumulates bool/uint8 in int64 (NumPy would give uint64)
            arr = arr.astype(np.int64)
        out = arr.cumsum(axis=dim) if arr.ndim else arr.copy()
        return out if arr.dtype.kind not in "iu" else out.astype(np.int64, copy=False)

    @staticmethod
    def backward(ctx, g):
        """d cumsum: reversed cumulative sum of g."""
        if g.ndim == 0:
            return g, None
        return g.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim), None


class Norm2(BuiltinOp):
    saves_output = True
    complex_autograd = True  # real norm of complex x: backward checked (tests/test_complex_probe_fixes.py)

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        arr = x.array
        ctx.save_for_backward(x)
        ctx.axes, ctx.keepdim = axes, keepdim
        xp = xp_of(arr)
        if arr.dtype.kind == "c":  # sqrt(sum |x|^2), a real result as torch's
            arr = xp.abs(arr)
        return xp.sqrt((arr * arr).sum(axis=axes, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):
        """d ||x||_2 = g * x / ||x|| (0 where the norm is 0); complex x: the same (re and im parts)."""
        (x,) = ctx.saved_tensors
        n = _expand_back(ctx.output, x.array.shape, ctx.axes, ctx.keepdim)
        gx = _expand_back(g, x.array.shape, ctx.axes, ctx.keepdim)
        safe = where_nonzero(n)
        return gx * x / safe * (n.array != 0), None, None


def where_nonzero(n: Tensor) -> Tensor:
    from .elementwise import where

    return where(n.detach() == 0, 1.0, n)


# ---------------------------------------------------------------- functional API -----------------
def _dims(x, dim, op):
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    if x.array.ndim == 0:
        for d in (dim if isinstance(dim, (tuple, list)) else (dim,)):
            wrap_dim(d, 0, op)
        return None
    return normalize_dims(dim, x.array.ndim, op)


def sum(x, dim=None, keepdim: bool = False, *, dtype=None, axis=None):
    if keepdim is not False and keepdim is not True:
        bad_keepdim("sum", keepdim)
    if axis is not None:
        dim = axis
    if dtype is not None:
        x = x.to(dtype)
    return Sum.apply(x, _dims(x, dim, "sum"), keepdim)


def mean(x, dim=None, keepdim: bool = False, *, dtype=None, axis=None):
    if keepdim is not False and keepdim is not True:
        bad_keepdim("mean", keepdim)
    if axis is not None:
        dim = axis
    if dtype is not None:
        x = x.to(dtype)
    if x.array.dtype.kind not in "fc":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {x.dtype}"
        )
    return Mean.apply(x, _dims(x, dim, "mean"), keepdim)


def var(x, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, axis=None):
    if keepdim is not False and keepdim is not True:
        bad_keepdim("var", keepdim)
    if unbiased is not None and unbiased is not True and unbiased is not False:
        raise TypeError(f"var(): argument 'unbiased' must be bool, not {type(unbiased).__name__}")
    if axis is not None:
        dim = axis
    if isinstance(dim, bool):  # var(x, unbiased) positional form
        unbiased, dim = dim, None
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return Var.apply(x, _dims(x, dim, "var"), correction, keepdim)


def std(x, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, axis=None):
    if keepdim is not False and keepdim is not True:
        bad_keepdim("std", keepdim)
    if unbiased is not None and unbiased is not True and unbiased is not False:
        raise TypeError(f"std(): argument 'unbiased' must be bool, not {type(unbiased).__name__}")
    return var(x, dim, unbiased, keepdim, correction=correction, axis=axis).sqrt()


def var_mean(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None):
    if axis is not None:
        dim = axis
    return var(x, dim, unbiased, keepdim, correction=correction), mean(x, dim, keepdim)


def std_mean(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None):
    if axis is not None:
        dim = axis
    return std(x, dim, unbiased, keepdim, correction=correction), mean(x, dim, keepdim)


def prod(x, dim=None, keepdim: bool = False, *, dtype=None, axis=None):
    if keepdim is not False and keepdim is not True:
        bad_keepdim("prod", keepdim)
    if axis is not None:
        dim = axis
    if dtype is not None:
        x = x.to(dtype)
    axis = None if dim is None else wrap_dim(dim, x.array.ndim, "prod")
    if x.array.ndim == 0:
        axis = None
    return Prod.apply(x, axis, keepdim)


def _max_min(x, dim, keepdim, is_max, other=None):
    name = "max" if is_max else "min"
    if isinstance(dim, Tensor):  # max(a, b) elementwise
        from .elementwise import maximum, minimum

        return (maximum if is_max else minimum)(x, dim)
    if x.array.dtype.kind == "c":  # no ordering of complex numbers, as torch
        if dim is None:
            from .comparison import complex_not_implemented

            raise complex_not_implemented(f"{name}_all", x.array)
        raise RuntimeError(f"{name}(): does not support complex input")
    if dim is None:
        if x.array.size == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return AmaxAmin.apply(x, None, False, is_max)
    d = wrap_dim(dim, x.array.ndim, name) if x.array.ndim else 0
    result = return_types.max if is_max else return_types.min
    if x.array.ndim == 0:
        return result(x.clone(), Tensor._wrap(xp_of(x.array).zeros((), dtype=np.int64)))
    return result(*MaxMinDim.apply(x, d, keepdim, is_max))


def max(x, dim=None, keepdim: bool = False, *, axis=None):
    if keepdim is not False and keepdim is not True:
        bad_keepdim("max", keepdim)
    return _max_min(x, dim if axis is None else axis, keepdim, True)


def min(x, dim=None, keepdim: bool = False, *, axis=None):
    if keepdim is not False and keepdim is not True:
        bad_keepdim("min", keepdim)
    return _max_min(x, dim if axis is None else axis, keepdim, False)


def _no_complex_values(x, name: str) -> None:
    arr = x.array
    if arr.dtype.kind == "c":
        from .comparison import complex_not_implemented

        raise complex_not_implemented(f"{name}_values_{'cpu' if isinstance(arr, np.ndarray) else 'cuda'}", arr)


def amax(x, dim=(), keepdim: bool = False, *, axis=None):
    if keepdim is not False and keepdim is not True:
        bad_keepdim("amax", keepdim)
    _no_complex_values(x, "max")
    return AmaxAmin.apply(x, _dims(x, dim if axis is None else axis, "amax"), keepdim, True)


def amin(x, dim=(), keepdim: bool = False, *, axis=None):
    if keepdim is not False and keepdim is not True:
        bad_keepdim("amin", keepdim)
    _no_complex_values(x, "min")
    return AmaxAmin.apply(x, _dims(x, dim if axis is None else axis, "amin"), keepdim, False)


def argmax(x, dim=None, keepdim: bool = False, *, axis=None):
    if keepdim is not False and keepdim is not True:
        bad_keepdim("argmax", keepdim)
    if axis is not None:
        dim = axis
    arr = x.array
    if arr.dtype.kind == "c":
        raise RuntimeError("argmax(): does not support complex input")
    xp = xp_of(arr)
    if dim is None:
        r = xp.asarray(arr.argmax())
        return Tensor._wrap(r.reshape((1,) * arr.ndim) if keepdim else r.astype(np.int64))
    d = wrap_dim(dim, arr.ndim, "argmax")
    if not arr.ndim:
        return Tensor._wrap(xp.zeros((), np.int64))
    return Tensor._wrap(xp.argmax(arr, axis=d, keepdims=keepdim).astype(np.int64, copy=False))


def argmin(x, dim=None, keepdim: bool = False, *, axis=None):
    if keepdim is not False and keepdim is not True:
        bad_keepdim("argmin", keepdim)
    if axis is not None:
        dim = axis
    arr = x.array
    if arr.dtype.kind == "c":
        raise RuntimeError("argmin(): does not support complex input")
    xp = xp_of(arr)
    if dim is None:
        r = xp.asarray(arr.argmin())
        return Tensor._wrap(r.reshape((1,) * arr.ndim) if keepdim else r.astype(np.int64))
    d = wrap_dim(dim, arr.ndim, "argmin")
    if not arr.ndim:
        return Tensor._wrap(xp.zeros((), np.int64))
    return Tensor._wrap(xp.argmin(arr, axis=d, keepdims=keepdim).astype(np.int64, copy=False))


def logsumexp(x, dim=None, keepdim: bool = False, *, axis=None):
    if keepdim is not False and keepdim is not True:
        bad_keepdim("logsumexp", keepdim)
    if axis is not None:
        dim = axis
    elif dim is None:
        raise TypeError("logsumexp() missing 1 required positional argument: 'dim'")
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        x, = autocast_args("logsumexp", x)
    return LogSumExp.apply(x, _dims(x, dim, "logsumexp"), keepdim)


def _softmax_dim(x, dim, op):
    if dim is None:
        dim = 0 if x.array.ndim in (0, 1, 3) else 1  # torch's legacy implicit-dim choice
    return wrap_dim(dim, x.array.ndim, op) if x.array.ndim else None


def softmax(x, dim=None, dtype=None, *, axis=None, **_):
    if axis is not None:
        dim = axis
    if dtype is not None:
        x = x.to(dtype)
    elif _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        x, = autocast_args("softmax", x)
    return Softmax.apply(x, _softmax_dim(x, dim, "softmax"))


def log_softmax(x, dim=None, dtype=None, *, axis=None, **_):
    if axis is not None:
        dim = axis
    if dtype is not None:
        x = x.to(dtype)
    elif _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        x, = autocast_args("log_softmax", x)
    return LogSoftmax.apply(x, _softmax_dim(x, dim, "log_softmax"))


def cumsum(x, dim=None, *, dtype=None, axis=None):
    if axis is not None:
        dim = axis
    elif dim is None:
        raise TypeError("cumsum() missing 1 required positional argument: 'dim'")
    if dtype is not None:
        x = x.to(dtype)
    return Cumsum.apply(x, wrap_dim(dim, x.array.ndim, "cumsum") if x.array.ndim else 0)


def norm(x, p="fro", dim=None, keepdim: bool = False, dtype=None):
    """p-norm over ``dim`` (all elements when None); p in {2, 'fro', 1, inf, -inf, any float}, or 'nuc'
    (and 'fro' over more than two dims) as a matrix norm, which is how torch.norm dispatches them."""
    if isinstance(p, str) and p not in ("inf", "-inf") and not (
            p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2)):
        from .decomposition import matrix_norm

        dims = tuple(range(x.ndim)) if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
        return matrix_norm(x, p, dims, keepdim, dtype=dtype)
    if dtype is not None:
        x = x.to(dtype)
    elif _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        x, = autocast_args("norm", x)
    axes = _dims(x, dim, "norm")
    if p in ("fro", 2, 2.0, None):
        return Norm2.apply(x, axes, keepdim)
    if p in (float("inf"), "inf"):
        return amax(x.abs(), dim=axes if axes is not None else (), keepdim=keepdim)
    if p in (float("-inf"), "-inf"):
        return amin(x.abs(), dim=axes if axes is not None else (), keepdim=keepdim)
    if p == 1:
        return x.abs().sum(dim=axes, keepdim=keepdim)
    a = x.abs()  # real for complex x, as torch's result
    if p == 0:
        count = (a != 0).to(a.dtype).sum(dim=axes, keepdim=keepdim)
        return count + (a * 0.0).sum(dim=axes, keepdim=keepdim) if a.requires_grad else count  # torch: zero grad
    if 0 < p < 1:  # d|x|^p is infinite at 0: torch's gradient is 0 there
        from .elementwise import where

        nz = a.detach() != 0
        return (where(nz, a, 1.0) ** p * nz).sum(dim=axes, keepdim=keepdim) ** (1.0 / p)
    return (a ** p).sum(dim=axes, keepdim=keepdim) ** (1.0 / p)
