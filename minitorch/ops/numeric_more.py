"""More numeric ops from torch's top level: gcd/lcm, ldexp/frexp, nextafter, fmax/fmin, igamma/igammac,
isneginf/isposinf/isreal, msort, ravel, positive, fix, vdot, ger, histogram/histogramdd, gradient, renorm.

Differentiable where torch's are (fmax, fmin, frexp's mantissa, nextafter (as torch: the gradient passes to
``input``), igamma/igammac w.r.t. ``other``, ldexp, gradient, renorm, msort, ravel, vdot, ger);
the integer and boolean ones (gcd, lcm, isneginf...) and the histograms have no gradient.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import return_types
from ..autograd.function import BuiltinOp
from ..backend import xp_of
from ..backend.arrays import add_at
from ..backend.dtype import get_default_dtype, result_type
from ..tensor import Tensor, _wrap_dim
from . import comparison as cmp
from . import elementwise as ew
from . import reduction as red
from . import shape as sh
from ._util import (
    binary_error,
    kernel_not_implemented,
    promoted_operands,
    require_tensor,
    torch_type_name,
    unbroadcast,
)
from .gamma import lgamma_array
from .special import _special

__all__ = [
    "gcd", "lcm", "ldexp", "frexp", "nextafter", "fmax", "fmin", "igamma", "igammac", "isneginf", "isposinf",
    "isreal", "msort", "ravel", "positive", "fix", "vdot", "ger", "histogram", "histogramdd", "gradient",
    "renorm",
]

for _n, _f in (("frexp", ["mantissa", "exponent"]), ("histogram", ["hist", "bin_edges"]),
               ("histogramdd", ["hist", "bin_edges"])):
    return_types.structseq(_n, _f)


def _not_implemented(kernel: str, np_dtype) -> NotImplementedError:
    return kernel_not_implemented(kernel, np_dtype)


def _pair(op: str, a, b, kinds: str, *, tensors_only: bool = True):
    """(x, y, out NumPy dtype): both operands as arrays of torch's result dtype, which must be of ``kinds``."""
    x, y, _, out = promoted_operands(op, a, b, kinds, tensors_only=tensors_only)
    return x, y, out


def _shape(v) -> tuple:
    return v.array.shape if isinstance(v, Tensor) else ()


# ---------------------------------------------------------------- gcd / lcm ----------------------
def _gcd_arrays(xp, x, y):
    try:
        return xp.gcd(x, y)
    except ValueError as e:
        raise binary_error("gcd", Tensor._wrap(x), Tensor._wrap(y), e) from None


def gcd(input: Tensor, other: Tensor) -> Tensor:
    """Greatest common divisor of integer tensors, elementwise (non-negative; gcd(0, 0) = 0)."""
    x, y, _ = _pair("gcd", input, other, "iu")
    return Tensor._wrap(_gcd_arrays(xp_of(x), x, y))


def lcm(input: Tensor, other: Tensor) -> Tensor:
    """Least common multiple of integer tensors, elementwise (non-negative; 0 when either is 0)."""
    x, y, _ = _pair("lcm", input, other, "iu")
    xp = xp_of(x)
    g = _gcd_arrays(xp, x, y)
    safe = xp.where(g == 0, 1, g).astype(g.dtype)
    wide = np.uint64 if g.dtype == np.uint64 else np.int64  # C++ computes small types in int, then narrows
    return Tensor._wrap(xp.abs((x // safe).astype(wide) * y.astype(wide)).astype(g.dtype))


# ---------------------------------------------------------------- ldexp / frexp ------------------
def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """``input * 2**other`` (float result: integer inputs compute in the default float dtype); differentiable
    in both, as the product it is."""
    require_tensor("ldexp", input, "input", 1)
    require_tensor("ldexp", other, "other", 2)
    dt = result_type(input, other)
    if dt.np.kind != "f":
        dt = get_default_dtype()
    x = input if input.dtype == dt else input.to(dt)
    e = other if other.dtype == dt else other.to(dt)
    return ew.mul(x, ew.pow(2.0, e))


class Frexp(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x.array)
        m, e = xp.frexp(x.array)
        ctx.exponent = e
        return m.astype(x.array.dtype, copy=False), e.astype(np.int32, copy=False)

    @staticmethod
    def backward(ctx, gm, ge):
        """d mantissa = g / 2^exponent (the exponent is piecewise constant: no gradient)."""
        xp = xp_of(gm.array)
        scale = xp.ldexp(xp.ones(ctx.exponent.shape, dtype=gm.array.dtype), -ctx.exponent)
        return gm * Tensor._wrap(scale.astype(gm.array.dtype, copy=False))


def frexp(input: Tensor) -> tuple:
    """(mantissa, exponent) with input = mantissa * 2**exponent, 0.5 <= |mantissa| < 1 (exponent int32)."""
    require_tensor("frexp", input)
    if input.array.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = Frexp.apply(input)
    return return_types.frexp(m, e)


# ---------------------------------------------------------------- nextafter ----------------------
class Nextafter(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        x, y, _ = _pair("nextafter", a, b, "f")
        ctx.shapes = (_shape(a), _shape(b))
        ctx.other = b
        try:
            return xp_of(x).nextafter(x, y)
        except ValueError as e:
            raise binary_error("nextafter", a, b, e) from None

    @staticmethod
    def backward(ctx, g):
        """d nextafter(a, b) = g, 0 (as torch: the step of one ulp is treated as the identity in a)."""
        sa, sb = ctx.shapes
        nb = ctx.needs_input_grad[1]
        return unbroadcast(g, sa), (unbroadcast(g * 0, sb) if nb else None)


def nextafter(input: Tensor, other: Tensor) -> Tensor:
    """The next representable float after ``input`` in the direction of ``other``, elementwise."""
    require_tensor("nextafter", input, "input", 1)
    require_tensor("nextafter", other, "other", 2)
    return Nextafter.apply(input, other)


# ---------------------------------------------------------------- fmax / fmin --------------------
class _FMaxMin(BuiltinOp):
    name = "fmax"

    @classmethod
    def forward(cls, ctx, a, b):
        x, y, _ = _pair(cls.name, a, b, "biuf")
        xp = xp_of(x)
        try:
            r = (xp.fmax if cls.name == "fmax" else xp.fmin)(x, y)
        except ValueError as e:
            raise binary_error(cls.name, a, b, e) from None
        keep_a = ((x >= y) if cls.name == "fmax" else (x <= y)) | xp.isnan(y)
        ctx.keep_a = keep_a
        ctx.shapes = (_shape(a), _shape(b))
        return r

    @staticmethod
    def backward(ctx, g):
        """d fmax(a, b) = g where a is chosen (a >= b, or b is NaN), else to b; fmin alike with a <= b."""
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        mask = Tensor._wrap(ctx.keep_a.astype(g.array.dtype))
        return (unbroadcast(g * mask, sa) if na else None,
                unbroadcast(g * (1 - mask), sb) if nb else None)


class FMax(_FMaxMin):
    name = "fmax"


class FMin(_FMaxMin):
    name = "fmin"


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise maximum ignoring NaN (NaN only where both are NaN); the gradient goes to the chosen one."""
    require_tensor("fmax", input, "input", 1)
    require_tensor("fmax", other, "other", 2)
    return FMax.apply(input, other)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise minimum ignoring NaN (NaN only where both are NaN); the gradient goes to the chosen one."""
    require_tensor("fmin", input, "input", 1)
    require_tensor("fmin", other, "other", 2)
    return FMin.apply(input, other)


# ---------------------------------------------------------------- igamma / igammac ---------------
_IGAMMA_ITERS = 400


def _igamma_fallback(a, x, upper: bool):
    """Regularised incomplete gamma P(a, x) (or Q = 1 - P) on float64 arrays: the power series
    P = e^-x x^a / Gamma(a+1) sum_n x^n / ((a+1)...(a+n)) for x < a + 1, Lentz's continued fraction for Q
    otherwise (Numerical Recipes 6.2), vectorised with a fixed number of terms."""
    xp = xp_of(x)
    a, x = xp.broadcast_arrays(a, x)
    ok = (a > 0) & (x > 0) & xp.isfinite(a) & xp.isfinite(x)
    sa, sx = xp.where(ok, a, 1.0), xp.where(ok, x, 1.0)
    log_pref = -sx + sa * xp.log(sx)
    # series
    term = 1.0 / sa
    total = term
    ap = sa
    for _ in range(_IGAMMA_ITERS):
        ap = ap + 1.0
        term = term * sx / ap
        total = total + term
    p_series = xp.exp(log_pref - lgamma_array(sa)) * total
    # continued fraction
    tiny = 1e-300
    b = sx + 1.0 - sa
    c = xp.full(b.shape, 1.0 / tiny)
    d = 1.0 / xp.where(xp.abs(b) < tiny, tiny, b)
    h = d
    for i in range(1, _IGAMMA_ITERS + 1):
        an = -i * (i - sa)
        b = b + 2.0
        d = an * d + b
        d = 1.0 / xp.where(xp.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = xp.where(xp.abs(c) < tiny, tiny, c)
        h = h * d * c
    q_cf = xp.exp(log_pref - lgamma_array(sa)) * h
    use_series = sx < sa + 1.0
    p = xp.where(use_series, p_series, 1.0 - q_cf)
    q = xp.where(use_series, 1.0 - p_series, q_cf)
    r = q if upper else p
    # edges (as SciPy/torch): x = 0 -> P = 0; x = inf -> P = 1; a = 0, x > 0 -> P = 1; NaN or negatives -> NaN
    zero_x = (x == 0) & (a > 0)
    r = xp.where(zero_x, 1.0 if upper else 0.0, r)
    done = ((x == xp.inf) & (a > 0) & xp.isfinite(a)) | ((a == 0) & (x > 0))
    r = xp.where(done, 0.0 if upper else 1.0, r)
    bad = xp.isnan(a) | xp.isnan(x) | (a < 0) | (x < 0)
    return xp.where(bad, xp.nan, r)


def _igamma_array(a, x, upper: bool):
    fn = _special(x, "gammaincc" if upper else "gammainc")
    with np.errstate(all="ignore"):
        if fn is not None:
            return fn(a, x)
        return _igamma_fallback(a.astype(np.float64), x.astype(np.float64), upper)


class _IGamma(BuiltinOp):
    upper = False

    @classmethod
    def forward(cls, ctx, a, x):
        name = "igammac" if cls.upper else "igamma"
        arr_a, arr_x, out = _pair(name, a, x, "f")
        try:
            shape = np.broadcast_shapes(arr_a.shape, arr_x.shape)
        except ValueError as e:
            raise binary_error(name, a, x, e) from None
        ctx.shapes = (_shape(a), _shape(x))
        ctx.save_for_backward(Tensor._wrap(arr_a), Tensor._wrap(arr_x))
        r = _igamma_array(arr_a, arr_x, cls.upper).astype(out, copy=False)
        return r if r.shape == shape else xp_of(r).broadcast_to(r, shape).copy()

    @classmethod
    def backward(cls, ctx, g):
        """d P(a, x)/dx = e^-x x^(a-1) / Gamma(a) (minus that for Q); no derivative in a (as torch)."""
        na, nx = ctx.needs_input_grad
        if na:
            raise NotImplementedError(
                f"the derivative for '{'igammac' if cls.upper else 'igamma'}: input' is not implemented.")
        a, x = ctx.saved_tensors
        dens = (-x + (a - 1) * x.log() - Tensor._wrap(lgamma_array(a.array))).exp()
        return None, unbroadcast(g * (-dens if cls.upper else dens), ctx.shapes[1])


class IGamma(_IGamma):
    upper = False


class IGammac(_IGamma):
    upper = True


def igamma(input: Tensor, other: Tensor) -> Tensor:
    """Regularised lower incomplete gamma function P(input, other) = gamma(a, x) / Gamma(a)."""
    require_tensor("igamma", input, "input", 1)
    require_tensor("igamma", other, "other", 2)
    return IGamma.apply(input, other)


def igammac(input: Tensor, other: Tensor) -> Tensor:
    """Regularised upper incomplete gamma function Q(input, other) = 1 - P(input, other)."""
    require_tensor("igammac", input, "input", 1)
    require_tensor("igammac", other, "other", 2)
    return IGammac.apply(input, other)


# ---------------------------------------------------------------- predicates ---------------------
def isposinf(input: Tensor) -> Tensor:
    """True where ``input`` is +inf (never for integer/bool tensors)."""
    require_tensor("isposinf", input)
    arr = input.array
    xp = xp_of(arr)
    return Tensor._wrap(arr == xp.inf if arr.dtype.kind == "f" else xp.zeros(arr.shape, dtype=bool))


def isneginf(input: Tensor) -> Tensor:
    """True where ``input`` is -inf (never for integer/bool tensors)."""
    require_tensor("isneginf", input)
    arr = input.array
    xp = xp_of(arr)
    return Tensor._wrap(arr == -xp.inf if arr.dtype.kind == "f" else xp.zeros(arr.shape, dtype=bool))


def isreal(input: Tensor) -> Tensor:
    """True everywhere: minitorch has no complex dtypes (torch: imaginary part == 0)."""
    require_tensor("isreal", input)
    return Tensor._wrap(xp_of(input.array).ones(input.array.shape, dtype=bool))


# ---------------------------------------------------------------- small aliases ------------------
def msort(input: Tensor) -> Tensor:
    """``sort(input, dim=0).values`` (differentiable: the values carry the gradient back)."""
    require_tensor("msort", input)
    return cmp.sort(input, 0).values


def ravel(input: Tensor) -> Tensor:
    """The elements as a 1-D tensor (a view when the memory allows, as ``reshape(-1)``)."""
    return sh.reshape(input, -1)


def positive(input: Tensor) -> Tensor:
    """``input`` itself (``+x``); bool tensors refuse, as torch."""
    require_tensor("positive", input)
    if input.array.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def fix(input: Tensor) -> Tensor:
    """Alias of ``trunc`` (round toward zero)."""
    return cmp.trunc(input)


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """Dot product of two 1-D tensors (the first conjugated, a no-op for real dtypes)."""
    require_tensor("vdot", input, "input", 1)
    require_tensor("vdot", other, "other", 2)
    if input.array.ndim != 1 or other.array.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.array.ndim}D and {other.array.ndim}D tensors")
    if input.dtype != other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{torch_type_name(input)} and {torch_type_name(other)}")
    if input.array.shape[0] != other.array.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.array.shape[0]}] and src "
                           f"[{other.array.shape[0]}] to have the same number of elements, but got "
                           f"{input.array.shape[0]} and {other.array.shape[0]} elements respectively")
    from . import linalg as la

    return la.dot(input, other)


def ger(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product of two 1-D tensors (torch's old name for ``outer``)."""
    require_tensor("ger", input, "input", 1)
    require_tensor("ger", vec2, "vec2", 2)
    if input.array.ndim != 1 or vec2.array.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input.array.ndim}-D"
                           if input.array.ndim != 1 else
                           f"outer: Expected 1-D argument vec2, but got {vec2.array.ndim}-D")
    from . import linalg as la

    return la.outer(input, vec2)


# ---------------------------------------------------------------- histograms ---------------------
def _edges_from_range(xp, col, nbins: int, rng, dt):
    """Bin edges (nbins + 1 of them, dtype ``dt``) from the data's min/max (on the device) or ``rng``."""
    if rng is not None:
        lo, hi = float(rng[0]), float(rng[1])
        if lo > hi:
            raise ValueError(f"histogramdd: min should not exceed max, but got min {lo} max {hi}")
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"histogramdd: range of [{lo}, {hi}] is not finite")
        lo_a, hi_a = xp.asarray(lo, dtype=dt), xp.asarray(hi, dtype=dt)
    elif col.size == 0:
        lo_a, hi_a = xp.asarray(0.0, dtype=dt), xp.asarray(0.0, dtype=dt)
    else:
        lo_a, hi_a = col.min(), col.max()
    same = lo_a == hi_a
    lo_a = xp.where(same, lo_a - 0.5, lo_a).astype(dt)
    hi_a = xp.where(same, hi_a + 0.5, hi_a).astype(dt)
    steps = xp.arange(nbins + 1, dtype=dt)
    step = (hi_a - lo_a) / nbins
    half = (nbins + 1) // 2  # torch's linspace: from the start for the first half, from the end after
    idx = xp.arange(nbins + 1)
    edges = xp.where(idx < half, lo_a + step * steps, hi_a - step * (nbins - steps))
    return edges.astype(dt)


def _histogramdd(op: str, input: Tensor, bins, rng, weight, density: bool):
    require_tensor(op, input)
    arr = input.array
    if arr.dtype.kind != "f":
        raise NotImplementedError(f'"histogramdd" not implemented for \'{torch_type_name(arr)}\'')
    xp = xp_of(arr)
    dt = arr.dtype
    if op == "histogram":
        pts = arr.reshape(-1, 1)
    else:
        if arr.ndim < 2:
            raise RuntimeError(f"torch.histogramdd: input tensor should have at least 2 dimensions, but got "
                               f"{arr.ndim}")
        pts = arr.reshape(-1, arr.shape[-1])
    n, d = pts.shape
    if weight is not None:
        require_tensor(op, weight, "weight")
        if weight.array.shape != (arr.shape if op == "histogram" else arr.shape[:-1]):
            raise RuntimeError(f"torch.{op}: if weight tensor is provided it should have the same shape as the "
                               f"input tensor excluding its innermost dimension, but got input with shape "
                               f"{list(arr.shape)} and weight with shape {list(weight.array.shape)}")
        if weight.array.dtype != dt:
            raise RuntimeError(f"torch.{op}: if weight tensor is provided, input tensor and weight tensor "
                               f"should have the same dtype, but got input({input.dtype}), and "
                               f"weight({weight.dtype})")
    if isinstance(bins, Tensor) or (isinstance(bins, (list, tuple)) and bins and isinstance(bins[0], Tensor)):
        edge_list = [bins] if isinstance(bins, Tensor) else list(bins)
        if len(edge_list) != d:
            raise RuntimeError(f"torch.{op}: expected {d} sequences of bin edges for each of the {d} "
                               f"dimensions of the input, but got {len(edge_list)}")
        if rng is not None:
            raise RuntimeError(f"torch.{op}: range arguments are not supported when bin edges are given")
        edges = []
        for e in edge_list:
            if e.array.ndim != 1 or e.array.shape[0] < 1:
                raise RuntimeError(f"torch.{op}: bins tensor should have one dimension and at least 1 element")
            if e.array.dtype != dt:
                raise RuntimeError(f"torch.{op}: input tensor and bins tensors should have the same dtype, "
                                   f"but got input {input.dtype} and bins {e.dtype}")
            edges.append(e.array)
    else:
        counts = [bins] * d if isinstance(bins, numbers.Integral) else [int(b) for b in bins]
        if len(counts) != d:
            raise RuntimeError(f"torch.{op}: expected {d} bin counts, but got {len(counts)}")
        for c in counts:
            if c <= 0:
                raise RuntimeError(f"torch.{op}(): bins must be > 0, but got {c} for dimension 0")
        if rng is not None and len(rng) != 2 * d:
            raise RuntimeError(f"torch.{op}: for a {d}-dimensional histogram range should have {2 * d} "
                               f"elements, but got {len(rng)}")
        edges = [_edges_from_range(xp, pts[:, k], counts[k], None if rng is None else rng[2 * k:2 * k + 2], dt)
                 for k in range(d)]
    nb = [int(e.shape[0]) - 1 for e in edges]
    flat = xp.zeros(n, dtype=np.int64)
    inside = xp.ones(n, dtype=bool)
    for k in range(d):
        col, e = pts[:, k], edges[k]
        pos = xp.searchsorted(e, col, side="right").astype(np.int64) - 1
        pos = xp.where(col == e[-1], nb[k] - 1, pos)  # the last bin includes its right edge
        inside &= (col >= e[0]) & (col <= e[-1]) & (pos >= 0)
        flat = flat * max(nb[k], 1) + xp.clip(pos, 0, max(nb[k] - 1, 0))
    total = 1
    for b in nb:
        total *= b
    hist = xp.zeros(total + 1, dtype=dt)
    flat = xp.where(inside, flat, total)  # the points outside land in one extra slot, dropped below
    w = xp.ones(n, dtype=dt) if weight is None else weight.array.reshape(-1).astype(dt)
    add_at(hist, flat, w)
    hist = hist[:total].reshape(nb)
    if density:
        widths = 1
        for k in range(d):
            wk = xp.diff(edges[k]).reshape([-1 if j == k else 1 for j in range(d)])
            widths = widths * wk
        hist = hist / (hist.sum() * widths)
    given = isinstance(bins, Tensor) or (isinstance(bins, (list, tuple)) and isinstance(bins[0], Tensor))
    edge_tensors = tuple(Tensor._wrap(e.copy() if given else e) for e in edges)
    return Tensor._wrap(hist.astype(dt, copy=False)), edge_tensors


def histogram(input: Tensor, bins=100, *, range=None, weight=None, density: bool = False):  # noqa: A002
    """(hist, bin_edges): counts (or weight sums, or a density) of ``input``'s values in ``bins`` equal bins
    over ``range`` (default: min..max) or between the edges of a 1-D ``bins`` tensor; no gradient."""
    hist, edges = _histogramdd("histogram", input, bins, range, weight, density)
    return return_types.histogram(hist, edges[0])


def histogramdd(input: Tensor, bins=10, *, range=None, weight=None, density: bool = False):  # noqa: A002
    """(hist, bin_edges) of the points ``input[..., :]`` (D coordinates each) in a D-dimensional grid of bins:
    ``bins`` an int, D ints or D 1-D edge tensors; ``range`` a flat [min0, max0, min1, max1, ...]."""
    hist, edges = _histogramdd("histogramdd", input, bins, range, weight, density)
    return return_types.histogramdd(hist, edges)


# ---------------------------------------------------------------- gradient -----------------------
def _slice(f: Tensor, d: int, start: int, stop: int) -> Tensor:
    n = f.array.shape[d]
    start, stop = start % n if start < 0 else start, stop % n if stop < 0 else stop
    return sh.narrow(f, d, start, stop - start)


def _along(v, d: int, ndim: int, like: Tensor):
    """A 1-D coefficient array shaped to broadcast along dim ``d`` of an ``ndim``-D tensor."""
    return Tensor._wrap(v.reshape([-1 if j == d else 1 for j in range(ndim)]).astype(like.array.dtype))


def _gradient_dim(f: Tensor, d: int, h, edge_order: int) -> Tensor:
    nd = f.array.ndim
    n = f.array.shape[d]
    if not isinstance(h, Tensor):  # uniform spacing h
        h = float(h)
        inner = (_slice(f, d, 2, n) - _slice(f, d, 0, n - 2)) / (2.0 * h)
        if edge_order == 1:
            left = (_slice(f, d, 1, 2) - _slice(f, d, 0, 1)) / h
            right = (_slice(f, d, n - 1, n) - _slice(f, d, n - 2, n - 1)) / h
        else:
            left = (_slice(f, d, 0, 1) * -1.5 + _slice(f, d, 1, 2) * 2.0 - _slice(f, d, 2, 3) * 0.5) / h
            right = (_slice(f, d, n - 3, n - 2) * 0.5 - _slice(f, d, n - 2, n - 1) * 2.0
                     + _slice(f, d, n - 1, n) * 1.5) / h
        return sh.cat([left, inner, right], d)
    x = h.array.astype(np.float64)
    if h.array.dtype.kind == "f" and h.array.dtype.itemsize > f.array.dtype.itemsize:
        f = f.to(h.dtype)  # torch computes in the promoted type of values and coordinates
    if x.ndim != 1 or x.shape[0] != n:
        raise RuntimeError(f"torch.gradient expected each tensor to be on the same device and to have a size "
                           f"equal to the size of the input along dim {d} ({n}), but got {list(x.shape)}")
    xp = xp_of(x)
    dx = xp.diff(x)
    ha, hb = dx[:-1], dx[1:]
    a = -hb / (ha * (ha + hb))
    b = (hb - ha) / (ha * hb)
    c = ha / (hb * (ha + hb))
    inner = (_slice(f, d, 0, n - 2) * _along(a, d, nd, f) + _slice(f, d, 1, n - 1) * _along(b, d, nd, f)
             + _slice(f, d, 2, n) * _along(c, d, nd, f))
    if edge_order == 1:
        left = (_slice(f, d, 1, 2) - _slice(f, d, 0, 1)) / _along(dx[:1], d, nd, f)
        right = (_slice(f, d, n - 1, n) - _slice(f, d, n - 2, n - 1)) / _along(dx[-1:], d, nd, f)
    else:
        d1, d2 = dx[:1], dx[1:2]
        ca = -(2.0 * d1 + d2) / (d1 * (d1 + d2))
        cb = (d1 + d2) / (d1 * d2)
        cc = -d1 / (d2 * (d1 + d2))
        left = (_slice(f, d, 0, 1) * _along(ca, d, nd, f) + _slice(f, d, 1, 2) * _along(cb, d, nd, f)
                + _slice(f, d, 2, 3) * _along(cc, d, nd, f))
        d1, d2 = dx[-2:-1], dx[-1:]
        ca = d2 / (d1 * (d1 + d2))
        cb = -(d2 + d1) / (d1 * d2)
        cc = (2.0 * d2 + d1) / (d2 * (d1 + d2))
        right = (_slice(f, d, n - 3, n - 2) * _along(ca, d, nd, f) + _slice(f, d, n - 2, n - 1)
                 * _along(cb, d, nd, f) + _slice(f, d, n - 1, n) * _along(cc, d, nd, f))
    return sh.cat([left, inner, right], d)


def gradient(input: Tensor, *, spacing=1, dim=None, edge_order: int = 1) -> tuple:
    """Estimate the derivative of a function sampled on a grid, along each of ``dim`` (default: all dims):
    central differences inside, one-sided differences of order ``edge_order`` (1 or 2) at the ends.
    ``spacing``: a scalar (the step for every dim), a list of scalars (one step per dim), or a list of 1-D
    coordinate tensors (non-uniform grid, second-order accurate inside). Differentiable."""
    require_tensor("gradient", input)
    nd = input.array.ndim
    if dim is None:
        dims = list(range(nd))
    elif isinstance(dim, numbers.Integral):
        dims = [_wrap_dim(int(dim), nd, "gradient")]
    else:
        dims = [_wrap_dim(int(x), nd, "gradient") for x in dim]
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            raise RuntimeError(
                "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim arguments "
                f"to have the same length, but got a spacing argument of length {len(spacing)} and a dim "
                f"argument of length {len(dims)}.")
        steps = list(spacing)
    elif isinstance(spacing, Tensor):
        if spacing.array.ndim != 0:
            raise RuntimeError("torch.gradient expected spacing to be a scalar, a list of scalars or a list of "
                               "1-D tensors")
        steps = [spacing.item()] * len(dims)
    else:
        steps = [spacing] * len(dims)
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    for d in dims:
        if input.array.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    f = input if input.array.dtype.kind == "f" else input.to(get_default_dtype())
    return tuple(_gradient_dim(f, d, h.item() if isinstance(h, Tensor) and h.array.ndim == 0 else h, edge_order)
                 for d, h in zip(dims, steps))


# ---------------------------------------------------------------- renorm -------------------------
def renorm(input: Tensor, p, dim: int, maxnorm) -> Tensor:
    """Each sub-tensor ``input.select(dim, i)`` whose p-norm exceeds ``maxnorm`` scaled down to norm
    ``maxnorm`` (by ``maxnorm / (norm + 1e-7)``); differentiable (through the norm too, as torch)."""
    require_tensor("renorm", input)
    nd = input.array.ndim
    if nd < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {nd} dimensions")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if input.array.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {torch_type_name(input)}")
    d = _wrap_dim(dim, nd, "renorm")
    others = tuple(j for j in range(nd) if j != d)
    norms = red.norm(input, p, dim=others, keepdim=True)
    factor = ew.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return input * factor


METHODS: dict = {name: globals()[name] for name in __all__ if name not in ("histogramdd",)}
METHODS["greater"], METHODS["greater_equal"], METHODS["less"], METHODS["less_equal"], METHODS["not_equal"] = (
    cmp.gt, cmp.ge, cmp.lt, cmp.le, cmp.ne)
INPLACE_METHODS: dict = {name + "_": globals()[name] for name in
                         ("gcd", "lcm", "ldexp", "nextafter", "igamma", "igammac", "fix", "renorm")}
