"""Shape ops: reshape/view, permute/transpose, expand, repeat, flip, cat/stack, split/chunk."""
from __future__ import annotations

import numpy as np

from ..autograd.function import BuiltinOp
from ..backend import xp_of
from ..tensor import Tensor
from ._util import describe, unbroadcast, wrap_dim


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


class Reshape(BuiltinOp):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.array.shape
        try:
            return x.array.reshape(shape)
        except ValueError:
            raise RuntimeError(
                f"view/reshape: shape '{list(shape)}' is invalid for input of size {x.array.size} "
                f"(input shape {list(x.array.shape)})"
            ) from None

    @staticmethod
    def backward(ctx, g):
        """Reshape the gradient back to the input's shape."""
        return g.reshape(ctx.in_shape), None


class Permute(BuiltinOp):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.array.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        """Apply the inverse permutation to the gradient."""
        return g.permute(tuple(np.argsort(ctx.dims).tolist())), None


class Expand(BuiltinOp):
    @staticmethod
    def forward(ctx, x, shape):
        arr = x.array
        ctx.in_shape = arr.shape
        if arr.size == 1 and len(shape) < 3 and type(arr) is np.ndarray:  # tiny: filled beats a broadcast view
            out = np.empty(shape, dtype=arr.dtype)
            out.fill(arr.reshape(()))
            out.flags.writeable = False  # read-only and owning its memory: in-place writes refuse, as on a view
            return out
        try:
            return xp_of(arr).broadcast_to(arr, shape)
        except ValueError:
            raise RuntimeError(
                f"expand: the expanded size of the tensor ({list(shape)}) must match the existing "
                f"size {list(x.array.shape)} at non-singleton dimensions"
            ) from None

    @staticmethod
    def backward(ctx, g):
        """Sum the gradient over the expanded dims."""
        return unbroadcast(g, ctx.in_shape), None


class Repeat(BuiltinOp):
    @staticmethod
    def forward(ctx, x, reps):
        ctx.in_shape, ctx.reps = x.array.shape, reps
        return xp_of(x.array).tile(x.array, reps)

    @staticmethod
    def backward(ctx, g):
        """Fold the tiled copies back and sum them: reshape to (r0, s0, r1, s1, ...) and sum the r's."""
        reps = ctx.reps
        shape = (1,) * (len(reps) - len(ctx.in_shape)) + tuple(ctx.in_shape)
        split = []
        for r, s in zip(reps, shape):
            split += [r, s]
        gs = g.reshape(tuple(split)).sum(dim=tuple(range(0, 2 * len(reps), 2)))
        return gs.reshape(ctx.in_shape), None


class Flip(BuiltinOp):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return xp_of(x.array).flip(x.array, axis=dims)

    @staticmethod
    def backward(ctx, g):
        """Flip the gradient back."""
        return g.flip(ctx.dims), None


class Cat(BuiltinOp):
    @staticmethod
    def forward(ctx, dim, *tensors):
        arrays = [t.array for t in tensors]
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] if a.ndim else 0 for a in arrays]
        xp = xp_of(arrays[0])
        return xp.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        """Slice the gradient back into the pieces."""
        grads, start = [], 0
        for size, needs in zip(ctx.sizes, ctx.needs_input_grad[1:]):
            grads.append(g.narrow(ctx.dim, start, size) if needs else None)
            start += size
        return (None, *grads)


OVERLAP_MESSAGE = ("unsupported operation: more than one element of the written-to tensor refers to a single "
                   "memory location. Please clone() the tensor before performing the operation.")


def writeable(arr) -> bool:
    """NumPy's WRITEABLE flag; CuPy's flags have none (its arrays are always writable)."""
    return getattr(arr.flags, "writeable", True)


def check_no_overlap(arr, op: str, region=None) -> None:
    """Raise torch's error for an in-place write into an ``expand()``-ed tensor where the written ``region``
    (default: all of ``arr``) has elements sharing memory: a zero stride along a dim of size > 1, or more
    than one element of (a view of) Expand's read-only filled array of a 1-element input. Callers test
    ``0 in arr.strides or not writeable`` first, so the hot path pays one tuple lookup."""
    r = arr if region is None else region
    if r.size <= 1:  # nothing to share (an empty array may carry zero strides)
        return
    owner = arr if type(arr) is not np.ndarray or arr.base is None else arr.base  # NumPy: base is the owner
    one_element = type(owner) is np.ndarray and not owner.flags.writeable and owner.base is None
    if one_element or any(s == 0 and n > 1 for s, n in zip(r.strides, r.shape)):
        raise RuntimeError(f"{op}: {OVERLAP_MESSAGE}")


# ---------------------------------------------------------------- functional API -----------------
def reshape(x, *shape):
    shape = _shape_arg(shape)
    if shape == x.array.shape:
        return x if not x._requires_grad else Reshape.apply(x, shape)
    return Reshape.apply(x, shape)


def view(x, *shape):
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)) and not hasattr(shape[0], "__index__"):
        return x.to(shape[0])  # view(dtype) is not supported as a reinterpretation; convert
    return Reshape.apply(x, _shape_arg(shape))


def flatten(x, start_dim: int = 0, end_dim: int = -1):
    nd = x.array.ndim
    if nd == 0:
        return Reshape.apply(x, (1,))
    s, e = wrap_dim(start_dim, nd, "flatten"), wrap_dim(end_dim, nd, "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = x.array.shape
    return Reshape.apply(x, shape[:s] + (int(np.prod(shape[s : e + 1])),) + shape[e + 1 :])


def unflatten(x, dim: int, sizes):
    d = wrap_dim(dim, x.array.ndim, "unflatten")
    shape = x.array.shape
    return Reshape.apply(x, shape[:d] + tuple(sizes) + shape[d + 1 :]) if -1 not in sizes else x.reshape(
        shape[:d] + tuple(sizes) + shape[d + 1 :]
    )


def squeeze(x, dim=None, *, axis=None):
    if axis is not None:
        dim = axis
    shape = x.array.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = {wrap_dim(d, len(shape), "squeeze") for d in dims} if shape else set()
        new = tuple(s for i, s in enumerate(shape) if not (i in axes and s == 1))
    return Reshape.apply(x, new)


def unsqueeze(x, dim: int | None = None, *, axis=None):
    if axis is not None:
        dim = axis
    elif dim is None:
        raise TypeError("unsqueeze() missing 1 required positional argument: 'dim'")
    shape = x.array.shape
    d = wrap_dim(dim, len(shape) + 1, "unsqueeze")
    return Reshape.apply(x, shape[:d] + (1,) + shape[d:])


def permute(x, *dims):
    dims = _shape_arg(dims)
    nd = x.array.ndim
    if len(dims) != nd:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of "
            f"the desired ordering of dimensions i.e. input.dim() = {nd} is not equal to len(dims) = {len(dims)}"
        )
    dims = tuple(wrap_dim(d, nd, "permute") for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {list(dims)})")
    return Permute.apply(x, dims)


def transpose(x, dim0: int, dim1: int):
    nd = x.array.ndim
    if nd == 0:
        return x
    d0, d1 = wrap_dim(dim0, nd, "transpose"), wrap_dim(dim1, nd, "transpose")
    dims = list(range(nd))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(x, tuple(dims))


def t(x):
    if x.array.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.array.ndim}D")
    return transpose(x, 0, 1) if x.array.ndim == 2 else x


def expand(x, *shape):
    shape = _shape_arg(shape)
    cur = x.array.shape
    if len(shape) < len(cur):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(shape)}) must be greater or equal to the number "
            f"of dimensions in the tensor ({len(cur)}) (sizes {list(shape)}, tensor shape {list(cur)})"
        )
    lead = len(shape) - len(cur)
    full = tuple(cur[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(shape))
    if full == cur:
        return x
    return Expand.apply(x, full)


def expand_as(x, other):
    return expand(x, other.array.shape)


def broadcast_to(x, shape):
    return expand(x, tuple(shape))


def repeat(x, *reps):
    reps = _shape_arg(reps)
    if len(reps) < x.array.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
        )
    return Repeat.apply(x, reps)


def flip(x, *args, dims=None):
    """Reverse ``x`` along ``dims``: ``flip(x, (2, 3))``, ``x.flip(2, 3)`` or ``x.flip(dims=[2, 3])``."""
    if args:
        if dims is not None:
            raise TypeError("flip() got multiple values for argument 'dims'")
        dims = args[0] if len(args) == 1 else args
    if dims is None:
        raise TypeError("flip() missing 1 required positional argument: 'dims'")
    if isinstance(dims, int):
        dims = (dims,)
    return Flip.apply(x, tuple(wrap_dim(d, x.array.ndim, "flip") for d in dims))


def narrow(x, dim: int | None = None, start: int = 0, length: int | None = None, *, axis=None):
    if axis is not None:
        dim = axis
    if dim is None or length is None:
        raise TypeError("narrow() missing required arguments: 'dim' and 'length'")
    d = wrap_dim(dim, x.array.ndim, "narrow")
    index = (slice(None),) * d + (slice(start, start + length),)
    return x[index]


def cat(tensors, dim: int = 0, *, axis=None):
    if axis is not None:
        dim = axis
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat(): expected a non-empty list of Tensors")
    tensors = [t for t in tensors if not (t.array.ndim == 1 and t.array.shape[0] == 0)] or tensors[:1]
    ref = tensors[0]
    d = wrap_dim(dim, ref.array.ndim, "cat") if ref.array.ndim else 0
    if ref.array.ndim == 0:
        raise RuntimeError("cat(): zero-dimensional tensor (at position 0) cannot be concatenated")
    for i, t in enumerate(tensors):
        if t.array.ndim != ref.array.ndim:
            raise RuntimeError(
                f"cat(): Tensors must have same number of dimensions: got {ref.array.ndim} and "
                f"{t.array.ndim} (tensor {i}: {describe(t)})"
            )
        for k in range(ref.array.ndim):
            if k != d and t.array.shape[k] != ref.array.shape[k]:
                raise RuntimeError(
                    f"cat(): Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref.array.shape[k]} but got size {t.array.shape[k]} for tensor number {i} in the "
                    f"list (shapes {[list(x.array.shape) for x in tensors]})"
                )
        if t.device != ref.device:
            raise RuntimeError(
                f"cat(): Expected all tensors to be on the same device, but found at least two devices, "
                f"{ref.device} and {t.device}!"
            )
    dtypes = {t.array.dtype for t in tensors}
    if len(dtypes) > 1:
        common = _promote(dtypes)
        tensors = [t if t.array.dtype == common else t.to(common) for t in tensors]
    return Cat.apply(d, *tensors)


def _promote(dtypes) -> np.dtype:
    """torch's promotion of tensor dtypes: a float dtype wins over ints/bool without widening."""
    floats = [d for d in dtypes if d.kind == "f"]
    return np.result_type(*floats) if floats else np.result_type(*dtypes)


concat = concatenate = cat


def stack(tensors, dim: int = 0, *, axis=None):
    if axis is not None:
        dim = axis
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0].array.shape
    for i, t in enumerate(tensors):
        if t.array.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                f"{list(t.array.shape)} at entry {i}"
            )
    d = wrap_dim(dim, len(shape) + 1, "stack")
    return cat([unsqueeze(t, d) for t in tensors], d)


def split(x, split_size_or_sections, dim: int = 0):
    d = wrap_dim(dim, x.array.ndim, "split")
    n = x.array.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and n > 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
        sizes = [min(step, n - s) for s in range(0, n, step)] if step else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                f"dimension {d}), but got split_sizes={sizes}"
            )
    return Split.apply(x, d, tuple(sizes), False)


def chunk(x, chunks: int, dim: int = 0, *, axis=None):
    if axis is not None:
        dim = axis
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, x.array.ndim, "chunk")
    n = x.array.shape[d]
    step = -(-n // chunks) if n else 1
    return split(x, step, d)


def unbind(x, dim: int = 0, *, axis=None):
    if axis is not None:
        dim = axis
    d = wrap_dim(dim, x.array.ndim, "unbind")
    return Split.apply(x, d, (1,) * x.array.shape[d], True)


class Split(BuiltinOp):
    """Consecutive pieces of x along ``dim`` (views), one output each; ``squeeze``: unbind's
    size-1 pieces without that dim. One node for all pieces, so backward is one cat, not a
    zero-filled full-size gradient per piece."""

    @staticmethod
    def forward(ctx, x, dim, sizes, squeeze):
        ctx.dim, ctx.squeeze = dim, squeeze
        arr, lead, out, start = x.array, (slice(None),) * dim, [], 0
        for s in sizes:
            out.append(arr[lead + ((start, Ellipsis) if squeeze else (slice(start, start + s),))])  # 0-d views too
            start += s
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads):
        """d x = the pieces' gradients joined back along dim (missing ones arrive as zeros)."""
        joined = stack(grads, ctx.dim) if ctx.squeeze else cat(grads, ctx.dim)
        return joined, None, None, None


def movedim(x, source, destination):
    nd = x.array.ndim
    src = [wrap_dim(s, nd, "movedim") for s in (source if isinstance(source, (tuple, list)) else [source])]
    dests = destination if isinstance(destination, (tuple, list)) else [destination]
    dst = [wrap_dim(s, nd, "movedim") for s in dests]
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return Permute.apply(x, tuple(order))


def contiguous(x):
    if x.array.flags.c_contiguous:
        return x
    arr = xp_of(x.array).ascontiguousarray(x.array)
    out = Tensor._wrap(arr) if not x._requires_grad else Reshape.apply(x, x.array.shape)
    if x._requires_grad:
        out.array = arr
    return out
