"""dtypes: thin named wrappers over NumPy dtypes (CuPy uses the same dtype objects)."""
from __future__ import annotations

import numpy as np


class dtype:
    """A tensor element type, printed as ``minitorch.float32`` (like ``torch.float32``)."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize")

    def __init__(self, name: str, np_dtype):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return f"minitorch.{self.name}"

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

default_float = float32

_BY_NUMPY = {d.np: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8, bool_)}
_BY_NAME = {d.name: d for d in _BY_NUMPY.values()}
_BY_NAME.update({"float": float32, "double": float64, "half": float16, "long": int64, "int": int32})


def to_dtype(x) -> dtype:
    """Convert a minitorch dtype, NumPy dtype, name, or Python type to a minitorch dtype."""
    if isinstance(x, dtype):
        return x
    if isinstance(x, str):
        name = x.rsplit(".", 1)[-1]
        if name in _BY_NAME:
            return _BY_NAME[name]
        raise TypeError(f"unknown dtype name {x!r}")
    if x is float:
        return float32
    if x is int:
        return int64
    if x is bool:
        return bool_
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
