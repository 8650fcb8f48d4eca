"""torch.special's Bessel, Airy and orthogonal-polynomial functions: bessel_j0/j1/y0/y1,
modified_bessel_i0/i1/k0/k1, scaled_modified_bessel_k0/k1, spherical_bessel_j0, airy_ai, and the
Chebyshev (T, U, V, W and shifted), Hermite (H, He), Laguerre and Legendre polynomials.

The Bessel/Airy functions evaluate the same Cephes approximations as ATen (rational functions and
Chebyshev series, coefficients in ``_bessel_tables``) branch-free on whole arrays: every branch is computed
on a safe input and the right one picked with ``where``; they run in float64 and return the input's float
dtype (integers give the default float dtype). The polynomials run ATen's three-term recurrences in the
result dtype, per element up to its own degree n, with ATen's special cases (|x| = 1, closed forms in
cos/sin(n acos x) for large n, n < 0 -> 0).

Like torch 2.13, none of these records a gradient: the result never requires grad.
"""
from __future__ import annotations

import math
from numbers import Number

import numpy as np

from ..backend import xp_of
from ..backend.dtype import get_default_dtype, result_type
from ..tensor import Tensor
from . import _bessel_tables as T
from ._util import require_tensor

__all__ = [
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0", "modified_bessel_i1",
    "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
    "spherical_bessel_j0", "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
    "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
    "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p",
]

_PI_4 = 0.785398163397448309615660845819875721
_3PI_4 = 2.356194490192344928846982537459627163
_SQRT_2_PI = 0.797884560802865355879892119868763737  # sqrt(2/pi)
_TWO_PI = 0.636619772367581343075535053490057448  # 2/pi
_EPS64 = float(np.finfo(np.float64).eps)


# ---------------------------------------------------------------- evaluation helpers ------------------------
def _horner(coeffs, z):
    """sum_i coeffs[i] z^(len-1-i) (coefficients highest power first), as ATen's ``p = p * z + C[i]``."""
    p = 0.0
    for c in coeffs:
        p = p * z + c
    return p


def _chbevl(coeffs, y):
    """The Chebyshev series of Cephes' ``chbevl``: 0.5 (b0 - b2) of the Clenshaw recurrence at y."""
    p = q = 0.0
    a = coeffs[0]
    for c in coeffs[1:]:
        p, q = q, a
        a = y * q - p + c
    return 0.5 * (a - p)


def _unary(name: str, input, kernel):
    """Apply the float64 ``kernel`` to ``input``'s array; result in the input's float dtype."""
    require_tensor(name, input)
    arr = input.array
    if arr.dtype.kind == "c":
        kind = "ComplexFloat" if arr.dtype == np.complex64 else "ComplexDouble"
        raise NotImplementedError(f'"{name}" not implemented for \'{kind}\'')
    out_dtype = arr.dtype if arr.dtype.kind == "f" else get_default_dtype().np
    xp = xp_of(arr)
    with np.errstate(all="ignore"):
        res = xp.asarray(kernel(xp, arr.astype(np.float64))).astype(out_dtype, copy=False)
    return Tensor._wrap(res)


# ---------------------------------------------------------------- Bessel functions of the first/second kind -
def _j0(xp, x):
    x = xp.abs(x)
    small = x <= 5.0
    xs = xp.where(small, x, 1.0)
    z = xs * xs
    near = (z - 5.78318596294678452118e+00) * (z - 3.04712623436620863991e+01) * _horner(T.BESSEL_J0_RP, z) \
        / _horner(T.BESSEL_J0_RQ, z)
    near = xp.where(xs < 1e-5, 1.0 - z / 4.0, near)
    xl = xp.where(small, 5.0, x)
    w = 25.0 / (xl * xl)
    far = (_horner(T.BESSEL_J0_PP, w) / _horner(T.BESSEL_J0_PQ, w) * xp.cos(xl - _PI_4)
           - 5.0 / xl * (_horner(T.BESSEL_J0_QP, w) / _horner(T.BESSEL_J0_QQ, w)) * xp.sin(xl - _PI_4)) \
        * _SQRT_2_PI / xp.sqrt(xl)
    return xp.where(small, near, far)


def _j1(xp, x):
    sgn = xp.where(x < 0, -1.0, 1.0)
    x = xp.abs(x)
    small = x <= 5.0
    xs = xp.where(small, x, 1.0)
    z = xs * xs
    near = _horner(T.BESSEL_J1_RP, z) / _horner(T.BESSEL_J1_RQ, z) * xs * (z - 1.46819706421238932572e+01) \
        * (z - 4.92184563216946036703e+01)
    xl = xp.where(small, 5.0, x)
    w = 5.0 / xl * (5.0 / xl)
    far = (_horner(T.BESSEL_J1_PP, w) / _horner(T.BESSEL_J1_PQ, w) * xp.cos(xl - _3PI_4)
           - 5.0 / xl * (_horner(T.BESSEL_J1_QP, w) / _horner(T.BESSEL_J1_QQ, w)) * xp.sin(xl - _3PI_4)) \
        * _SQRT_2_PI / xp.sqrt(xl)
    return sgn * xp.where(small, near, far)


def _y0(xp, x):
    small = x <= 5.0
    xs = xp.where(small & (x > 0), x, 1.0)
    z = xs * xs
    near = _horner(T.BESSEL_Y0_YP, z) / _horner(T.BESSEL_Y0_YQ, z) + _TWO_PI * xp.log(xs) * _j0(xp, xs)
    near = xp.where(x == 0, -math.inf, xp.where(x < 0, math.nan, near))
    xl = xp.where(small, 5.0, x)
    w = 25.0 / (xl * xl)
    far = (_horner(T.BESSEL_Y0_PP, w) / _horner(T.BESSEL_Y0_PQ, w) * xp.sin(xl - _PI_4)
           + 5.0 / xl * (_horner(T.BESSEL_Y0_QP, w) / _horner(T.BESSEL_Y0_QQ, w)) * xp.cos(xl - _PI_4)) \
        * _SQRT_2_PI / xp.sqrt(xl)
    return xp.where(small, near, far)


def _y1(xp, x):
    small = x <= 5.0
    xs = xp.where(small & (x > 0), x, 1.0)
    z = xs * xs
    near = xs * (_horner(T.BESSEL_Y1_YP, z) / _horner(T.BESSEL_Y1_YQ, z)) \
        + _TWO_PI * (_j1(xp, xs) * xp.log(xs) - 1.0 / xs)
    near = xp.where(x == 0, -math.inf, xp.where(x < 0, math.nan, near))
    xl = xp.where(small, 5.0, x)
    w = 5.0 / xl * (5.0 / xl)
    far = (_horner(T.BESSEL_Y1_PP, w) / _horner(T.BESSEL_Y1_PQ, w) * xp.sin(xl - _3PI_4)
           + 5.0 / xl * (_horner(T.BESSEL_Y1_QP, w) / _horner(T.BESSEL_Y1_QQ, w)) * xp.cos(xl - _3PI_4)) \
        * _SQRT_2_PI / xp.sqrt(xl)
    return xp.where(small, near, far)


# ---------------------------------------------------------------- modified Bessel functions -----------------
def _i0(xp, x):
    a = xp.abs(x)
    small = a <= 8.0
    near = _chbevl(T.MODIFIED_BESSEL_I0_A, xp.where(small, a, 0.0) / 2.0 - 2.0)
    al = xp.where(small, 32.0, a)
    far = _chbevl(T.MODIFIED_BESSEL_I0_B, 32.0 / al - 2.0) / xp.sqrt(al)
    return xp.exp(a) * xp.where(small, near, far)


def _i1(xp, x):
    a = xp.abs(x)
    small = a <= 8.0
    near = _chbevl(T.MODIFIED_BESSEL_I1_A, xp.where(small, a, 0.0) / 2.0 - 2.0) * a * xp.exp(a)
    al = xp.where(small, 32.0, a)
    far = xp.exp(a) * _chbevl(T.MODIFIED_BESSEL_I1_B, 32.0 / al - 2.0) / xp.sqrt(al)
    return xp.where(x < 0, -1.0, 1.0) * xp.where(small, near, far)


def _k_family(xp, x, a_tab, b_tab, order: int, scaled: bool):
    """K0 / K1 (``order``), optionally times exp(x): Chebyshev series in x^2 - 2 on (0, 2], in 8/x - 2 above."""
    small = x <= 2.0
    xs = xp.where(small & (x > 0), x, 1.0)
    series = _chbevl(a_tab, xs * xs - 2.0)
    if order == 0:
        near = series - xp.log(0.5 * xs) * _i0(xp, xs)
    else:
        near = xp.log(0.5 * xs) * _i1(xp, xs) + series / xs
    if scaled:
        near = near * xp.exp(xs)
    xl = xp.where(small, 8.0, x)
    far = _chbevl(b_tab, 8.0 / xl - 2.0) / xp.sqrt(xl)
    if not scaled:
        far = xp.exp(-xl) * far
    out = xp.where(small, near, far)
    return xp.where(x == 0, math.inf, xp.where(x < 0, math.nan, out))


def _k0(xp, x):
    return _k_family(xp, x, T.MODIFIED_BESSEL_K0_A, T.MODIFIED_BESSEL_K0_B, 0, False)


def _k1(xp, x):
    return _k_family(xp, x, T.MODIFIED_BESSEL_K1_A, T.MODIFIED_BESSEL_K1_B, 1, False)


def _k0e(xp, x):
    return _k_family(xp, x, T.SCALED_MODIFIED_BESSEL_K0_A, T.SCALED_MODIFIED_BESSEL_K0_B, 0, True)


def _k1e(xp, x):
    return _k_family(xp, x, T.SCALED_MODIFIED_BESSEL_K1_A, T.SCALED_MODIFIED_BESSEL_K1_B, 1, True)


def _spherical_j0(xp, x):
    z = x * x
    series = 1.0 + z * (-1.0 / 6.0 + z * (1.0 / 120.0 + z * (-1.0 / 5040.0 + z * (
        1.0 / 362880.0 + z * (-1.0 / 39916800.0 + z * (1.0 / 6227020800.0))))))
    xs = xp.where(x == 0, 1.0, x)
    out = xp.where(xp.abs(x) < 0.5, series, xp.sin(xs) / xs)
    return xp.where(xp.isinf(x), 0.0, out)


# ---------------------------------------------------------------- Airy Ai -----------------------------------
def _airy_ai(xp, x):
    neg = x < -2.09
    xn = xp.where(neg, x, -3.0)
    zeta_n = -2.0 * xn * xp.sqrt(-xn) / 3.0
    z = 1.0 / zeta_n
    zz = z * z
    t = zeta_n + 0.25 * math.pi
    left = 5.64189583547756286948e-01 / xp.sqrt(xp.sqrt(-xn)) * (
        xp.sin(t) * (1.0 + zz * _horner(T.AIRY_AI_AFN, zz) / _horner(T.AIRY_AI_AFD, zz))
        - xp.cos(t) * (z * _horner(T.AIRY_AI_AGN, zz) / _horner(T.AIRY_AI_AGD, zz)))
    pos = x >= 2.09
    xp_ = xp.where(pos, x, 3.0)
    zeta = 2.0 * xp_ * xp.sqrt(xp_) / 3.0
    right = 5.64189583547756286948e-01 * (_horner(T.AIRY_AI_AN, 1.0 / zeta) / _horner(T.AIRY_AI_AD, 1.0 / zeta)) \
        / (2.0 * xp.sqrt(xp.sqrt(xp_)) * xp.exp(zeta))
    # power series (Maclaurin) on [-2.09, 2.09): each element stops once its term falls below eps
    xm = xp.where(neg | pos, 0.0, x)
    f = xp.ones_like(xm)
    g = xm.copy()
    k = xp.ones_like(xm)
    m = xp.ones_like(xm)
    n = xm.copy()
    active = xp.ones(xm.shape, dtype=bool)
    z3 = xm * xm * xm
    for _ in range(40):  # |x| < 2.09: the terms fall below eps after < 20 steps
        m1 = m * z3
        k1 = k + 1.0
        m1 = m1 / k1
        n1 = n * z3
        k2 = k1 + 1.0
        n1 = n1 / k2
        m1 = m1 / k2
        f1 = f + m1
        k3 = k2 + 1.0
        n1 = n1 / k3
        g1 = g + n1
        m, n, k, f, g = (xp.where(active, new, old) for new, old in ((m1, m), (n1, n), (k3, k), (f1, f), (g1, g)))
        active = active & (xp.abs(m / f) > _EPS64)
    middle = 0.355028053887817239260 * f - 0.258819403792806798405 * g
    out = xp.where(neg, left, xp.where(pos, right, middle))
    out = xp.where(x > 103.892, 0.0, out)
    return xp.where(xp.isinf(x), math.nan, out)


def bessel_j0(input: Tensor) -> Tensor:
    """J0(x), the Bessel function of the first kind of order 0 (no gradient, as in torch)."""
    return _unary("bessel_j0", input, _j0)


def bessel_j1(input: Tensor) -> Tensor:
    """J1(x), the Bessel function of the first kind of order 1 (no gradient, as in torch)."""
    return _unary("bessel_j1", input, _j1)


def bessel_y0(input: Tensor) -> Tensor:
    """Y0(x), the Bessel function of the second kind of order 0 (-inf at 0, nan below; no gradient)."""
    return _unary("bessel_y0", input, _y0)


def bessel_y1(input: Tensor) -> Tensor:
    """Y1(x), the Bessel function of the second kind of order 1 (-inf at 0, nan below; no gradient)."""
    return _unary("bessel_y1", input, _y1)


def modified_bessel_i0(input: Tensor) -> Tensor:
    """I0(x), the modified Bessel function of the first kind of order 0 (no gradient, unlike ``i0``)."""
    return _unary("modified_bessel_i0", input, _i0)


def modified_bessel_i1(input: Tensor) -> Tensor:
    """I1(x), the modified Bessel function of the first kind of order 1 (no gradient, unlike ``i1``)."""
    return _unary("modified_bessel_i1", input, _i1)


def modified_bessel_k0(input: Tensor) -> Tensor:
    """K0(x), the modified Bessel function of the second kind of order 0 (inf at 0, nan below)."""
    return _unary("modified_bessel_k0", input, _k0)


def modified_bessel_k1(input: Tensor) -> Tensor:
    """K1(x), the modified Bessel function of the second kind of order 1 (inf at 0, nan below)."""
    return _unary("modified_bessel_k1", input, _k1)


def scaled_modified_bessel_k0(input: Tensor) -> Tensor:
    """exp(x) K0(x)."""
    return _unary("scaled_modified_bessel_k0", input, _k0e)


def scaled_modified_bessel_k1(input: Tensor) -> Tensor:
    """exp(x) K1(x)."""
    return _unary("scaled_modified_bessel_k1", input, _k1e)


def spherical_bessel_j0(input: Tensor) -> Tensor:
    """j0(x) = sin(x) / x (a Taylor series for |x| < 0.5; 0 at +-inf)."""
    return _unary("spherical_bessel_j0", input, _spherical_j0)


def airy_ai(input: Tensor) -> Tensor:
    """Ai(x), the Airy function of the first kind (no gradient, as in torch)."""
    return _unary("airy_ai", input, _airy_ai)


# ---------------------------------------------------------------- orthogonal polynomials --------------------
def _poly_operands(name: str, input, n):
    """(x, n as int64, xp, result dtype): torch's promotion of (input, n), integers to the default float."""
    if not isinstance(input, Tensor) and not isinstance(n, Tensor):
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({type(input).__name__}, "
                        f"{type(n).__name__}): at least one of 'input' and 'n' must be a Tensor")
    for v, arg in ((input, "input"), (n, "n")):
        if not isinstance(v, (Tensor, Number)) or isinstance(v, complex):
            raise TypeError(f"{name}(): argument '{arg}' must be Tensor or Number, not {type(v).__name__}")
    dt = result_type(input, n)
    out = dt.np if dt.np.kind == "f" else get_default_dtype().np
    if isinstance(input, Tensor) and isinstance(n, Tensor) and input.device != n.device:
        raise RuntimeError(f"{name}: Expected all tensors to be on the same device, but found at least two "
                           f"devices, {input.device} and {n.device}!")
    xp = xp_of((input if isinstance(input, Tensor) else n).array)
    x = input.array.astype(out) if isinstance(input, Tensor) else xp.asarray(input, dtype=out)
    nf = n.array.astype(out) if isinstance(n, Tensor) else xp.asarray(n, dtype=out)
    x, nf = xp.broadcast_arrays(x, nf)
    # static_cast<int64_t>(n) in the result dtype (C truncation); nan / inf -> -1 (ATen's Hermite guard)
    bad = ~xp.isfinite(nf)
    ni = xp.where(bad, -1, xp.trunc(xp.where(bad, 0, nf))).astype(np.int64)
    return x, ni, xp, out


def _max_degree(n, nmax, cap: int | None = None) -> int:
    """The largest degree: ``nmax`` for a Python degree, else read from ``n`` (one host read on a GPU)."""
    if nmax is None:
        nmax = int(n.max()) if n.size else 0
    return min(nmax, cap) if cap is not None else nmax


def _recurrence(xp, x, n, nmax, q1, step, cap=None):
    """P_n(x) per element by P_{k+1} = step(k, P_k, P_{k-1}) from P_0 = 1, P_1 = q1, k = 1 .. n - 1."""
    one = xp.ones_like(x)
    res = xp.where(n == 0, one, xp.where(n == 1, q1, xp.nan * one))
    p, q = one, q1
    for k in range(1, _max_degree(n, nmax, cap)):
        r = step(k, q, p)
        p, q = q, r
        res = xp.where(n == k + 1, r, res)
    return res


def _poly(name: str, input, n, body):
    x, ni, xp, out = _poly_operands(name, input, n)
    nmax = None
    if not isinstance(n, Tensor):
        nmax = int(n) if math.isfinite(n) else -1
    with np.errstate(all="ignore"):
        res = body(xp, x, ni, out, nmax)
    return Tensor._wrap(xp.asarray(res).astype(out, copy=False))


def _odd(n):
    return (n % 2) != 0


def _cheb_t(xp, x, n, out, nmax):
    res = _recurrence(xp, x, n, nmax, x, lambda k, q, p: (x + x) * q - p)
    inside = (n > 6) & (xp.abs(x) < 1)
    res = xp.where(inside, xp.cos(n.astype(out) * xp.arccos(xp.where(inside, x, 0))), res)
    res = xp.where(xp.abs(x) == 1, xp.where((x > 0) | ~_odd(n), 1.0, -1.0), res)
    return xp.where(n < 0, 0.0, res)


def _cheb_u(xp, x, n, out, nmax):
    res = _recurrence(xp, x, n, nmax, x + x, lambda k, q, p: (x + x) * q - p)
    inside = (n > 8) & (xp.abs(x) < 1)
    t = xp.arccos(xp.where(inside, x, 0))
    n1 = (n + 1).astype(out)
    s = xp.sin(t)
    closed = xp.where(s != 0, xp.sin(n1 * t) / xp.where(s != 0, s, 1), n1 * xp.cos(n1 * t) / x)
    res = xp.where(inside, closed, res)
    res = xp.where(xp.abs(x) == 1, xp.where((x > 0) | ~_odd(n), n1, -n1), res)
    return xp.where(n < 0, 0.0, res)


def _cheb_v(xp, x, n, out, nmax):
    res = _recurrence(xp, x, n, nmax, x + x - 1, lambda k, q, p: (x + x) * q - p)
    inside = (n > 8) & (xp.abs(x) < 1)
    t = xp.arccos(xp.where(inside, x, 0))
    odd_val = (n + n + 1).astype(out)
    edge = xp.where(_odd(n), -odd_val, odd_val)
    closed = xp.where(xp.sin(t / 2) != 1, xp.cos((n.astype(out) + 0.5) * t) / xp.cos(t / 2), edge)
    res = xp.where(inside, closed, res)
    res = xp.where(xp.abs(x) == 1, xp.where(x > 0, 1.0, edge), res)
    return xp.where(n < 0, 0.0, res)


def _cheb_w(xp, x, n, out, nmax):
    res = _recurrence(xp, x, n, nmax, x + x + 1, lambda k, q, p: (x + x) * q - p)
    inside = (n > 8) & (xp.abs(x) < 1)
    t = xp.arccos(xp.where(inside, x, 0))
    big = (n + n + 1).astype(out)
    sign = xp.where(_odd(n), -1.0, 1.0)
    closed = xp.where(xp.cos(t / 2) != 1, xp.sin((n.astype(out) + 0.5) * t) / xp.sin(t / 2),
                      xp.where(x > 0, big, sign))
    res = xp.where(inside, closed, res)
    res = xp.where(xp.abs(x) == 1, xp.where(x > 0, big, sign), res)
    return xp.where(n < 0, 0.0, res)


def _shifted(kind: str, threshold: int):
    """A shifted Chebyshev polynomial P*_n(x) = P_n(2x - 1), with ATen's own edge cases at x = 0 and 1."""

    def body(xp, x, n, out, nmax):
        y = x + x - 1
        q1 = {"t": y, "u": y + y, "v": y + y - 1, "w": y + y + 1}[kind]
        res = _recurrence(xp, x, n, nmax, q1, lambda k, q, p: (y + y) * q - p)
        inside = (n > threshold) & (xp.abs(y) < 1)
        t = xp.arccos(xp.where(inside, y, 0))
        nf = n.astype(out)
        n1 = nf + 1
        odd_val = nf + nf + 1
        odd = _odd(n)
        if kind == "t":
            closed = xp.cos(nf * t)
            at1, at0 = 1.0, xp.where(odd, -1.0, 1.0)
        elif kind == "u":
            s = xp.sin(t)
            closed = xp.where(s != 0, xp.sin(n1 * t) / xp.where(s != 0, s, 1), n1 * xp.cos(n1 * t) / y)
            at1, at0 = n1, xp.where(odd, -n1, n1)
        elif kind == "v":
            edge = xp.where(odd, -odd_val, odd_val)
            closed = xp.where(xp.sin(t / 2) != 1, xp.cos((nf + 0.5) * t) / xp.cos(t / 2), edge)
            at1, at0 = 1.0, edge
        else:
            sign = xp.where(odd, -1.0, 1.0)
            closed = xp.where(xp.cos(t / 2) != 1, xp.sin((nf + 0.5) * t) / xp.sin(t / 2), sign)
            at1, at0 = odd_val, sign
        res = xp.where(inside, closed, res)
        res = xp.where(x == 0, at0, res)
        res = xp.where(x == 1, at1, res)
        return xp.where(n < 0, 0.0, res)

    return body


def _hermite_limit(out) -> int:
    return 128 if out == np.float32 else 512


def _hermite_h(xp, x, n, out, nmax):
    lim = _hermite_limit(out)
    res = _recurrence(xp, x, n, nmax, x + x, lambda k, q, p: (x + x) * q - (2 * k) * p, cap=lim)
    res = xp.where(n > lim, xp.nan, res)
    return xp.where(n < 0, 0.0, res)


def _hermite_he(xp, x, n, out, nmax):
    lim = _hermite_limit(out)
    res = _recurrence(xp, x, n, nmax, x, lambda k, q, p: x * q - k * p, cap=lim)
    res = xp.where(n > lim, xp.nan, res)
    return xp.where(n < 0, 0.0, res)


def _laguerre(xp, x, n, out, nmax):
    res = _recurrence(xp, x, n, nmax, 1 - x, lambda k, q, p: (((k + k) + (1 - x)) * q - k * p) / (k + 1))
    res = xp.where(x == 0, 1.0, res)
    return xp.where(n < 0, 0.0, res)


def _legendre(xp, x, n, out, nmax):
    res = _recurrence(xp, x, n, nmax, x, lambda k, q, p: ((k + k + 1) * x * q - k * p) / (k + 1))
    res = xp.where(xp.abs(x) == 1, xp.where((x > 0) | ~_odd(n), 1.0, -1.0), res)
    return xp.where(n < 0, 0.0, res)


def chebyshev_polynomial_t(input, n) -> Tensor:
    """T_n(x), the Chebyshev polynomial of the first kind (cos(n acos x) for n > 6, |x| < 1)."""
    return _poly("chebyshev_polynomial_t", input, n, _cheb_t)


def chebyshev_polynomial_u(input, n) -> Tensor:
    """U_n(x), the Chebyshev polynomial of the second kind."""
    return _poly("chebyshev_polynomial_u", input, n, _cheb_u)


def chebyshev_polynomial_v(input, n) -> Tensor:
    """V_n(x), the Chebyshev polynomial of the third kind."""
    return _poly("chebyshev_polynomial_v", input, n, _cheb_v)


def chebyshev_polynomial_w(input, n) -> Tensor:
    """W_n(x), the Chebyshev polynomial of the fourth kind."""
    return _poly("chebyshev_polynomial_w", input, n, _cheb_w)


def shifted_chebyshev_polynomial_t(input, n) -> Tensor:
    """T*_n(x) = T_n(2x - 1)."""
    return _poly("shifted_chebyshev_polynomial_t", input, n, _shifted("t", 6))


def shifted_chebyshev_polynomial_u(input, n) -> Tensor:
    """U*_n(x) = U_n(2x - 1)."""
    return _poly("shifted_chebyshev_polynomial_u", input, n, _shifted("u", 6))


def shifted_chebyshev_polynomial_v(input, n) -> Tensor:
    """V*_n(x) = V_n(2x - 1)."""
    return _poly("shifted_chebyshev_polynomial_v", input, n, _shifted("v", 6))


def shifted_chebyshev_polynomial_w(input, n) -> Tensor:
    """W*_n(x) = W_n(2x - 1)."""
    return _poly("shifted_chebyshev_polynomial_w", input, n, _shifted("w", 4))


def hermite_polynomial_h(input, n) -> Tensor:
    """H_n(x), the physicists' Hermite polynomial (nan beyond degree 128 in float32, 512 in float64)."""
    return _poly("hermite_polynomial_h", input, n, _hermite_h)


def hermite_polynomial_he(input, n) -> Tensor:
    """He_n(x), the probabilists' Hermite polynomial."""
    return _poly("hermite_polynomial_he", input, n, _hermite_he)


def laguerre_polynomial_l(input, n) -> Tensor:
    """L_n(x), the Laguerre polynomial (1 at x = 0)."""
    return _poly("laguerre_polynomial_l", input, n, _laguerre)


def legendre_polynomial_p(input, n) -> Tensor:
    """P_n(x), the Legendre polynomial."""
    return _poly("legendre_polynomial_p", input, n, _legendre)
