"""Bitwise ops on bool/integer tensors: and, or, xor, not, left and right shifts (and their operators).

No gradients (integer results). dtype rules as torch's: the result type of the operands by torch's promotion
(``bool & 3`` is int64, ``int8 & 3`` stays int8); a floating operand raises torch's NotImplementedError; shifts
refuse bool too. Shifts by a negative amount or by the bit width or more give 0 (right shift of a negative
signed value: -1), as torch does, where C (and NumPy) leave them undefined.
"""
from __future__ import annotations

import numpy as np

from ..backend import xp_of
from ..tensor import Tensor
from ._util import kernel_not_implemented, promoted_operands

__all__ = [
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift",
]

_KERNEL = {"bitwise_and": "bitwise_and", "bitwise_or": "bitwise_or", "bitwise_xor": "bitwise_xor",
           "bitwise_left_shift": "lshift", "bitwise_right_shift": "rshift", "bitwise_not": "bitwise_not"}


def _not_implemented(op: str, np_dtype) -> NotImplementedError:
    return kernel_not_implemented(_KERNEL[op], np_dtype)


def _operands(op: str, a, b):
    """(x, y, xp, result NumPy dtype): both operands as arrays (a Python number as a 0-d array, wrapped to the
    result's width) of the result dtype torch's promotion gives; floats (and bool for shifts) refused."""
    kinds = "iu" if op in ("bitwise_left_shift", "bitwise_right_shift") else "biu"
    return promoted_operands(op, a, b, kinds, kernel=_KERNEL[op], wrap_ints=True)


def _binary(op: str, a, b) -> Tensor:
    x, y, xp, _ = _operands(op, a, b)
    try:
        fn = {"bitwise_and": xp.bitwise_and, "bitwise_or": xp.bitwise_or, "bitwise_xor": xp.bitwise_xor}[op]
        return Tensor._wrap(fn(x, y))
    except ValueError as e:
        from ._util import binary_error

        raise binary_error(op, a, b, e) from None


def bitwise_and(input, other) -> Tensor:
    """Elementwise AND of bool/integer tensors (logical AND for bool)."""
    return _binary("bitwise_and", input, other)


def bitwise_or(input, other) -> Tensor:
    """Elementwise OR of bool/integer tensors."""
    return _binary("bitwise_or", input, other)


def bitwise_xor(input, other) -> Tensor:
    """Elementwise XOR of bool/integer tensors."""
    return _binary("bitwise_xor", input, other)


def bitwise_not(input: Tensor) -> Tensor:
    """Elementwise NOT (two's complement ``~x``; logical NOT for bool)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bitwise_not(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    arr = input.array
    if arr.dtype.kind == "f":
        raise _not_implemented("bitwise_not", arr.dtype)
    return Tensor._wrap(xp_of(arr).invert(arr))


def _invert(input: Tensor) -> Tensor:
    """``~x``: as ``bitwise_not``, but a float tensor raises TypeError (torch's operator check)."""
    if input.array.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(input)


def _shift(op: str, a, b) -> Tensor:
    x, y, xp, out = _operands(op, a, b)
    bits = out.itemsize * 8
    try:
        shape = xp.broadcast_shapes(x.shape, y.shape) if hasattr(xp, "broadcast_shapes") else \
            np.broadcast_shapes(x.shape, y.shape)
    except ValueError as e:
        from ._util import binary_error

        raise binary_error(op, a, b, e) from None
    in_range = (y >= 0) & (y < bits)
    safe = xp.where(in_range, y, 0).astype(out)
    if op == "bitwise_left_shift":
        r = xp.where(in_range, xp.left_shift(x, safe), 0)
    else:
        r = xp.right_shift(x, safe)
        if out.kind == "i":
            r = xp.where(in_range, r, xp.where(x < 0, -1, 0))
        else:
            r = xp.where(in_range, r, 0)
    r = r.astype(out, copy=False)
    return Tensor._wrap(r if r.shape == shape else xp.broadcast_to(r, shape).copy())


def bitwise_left_shift(input, other) -> Tensor:
    """``input << other`` elementwise on integer tensors (wrapping to the dtype's width; 0 for a shift that
    is negative or not below the bit width)."""
    return _shift("bitwise_left_shift", input, other)


def bitwise_right_shift(input, other) -> Tensor:
    """``input >> other`` elementwise on integer tensors (arithmetic for signed dtypes; a shift that is
    negative or not below the bit width gives 0, or -1 for a negative signed value)."""
    return _shift("bitwise_right_shift", input, other)


def _r(fn):
    return lambda self, other: fn(other, self)


#: operators bound onto Tensor by tensor_methods (``&``, ``|``, ``^``, ``~``, ``<<``, ``>>`` and reflections)
OPERATORS: dict = {
    "__and__": bitwise_and, "__or__": bitwise_or, "__xor__": bitwise_xor, "__invert__": _invert,
    "__rand__": _r(bitwise_and), "__ror__": _r(bitwise_or), "__rxor__": _r(bitwise_xor),
    "__lshift__": bitwise_left_shift, "__rshift__": bitwise_right_shift,
    "__rlshift__": _r(bitwise_left_shift), "__rrshift__": _r(bitwise_right_shift),
}
METHODS: dict = {name: globals()[name] for name in __all__}
#: the in-place forms (``x.bitwise_and_(y)``...) live in tensor_extras, which checks the result type fits
INPLACE_METHODS: dict = {}
