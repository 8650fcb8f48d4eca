"""Rearranging ops: roll, rot90, tile, repeat_interleave, hstack/vstack, meshgrid, splits, ...

Most of them are compositions of the shape and indexing ops (flip, transpose, repeat, cat, expand,
reshape, split, x[index]) and get their gradients from those. Two have a Function of their own:
``Roll`` (its backward rolls back) and ``RepeatInterleave`` with an int count (its backward folds the
copies and sums them). Ops that pick elements by a computed index (unfold, take, combinations,
repeat_interleave with a tensor of counts) index with it, so their backward scatter-adds.
"""
from __future__ import annotations

import itertools
import warnings

import numpy as np

from ..autograd.function import BuiltinOp
from ..backend import xp_of
from ..backend.checks import fail_if
from ..tensor import Size, Tensor
from ._util import wrap_dim
from .conversion import clone
from .indexing import GetItem
from .shape import Split, _shape_arg, cat, expand, flip, movedim, repeat, reshape, stack, transpose, unsqueeze

__all__ = [
    "roll", "rot90", "tile", "repeat_interleave", "hstack", "vstack", "row_stack", "dstack", "column_stack",
    "broadcast_tensors", "broadcast_shapes", "meshgrid", "tensor_split", "hsplit", "vsplit", "dsplit",
    "atleast_1d", "atleast_2d", "atleast_3d", "select", "fliplr", "flipud", "moveaxis", "swapdims",
    "cartesian_prod", "combinations", "take",
]


class Roll(BuiltinOp):
    """Shift elements along ``dims`` by ``shifts`` with wrap-around (dims None: over the flattened tensor)."""

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return xp_of(x.array).roll(x.array, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        """d x = roll(g, -shifts, dims): roll the gradient back."""
        back = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return Roll.apply(g, back, ctx.dims), None, None


class RepeatInterleave(BuiltinOp):
    """Each element along ``dim`` repeated ``r`` times in place: [a, b] -> [a, a, b, b]."""

    @staticmethod
    def forward(ctx, x, r, dim):
        ctx.in_shape, ctx.r, ctx.dim = x.array.shape, r, dim
        return xp_of(x.array).repeat(x.array, r, dim)

    @staticmethod
    def backward(ctx, g):
        """d x[i] = sum of g over the r copies of x[i]: reshape dim to (n, r) and sum the r axis."""
        s, d = ctx.in_shape, ctx.dim
        return g.reshape(s[:d] + (s[d], ctx.r) + s[d + 1 :]).sum(dim=d + 1), None, None


# ---------------------------------------------------------------- helpers ------------------------
def _index_along(x, dim: int, index):
    """x indexed along ``dim`` by an integer array (the result has index's dims in dim's place)."""
    return GetItem.apply(x, (slice(None),) * dim + (index,), True)


def _as_tuple(v) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


def _tensor_list(tensors) -> list:
    """``f(a, b)`` or ``f([a, b])``: the tensors as a list."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tensors[0]
    return list(tensors)


# ---------------------------------------------------------------- functional API -----------------
def roll(input, shifts, dims=None):
    sh = tuple(int(s) for s in _as_tuple(shifts))
    if dims is None:
        if len(sh) != 1:
            raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(sh)}, dims:0 (dims=None takes "
                               "one shift)")
        return Roll.apply(input, sh[0], None)
    ds = _as_tuple(dims)
    if not sh:
        raise RuntimeError("roll: `shifts` required")
    if len(sh) != len(ds):
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(sh)}, dims:{len(ds)}")
    nd = input.array.ndim
    if nd == 0:
        raise IndexError(f"roll: Dimension specified as {ds[0]} but tensor has no dimensions")
    return Roll.apply(input, sh, tuple(wrap_dim(int(d), nd, "roll") for d in ds))


def rot90(input, k: int = 1, dims=(0, 1)):
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    nd = input.array.ndim
    if nd < 2:
        raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = wrap_dim(dims[0], nd, "rot90"), wrap_dim(dims[1], nd, "rot90")
    if d0 == d1:
        raise RuntimeError(f"rot90: expected rotation dims to be different, but got dim0 = {dims[0]} and "
                           f"dim1 = {dims[1]}")
    k %= 4
    if k == 1:
        return transpose(flip(input, d1), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, d0), d0, d1)
    return clone(input)


def tile(input, dims, *more):
    reps = _shape_arg((dims, *more))  # tile(x, (2, 1)) or x.tile(2, 1)
    return repeat(input, (1,) * (input.array.ndim - len(reps)) + reps)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:  # repeat_interleave(counts): each index i repeated counts[i] times
        counts = input
        if counts.array.ndim > 1:
            raise RuntimeError(f"repeat_interleave: repeats must be 0-dim or 1-dim tensor (got {list(counts.shape)})")
        n = int(counts.array.size)
        idx = Tensor._wrap(xp_of(counts.array).arange(n, dtype=np.int64))
        return repeat_interleave(idx, counts.reshape(-1), 0, output_size=output_size)
    x, d = (reshape(input, (-1,)), 0) if dim is None else (input, wrap_dim(dim, input.array.ndim, "repeat_interleave"))
    if x.array.ndim == 0:
        x = reshape(x, (1,))
    n = x.array.shape[d]
    if not isinstance(repeats, Tensor):
        r = int(repeats)
        if r < 0:
            raise RuntimeError(f"repeat_interleave: Repeats must be non-negative (got {r})")
        return RepeatInterleave.apply(x, r, d)
    r = repeats.array
    if r.ndim > 1:
        raise RuntimeError(f"repeat_interleave: repeats must be 0-dim or 1-dim tensor (got {list(r.shape)})")
    if r.dtype.kind not in "iu":
        raise NotImplementedError(f'"repeat_interleave" not implemented for \'{repeats.dtype}\' repeats '
                                  "(integer counts only)")
    xp = xp_of(x.array)
    if xp_of(r) is not xp:  # counts on the host for a GPU tensor: copied over (host -> device only)
        r = xp.asarray(r)
    if r.size == 1:  # one count for every element (broadcast on the device: no read-back)
        r = xp.broadcast_to(r.reshape(1), (n,))
    if r.shape[0] != n:
        raise RuntimeError(f"repeat_interleave: repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {r.shape[0]} and input.size({d}) = {n}")
    if n:
        fail_if((r < 0).any(), RuntimeError, "repeat_interleave: repeats can not be negative")
    ends = xp.cumsum(r)
    if output_size is None:  # the output's length is the counts' sum: a read-back on the GPU, as in torch
        total = int(ends[-1]) if n else 0
    else:
        total = int(output_size)
        if n:
            fail_if(ends[-1] != total, RuntimeError,
                    f"repeat_interleave: allocated size does not match required size (output_size={total})")
        elif total:
            raise RuntimeError("repeat_interleave: allocated size does not match required size")
    # output position j comes from the input element whose run of copies covers j
    return _index_along(x, d, xp.searchsorted(ends, xp.arange(total), side="right"))


def _grow(t, n: int):
    """``t`` with dims added (atleast_{n}d): 0-d -> (1,..), (k,) -> (1, k) or (1, k, 1), (m, k) -> (m, k, 1)."""
    nd = t.array.ndim
    if nd >= n:
        return t
    if nd == 0:
        return reshape(t, (1,) * n)
    if n == 2 or nd == 1 and n == 3:
        t = unsqueeze(t, 0)
    return unsqueeze(t, -1) if n == 3 else t


def _atleast(n: int, tensors):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    out = tuple(_grow(t, n) for t in _tensor_list(tensors))
    return out[0] if single else out


def atleast_1d(*tensors):
    return _atleast(1, tensors)


def atleast_2d(*tensors):
    return _atleast(2, tensors)


def atleast_3d(*tensors):
    return _atleast(3, tensors)


def _nonempty(tensors, op: str) -> list:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    return tensors


def hstack(tensors):
    ts = [_grow(t, 1) for t in _nonempty(tensors, "hstack")]
    return cat(ts, 0 if ts[0].array.ndim == 1 else 1)


def vstack(tensors):
    return cat([_grow(t, 2) for t in _nonempty(tensors, "vstack")], 0)


row_stack = vstack


def dstack(tensors):
    return cat([_grow(t, 3) for t in _nonempty(tensors, "dstack")], 2)


def column_stack(tensors):
    ts = _nonempty(tensors, "column_stack")
    return hstack([reshape(t, (t.array.size, 1)) if t.array.ndim <= 1 else t for t in ts])


def _broadcast(shapes, mismatch) -> tuple:
    """The common shape of ``shapes`` (torch's rule); ``mismatch(i, k, size, so_far)`` builds the error."""
    n = max((len(s) for s in shapes), default=0)
    out = [1] * n
    for i, s in enumerate(shapes):
        for k, size in enumerate((1,) * (n - len(s)) + tuple(s)):
            if size == out[k] or size == 1:
                continue
            if out[k] != 1:
                raise mismatch(i, k, size, out)
            out[k] = size
    return tuple(out)


def broadcast_shapes(*shapes):
    shapes = [(int(s),) if isinstance(s, (int, np.integer)) else tuple(int(d) for d in s) for s in shapes]
    if any(d < 0 for s in shapes for d in s):
        raise ValueError(f"broadcast_shapes: Attempting to broadcast a dimension with negative length! ({shapes})")
    n = max((len(s) for s in shapes), default=0)
    return Size(_broadcast(shapes, lambda i, k, size, out: RuntimeError(
        f"broadcast_shapes: Attempting to broadcast a dimension of length {size} at {k - n}! Mismatching argument "
        f"at index {i} had {shapes[i]}; but expected shape should be broadcastable to {out}")))


def broadcast_tensors(*tensors):
    tensors = _tensor_list(tensors)
    shapes = [t.array.shape for t in tensors]
    n = max((len(s) for s in shapes), default=0)
    shape = _broadcast(shapes, lambda i, k, size, out: RuntimeError(
        f"broadcast_tensors: The size of tensor a ({out[k]}) must match the size of tensor b ({size}) at "
        f"non-singleton dimension {k} (shapes {[list(s) for s in shapes]}, padded to {n} dims)"))
    return tuple(expand(t, shape) for t in tensors)


def meshgrid(*tensors, indexing: str | None = None):
    tensors = _tensor_list(tensors)
    if indexing is None:  # torch warns too (its default is 'ij')
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
                      "argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.array.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a tensor of "
                               f"shape {list(t.array.shape)}")
        if t.array.dtype != tensors[0].array.dtype:
            raise RuntimeError(f"meshgrid expects all tensors to have the same dtype (got {tensors[0].dtype} "
                               f"and {t.dtype})")
        if t.device != tensors[0].device:
            raise RuntimeError(f"meshgrid expects all tensors to have the same device (got {tensors[0].device} "
                               f"and {t.device})")
    n = len(tensors)
    place = list(range(n))  # output dim of each input; 'xy' swaps the first two (cartesian x, y)
    if indexing == "xy" and n >= 2:
        place[0], place[1] = 1, 0
    shape = [0] * n
    for t, p in zip(tensors, place):
        shape[p] = t.array.size
    outs = []
    for t, p in zip(tensors, place):
        view = [1] * n
        view[p] = t.array.size
        outs.append(expand(reshape(t, tuple(view)), tuple(shape)))
    return tuple(outs)


def tensor_split(input, indices_or_sections, dim: int = 0):
    nd = input.array.ndim
    if nd == 0:
        raise RuntimeError(f"tensor_split expected at least a 1-dimensional tensor, but got a tensor with {nd} dims")
    d = wrap_dim(dim, nd, "tensor_split")
    n = input.array.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):  # torch reads it on the host too (it must be a cpu tensor)
        if ios.array.dtype.kind not in "iu":
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                               f"{ios.dtype}")
        if ios.array.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {ios.array.ndim} dims")
        if ios.device.type != "cpu":
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be on cpu, but it's on "
                               f"{ios.device}")
        ios = ios.tolist()
    if isinstance(ios, (int, np.integer)) and not isinstance(ios, bool):
        s = int(ios)
        if s <= 0:
            raise RuntimeError(f"tensor_split: number of sections must be larger than 0, got {s}")
        q, rem = divmod(n, s)
        return Split.apply(input, d, (q + 1,) * rem + (q,) * (s - rem), False)
    if not isinstance(ios, (tuple, list)):
        raise TypeError(f"tensor_split(): argument 'indices_or_sections' must be an int, a sequence of ints or a "
                        f"Tensor, not {type(ios).__name__}")
    ends = [int(i) for i in ios]
    # each piece is input[prev:end] with Python's slice rules (negative = from the end, clamped)
    ranges = [slice(a, b).indices(n)[:2] for a, b in zip([0, *ends], [*ends, None])]
    sizes = [max(0, stop - start) for start, stop in ranges]
    if all(start == sum(sizes[:i]) for i, (start, _) in enumerate(ranges)) and sum(sizes) == n:
        return Split.apply(input, d, tuple(sizes), False)  # consecutive pieces: one node
    lead = (slice(None),) * d
    return tuple(input[lead + (slice(start, start + size),)] for (start, _), size in zip(ranges, sizes))


def _directional_split(input, ios, dim: int, min_dims: int, name: str):
    nd = input.array.ndim
    if nd < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a tensor "
                           f"with {nd} dimensions!")
    if isinstance(ios, (int, np.integer)):
        size = input.array.shape[dim]
        if ios == 0 or size % ios:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {size} is not divisible by the split_size {ios}!")
    return tensor_split(input, ios, dim)


def hsplit(input, indices_or_sections):
    return _directional_split(input, indices_or_sections, 0 if input.array.ndim == 1 else 1, 1, "hsplit")


def vsplit(input, indices_or_sections):
    return _directional_split(input, indices_or_sections, 0, 2, "vsplit")


def dsplit(input, indices_or_sections):
    return _directional_split(input, indices_or_sections, 2, 3, "dsplit")


def select(input, dim: int, index: int):
    shape = input.array.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shape), "select")
    index = int(index)
    if not -shape[d] <= index < shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(shape)} at dimension {d}")
    return input[(slice(None),) * d + (index,)]


def fliplr(input):
    if input.array.ndim < 2:
        raise RuntimeError(f"fliplr: Input must be >= 2-d. (got shape {list(input.array.shape)})")
    return flip(input, 1)


def flipud(input):
    if input.array.ndim < 1:
        raise RuntimeError("flipud: Input must be >= 1-d. (got a 0-d tensor)")
    return flip(input, 0)


moveaxis = movedim
swapdims = transpose


def _vector(t, op: str) -> None:
    if t.array.ndim != 1:
        raise RuntimeError(f"{op}: Expect a 1D vector, but got shape {list(t.array.shape)}")


def cartesian_prod(*tensors):
    tensors = _tensor_list(tensors)
    for t in tensors:
        _vector(t, "cartesian_prod")
    if len(tensors) == 1:
        return tensors[0]
    return stack([reshape(g, (-1,)) for g in meshgrid(*tensors, indexing="ij")], 1)


def combinations(input, r: int = 2, with_replacement: bool = False):
    _vector(input, "combinations")
    if r < 0:
        raise RuntimeError(f"combinations: Expect a non-negative number, but got {r}")
    xp = xp_of(input.array)
    if r == 0:
        return Tensor._wrap(xp.empty((0,), dtype=input.array.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    # the index tuples depend only on the length: built on the host, copied over (no read-back)
    idx = np.array(list(pick(range(input.array.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return _index_along(input, 0, xp.asarray(idx))


def take(input, index):
    if not isinstance(index, Tensor) or index.array.dtype != np.int64:
        got = index.dtype if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {got}")
    return _index_along(reshape(input, (-1,)), 0, index.array)


def unfold(input, dimension: int, size: int, step: int):
    """Tensor.unfold: every window of ``size`` along ``dimension``, ``step`` apart, as a new last dim."""
    nd = input.array.ndim
    d = wrap_dim(dimension, nd, "unfold")
    n = input.array.shape[d] if nd else 1
    if size < 0:
        raise RuntimeError(f"unfold: size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"unfold: maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"unfold: step is {step} but must be > 0")
    if nd == 0:  # torch: the single element as a window of ``size`` (0 or 1) elements
        return reshape(input, (1,)) if size else _index_along(reshape(input, (1,)), 0, xp_of(input.array).arange(0))
    xp = xp_of(input.array)
    count = (n - size) // step + 1
    windows = xp.arange(count)[:, None] * step + xp.arange(size)[None, :]  # (count, size) positions
    return movedim(_index_along(input, d, windows), d + 1, -1)


def view_as(input, other):
    return reshape(input, other.array.shape)


reshape_as = view_as

#: Tensor methods this module adds (name -> function taking the tensor first)
METHODS: dict = {
    "roll": roll, "rot90": rot90, "tile": tile, "repeat_interleave": repeat_interleave,
    "tensor_split": tensor_split, "hsplit": hsplit, "vsplit": vsplit, "dsplit": dsplit, "select": select,
    "fliplr": fliplr, "flipud": flipud, "moveaxis": moveaxis, "swapdims": swapdims, "take": take,
    "unfold": unfold, "view_as": view_as, "reshape_as": reshape_as,
}
#: in-place Tensor methods (name ending in _ -> the out-of-place function they write back)
INPLACE_METHODS: dict = {}
