"""Special functions and other pointwise math: erf, erfc, erfinv, expm1, logit, xlogy, logaddexp, lerp, ...

Each op is one Function, forward (on arrays) and backward (with Tensor ops, so double backward
works) side by side, or a short composite of existing Functions (addcmul, float_power).
Integer/bool inputs to floating ops compute in the default float dtype, as in torch.
"""
from __future__ import annotations

import importlib
import math

import numpy as np

from ..autograd.function import BuiltinOp
from ..backend import cupyx_module, is_cupy_array, xp_of
from ..tensor import Tensor
from ._util import (
    array_of,
    binary_error,
    require_floating,
    require_some_tensor,
    require_tensor,
    shape_of,
    torch_float_result,
    torch_operands,
    torch_type_name,
    unbroadcast,
)
from .comparison import trunc
from .complex import conj_of
from .elementwise import Add, Div, Mul, Pow, _floating, binary_float_forward, sign, where

__all__ = [
    "erf", "erfc", "erfinv", "expm1", "exp2", "logit", "xlogy", "logaddexp", "logaddexp2", "sinc", "lerp",
    "addcmul", "addcdiv", "fmod", "nan_to_num", "frac", "copysign", "heaviside", "sgn", "signbit",
    "float_power",
]

_LN2 = math.log(2.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0


def _same_dtype(arr, like):
    return arr.astype(like.dtype, copy=False) if arr.dtype != like.dtype else arr


# ---------------------------------------------------------------- erf, erfc, erfinv on arrays -----
def _erf_series_cf(x):
    """erf on float64 arrays to ~1e-15 relative error, with no special-function library.

    |x| < 2.5: erf(x) = 2x/sqrt(pi) e^{-x^2} sum_n (2x^2)^n / (2n+1)!!  (all terms positive);
    |x| >= 2.5: erf(x) = 1 - erfc(x), erfc by its continued fraction (see ``_erfc_cf``).
    """
    xp = xp_of(x)
    ax = xp.abs(x)
    out = xp.empty_like(ax)
    small = ax < 2.5
    s = ax[small]
    if s.size:
        z = 2.0 * s * s
        term = xp.ones_like(s)
        total = xp.ones_like(s)
        for n in range(1, 80):
            term = term * z / (2 * n + 1)
            total += term
            if n >= 8 and not bool((term > 1e-17 * total).any()):
                break
        out[small] = _TWO_OVER_SQRT_PI * s * xp.exp(-s * s) * total
    big = ~small
    b = ax[big]
    if b.size:
        out[big] = 1.0 - _erfc_cf(b)
    return xp.where(x < 0, -out, out)


def _erfc_cf(b):
    """erfc(b) for b >= 2.5 by its continued fraction e^{-b^2}/sqrt(pi) / (b + (1/2)/(b + 1/(b + (3/2)/(b + ...))))."""
    f = b.copy()
    for k in range(60, 0, -1):
        f = b + (k / 2.0) / f
    return xp_of(b).exp(-b * b) / math.sqrt(math.pi) / f


def _erfc_fallback(x):
    """erfc on float64 arrays without a special-function library: the continued fraction for
    |x| >= 2.5 (no cancellation in the tail), 1 - erf(|x|) below; erfc(-x) = 2 - erfc(x)."""
    xp = xp_of(x)
    ax = xp.abs(x)
    tail = _erfc_cf(xp.maximum(ax, 2.5))
    pos = xp.where(ax >= 2.5, tail, 1.0 - _erf_series_cf(xp.minimum(ax, 2.5)))
    return xp.where(x < 0, 2.0 - pos, pos)


def _giles_erfinv(a):
    """Giles' single-precision approximation of erfinv on [0, 1): ~1e-7 relative on float32's range,
    rougher in float64's far tail (the Newton steps of ``_erfinv_fallback`` polish both)."""
    xp = xp_of(a)
    w = -xp.log((1.0 - a) * (1.0 + a))
    c = w - 2.5
    p = 2.81022636e-08
    for coef in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                 -0.00417768164, 0.246640727, 1.50140941):
        p = coef + p * c
    t = xp.sqrt(w) - 3.0
    q = -0.000200214257
    for coef in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                 0.00943887047, 1.00167406, 2.83297682):
        q = coef + q * t
    return xp.where(w < 5.0, p, q) * a


_NEWTON_STEPS = 4  # from ~1e-7 (1e-1 in the far tail) to ~1e-13 relative


def _erfinv_fallback(y):
    """erfinv on float64 arrays without a special-function library: Giles' approximation, then Newton
    steps: on erf(x) = |y| where |y| <= 1/2, on log erfc(x) = log(1 - |y|) above (nearly quadratic in
    x, so the far tail converges as fast as the middle and keeps its digits)."""
    xp = xp_of(y)
    a = xp.abs(y)
    x = _giles_erfinv(xp.minimum(a, 1.0))
    x = xp.where(xp.isfinite(x), x, 0.0)
    tail = a > 0.5
    log_c = xp.log(xp.where(tail, 1.0 - a, 1.0))
    for _ in range(_NEWTON_STEPS):
        slope = _TWO_OVER_SQRT_PI * xp.exp(-x * x)  # erf'(x)
        erfc_x = _erfc_fallback(x)
        step_tail = (xp.log(erfc_x) - log_c) * erfc_x / slope
        step_mid = (_erf_series_cf(x) - a) / slope
        x = x + xp.where(tail, step_tail, -step_mid)
    x = xp.where(a == 1.0, xp.inf, x)
    x = xp.where(a > 1.0, xp.nan, x)
    return xp.where(y < 0, -x, x) + y * 0  # + y*0: nan stays nan


_FALLBACKS = {"erf": _erf_series_cf, "erfc": _erfc_fallback, "erfinv": _erfinv_fallback}


def _special(arr, name):
    """The array library's own special function when there is one (SciPy on CPU, cupyx on GPU), else None."""
    if is_cupy_array(arr):
        special = getattr(getattr(cupyx_module(), "scipy", None), "special", None)
        return getattr(special, name, None)
    try:
        return getattr(importlib.import_module("scipy.special"), name)
    except ImportError:
        return None


def _special_array(arr, name):
    """``name`` (erf, erfc, erfinv) of a float array, float64-accurate, keeping the input's dtype."""
    fn = _special(arr, name)
    if fn is not None:
        return _same_dtype(fn(arr), arr)
    with np.errstate(all="ignore"):
        return _same_dtype(_FALLBACKS[name](arr.astype(np.float64)), arr)


# erf in float32 on the CPU: a table of the Taylor expansion of erf at x_i = i/64 on [0, 4] (erf(4) rounds to
# 1 in float32), evaluated at d = |x| - x_i in [0, 1/64): erf(x_i + d) = c0 + c1 d + c2 d^2 + c3 d^3 with
# c1 = 2/sqrt(pi) e^{-x_i^2}, c2 = -x_i c1, c3 = (2 x_i^2 - 1) c1 / 3 (truncation error < 1e-8 absolute, and
# relative near 0, where c0 = c2 = 0). c0 and c1 are split into float32 hi + lo parts so that their rounding
# does not count: max error 1.25 ulp of the correctly rounded result, about 16 float32 passes per element.
_ERF32_STEP = 64
_ERF32_CHUNK = 16384  # elements per pass: the temporaries stay in L1/L2


def _erf32_tables():
    xs = [i / _ERF32_STEP for i in range(4 * _ERF32_STEP + 1)]
    c0 = np.array([math.erf(x) for x in xs])
    c1 = np.array([_TWO_OVER_SQRT_PI * math.exp(-x * x) for x in xs])
    x = np.array(xs)
    hi0, hi1 = c0.astype(np.float32), c1.astype(np.float32)
    lo0, lo1 = (c0 - hi0).astype(np.float32), (c1 - hi1).astype(np.float32)
    c2, c3 = (-x * c1).astype(np.float32), ((2 * x * x - 1) / 3 * c1).astype(np.float32)
    return x.astype(np.float32), hi0, lo0, hi1, lo1, c2, c3


_ERF32_TABLES = _erf32_tables()


def _erf_float32(arr):
    """erf of a float32 NumPy array in float32, chunk by chunk (table + cubic; no float64 round trip)."""
    xs, hi0, lo0, hi1, lo1, c2, c3 = _ERF32_TABLES
    flat = np.ascontiguousarray(arr).reshape(-1)
    out = np.empty_like(flat)
    m = min(_ERF32_CHUNK, flat.size)
    a, d, p, q = (np.empty(m, np.float32) for _ in range(4))
    four, scale = np.float32(4.0), np.float32(_ERF32_STEP)
    with np.errstate(invalid="ignore"):
        for s in range(0, flat.size, _ERF32_CHUNK):
            x = flat[s:s + _ERF32_CHUNK]
            k = x.size
            ak, dk, pk, qk, o = a[:k], d[:k], p[:k], q[:k], out[s:s + k]
            np.abs(x, out=ak)
            np.minimum(ak, four, out=ak)  # NaN stays NaN (and its index is clipped below)
            np.multiply(ak, scale, out=dk)
            i = dk.astype(np.int32)
            np.subtract(ak, xs.take(i, mode="clip"), out=dk)  # exact
            np.multiply(c3.take(i, mode="clip"), dk, out=pk)
            pk += c2.take(i, mode="clip")
            pk *= dk
            pk += lo1.take(i, mode="clip")
            pk *= dk
            pk += lo0.take(i, mode="clip")
            np.multiply(hi1.take(i, mode="clip"), dk, out=qk)
            pk += qk
            pk += hi0.take(i, mode="clip")
            np.copysign(pk, x, out=o)
    return out.reshape(arr.shape)


def erf_array(arr):
    """erf of a raw float array keeping the input's float dtype: float32 on the CPU in float32 (<= 1.25 ulp),
    else float64-accurate."""
    if arr.dtype == np.float32 and not is_cupy_array(arr):
        return _erf_float32(arr)
    return _special_array(arr, "erf")


# ---------------------------------------------------------------- erf family ----------------------
class Erf(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf_array(_floating(x.array))

    @staticmethod
    def backward(ctx, g):
        """d erf(x) = g * 2/sqrt(pi) * exp(-x^2)."""
        (x,) = ctx.saved_tensors
        return g * ((x * x).neg().exp() * _TWO_OVER_SQRT_PI)


class Erfc(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _special_array(_floating(x.array), "erfc")

    @staticmethod
    def backward(ctx, g):
        """d erfc(x) = -g * 2/sqrt(pi) * exp(-x^2)."""
        (x,) = ctx.saved_tensors
        return g * ((x * x).neg().exp() * -_TWO_OVER_SQRT_PI)


class Erfinv(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        a = _floating(x.array)
        return xp_of(a).copysign(_special_array(a, "erfinv"), a)  # odd: erfinv(-0.0) = -0.0, as torch

    @staticmethod
    def backward(ctx, g):
        """d erfinv(x) = g * sqrt(pi)/2 * exp(erfinv(x)^2)."""
        y = ctx.output
        return g * ((y * y).exp() * _SQRT_PI_OVER_TWO)


# ---------------------------------------------------------------- exp / log family ----------------
class Expm1(BuiltinOp):
    saves_output = True
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            return xp_of(x.array).expm1(_floating(x.array))

    @staticmethod
    def backward(ctx, g):
        """d (e^x - 1) = g*(expm1(x) + 1) (complex: its conj)."""
        return g * conj_of(ctx.output + 1)


class Exp2(BuiltinOp):
    saves_output = True
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            return xp_of(x.array).exp2(_floating(x.array))

    @staticmethod
    def backward(ctx, g):
        """d 2^x = g * 2^x * ln 2 (complex: its conj)."""
        return g * (conj_of(ctx.output) * _LN2)


class Logit(BuiltinOp):
    @staticmethod
    def forward(ctx, a, eps):
        ctx.save_for_backward(a)
        ctx.eps = eps
        x = _floating(a.array)
        xp = xp_of(x)
        if eps is not None:
            x = xp.clip(x, eps, 1.0 - eps).astype(x.dtype, copy=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.log(x / (1 - x))

    @staticmethod
    def backward(ctx, g):
        """d log(a/(1-a)) = g/(a(1-a)); 0 where eps clamps a (nan outside [0, 1] when eps is None)."""
        (a,) = ctx.saved_tensors
        eps = ctx.eps
        x = a.array
        d = g / (a * (1 - a))
        if eps is None:
            return where((x < 0) | (x > 1), math.nan, d), None
        return where((x < eps) | (x > 1 - eps), 0.0, d), None


class Xlogy(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return binary_float_forward("xlogy", _xlogy_arrays, a, b)

    @staticmethod
    def backward(ctx, g):
        """d x*log(y) = g*log(y) (0 where x == 0 and y <= 0), g*x/y."""
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = gb = None
        if na:
            ga = where((a.array == 0) & (array_of(b) <= 0), 0.0, xlogy(g, b))
            ga = unbroadcast(ga, shape_of(a))
        if nb:
            gb = unbroadcast(g * a / b, shape_of(b))
        return ga, gb


def _log_scalar(y) -> float:
    """log of a Python number as a Python float (it must not widen the tensor's dtype)."""
    return math.log(y) if y > 0 else (-math.inf if y == 0 else math.nan)


def _xlogy_arrays(xp, x, y):
    """x*log(y), 0 where x == 0 unless y is nan (x or y may be a Python number, not both)."""
    if isinstance(y, (int, float)):
        if math.isnan(y):
            return x * math.nan
        return xp.where(x == 0, 0, x * _log_scalar(y))
    return xp.where((x == 0) & ~xp.isnan(y), 0, x * xp.log(y))


class Logaddexp(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return binary_float_forward("logaddexp", lambda xp, x, y: xp.logaddexp(x, y), a, b)

    @staticmethod
    def backward(ctx, g):
        """d log(e^a + e^b) = g*e^(a-out), g*e^(b-out)."""
        a, b = ctx.saved_tensors
        out = ctx.output
        na, nb = ctx.needs_input_grad
        return (
            unbroadcast(g * (a - out).exp(), shape_of(a)) if na else None,
            unbroadcast(g * (b - out).exp(), shape_of(b)) if nb else None,
        )


class Logaddexp2(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return binary_float_forward("logaddexp2", lambda xp, x, y: xp.logaddexp2(x, y), a, b)

    @staticmethod
    def backward(ctx, g):
        """d log2(2^a + 2^b) = g*2^(a-out), g*2^(b-out)."""
        a, b = ctx.saved_tensors
        out = ctx.output
        na, nb = ctx.needs_input_grad
        return (
            unbroadcast(g * exp2(a - out), shape_of(a)) if na else None,
            unbroadcast(g * exp2(b - out), shape_of(b)) if nb else None,
        )


class Sinc(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x.array).sinc(_floating(x.array))

    @staticmethod
    def backward(ctx, g):
        """d sin(pi x)/(pi x) = g*(cos(pi x) - sinc(x))/x (0 at x = 0)."""
        (x,) = ctx.saved_tensors
        zero = x.array == 0
        safe = where(zero, 1.0, x)
        return where(zero, 0.0, g * ((safe * math.pi).cos() - sinc(safe)) / safe)


# ---------------------------------------------------------------- interpolation ------------------
class Lerp(BuiltinOp):
    @staticmethod
    def forward(ctx, start, end, weight):
        ctx.save_for_backward(start, end, weight)
        x, y, w = start.array, end.array, array_of(weight)
        xp = xp_of(x)
        try:
            with np.errstate(all="ignore"):
                d = y - x
                small = (xp.abs(w) < 0.5) if isinstance(weight, Tensor) else abs(w) < 0.5
                r = xp.where(small, x + w * d, y - d * (1 - w))
        except (ValueError, TypeError) as e:
            raise _lerp_shape_error(start, end, weight, e) from None
        return r.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        """d (s + w(e - s)) = g*(1-w), g*w, g*(e - s)."""
        s, e, w = ctx.saved_tensors
        ns, ne, nw = ctx.needs_input_grad
        gs = unbroadcast(g * (1 - w), s.array.shape) if ns else None
        ge = unbroadcast(g * w, e.array.shape) if ne else None
        gw = None
        if nw:
            gw = unbroadcast(g * (e - s), w.array.shape)
            if gw.dtype != w.dtype:
                gw = gw.to(w.dtype)
        return gs, ge, gw


def _lerp_shape_error(start, end, weight, err):
    shapes = [list(shape_of(t)) for t in (start, end, weight)]
    return RuntimeError(f"lerp: shapes of start {shapes[0]}, end {shapes[1]} and weight {shapes[2]} "
                        f"are not broadcastable ({err})")


# ---------------------------------------------------------------- remainder-like -----------------
class Fmod(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        x, y = array_of(a), array_of(b)
        if getattr(x, "dtype", None) is not getattr(y, "dtype", None):
            x, y = torch_operands(x, y, "fmod")
        xp = xp_of(x if hasattr(x, "dtype") else y)
        try:
            with np.errstate(invalid="ignore", divide="ignore"):
                return torch_float_result(xp.fmod(x, y), x, y)
        except (ValueError, TypeError) as e:
            raise binary_error("fmod", a, b, e) from None

    @staticmethod
    def backward(ctx, g):
        """d fmod(a, b) = g, -g*trunc(a/b)."""
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = unbroadcast(g, shape_of(a)) if na else None
        gb = unbroadcast(-g * trunc((a / b).detach()), shape_of(b)) if nb else None
        return ga, gb


class Frac(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        arr = x.array
        return arr - xp_of(arr).trunc(arr)

    @staticmethod
    def backward(ctx, g):
        """d (x - trunc(x)) = g."""
        return g


# ---------------------------------------------------------------- sign-like -----------------------
class NanToNum(BuiltinOp):
    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        arr = x.array
        ctx.finite = xp_of(arr).isfinite(arr)
        return xp_of(arr).nan_to_num(arr, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        """d nan_to_num(x) = g where x is finite, 0 where it was replaced."""
        return g * ctx.finite, None, None, None


class Copysign(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (shape_of(a), shape_of(b))
        r = binary_float_forward("copysign", lambda xp, x, y: xp.copysign(x, y), a, b)
        if ctx.needs_input_grad[0]:  # +-1 where copysign flipped a's sign or kept it, 0 at a == 0
            x = a.array
            with np.errstate(invalid="ignore", divide="ignore"):
                ctx.flip = xp_of(r).where(x == 0, 0, r / x).astype(r.dtype, copy=False)
        return r

    @staticmethod
    def backward(ctx, g):
        """d copysign(a, b) = g*sign(a)*sign(result) (0 at a == 0), 0 for b."""
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        return (unbroadcast(g * ctx.flip, sa) if na else None, unbroadcast(g * 0, sb) if nb else None)


class Heaviside(BuiltinOp):
    @staticmethod
    def forward(ctx, a, values):
        x, v = a.array, values.array
        try:
            r = xp_of(x).where(x == 0, v, x > 0)  # as torch: nan input gives 0 (numpy's heaviside: nan)
        except (ValueError, TypeError) as e:
            raise binary_error("heaviside", a, values, e) from None
        return r.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        """heaviside is a step (derivative 0 away from 0, undefined at 0): torch defines none, so this raises."""
        raise RuntimeError("the derivative for 'heaviside' is not implemented (it is a step function)")


# ---------------------------------------------------------------- functional API -----------------
def erf(input):
    """The error function 2/sqrt(pi) * integral_0^x e^{-t^2} dt."""
    return Erf.apply(input)


def erfc(input):
    """The complementary error function 1 - erf(x), accurate in the tail."""
    return Erfc.apply(input)


def erfinv(input):
    """The inverse of erf on (-1, 1): +-inf at +-1, nan outside."""
    return Erfinv.apply(input)


def expm1(input):
    """e^x - 1, accurate for small x."""
    return Expm1.apply(input)


def exp2(input):
    return Exp2.apply(input)


def logit(input, eps=None):
    """log(x/(1-x)), with x clamped to [eps, 1 - eps] when eps is given."""
    return Logit.apply(input, eps)


def xlogy(input, other):
    """x*log(y), 0 where x == 0 (unless y is nan); either argument may be a Python number."""
    require_some_tensor("xlogy", input, other)
    return Xlogy.apply(input, other)


def logaddexp(input, other):
    """log(e^input + e^other), without overflow."""
    require_tensor("logaddexp", input, "input", 1)
    require_tensor("logaddexp", other, "other", 2)
    require_floating("logaddexp", input, other)
    return Logaddexp.apply(input, other)


def logaddexp2(input, other):
    """log2(2^input + 2^other), without overflow."""
    require_tensor("logaddexp2", input, "input", 1)
    require_tensor("logaddexp2", other, "other", 2)
    require_floating("logaddexp2", input, other)
    return Logaddexp2.apply(input, other)


def sinc(input):
    """The normalized sinc: sin(pi x)/(pi x), 1 at 0."""
    return Sinc.apply(input)


def lerp(input, end, weight):
    """input + weight*(end - input); weight a number or a tensor, all three broadcast."""
    require_tensor("lerp", input, "input", 1)
    require_tensor("lerp", end, "end", 2)
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f'"lerp" not implemented for \'{torch_type_name(input)}\'')
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t.array.dtype != input.array.dtype and (name == "end" or t.array.ndim):
            raise RuntimeError(f"lerp: expected dtype {input.dtype} for `{name}` but got dtype {t.dtype}")
    if not isinstance(weight, (Tensor, int, float)):
        raise TypeError(f"lerp(): argument 'weight' must be Tensor or Number, not {type(weight).__name__}")
    return Lerp.apply(input, end, weight)


def _check_addc_operands(op, *ts):
    for i, t in enumerate(ts, 1):
        require_tensor(op, t, ("input", "tensor1", "tensor2")[i - 1], i)


def _int_value(value, *ts):
    """With only integer tensors torch casts ``value`` to an integer."""
    if all(t.array.dtype.kind in "iub" for t in ts) and isinstance(value, float):
        return int(value)
    return value


def _old_value_first(args: tuple, value):
    """(tensor1, tensor2, value) from torch's deprecated ``addcmul(input, value, tensor1, tensor2)`` form."""
    if len(args) == 3 and isinstance(args[0], (int, float)):
        return args[1], args[2], args[0]
    if len(args) != 2:
        raise TypeError(f"expected (tensor1, tensor2, *, value) or the deprecated (value, tensor1, tensor2), got "
                        f"{len(args)} positional arguments")
    return args[0], args[1], value


def addcmul(input, *args, value=1):
    """input + value * tensor1 * tensor2 (all three broadcast); ``addcmul(input, value, t1, t2)`` is accepted too."""
    tensor1, tensor2, value = _old_value_first(args, value)
    _check_addc_operands("addcmul", input, tensor1, tensor2)
    value = _int_value(value, input, tensor1, tensor2)
    prod = Mul.apply(tensor1, tensor2)
    return Add.apply(input, prod if value == 1 else Mul.apply(prod, value))


def addcdiv(input, *args, value=1):
    """input + value * tensor1 / tensor2 (all three broadcast); ``addcdiv(input, value, t1, t2)`` is accepted too."""
    tensor1, tensor2, value = _old_value_first(args, value)
    _check_addc_operands("addcdiv", input, tensor1, tensor2)
    if tensor1.array.dtype.kind in "iub" and tensor2.array.dtype.kind in "iub":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release addcdiv will "
            "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
            "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
            "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
            "behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all "
            f"dtypes. (tensor1 {tensor1.dtype}, tensor2 {tensor2.dtype})"
        )
    quot = Div.apply(tensor1, tensor2)
    return Add.apply(input, quot if value == 1 else Mul.apply(quot, value))


def fmod(input, other):
    """C-style remainder input - trunc(input/other)*other: takes the sign of input (fmod(-3, 2) = -1)."""
    require_tensor("fmod", input, "input", 1)
    if input.array.dtype.kind == "b" and (not isinstance(other, Tensor) or other.array.dtype.kind == "b"):
        raise NotImplementedError(f'"fmod" not implemented for \'Bool\' (shape {list(input.shape)})')
    return Fmod.apply(input, other)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """nan -> nan, +inf -> posinf, -inf -> neginf (None: the dtype's largest/smallest finite value)."""
    if input.array.dtype.kind != "f":
        return Tensor._wrap(input.array.copy())
    return NanToNum.apply(input, nan, posinf, neginf)


def frac(input):
    """The fractional part input - trunc(input) (it keeps input's sign)."""
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f'"frac" not implemented for \'{torch_type_name(input)}\'')
    return Frac.apply(input)


def copysign(input, other):
    """|input| with the sign of other (other may be a Python number); float result."""
    require_tensor("copysign", input, "input", 1)
    return Copysign.apply(input, other)


def heaviside(input, values):
    """0 where input < 0, values where input == 0, 1 where input > 0 (no gradient)."""
    require_tensor("heaviside", input, "input", 1)
    require_tensor("heaviside", values, "values", 2)
    if input.array.dtype != values.array.dtype:
        raise RuntimeError(
            f"heaviside is not yet implemented for tensors with different dtypes ({input.dtype} and "
            f"{values.dtype})."
        )
    return Heaviside.apply(input, values)


def sgn(input):
    """The sign (for real tensors the same as ``sign``; complex: z/|z|, see ops/complex.py)."""
    if isinstance(input, Tensor) and input.array.dtype.kind == "c":
        from .complex import sgn as complex_sgn  # noqa: PLC0415

        return complex_sgn(input)
    return sign(input)


def signbit(input):
    """True where the sign bit is set (negative numbers and -0.0); no gradient."""
    x = input.array
    xp = xp_of(x)
    if x.dtype.kind == "f":
        return Tensor._wrap(xp.signbit(x))
    if x.dtype.kind == "i":
        return Tensor._wrap(x < 0)
    return Tensor._wrap(xp.zeros(x.shape, dtype=bool))


def float_power(input, exponent):
    """input ** exponent computed in float64 (result float64 whatever the input dtypes)."""
    require_some_tensor("float_power", input, exponent)

    def f64(v):
        return v.double() if isinstance(v, Tensor) else float(v)

    return Pow.apply(f64(input), f64(exponent))


def _float_power_inplace(input, exponent):
    if input.array.dtype != np.float64:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {torch_type_name(input)} but the operation's result "
            "requires dtype Double"
        )
    return float_power(input, exponent)


#: Tensor methods this module adds (name -> function taking the tensor first)
METHODS: dict = {name: globals()[name] for name in __all__}
#: in-place Tensor methods (name ending in _ -> the out-of-place function they write back)
INPLACE_METHODS: dict = {
    name + "_": globals()[name] for name in __all__ if name not in ("logaddexp", "logaddexp2", "signbit")
}
INPLACE_METHODS["float_power_"] = _float_power_inplace
