"""Indexing ops: x[idx], index-put (x[idx] = v), gather, scatter_add, index_select."""
from __future__ import annotations

import warnings

import numpy as np

from ..autograd.function import BuiltinOp
from ..backend import is_cupy_array, xp_of
from ..backend.arrays import add_at
from ..backend.checks import fail_if, out_of_range
from ..tensor import Tensor
from ._util import describe, unbroadcast, wrap_dim
from .comparison import nonzero
from .elementwise import masked_fill


class TorchIndex(tuple):
    """A NumPy index whose result needs its axes reordered to be torch's: ``read_at(arr, index)`` is
    ``arr[index].transpose(index.perm)``.

    torch selects with integers (and 0-d integer tensors) first and then indexes with the lists/tensors,
    whose broadcast dims go to the front only when a slice/None separates them. NumPy counts the integers
    as advanced indices too, so in ``x[0, :, [1, 2]]`` it moves the index dims to the front (shape (2, 3))
    where torch keeps them in place (shape (3, 2)). Reads, writes and scatters go through ``read_at``,
    ``write_at`` and ``add_into``, which apply the reordering.
    """

    perm: tuple

    def __new__(cls, items, perm):
        self = super().__new__(cls, items)
        self.perm = perm
        return self


def _is_int_index(i) -> bool:
    """An integer NumPy index entry torch applies as a select (a Python/NumPy int or a 0-d integer array)."""
    if isinstance(i, (bool, np.bool_)):
        return False
    if isinstance(i, (int, np.integer)):
        return True
    return getattr(i, "ndim", None) == 0 and i.dtype.kind in "iu"


def _torch_order(index: tuple, ndim: int):
    """The permutation taking NumPy's layout of ``arr[index]`` to torch's, or None where they agree.

    Both put the broadcast index dims first when the advanced indices are separated, else where the first
    one stands. They differ in what separates: for NumPy an int (an advanced index to it) does not, and any
    slice, None or Ellipsis (even one standing for no dims) does; torch selects with the ints first and
    looks at the dims, so only a slice, None or a non-empty Ellipsis between list/tensor indices does.
    """
    if sum(i is Ellipsis for i in index) > 1:
        return None  # an invalid index: NumPy raises
    ell = ndim - sum(_index_width(i) for i in index if i is not Ellipsis)
    if ell < 0:
        return None
    if not any(i is Ellipsis for i in index):
        index = (*index, Ellipsis)  # the implicit trailing dims

    def kind(i) -> str:
        return "b" if i is None or i is Ellipsis or isinstance(i, slice) else "i" if _is_int_index(i) else "a"

    def basic_dims(i) -> int:
        return 1 if i is None or isinstance(i, slice) else ell if i is Ellipsis else 0

    def block_at(entries, counts) -> int:
        """Basic dims before the index block: 0 when separated, else those before the first index."""
        pos = [k for k, i in enumerate(entries) if counts(i)]
        if not pos:
            return -1
        if any(not counts(i) for i in entries[pos[0]:pos[-1] + 1]):
            return 0
        return sum(basic_dims(i) for i in entries[:pos[0]])

    # NumPy: ints count as index entries, every basic entry separates
    at_np = block_at(index, lambda i: kind(i) != "b")
    # torch: ints gone; an Ellipsis for no dims gone
    t_entries = [i for i in index if kind(i) != "i" and not (i is Ellipsis and ell == 0)]
    at_torch = block_at(t_entries, lambda i: kind(i) == "a")
    if at_torch < 0 or at_np == at_torch:
        return None
    n_basic = sum(basic_dims(i) for i in index)
    nb = max(1 if isinstance(i, (bool, np.bool_)) or i.dtype.kind == "b" else i.ndim
             for i in index if kind(i) == "a")
    np_axes = [("b", k) for k in range(n_basic)]
    np_axes[at_np:at_np] = [("a", k) for k in range(nb)]
    t_axes = [("b", k) for k in range(n_basic)]
    t_axes[at_torch:at_torch] = [("a", k) for k in range(nb)]
    return tuple(np_axes.index(a) for a in t_axes)


def read_at(arr, index):
    """``arr[index]`` laid out as torch's (see TorchIndex)."""
    out = arr[index]
    perm = getattr(index, "perm", None)
    return out if perm is None else xp_of(out).ascontiguousarray(out.transpose(perm))


def _numpy_layout(val, index, arr):
    """A value in torch's layout of ``arr[index]`` reordered to NumPy's (broadcastable as before)."""
    perm = getattr(index, "perm", None)
    if perm is None or isinstance(val, (bool, int, float, complex, np.generic)):
        return val
    if not hasattr(val, "ndim"):
        val = xp_of(arr).asarray(val)
    nd = len(perm)
    if val.ndim > nd and all(n == 1 for n in val.shape[:val.ndim - nd]):
        val = val.reshape(val.shape[val.ndim - nd:])
    if val.ndim > nd:
        return val  # NumPy raises its shape error
    val = val.reshape((1,) * (nd - val.ndim) + tuple(val.shape))
    return val.transpose(tuple(np.argsort(perm)))


def write_at(arr, index, val) -> None:
    """``arr[index] = val`` with ``val`` in torch's layout of ``arr[index]``."""
    arr[index] = _numpy_layout(val, index, arr)


def add_into(arr, index, val) -> None:
    """``arr[index] += val`` with repeats accumulated, ``val`` in torch's layout of ``arr[index]``."""
    add_at(arr, tuple(index), _numpy_layout(val, index, arr))


def convert_index(idx, x_data):
    """Turn a PyTorch-style index (ints, slices, None, Ellipsis, Tensors, lists) into a NumPy index.

    Returns (index, advanced) where ``advanced`` says an integer/bool array is involved (so the
    backward must accumulate repeated positions). Where torch's result layout differs from NumPy's
    (an int between advanced indices, see TorchIndex) the index is a TorchIndex.
    """
    if not isinstance(idx, tuple):
        idx = (idx,)
    out, advanced = [], False
    for i in idx:
        if isinstance(i, Tensor):
            arr = i.array
            if arr.dtype.kind not in "iub":
                raise IndexError(
                    f"tensors used as indices must be long, int, byte or bool tensors (got {i.dtype})"
                )
            if is_cupy_array(arr) and not is_cupy_array(x_data) and arr.ndim > 0:
                raise RuntimeError(
                    f"indices should be either on cpu or on the same device as the indexed tensor (cpu), "
                    f"got indices on {i.device}"
                )
            if is_cupy_array(x_data) and not is_cupy_array(arr) and arr.ndim > 0:
                arr = xp_of(x_data).asarray(arr)  # cpu indices on a cuda tensor: copied over, as torch does
            if arr.dtype == np.uint8:  # torch: a uint8 tensor is a mask (deprecated)
                warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
                              "instead.", UserWarning, stacklevel=3)
                arr = arr.astype(bool)
            if arr.ndim == 0 and arr.dtype.kind in "iu" and not is_cupy_array(arr):
                out.append(int(arr))  # on the GPU a 0-d index stays an array: int() would sync
                continue
            advanced = True
            out.append(arr)
        elif isinstance(i, (list, range, np.ndarray)) or type(i).__module__.startswith("cupy"):
            arr = xp_of(x_data).asarray(list(i) if isinstance(i, range) else i)  # a range indexes like a list
            if arr.dtype.kind not in "iub" and arr.size:
                raise IndexError(f"indices must be integers or booleans, got an array of {arr.dtype}")
            if arr.size == 0:
                arr = arr.astype(np.int64)
            advanced = True
            out.append(arr)
        elif isinstance(i, (bool, np.bool_)):
            advanced = True
            out.append(i)
        elif i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice)):
            if isinstance(i, slice) and i.step is not None and i.step <= 0:
                raise ValueError("step must be greater than zero")
            out.append(i)
        elif hasattr(i, "__index__"):
            out.append(i.__index__())
        else:
            raise IndexError(
                f"only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                f"valid indices (got {type(i).__name__})"
            )
    perm = _torch_order(out, x_data.ndim) if advanced else None
    return (tuple(out) if perm is None else TorchIndex(out, perm)), advanced


def _index_width(i) -> int:
    """How many dimensions of the indexed array one NumPy index entry consumes."""
    if i is None or isinstance(i, (bool, np.bool_)):
        return 0
    if hasattr(i, "dtype") and i.dtype.kind == "b":
        return i.ndim
    return 1


def check_gpu_index_bounds(index: tuple, shape: tuple, op: str) -> None:
    """CuPy wraps out-of-range integer indices around where NumPy raises: on the GPU, queue a range
    check for every integer index array (raised at the next host sync, see backend.checks)."""
    rest = len(shape) - sum(_index_width(i) for i in index if i is not Ellipsis)
    axis = 0
    for i in index:
        if i is Ellipsis:
            axis += rest
            continue
        if is_cupy_array(i) and i.dtype.kind in "iu" and i.size:
            n = shape[axis]
            fail_if(out_of_range(i, -n, n), IndexError,
                    f"{op}: index out of bounds for dimension {axis} with size {n} (shape {list(shape)})")
        axis += _index_width(i)


class GetItem(BuiltinOp):
    @staticmethod
    def forward(ctx, x, index, advanced):
        ctx.in_shape, ctx.index, ctx.advanced = x.array.shape, index, advanced
        if advanced and is_cupy_array(x.array):
            check_gpu_index_bounds(index, x.array.shape, "index")
        try:
            out = read_at(x.array, index)
        except IndexError as e:
            raise IndexError(f"index {_show(index)} on tensor of shape {list(x.array.shape)}: {e}") from None
        if isinstance(out, np.generic):  # NumPy copies a full integer index out as a scalar: take a 0-d view
            out = x.array[index + (Ellipsis,)]
        return out

    @staticmethod
    def backward(ctx, g):
        """Scatter g into zeros at the indexed positions (summing repeats)."""
        return IndexAdd.apply(g, ctx.in_shape, ctx.index, ctx.advanced), None, None


class IndexAdd(BuiltinOp):
    """zeros(shape) with g added at ``index``; the adjoint of GetItem."""

    @staticmethod
    def forward(ctx, g, shape, index, advanced):
        ctx.index, ctx.advanced = index, advanced
        arr = g.array
        xp = xp_of(arr)
        out = xp.zeros(shape, dtype=arr.dtype)
        if advanced:
            add_into(out, index, arr)
        else:
            out[index] = arr
        return out

    @staticmethod
    def backward(ctx, gg):
        """The adjoint of scattering is gathering: gg[index]."""
        return GetItem.apply(gg, ctx.index, ctx.advanced), None, None, None


class IndexPut(BuiltinOp):
    """out = x with out[index] = v (what ``x[index] = v`` computes, out of place)."""

    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, x, index, v):
        ctx.index = index
        if is_cupy_array(x.array):
            check_gpu_index_bounds(index, x.array.shape, "index_put")
        out = x.array.copy()
        val = v.array if isinstance(v, Tensor) else v
        try:
            write_at(out, index, val)
        except ValueError as e:
            raise RuntimeError(
                f"index_put / setitem: shape mismatch: value {describe(v)} cannot be broadcast to "
                f"indexing result of shape {list(read_at(x.array, index).shape)} ({e})"
            ) from None
        ctx.v_shape = val.shape if isinstance(v, Tensor) else None
        return out

    @staticmethod
    def backward(ctx, g):
        """d x = g with zeros at index; d v = g[index] summed back to v's shape."""
        nx, _, nv = ctx.needs_input_grad
        gx = gv = None
        if nx:
            mask = xp_of(g.array).ones(g.array.shape, dtype=g.array.dtype)
            write_at(mask, ctx.index, 0)
            gx = g * mask
        if nv:
            gv = unbroadcast(GetItem.apply(g, ctx.index, True), ctx.v_shape)
        return gx, None, gv


def _along_dim_index(index_arr, dim):
    """The full NumPy index that picks index_arr[...] along ``dim`` and the grid elsewhere."""
    xp = xp_of(index_arr)
    nd = index_arr.ndim
    # open grids, as np.indices(shape, sparse=True) (CuPy's indices has no sparse=)
    grids = [xp.arange(n).reshape((1,) * d + (n,) + (1,) * (nd - d - 1)) for d, n in enumerate(index_arr.shape)]
    grids[dim] = index_arr
    return tuple(grids)


class Gather(BuiltinOp):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.in_shape, ctx.dim, ctx.index = x.array.shape, dim, index
        if is_cupy_array(index):
            check_gpu_index_bounds((slice(None),) * dim + (index,), x.array.shape, "gather")
        try:
            return x.array[_along_dim_index(index, dim)]
        except IndexError as e:
            raise RuntimeError(f"gather(): index out of bounds for input of shape {list(x.array.shape)}: {e}") from None

    @staticmethod
    def backward(ctx, g):
        """Scatter-add g back to the gathered positions."""
        xp = xp_of(g.array)
        zeros = Tensor._wrap(xp.zeros(ctx.in_shape, dtype=g.array.dtype))
        return ScatterAdd.apply(zeros, ctx.dim, ctx.index, g), None, None


class ScatterAdd(BuiltinOp):
    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index = dim, index
        if is_cupy_array(index):
            check_gpu_index_bounds((slice(None),) * dim + (index,), x.array.shape, "scatter_add")
        out = x.array.copy()
        sub = src.array[tuple(slice(0, s) for s in index.shape)]
        add_at(out, _along_dim_index(index, dim), sub)
        ctx.src_shape = src.array.shape
        return out

    @staticmethod
    def backward(ctx, g):
        """d x = g; d src = gather(g, dim, index) (zero outside index's extent)."""
        _, _, _, ns = ctx.needs_input_grad
        gsrc = None
        if ns:
            gsrc = Gather.apply(g, ctx.dim, ctx.index)
            if gsrc.array.shape != ctx.src_shape:
                pad = Tensor._wrap(xp_of(g.array).zeros(ctx.src_shape, dtype=g.array.dtype))
                gsrc = IndexPut.apply(pad, tuple(slice(0, s) for s in ctx.index.shape), gsrc)
        return g, None, None, gsrc


def _pad_to(gsrc: Tensor, src_shape: tuple, index_shape: tuple) -> Tensor:
    """gsrc (index's shape) placed in zeros of src's shape: src elements outside index's extent get no gradient."""
    if gsrc.array.shape == tuple(src_shape):
        return gsrc
    pad = Tensor._wrap(xp_of(gsrc.array).zeros(src_shape, dtype=gsrc.array.dtype))
    return IndexPut.apply(pad, tuple(slice(0, s) for s in index_shape), gsrc)


def _multiply_at(out, index, values) -> None:
    """``out[index] *= values`` with repeated indices multiplied together. NumPy: ``multiply.at``. CuPy has no
    multiply scatter: the product is sign * exp(sum log|v|), with zeros counted apart (float64 inside, so
    integer products are exact up to 2**53)."""
    xp = xp_of(out)
    if xp is np:
        np.multiply.at(out, index, values)
        return
    v = xp.broadcast_to(xp.asarray(values), out[index].shape).astype(np.float64)
    logs, negs, zeros = (xp.zeros(out.shape, dtype=np.float64) for _ in range(3))
    add_at(logs, index, xp.log(xp.where(v == 0, 1.0, xp.abs(v))))
    add_at(negs, index, (v < 0).astype(np.float64))
    add_at(zeros, index, (v == 0).astype(np.float64))
    factor = xp.where(zeros > 0, 0.0, xp.exp(logs) * xp.where(negs % 2 == 1, -1.0, 1.0))
    prod = out.astype(np.float64) * factor
    out[...] = (xp.rint(prod) if out.dtype.kind in "iub" else prod).astype(out.dtype)


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


class ScatterReduce(BuiltinOp):
    """out = x with each src element reduced (sum/prod/mean/amax/amin) into the position ``index`` names
    along ``dim``; ``include_self``: x's own value takes part where something is scattered."""

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce, include_self):
        if is_cupy_array(index):
            check_gpu_index_bounds((slice(None),) * dim + (index,), x.array.shape, "scatter_reduce")
        arr = x.array
        xp = xp_of(arr)
        where_ = _along_dim_index(index, dim)
        sub = src.array[tuple(slice(0, s) for s in index.shape)]
        count = xp.zeros(arr.shape, dtype=np.int32)
        add_at(count, where_, xp.ones(index.shape, dtype=np.int32))
        hit = count > 0
        out = arr.copy()
        if reduce in ("sum", "mean"):
            if not include_self:
                out = xp.where(hit, 0, out).astype(arr.dtype)
            add_at(out, where_, sub)
            if reduce == "mean":
                n = xp.maximum(count + (1 if include_self else 0), 1).astype(arr.dtype)
                out = out // n if arr.dtype.kind in "iu" else (out / n).astype(arr.dtype)
        elif reduce == "prod":
            if not include_self:
                out = xp.where(hit, 1, out).astype(arr.dtype)
            _multiply_at(out, where_, sub)
        else:
            is_max = reduce == "amax"
            if not include_self:
                info = np.finfo(arr.dtype) if arr.dtype.kind == "f" else np.iinfo(arr.dtype)
                start = (-np.inf if is_max else np.inf) if arr.dtype.kind == "f" else (info.min if is_max else info.max)
                out = xp.where(hit, start, out).astype(arr.dtype)
            (xp.maximum if is_max else xp.minimum).at(out, where_, sub)
        ctx.dim, ctx.index, ctx.reduce, ctx.include_self = dim, index, reduce, include_self
        ctx.src_shape, ctx.count, ctx.hit = src.array.shape, count, hit
        if reduce in ("prod", "amax", "amin"):
            ctx.x_arr, ctx.sub, ctx.out_arr = arr, sub, out
        return out

    @staticmethod
    def backward(ctx, g):
        """sum: dx = g (0 where replaced), dsrc = g[index]; mean: the same over the count; prod: g times the
        product of the others; amax/amin: g shared evenly by the elements equal to the result."""
        nx, _, _, ns, _, _ = ctx.needs_input_grad
        xp = xp_of(g.array)
        dim, index, hit, inc = ctx.dim, ctx.index, ctx.hit, ctx.include_self
        keep = xp.logical_or(inc, ~hit)  # where x's own value takes part in the result
        dt = g.array.dtype
        if ctx.reduce in ("sum", "mean"):
            if ctx.reduce == "sum":
                wx, wsrc = keep.astype(dt), None
            else:
                n = xp.maximum(ctx.count + (1 if inc else 0), 1).astype(dt)
                wx = xp.where(keep, 1 / n, 0).astype(dt) if inc else keep.astype(dt)
                wsrc = (1 / n).astype(dt)
            gx = g * Tensor._wrap(wx) if nx else None
            gs = None
            if ns:
                gw = g if wsrc is None else g * Tensor._wrap(wsrc)
                gs = _pad_to(Gather.apply(gw, dim, index), ctx.src_shape, index.shape)
            return gx, None, None, gs, None, None
        where_ = _along_dim_index(index, dim)
        x_arr, sub, out = ctx.x_arr, ctx.sub, ctx.out_arr
        if ctx.reduce == "prod":  # the product of the others: out / v without dividing by zero
            zx = xp.logical_and(keep, x_arr == 0).astype(np.int32)
            zeros = xp.zeros(out.shape, dtype=np.int32)
            add_at(zeros, where_, (sub == 0).astype(np.int32))
            zeros += zx
            nonzero = xp.where(keep, xp.where(x_arr == 0, 1, x_arr), 1).astype(out.dtype)
            _multiply_at(nonzero, where_, xp.where(sub == 0, 1, sub).astype(out.dtype))

            def others(v, z_total, nz):  # the product of the group without v
                return xp.where(v == 0, xp.where(z_total == 1, nz, 0),
                                xp.where(z_total == 0, nz / xp.where(v == 0, 1, v), 0)).astype(dt)

            wx = xp.where(keep, others(x_arr, zeros, nonzero), 0) if inc else (~hit).astype(dt)
            wsrc = others(sub, zeros[where_], nonzero[where_])
        else:
            eq_x = xp.logical_and(keep, x_arr == out)
            eq_src = sub == out[where_]
            n = eq_x.astype(dt)
            add_at(n, where_, eq_src.astype(dt))
            n = xp.maximum(n, 1)
            wx = (eq_x / n).astype(dt)
            wsrc = (eq_src / n[where_]).astype(dt)
        gx = g * Tensor._wrap(wx.astype(dt)) if nx else None
        gs = None
        if ns:
            gs = _pad_to(Gather.apply(g, dim, index) * Tensor._wrap(wsrc.astype(dt)), ctx.src_shape, index.shape)
        return gx, None, None, gs, None, None


def _show(index) -> str:
    return "(" + ", ".join(
        f"array{list(i.shape)}" if hasattr(i, "shape") and getattr(i, "ndim", 0) else repr(i) for i in index
    ) + ")"


# ---------------------------------------------------------------- functional API -----------------
def getitem(x, idx):
    index, advanced = convert_index(idx, x.array)
    return GetItem.apply(x, index, advanced)


def _index_arg(index, op):
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): index must be a Tensor, got {type(index).__name__}")
    if index.array.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int64 for index (got {index.dtype})")
    return index.array


def gather(x, dim, index, *, sparse_grad=False):
    idx = _index_arg(index, "gather")
    d = wrap_dim(dim, x.array.ndim, "gather")
    if idx.ndim != x.array.ndim:
        raise RuntimeError(
            f"gather(): Index tensor must have the same number of dimensions as input tensor "
            f"(index {list(idx.shape)}, input {list(x.array.shape)})"
        )
    return Gather.apply(x, d, idx)


def scatter_add(x, dim, index, src):
    idx = _index_arg(index, "scatter_add")
    d = wrap_dim(dim, x.array.ndim, "scatter_add")
    if idx.ndim != x.array.ndim or src.array.ndim != x.array.ndim:
        raise RuntimeError(
            f"scatter_add(): Index tensor must have the same number of dimensions as self and src "
            f"(self {list(x.array.shape)}, index {list(idx.shape)}, src {list(src.array.shape)})"
        )
    return ScatterAdd.apply(x, d, idx, src)


def scatter(x, dim, index, src=None, value=None, *, reduce=None):
    """Out-of-place scatter: x with x[index[i]] = src[i] along ``dim`` (gradient flows to x outside the
    written positions); ``reduce='add'|'multiply'`` accumulates instead (as scatter_reduce sum/prod)."""
    idx = _index_arg(index, "scatter")
    d = wrap_dim(dim, x.array.ndim, "scatter")
    src = src if src is not None else value
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if not isinstance(src, Tensor):
            src = Tensor._wrap(xp_of(x.array).full(idx.shape, src, dtype=x.array.dtype))
        return scatter_reduce(x, d, index, src, "sum" if reduce == "add" else "prod")
    full = _along_dim_index(idx, d)
    if isinstance(src, Tensor):
        src = src[tuple(slice(0, s) for s in idx.shape)]
    return IndexPut.apply(x, full, src)


def scatter_reduce(x: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """x with src's elements reduced into the positions ``index`` names along ``dim``
    (``reduce``: 'sum' | 'prod' | 'mean' | 'amax' | 'amin'; ``include_self``: x's value takes part)."""
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    idx = _index_arg(index, "scatter_reduce")
    d = wrap_dim(dim, x.array.ndim, "scatter_reduce") if x.array.ndim else 0
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce(): argument 'src' must be Tensor, not {type(src).__name__}")
    if idx.ndim != x.array.ndim or src.array.ndim != x.array.ndim:
        raise RuntimeError(
            f"scatter_reduce(): Index tensor must have the same number of dimensions as self and src "
            f"(self {list(x.array.shape)}, index {list(idx.shape)}, src {list(src.array.shape)})")
    if src.array.dtype != x.array.dtype:
        raise RuntimeError(f"scatter_reduce(): Expected self.dtype to be equal to src.dtype (got {x.dtype} and "
                           f"{src.dtype})")
    if any(i > s for i, s in zip(idx.shape, src.array.shape)) or any(
            i > s for k, (i, s) in enumerate(zip(idx.shape, x.array.shape)) if k != d):
        raise RuntimeError(
            f"scatter_reduce(): Expected index {list(idx.shape)} to be smaller than self {list(x.array.shape)} "
            f"apart from dimension {d} and to be smaller size than src {list(src.array.shape)}")
    if x.array.ndim == 0:
        return ScatterReduce.apply(x.reshape(1), 0, idx.reshape(1), src.reshape(1), reduce,
                                   bool(include_self)).reshape(())
    return ScatterReduce.apply(x, d, idx, src, reduce, bool(include_self))


def index_select(x, dim, index):
    idx = _index_arg(index, "index_select")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    d = wrap_dim(dim, x.array.ndim, "index_select") if x.array.ndim else 0
    n = x.array.shape[d] if x.array.ndim else 1
    if idx.size:
        fail_if(out_of_range(idx, -n, n), RuntimeError, lambda: (
            f"index_select(): index out of range in self: indices {int(idx.min())}..{int(idx.max())} for "
            f"dim {d} of size {n} (input shape {list(x.array.shape)})"))
    return GetItem.apply(x, (slice(None),) * d + (idx.reshape(-1),), True)


def index_put(x, indices, values, accumulate=False):
    index, _ = convert_index(tuple(indices), x.array)
    if accumulate:
        vals = values if isinstance(values, Tensor) else Tensor._wrap(values)
        return x + IndexAdd.apply(vals, x.array.shape, index, True)
    return IndexPut.apply(x, index, values)


def masked_select(x, mask):
    m = mask.array if isinstance(mask, Tensor) else mask
    shape = np.broadcast_shapes(x.array.shape, m.shape)
    xe = x.expand(shape) if x.array.shape != shape else x
    return GetItem.apply(xe, (xp_of(m).broadcast_to(m, shape),), True)


def take_along_dim(x, indices, dim):
    return gather(x, dim, indices)


# ---------------------------------------------------------------- index_add / copy / fill, masked_scatter
def _vector_index(op: str, x: Tensor, dim: int, index, negative_ok: bool) -> tuple:
    """Check an index_* op's dim and index vector; return (dim, index array, NumPy index along dim).

    A 0-d ``x`` is indexed as if it had one element (``dim`` 0 or -1, index 0), as torch allows.
    """
    idx = _index_arg(index, op)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector, but got dim: {idx.ndim} with size "
                         f"{list(idx.shape)}")
    ndim = max(x.array.ndim, 1)
    d = wrap_dim(dim, ndim, op)
    n = x.array.shape[d] if x.array.ndim else 1
    if idx.size:
        def message() -> str:
            return (f"{op}(): index out of range: indices {int(idx.min())}..{int(idx.max())} for dim {d} of "
                    f"size {n} (self shape {list(x.array.shape)})")

        # torch's exception types: index_add raises RuntimeError past the end but IndexError below 0
        fail_if((idx >= n).any(), RuntimeError if op == "index_add" else IndexError, message)
        fail_if((idx < (-n if negative_ok else 0)).any(), IndexError, message)
    return d, idx.reshape(-1), (slice(None),) * d + (idx.reshape(-1),)


def _check_source(op: str, x: Tensor, d: int, idx, source: Tensor) -> None:
    xs, ss = tuple(x.array.shape) or (1,), tuple(source.array.shape) or (1,)
    if source.array.dtype != x.array.dtype:
        raise RuntimeError(f"{op}(): self ({x.dtype}) and source ({source.dtype}) must have the same scalar type")
    if len(ss) != len(xs) or any(a != b for k, (a, b) in enumerate(zip(xs, ss)) if k != d):
        raise RuntimeError(f"{op}(): source tensor shape must match self tensor shape, excluding the specified "
                           f"dimension. Got self.shape = {list(x.shape)} source.shape = {list(source.shape)}")
    if ss[d] != idx.size:  # torch: RuntimeError from index_add, IndexError from index_copy
        raise (RuntimeError if op == "index_add" else IndexError)(
            f"{op}(): Number of indices ({idx.size}) should be equal to source.size(dim): ({ss[d]}), for dim: {d}")


def index_add(x: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """x with alpha * source[j] added at x[index[j]] along ``dim`` (repeated indices accumulate)."""
    d, idx, where_ = _vector_index("index_add", x, dim, index, negative_ok=False)
    _check_source("index_add", x, d, idx, source)
    src = source if alpha == 1 else source * alpha
    if x.array.ndim == 0:
        return x + IndexAdd.apply(src.reshape(1), (1,), where_, True).reshape(())
    return x + IndexAdd.apply(src, x.array.shape, where_, True)


def index_copy(x: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """x with x[index[j]] = source[j] along ``dim`` (with repeated indices, which write wins is undefined)."""
    d, idx, where_ = _vector_index("index_copy", x, dim, index, negative_ok=False)
    _check_source("index_copy", x, d, idx, source)
    if x.array.ndim == 0:
        return IndexPut.apply(x.reshape(1), where_, source.reshape(1)).reshape(())
    return IndexPut.apply(x, where_, source)


def index_fill(x: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """x with ``value`` at the positions ``index`` along ``dim``: a masked_fill with a mask along one dim."""
    d, idx, _ = _vector_index("index_fill", x, dim, index, negative_ok=True)
    if isinstance(value, Tensor) and value.array.ndim != 0:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.array.ndim} dimension(s).")
    xp = xp_of(x.array)
    n = x.array.shape[d] if x.array.ndim else 1
    hit = xp.zeros(n, dtype=bool)
    hit[idx] = True
    mask = hit.reshape((n,) + (1,) * (x.array.ndim - d - 1)) if x.array.ndim else hit.reshape(())
    return masked_fill(x, Tensor._wrap(mask), value)


class MaskedScatter(BuiltinOp):
    """out = x (broadcast with mask) with its masked positions filled, in order, by source's first elements."""

    @staticmethod
    def forward(ctx, x, mask, source):
        shape = np.broadcast_shapes(x.array.shape, mask.shape)
        xp = xp_of(x.array)
        m = xp.broadcast_to(mask, shape)
        out = xp.broadcast_to(x.array, shape).copy()
        picked = int(m.sum())  # the number of masked positions sizes the copy: a host sync, as in torch
        if picked > source.array.size:
            raise RuntimeError(f"masked_scatter: Number of elements of source ({source.array.size}) < number of ones "
                               f"in mask ({picked}) (self {list(x.array.shape)}, mask {list(mask.shape)})")
        out[m] = source.array.reshape(-1)[:picked]
        ctx.m, ctx.picked, ctx.x_shape, ctx.src_shape = m, picked, x.array.shape, source.array.shape
        return out

    @staticmethod
    def backward(ctx, g):
        """d x = g where mask is False (summed over broadcast dims); d source[:k] = g[mask], zero after."""
        nx, _, ns = ctx.needs_input_grad
        gx = gs = None
        m = Tensor._wrap(ctx.m)
        if nx:
            gx = unbroadcast(g.masked_fill(m, 0), ctx.x_shape)
        if ns:
            size = int(np.prod(ctx.src_shape))
            flat = Tensor._wrap(xp_of(g.array).zeros(size, dtype=g.array.dtype))
            gs = IndexPut.apply(flat, (slice(0, ctx.picked),), g[m]).reshape(ctx.src_shape)
        return gx, None, gs


def masked_scatter(x: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """Copy source's elements, in order, into the positions where ``mask`` (broadcast against x) is True."""
    m = mask.array if isinstance(mask, Tensor) else mask
    if m.dtype.kind != "b":
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype {mask.dtype}")
    if source.array.dtype != x.array.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got {x.dtype} and "
                           f"{source.dtype}")
    try:
        np.broadcast_shapes(x.array.shape, m.shape)
    except ValueError:
        raise RuntimeError(f"masked_scatter: mask of shape {list(m.shape)} does not broadcast with self of shape "
                           f"{list(x.array.shape)}") from None
    return MaskedScatter.apply(x, m, source)


def argwhere(x: Tensor) -> Tensor:
    """The (N, x.dim()) int64 coordinates of x's nonzero elements (its size depends on the values: a host sync)."""
    return nonzero(x)


def put(x: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """x with source's elements written (or added, ``accumulate``) at flat positions ``index`` of x."""
    idx = _index_arg(index, "put")
    n = int(np.prod(x.array.shape))
    if idx.size != source.array.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                           f"source.numel() = {source.array.size}, index.numel() = {idx.size}")
    if idx.size:
        fail_if(out_of_range(idx, -n, n), IndexError, lambda: (
            f"put_(): index out of range: tried to access indices {int(idx.min())}..{int(idx.max())} on a tensor "
            f"of {n} elements (shape {list(x.array.shape)})"))
    flat = index_put(x.reshape(-1), (Tensor._wrap(idx.reshape(-1)),), source.reshape(-1), accumulate)
    return flat.reshape(x.array.shape)
