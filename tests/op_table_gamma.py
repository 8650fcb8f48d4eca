"""Op-table rows (see op_table.py) for ``minitorch/ops/gamma.py`` and the ``minitorch.special`` namespace.

Domains keep inputs away from the poles of the gamma family (0 and the negative integers) and inside each
function's domain (ndtri on (0, 1), entr on x > 0, zeta's q > 0). ``*_int`` rows check torch's dtype rule for
integer inputs (forward only).
"""
from __future__ import annotations

import numpy as np

from .op_table_core import BIN_SHAPES, avoiding, away, pair, row
from .op_table_math import ints

OPS: list = []
add = OPS.append

U_SHAPES = [((3, 4),), ((),), ((2, 0),)]
_NEG_NON_POLES = avoiding([-3.0, -2.0, -1.0, 0.0], -3.5, 3.5, gap=0.15)


def _special(name):
    return lambda L: getattr(L.special, name)


# ---------------------------------------------------------------- gamma family ------------------
for _name, _vals in (("lgamma", _NEG_NON_POLES), ("digamma", _NEG_NON_POLES), ("i0", None)):
    add(row(_name, lambda a, n=_name: getattr(a, n)(), shapes=U_SHAPES, values=_vals, domain=(-3.0, 3.0)))
    add(pair(f"{_name}_fn", lambda L, n=_name: getattr(L, n), values=_vals, domain=(-3.0, 3.0)))
    add(pair(f"{_name}_int", lambda L, n=_name: getattr(L, n), values=ints(1, 6), supports_grad=False))
add(pair("lgamma_large", lambda L: L.lgamma, domain=(20.0, 160.0), rtol=1e-5))
add(pair("digamma_positive", lambda L: L.digamma, domain=(0.2, 30.0)))
for _n in (1, 2, 3):
    add(pair(f"polygamma_{_n}", lambda L, n=_n: lambda a: L.polygamma(n, a), domain=(0.5, 5.0)))
add(pair("polygamma_1_negative", lambda L: lambda a: L.polygamma(1, a),
         values=avoiding([-3.0, -2.0, -1.0, 0.0], -3.5, -0.1, gap=0.2), rtol=1e-3))
add(row("polygamma_method", lambda a: a.polygamma(2), domain=(0.5, 4.0)))
add(pair("polygamma_0", lambda L: lambda a: L.polygamma(0, a), domain=(0.5, 4.0)))
add(pair("polygamma_int", lambda L: lambda a: L.polygamma(1, a), values=ints(1, 6), supports_grad=False,
         rtol=1e-3))
add(pair("mvlgamma", lambda L: lambda a: L.mvlgamma(a, 3), domain=(1.2, 4.0)))
add(row("mvlgamma_method", lambda a: a.mvlgamma(p=1), domain=(0.3, 4.0)))
add(pair("mvlgamma_int", lambda L: lambda a: L.mvlgamma(a, 2), values=ints(1, 6), supports_grad=False))

# ---------------------------------------------------------------- torch.special ------------------
SPECIAL_UNARY = {  # name: (domain, values)
    "gammaln": ((0.2, 8.0), None),
    "psi": ((0.2, 8.0), None),
    "digamma": ((-3.0, 3.0), _NEG_NON_POLES),
    "i0": ((-4.0, 4.0), None),
    "i0e": ((-4.0, 4.0), away(0.2, 4.0)),
    "i1": ((-4.0, 4.0), None),
    "i1e": ((-4.0, 4.0), away(0.2, 4.0)),
    "erfcx": ((-3.0, 8.0), None),
    "ndtr": ((-4.0, 4.0), None),
    "log_ndtr": ((-8.0, 4.0), None),
    "ndtri": ((0.02, 0.98), None),
    "entr": ((0.1, 3.0), None),
    "expit": ((-3.0, 3.0), None),
    "erf": ((-3.0, 3.0), None),
    "log1p": ((-0.5, 3.0), None),
}
for _name, (_dom, _vals) in SPECIAL_UNARY.items():
    add(pair(f"special_{_name}", _special(_name), shapes=U_SHAPES, domain=_dom, values=_vals))
for _name in ("i0e", "i1", "i1e", "erfcx", "ndtr", "log_ndtr", "entr", "gammaln"):
    add(pair(f"special_{_name}_int", _special(_name), values=ints(0, 4), supports_grad=False))
add(pair("special_i1_at_zero", _special("i1"), values=lambda rng, shape, dtype: np.zeros(shape, dtype)))
add(pair("special_i1e_at_zero", _special("i1e"), values=lambda rng, shape, dtype: np.zeros(shape, dtype)))
add(pair("special_log_ndtr_far_tail", _special("log_ndtr"), domain=(-30.0, -10.0)))
add(pair("special_polygamma", lambda L: lambda a: L.special.polygamma(2, a), domain=(0.5, 4.0)))
add(pair("special_multigammaln", lambda L: lambda a: L.special.multigammaln(a, 2), domain=(0.8, 4.0)))
add(pair("special_xlog1py", _special("xlog1py"), shapes=BIN_SHAPES, broadcasting=True,
         domain=((-2.0, 2.0), (-0.5, 3.0))))
add(pair("special_xlog1py_scalar_other", lambda L: lambda a: L.special.xlog1py(a, 1.5)))
add(pair("special_xlog1py_scalar_self", lambda L: lambda b: L.special.xlog1py(2.0, b), domain=(-0.5, 3.0)))
add(pair("special_xlog1py_int", _special("xlog1py"), shapes=[((3, 4), (3, 4))], values=[ints(), ints(0, 4)],
         supports_grad=False))
add(pair("special_zeta_q", lambda L: lambda q: L.special.zeta(3.0, q), domain=(0.5, 4.0)))
add(pair("special_zeta", _special("zeta"), shapes=BIN_SHAPES[:3], domain=((1.5, 5.0), (0.5, 4.0)),
         grad_inputs=(1,)))
add(pair("special_zeta_int", _special("zeta"), shapes=[((3, 4), (3, 4))], values=[ints(2, 5), ints(1, 4)],
         supports_grad=False))
