"""Op-table rows (see op_table.py) for contractions (einsum, tensordot, baddbmm, cross, cdist, ...), scans
(cumprod, cummax, logcumsumexp, diff) and order statistics (median, kthvalue, quantile, searchsorted, ...).

Selections (median, kthvalue, cummax, quantile) get pairwise-distinct values: torch's choice of index
among ties is implementation-defined, and the gradient is not defined at ties.
"""
from __future__ import annotations

import numpy as np

import minitorch as mt

from .op_table import OpInfo
from .op_table_core import away, distinct, pair

try:  # the th callables only run inside tests that already required torch
    import torch
except ImportError:  # pragma: no cover
    torch = None

OPS: list = []
add = OPS.append


def _with_nans(rng, shape, dtype):
    v = distinct()(rng, shape, np.float64)
    v[np.indices(shape).sum(axis=0) % 3 == 0] = np.nan  # NaNs in most slices, never a whole slice
    return v.astype(dtype)


# ---------------------------------------------------------------- einsum -------------------------
def einsum_row(name, equation, shapes, as_list=False, **kw):
    if as_list:
        return pair(name, lambda L: lambda *ops: L.einsum(equation, list(ops)), shapes=[shapes], **kw)
    return pair(name, lambda L: lambda *ops: L.einsum(equation, *ops), shapes=[shapes], **kw)


add(einsum_row("einsum_matmul", "ij,jk->ik", ((2, 3), (3, 4))))
add(einsum_row("einsum_implicit", "ij,jk", ((2, 3), (3, 4))))
add(einsum_row("einsum_implicit_order", "ba,bc", ((3, 2), (3, 4))))
add(einsum_row("einsum_batched_matmul", "bij,bjk->bik", ((2, 2, 3), (2, 3, 4))))
add(einsum_row("einsum_ellipsis", "...ij,...jk->...ik", ((2, 1, 2, 3), (3, 3, 2))))
add(einsum_row("einsum_ellipsis_implicit", "...ij,jk", ((2, 2, 3), (3, 4))))
add(einsum_row("einsum_ellipsis_only", "...,...", ((2, 3), (3,))))
add(einsum_row("einsum_diagonal", "ii->i", ((3, 3),)))
add(einsum_row("einsum_trace", "ii", ((3, 3),)))
add(einsum_row("einsum_diag_times_vec", "ii,i->i", ((3, 3), (3,))))
add(einsum_row("einsum_partial_diagonal", "iji->ij", ((3, 2, 3),)))
add(einsum_row("einsum_outer", "i,j->ij", ((3,), (4,))))
add(einsum_row("einsum_dot", "i,i", ((4,), (4,))))
add(einsum_row("einsum_sum_all", "ij->", ((2, 3),)))
add(einsum_row("einsum_sum_dim", "ij->j", ((2, 3),)))
add(einsum_row("einsum_transpose", "ij->ji", ((2, 3),)))
add(einsum_row("einsum_broadcast_dim", "ij,ij->ij", ((2, 1), (2, 3))))
add(einsum_row("einsum_three_operands_list", "bn,anm,bm->ba", ((2, 3), (4, 3, 5), (2, 5)), as_list=True))
add(einsum_row("einsum_spaces", "i j , j k -> i k", ((2, 3), (3, 4))))
add(einsum_row("einsum_unused_operand_dim", "ij,k->i", ((2, 3), (4,))))

# ---------------------------------------------------------------- tensordot & friends ------------
add(OpInfo("tensordot", lambda a, b, **k: mt.tensordot(a, b, **k), lambda a, b, **k: torch.tensordot(a, b, **k),
           shapes=[((2, 3, 4), (3, 4, 2))], kwargs=[{}, {"dims": 0}, {"dims": ([1, 2], [0, 1])}]))
add(OpInfo("tensordot_pairs", lambda a, b, **k: mt.tensordot(a, b, **k),
           lambda a, b, **k: torch.tensordot(a, b, **k), shapes=[((2, 3, 4), (4, 2, 3))],
           kwargs=[{"dims": ([1, 2], [2, 0])}, {"dims": ([-1], [0])}, {"dims": [[1], [2]]}]))
add(OpInfo("tensordot_dims1", lambda a, b: mt.tensordot(a, b, dims=1), lambda a, b: torch.tensordot(a, b, dims=1),
           shapes=[((2, 3), (3, 4))]))
ADD_KW = [{}, {"beta": 0.5, "alpha": 2.0}, {"beta": 0, "alpha": -1.5}]
add(OpInfo("baddbmm", lambda i, a, b, **k: mt.baddbmm(i, a, b, **k), lambda i, a, b, **k: torch.baddbmm(i, a, b, **k),
           shapes=[((2, 3, 4), (2, 3, 5), (2, 5, 4)), ((3, 4), (2, 3, 5), (2, 5, 4)), ((1,), (2, 3, 5), (2, 5, 4))],
           kwargs=ADD_KW))
add(pair("baddbmm_method", lambda L: lambda i, a, b: i.baddbmm(a, b, alpha=0.5),
         shapes=[((2, 3, 4), (2, 3, 2), (2, 2, 4))]))
add(OpInfo("addbmm", lambda i, a, b, **k: mt.addbmm(i, a, b, **k), lambda i, a, b, **k: torch.addbmm(i, a, b, **k),
           shapes=[((3, 4), (2, 3, 5), (2, 5, 4)), ((4,), (2, 3, 5), (2, 5, 4))], kwargs=ADD_KW))
add(pair("addbmm_method", lambda L: lambda i, a, b: i.addbmm(a, b), shapes=[((3, 4), (2, 3, 2), (2, 2, 4))]))
add(OpInfo("addmv", lambda i, a, b, **k: mt.addmv(i, a, b, **k), lambda i, a, b, **k: torch.addmv(i, a, b, **k),
           shapes=[((3,), (3, 4), (4,)), ((1,), (3, 4), (4,)), ((), (3, 4), (4,))], kwargs=ADD_KW))
add(pair("addmv_method", lambda L: lambda i, a, b: i.addmv(a, b, beta=2), shapes=[((3,), (3, 4), (4,))]))
add(OpInfo("addr", lambda i, a, b, **k: mt.addr(i, a, b, **k), lambda i, a, b, **k: torch.addr(i, a, b, **k),
           shapes=[((3, 4), (3,), (4,)), ((4,), (3,), (4,))], kwargs=ADD_KW))
add(pair("addr_method", lambda L: lambda i, a, b: i.addr(a, b, alpha=3), shapes=[((3, 4), (3,), (4,))]))
add(pair("addmm_method", lambda L: lambda i, a, b: i.addmm(a, b, beta=0.5), shapes=[((2, 4), (2, 3), (3, 4))]))
add(pair("inner", lambda L: L.inner, shapes=[((3,), (3,)), ((2, 3), (4, 3)), ((2, 2, 3), (3,)), ((), (2, 3))]))
add(pair("inner_method", lambda L: lambda a, b: a.inner(b), shapes=[((2, 3), (3,))]))
add(pair("kron", lambda L: L.kron, shapes=[((2, 3), (4,)), ((2, 2), (3, 1, 2)), ((3,), (2,)), ((), (2, 2))]))
add(pair("kron_method", lambda L: lambda a, b: a.kron(b), shapes=[((2, 1), (2, 3))]))
add(OpInfo("cross", lambda a, b, **k: mt.cross(a, b, **k), lambda a, b, **k: torch.cross(a, b, **k),
           shapes=[((4, 3), (4, 3)), ((2, 3, 4), (2, 3, 4))],
           notes="no dim: the first dim of size 3 (torch.cross's deprecated default)"))
add(OpInfo("cross_dim", lambda a, b, **k: mt.cross(a, b, **k), lambda a, b, **k: torch.cross(a, b, **k),
           shapes=[((3, 3), (3, 3)), ((2, 3), (1, 3))], kwargs=[{"dim": -1}, {"dim": 1}]))
add(pair("cross_dim0_batched", lambda L: lambda a, b: a.cross(b, dim=0), shapes=[((3, 2, 2), (3, 1, 2))]))

# cdist: random rows are never at distance 0 (where p=2's gradient is the subgradient 0) and the
# coordinate differences are never tied (p=inf) or 0 (p=1)
CDIST_SHAPES = [((3, 4), (5, 4)), ((2, 3, 4), (2, 5, 4)), ((2, 3, 4), (5, 4)), ((1, 2, 3), (2, 4, 3))]
add(OpInfo("cdist", lambda a, b, **k: mt.cdist(a, b, **k), lambda a, b, **k: torch.cdist(a, b, **k),
           shapes=CDIST_SHAPES, kwargs=[{}, {"p": 1.0}, {"p": 3.0}, {"p": float("inf")}, {"p": 0.5}]))
add(OpInfo("cdist_p0", lambda a, b: mt.cdist(a, b, p=0), lambda a, b: torch.cdist(a, b, p=0),
           shapes=[((3, 4), (5, 4))]))
add(OpInfo("cdist_compute_mode", lambda a, b: mt.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
           lambda a, b: torch.cdist(a, b, compute_mode="use_mm_for_euclid_dist"), shapes=[((3, 4), (5, 4))]))
add(OpInfo("dist", lambda a, b, **k: mt.dist(a, b, **k), lambda a, b, **k: torch.dist(a, b, **k),
           shapes=[((3, 4), (3, 4)), ((2, 3), (3,))], kwargs=[{}, {"p": 1}, {"p": 3}, {"p": float("inf")}]))
add(pair("dist_p0", lambda L: lambda a, b: L.dist(a, b, p=0), shapes=[((3, 4), (3, 4))], supports_grad=False,
         notes="torch's own backward of dist(p=0) fails (undefined tensor); forward only"))
add(pair("dist_method", lambda L: lambda a, b: a.dist(b, 2.5), shapes=[((3, 4), (4,))]))

# ---------------------------------------------------------------- scans --------------------------
SCAN_SHAPES = [((3, 4),), ((2, 3, 4),)]
SCAN_KW = [{"dim": 1}, {"dim": 0}, {"dim": -1}]
add(OpInfo("cumprod", lambda a, **k: mt.cumprod(a, **k), lambda a, **k: torch.cumprod(a, **k),
           shapes=SCAN_SHAPES, kwargs=SCAN_KW, values=away(0.5, 1.5)))
add(pair("cumprod_method", lambda L: lambda a: a.cumprod(0), shapes=[((4,),), ((),)], values=away(0.5, 1.5)))


def _cumprod_zero_inputs(rng, dtype):
    x = away(0.5, 1.5)(rng, (4, 5), np.float64)
    x[0, 2] = 0.0  # one zero
    x[1, 0] = x[1, 3] = 0.0  # two zeros, the first at the start
    x[2, 1] = x[2, 2] = 0.0  # two zeros side by side
    return [x.astype(dtype)]


add(OpInfo("cumprod_with_zeros", lambda a, **k: mt.cumprod(a, **k), lambda a, **k: torch.cumprod(a, **k),
           kwargs=[{"dim": 1}, {"dim": 0}], make_inputs=_cumprod_zero_inputs))
add(OpInfo("cummax", lambda a, **k: mt.cummax(a, **k), lambda a, **k: torch.cummax(a, **k),
           shapes=SCAN_SHAPES + [((7,),)], kwargs=[{"dim": 0}, {"dim": -1}], values=distinct()))
add(OpInfo("cummin", lambda a, **k: mt.cummin(a, **k), lambda a, **k: torch.cummin(a, **k),
           shapes=SCAN_SHAPES + [((7,),)], kwargs=[{"dim": 0}, {"dim": -1}], values=distinct()))
add(pair("cummax_fields", lambda L: lambda a: a.cummax(1).values * 2 + a.cummin(dim=1).indices,
         shapes=[((3, 5),)], values=distinct()))
add(pair("cummax_0d", lambda L: lambda a: L.cummax(a, 0), shapes=[((),)]))
add(OpInfo("logcumsumexp", lambda a, **k: mt.logcumsumexp(a, **k), lambda a, **k: torch.logcumsumexp(a, **k),
           shapes=SCAN_SHAPES + [((9,),)], kwargs=[{"dim": 0}, {"dim": -1}]))
add(pair("logcumsumexp_large", lambda L: lambda a: a.logcumsumexp(1), shapes=[((3, 6),)], domain=(-200.0, 200.0),
         supports_gradgrad=False, rtol=1e-4, atol=1e-3,
         notes="values far apart: a naive exp-cumsum-log overflows; the second derivative underflows"))
add(OpInfo("diff", lambda a, **k: mt.diff(a, **k), lambda a, **k: torch.diff(a, **k),
           shapes=SCAN_SHAPES, kwargs=[{}, {"n": 2}, {"dim": 0}, {"n": 3, "dim": -1}]))
add(pair("diff_prepend_append", lambda L: lambda a, p, q: L.diff(a, dim=1, prepend=p, append=q),
         shapes=[((3, 4), (3, 1), (3, 2))]))
add(pair("diff_prepend_method", lambda L: lambda a, p: a.diff(n=2, dim=0, prepend=p), shapes=[((3, 4), (2, 4))]))

# ---------------------------------------------------------------- order statistics ---------------
ORDER_SHAPES = [((3, 4),), ((2, 3, 5),)]
add(pair("median", lambda L: lambda a: a.median(), shapes=ORDER_SHAPES + [((),), ((4,),)], values=distinct()))
add(OpInfo("median_dim", lambda a, **k: mt.median(a, **k), lambda a, **k: torch.median(a, **k),
           shapes=ORDER_SHAPES, kwargs=[{"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": -1}], values=distinct()))
add(pair("median_fields", lambda L: lambda a: a.median(dim=1).values + a.median(1).indices, values=distinct()))
add(pair("nanmedian", lambda L: lambda a: L.nanmedian(a), shapes=ORDER_SHAPES, values=_with_nans))
add(OpInfo("nanmedian_dim", lambda a, **k: mt.nanmedian(a, **k), lambda a, **k: torch.nanmedian(a, **k),
           shapes=ORDER_SHAPES, kwargs=[{"dim": 1}, {"dim": -1, "keepdim": True}], values=_with_nans))
add(OpInfo("kthvalue", lambda a, k, **kw: mt.kthvalue(a, k, **kw), lambda a, k, **kw: torch.kthvalue(a, k, **kw),
           shapes=ORDER_SHAPES, kwargs=[{"k": 1}, {"k": 2, "dim": 0}, {"k": 3, "dim": 1, "keepdim": True}],
           values=distinct()))
add(pair("kthvalue_method", lambda L: lambda a: a.kthvalue(3).values, shapes=[((4, 5),), ((5,),)], values=distinct()))


def _mode_inputs(rng, dtype):
    # small integers: values repeat, so the mode is meaningful; a tie in counts goes to the smallest value
    return [rng.integers(0, 4, (3, 7)).astype(dtype)]


add(OpInfo("mode", lambda a, **k: mt.mode(a, **k), lambda a, **k: torch.mode(a, **k), make_inputs=_mode_inputs,
           kwargs=[{}, {"dim": 0}, {"dim": 1, "keepdim": True}], supports_gradcheck=False,
           notes="repeated values by construction: finite differences break the ties"))
add(pair("mode_int", lambda L: lambda a: a.mode(), make_inputs=lambda rng, dtype: [rng.integers(-2, 2, (4, 6))],
         supports_grad=False))
QUANTILE_KW = [
    {"q": 0.3}, {"q": 0.3, "dim": 1}, {"q": 0.7, "dim": -1, "keepdim": True}, {"q": 0.0, "dim": 0},
    {"q": 1.0, "dim": 1}, {"q": 0.45, "keepdim": True},
]
add(OpInfo("quantile", lambda a, **k: mt.quantile(a, **k), lambda a, **k: torch.quantile(a, **k),
           shapes=ORDER_SHAPES, kwargs=QUANTILE_KW, values=distinct()))
for _interp in ("lower", "higher", "midpoint", "nearest"):
    add(OpInfo(f"quantile_{_interp}", lambda a, i=_interp, **k: mt.quantile(a, interpolation=i, **k),
               lambda a, i=_interp, **k: torch.quantile(a, interpolation=i, **k),
               shapes=ORDER_SHAPES, kwargs=[{"q": 0.3, "dim": 1}, {"q": 0.6}], values=distinct()))


def _q_inputs(rng, dtype):
    return [distinct()(rng, (3, 5), dtype), np.array([0.1, 0.5, 0.8], dtype=dtype)]


_Q_SYNC = "quantile checks that every q is in [0, 1] on the host, as torch does"
add(OpInfo("quantile_q_tensor", lambda a, q, **k: mt.quantile(a, q, **k), lambda a, q, **k: torch.quantile(a, q, **k),
           make_inputs=_q_inputs, kwargs=[{}, {"dim": 1}, {"dim": 0, "keepdim": True}], grad_inputs=(0,),
           syncs_by_nature=_Q_SYNC))
add(OpInfo("nanquantile", lambda a, **k: mt.nanquantile(a, **k), lambda a, **k: torch.nanquantile(a, **k),
           shapes=ORDER_SHAPES, kwargs=[{"q": 0.3}, {"q": 0.6, "dim": 1}, {"q": 0.2, "dim": -1, "keepdim": True}],
           values=_with_nans))
add(pair("quantile_nan", lambda L: lambda a: a.quantile(0.5, dim=1), shapes=[((3, 4),)], values=_with_nans,
         supports_grad=False))
add(OpInfo("nansum", lambda a, **k: mt.nansum(a, **k), lambda a, **k: torch.nansum(a, **k),
           shapes=ORDER_SHAPES, kwargs=[{}, {"dim": 1}, {"dim": (0, 1), "keepdim": True}], values=_with_nans))
add(pair("nansum_method", lambda L: lambda a: a.nansum(-1), shapes=[((3, 4),)], values=_with_nans))
add(OpInfo("nanmean", lambda a, **k: mt.nanmean(a, **k), lambda a, **k: torch.nanmean(a, **k),
           shapes=ORDER_SHAPES, kwargs=[{}, {"dim": 1}, {"dim": (0, 1), "keepdim": True}], values=_with_nans))
add(pair("nanmean_method", lambda L: lambda a: a.nanmean(0), shapes=[((3, 4),)], values=_with_nans))


# ---------------------------------------------------------------- searches (integer results) -----
def _search_inputs(seq_shape, val_shape):
    def make(rng, dtype):
        seq = np.sort(distinct()(rng, seq_shape, np.float64), axis=-1)
        vals = distinct(0.37)(rng, val_shape, np.float64)
        return [seq.astype(dtype), vals.astype(dtype)]

    return make


add(OpInfo("searchsorted", lambda s, v, **k: mt.searchsorted(s, v, **k),
           lambda s, v, **k: torch.searchsorted(s, v, **k), make_inputs=_search_inputs((6,), (3, 4)),
           kwargs=[{}, {"right": True}, {"side": "right"}, {"out_int32": True}], supports_grad=False))
add(OpInfo("searchsorted_batched", lambda s, v, **k: mt.searchsorted(s, v, **k),
           lambda s, v, **k: torch.searchsorted(s, v, **k), make_inputs=_search_inputs((2, 3, 6), (2, 3, 4)),
           kwargs=[{}, {"right": True}, {"side": "left", "out_int32": True}], supports_grad=False))


def _sorter_inputs(rng, dtype):
    seq = distinct()(rng, (7,), dtype)
    return [seq, np.argsort(seq).astype(np.int64), distinct(0.41)(rng, (5,), dtype)]


add(pair("searchsorted_sorter", lambda L: lambda s, o, v: L.searchsorted(s, v, sorter=o), make_inputs=_sorter_inputs,
         supports_grad=False))
add(pair("searchsorted_scalar", lambda L: lambda s, v: L.searchsorted(s, 0.2),
         make_inputs=_search_inputs((6,), (1,)), supports_grad=False))


def _ties_inputs(rng, dtype):
    seq = np.array([-1.0, 0.0, 0.0, 0.0, 2.0], dtype=dtype)
    return [seq, np.array([-2.0, -1.0, 0.0, 1.0, 2.0, 3.0], dtype=dtype)]


add(OpInfo("searchsorted_ties", lambda s, v, **k: mt.searchsorted(s, v, **k),
           lambda s, v, **k: torch.searchsorted(s, v, **k), make_inputs=_ties_inputs,
           kwargs=[{}, {"right": True}], supports_grad=False))


def _bucket_inputs(rng, dtype):
    s, v = _ties_inputs(rng, dtype)
    return [v, s]


add(OpInfo("bucketize", lambda v, b, **k: mt.bucketize(v, b, **k), lambda v, b, **k: torch.bucketize(v, b, **k),
           make_inputs=_bucket_inputs, kwargs=[{}, {"right": True}, {"out_int32": True}], supports_grad=False))
add(OpInfo("bucketize_2d", lambda b, v: mt.bucketize(v, b), lambda b, v: torch.bucketize(v, b),
           make_inputs=_search_inputs((6,), (3, 4)), supports_grad=False))


def _histc_inputs(rng, dtype):
    # values clear of the bin edges of both settings below (bins of width 0.25 from -1.5)
    v = (rng.integers(-6, 6, (40,)) + rng.uniform(0.2, 0.8, (40,))) * 0.25
    return [v.astype(dtype)]


add(OpInfo("histc", lambda a, **k: mt.histc(a, **k), lambda a, **k: torch.histc(a, **k), make_inputs=_histc_inputs,
           kwargs=[{"bins": 12, "min": -1.5, "max": 1.5}, {"bins": 4, "min": -1, "max": 1}], supports_grad=False))
add(pair("histc_data_range", lambda L: lambda a: a.histc(bins=5), make_inputs=lambda rng, dtype: [
    np.array([0.0, 0.1, 0.3, 0.5, 0.7, 0.95, 1.0, 0.45], dtype=dtype)], supports_grad=False))
add(pair("histc_constant", lambda L: lambda a: L.histc(a, bins=4), make_inputs=lambda rng, dtype: [
    np.full((5,), 2.0, dtype=dtype)], supports_grad=False))
