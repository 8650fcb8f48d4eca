"""Strided views and the scatter-into-a-view ops: as_strided (and _, _copy, _scatter), empty_strided,
storage_offset, select/slice/diagonal_scatter, index_reduce, split_with_sizes, the unsafe_* splits,
narrow_copy and torch's ``*_copy`` view variants.

Storage model: minitorch has no Storage objects; a tensor's "storage" is the memory of the NumPy/CuPy array
at the root of its ``.base`` chain (the array that owns the memory), seen as 1-D, and ``storage_offset()``
is the element distance from there to the tensor's first element. ``as_strided`` reads that memory with
element strides, as torch's does (a view: writes go through); its gradient scatter-adds the output's
gradient into a zero storage through the same strides and reads it back in the input's geometry
(torch's as_strided_backward for an input whose elements do not overlap).
"""
from __future__ import annotations

import numbers

import numpy as np

from ..autograd.function import BuiltinOp
from ..autograd.grad_mode import _GradState
from ..backend import xp_of
from ..backend.arrays import add_at
from ..tensor import Tensor, _wrap_dim
from . import shape as sh
from ._util import require_tensor

__all__ = [
    "as_strided", "as_strided_", "as_strided_copy", "as_strided_scatter", "diagonal_scatter", "select_scatter",
    "slice_scatter", "index_reduce", "empty_strided", "empty_permuted", "split_with_sizes", "unsafe_chunk",
    "unsafe_split", "unsafe_split_with_sizes", "narrow_copy", "view_copy", "permute_copy", "t_copy", "transpose_copy",
    "unsqueeze_copy", "squeeze_copy", "select_copy", "slice_copy", "expand_copy", "diagonal_copy",
    "unbind_copy", "split_copy", "split_with_sizes_copy", "alias_copy", "detach_copy", "unfold_copy", "adjoint",
]


# ---------------------------------------------------------------- storage ------------------------
def _data_ptr(arr) -> int | None:
    if isinstance(arr, np.ndarray):
        return arr.__array_interface__["data"][0]
    try:
        return int(arr.data.ptr)
    except (AttributeError, TypeError):
        return None


def _storage(arr) -> tuple:
    """(1-D array over the owning memory in ``arr``'s dtype, element offset of ``arr`` in it)."""
    root = arr
    while isinstance(root.base, type(arr)):
        root = root.base
    if root is not arr:
        p, q = _data_ptr(arr), _data_ptr(root)
        isz = arr.dtype.itemsize
        if p is not None and q is not None and root.dtype.itemsize == isz and (p - q) % isz == 0:
            flat = None
            if root.flags.c_contiguous:
                flat = root.reshape(-1)
            elif root.flags.f_contiguous:
                flat = root.reshape(-1, order="F")
            if flat is not None:
                if flat.dtype != arr.dtype:
                    flat = flat.view(arr.dtype)
                return flat, (p - q) // isz
    if arr.flags.c_contiguous:
        return arr.reshape(-1), 0
    return arr.copy().reshape(-1), 0  # no owner to read through: the tensor's own elements are its storage


def storage_offset(self: Tensor) -> int:
    """The element offset of this tensor's first element in its storage (the memory its root array owns)."""
    return int(_storage(self.array)[1])


def _check_geometry(size, stride, offset: int, storage_size: int, itemsize: int) -> tuple:
    size = tuple(int(s) for s in size)
    stride = tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: {len(stride)} vs {len(size)}")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{list(stride)}")
    if any(s < 0 for s in size):
        raise RuntimeError(f"as_strided: Negative sizes are not supported, got sizes: {list(size)}")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    need = 0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if need > storage_size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and "
                           f"itemsize {itemsize} requiring a storage size of {need * itemsize} are out of bounds "
                           f"for storage of size {storage_size * itemsize}")
    return size, stride


def _strided_view(storage, offset: int, size: tuple, stride: tuple):
    xp = xp_of(storage)
    isz = storage.dtype.itemsize
    base = storage[offset:] if offset < storage.shape[0] else storage[:0]
    if 0 in size:
        return xp.empty(size, dtype=storage.dtype)
    return xp.lib.stride_tricks.as_strided(base, shape=size, strides=tuple(s * isz for s in stride))


def _positions(xp, size: tuple, stride: tuple, offset: int):
    """The storage position of each element of a (size, stride, offset) view, as an int64 array of ``size``."""
    pos = xp.full(size, offset, dtype=np.int64)
    for k, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[k] = n
        pos = pos + (xp.arange(n, dtype=np.int64) * s).reshape(shape)
    return pos


class _StridedScatterAdd(BuiltinOp):
    """A zero storage, ``g`` added at ``out_pos``, read back at ``in_pos`` (the backward of as_strided)."""

    @staticmethod
    def forward(ctx, g, in_pos, out_pos, n):
        ctx.geom = (in_pos, out_pos, n)
        xp = xp_of(g.array)
        store = xp.zeros(n, dtype=g.array.dtype)
        add_at(store, out_pos.reshape(-1), g.array.reshape(-1))
        return store[in_pos]

    @staticmethod
    def backward(ctx, gg):
        """Linear: the adjoint gathers gg into storage at in_pos and reads it at out_pos."""
        return _StridedGather.apply(gg, *ctx.geom), None, None, None


class _StridedGather(BuiltinOp):
    """``x`` written into a zero storage at ``in_pos``, read at ``out_pos`` (as_strided on a copy)."""

    @staticmethod
    def forward(ctx, x, in_pos, out_pos, n):
        ctx.geom = (in_pos, out_pos, n)
        xp = xp_of(x.array)
        store = xp.zeros(n, dtype=x.array.dtype)
        store[in_pos.reshape(-1)] = x.array.reshape(-1)
        return store[out_pos]

    @staticmethod
    def backward(ctx, g):
        """Linear: the adjoint scatter-adds g at out_pos and reads it at in_pos."""
        return _StridedScatterAdd.apply(g, *ctx.geom), None, None, None


class AsStrided(BuiltinOp):
    @staticmethod
    def forward(ctx, x, size, stride, offset):
        storage, own = _storage(x.array)
        off = own if offset is None else int(offset)
        size, stride = _check_geometry(size, stride, off, storage.shape[0], storage.dtype.itemsize)
        xp = xp_of(storage)
        in_stride = tuple(s // x.array.dtype.itemsize for s in x.array.strides)
        ctx.geom = (_positions(xp, x.array.shape, in_stride, own), _positions(xp, size, stride, off),
                    int(storage.shape[0]))
        return _strided_view(storage, off, size, stride)

    @staticmethod
    def backward(ctx, g):
        """Scatter-add g into a zero storage through the output's strides, read it in the input's geometry."""
        return _StridedScatterAdd.apply(g, *ctx.geom), None, None, None


def _size_arg(size) -> tuple:
    if isinstance(size, numbers.Integral):
        return (int(size),)
    return tuple(int(s) for s in size)


def as_strided(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """A view of ``input``'s storage with shape ``size`` and element strides ``stride``, starting
    ``storage_offset`` elements in (default: where ``input`` starts). Differentiable."""
    require_tensor("as_strided", input)
    return AsStrided.apply(input, _size_arg(size), _size_arg(stride), storage_offset)


def as_strided_copy(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """``as_strided(...)`` copied into fresh contiguous memory."""
    return as_strided(input, size, stride, storage_offset).clone()


def as_strided_(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """In place: ``input`` becomes ``as_strided(input, ...)`` (same storage), taking its place in the graph."""
    if input._requires_grad and input._grad_fn is None and _GradState.enabled:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    result = as_strided(input, size, stride, storage_offset)
    input.array = result.array
    if result._grad_fn is not None:
        input._grad_fn, input._out_index = result._grad_fn, result._out_index
    return input


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
                  pin_memory: bool = False) -> Tensor:
    """An uninitialised tensor with shape ``size`` and element strides ``stride`` (over a storage just big
    enough for them)."""
    from ..creation import _xp_dtype
    from ..tensor import check_layout

    check_layout(layout, "empty_strided")
    xp, dt, _ = _xp_dtype(dtype, device)
    size, stride = _size_arg(size), _size_arg(stride)
    n = 0 if 0 in size else 1 + sum((a - 1) * s for a, s in zip(size, stride))
    storage = xp.empty(n, dtype=dt)
    size, stride = _check_geometry(size, stride, 0, n, storage.dtype.itemsize)
    t = Tensor._wrap(_strided_view(storage, 0, size, stride))
    if requires_grad:
        t.requires_grad_(True)
    return t


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
                   pin_memory: bool = False) -> Tensor:
    """An uninitialised tensor of shape ``size`` whose dims lie in memory in the order ``physical_layout``
    (outermost first): ``empty(size permuted)`` permuted back."""
    from ..creation import empty

    size, perm = _size_arg(size), tuple(int(p) for p in physical_layout)
    if sorted(perm) != list(range(len(size))):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the physical_layout; "
                           f"or physical_layout is not a permutation: {list(perm)}")
    phys = empty(tuple(size[p] for p in perm), dtype=dtype, layout=layout, device=device)
    out = Tensor._wrap(phys.array.transpose(tuple(np.argsort(perm).tolist())))
    if requires_grad:
        out.requires_grad_(True)
    return out


def new_empty_strided(self: Tensor, size, stride, *, dtype=None, layout=None, device=None,
                      requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """``empty_strided`` with this tensor's dtype and device unless given."""
    return empty_strided(size, stride, dtype=dtype or self.dtype, layout=layout, device=device or self.device,
                         requires_grad=requires_grad)


# ---------------------------------------------------------------- scatter into a view -----------
class _ViewScatter(BuiltinOp):
    """A copy of ``x`` with ``view_fn(copy)`` overwritten by ``src``."""

    @staticmethod
    def forward(ctx, x, src, view_fn):
        ctx.view_fn = view_fn
        out = x.array.copy()
        view_fn(out)[...] = src.array
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx = g with the written region zeroed; d/dsrc = g read in the region."""
        nx, ns = ctx.needs_input_grad[:2]
        gx = gs = None
        if nx:
            zeros = Tensor._wrap(xp_of(g.array).zeros(ctx.view_fn(g.array).shape, dtype=g.array.dtype))
            gx = _ViewScatter.apply(g, zeros, ctx.view_fn)
        if ns:
            gs = _ViewGather.apply(g, ctx.view_fn)
        return gx, gs, None


class _ViewGather(BuiltinOp):
    """``view_fn(x)`` copied out (the region a _ViewScatter writes)."""

    @staticmethod
    def forward(ctx, x, view_fn):
        ctx.view_fn, ctx.shape = view_fn, x.array.shape
        return view_fn(x.array).copy()

    @staticmethod
    def backward(ctx, g):
        """g written into the region of a zero tensor."""
        zeros = Tensor._wrap(xp_of(g.array).zeros(ctx.shape, dtype=g.array.dtype))
        return _ViewScatter.apply(zeros, g, ctx.view_fn), None


def _scatter_into(op: str, input: Tensor, src: Tensor, view_fn) -> Tensor:
    require_tensor(op, input)
    require_tensor(op, src, "src", 2)
    region = view_fn(input.array)
    if tuple(region.shape) != tuple(src.array.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.array.shape)}, slice size = {list(region.shape)}")
    if src.dtype != input.dtype:
        src = src.to(input.dtype)
    return _ViewScatter.apply(input, src, view_fn)


def _select_view(d: int, index: int):
    def view(arr):
        return arr[(slice(None),) * d + (slice(index, index + 1),)].squeeze(d)

    return view


def _slice_view(d: int, start, end, step: int):
    def view(arr):
        return arr[(slice(None),) * d + (slice(start, end, step),)]

    return view


def _diagonal_view(offset: int, d1: int, d2: int):
    def view(arr):
        idx = [slice(None)] * arr.ndim
        idx[d1] = slice(max(-offset, 0), None)
        idx[d2] = slice(max(offset, 0), None)
        sub = arr[tuple(idx)]
        n = max(min(sub.shape[d1], sub.shape[d2]), 0)
        rest = [j for j in range(arr.ndim) if j not in (d1, d2)]
        shape = tuple(sub.shape[j] for j in rest) + (n,)
        if 0 in shape:
            return arr.reshape(-1)[:0].reshape(shape)
        strides = tuple(sub.strides[j] for j in rest) + (sub.strides[d1] + sub.strides[d2],)
        return xp_of(arr).lib.stride_tricks.as_strided(sub, shape=shape, strides=strides)

    return view


def _as_strided_view(size: tuple, stride: tuple, offset: int):
    def view(arr):
        flat = arr.reshape(-1)
        _check_geometry(size, stride, offset, flat.shape[0], flat.dtype.itemsize)
        return _strided_view(flat, offset, size, stride)

    return view


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """A copy of ``input`` with ``input.select(dim, index)`` replaced by ``src``. Differentiable in both."""
    require_tensor("select_scatter", input)
    if input.array.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, input.array.ndim, "select_scatter")
    n = input.array.shape[d]
    index = int(index)
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.array.shape)} "
                         f"at dimension {d}")
    return _scatter_into("select_scatter", input, src, _select_view(d, index % n))


def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None, end: int | None = None,
                  step: int = 1) -> Tensor:
    """A copy of ``input`` with ``input[..., start:end:step, ...]`` (along ``dim``) replaced by ``src``."""
    require_tensor("slice_scatter", input)
    d = _wrap_dim(dim, max(input.array.ndim, 1), "slice_scatter")
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    return _scatter_into("slice_scatter", input, src, _slice_view(d, start, end, int(step)))


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """A copy of ``input`` with ``input.diagonal(offset, dim1, dim2)`` replaced by ``src``."""
    require_tensor("diagonal_scatter", input)
    nd = input.array.ndim
    d1, d2 = _wrap_dim(dim1, nd, "diagonal_scatter"), _wrap_dim(dim2, nd, "diagonal_scatter")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _scatter_into("diagonal_scatter", input, src, _diagonal_view(int(offset), d1, d2))


def as_strided_scatter(input: Tensor, src: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """A copy of ``input`` (contiguous) with its ``as_strided(size, stride, storage_offset)`` region replaced by
    ``src``. Differentiable in both (an overlapping region keeps the last write, the gradient each position)."""
    return _scatter_into("as_strided_scatter", input, src,
                         _as_strided_view(_size_arg(size), _size_arg(stride), int(storage_offset or 0)))


# ---------------------------------------------------------------- index_reduce -------------------
def index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                 include_self: bool = True) -> Tensor:
    """Reduce ``source``'s slices into ``input``'s slices ``index[i]`` along ``dim`` with ``reduce``
    ('prod', 'mean', 'amax', 'amin'); ``include_self=False`` leaves ``input``'s values at the indexed slices
    out of the reduction. Differentiable (as scatter_reduce, which it is with the index expanded)."""
    from .indexing import scatter_reduce

    require_tensor("index_reduce", input)
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
                           f"{reduce}.")
    if index.array.ndim > 1:
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: {index.array.ndim} "
                         f"with type: Long and size: {list(index.array.shape)}")
    if index.array.dtype.kind not in "iu":
        raise IndexError(f"index_reduce_(): Expected a long or int tensor for index, but got {index.dtype}")
    nd = input.array.ndim
    d = _wrap_dim(dim, max(nd, 1), "index_reduce")
    if source.dtype != input.dtype:
        raise RuntimeError(f"index_reduce_(): self ({_tn(input)}) and source ({_tn(source)}) must have the same "
                           f"scalar type")
    ss, xs = source.array.shape, input.array.shape
    if nd and (len(ss) != nd or any(ss[j] != xs[j] for j in range(nd) if j != d)):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                           f"dimension. Got self.shape = {list(xs)} source.shape = {list(ss)}")
    n_idx = index.array.reshape(-1).shape[0]
    if nd and ss[d] != n_idx:
        raise RuntimeError(f"index_reduce_(): Number of indices ({n_idx}) should be equal to source.size(dim) "
                           f"({ss[d]})")
    xp = xp_of(input.array)
    idx = index.array.reshape(-1).astype(np.int64)
    from ..backend.checks import fail_if, out_of_range

    fail_if(out_of_range(idx, 0, xs[d] if nd else 1), IndexError, "index out of range in self")
    if nd == 0:
        return scatter_reduce(input.reshape(1), 0, Tensor._wrap(idx.reshape(1)), source.reshape(1), reduce,
                              include_self=include_self).reshape(())
    shape = [1] * nd
    shape[d] = n_idx
    full = xp.broadcast_to(idx.reshape(shape), ss).copy()
    return scatter_reduce(input, d, Tensor._wrap(full), source, reduce, include_self=include_self)


def _tn(t: Tensor) -> str:
    from ._util import torch_type_name

    return torch_type_name(t)


# ---------------------------------------------------------------- splits and copies --------------
def split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """Views of ``input`` along ``dim`` with the given sizes (which must sum to the dim's size)."""
    require_tensor("split_with_sizes", input)
    d = _wrap_dim(dim, input.array.ndim, "split_with_sizes")
    sizes = [int(s) for s in split_sizes]
    if sum(sizes) != input.array.shape[d] or any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {input.array.shape[d]} "
                           f"(input tensor's size at dimension {d}), but got split_sizes={sizes}")
    return tuple(sh.split(input, sizes, d))


def unsafe_split(input: Tensor, split_size, dim: int = 0) -> tuple:
    """``split`` (torch's unsafe_ variant only skips view tracking; results here are the same)."""
    return tuple(sh.split(input, split_size, dim))


def unsafe_split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """``split_with_sizes`` (see unsafe_split)."""
    return split_with_sizes(input, split_sizes, dim)


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """``chunk`` (see unsafe_split)."""
    return tuple(sh.chunk(input, chunks, dim))


def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``narrow`` copied into fresh memory."""
    return sh.narrow(input, dim, start, length).clone()


def _copy_of(view, name: str):
    def fn(input: Tensor, *args, **kwargs):
        out = view(input, *args, **kwargs)
        if isinstance(out, (tuple, list)):
            return tuple(o.clone() for o in out)
        return out.clone()

    fn.__name__ = fn.__qualname__ = name + "_copy"
    fn.__doc__ = f"``{name}`` copied into fresh contiguous memory (a tensor, not a view); differentiable."
    return fn


def _view(input, *size):
    return input.view(*size)


def _slice(input, dim: int = 0, start=None, end=None, step: int = 1):
    d = _wrap_dim(dim, input.array.ndim, "slice")
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    return input[(slice(None),) * d + (slice(start, end, step),)]


def _expand(input, size, *, implicit: bool = False):
    return sh.expand(input, _size_arg(size))


def _alias(input):
    return sh.view(input, input.array.shape)


def _detach(input):
    return input.detach()


def _unfold(input, dimension: int, size: int, step: int):
    from .arrange import unfold

    return unfold(input, dimension, size, step)


def _diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    from .diagonal import diagonal

    return diagonal(input, offset, dim1, dim2)


def _select(input, dim: int, index: int):
    from .arrange import select

    return select(input, dim, index)


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims (the transpose: minitorch's dtypes are real)."""
    require_tensor("adjoint", input)
    if input.array.ndim < 2:
        raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of matrices. Got "
                           f"{input.array.ndim}-D tensor.")
    return sh.transpose(input, -2, -1)


view_copy = _copy_of(_view, "view")
permute_copy = _copy_of(sh.permute, "permute")
t_copy = _copy_of(sh.t, "t")
transpose_copy = _copy_of(sh.transpose, "transpose")
unsqueeze_copy = _copy_of(sh.unsqueeze, "unsqueeze")
squeeze_copy = _copy_of(sh.squeeze, "squeeze")
select_copy = _copy_of(_select, "select")
slice_copy = _copy_of(_slice, "slice")
expand_copy = _copy_of(_expand, "expand")
diagonal_copy = _copy_of(_diagonal, "diagonal")
unbind_copy = _copy_of(sh.unbind, "unbind")
split_copy = _copy_of(sh.split, "split")
split_with_sizes_copy = _copy_of(split_with_sizes, "split_with_sizes")
alias_copy = _copy_of(_alias, "alias")
detach_copy = _copy_of(_detach, "detach")
unfold_copy = _copy_of(_unfold, "unfold")

METHODS: dict = {
    "as_strided": as_strided, "as_strided_scatter": as_strided_scatter, "diagonal_scatter": diagonal_scatter,
    "select_scatter": select_scatter, "slice_scatter": slice_scatter, "index_reduce": index_reduce,
    "split_with_sizes": split_with_sizes, "unsafe_chunk": unsafe_chunk, "unsafe_split": unsafe_split,
    "unsafe_split_with_sizes": unsafe_split_with_sizes, "narrow_copy": narrow_copy, "adjoint": adjoint,
    "storage_offset": storage_offset, "new_empty_strided": new_empty_strided, "as_strided_": as_strided_,
}
INPLACE_METHODS: dict = {"index_reduce_": index_reduce}
