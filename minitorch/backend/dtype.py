"""dtypes: thin named wrappers over NumPy dtypes (CuPy uses the same dtype objects)."""
from __future__ import annotations

import numpy as np


class dtype:
    """A tensor element type, printed as ``torch.float32`` exactly as torch prints it (scripts compare
    ``str(x.dtype) == 'torch.float32'``; ``import minitorch as torch`` makes the names agree)."""

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize")

    def __init__(self, name: str, np_dtype):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_complex = self.np.kind == "c"
        self.is_signed = self.np.kind in "fic"
        self.itemsize = self.np.itemsize

    def to_complex(self) -> dtype:
        """The complex dtype with this float's precision (float32 -> complex64), as ``torch.dtype.to_complex``."""
        return _TO_COMPLEX.get(self.name, self)

    def to_real(self) -> dtype:
        """The real dtype of this complex one's parts (complex64 -> float32), as ``torch.dtype.to_real``."""
        return _TO_REAL.get(self.name, self)

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):  # dtypes are singletons; keep them so under copy/deepcopy
        return (to_dtype, (self.name,))


float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
uint8 = dtype("uint8", np.uint8)
bool_ = dtype("bool", np.bool_)
complex64 = dtype("complex64", np.complex64)
complex128 = dtype("complex128", np.complex128)
cfloat, cdouble = complex64, complex128
_TO_COMPLEX = {"float16": complex64, "float32": complex64, "float64": complex128}
_TO_REAL = {"complex64": float32, "complex128": float64}

class _MissingDtype:
    """A torch dtype NumPy has no type for (``bfloat16``): the name exists so scripts that list dtypes
    (``{'bfloat16': torch.bfloat16, ...}``) import, and using it raises a TypeError that says why."""

    __slots__ = ("name", "is_floating_point", "is_signed", "itemsize")
    is_complex = False

    def __init__(self, name: str, itemsize: int):
        self.name, self.is_floating_point, self.is_signed, self.itemsize = name, True, True, itemsize

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):  # a singleton: pickled as the module-level name, copies are itself
        return self.name


bfloat16 = _MissingDtype("bfloat16", 2)


#: the dtype of Python floats and of float results from integer inputs; change it with
#: ``set_default_dtype`` and read it as ``dtype.default_float`` at call time (never import the name)
default_float = float32


def set_default_dtype(d) -> None:
    """Make ``d`` (float16, float32 or float64) the dtype of new float tensors, as ``torch.set_default_dtype``."""
    global default_float
    new = to_dtype(d)
    if new.np.kind != "f":
        raise TypeError(f"only floating-point types are supported as the default type (got {new!r})")
    default_float = new


def get_default_dtype() -> dtype:
    """The dtype new float tensors get (float32 unless ``set_default_dtype`` changed it)."""
    return default_float

_BY_NUMPY = {d.np: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8, bool_, complex64,
                                complex128)}
_BY_NAME = {d.name: d for d in _BY_NUMPY.values()}
_BY_NAME.update({"float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
                 "cfloat": complex64, "cdouble": complex128})


def to_dtype(x) -> dtype:
    """Convert a minitorch dtype, NumPy dtype, name, or Python type to a minitorch dtype."""
    if isinstance(x, dtype):
        return x
    if isinstance(x, _MissingDtype) or (isinstance(x, str) and x.rsplit(".", 1)[-1] == "bfloat16"):
        raise TypeError("minitorch has no bfloat16: NumPy has no such type (use float16 or float32)")
    if isinstance(x, str):
        name = x.rsplit(".", 1)[-1]
        if name in _BY_NAME:
            return _BY_NAME[name]
        raise TypeError(f"unknown dtype name {x!r}")
    if x is float:  # Python's float is a double, as in torch (dtype=float -> float64)
        return float64
    if x is int:
        return int64
    if x is bool:
        return bool_
    if x is complex:  # Python's complex is a pair of doubles, as in torch
        return complex128
    name = getattr(x, "__module__", "") == "torch" and str(x).rsplit(".", 1)[-1]
    if name and name in _BY_NAME:  # accept torch dtypes too, for scripts that pass them
        return _BY_NAME[name]
    try:
        return _BY_NUMPY[np.dtype(x)]
    except (KeyError, TypeError):
        raise TypeError(f"unsupported dtype {x!r}") from None


def to_numpy_dtype(x) -> np.dtype:
    """The NumPy dtype for anything ``to_dtype`` accepts."""
    return to_dtype(x).np


def from_numpy_dtype(np_dtype) -> dtype:
    """The minitorch dtype of a NumPy dtype object (fast path for Tensor.dtype)."""
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(f"minitorch does not support arrays of dtype {np_dtype}") from None


# ---------------------------------------------------------------- dtype facts and promotion ------
class finfo:
    """Machine limits of a floating dtype, as ``torch.finfo``: bits, eps, max, min, tiny, resolution."""

    def __init__(self, type=None):  # noqa: A002  (torch's argument name)
        d = to_dtype(type) if type is not None else get_default_dtype()
        if d.np.kind != "f":
            raise TypeError(f"torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            f"'{d!r}'")
        info = np.finfo(d.np)
        self.bits, self.dtype = int(info.bits), d.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype, as ``torch.iinfo``: bits, min, max."""

    def __init__(self, type):  # noqa: A002
        d = to_dtype(type)
        if d.np.kind not in "iub":
            raise TypeError(f"torch.iinfo() requires an integer input type. Use torch.finfo to handle '{d!r}'")
        info = np.iinfo(np.uint8 if d.np.kind == "b" else d.np)
        self.bits, self.min, self.max, self.dtype = int(info.bits), int(info.min), int(info.max), d.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


def _category(d: dtype) -> int:
    """bool < integer < floating < complex: the order torch promotes across."""
    kind = d.np.kind
    return 0 if kind == "b" else 2 if kind == "f" else 3 if kind == "c" else 1


def default_complex() -> dtype:
    """The complex dtype of Python complex numbers: complex64 under a float32/float16 default, else complex128."""
    return complex128 if default_float is float64 else complex64


def promote_types(type1, type2) -> dtype:
    """The smallest dtype both promote to, by torch's table: an int with a float gives that float
    (int64 + float16 -> float16, where NumPy would give float64); uint8 + int8 -> int16; a complex with a
    float keeps the wider precision (complex64 + float64 -> complex128)."""
    a, b = to_dtype(type1), to_dtype(type2)
    ca, cb = _category(a), _category(b)
    if ca == 3 or cb == 3:
        if ca >= 2 and cb >= 2:  # float/complex mix: complex of the wider part
            return complex128 if 8 in (a.to_real().itemsize, b.to_real().itemsize) else complex64
        return a if ca > cb else b
    if ca != cb:
        return a if ca > cb else b
    return from_numpy_dtype(np.promote_types(a.np, b.np))


def _operand_dtype(x) -> tuple:
    """(dtype, priority): priority 2 = a tensor with dimensions, 1 = a 0-d tensor, 0 = a Python number."""
    if isinstance(x, bool):
        return bool_, 0
    if isinstance(x, int):
        return int64, 0
    if isinstance(x, float):
        return get_default_dtype(), 0
    if isinstance(x, complex):
        return default_complex(), 0
    arr = getattr(x, "array", None)
    if arr is not None and hasattr(arr, "dtype") and hasattr(arr, "ndim"):
        return from_numpy_dtype(arr.dtype), (2 if arr.ndim else 1)
    raise TypeError(f"result_type(): expected a Tensor or a Python number, got {type(x).__name__}")


def result_type(tensor1, tensor2) -> dtype:
    """The dtype an arithmetic op on these operands returns, by torch's rules: tensors with dimensions
    decide, unless a 0-d tensor or Python number is of a higher category (bool < int < float)."""
    return _ranked_result(*_operand_dtype(tensor1), *_operand_dtype(tensor2))


def _array_operand(x) -> tuple:
    """(dtype, priority) of an array-level operand: 2 an array with dims, 1 a 0-d array, 0 a Python number or
    a NumPy scalar (torch takes ``np.float32(2)`` as the Python number 2.0, whatever its width)."""
    if isinstance(x, np.generic):
        kind = x.dtype.kind
        x = bool(x) if kind == "b" else int(x) if kind in "iu" else complex(x) if kind == "c" else float(x)
    if isinstance(x, (bool, int, float, complex)):
        return _operand_dtype(x)
    return from_numpy_dtype(x.dtype), (2 if x.ndim else 1)


_ARRAY_RESULTS: dict = {}


def array_result_type(x, y, *more) -> np.dtype:
    """torch's result dtype (a NumPy dtype) for an op on raw operands: NumPy/CuPy arrays (0-d ones rank below
    arrays with dims), NumPy scalars and Python numbers (both rank lowest). Cached per operand kind."""
    key = _array_operand(x) + _array_operand(y)
    for v in more:
        key += _array_operand(v)
    out = _ARRAY_RESULTS.get(key)
    if out is None:
        out = _ARRAY_RESULTS[key] = _ranked_result(*key).np
    return out


def _ranked_result(*flat) -> dtype:
    """torch's promotion of operands given as dtype, priority, dtype, priority, ... (priority as
    ``_operand_dtype`` gives it): promoted within each priority, then across them by category."""
    if len(flat) == 4 and flat[1] == flat[3]:
        return promote_types(flat[0], flat[2])
    by_priority: dict = {}
    for d, p in zip(flat[::2], flat[1::2]):
        by_priority[p] = promote_types(by_priority[p], d) if p in by_priority else d
    result = None
    for p in (2, 1, 0):
        d = by_priority.get(p)
        if d is None:
            continue
        if result is None:
            result = d
        elif _category(d) > _category(result):
            if _category(d) == 3 and _category(result) == 2:  # a float tensor keeps its precision: f32 + 1j -> c64
                result = result.to_complex()
            else:
                result = promote_types(result, d) if _category(result) == 0 or p else d
    return result


def can_cast(from_, to) -> bool:
    """Whether torch's casting rules allow ``from_`` -> ``to`` in an in-place op: never to a lower
    category (float -> int, int -> bool)."""
    return _category(to_dtype(to)) >= _category(to_dtype(from_))
