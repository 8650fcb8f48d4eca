"""Matrix-structure ops: tril, triu, diag, diagonal, diag_embed, trace, block_diag, ...

Two Functions carry all the diagonal ops: ``Diagonal`` reads a diagonal out and ``DiagonalScatter``
writes one into zeros. Each is the other's adjoint, so each one's backward is the other one:
``diag``, ``diag_embed`` and ``trace`` are built from them and get their gradients (of any order) free.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import BuiltinOp
from ..backend import parse_device, to_numpy_dtype, xp_for_device, xp_of
from ..backend.dtype import get_default_dtype, to_dtype
from ..tensor import Tensor
from ._util import wrap_dim
from .indexing import IndexPut
from .shape import _promote, cat

__all__ = [
    "tril", "triu", "tril_indices", "triu_indices", "diag", "diagonal", "diag_embed", "trace", "block_diag",
]


class Tril(BuiltinOp):
    """tril(x, k) (``upper``: triu): zero the elements above (below) the k-th diagonal of the last two dims."""

    @staticmethod
    def forward(ctx, x, k, upper):
        ctx.k, ctx.upper = k, upper
        xp = xp_of(x.array)
        return (xp.triu if upper else xp.tril)(x.array, k)

    @staticmethod
    def backward(ctx, g):
        """d x = tril(g, k) (triu for triu): the kept triangle passes the gradient, the zeroed one none."""
        return Tril.apply(g, ctx.k, ctx.upper), None, None


def _diag_index(length: int, offset: int, xp):
    """(rows, cols) of the ``offset``-th diagonal's ``length`` elements in a matrix."""
    i = xp.arange(length)
    return i + max(-offset, 0), i + max(offset, 0)


class Diagonal(BuiltinOp):
    """The ``offset``-th diagonal of the (dim1, dim2) planes, as a new last dim."""

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.in_shape, ctx.offset, ctx.dim1, ctx.dim2 = x.array.shape, offset, dim1, dim2
        # torch returns a view; this is a copy (NumPy's diagonal view is read-only), same values and gradient
        return xp_of(x.array).diagonal(x.array, offset, dim1, dim2).copy()

    @staticmethod
    def backward(ctx, g):
        """d x = zeros with g written on the diagonal (diagonal's adjoint: DiagonalScatter)."""
        return DiagonalScatter.apply(g, ctx.in_shape, ctx.offset, ctx.dim1, ctx.dim2), None, None, None


class DiagonalScatter(BuiltinOp):
    """zeros(shape) with the last dim of v written on the ``offset``-th diagonal of the (dim1, dim2) planes."""

    @staticmethod
    def forward(ctx, v, shape, offset, dim1, dim2):
        ctx.offset, ctx.dim1, ctx.dim2 = offset, dim1, dim2
        arr = v.array
        xp = xp_of(arr)
        out = xp.zeros(shape, dtype=arr.dtype)
        rows, cols = _diag_index(arr.shape[-1], offset, xp)
        xp.moveaxis(out, (dim1, dim2), (-2, -1))[..., rows, cols] = arr  # a view of out: writes into it
        return out

    @staticmethod
    def backward(ctx, g):
        """d v = diagonal(g, offset, dim1, dim2) (the adjoint of writing a diagonal is reading it)."""
        return Diagonal.apply(g, ctx.offset, ctx.dim1, ctx.dim2), None, None, None, None


# ---------------------------------------------------------------- functional API -----------------
def _triangle(x, diagonal: int, upper: bool):
    if x.array.ndim < 2:
        raise RuntimeError(f"{'triu' if upper else 'tril'}: input tensor must have at least 2 dimensions "
                           f"(got shape {list(x.array.shape)})")
    return Tril.apply(x, int(diagonal), upper)


def tril(input, diagonal: int = 0):
    return _triangle(input, diagonal, False)


def triu(input, diagonal: int = 0):
    return _triangle(input, diagonal, True)


def _triangle_indices(row, col, offset, dtype, device, upper):
    name = "triu_indices" if upper else "tril_indices"
    for what, n in (("row", row), ("col", col)):
        if n < 0:
            raise RuntimeError(f"{name}: {what} must be non-negative, got {n}")
    np_dtype = to_numpy_dtype(dtype) if dtype is not None else np.dtype(np.int64)
    if np_dtype.kind not in "iu":
        raise NotImplementedError(f'"{name}" not implemented for \'{to_dtype(dtype)}\' (integer dtypes only)')
    xp = xp_for_device(parse_device(device))
    rows, cols = (xp.triu_indices if upper else xp.tril_indices)(row, k=offset, m=col)
    return Tensor._wrap(xp.stack([rows, cols]).astype(np_dtype))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None):
    return _triangle_indices(row, col, offset, dtype, device, False)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None):
    return _triangle_indices(row, col, offset, dtype, device, True)


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    nd = input.array.ndim
    d1, d2 = wrap_dim(dim1, nd, "diagonal"), wrap_dim(dim2, nd, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal: diagonal dimensions cannot be identical {dim1}, {dim2} "
                           f"(input shape {list(input.array.shape)})")
    return Diagonal.apply(input, int(offset), d1, d2)


def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1):
    nd = input.array.ndim + 1
    d1, d2 = wrap_dim(dim1, nd, "diag_embed"), wrap_dim(dim2, nd, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diag_embed: diagonal dimensions cannot be identical {dim1}, {dim2} "
                           f"(input shape {list(input.array.shape)})")
    n = input.array.shape[-1] + abs(int(offset))
    batch = iter(input.array.shape[:-1])
    shape = tuple(n if i in (d1, d2) else next(batch) for i in range(nd))
    return DiagonalScatter.apply(input, shape, int(offset), d1, d2)


def diag(input, diagonal: int = 0):
    nd = input.array.ndim
    if nd == 1:
        return diag_embed(input, diagonal)
    if nd == 2:
        return Diagonal.apply(input, int(diagonal), 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D (shape {list(input.array.shape)})")


def trace(input):
    if input.array.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.array.ndim} "
                           f"(shape {list(input.array.shape)})")
    return Diagonal.apply(input, 0, 0, 1).sum()


def block_diag(*tensors):
    """The tensors (0-d, 1-d as a row, or 2-d) along the diagonal of one zero matrix: a cat of zero-padded rows."""
    if not tensors:
        return Tensor._wrap(np.zeros((1, 0), dtype=get_default_dtype().np))
    mats = []
    for i, t in enumerate(tensors):
        if t.array.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.array.ndim} dimensions (shape {list(t.array.shape)})")
        mats.append(t.reshape(1, -1) if t.array.ndim < 2 else t)
    dtype = _promote({m.array.dtype for m in mats})
    xp = xp_of(mats[0].array)
    total = sum(m.array.shape[1] for m in mats)
    rows, before = [], 0
    for m in mats:
        r, c = m.array.shape
        left = Tensor._wrap(xp.zeros((r, before), dtype=dtype))
        right = Tensor._wrap(xp.zeros((r, total - before - c), dtype=dtype))
        rows.append(cat([left, m if m.array.dtype == dtype else m.to(dtype), right], 1))
        before += c
    return cat(rows, 0)


def _fill_diagonal(input, fill_value, wrap: bool = False):
    """``input`` with its main diagonal set to ``fill_value`` (out of place; ``Tensor.fill_diagonal_``
    writes it back). 2-d: torch's ``wrap`` restarts a tall matrix's diagonal every ncols+1 rows."""
    shape = input.array.shape
    if len(shape) < 2:
        raise RuntimeError(f"fill_diagonal_: dimensions must larger than 1 (got shape {list(shape)})")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError(f"fill_diagonal_: all dimensions of input must be of equal length (got {list(shape)})")
    xp = xp_of(input.array)
    if len(shape) > 2:
        index = (xp.arange(shape[0]),) * len(shape)
    else:
        m, n = shape
        end = m * n if wrap else min(m, n) * n
        flat = xp.arange(0, end, n + 1)
        index = (flat // max(n, 1), flat % max(n, 1))
    return IndexPut.apply(input, index, fill_value)


#: Tensor methods this module adds (name -> function taking the tensor first)
METHODS: dict = {
    "tril": tril, "triu": triu, "diag": diag, "diagonal": diagonal, "diag_embed": diag_embed, "trace": trace,
}
#: in-place Tensor methods (name ending in _ -> the out-of-place function they write back)
INPLACE_METHODS: dict = {"tril_": tril, "triu_": triu, "fill_diagonal_": _fill_diagonal}
