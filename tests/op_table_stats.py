"""Op-table rows (see op_table.py) for sort/topk, scatter_reduce and the statistics ops of
``minitorch/ops/statistics.py`` (cov, corrcoef, trapezoid, vander, diagflat, aminmax, isin, unravel_index)."""
from __future__ import annotations

import numpy as np

from .op_table_core import _f, distinct, pair

OPS: list = []
add = OPS.append
I64 = np.int64


# ---------------------------------------------------------------- sort / topk --------------------
add(pair("sort_values", lambda L: lambda a, **k: L.sort(a, **k), shapes=[((3, 5),), ((2, 3, 4),), ((4,),)],
         kwargs=[{}, {"dim": 0}, {"descending": True}, {"dim": -1, "descending": True, "stable": True}],
         values=distinct()))
add(pair("sort_method_0d", lambda L: lambda a: a.sort(), shapes=[((),)]))
add(pair("argsort", lambda L: lambda a, **k: L.argsort(a, **k), shapes=[((3, 5),)],
         kwargs=[{}, {"descending": True}, {"dim": 0}], values=distinct(), supports_grad=False))
add(pair("topk", lambda L: lambda a, **k: L.topk(a, **k), shapes=[((3, 5),), ((2, 3, 4),)],
         kwargs=[{"k": 2}, {"k": 1, "dim": 0}, {"k": 3, "largest": False}, {"k": 0}],
         values=distinct()))
# n > 4k: the argpartition path (select k, then sort only those)
add(pair("topk_partition", lambda L: lambda a, **k: a.topk(**k), shapes=[((3, 40),)],
         kwargs=[{"k": 3}, {"k": 4, "largest": False}], values=distinct()))
add(pair("topk_partition_dim0", lambda L: lambda a: a.topk(5, dim=0), shapes=[((30, 2),)], values=distinct()))
add(pair("topk_0d", lambda L: lambda a: L.topk(a, 1), shapes=[((),)]))
add(pair("kthvalue_axis_alias", lambda L: lambda a: L.kthvalue(a, 2, axis=0), shapes=[((3, 4),)], values=distinct()))

# ---------------------------------------------------------------- scatter_reduce -----------------
REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _scatter_inputs(dim: int):
    def make(rng, dtype):
        x = distinct(0.37)(rng, (3, 4), dtype)  # no ties between x and src (amax/amin), none near 0 (prod)
        src = (distinct(0.29)(rng, (3, 4), np.float64) + 0.013).astype(dtype)
        x = np.where(np.abs(x) < 0.2, x + 0.5, x).astype(dtype)
        src = np.where(np.abs(src) < 0.2, src - 0.5, src).astype(dtype)
        idx = rng.integers(0, 3 if dim == 0 else 4, (3, 4)).astype(I64)
        return [x, idx, src]

    return make


for _red in REDUCES:
    for _dim in (0, 1):
        add(pair(f"scatter_reduce_{_red}_dim{_dim}",
                 lambda L, r=_red, d=_dim: lambda a, i, s, **k: a.scatter_reduce(d, i, s, r, **k),
                 make_inputs=_scatter_inputs(_dim), kwargs=[{}, {"include_self": False}],
                 supports_gradgrad=_red != "prod"))
add(pair("scatter_reduce_fn", lambda L: lambda a, i, s: L.scatter_reduce(a, 0, i, s, reduce="mean", include_self=False),
         make_inputs=_scatter_inputs(0)))
add(pair("scatter_reduce_inplace", lambda L: lambda a, i, s: (a * 1).scatter_reduce_(1, i, s, "amax"),
         make_inputs=_scatter_inputs(1)))
# torch has no derivative for scatter(reduce=...): forward only
add(pair("scatter_reduce_add_multiply", lambda L: lambda a, i, s, **k: a.scatter(0, i, s, **k),
         make_inputs=_scatter_inputs(0), kwargs=[{"reduce": "add"}, {"reduce": "multiply"}], supports_grad=False))
add(pair("scatter_value_reduce_inplace", lambda L: lambda a, i, s: (a * 1).scatter_(1, i, 1.5, reduce="multiply"),
         make_inputs=_scatter_inputs(1), supports_grad=False))

# ---------------------------------------------------------------- statistics.py ------------------
add(pair("aminmax", lambda L: lambda a, **k: tuple(L.aminmax(a, **k)), shapes=[((3, 4),), ((2, 3, 4),)],
         kwargs=[{}, {"dim": 1}, {"dim": -1, "keepdim": True}], values=distinct()))
add(pair("aminmax_method", lambda L: lambda a: tuple(a.aminmax(dim=0)), shapes=[((3,),), ((3, 2),)],
         values=distinct()))
add(pair("diagflat", lambda L: lambda a, **k: L.diagflat(a, **k), shapes=[((3,),), ((2, 2),), ((),)],
         kwargs=[{}, {"offset": 1}, {"offset": -2}]))
add(pair("diagflat_method", lambda L: lambda a: a.diagflat(1), shapes=[((2, 3),)]))
# torch 2.13's own vander backward fails ("modified by an inplace operation"): forward here, the gradient
# in test_ops_compat.py against torch's x ** powers
add(pair("vander", lambda L: lambda a, **k: L.vander(a, **k), shapes=[((3,),), ((4,),)],
         kwargs=[{}, {"N": 2}, {"N": 4, "increasing": True}, {"N": 1}, {"N": 0}], supports_grad=False))


def _vander_zero(rng, dtype):
    return [np.array([0.0, 1.5, -0.7], dtype=dtype)]


add(pair("vander_at_zero", lambda L: lambda a: L.vander(a, N=4), make_inputs=_vander_zero, supports_grad=False))
add(pair("cov", lambda L: lambda a, **k: L.cov(a, **k), shapes=[((3, 5),), ((5,),), ((1, 4),)],
         kwargs=[{}, {"correction": 0}, {"correction": 2}]))
add(pair("cov_method", lambda L: lambda a: a.cov(), shapes=[((2, 6),)]))


def _cov_weights(rng, dtype):
    return [_f(rng, dtype, 3, 5), np.array([1, 2, 1, 3, 1], dtype=I64),
            np.asarray(rng.uniform(0.2, 2.0, 5)).astype(dtype)]


add(pair("cov_weights", lambda L: lambda a, f, w, **k: L.cov(a, fweights=f, aweights=w, **k),
         make_inputs=_cov_weights, kwargs=[{}, {"correction": 0}, {"correction": 2}]))
add(pair("cov_fweights", lambda L: lambda a, f, w: L.cov(a, fweights=f), make_inputs=_cov_weights, grad_inputs=(0,)))
add(pair("cov_aweights", lambda L: lambda a, f, w: L.cov(a, aweights=w), make_inputs=_cov_weights))
add(pair("corrcoef", lambda L: lambda a: L.corrcoef(a), shapes=[((3, 6),), ((2, 4),)]))
add(pair("corrcoef_method", lambda L: lambda a: a.corrcoef(), shapes=[((4, 5),)]))
TRAP_SHAPES = [((3, 5),), ((5,),), ((2, 3, 4),), ((3, 1),)]
add(pair("trapezoid", lambda L: lambda a, **k: L.trapezoid(a, **k), shapes=TRAP_SHAPES,
         kwargs=[{}, {"dim": 0}, {"dx": 0.5}]))
add(pair("trapezoid_dx_dim", lambda L: lambda a: L.trapezoid(a, dx=2.0, dim=-2), shapes=[((3, 5),), ((2, 3, 4),)]))


def _trap_x(rng, dtype):
    return [_f(rng, dtype, 3, 5), np.cumsum(rng.uniform(0.1, 1.0, 5)).astype(dtype)]


def _trap_x_full(rng, dtype):
    return [_f(rng, dtype, 3, 5), np.cumsum(rng.uniform(0.1, 1.0, (3, 5)), axis=1).astype(dtype)]


add(pair("trapezoid_x", lambda L: lambda y, x: L.trapezoid(y, x), make_inputs=_trap_x))
add(pair("trapezoid_x_full", lambda L: lambda y, x: L.trapezoid(y, x, dim=1), make_inputs=_trap_x_full))
add(pair("trapz", lambda L: lambda y, x: L.trapz(y, x), make_inputs=_trap_x))
add(pair("cumulative_trapezoid", lambda L: lambda a, **k: L.cumulative_trapezoid(a, **k), shapes=TRAP_SHAPES,
         kwargs=[{}, {"dim": 0}, {"dx": 0.5}]))
add(pair("cumulative_trapezoid_x", lambda L: lambda y, x: L.cumulative_trapezoid(y, x), make_inputs=_trap_x))
add(pair("cumulative_trapezoid_x_full", lambda L: lambda y, x: L.cumulative_trapezoid(y, x, dim=-1),
         make_inputs=_trap_x_full))


# ---------------------------------------------------------------- no-gradient helpers ------------
def _ints(rng, dtype):
    return [rng.integers(0, 5, (3, 4)).astype(I64), np.array([1, 3, 7], dtype=I64)]


add(pair("isin", lambda L: lambda a, b, **k: L.isin(a, b, **k), make_inputs=_ints,
         kwargs=[{}, {"invert": True}], supports_grad=False))
add(pair("isin_scalar", lambda L: lambda a, b: L.isin(a, 3), make_inputs=_ints, supports_grad=False))
add(pair("unravel_index", lambda L: lambda a, b: L.unravel_index(a * 3 - 4, (3, 2, 2)), make_inputs=_ints,
         supports_grad=False))
add(pair("unique_dim", lambda L: lambda a, b, **k: L.unique(a % 2, **k), make_inputs=_ints,
         kwargs=[{"dim": 0, "return_inverse": True, "return_counts": True}, {"dim": 1, "return_counts": True}],
         supports_grad=False, syncs_by_nature="the number of unique slices sizes the output (torch syncs too)"))
add(pair("unique_consecutive", lambda L: lambda a, b, **k: L.unique_consecutive(a // 3, **k), make_inputs=_ints,
         kwargs=[{"return_inverse": True, "return_counts": True}, {"dim": 1, "return_counts": True}],
         supports_grad=False, syncs_by_nature="the number of runs sizes the output (torch syncs too)"))
