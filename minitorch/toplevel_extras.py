"""The remaining top-level ``torch.*`` odds and ends: conversions (``asarray``, ``frombuffer``, ``scalar_tensor``,
``range``), ``rsub``/``fill``, the top-level in-place functions (``torch.exp_(t)`` = ``t.exp_()``), type and
state queries, global switches (default tensor type, flush-denormal, warn-always, deterministic debug mode,
anomaly mode), the old norms (``frobenius_norm``, ``nuclear_norm``, ``norm_except_dim``, ``chain_matmul``),
``segment_reduce``, ``nonzero_static``, the eager control-flow ops ``cond``/``while_loop``, and the functions torch
removed in 2.x (``lstsq``, ``solve``, ``eig``, ``symeig``, ``matrix_rank``), which raise torch's own errors.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np

from .autograd.function import BuiltinOp
from .backend import xp_of
from .backend.arrays import is_cupy_array, xp_for_device
from .backend.device import parse_device
from .backend.dtype import from_numpy_dtype, get_default_dtype, to_dtype
from .tensor import Tensor

__all__ = [
    "asarray", "chain_matmul", "cond", "eig", "fill", "fork", "frobenius_norm", "frombuffer",
    "get_deterministic_debug_mode", "get_device", "get_device_module", "init_num_threads",
    "is_anomaly_check_nan_enabled", "is_anomaly_enabled", "is_complex", "is_inference", "is_neg", "is_nonzero",
    "is_same_size", "is_signed", "is_warn_always_enabled", "lstsq", "matrix_rank", "nonzero_static",
    "norm_except_dim", "nuclear_norm", "range", "resolve_neg", "rsub", "scalar_tensor", "segment_reduce",
    "set_anomaly_enabled", "set_default_tensor_type", "set_deterministic_debug_mode", "set_flush_denormal",
    "set_warn_always", "solve", "symeig", "typename", "wait", "while_loop",
]

_builtin_range = range


# ---------------------------------------------------------------- conversions ------------------------------
def _alias_error(src: str, dst) -> ValueError:
    return ValueError(f"can't alias tensor with dtype '{src}' into dtype '{dst}'.")


def _aten_name(dt) -> str:
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
             "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
    return names.get(dt.name if hasattr(dt, "name") else str(dt), str(dt))


def asarray(obj, *, dtype=None, device=None, copy: bool | None = None, requires_grad: bool | None = None) -> Tensor:
    """``torch.asarray``: ``obj`` as a tensor, sharing memory with a Tensor, NumPy array/scalar or CuPy array when
    no dtype/device conversion is needed and ``copy`` is not True; ``copy=False`` raises ValueError where it
    cannot alias. Objects with the buffer protocol (bytes, array.array...) are read as ``frombuffer`` with
    ``dtype`` (default: the default dtype); sequences and scalars are copied with torch.tensor's inference.
    ``requires_grad=None`` keeps a tensor's own flag (torch's current default, with its warning)."""
    want = to_dtype(dtype) if dtype is not None else None
    dev = parse_device(device) if device is not None else None
    if isinstance(obj, Tensor) or isinstance(obj, (np.ndarray, np.generic)) or is_cupy_array(obj):
        src = obj if isinstance(obj, Tensor) else None
        arr = obj.array if src is not None else (np.asarray(obj) if isinstance(obj, np.generic) else obj)
        from_numpy_dtype(arr.dtype)
        src_dev = parse_device("cuda") if is_cupy_array(arr) else parse_device("cpu")
        same = (want is None or want.np == arr.dtype) and (dev is None or dev.type == src_dev.type)
        if copy is False and not same:
            if want is not None and want.np != arr.dtype:
                raise _alias_error(_aten_name(arr.dtype), _aten_name(want))
            raise ValueError(f"can't alias tensor from device '{src_dev}' to '{dev}'.")
        if same and not copy:
            if isinstance(obj, np.generic):
                result = Tensor._wrap(np.array(obj))
            else:
                result = src if src is not None else Tensor._wrap(arr)
        else:
            target = Tensor._wrap(arr) if src is None else src.detach()
            result = target.to(dev if dev is not None else src_dev, want if want is not None else target.dtype,
                               copy=True)
        if src is not None and requires_grad is None:
            if src.requires_grad:
                warnings.warn("torch.asarray: unspecified requires_grad now defaults to obj.requires_grad instead "
                              "of False. Pass requires_grad=False explicitly to get the old behavior and silence "
                              "this warning.", UserWarning, stacklevel=2)
                if result is not src:
                    result.requires_grad_(True)
            return result
        if requires_grad is not None and result.is_leaf:
            result.requires_grad_(bool(requires_grad))
        return result
    if isinstance(obj, (bytes, bytearray, memoryview)) or (
            not isinstance(obj, (list, tuple, int, float, bool, complex)) and _has_buffer(obj)):
        out = frombuffer(obj, dtype=want if want is not None else get_default_dtype())
        out = out if dev is None or dev.type == "cpu" else out.to(dev)
        return out.requires_grad_(True) if requires_grad else out
    if copy is False:
        raise ValueError("can't alias arbitrary sequence into a tensor.")
    from .creation import tensor

    return tensor(obj, dtype=want, device=dev, requires_grad=bool(requires_grad))


def _has_buffer(obj) -> bool:
    try:
        memoryview(obj)
    except TypeError:
        return False
    return True


def frombuffer(buffer, *, dtype, count: int = -1, offset: int = 0, requires_grad: bool = False) -> Tensor:
    """``torch.frombuffer``: a 1-D CPU tensor over the bytes of a buffer-protocol object, sharing its memory
    (writes go through both ways). A read-only buffer (``bytes``) gives a read-only NumPy view; torch warns
    that it does not support non-writable tensors and so does this function."""
    dt = to_dtype(dtype)
    view = memoryview(buffer)
    length = view.nbytes
    size = dt.np.itemsize
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if offset < 0 or offset >= length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
                         f"({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % size:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a "
                             f"multiple of element size ({size})")
        count = (length - offset) // size
    elif offset + count * size > length:
        raise ValueError(f"requested buffer length ({count} * {size} bytes) after offset ({offset} bytes) must not "
                         f"be greater than actual buffer length ({length} bytes)")
    if view.readonly:
        warnings.warn("The given buffer is not writable, and PyTorch does not support non-writable tensors. This "
                      "means you can write to the underlying (supposedly non-writable) buffer using the tensor. You "
                      "may want to copy the buffer to protect its data or make it writable before converting it to "
                      "a tensor.", UserWarning, stacklevel=2)
    arr = np.frombuffer(view.cast("B"), dtype=dt.np, count=count, offset=offset)
    out = Tensor._wrap(arr)
    return out.requires_grad_(True) if requires_grad else out


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory: bool | None = None,
                  requires_grad: bool = False) -> Tensor:
    """``torch.scalar_tensor``: a 0-dim tensor holding ``s``, in the default float dtype unless ``dtype``."""
    from .creation import full

    return full((), s, dtype=dtype if dtype is not None else get_default_dtype(), device=device,
                requires_grad=requires_grad)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,  # noqa: A001
          requires_grad: bool = False) -> Tensor:
    """``torch.range`` (deprecated in torch, and warns so): start, start + step, ..., up to and INCLUDING end;
    floor((end - start) / step) + 1 values, in the default float dtype unless ``dtype``."""
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).", UserWarning, stacklevel=2)
    start, end, step = (float(v) if isinstance(v, Tensor) else v for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(np.floor((end - start) / step)) + 1
    dt = to_dtype(dtype) if dtype is not None else (out.dtype if out is not None else get_default_dtype())
    xp = xp_for_device(parse_device(device) if device is not None else _default_device())
    arr = (start + xp.arange(n, dtype=np.float64) * step).astype(dt.np)
    if out is not None:
        out.resize_(n) if tuple(out.shape) != (n,) else None
        out.array[...] = arr
        return out
    result = Tensor._wrap(arr)
    return result.requires_grad_(True) if requires_grad else result


def _default_device():
    from .creation import get_default_device

    return get_default_device()


# ---------------------------------------------------------------- rsub, fill -------------------------------
def rsub(input: Tensor, other, alpha=1) -> Tensor:
    """``torch.rsub(input, other, alpha=1)``: other - alpha * input (reversed ``sub``)."""
    from .backend.dtype import result_type

    if input.dtype.name == "bool" and (isinstance(other, bool) or (isinstance(other, Tensor)
                                                                    and other.dtype.name == "bool")):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    out_dtype = result_type(input, other)
    if isinstance(alpha, float) and not out_dtype.is_floating_point:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    scaled = input if alpha == 1 else input * alpha
    if isinstance(other, Tensor):
        return other - scaled
    return scaled.__rsub__(other)


class Fill(BuiltinOp):
    """``fill(input, value)``: a tensor like ``input`` filled with ``value`` (a number or a 0-dim tensor)."""

    @staticmethod
    def forward(ctx, input, value):
        arr = input.array
        v = value.array.astype(arr.dtype) if isinstance(value, Tensor) else value
        ctx.shape = arr.shape
        return xp_of(arr).full(arr.shape, v, dtype=arr.dtype)

    @staticmethod
    def backward(ctx, g):
        """d/d input = 0 (the values are overwritten); d/d value = sum(g) (one value fills every place)."""
        g_value = g.sum() if ctx.needs_input_grad[1] else None
        return (g * 0 if ctx.needs_input_grad[0] else None), g_value


def fill(input: Tensor, value) -> Tensor:
    """``torch.fill(input, value)``: out-of-place ``fill_``; ``value`` a number or a 0-dim tensor."""
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.dim()} "
                           "dimensions.")
    return Fill.apply(input, value)


# ---------------------------------------------------------------- top-level in-place functions -------------
_INPLACE = """abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_
atan_ atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ deg2rad_ detach_ erf_ erfc_ exp2_ exp_ expm1_
fill_ fix_ floor_ frac_ gcd_ i0_ index_put_ lcm_ ldexp_ log10_ log1p_ log2_ log_ logit_ nan_to_num_ neg_ negative_
rad2deg_ reciprocal_ resize_as_ round_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ xlogy_
zero_""".split()


def _inplace_function(name: str) -> Callable:
    def fn(input: Tensor, *args, **kwargs) -> Tensor:
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.{name}(input, ...)``: the same as ``input.{name}(...)``."
    return fn


# bound for each Tensor method that exists when minitorch is imported (the families bind theirs first)
for _name in _INPLACE:
    if hasattr(Tensor, _name):
        globals()[_name] = _inplace_function(_name)
        __all__.append(_name)
del _name


# ---------------------------------------------------------------- queries ----------------------------------
def typename(obj) -> str:
    """``torch.typename``: 'torch.FloatTensor' for tensors, else the object's module-qualified type name."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def get_device(input: Tensor) -> int:
    """``torch.get_device``: -1 on the CPU, the GPU index on CUDA."""
    return input.get_device()


def is_nonzero(input: Tensor) -> bool:
    """``torch.is_nonzero``: the truth value of a one-element tensor (RuntimeError otherwise)."""
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.array.reshape(()) != 0)


def is_same_size(input: Tensor, other: Tensor) -> bool:
    """``torch.is_same_size``: equal shapes."""
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input: Tensor) -> bool:
    """``torch.is_signed``: False for uint8 and bool, True for every other minitorch dtype."""
    return input.dtype.name not in ("uint8", "bool")


def is_complex(input: Tensor) -> bool:
    """``torch.is_complex``: whether the dtype is complex64 or complex128."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_complex(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input.array.dtype.kind == "c"


def is_inference(input: Tensor) -> bool:
    """``torch.is_inference``: whether the tensor is an inference tensor (``input.is_inference()``)."""
    return input.is_inference()


def is_neg(input: Tensor) -> bool:
    """``torch.is_neg``: always False: minitorch has no lazy negation bit (``neg`` computes its result)."""
    return False


def resolve_neg(input: Tensor) -> Tensor:
    """``torch.resolve_neg``: the input itself, as torch returns a tensor whose negation bit is not set."""
    return input


# ---------------------------------------------------------------- global switches --------------------------
def set_default_tensor_type(t, /) -> None:
    """``torch.set_default_tensor_type`` (deprecated in torch, warns the same): a floating legacy type
    (``minitorch.DoubleTensor``, ``'torch.FloatTensor'``...) sets the default dtype, a ``cuda`` one also
    the default device."""
    from .creation import set_default_device
    from .tensor import _parse_type_name

    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.", UserWarning,
                  stacklevel=2)
    if isinstance(t, str):
        try:
            dt, dev = _parse_type_name(t)
        except ValueError:
            raise TypeError(f"invalid type: '{t}'") from None
    elif hasattr(t, "dtype") and hasattr(t, "_device"):
        dt, dev = t.dtype, t._device
    else:
        raise TypeError("invalid type object: only floating-point types are supported as the default type")
    if not dt.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    if dev == "cuda":
        from . import cuda

        if not cuda.is_available():
            raise TypeError(f"type {t if isinstance(t, str) else 'torch.cuda.' + t.__name__} not available. "
                            "Torch not compiled with CUDA enabled.")
    from .backend.dtype import set_default_dtype

    set_default_dtype(dt)
    set_default_device(dev if dev == "cuda" else None)


def set_flush_denormal(mode: bool) -> bool:
    """``torch.set_flush_denormal``: returns False, as torch does where it cannot set the mode. Flushing
    denormals is a per-thread CPU control flag (x86 MXCSR FTZ/DAZ) that NumPy does not expose and Python
    cannot set, so subnormal numbers stay as they are."""
    return False


_warn_always = {"on": False}


def set_warn_always(b: bool, /) -> None:
    """``torch.set_warn_always``: recorded and read back by ``is_warn_always_enabled``. minitorch's warnings
    go through Python's ``warnings`` module, whose filters (not this flag) decide how often one is shown."""
    _warn_always["on"] = bool(b)


def is_warn_always_enabled() -> bool:
    """``torch.is_warn_always_enabled``."""
    return _warn_always["on"]


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode: int | str) -> None:
    """``torch.set_deterministic_debug_mode``: 0/'default' = ``use_deterministic_algorithms(False)``,
    1/'warn' = ``(True, warn_only=True)``, 2/'error' = ``(True)``."""
    from .settings import use_deterministic_algorithms

    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    elif not isinstance(debug_mode, int) or isinstance(debug_mode, bool):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """``torch.get_deterministic_debug_mode``: 0, 1 (warn only) or 2 (error), from the deterministic setting."""
    from .settings import are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled

    if not are_deterministic_algorithms_enabled():
        return 0
    return 1 if is_deterministic_algorithms_warn_only_enabled() else 2


def is_anomaly_enabled() -> bool:
    """``torch.is_anomaly_enabled``."""
    from .autograd.anomaly import is_anomaly_enabled as enabled

    return enabled()


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """``torch.set_anomaly_enabled``: switch anomaly mode (what ``autograd.set_detect_anomaly`` sets); with
    ``check_nan=False`` creation stacks are still recorded but backward results are not checked for NaN/Inf."""
    from .autograd.anomaly import set_anomaly_enabled as switch

    switch(enabled, check_nan)


def is_anomaly_check_nan_enabled() -> bool:
    """``torch.is_anomaly_check_nan_enabled``."""
    from .autograd.anomaly import is_anomaly_check_nan_enabled as check_nan

    return check_nan()


def get_device_module(device=None):
    """``torch.get_device_module``: ``minitorch.cuda`` for a CUDA device (the default when one is available).
    minitorch has no ``torch.cpu`` module, so a CPU device raises instead of returning a stand-in."""
    from . import cuda

    if device is None:
        kind = "cuda" if cuda.is_available() else "cpu"
    else:
        kind = device if isinstance(device, str) else parse_device(device).type
        kind = kind.split(":")[0]
    if kind == "cuda":
        return cuda
    raise RuntimeError(f"minitorch has no device module for '{kind}' (torch.{kind} is not part of minitorch)")


def init_num_threads() -> None:
    """``torch.init_num_threads``: nothing to do: NumPy's BLAS thread pool (sized by ``set_num_threads``) is
    process-wide, so a new Python thread already uses it."""
    return None


def fork(func: Callable, *args, **kwargs):
    """``torch.fork`` = ``minitorch.jit.fork``."""
    from .jit import fork as jit_fork

    return jit_fork(func, *args, **kwargs)


def wait(future):
    """``torch.wait`` = ``minitorch.jit.wait``."""
    from .jit import wait as jit_wait

    return jit_wait(future)


# ---------------------------------------------------------------- norms and products -----------------------
def frobenius_norm(input: Tensor, dim: Sequence[int], keepdim: bool = False) -> Tensor:
    """``torch.frobenius_norm(input, dim, keepdim=False)``: sqrt(sum x^2) over ``dim`` (one or two dims)."""
    from .ops.decomposition import vector_norm

    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) == 0 or len(dims) > 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(str(d) for d in dims)}")
    return vector_norm(input, 2, dim=dims, keepdim=keepdim)


def nuclear_norm(input: Tensor, dim: Sequence[int] | bool | None = None, keepdim: bool = False) -> Tensor:
    """``torch.nuclear_norm(input, keepdim=False)`` (a 2-D input) or ``(input, dim, keepdim=False)``: the sum
    of the singular values."""
    from .ops.decomposition import matrix_norm

    if isinstance(dim, bool):
        dim, keepdim = None, dim
    if dim is None:
        if input.dim() != 2:
            raise RuntimeError(f"Expected a tensor with 2 dimensions, but got a tensor with {input.dim()} "
                               f"dimension{'' if input.dim() == 1 else 's'} instead.")
        dim = (0, 1)
    return matrix_norm(input, "nuc", dim=tuple(dim), keepdim=keepdim)


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """``torch.norm_except_dim``: the ``pow``-norm over every dim but ``dim``, kept as size 1 (what weight_norm
    uses); ``dim=-1`` gives the norm of the whole tensor."""
    from .ops.decomposition import vector_norm

    if dim == -1:
        return vector_norm(v, pow)
    dim = dim % v.dim()
    others = tuple(d for d in _builtin_range(v.dim()) if d != dim)
    return vector_norm(v, pow, dim=others, keepdim=True) if others else v.abs()


def chain_matmul(*matrices, out=None) -> Tensor:
    """``torch.chain_matmul`` (deprecated in torch, warns the same): the product of 2-D matrices, as
    ``linalg.multi_dot``."""
    from .linalg import multi_dot

    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                  "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
                  "parameters.", UserWarning, stacklevel=2)
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if len(matrices) == 0:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.dim() != 2:
            raise RuntimeError(f"Tensor dimension is {m.dim()}, expected 2 instead.")
    result = matrices[0].clone() if len(matrices) == 1 else multi_dot(list(matrices))
    if out is not None:
        out.copy_(result)
        return out
    return result


# ---------------------------------------------------------------- segment_reduce, nonzero_static -----------
_SEGMENT = {"sum": "sum", "prod": "prod", "max": "amax", "min": "amin", "mean": "mean"}


def segment_reduce(data: Tensor, reduce: str, *, lengths: Tensor | None = None, indices: Tensor | None = None,
                   offsets: Tensor | None = None, axis: int = 0, unsafe: bool = False, initial=None) -> Tensor:
    """``torch.segment_reduce``: reduce consecutive segments of ``data`` along ``axis`` ('sum', 'mean',
    'max', 'min', 'prod'), segments given by 1-D ``lengths`` or ``offsets``. ``initial`` joins every segment's
    reduction (for 'mean': (initial + sum) / length) and fills empty ones; without it an empty segment is 0 /
    nan / -inf / inf / 1. Built from ``scatter_reduce`` (its backward: max/min gradients split among ties)."""
    from .ops.statistics import scatter_reduce

    if reduce not in _SEGMENT:
        raise RuntimeError(f"reduce argument must be either sum, max, min, mean or prod, got {reduce}")
    if indices is not None:
        raise RuntimeError("segment_reduce(): indices based reduction is not supported yet.")
    if lengths is None and offsets is None:
        raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined.")
    seg = lengths if lengths is not None else offsets
    if seg.dim() != 1:
        raise RuntimeError("segment_reduce(): minitorch supports 1-D lengths / offsets (a batch of them is not "
                           "supported)")
    axis = axis % max(data.dim(), 1)
    if axis != seg.dim() - 1:
        raise RuntimeError(f"segment_reduce(): Expected axis to be the last dimension of "
                           f"{'lengths' if lengths is not None else 'offsets'} but got {axis}.")
    arr = seg.array.astype(np.int64)
    xp = xp_of(data.array)
    lens = arr if lengths is not None else arr[1:] - arr[:-1]
    n_seg, rows = lens.shape[0], data.shape[0]
    ends = xp.cumsum(lens)
    if not unsafe:
        from .backend.checks import fail_if

        total = ends[-1] if n_seg else xp.zeros((), dtype=np.int64)
        fail_if((total != rows) | (lens < 0).any(), RuntimeError,
                "segment_reduce(): Expected all rows of lengths along axis to sum to data.size(lengths.dim()-1) "
                "when !unsafe.")
    ids = xp.minimum(xp.searchsorted(ends, xp.arange(rows, dtype=np.int64), side="right"), max(n_seg - 1, 0))
    dt = data.array.dtype
    rest = tuple(data.shape[1:])
    index = Tensor._wrap(xp.broadcast_to(ids.reshape((rows,) + (1,) * len(rest)), data.shape).copy())
    neutral = {"sum": 0.0, "mean": 0.0, "prod": 1.0, "max": -np.inf, "min": np.inf}[reduce]
    base_value = neutral if initial is None or reduce == "mean" else initial
    base = Tensor._wrap(xp.full((n_seg,) + rest, base_value, dtype=dt))
    out = scatter_reduce(base, 0, index, data, "sum" if reduce == "mean" else _SEGMENT[reduce], include_self=True)
    if reduce != "mean":
        return out  # an empty segment keeps the base: initial, or the reduction's neutral value
    from .ops.elementwise import where

    lens_b = lens.reshape((n_seg,) + (1,) * len(rest))
    total = out if initial is None else out + initial
    mean = total / Tensor._wrap(xp.maximum(lens_b, 1).astype(dt))
    empty = Tensor._wrap(xp.broadcast_to(lens_b == 0, (n_seg,) + rest))
    return where(empty, Tensor._wrap(xp.full((), np.nan if initial is None else initial, dtype=dt)), mean)


def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1) -> Tensor:
    """``torch.nonzero_static``: the (size, ndim) int64 indices of the first ``size`` nonzero elements in
    row-major order, padded with ``fill_value``: a fixed shape, found without reading the count back."""
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer, but got {size}")
    arr = input.array
    xp = xp_of(arr)
    flat = (arr != 0).reshape(-1)
    n = flat.shape[0]
    order = xp.argsort(~flat, kind="stable") if xp is np else xp.argsort((~flat).astype(np.int8), kind="stable")
    order = order[:size].astype(np.int64)
    taken = order.shape[0]
    count = flat.sum()
    valid = xp.arange(taken) < count
    ndim = arr.ndim
    if ndim == 0:
        coords = xp.zeros((taken, 0), dtype=np.int64)
    else:
        coords = xp.stack(xp.unravel_index(order, arr.shape), axis=1).astype(np.int64) if n else \
            xp.zeros((0, ndim), dtype=np.int64)
    coords = xp.where(valid[:, None], coords, np.int64(fill_value))
    if taken < size:
        pad = xp.full((size - taken, ndim), fill_value, dtype=np.int64)
        coords = xp.concatenate([coords, pad], axis=0)
    return Tensor._wrap(coords)


# ---------------------------------------------------------------- control flow (eager) ---------------------
def _truth(pred, op: str) -> bool:
    if isinstance(pred, Tensor):
        if pred.numel() != 1:
            raise RuntimeError(f"{op}: expected the predicate to be a tensor with a single element, got shape "
                               f"{list(pred.shape)}")
        return bool(pred.array.reshape(()))
    if isinstance(pred, (bool, int, float, np.bool_)):
        return bool(pred)
    raise RuntimeError(f"{op}: expected pred to be bool or single-element tensor, but got {pred}.")


def cond(pred, true_fn: Callable, false_fn: Callable, operands: tuple | list = ()):
    """``torch.cond`` run eagerly (what torch does outside ``torch.compile``): ``true_fn(*operands)`` if
    ``pred`` else ``false_fn(*operands)``; gradients flow through the branch taken."""
    if not isinstance(operands, (tuple, list)):
        raise RuntimeError(f"Expect operands to be a tuple of possibly nested dict/list/tuple that only consists "
                           f"of tensor leaves, but got {operands}.")
    if not callable(true_fn) or not callable(false_fn):
        raise RuntimeError("Expect both branches to be callable.")
    return true_fn(*operands) if _truth(pred, "cond") else false_fn(*operands)


def while_loop(cond_fn: Callable, body_fn: Callable, carried_inputs: tuple | list):
    """``torch.while_loop`` run eagerly: ``while cond_fn(*carried): carried = body_fn(*carried)``; returns the
    final carried values as a tuple."""
    if not isinstance(carried_inputs, (tuple, list)):
        raise RuntimeError(f"carried_inputs must be a tuple or list, got {type(carried_inputs)}")
    carried = tuple(carried_inputs)
    while _truth(cond_fn(*carried), "while_loop"):
        out = body_fn(*carried)
        carried = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    return carried


# ---------------------------------------------------------------- removed in torch 2 -----------------------
def lstsq(input: Tensor, A: Tensor, *, out=None):
    """Removed from torch (raises torch's error): use ``linalg.lstsq(A, B)``."""
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed. `torch.lstsq` is deprecated in favor of "
        "`torch.linalg.lstsq`.\n`torch.linalg.lstsq` has reversed arguments and does not return the QR "
        "decomposition in the returned tuple (although it returns other information about the problem).\n\nTo get "
        "the QR decomposition consider using `torch.linalg.qr`.\n\nThe returned solution in `torch.lstsq` stored "
        "the residuals of the solution in the last m - n columns of the returned value whenever m > n. In "
        "torch.linalg.lstsq, the residuals are in the field 'residuals' of the returned named tuple.\n\nThe "
        "unpacking of the solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced "
        "with:\nX = torch.linalg.lstsq(A, B).solution")


def solve(input: Tensor, A: Tensor, *, out=None):
    """Removed from torch (raises torch's error): use ``linalg.solve(A, B)``."""
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed. `torch.solve` is deprecated in favor of "
        "`torch.linalg.solve`. `torch.linalg.solve` has its arguments reversed and does not return the LU "
        "factorization.\n\nTo get the LU factorization see `torch.lu`, which can be used with `torch.lu_solve` or "
        "`torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\nX = torch.linalg.solve(A, B)")


def eig(self: Tensor, eigenvectors: bool = False, *, e=None, v=None):
    """Removed from torch (raises torch's error): ``linalg.eig`` returns complex tensors."""
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed. `torch.linalg.eig` returns complex "
        "tensors of dtype `cfloat` or `cdouble` rather than real tensors mimicking complex tensors.\n\nL, _ = "
        "torch.eig(A) should be replaced with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = "
        "torch.eig(A, eigenvectors=True) should be replaced with:\nL_complex, V_complex = torch.linalg.eig(A)")


def symeig(input: Tensor, eigenvectors: bool = False, upper: bool = True, *, out=None):
    """Removed from torch (raises torch's error): use ``linalg.eigh`` / ``linalg.eigvalsh``."""
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed. The default behavior has changed from "
        "using the upper triangular portion of the matrix by default to using the lower triangular portion.\n\nL, "
        "_ = torch.symeig(A, upper=upper) should be replaced with:\nL = torch.linalg.eigvalsh(A, UPLO='U' if upper "
        "else 'L')\n\nand\n\nL, V = torch.symeig(A, eigenvectors=True) should be replaced with:\nL, V = "
        "torch.linalg.eigh(A, UPLO='U' if upper else 'L')")


def matrix_rank(input: Tensor, tol=None, symmetric: bool = False, *, out=None):
    """Removed from torch (raises torch's error): use ``linalg.matrix_rank``."""
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed.\nPlease use the "
        "`torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was renamed in "
        "`torch.linalg.matrix_rank()` to 'hermitian'.")
