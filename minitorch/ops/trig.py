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
from ._util import require_floating, require_tensor, shape_of, unbroadcast
from .complex import conj_of
from .elementwise import Mul, _floating, binary_float_forward

__all__ = [
    "tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "atan2", "arctan2", "sinh", "cosh",
    "asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "hypot", "deg2rad", "rad2deg",
]

# ---------------------------------------------------------------- unary ---------------------------
class Tan(BuiltinOp):
    saves_output = True
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        return xp_of(a.array).tan(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d tan(a) = g*(1 + tan(a)^2) (complex: its conj)."""
        y = conj_of(ctx.output)
        return g * (y * y + 1)


class Asin(BuiltinOp):
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore"):
            return xp_of(a.array).arcsin(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d asin(a) = g/sqrt(1 - a^2)."""
        (a,) = ctx.saved_tensors
        return g * conj_of(1 - a * a).rsqrt()


class Acos(BuiltinOp):
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore"):
            return xp_of(a.array).arccos(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d acos(a) = -g/sqrt(1 - a^2)."""
        (a,) = ctx.saved_tensors
        return -g * conj_of(1 - a * a).rsqrt()


class Atan(BuiltinOp):
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp_of(a.array).arctan(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d atan(a) = g/(1 + a^2)."""
        (a,) = ctx.saved_tensors
        return g / conj_of(a * a + 1)


class Sinh(BuiltinOp):
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(over="ignore"):
            return xp_of(a.array).sinh(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d sinh(a) = g*cosh(a)."""
        (a,) = ctx.saved_tensors
        return g * conj_of(cosh(a))


class Cosh(BuiltinOp):
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(over="ignore"):
            return xp_of(a.array).cosh(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d cosh(a) = g*sinh(a)."""
        (a,) = ctx.saved_tensors
        return g * conj_of(sinh(a))


class Asinh(BuiltinOp):
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp_of(a.array).arcsinh(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d asinh(a) = g/sqrt(a^2 + 1)."""
        (a,) = ctx.saved_tensors
        return g * conj_of(a * a + 1).rsqrt()


class Acosh(BuiltinOp):
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore"):
            return xp_of(a.array).arccosh(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d acosh(a) = g/sqrt(a^2 - 1) (complex: g/conj(sqrt(a - 1) sqrt(a + 1)), the principal branch)."""
        (a,) = ctx.saved_tensors
        if a.array.dtype.kind == "c":
            return g / ((a - 1).sqrt() * (a + 1).sqrt()).conj()
        return g * (a * a - 1).rsqrt()


class Atanh(BuiltinOp):
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore", divide="ignore"):
            return xp_of(a.array).arctanh(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d atanh(a) = g/(1 - a^2)."""
        (a,) = ctx.saved_tensors
        return g / conj_of(1 - a * a)


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
    if input.array.dtype.kind != "f":  # torch computes integer inputs in the default float dtype
        input = Tensor._wrap(_floating(input.array))
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
