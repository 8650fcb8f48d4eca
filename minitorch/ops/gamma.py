"""Gamma-family special functions: lgamma, digamma, polygamma, mvlgamma, the Hurwitz zeta function, the
modified Bessel functions i0, i0e, i1, i1e, and the normal-distribution functions erfcx, log_ndtr, ndtri.

Each forward uses the array library's own special function when there is one (SciPy on CPU,
cupyx.scipy.special on GPU), else a self-contained float64 algorithm written with elementwise array ops
only: fixed loop counts and ``xp.where``, so nothing reads GPU data back to the host. Torch's values at
poles, zeros and infinities are then set the same way on both paths. Integer inputs compute in the default
float dtype, as in torch. Backward formulas use these same functions as Tensor ops, so every derivative
is itself differentiable (d lgamma = digamma, d digamma = polygamma(1), d polygamma(n) = polygamma(n+1)).
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..autograd.function import BuiltinOp
from ..backend import xp_of
from ..tensor import Tensor
from . import special as _special_ops
from ._util import require_some_tensor, require_tensor, shape_of, unbroadcast
from .elementwise import _floating, binary_float_forward, sign, where

__all__ = ["lgamma", "digamma", "polygamma", "mvlgamma", "i0"]

_LOG_PI = math.log(math.pi)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_EULER_GAMMA = 0.57721566490153286061


def _bernoulli(n: int) -> list:
    """B_0..B_n exactly, by B_m = -1/(m+1) sum_{k<m} C(m+1, k) B_k."""
    b = [Fraction(1)]
    for m in range(1, n + 1):
        b.append(-sum(math.comb(m + 1, k) * b[k] for k in range(m)) / (m + 1))
    return b


_B = _bernoulli(30)


# ---------------------------------------------------------------- library lookup -----------------
def _library(arr, name):
    """SciPy's (CPU) or cupyx's (GPU) special function ``name``, or None: the lookup of ops/special.py."""
    return _special_ops._special(arr, name)


def _as_input(arr):
    """(float64 working copy, result dtype): integer input computes in the default float dtype."""
    arr = _floating(arr)
    return arr.astype(np.float64, copy=False), arr.dtype


def _compute(arr, name, fallback, fix_edges):
    """``name`` of a raw array: the library's function or ``fallback`` (float64 arrays in and out), then
    torch's edge values by ``fix_edges(x, result)``; the result keeps the input's float dtype."""
    x, dtype = _as_input(arr)
    fn = _library(x, name)
    with np.errstate(all="ignore"):
        r = fn(x) if fn is not None else fallback(x)
        r = fix_edges(x, r)
    return r.astype(dtype, copy=False)


def _sinpi_abs(x):
    """|sin(pi x)|, exact zeros at the integers (x - round(x) is exact in floating point)."""
    xp = xp_of(x)
    return xp.abs(xp.sin(math.pi * (x - xp.round(x))))


def _is_pole(x):
    """x is 0 or a negative integer (or -inf): a pole of the gamma function."""
    xp = xp_of(x)
    return (x <= 0) & (x == xp.floor(x))


# ---------------------------------------------------------------- lgamma -------------------------
_STIRLING = [float(_B[2 * k] / (2 * k * (2 * k - 1))) for k in range(1, 10)]  # 1/12, -1/360, ...
_SHIFT_TO = 16.0


def _lgamma_stirling(y):
    """log Gamma(y) for y >= 0: shift y up to t >= 16 (log Gamma(y) = log Gamma(t) - log(y (y+1) ... (t-1))),
    then Stirling's series (t - 1/2) log t - t + log(2 pi)/2 + sum_k B_2k / (2k (2k-1) t^(2k-1))."""
    xp = xp_of(y)
    t, prod = y, xp.ones_like(y)
    for _ in range(int(_SHIFT_TO)):
        small = t < _SHIFT_TO
        prod = prod * xp.where(small, t, 1.0)
        t = t + small
    r = 1.0 / t
    r2 = r * r
    series = xp.zeros_like(t)
    for c in reversed(_STIRLING):
        series = series * r2 + c
    return (t - 0.5) * xp.log(t) - t + _HALF_LOG_2PI + series * r - xp.log(prod)


def _zeta_ints(kmax: int) -> list:
    """zeta(2), ..., zeta(kmax) as Python floats (by the Hurwitz series below at q = 1)."""
    s = np.arange(2, kmax + 1, dtype=np.float64)
    return [float(v) for v in _hurwitz_positive(s, np.ones_like(s))]


_NEAR = 0.3  # |x - 1| or |x - 2| below this: Taylor series (relative accuracy at the zeros of lgamma)


def _lgamma1p_series(z):
    """log Gamma(1 + z) = -gamma z + sum_{k>=2} (-1)^k zeta(k) z^k / k for |z| <= 0.3."""
    total = xp_of(z).zeros_like(z)
    for k in range(len(_LGAMMA_TAYLOR) + 1, 1, -1):
        total = (total + (-1) ** k * _LGAMMA_TAYLOR[k - 2] / k) * z
    return (total - _EULER_GAMMA) * z + 0.0  # + 0.0: lgamma(1) is +0, as torch


def _lgamma_positive(y):
    """log Gamma(y) for y >= 0 (inf at 0)."""
    xp = xp_of(y)
    z1 = xp.clip(y - 1.0, -_NEAR, _NEAR)
    z2 = xp.clip(y - 2.0, -_NEAR, _NEAR)
    near1 = _lgamma1p_series(z1)
    near2 = _lgamma1p_series(z2) + xp.log1p(z2)
    r = xp.where(xp.abs(y - 1.0) < _NEAR, near1, xp.where(xp.abs(y - 2.0) < _NEAR, near2, _lgamma_stirling(y)))
    return xp.where(y == xp.inf, xp.inf, r)


def _lgamma_fallback(x):
    """log|Gamma(x)| on float64 arrays: ``_lgamma_positive`` for x >= 0, reflection below,
    log|Gamma(x)| = log(pi / |sin(pi x)|) - log Gamma(1 - x)."""
    xp = xp_of(x)
    neg = x < 0
    pos = _lgamma_positive(xp.where(neg, 1.0 - x, x))
    reflected = _LOG_PI - xp.log(_sinpi_abs(x)) - pos
    return xp.where(neg, reflected, pos)


def _lgamma_edges(x, r):
    """torch: +inf at the poles (0, negative integers) and at +-inf; -log(x) for subnormal x > 0."""
    xp = xp_of(x)
    tiny = (x > 0) & (x < 1e-300)
    r = xp.where(tiny, -xp.log(xp.where(tiny, x, 1.0)), r)
    z1 = xp.clip(x - 1.0, -_NEAR, _NEAR)  # near the zeros at 1 and 2 the Taylor series beats SciPy's gammaln
    z2 = xp.clip(x - 2.0, -_NEAR, _NEAR)
    r = xp.where(xp.abs(x - 1.0) < _NEAR, _lgamma1p_series(z1), r)
    r = xp.where(xp.abs(x - 2.0) < _NEAR, _lgamma1p_series(z2) + xp.log1p(z2), r)
    return xp.where(_is_pole(x) | (xp.abs(x) == xp.inf), xp.inf, r)


def lgamma_array(arr):
    """log|Gamma(x)| of a raw array, float64-accurate, keeping the input's float dtype."""
    return _compute(arr, "gammaln", _lgamma_fallback, _lgamma_edges)


# ---------------------------------------------------------------- digamma ------------------------
_PSI_10 = 2.25175258906672110764
_PSI_ASYMPTOTIC = [float(_B[2 * k] / (2 * k)) for k in range(1, 8)]  # 1/12, -1/120, ...


def _digamma_fallback(x):
    """digamma on float64 arrays: shift x up to >= 10 (psi(x) = psi(x+1) - 1/x), then the asymptotic series
    log t - 1/(2t) - sum_k B_2k / (2k t^2k); reflection psi(x) = psi(1 - x) - pi / tan(pi frac(x)) below 0."""
    xp = xp_of(x)
    neg = x < 0
    t = xp.where(neg, 1.0 - x, x)
    result = xp.zeros_like(t)
    for _ in range(10):
        small = t < 10.0
        result = result - xp.where(small, 1.0 / xp.where(small, t, 1.0), 0.0)
        t = t + small
    z = 1.0 / (t * t)
    series = xp.zeros_like(t)
    for c in reversed(_PSI_ASYMPTOTIC):
        series = (series + c) * z
    psi = result + xp.where(t == 10.0, _PSI_10, xp.log(t) - 0.5 / t - series)
    frac = x - xp.trunc(x)
    return xp.where(neg, psi - math.pi / xp.tan(math.pi * frac), psi)


def _digamma_edges(x, r):
    """torch: -inf at +0, +inf at -0, nan at the negative integers and -inf, +inf at +inf."""
    xp = xp_of(x)
    r = xp.where(x == 0, xp.copysign(xp.inf, -x), r)
    r = xp.where((x < 0) & (x == xp.floor(x)), xp.nan, r)
    return xp.where(x == xp.inf, xp.inf, r)


def digamma_array(arr):
    """digamma of a raw array, float64-accurate, keeping the input's float dtype."""
    return _compute(arr, "psi", _digamma_fallback, _digamma_edges)


# ---------------------------------------------------------------- Hurwitz zeta -------------------
_EM_TERMS = 12  # Euler-Maclaurin correction terms
_EM_COEF = [float(_B[2 * j] / math.factorial(2 * j)) for j in range(1, _EM_TERMS + 1)]
_DIRECT_TERMS = 9  # terms summed directly before Euler-Maclaurin takes over at w = q + 9


def _hurwitz_positive(s, q):
    """zeta(s, q) = sum_{k>=0} (q + k)^-s for s > 1, q > 0: nine terms summed, the rest by Euler-Maclaurin,
    w^(1-s)/(s-1) + w^-s/2 + sum_j B_2j/(2j)! s(s+1)...(s+2j-2) w^(-s-2j+1) at w = q + 9."""
    xp = xp_of(q)
    total = xp.zeros_like(q + s)
    for k in range(_DIRECT_TERMS):
        total = total + (q + k) ** -s
    w = q + _DIRECT_TERMS
    w_s = w**-s
    total = total + w_s * w / (s - 1.0) + 0.5 * w_s
    factor = s * w_s / w  # s (s+1) ... (s+2j-2) w^(-s-2j+1) for j = 1
    for j, c in enumerate(_EM_COEF, start=1):
        total = total + c * factor
        factor = factor * (s + 2 * j - 1) * (s + 2 * j) / (w * w)
    return total


_LGAMMA_TAYLOR = _zeta_ints(34)  # zeta(2), ..., zeta(34): the Taylor coefficients of log Gamma(1 + z)


def _zeta_fallback(s, q):
    """zeta(s, q) on float64 arrays. For q < 0 (integer s only; f = q - floor(q) in (0, 1)):
    zeta(s, q) = zeta(s, f) + sum_{k=1}^{-floor(q)} (f - k)^-s = zeta(s, f) + (-1)^s (zeta(s, 1-f) - zeta(s, 1-q))."""
    xp = xp_of(q)
    s, q = xp.broadcast_arrays(s, q)
    neg = q < 0
    qp = xp.where(neg | ~(q > 0), 1.0, q)  # only q > 0 reaches the series
    sp = xp.where(s > 1, s, 2.0)
    direct = _hurwitz_positive(sp, qp)
    f = q - xp.floor(q)
    f = xp.where(neg & (f > 0) & (f < 1), f, 0.5)
    one_minus_q = xp.where(neg, 1.0 - q, 1.0)
    sign_s = xp.where(xp.fmod(sp, 2.0) == 0, 1.0, -1.0)
    tail = _hurwitz_positive(sp, 1.0 - f) - _hurwitz_positive(sp, one_minus_q)
    reflected = _hurwitz_positive(sp, f) + sign_s * tail
    return xp.where(neg, reflected, direct)


def _zeta_edges(s, q, r):
    """torch (Cephes): inf at s == 1, nan for s < 1; for q <= 0: inf at the integers, nan unless s is an
    integer; nan at q = +inf."""
    xp = xp_of(r)
    r = xp.where((q <= 0) & (s != xp.floor(s)), xp.nan, r)
    r = xp.where((q <= 0) & (q == xp.floor(q)), xp.inf, r)
    r = xp.where(s < 1, xp.nan, xp.where(s == 1, xp.inf, r))
    return xp.where((q == xp.inf) | xp.isnan(s) | xp.isnan(q), xp.nan, r)


def zeta_array(s, q):
    """Hurwitz zeta of float64 arrays (or Python floats), torch's edge values."""
    xp = xp_of(q if not isinstance(q, (int, float)) else s)
    s64 = xp.asarray(s, dtype=np.float64)
    q64 = xp.asarray(q, dtype=np.float64)
    fn = _library(q64, "zeta")
    with np.errstate(all="ignore"):
        r = fn(s64, q64) if fn is not None else _zeta_fallback(s64, q64)
        return _zeta_edges(s64, q64, r)


def _polygamma_array(n: int, arr):
    """polygamma(n >= 1, x) = (-1)^(n+1) n! zeta(n+1, x), keeping the input's float dtype."""
    x, dtype = _as_input(arr)
    xp = xp_of(x)
    try:
        fact = math.exp(math.lgamma(n + 1.0))
    except OverflowError:
        fact = math.inf
    with np.errstate(all="ignore"):
        r = (fact if n % 2 else -fact) * zeta_array(float(n + 1), x)
        if n == 1:  # torch's trigamma: 0 at +inf, nan at -inf
            r = xp.where(x == xp.inf, 0.0, xp.where(x == -xp.inf, xp.nan, r))
    return r.astype(dtype, copy=False)


# ---------------------------------------------------------------- Bessel I0, I1 ------------------
_BESSEL_SPLIT = 30.0  # power series below |x| = 30, asymptotic expansion above
_SERIES_TERMS = 60
_ASYMPTOTIC_TERMS = 30


def _asymptotic_coefs(order: int) -> list:
    """I_v(x) ~ e^x / sqrt(2 pi x) sum_k c_k / x^k, c_k = (-1)^k prod_{j<k} (4v^2 - (2j+1)^2) / (k! 8^k)."""
    coefs, c = [], 1.0
    for k in range(_ASYMPTOTIC_TERMS):
        coefs.append(c)
        c = -c * (4 * order * order - (2 * k + 1) ** 2) / ((k + 1) * 8)
    return coefs


_BESSEL_ASYMPTOTIC = {0: _asymptotic_coefs(0), 1: _asymptotic_coefs(1)}


def _bessel_i_fallback(x, order: int, scaled: bool):
    """I0/I1 (times e^-|x| when ``scaled``) on float64 arrays: the power series
    I_v(x) = sum_k (x/2)^(2k+v) / (k! (k+v)!) for |x| <= 30, the asymptotic expansion above."""
    xp = xp_of(x)
    ax = xp.abs(x)
    s = xp.minimum(ax, _BESSEL_SPLIT)
    y = 0.25 * s * s
    term = xp.ones_like(s) if order == 0 else 0.5 * s
    total = term
    for k in range(1, _SERIES_TERMS):
        term = term * y / (k * (k + order))
        total = total + term
    if scaled:
        total = total * xp.exp(-s)
    big = xp.maximum(ax, _BESSEL_SPLIT)
    inv = 1.0 / big
    series = xp.zeros_like(big)
    for c in reversed(_BESSEL_ASYMPTOTIC[order]):
        series = series * inv + c
    asym = series / (_SQRT_2PI * xp.sqrt(big))
    if not scaled:
        asym = asym * xp.exp(big)  # inf from |x| ~ 709.8 on, where e^x overflows (as torch and SciPy)
    r = xp.where(ax <= _BESSEL_SPLIT, total, asym)
    return xp.where(x < 0, -r, r) if order == 1 else r


def _bessel_edges(scaled: bool, order: int):
    def fix(x, r):
        """torch: I0(+-inf) and I1(+-inf) are nan, the scaled ones 0 (with x's sign for i1e)."""
        xp = xp_of(x)
        inf = xp.abs(x) == xp.inf
        if not scaled:
            return xp.where(inf, xp.nan, r)
        return xp.where(inf, 0.0 if order == 0 else xp.copysign(0.0, x), r)

    return fix


def bessel_i_array(arr, name: str):
    """i0, i0e, i1 or i1e of a raw array, keeping the input's float dtype."""
    order, scaled = int(name[1]), name.endswith("e")
    return _compute(arr, name, lambda x: _bessel_i_fallback(x, order, scaled), _bessel_edges(scaled, order))


# ---------------------------------------------------------------- erfcx, log_ndtr, ndtri ---------
def _erfcx_fallback(x):
    """erfcx(x) = e^(x^2) erfc(x) on float64 arrays: for x >= 2.5 the continued fraction
    1/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) (no e^(x^2) to overflow), e^(x^2) erfc(x) below."""
    xp = xp_of(x)
    b = xp.maximum(x, 2.5)
    f = b
    for k in range(60, 0, -1):
        f = b + (k / 2.0) / f
    tail = 1.0 / (math.sqrt(math.pi) * f)
    a = xp.minimum(x, 2.5)
    head = xp.exp(a * a) * _special_ops._special_array(a, "erfc")
    return xp.where(x >= 2.5, tail, head)


def _erfcx_edges(x, r):
    xp = xp_of(x)
    return xp.where(x == xp.inf, 0.0, xp.where(x == -xp.inf, xp.inf, r))


def erfcx_array(arr):
    """erfcx of a raw array, keeping the input's float dtype."""
    return _compute(arr, "erfcx", _erfcx_fallback, _erfcx_edges)


def _log_ndtr_fallback(x):
    """log Phi(x): log(erfcx(-x/sqrt 2)/2) - x^2/2 for x < -1 (no underflow), log1p(-erfc(x/sqrt 2)/2) above."""
    xp = xp_of(x)
    lo = xp.minimum(x, -1.0)
    left = xp.log(0.5 * _erfcx_compute(-lo / _SQRT2)) - 0.5 * lo * lo
    hi = xp.maximum(x, -1.0)
    right = xp.log1p(-0.5 * _special_ops._special_array(hi / _SQRT2, "erfc"))
    return xp.where(x < -1.0, left, right)


def _erfcx_compute(x64):
    fn = _library(x64, "erfcx")
    return _erfcx_edges(x64, fn(x64) if fn is not None else _erfcx_fallback(x64))


def _log_ndtr_edges(x, r):
    xp = xp_of(x)
    return xp.where(x == xp.inf, -0.0, xp.where(x == -xp.inf, -xp.inf, r))


def log_ndtr_array(arr):
    """log of the standard normal CDF of a raw array, keeping the input's float dtype."""
    return _compute(arr, "log_ndtr", _log_ndtr_fallback, _log_ndtr_edges)


_NDTRI_NEWTON = 4


def _ndtri_fallback(p):
    """The standard normal quantile on float64 arrays: for q = min(p, 1-p), a start of sqrt(2) erfinv(2q - 1)
    (or the tail asymptote sqrt(-2 log q) - ... when 2q - 1 rounds to -1), then Newton steps on
    log Phi(x) = log q, whose slope exp(-x^2/2) / (sqrt(2 pi) Phi(x)) = sqrt(2/pi) / erfcx(-x/sqrt 2)."""
    xp = xp_of(p)
    upper = p > 0.5
    q = xp.where(upper, 1.0 - p, p)
    q = xp.where((q > 0) & (q <= 0.5), q, 0.25)
    central = _SQRT2 * _special_ops._special_array(2.0 * q - 1.0, "erfinv")
    t = xp.sqrt(-2.0 * xp.log(q))
    tail = -(t - (xp.log(t) + 0.5 * math.log(4 * math.pi)) / t)
    x = xp.where(q > 1e-10, central, tail)
    log_q = xp.log(q)
    for _ in range(_NDTRI_NEWTON):
        x = x - (_log_ndtr_fallback(x) - log_q) * _erfcx_compute(-x / _SQRT2) / _SQRT_2_OVER_PI
    return xp.where(upper, -x, x)


def _ndtri_edges(p, r):
    """torch: -inf at 0, +inf at 1, nan outside [0, 1]."""
    xp = xp_of(p)
    r = xp.where(p == 0, -xp.inf, xp.where(p == 1, xp.inf, r))
    return xp.where((p < 0) | (p > 1) | xp.isnan(p), xp.nan, r)


def ndtri_array(arr):
    """The standard normal quantile of a raw array, keeping the input's float dtype."""
    return _compute(arr, "ndtri", _ndtri_fallback, _ndtri_edges)


# ---------------------------------------------------------------- Functions ----------------------
class Lgamma(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lgamma_array(x.array)

    @staticmethod
    def backward(ctx, g):
        """d log|Gamma(x)| = g * digamma(x)."""
        (x,) = ctx.saved_tensors
        return g * digamma(x)


class Digamma(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return digamma_array(x.array)

    @staticmethod
    def backward(ctx, g):
        """d digamma(x) = g * polygamma(1, x)."""
        (x,) = ctx.saved_tensors
        return g * polygamma(1, x)


class Polygamma(BuiltinOp):
    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return _polygamma_array(n, x.array)

    @staticmethod
    def backward(ctx, g):
        """d polygamma(n, x) = g * polygamma(n + 1, x)."""
        (x,) = ctx.saved_tensors
        return g * polygamma(ctx.n + 1, x), None


class Mvlgamma(BuiltinOp):
    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        arr = _floating(x.array)
        total = sum(lgamma_array(arr - 0.5 * i) for i in range(p))
        return (total + p * (p - 1) / 4.0 * _LOG_PI).astype(arr.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        """d sum_i log Gamma(x - i/2) = g * sum_{i<p} digamma(x - i/2)."""
        (x,) = ctx.saved_tensors
        total = digamma(x)
        for i in range(1, ctx.p):
            total = total + digamma(x - 0.5 * i)
        return g * total, None


class HurwitzZeta(BuiltinOp):
    @staticmethod
    def forward(ctx, s, q):
        ctx.save_for_backward(s, q)
        return binary_float_forward("zeta", lambda xp, x, y: zeta_array(x, y), s, q)

    @staticmethod
    def backward(ctx, g):
        """d zeta(s, q) / dq = -g * s * zeta(s + 1, q); torch has no derivative in s (this raises)."""
        s, q = ctx.saved_tensors
        ns, nq = ctx.needs_input_grad
        if ns:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        return None, unbroadcast(-g * s * zeta(s + 1, q), shape_of(q)) if nq else None


class BesselI0(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return bessel_i_array(x.array, "i0")

    @staticmethod
    def backward(ctx, g):
        """d I0(x) = g * I1(x)."""
        (x,) = ctx.saved_tensors
        return g * i1(x)


class BesselI0e(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return bessel_i_array(x.array, "i0e")

    @staticmethod
    def backward(ctx, g):
        """d e^-|x| I0(x) = g * (i1e(x) - sign(x) i0e(x))."""
        (x,) = ctx.saved_tensors
        return g * (i1e(x) - sign(x) * ctx.output)


class BesselI1(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return bessel_i_array(x.array, "i1")

    @staticmethod
    def backward(ctx, g):
        """d I1(x) = g * (I0(x) - I1(x)/x), g/2 at x = 0."""
        (x,) = ctx.saved_tensors
        zero = x.array == 0
        safe = where(zero, 1.0, x)
        return g * where(zero, 0.5, i0(safe) - i1(safe) / safe)


class BesselI1e(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return bessel_i_array(x.array, "i1e")

    @staticmethod
    def backward(ctx, g):
        """d e^-|x| I1(x) = g * (i0e(x) - i1e(x) (sign(x) + 1/x)), g/2 at x = 0."""
        (x,) = ctx.saved_tensors
        zero = x.array == 0
        safe = where(zero, 1.0, x)
        return g * where(zero, 0.5, i0e(safe) - i1e(safe) * (sign(safe) + 1.0 / safe))


class Erfcx(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erfcx_array(x.array)

    @staticmethod
    def backward(ctx, g):
        """d e^(x^2) erfc(x) = g * (2 x erfcx(x) - 2/sqrt(pi))."""
        (x,) = ctx.saved_tensors
        return g * (2.0 * x * ctx.output - _TWO_OVER_SQRT_PI)


class LogNdtr(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return log_ndtr_array(x.array)

    @staticmethod
    def backward(ctx, g):
        """d log Phi(x) = g * phi(x)/Phi(x) = g * sqrt(2/pi) / erfcx(-x/sqrt(2))."""
        (x,) = ctx.saved_tensors
        return g * (_SQRT_2_OVER_PI / erfcx(x * (-1.0 / _SQRT2)))


class Ndtri(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, p):
        return ndtri_array(p.array)

    @staticmethod
    def backward(ctx, g):
        """d Phi^-1(p) = g * sqrt(2 pi) e^(ndtri(p)^2 / 2)."""
        y = ctx.output
        return g * ((y * y * 0.5).exp() * _SQRT_2PI)


class Xlog1py(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return binary_float_forward("xlog1py", _xlog1py_arrays, a, b)

    @staticmethod
    def backward(ctx, g):
        """d x*log1p(y) = g*log1p(y) (0 where x == 0 and y <= -1), g*x/(1 + y)."""
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = gb = None
        if na:
            b_arr = b.array if isinstance(b, Tensor) else b
            ga = where((a.array == 0) & (b_arr <= -1), 0.0, xlog1py(g, b))
            ga = unbroadcast(ga, shape_of(a))
        if nb:
            gb = unbroadcast(g * a / (b + 1), shape_of(b))
        return ga, gb


def _xlog1py_arrays(xp, x, y):
    """x*log1p(y), 0 where x == 0 unless y is nan (x or y may be a Python number, not both)."""
    if isinstance(y, (int, float)):
        if math.isnan(y):
            return x * math.nan
        log1p_y = math.log1p(y) if y > -1 else (-math.inf if y == -1 else math.nan)
        return xp.where(x == 0, 0, x * log1p_y)
    return xp.where((x == 0) & ~xp.isnan(y), 0, x * xp.log1p(y))


class Entr(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        arr = _floating(x.array)
        xp = xp_of(arr)
        with np.errstate(all="ignore"):
            r = xp.where(arr > 0, -arr * xp.log(xp.where(arr > 0, arr, 1)), xp.where(arr == 0, 0, -xp.inf))
        return xp.where(xp.isnan(arr), arr, r).astype(arr.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        """d -x log x = -g * (1 + log x)."""
        (x,) = ctx.saved_tensors
        return g * -(x.log() + 1)


# ---------------------------------------------------------------- functional API -----------------
def lgamma(input):
    """log|Gamma(x)|: +inf at 0 and the negative integers."""
    require_tensor("lgamma", input, "input", 1)
    return Lgamma.apply(input)


def digamma(input):
    """The digamma function d/dx log Gamma(x): -inf at +0, +inf at -0, nan at the negative integers."""
    require_tensor("digamma", input, "input", 1)
    return Digamma.apply(input)


def polygamma(n, input):
    """The n-th derivative of digamma: polygamma(0, x) = digamma(x), polygamma(n, x) = (-1)^(n+1) n! zeta(n+1, x)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    require_tensor("polygamma", input, "input", 1)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    if n == 0:
        return digamma(input)
    return Polygamma.apply(input, int(n))


def _polygamma_method(self, n):
    """``x.polygamma(n)``: polygamma(n, x)."""
    return polygamma(n, self)


def mvlgamma(input, p):
    """The multivariate log-gamma function sum_{i<p} log Gamma(x - i/2) + p(p-1)/4 log(pi)."""
    require_tensor("mvlgamma", input, "input", 1)
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
        raise TypeError(f"mvlgamma(): argument 'p' (position 2) must be int, not {type(p).__name__}")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if input.array.dtype.kind == "b":
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    return Mvlgamma.apply(input, int(p))


def zeta(input, other):
    """The Hurwitz zeta function sum_{k>=0} (other + k)^-input; either argument may be a Python number."""
    require_some_tensor("zeta", input, other)
    return HurwitzZeta.apply(input, other)


def i0(input):
    """The modified Bessel function of the first kind, order 0."""
    require_tensor("i0", input, "input", 1)
    return BesselI0.apply(input)


def i0e(input):
    """The exponentially scaled modified Bessel function e^-|x| I0(x)."""
    require_tensor("i0e", input, "input", 1)
    return BesselI0e.apply(input)


def i1(input):
    """The modified Bessel function of the first kind, order 1."""
    require_tensor("i1", input, "input", 1)
    return BesselI1.apply(input)


def i1e(input):
    """The exponentially scaled modified Bessel function e^-|x| I1(x)."""
    require_tensor("i1e", input, "input", 1)
    return BesselI1e.apply(input)


def xlog1py(input, other):
    """x*log1p(y), 0 where x == 0 (unless y is nan); either argument may be a Python number."""
    require_some_tensor("xlog1py", input, other)
    return Xlog1py.apply(input, other)


def entr(input):
    """The elementwise entropy -x log x: 0 at 0, -inf for x < 0."""
    require_tensor("entr", input, "input", 1)
    return Entr.apply(input)


def erfcx(input):
    """The scaled complementary error function e^(x^2) erfc(x), without overflow for large x."""
    require_tensor("erfcx", input, "input", 1)
    return Erfcx.apply(input)


def log_ndtr(input):
    """log of the standard normal CDF, accurate far into both tails."""
    require_tensor("log_ndtr", input, "input", 1)
    return LogNdtr.apply(input)


def ndtri(input):
    """The standard normal quantile (inverse CDF): -inf at 0, +inf at 1, nan outside [0, 1]."""
    require_tensor("ndtri", input, "input", 1)
    return Ndtri.apply(input)


#: Tensor methods this module adds (name -> function taking the tensor first)
METHODS: dict = {"lgamma": lgamma, "digamma": digamma, "polygamma": _polygamma_method, "mvlgamma": mvlgamma,
                 "i0": i0}
#: in-place Tensor methods (name ending in _ -> the out-of-place function they write back)
INPLACE_METHODS: dict = {name + "_": fn for name, fn in METHODS.items()}
