"""Helpers shared by the op families: undoing broadcasting, operand unwrapping, error messages."""
from __future__ import annotations

import numpy as np

from ..backend.dtype import get_default_dtype
from ..tensor import Tensor, _wrap_dim

_FLOAT64 = np.dtype(np.float64)
_FLOAT32 = np.dtype(np.float32)
_BOOL = np.dtype(np.bool_)


def unbroadcast(grad: Tensor, shape: tuple) -> Tensor:
    """Sum ``grad`` over the dims that broadcasting added or stretched, so it has ``shape``.

    The single place where broadcasting is undone: every binary op's backward calls it.
    """
    gshape = grad.array.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gshape[i + lead] != 1
    )
    if axes:
        grad = grad.sum(dim=axes, keepdim=False)
    if grad.array.shape != shape:
        grad = grad.reshape(shape)
    return grad


def array_of(x):
    """The raw array of a Tensor, or the value itself for a Python scalar."""
    return x.array if isinstance(x, Tensor) else x


def shape_of(x) -> tuple:
    return x.array.shape if isinstance(x, Tensor) else ()


def describe(x) -> str:
    """How an operand is named in error messages: shape, dtype and device."""
    if isinstance(x, Tensor):
        return f"Tensor{tuple(x.array.shape)} {x.dtype} on {x.device}"
    return f"{type(x).__name__} {x!r}"


def binary_error(op: str, a, b, err: Exception) -> Exception:
    """Turn NumPy/CuPy's complaint about two operands into PyTorch's exception and wording."""
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.device != b.device:
        return RuntimeError(
            f"{op}: Expected all tensors to be on the same device, but found at least two devices, "
            f"{a.device} and {b.device}! ({describe(a)}, {describe(b)})"
        )
    sa, sb = shape_of(a), shape_of(b)
    if isinstance(err, ValueError) and "broadcast" in str(err):
        n = max(len(sa), len(sb))
        pa, pb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
        for d in range(n - 1, -1, -1):
            if pa[d] != pb[d] and pa[d] != 1 and pb[d] != 1:
                return RuntimeError(
                    f"{op}: The size of tensor a ({pa[d]}) must match the size of tensor b ({pb[d]}) "
                    f"at non-singleton dimension {d} (shapes {list(sa)} and {list(sb)})"
                )
    return RuntimeError(f"{op}: cannot combine {describe(a)} and {describe(b)}: {err}")


def torch_operands(x, y, op: str = "", float_op: bool = False):
    """(x, y) cast to torch's result dtype for a binary op, computed from the raw operands (arrays, NumPy
    scalars, Python numbers) by torch's rule, not NumPy's: categories bool < int < float < complex; in a
    category an array with dims beats a 0-d array beats a scalar (``int32 + tensor(3)`` stays int32, ``float16 *
    tensor(0.1)`` float16); a higher category wins (``int64 + float16`` is float16; ints with a Python float give
    the default dtype). A Python int is wrapped into an integer result's width (``uint8 - 128`` wraps mod 256),
    as torch does; ``op`` names torch's error when it is out of int64's range. ``float_op`` (true division,
    atan2, ...): an integer/bool result dtype becomes the default float, each operand cast to it from its own
    dtype (``uint8 255 / int8 -128`` is -1.99 in torch, not a division of wrapped values).

    The one promotion step of the binary ops: they call it only when the operands' dtypes differ (a Python
    number has none), so same-dtype operands never reach it."""
    yc = y.__class__
    if x.__class__ is yc:  # two arrays (a Tensor's array is never a NumPy scalar)
        if (x.dtype is _BOOL or y.dtype is _BOOL) and not float_op:  # a bool array (a backward's mask) with
            return x, y  # another array: NumPy gives the other one's dtype, as torch does
    elif yc is float or yc is int:  # a tensor with a Python number: no cast when it keeps the tensor's dtype
        kind = x.dtype.kind  # (NumPy's weak scalars then give the same dtype as torch)
        if kind in "fc" or (kind in "iu" and yc is int and (float_op or fits_dtype(y, x.dtype))):
            return x, y
    elif x.__class__ in (float, int) and y.dtype.kind in "fc":
        return x, y
    from ..backend.dtype import array_result_type

    try:
        out = array_result_type(x, y)
    except (TypeError, AttributeError):  # not an array or a number (None, a list...)
        return _sequence_operands(x, y)
    if float_op and out.kind not in "fc":
        out = get_default_dtype().np
    try:
        return cast_operand(x, out), cast_operand(y, out)
    except OverflowError:  # a Python int beyond int64: torch's message
        raise RuntimeError(f"{op}: Overflow when unpacking long") from None


def _sequence_operands(x, y):
    """A list/tuple operand (``t * [1, 2]``, which torch refuses) as an array that promotes like a Python number
    of its kind, so the tensor keeps its dtype where it can; anything else unchanged, for the op to refuse."""
    seqs = [isinstance(v, (list, tuple)) for v in (x, y)]
    if seqs[0] == seqs[1]:
        return x, y
    seq, other = (x, y) if seqs[0] else (y, x)
    arr = np.asarray(seq)
    if arr.dtype.kind not in "biufc" or not hasattr(other, "dtype"):
        return x, y
    from ..backend import xp_of
    from ..backend.dtype import array_result_type

    number = arr.dtype.type(0).item() if arr.dtype.kind != "b" else False
    out = array_result_type(other, number)
    arr = xp_of(other).asarray(arr.astype(out))
    return (arr, cast_operand(other, out)) if seqs[0] else (cast_operand(other, out), arr)


def fits_dtype(v: int, dt: np.dtype) -> bool:
    """Whether the Python int ``v`` is a value of integer dtype ``dt``."""
    info = _IINFO.get(dt)
    if info is None:
        info = _IINFO[dt] = (int(np.iinfo(dt).min), int(np.iinfo(dt).max))
    return info[0] <= v <= info[1]


def torch_scalar_fits(v: int, dt: np.dtype) -> bool:
    """torch's overflow check for a Python int converted to integer dtype ``dt`` (``where(x, 300, y)``): in
    range, or for an unsigned dtype a negative value down to -max (it wraps by two's complement)."""
    if dt.kind == "u":
        return -int(np.iinfo(dt).max) <= v <= int(np.iinfo(dt).max)
    return fits_dtype(v, dt)


_IINFO: dict = {}


def cast_operand(v, out: np.dtype):
    """One operand in dtype ``out``: an array cast, a Python/NumPy number as a NumPy scalar of ``out`` (an int
    wrapped into an integer width, as torch does) or left as a Python number where NumPy keeps ``out`` anyway."""
    dt = getattr(v, "dtype", None)
    if dt is out:
        return v
    if dt is not None and not isinstance(v, np.generic):
        return v.astype(out)
    kind = out.kind
    if dt is None and kind in "fc":  # a Python number with a float array: NumPy's weak scalar keeps ``out``
        return v
    if kind in "iu":
        v = int(v)
        if not fits_dtype(v, out):
            return np.array(v, dtype=np.int64).astype(out)[()]
    return out.type(v)


def torch_float_result(r, x, y):
    """NumPy promotes int with float32 (or int / int, or anything with a np.float64 scalar) to
    float64; PyTorch keeps float64 only when a float64 tensor asks for it (see ``_keeps_float64``)."""
    if r.dtype is _FLOAT64 and not _keeps_float64(x, y):
        narrow = _narrow_float(x, y)
        return r if narrow is _FLOAT64 else r.astype(narrow)
    return r


def _narrow_float(x, y) -> np.dtype:
    """The float width torch gives a result NumPy widened to float64: float32 when a float32 array
    takes part (an int tensor with a 0-d float32 tensor), else the default float dtype."""
    for v in (x, y):
        if getattr(v, "dtype", None) == _FLOAT32 and not isinstance(v, np.generic):
            return _FLOAT32
    return get_default_dtype().np


def _keeps_float64(x, y) -> bool:
    """torch's rule: a dimensioned float64 tensor wins; a 0-d float64 tensor wins unless the other
    operand is a dimensioned float tensor; NumPy/Python scalars never decide the float width."""
    fx = _f64_rank(x)
    fy = _f64_rank(y)
    if fx == 2 or fy == 2:
        return True
    if fx == 1:
        return not _is_dimensioned_float(y)
    if fy == 1:
        return not _is_dimensioned_float(x)
    return False


def _f64_rank(v) -> int:
    """2: a float64 array with dims; 1: a 0-d float64 array; 0: anything else (scalars included)."""
    if isinstance(v, np.generic) or getattr(v, "dtype", None) is not _FLOAT64:
        return 0
    return 2 if v.ndim else 1


def _is_dimensioned_float(v) -> bool:
    return not isinstance(v, np.generic) and getattr(v, "ndim", 0) > 0 and v.dtype.kind == "f"


def normalize_dims(dim, ndim: int, op: str) -> tuple | None:
    """``dim`` (None, int, or sequence) as a sorted tuple of non-negative axes (None = all)."""
    if dim is None:
        return None
    if isinstance(dim, (int, np.integer)):
        return (_wrap_dim(int(dim), ndim, op),)
    dims = tuple(_wrap_dim(int(d), ndim, op) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"{op}: dim {list(dim)} appears multiple times in the list of dims")
    return tuple(sorted(dims))


def bad_keepdim(op: str, keepdim) -> None:
    """torch's TypeError for a non-bool ``keepdim``: ``x.sum(1, 2)`` (meant: dims 1 and 2) must not pass silently
    as keepdim=True. Callers test ``keepdim is not False and keepdim is not True`` first (free on the hot path)."""
    raise TypeError(f"{op}(): argument 'keepdim' must be bool, not {type(keepdim).__name__} "
                    f"(to reduce over several dims pass a tuple: {op}(dim=(a, b)))")


def keepdim_shape(shape: tuple, axes: tuple | None) -> tuple:
    """The shape a reduction over ``axes`` has with keepdim=True."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


wrap_dim = _wrap_dim


def require_some_tensor(op: str, a, b) -> None:
    """torch's TypeError for a binary op given two Python numbers (``xlogy(2, 3)``)."""
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{op}(): expected at least one Tensor argument, got {type(a).__name__} and "
                        f"{type(b).__name__}")


#: torch's names of the scalar types, as its kernel errors spell them
TORCH_TYPE_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
    "float16": "Half", "float32": "Float", "float64": "Double",
}


def torch_type_name(x) -> str:
    """'Long', 'Float', ...: how torch's kernel errors name the dtype of ``x`` (a Tensor, array or dtype)."""
    d = getattr(x, "array", x)
    name = getattr(getattr(d, "dtype", d), "name", str(d))
    return TORCH_TYPE_NAMES.get(name, name)


def require_tensor(op: str, x, arg: str = "input", position: int = 1) -> None:
    """torch's TypeError for an op whose argument must be a Tensor (``atan2(x, 2.0)``)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' (position {position}) must be Tensor, not {type(x).__name__}")


def require_floating(op: str, *operands) -> None:
    """torch's NotImplementedError for float-only kernels given only integer/bool operands."""
    arrays = [o.array for o in operands if isinstance(o, Tensor)]
    if arrays and not any(a.dtype.kind == "f" for a in arrays):
        raise NotImplementedError(
            f'"{op}" not implemented for \'{torch_type_name(arrays[0])}\' '
            f"(shapes {', '.join(str(list(a.shape)) for a in arrays)}): pass a floating-point tensor"
        )


def kernel_not_implemented(kernel: str, np_dtype) -> NotImplementedError:
    """torch's error for a dtype a CPU kernel lacks: ``"gcd_cpu" not implemented for 'Float'``."""
    return NotImplementedError(f'"{kernel}_cpu" not implemented for \'{torch_type_name(np_dtype)}\'')


def promoted_operands(op: str, a, b, kinds: str, *, kernel: str | None = None, tensors_only: bool = False,
                      wrap_ints: bool = False):
    """(x, y, xp, out NumPy dtype): a binary op's operands as arrays of torch's result dtype, which must be of
    ``kinds`` (else ``kernel_not_implemented``). ``tensors_only``: both must be Tensors (torch's TypeError
    otherwise); ``wrap_ints``: a Python int wraps to the result's width (``int8 & 300``), as torch does."""
    if tensors_only:
        require_tensor(op, a, "input", 1)
        require_tensor(op, b, "other", 2)
    else:
        require_some_tensor(op, a, b)
        for v in (a, b):
            if not isinstance(v, (Tensor, bool, int, float, np.generic)):
                raise TypeError(f"{op}(): argument 'other' must be Tensor or Number, not {type(v).__name__}")
    from ..backend import xp_of
    from ..backend.dtype import result_type

    out = result_type(a, b).np
    if out.kind not in kinds:
        raise kernel_not_implemented(kernel or op, out)
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.device != b.device:
        raise RuntimeError(f"{op}: Expected all tensors to be on the same device, but found at least two "
                           f"devices, {a.device} and {b.device}!")
    xp = xp_of(a.array if isinstance(a, Tensor) else b.array)

    def arr(v):
        if isinstance(v, Tensor):
            return v.array if v.array.dtype == out else v.array.astype(out)
        if wrap_ints and isinstance(v, (int, np.integer)) and not isinstance(v, bool) and out.kind != "b":
            return xp.asarray(np.array(int(v)).astype(out))
        return xp.asarray(v, dtype=out)

    return arr(a), arr(b), xp, out

