"""Trigonometric and hyperbolic ops beyond sin/cos/tanh: tan, asin, ..., atan2, hypot.

Each op is one Function, forward (on arrays) and backward (with Tensor ops, so double backward
works) side by side. Integer/bool inputs compute in the default float dtype, as in torch.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import BuiltinOp
from ..backend import xp_of
from ..tensor import Tensor
from ._util import array_of, binary_error, shape_of, torch_float_result, unbroadcast
from .elementwise import Mul, _floating

__all__ = [
    "tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "atan2", "arctan2", "sinh", "cosh",
    "asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "hypot", "deg2rad", "rad2deg",
]

# ---------------------------------------------------------------- helpers shared with special.py --
#: torch's names of the scalar types, as its error messages spell them
_TORCH_TYPE_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
    "float16": "Half", "float32": "Float", "float64": "Double",
}


def torch_type_name(x) -> str:
    """'Long', 'Float', ... for a Tensor (what torch calls its dtype in kernel errors)."""
    name = array_of(x).dtype.name
    return _TORCH_TYPE_NAMES.get(name, name)


def require_tensor(op: str, x, arg: str, position: int) -> None:
    """torch's TypeError for an op whose argument must be a Tensor (``atan2(x, 2.0)``)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' (position {position}) must be Tensor, not {type(x).__name__}")


def require_floating(op: str, *operands) -> None:
    """torch's NotImplementedError for float-only kernels given only integer/bool operands."""
    arrays = [o.data for o in operands if isinstance(o, Tensor)]
    if arrays and not any(a.dtype.kind == "f" for a in arrays):
        raise NotImplementedError(
            f'"{op}" not implemented for \'{torch_type_name(arrays[0])}\' '
            f"(shapes {', '.join(str(list(a.shape)) for a in arrays)}): pass a floating-point tensor"
        )


def floating_operand(v):
    """An integer/bool array in the default float dtype (torch's compute type); floats and scalars unchanged."""
    return _floating(v) if hasattr(v, "dtype") and not isinstance(v, np.generic) else v


def binary_float_forward(op: str, fn, a, b):
    """``fn(xp, x, y)`` on two operands (Tensor or Python scalar) with torch's float result dtype."""
    x, y = floating_operand(array_of(a)), floating_operand(array_of(b))
    xp = xp_of(x if isinstance(a, Tensor) else y)
    try:
        with np.errstate(all="ignore"):
            r = fn(xp, x, y)
    except (ValueError, TypeError) as e:
        raise binary_error(op, a, b, e) from None
    return torch_float_result(r, x, y)


# ---------------------------------------------------------------- unary ---------------------------
class Tan(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        return xp_of(a.data).tan(_floating(a.data))

    @staticmethod
    def backward(ctx, g):
        """d tan(a) = g*(1 + tan(a)^2)."""
        y = ctx.output
        return g * (y * y + 1)


class Asin(BuiltinOp):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore"):
            return xp_of(a.data).arcsin(_floating(a.data))

    @staticmethod
    def backward(ctx, g):
        """d asin(a) = g/sqrt(1 - a^2)."""
        (a,) = ctx.saved_tensors
        return g * (1 - a * a).rsqrt()


class Acos(BuiltinOp):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore"):
            return xp_of(a.data).arccos(_floating(a.data))

    @staticmethod
    def backward(ctx, g):
        """d acos(a) = -g/sqrt(1 - a^2)."""
        (a,) = ctx.saved_tensors
        return -g * (1 - a * a).rsqrt()


class Atan(BuiltinOp):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp_of(a.data).arctan(_floating(a.data))

    @staticmethod
    def backward(ctx, g):
        """d atan(a) = g/(1 + a^2)."""
        (a,) = ctx.saved_tensors
        return g / (a * a + 1)


class Sinh(BuiltinOp):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(over="ignore"):
            return xp_of(a.data).sinh(_floating(a.data))

    @staticmethod
    def backward(ctx, g):
        """d sinh(a) = g*cosh(a)."""
        (a,) = ctx.saved_tensors
        return g * cosh(a)


class Cosh(BuiltinOp):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(over="ignore"):
            return xp_of(a.data).cosh(_floating(a.data))

    @staticmethod
    def backward(ctx, g):
        """d cosh(a) = g*sinh(a)."""
        (a,) = ctx.saved_tensors
        return g * sinh(a)


class Asinh(BuiltinOp):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp_of(a.data).arcsinh(_floating(a.data))

    @staticmethod
    def backward(ctx, g):
        """d asinh(a) = g/sqrt(a^2 + 1)."""
        (a,) = ctx.saved_tensors
        return g * (a * a + 1).rsqrt()


class Acosh(BuiltinOp):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore"):
            return xp_of(a.data).arccosh(_floating(a.data))

    @staticmethod
    def backward(ctx, g):
        """d acosh(a) = g/sqrt(a^2 - 1)."""
        (a,) = ctx.saved_tensors
        return g * (a * a - 1).rsqrt()


class Atanh(BuiltinOp):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore", divide="ignore"):
            return xp_of(a.data).arctanh(_floating(a.data))

    @staticmethod
    def backward(ctx, g):
        """d atanh(a) = g/(1 - a^2)."""
        (a,) = ctx.saved_tensors
        return g / (1 - a * a)


# ---------------------------------------------------------------- binary --------------------------
class Atan2(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return binary_float_forward("atan2", lambda xp, x, y: xp.arctan2(x, y), a, b)

    @staticmethod
    def backward(ctx, g):
        """d atan2(a, b) = g*b/(a^2 + b^2), -g*a/(a^2 + b^2)."""
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        scale = g / (a * a + b * b)
        return (
            unbroadcast(scale * b, shape_of(a)) if na else None,
            unbroadcast(-scale * a, shape_of(b)) if nb else None,
        )


class Hypot(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return binary_float_forward("hypot", lambda xp, x, y: xp.hypot(x, y), a, b)

    @staticmethod
    def backward(ctx, g):
        """d hypot(a, b) = g*a/hypot, g*b/hypot."""
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        scale = g / ctx.output
        return (
            unbroadcast(scale * a, shape_of(a)) if na else None,
            unbroadcast(scale * b, shape_of(b)) if nb else None,
        )


# ---------------------------------------------------------------- functional API -----------------
def tan(input):
    return Tan.apply(input)


def asin(input):
    return Asin.apply(input)


def acos(input):
    return Acos.apply(input)


def atan(input):
    return Atan.apply(input)


def sinh(input):
    return Sinh.apply(input)


def cosh(input):
    return Cosh.apply(input)


def asinh(input):
    return Asinh.apply(input)


def acosh(input):
    return Acosh.apply(input)


def atanh(input):
    return Atanh.apply(input)


def atan2(input, other):
    """The angle of the point (other, input): arctan(input/other) in the right quadrant."""
    require_tensor("atan2", input, "input", 1)
    require_tensor("atan2", other, "other", 2)
    return Atan2.apply(input, other)


def hypot(input, other):
    """sqrt(input^2 + other^2), without overflow for large values."""
    require_tensor("hypot", input, "input", 1)
    require_tensor("hypot", other, "other", 2)
    require_floating("hypot", input, other)
    return Hypot.apply(input, other)


def _scaled(input, factor):
    if input.data.dtype.kind != "f":  # torch computes integer inputs in the default float dtype
        input = Tensor._wrap(_floating(input.data))
    return Mul.apply(input, factor)


def deg2rad(input):
    """input * pi/180 (the default float dtype for integer input)."""
    return _scaled(input, math.pi / 180.0)


def rad2deg(input):
    """input * 180/pi (the default float dtype for integer input)."""
    return _scaled(input, 180.0 / math.pi)


arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
arcsinh, arccosh, arctanh = asinh, acosh, atanh

#: Tensor methods this module adds (name -> function taking the tensor first)
METHODS: dict = {name: globals()[name] for name in __all__}
#: in-place Tensor methods (name ending in _ -> the out-of-place function they write back)
INPLACE_METHODS: dict = {name + "_": globals()[name] for name in __all__}
