"""Op-table rows (see op_table.py) for the pointwise math of ``minitorch/ops/trig.py`` and ``special.py``.

Domains keep inputs inside each op's domain and away from its non-differentiable points (the jumps of
fmod and frac, the sign change of copysign, the clamp bounds of logit's eps). ``*_int`` rows check
torch's dtype rule for integer inputs (forward only: integer tensors take no gradient).
"""
from __future__ import annotations

import numpy as np

from .op_table_core import BIN_SHAPES, avoiding, away, pair, row

OPS: list = []
add = OPS.append

U_SHAPES = [((3, 4),), ((),), ((2, 0),)]
TRI_SHAPES = [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((), (2, 3), ()), ((2, 1, 3), (4, 1), (3,))]


def ints(lo: int = -3, hi: int = 4):
    """Integer values in [lo, hi) as int64 (whatever float dtype the test asks for)."""

    def gen(rng, shape, dtype):
        return np.asarray(rng.integers(lo, hi, shape)).astype(np.int64)

    return gen


def _with_nonfinite(rng, shape, dtype):
    """Uniform values with nan, +inf and -inf sprinkled in (for nan_to_num)."""
    v = np.asarray(rng.uniform(-2.0, 2.0, shape))
    pick = np.asarray(rng.integers(0, 5, shape))
    v = np.where(pick == 0, np.nan, np.where(pick == 1, np.inf, np.where(pick == 2, -np.inf, v)))
    return v.astype(dtype)


def _with_zeros(rng, shape, dtype):
    """Values in {-1, 0, 1} and some in between: exact zeros for heaviside / xlogy / signbit."""
    v = np.asarray(rng.integers(-1, 2, shape)).astype(np.float64)
    mixed = np.asarray(rng.random(shape)) < 0.3
    return np.where(mixed, np.asarray(rng.uniform(-2, 2, shape)), v).astype(dtype)


def _signed_zeros(rng, shape, dtype):
    v = _with_zeros(rng, shape, dtype)
    flip = np.asarray(rng.random(shape)) < 0.5
    return np.where((v == 0) & flip, -0.0, v).astype(dtype)


# ---------------------------------------------------------------- trig / hyperbolic ---------------
UNARY = {  # name: (domain, values)
    "tan": ((-1.2, 1.2), None),
    "asin": ((-0.8, 0.8), None),
    "arcsin": ((-0.8, 0.8), None),
    "acos": ((-0.8, 0.8), None),
    "arccos": ((-0.8, 0.8), None),
    "atan": ((-2.0, 2.0), None),
    "arctan": ((-2.0, 2.0), None),
    "sinh": ((-2.0, 2.0), None),
    "cosh": ((-2.0, 2.0), None),
    "asinh": ((-2.0, 2.0), None),
    "arcsinh": ((-2.0, 2.0), None),
    "acosh": ((1.2, 3.0), None),
    "arccosh": ((1.2, 3.0), None),
    "atanh": ((-0.8, 0.8), None),
    "arctanh": ((-0.8, 0.8), None),
    "deg2rad": ((-200.0, 200.0), None),
    "rad2deg": ((-3.0, 3.0), None),
    # special
    "erf": ((-3.0, 3.0), None),
    "erfc": ((-3.0, 5.0), None),
    "erfinv": ((-0.9, 0.9), None),
    "expm1": ((-2.0, 2.0), None),
    "exp2": ((-3.0, 3.0), None),
    "logit": ((0.1, 0.9), None),
    "sinc": ((-2.0, 2.0), avoiding([0.0], gap=0.1)),
    "frac": ((-2.5, 2.5), avoiding([-2.0, -1.0, 0.0, 1.0, 2.0], -2.5, 2.5)),
}
for _name, (_dom, _vals) in UNARY.items():
    add(row(_name, lambda a, n=_name: getattr(a, n)(), shapes=U_SHAPES, domain=_dom, values=_vals))
    add(pair(f"{_name}_fn", lambda L, n=_name: getattr(L, n), domain=_dom, values=_vals))
    if _name != "frac":  # torch has no integer frac (NotImplementedError; see test_ops_math)
        add(pair(f"{_name}_int", lambda L, n=_name: getattr(L, n), values=ints(-3, 4), supports_grad=False))

add(pair("atan2", lambda L: L.atan2, shapes=BIN_SHAPES, broadcasting=True, values=away()))
add(row("arctan2_method", lambda a, b: a.arctan2(b), shapes=BIN_SHAPES[:2], values=away()))
add(pair("atan2_int", lambda L: L.atan2, shapes=[((3, 4), (3, 4))], values=ints(), supports_grad=False))
add(pair("hypot", lambda L: L.hypot, shapes=BIN_SHAPES, broadcasting=True, values=away()))
add(row("hypot_method", lambda a, b: a.hypot(b), shapes=BIN_SHAPES[:2], values=away()))
add(pair("hypot_int_float", lambda L: L.hypot, shapes=[((3, 4), (4,))], values=[ints(), None],
         supports_grad=False))

# ---------------------------------------------------------------- special -------------------------
add(pair("logit_eps", lambda L: L.logit, kwargs=[{"eps": 0.2}, {"eps": 0.05}],
         values=avoiding([0.05, 0.2, 0.8, 0.95], 0.01, 0.99, gap=0.02)))
add(row("logit_eps_method", lambda a: a.logit(0.25), values=avoiding([0.25, 0.75], 0.01, 0.99, gap=0.02)))
add(pair("xlogy", lambda L: L.xlogy, shapes=BIN_SHAPES, broadcasting=True, domain=((-2.0, 2.0), (0.2, 3.0))))
add(pair("xlogy_zero_x", lambda L: L.xlogy, shapes=[((3, 4), (3, 4))], values=[_with_zeros, None],
         domain=((-2.0, 2.0), (0.2, 3.0))))
add(pair("xlogy_scalar_other", lambda L: lambda a: L.xlogy(a, 2.5), shapes=[((3, 4),), ((),)]))
add(pair("xlogy_scalar_self", lambda L: lambda b: L.xlogy(3, b), domain=(0.2, 3.0)))
add(row("xlogy_method", lambda a, b: a.xlogy(b), shapes=[((3, 4), (4,))], domain=((-2.0, 2.0), (0.2, 3.0))))
add(pair("xlogy_int", lambda L: L.xlogy, shapes=[((3, 4), (3, 4))], values=[ints(), ints(1, 5)],
         supports_grad=False))
add(pair("xlogy_int_scalar", lambda L: lambda a: L.xlogy(a, 0), values=ints(), supports_grad=False))
add(pair("logaddexp", lambda L: L.logaddexp, shapes=BIN_SHAPES, broadcasting=True, domain=(-3.0, 3.0)))
add(pair("logaddexp_large", lambda L: L.logaddexp, shapes=[((3, 4), (3, 4))], domain=(80.0, 120.0),
         rtol=1e-5))
add(pair("logaddexp2", lambda L: L.logaddexp2, shapes=BIN_SHAPES, broadcasting=True, domain=(-3.0, 3.0)))
add(row("logaddexp2_method", lambda a, b: a.logaddexp2(b), shapes=[((3, 4), (3, 1))]))
add(pair("logaddexp_int_float", lambda L: L.logaddexp, shapes=[((3, 4), (3, 4))], values=[ints(), None],
         supports_grad=False))

# ---------------------------------------------------------------- lerp / addcmul / addcdiv --------
add(pair("lerp_scalar", lambda L: lambda a, b: L.lerp(a, b, 0.3), shapes=BIN_SHAPES, broadcasting=True))
add(pair("lerp_scalar_big", lambda L: lambda a, b: L.lerp(a, b, 0.8), shapes=BIN_SHAPES[:2]))
add(pair("lerp_tensor", lambda L: L.lerp, shapes=TRI_SHAPES, broadcasting=True,
         domain=((-2.0, 2.0), (-2.0, 2.0), (-1.0, 2.0))))
add(row("lerp_method", lambda a, b, w: a.lerp(b, w), shapes=[((3, 4), (3, 4), (4,))]))
add(pair("addcmul", lambda L: L.addcmul, shapes=TRI_SHAPES, broadcasting=True))
add(pair("addcmul_value", lambda L: lambda a, b, c: L.addcmul(a, b, c, value=-0.5), shapes=TRI_SHAPES[:2]))
add(row("addcmul_method", lambda a, b, c: a.addcmul(b, c, value=2), shapes=[((3, 4), (4,), (3, 1))]))
add(pair("addcmul_int", lambda L: lambda a, b, c: L.addcmul(a, b, c, value=2), shapes=TRI_SHAPES[:2],
         values=ints(), supports_grad=False))
add(pair("addcdiv", lambda L: L.addcdiv, shapes=TRI_SHAPES, broadcasting=True, values=[None, None, away()]))
add(pair("addcdiv_value", lambda L: lambda a, b, c: L.addcdiv(a, b, c, value=1.5), shapes=TRI_SHAPES[:2],
         values=[None, None, away()]))
add(row("addcdiv_method", lambda a, b, c: a.addcdiv(b, c, value=-2), shapes=[((3, 4), (3, 4), (4,))],
        values=[None, None, away()]))


# ---------------------------------------------------------------- fmod / frac / nan_to_num --------
def _fmod_inputs(rng, dtype):
    """a = q*b with q = n + f, f in [0.1, 0.9]: a/b stays away from the integers where fmod jumps."""
    b = away(0.5, 1.5)(rng, (3, 4), np.float64)
    q = rng.integers(-3, 3, (3, 4)) + rng.uniform(0.1, 0.9, (3, 4))
    return [(q * b).astype(dtype), b.astype(dtype)]


add(pair("fmod", lambda L: L.fmod, make_inputs=_fmod_inputs))
add(row("fmod_method", lambda a, b: a.fmod(b), make_inputs=_fmod_inputs))
# finite differences may straddle a jump on random broadcast values: forward/backward vs torch only
add(pair("fmod_broadcast", lambda L: L.fmod, shapes=BIN_SHAPES, broadcasting=True,
         values=[None, away(0.5, 1.5)], domain=(-3.0, 3.0), supports_gradcheck=False))
add(pair("fmod_scalar", lambda L: lambda a: L.fmod(a, 1.5), shapes=[((3, 4),), ((),)],
         values=avoiding([-1.5, 0.0, 1.5])))
add(pair("fmod_int", lambda L: L.fmod, shapes=[((3, 4), (3, 4)), ((3, 4), (4,))],
         values=[ints(-7, 8), ints(1, 4)], supports_grad=False))
add(pair("fmod_int_float_scalar", lambda L: lambda a: L.fmod(a, 2.5), values=ints(-7, 8), supports_grad=False))
add(pair("nan_to_num", lambda L: L.nan_to_num, values=_with_nonfinite,
         kwargs=[{}, {"nan": 1.5, "posinf": 10.0, "neginf": -10.0}, {"posinf": 3.0}]))
add(row("nan_to_num_method", lambda a: a.nan_to_num(-1.0), values=_with_nonfinite))
add(pair("nan_to_num_int", lambda L: L.nan_to_num, values=ints(), supports_grad=False))

# ---------------------------------------------------------------- sign-like ----------------------
add(pair("copysign", lambda L: L.copysign, shapes=BIN_SHAPES, broadcasting=True, values=away()))
add(row("copysign_scalar", lambda a: a.copysign(-1.0), values=away()))
add(pair("copysign_int", lambda L: L.copysign, shapes=[((3, 4), (4,))], values=ints(), supports_grad=False))
add(pair("heaviside", lambda L: L.heaviside, shapes=BIN_SHAPES, broadcasting=True, values=[_with_zeros, None],
         supports_grad=False))
add(row("heaviside_method", lambda a, v: a.heaviside(v), shapes=[((3, 4), ())], values=[_with_zeros, None],
        supports_grad=False))
add(pair("heaviside_int", lambda L: L.heaviside, shapes=[((3, 4), (3, 4))], values=ints(-1, 2),
         supports_grad=False))
add(row("sgn", lambda a: a.sgn(), shapes=U_SHAPES, values=away(), supports_grad=False))
add(pair("sgn_fn", lambda L: L.sgn, values=_with_zeros, supports_grad=False))
add(row("signbit", lambda a: a.signbit(), shapes=U_SHAPES, values=_signed_zeros, supports_grad=False))
add(pair("signbit_fn", lambda L: L.signbit, values=_signed_zeros, supports_grad=False))
add(pair("signbit_int", lambda L: L.signbit, values=ints(), supports_grad=False))

# ---------------------------------------------------------------- float_power ---------------------
add(pair("float_power", lambda L: L.float_power, shapes=BIN_SHAPES, broadcasting=True,
         domain=((0.3, 2.0), (-2.0, 2.0))))
add(pair("float_power_scalar_exp", lambda L: lambda a, e: L.float_power(a, e), domain=(0.3, 2.0),
         kwargs=[{"e": 2}, {"e": -1.5}, {"e": 0.5}]))
add(pair("float_power_scalar_base", lambda L: lambda b: L.float_power(2.5, b)))
add(row("float_power_method", lambda a: a.float_power(3), values=away()))
add(pair("float_power_int", lambda L: L.float_power, shapes=[((3, 4), (3, 4))], values=[ints(1, 5), ints(-2, 3)],
         supports_grad=False))
