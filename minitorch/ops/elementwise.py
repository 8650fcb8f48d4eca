"""Elementwise ops: arithmetic, unary math, activations, clamp, where. Forward and backward side by side."""
from __future__ import annotations

import numpy as np

from ..autograd.function import BuiltinOp
from ..backend import xp_of
from ..backend.dtype import array_result_type, get_default_dtype
from ..tensor import Tensor
from ._util import (
    _FLOAT64,
    array_of,
    binary_error,
    cast_operand,
    fits_dtype,
    torch_float_result,
    torch_operands,
    torch_scalar_fits,
    unbroadcast,
)
from .complex import conj_of


def _shape(x):
    return x.array.shape if isinstance(x, Tensor) else ()


def _floating(arr):
    """Integer/bool input to a floating op (exp, sin, ...): torch computes in the default float dtype."""
    return arr if arr.dtype.kind in "fc" else arr.astype(get_default_dtype().np)


def floating_operand(v):
    """An integer/bool array in the default float dtype (torch's compute type); floats and scalars unchanged."""
    return _floating(v) if hasattr(v, "dtype") and not isinstance(v, np.generic) else v


def binary_float_forward(op: str, fn, a, b):
    """``fn(xp, x, y)`` on two operands (Tensor or Python scalar) with torch's float result dtype."""
    x, y = array_of(a), array_of(b)
    if getattr(x, "dtype", None) is not getattr(y, "dtype", None):
        x, y = torch_operands(x, y, op, float_op=True)
    x, y = floating_operand(x), floating_operand(y)
    xp = xp_of(x if isinstance(a, Tensor) else y)
    try:
        with np.errstate(all="ignore"):
            r = fn(xp, x, y)
    except (ValueError, TypeError) as e:
        raise binary_error(op, a, b, e) from None
    return torch_float_result(r, x, y)


# ---------------------------------------------------------------- arithmetic ---------------------
def promoted(a, b, op: str, float_op: bool = False, bool_error=None):
    """The arrays/numbers of a binary op's operands (not both Tensors), in torch's result dtype (``torch_operands``).
    ``bool_error``: what a bool operand raises (sub), checked after the fast paths, which take no bool."""
    x = a.array if isinstance(a, Tensor) else a
    y = b.array if isinstance(b, Tensor) else b
    yc, xc = y.__class__, x.__class__
    if yc is float or yc is int:  # a float tensor with a Python number (``x * 0.5``, ``x / 2``): NumPy's weak
        if xc is float or xc is int or x.dtype.kind == "f":  # scalar keeps the tensor's dtype, as torch
            return x, y
    elif (xc is float or xc is int) and y.dtype.kind == "f":  # ``1 - x``
        return x, y
    elif xc is yc and (x.dtype is _BOOL or y.dtype is _BOOL) and bool_error is None and not float_op:
        return x, y  # a float/int array with a bool mask (relu's backward): NumPy gives torch's dtype
    if bool_error is not None and (_is_bool(x) or _is_bool(y)):
        raise bool_error()
    if getattr(x, "dtype", None) is not getattr(y, "dtype", None):  # else an array of the same dtype
        x, y = torch_operands(x, y, op, float_op)
    return (floating_operand(x), floating_operand(y)) if float_op else (x, y)


def _is_bool(v) -> bool:
    return v.__class__ is bool or getattr(v, "dtype", None) is _BOOL


_BOOL = np.dtype(np.bool_)


def _bool_sub_error() -> RuntimeError:
    return RuntimeError("sub: Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
                        "invert a mask, use the `~` or `logical_not()` operator instead.")


class Add(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        if isinstance(a, Tensor):
            x = a.array
            if isinstance(b, Tensor):
                y = b.array
                if x.dtype is not y.dtype:  # mixed: torch's promotion (same dtypes, the common case, pay nothing)
                    x, y = torch_operands(x, y, "add")
            elif (b.__class__ is float or b.__class__ is int) and x.dtype.kind == "f":
                y = b  # a float tensor with a Python number: NumPy's weak scalar keeps its dtype, as torch
            else:
                x, y = promoted(a, b, "add")
        elif (a.__class__ is float or a.__class__ is int) and isinstance(b, Tensor) and b.array.dtype.kind == "f":
            x, y = a, b.array  # ``1 + x``
        else:
            x, y = promoted(a, b, "add")
        ctx.shapes = (getattr(x, "shape", ()), getattr(y, "shape", ()))
        try:
            return x + y
        except (ValueError, TypeError) as e:
            raise binary_error("add", a, b, e) from None

    @staticmethod
    def backward(ctx, g):
        """d(a+b) = g, g (each summed back over broadcast dims)."""
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        return (unbroadcast(g, sa) if na else None, unbroadcast(g, sb) if nb else None)


class Sub(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (_shape(a), _shape(b))
        if isinstance(a, Tensor):
            x = a.array
            if isinstance(b, Tensor):
                y = b.array
                if x.dtype is not y.dtype:  # mixed: torch's promotion
                    if _is_bool(x) or _is_bool(y):
                        raise _bool_sub_error()
                    x, y = torch_operands(x, y, "sub")
            elif (b.__class__ is float or b.__class__ is int) and x.dtype.kind == "f":
                y = b  # a float tensor with a Python number: NumPy's weak scalar keeps its dtype, as torch
            else:
                x, y = promoted(a, b, "sub", bool_error=_bool_sub_error)
        elif (a.__class__ is float or a.__class__ is int) and isinstance(b, Tensor) and b.array.dtype.kind == "f":
            x, y = a, b.array  # ``1 - x``
        else:
            x, y = promoted(a, b, "sub", bool_error=_bool_sub_error)
        try:
            return x - y
        except (ValueError, TypeError) as e:
            if _is_bool(x):
                raise _bool_sub_error() from None
            raise binary_error("sub", a, b, e) from None

    @staticmethod
    def backward(ctx, g):
        """d(a-b) = g, -g."""
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        return (unbroadcast(g, sa) if na else None, unbroadcast(-g, sb) if nb else None)


class Mul(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        if isinstance(a, Tensor):
            x = a.array
            if isinstance(b, Tensor):
                y = b.array
                if x.dtype is not y.dtype:  # mixed: torch's promotion (same dtypes, the common case, pay nothing)
                    x, y = torch_operands(x, y, "mul")
            elif (b.__class__ is float or b.__class__ is int) and x.dtype.kind == "f":
                y = b  # a float tensor with a Python number: NumPy's weak scalar keeps its dtype, as torch
            elif getattr(b, "dtype", None) is _BOOL:
                y = b  # a bool mask (relu's backward): NumPy gives the tensor's dtype, as torch
            else:
                x, y = promoted(a, b, "mul")
        elif (a.__class__ is float or a.__class__ is int) and isinstance(b, Tensor) and b.array.dtype.kind == "f":
            x, y = a, b.array  # ``2 * x``
        else:
            x, y = promoted(a, b, "mul")
        try:
            r = x * y
        except (ValueError, TypeError) as e:
            raise binary_error("mul", a, b, e) from None
        ctx._saved = (a, b)  # save_for_backward(a, b), inlined: this is the hottest op
        return r

    @staticmethod
    def backward(ctx, g):
        """d(a*b) = g*b, g*a (complex: g*conj(b), g*conj(a))."""
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        if g.array.dtype.kind == "c":
            a, b = conj_of(a), conj_of(b)
        return (
            unbroadcast(g * b, a.array.shape) if na else None,
            unbroadcast(g * a, b.array.shape) if nb else None,
        )


class Div(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        if isinstance(a, Tensor):
            x = a.array
            if isinstance(b, Tensor):
                y = b.array
                if x.dtype is not y.dtype:  # mixed: torch's promotion, ints divided in the default float dtype
                    x, y = torch_operands(x, y, "div", float_op=True)
                    x, y = floating_operand(x), floating_operand(y)
            elif (b.__class__ is float or b.__class__ is int) and x.dtype.kind == "f":
                y = b  # a float tensor with a Python number: NumPy's weak scalar keeps its dtype, as torch
            else:
                x, y = promoted(a, b, "div", float_op=True)
        elif (a.__class__ is float or a.__class__ is int) and isinstance(b, Tensor) and b.array.dtype.kind == "f":
            x, y = a, b.array  # ``1 / x``
        else:
            x, y = promoted(a, b, "div", float_op=True)
        try:
            r = x / y
        except (ValueError, TypeError) as e:
            raise binary_error("div", a, b, e) from None
        ctx.save_for_backward(a, b)
        return r if r.dtype is not _FLOAT64 else torch_float_result(r, x, y)

    @staticmethod
    def backward(ctx, g):
        """d(a/b) = g/b, -g*a/b^2 (complex: of conj(a), conj(b))."""
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        if g.array.dtype.kind == "c":
            a, b = conj_of(a), conj_of(b)
        with np.errstate(divide="ignore", invalid="ignore"):  # b == 0: inf/nan, silently as in torch
            ga = unbroadcast(g / b, a.array.shape) if na else None
            gb = unbroadcast(-g * a / (b * b), b.array.shape) if nb else None
        return ga, gb


class Neg(BuiltinOp):
    @staticmethod
    def forward(ctx, a):
        try:
            return -a.array
        except TypeError:
            raise RuntimeError(
                f"neg: Negation, the `-` operator, on a bool tensor is not supported (shape "
                f"{list(a.array.shape)}). If you are trying to invert a mask, use the `~` or "
                "`logical_not()` operator instead."
            ) from None

    @staticmethod
    def backward(ctx, g):
        """d(-a) = -g."""
        return -g


class Pow(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        x, y = array_of(a), array_of(b)
        xd = getattr(x, "dtype", None)
        if xd is not getattr(y, "dtype", None):  # mixed: torch's promotion
            if _is_bool(x) and _is_bool(y):
                if not isinstance(b, Tensor):  # bool tensor ** Python bool: torch's pow(Tensor, Scalar) gives
                    ctx.save_for_backward(a, b)  # x ** 1 = x, x ** 0 = True
                    return x | (not y)
                raise NotImplementedError("\"pow\" not implemented for 'Bool'")
            x, y = torch_operands(x, y, "pow")
        elif xd is _BOOL:
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        try:
            if isinstance(y, (int, float)) and y >= 0:
                r = torch_float_result(x**y, x, y)
            else:  # 0 ** negative is inf, silently as in torch (deg.pow(-0.5) with an isolated node)
                with np.errstate(divide="ignore", invalid="ignore"):
                    r = torch_float_result(x**y, x, y)
        except (ValueError, TypeError) as e:
            raise binary_error("pow", a, b, e) from None
        ctx.save_for_backward(a, b)
        return r

    @staticmethod
    def backward(ctx, g):
        """d(a^b) = g*b*a^(b-1), g*a^b*log(a) (0 where a == 0); complex: g times the conj of each."""
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        if g.array.dtype.kind == "c":
            from .complex import pow_backward_complex  # noqa: PLC0415 - complex path only

            return pow_backward_complex(g, a, b, na, nb)
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):  # 0^(b-1) = inf at a == 0, silently as in torch
            if na:
                if isinstance(b, Tensor):  # torch: 0 where b == 0 (not 0 * inf at a == 0)
                    ga = g * b * a ** (b - 1)
                    ga = unbroadcast(where((b.detach() == 0) & (a.detach() == 0), 0.0, ga), a.array.shape)
                elif b == 0:
                    ga = g * 0
                else:
                    ga = g * b * a ** (b - 1)
            if nb:
                out = a ** b
                if isinstance(a, Tensor):  # torch: 0 where a == 0 and b >= 0, else g * a^b * log(a)
                    zero_base = (a.detach() == 0) & (b.detach() >= 0)
                    gb = unbroadcast(where(zero_base, 0.0, g * out * a.log()), b.array.shape)
                elif a == 0:
                    gb = where(b.detach() >= 0, 0.0, g * out * -np.inf)
                else:
                    gb = g * out * (float(np.log(a)) if a > 0 else np.nan)
        return ga, gb


class Remainder(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        x, y = array_of(a), array_of(b)
        ctx.save_for_backward(a, b)
        if _is_bool(x) and _is_bool(y):
            raise NotImplementedError("\"remainder_cpu\" not implemented for 'Bool'")
        if getattr(x, "dtype", None) is not getattr(y, "dtype", None):  # mixed: torch's promotion
            x, y = torch_operands(x, y, "remainder")
        try:
            return xp_of(x if isinstance(a, Tensor) else y).remainder(x, y)
        except (ValueError, TypeError) as e:
            raise binary_error("remainder", a, b, e) from None

    @staticmethod
    def backward(ctx, g):
        """d(a mod b) = g, -g*floor(a/b)."""
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = unbroadcast(g, a.array.shape) if na else None
        gb = unbroadcast(-g * (a / b).floor(), b.array.shape) if nb else None
        return ga, gb


# ---------------------------------------------------------------- unary math ---------------------
class Exp(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        return xp_of(a.array).exp(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d exp(a) = g*exp(a) (complex: g*conj(exp(a)))."""
        return g * conj_of(ctx.output)


class Log(BuiltinOp):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp_of(a.array).log(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d log(a) = g/a (complex: g/conj(a))."""
        (a,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):  # a == 0: inf, silently as in torch
            return g / conj_of(a)


class Log1p(BuiltinOp):
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp_of(a.array).log1p(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d log(1+a) = g/(1+a) (complex: g/conj(1+a))."""
        (a,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):  # a == -1: inf, silently as in torch
            return g / conj_of(a + 1)


class Sqrt(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        with np.errstate(invalid="ignore"):
            return xp_of(a.array).sqrt(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d sqrt(a) = g/(2 sqrt(a)) (complex: g/(2 conj(sqrt(a))))."""
        with np.errstate(divide="ignore", invalid="ignore"):  # a == 0: inf, silently as in torch
            return g / (conj_of(ctx.output) * 2)


class Rsqrt(BuiltinOp):
    saves_output = True
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1 / xp_of(a.array).sqrt(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d a^(-1/2) = -g/2 * a^(-3/2) (complex: its conj)."""
        y = conj_of(ctx.output)
        return g * y * y * y * -0.5


class Abs(BuiltinOp):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp_of(a.array).abs(a.array)

    @staticmethod
    def backward(ctx, g):
        """d|a| = g*sign(a) (complex: g*a/|a|, 0 at 0)."""
        (a,) = ctx.saved_tensors
        if a.array.dtype.kind == "c":
            from .complex import sgn  # noqa: PLC0415 - complex path only

            return g * sgn(a)
        return g * sign(a.detach())


class Sin(BuiltinOp):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp_of(a.array).sin(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d sin(a) = g*cos(a) (complex: g*conj(cos(a)))."""
        (a,) = ctx.saved_tensors
        return g * conj_of(a.cos())


class Cos(BuiltinOp):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp_of(a.array).cos(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d cos(a) = -g*sin(a) (complex: -g*conj(sin(a)))."""
        (a,) = ctx.saved_tensors
        return -g * conj_of(a.sin())


class Tanh(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        return xp_of(a.array).tanh(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d tanh(a) = g*(1 - tanh(a)^2) (complex: g*conj(1 - tanh(a)^2))."""
        y = conj_of(ctx.output)
        return g * (1 - y * y)


def sigmoid_array(x):
    """1 / (1 + exp(-x)) of a float array, in 4 in-place passes. Accurate in relative terms
    everywhere: for x << 0 the sum is exp(-x) itself (no cancellation), and where exp overflows
    (x < -88 in float32) the result is 0."""
    xp = xp_of(x)
    t = xp.negative(x, out=xp.empty_like(x))  # an array even for 0-d input (ufuncs return scalars)
    with np.errstate(over="ignore"):
        xp.exp(t, out=t)
    t += 1
    return xp.reciprocal(t, out=t)


class Sigmoid(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        return sigmoid_array(_floating(a.array))

    @staticmethod
    def backward(ctx, g):
        """d sigmoid(a) = g*s*(1-s) (complex: g*conj(s*(1-s)))."""
        s = conj_of(ctx.output)
        return g * s * (1 - s)


class Relu(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        x = a.array
        return xp_of(x).maximum(x, 0).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        """d relu(a) = g*[a > 0]."""
        y = ctx.output
        return g * (y.array > 0)


class Clamp(BuiltinOp):
    @staticmethod
    def forward(ctx, a, lo, hi):
        x = a.array
        xp = xp_of(x)
        ctx.save_for_backward(a, lo, hi)
        lo, hi = array_of(lo), array_of(hi)
        if _bound_promotes(x, lo) or _bound_promotes(x, hi):
            x, lo, hi = _clamp_operands(x, lo, hi)
        r = x
        if lo is not None:
            r = xp.maximum(r, lo)
        if hi is not None:
            r = xp.minimum(r, hi)
        if r is x:
            r = x.copy()
        return r.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        """d clamp(a, lo, hi) = g where lo <= a <= hi; the bound's grad where it was chosen."""
        a, lo, hi = ctx.saved_tensors
        x = a.array
        inside = xp_of(x).ones(g.array.shape, dtype=bool)  # the output's shape: bounds may broadcast x
        if lo is not None:
            inside &= x >= array_of(lo)
        if hi is not None:
            inside &= x <= array_of(hi)
        na, nlo, nhi = ctx.needs_input_grad
        ga = unbroadcast(g * inside, x.shape) if na else None
        glo = unbroadcast(g * (x < lo.array), lo.array.shape) if nlo else None
        ghi = unbroadcast(g * (x > hi.array), hi.array.shape) if nhi else None
        if nlo and hi is not None:
            glo = unbroadcast(g * ((x < lo.array) & (array_of(lo) <= array_of(hi))), lo.array.shape)
        return ga, glo, ghi


class Maximum(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        x, y = a.array, b.array
        if x.dtype is not y.dtype:  # mixed: torch's promotion
            x, y = torch_operands(x, y, "maximum")
        try:
            return xp_of(x).maximum(x, y)
        except (ValueError, TypeError) as e:
            raise binary_error("maximum", a, b, e) from None

    @staticmethod
    def backward(ctx, g):
        """d max(a,b) = g to the larger (split half/half on ties)."""
        a, b = ctx.saved_tensors
        return _select_grads(ctx, g, a, b, a.array > b.array)


class Minimum(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        x, y = a.array, b.array
        if x.dtype is not y.dtype:  # mixed: torch's promotion
            x, y = torch_operands(x, y, "minimum")
        try:
            return xp_of(x).minimum(x, y)
        except (ValueError, TypeError) as e:
            raise binary_error("minimum", a, b, e) from None

    @staticmethod
    def backward(ctx, g):
        """d min(a,b) = g to the smaller (split half/half on ties)."""
        a, b = ctx.saved_tensors
        return _select_grads(ctx, g, a, b, a.array < b.array)


def _bound_promotes(x, v) -> bool:
    """Whether clamp's bound ``v`` can change the result dtype from the input's: not when absent, of the same
    dtype, or a Python number that NumPy's weak scalars keep in the input's dtype (as torch does)."""
    if v is None or getattr(v, "dtype", None) is x.dtype:
        return False
    vc, kind = v.__class__, x.dtype.kind
    if kind == "f":
        return vc is not float and vc is not int
    return not (vc is int and kind in "iu" and fits_dtype(v, x.dtype))


def _clamp_operands(x, lo, hi):
    """clamp's input and bounds in torch's result dtype of all three (``clamp(int32, min=tensor(0))`` is int32,
    ``clamp(int, min=0.5)`` the default float)."""
    out = array_result_type(x, *[v for v in (lo, hi) if v is not None])
    for v in (lo, hi):
        if v.__class__ is bool and out.kind == "b":
            kernel = "clamp_scalar" if lo is not None and hi is not None else "clamp_min_scalar" if v is lo \
                else "clamp_max_scalar"
            raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for 'Bool'")
        if v.__class__ is int and out.kind in "iu" and not torch_scalar_fits(v, out):
            raise RuntimeError(f"value cannot be converted to type {out}_t without overflow")
    return tuple(None if v is None else cast_operand(v, out) for v in (x, lo, hi))


def _select_grads(ctx, g, a, b, a_wins):
    tie = a.array == b.array
    wa = a_wins + 0.5 * tie
    wb = (~a_wins & ~tie) + 0.5 * tie
    na, nb = ctx.needs_input_grad
    return (
        unbroadcast(g * wa.astype(g.array.dtype), a.array.shape) if na else None,
        unbroadcast(g * wb.astype(g.array.dtype), b.array.shape) if nb else None,
    )


class Where(BuiltinOp):
    @staticmethod
    def forward(ctx, cond, a, b):
        c = cond.array if isinstance(cond, Tensor) else cond
        x, y = array_of(a), array_of(b)
        xp = xp_of(c)
        ctx.cond = c
        ctx.shapes = (_shape(a), _shape(b))
        if getattr(x, "dtype", None) is not getattr(y, "dtype", None):  # mixed: torch's promotion
            x, y = _where_operands(x, y)
        try:
            r = xp.where(c, x, y)
        except (ValueError, TypeError) as e:
            raise binary_error("where", a, b, e) from None
        return r if r.dtype is not _FLOAT64 else torch_float_result(r, x, y)

    @staticmethod
    def backward(ctx, g):
        """d where(c, a, b) = g where c, g where not c."""
        c = ctx.cond
        na, nb = ctx.needs_input_grad[1:]
        sa, sb = ctx.shapes
        ga = unbroadcast(where(c, g, 0.0), sa) if na else None
        gb = unbroadcast(where(c, 0.0, g), sb) if nb else None
        return None, ga, gb


def _where_operands(x, y):
    """torch's promotion for where's two values. NumPy's where takes a Python number as float64/int64, so one
    that torch_operands left as it is becomes a NumPy scalar of the result dtype; a Python int out of an integer
    result's range is refused, as torch refuses it here (the arithmetic ops wrap it)."""
    x2, y2 = torch_operands(x, y, "where")
    if not hasattr(x2, "dtype"):
        x2 = y2.dtype.type(x2)
    elif not hasattr(y2, "dtype"):
        y2 = x2.dtype.type(y2)
    for v, v2 in ((x, x2), (y, y2)):
        if v.__class__ is int and v2.dtype.kind in "iu" and not torch_scalar_fits(v, v2.dtype):
            raise RuntimeError(f"value cannot be converted to type {v2.dtype}_t without overflow")
    return x2, y2


# ---------------------------------------------------------------- functional API -----------------
def _scalar_first(op: str, scalar, other):
    """torch's deprecated overload ``op(input, Number alpha, Tensor other)`` (old tutorials' ``p.data.add_(-lr,
    grad)``): warns as torch does and returns (other, alpha)."""
    import warnings  # noqa: PLC0415 - only on the deprecated path

    if not isinstance(scalar, (int, float)) or not isinstance(other, Tensor):
        raise TypeError(f"{op}(): expected (Tensor other, *, Number alpha) or the deprecated (Number alpha, "
                        f"Tensor other), got ({type(scalar).__name__}, {type(other).__name__})")
    warnings.warn(f"This overload of {op} is deprecated:\n\t{op}(Number alpha, Tensor other)\nConsider using one "
                  f"of the following signatures instead:\n\t{op}(Tensor other, *, Number alpha = 1)", UserWarning,
                  stacklevel=3)
    return other, scalar


def add(a, b, other=None, *, alpha=1):
    if other is not None:
        b, alpha = _scalar_first("add", b, other)
    if alpha != 1:
        b = Mul.apply(b, alpha)
    return Add.apply(a, b)


def sub(a, b, other=None, *, alpha=1):
    if other is not None:
        b, alpha = _scalar_first("sub", b, other)
    if alpha != 1:
        b = Mul.apply(b, alpha)
    return Sub.apply(a, b)


def mul(a, b):
    return Mul.apply(a, b)


def div(a, b, *, rounding_mode=None):
    if rounding_mode is None:
        return Div.apply(a, b)
    from .comparison import floor_divide

    if rounding_mode == "floor":
        return floor_divide(a, b)
    if rounding_mode == "trunc":
        q = Div.apply(a, b)
        return Tensor._wrap(xp_of(q.array).trunc(q.array).astype(_result_int_dtype(a, b, q.array), copy=False))
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")


def _result_int_dtype(a, b, q):
    arrs = [x.array for x in (a, b) if isinstance(x, Tensor)]
    if all(x.dtype.kind in "iu" for x in arrs) and not any(isinstance(x, float) for x in (a, b)):
        return np.result_type(*arrs)
    return q.dtype


def neg(a):
    return Neg.apply(a)


def pow(a, b):
    return Pow.apply(a, b)


def remainder(a, b):
    return Remainder.apply(a, b)


def exp(a):
    return Exp.apply(a)


def log(a):
    return Log.apply(a)


def log1p(a):
    return Log1p.apply(a)


def log2(a):
    return Log.apply(a) * (1 / np.log(2))


def log10(a):
    return Log.apply(a) * (1 / np.log(10))


def sqrt(a):
    return Sqrt.apply(a)


def rsqrt(a):
    return Rsqrt.apply(a)


def abs(a):
    return Abs.apply(a)


def sign(a):
    """Sign (no gradient: its derivative is zero almost everywhere); 0 at nan, bool stays bool, as torch."""
    x = a.array
    if x.dtype.kind == "b":
        return Tensor._wrap(x.copy())
    xp = xp_of(x)
    if x.dtype.kind != "f":
        return Tensor._wrap(xp.sign(x))
    s = xp.sign(x, out=xp.empty_like(x))  # an array even for 0-d input, so nan_to_num can work in place
    return Tensor._wrap(xp.nan_to_num(s, copy=False))


def sin(a):
    return Sin.apply(a)


def cos(a):
    return Cos.apply(a)


def tanh(a):
    return Tanh.apply(a)


def sigmoid(a):
    return Sigmoid.apply(a)


def relu(a):
    return Relu.apply(a)


def square(a):
    return Mul.apply(a, a)


def reciprocal(a):
    with np.errstate(divide="ignore"):  # 1/0 is inf, silently as in torch
        return Div.apply(1.0, a)


def clamp(a, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    return Clamp.apply(a, min, max)


def clamp_min(a, min):
    """clamp(a, min=min): max(a, min) elementwise."""
    return Clamp.apply(a, min, None)


def clamp_max(a, max):
    """clamp(a, max=max): min(a, max) elementwise."""
    return Clamp.apply(a, None, max)


clip = clamp


def maximum(a, b):
    return Maximum.apply(a, b)


def minimum(a, b):
    return Minimum.apply(a, b)


def where(condition, a=None, b=None):
    if a is None and b is None:
        from .comparison import nonzero

        return nonzero(condition, as_tuple=True)
    c = condition.array if isinstance(condition, Tensor) else condition
    if getattr(c, "dtype", None) is not None and c.dtype.kind != "b":
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype {condition.dtype}"
        )
    return Where.apply(condition, a, b)


def masked_fill(a, mask, value):
    """``a`` with ``value`` where ``mask`` is True (broadcast); gradient flows to ``a`` elsewhere."""
    m = mask.array if isinstance(mask, Tensor) else mask
    if m.dtype.kind != "b":
        raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype {mask.dtype}")
    if isinstance(value, Tensor) and value.array.ndim != 0:
        raise RuntimeError(
            "masked_fill only supports a 0-dimensional value tensor, but got tensor with "
            f"{value.array.ndim} dimension(s)."
        )
    if not isinstance(value, Tensor) and a.array.dtype.kind != "f":
        value = a.array.dtype.type(value)  # the value takes the input's dtype, as in torch
    if isinstance(value, Tensor) and a.dtype != value.dtype:
        value = value.to(a.dtype)
    out = Where.apply(mask, value, a)  # a 0-d tensor value stays an array: reading it with .item() would sync
    if out.array.shape != a.array.shape:
        raise RuntimeError(
            f"masked_fill: mask of shape {list(mask.shape)} cannot broadcast to the input's {list(a.shape)}"
        )
    return out
