"""Op-table rows for the Tensor core: every op of issue 2, called the same way in minitorch and torch.

Inputs come from ``shapes`` + ``domain``/``values`` (or ``make_inputs`` for ops with index or mask
inputs). Domains keep inputs away from non-differentiable points (abs at 0, ties in max, the
bounds of clamp, the jumps of remainder) so gradcheck is meaningful.
"""
from __future__ import annotations

import numpy as np

import minitorch as mt

from .op_table import OpInfo

try:  # the th callables only run inside tests that already required torch
    import torch
except ImportError:  # pragma: no cover
    torch = None


# ---------------------------------------------------------------- value generators ---------------
def away(lo: float = 0.3, hi: float = 2.0):
    """Values with |v| in [lo, hi] and a random sign (away from 0)."""

    def gen(rng, shape, dtype):
        mag = np.asarray(rng.uniform(lo, hi, shape))
        sign = np.where(np.asarray(rng.random(shape)) < 0.5, -1.0, 1.0)
        return (mag * sign).astype(dtype)

    return gen


def distinct(spacing: float = 0.3):
    """Values that are pairwise at least ``spacing`` apart (no ties for max/min/sort)."""

    def gen(rng, shape, dtype):
        n = int(np.prod(shape))
        v = (rng.permutation(n) - n / 2) * spacing + rng.uniform(-0.05, 0.05, n) * spacing
        return v.reshape(shape).astype(dtype)

    return gen


def avoiding(points, lo: float = -2.0, hi: float = 2.0, gap: float = 0.05):
    """Uniform values in [lo, hi] pushed at least ``gap`` away from each of ``points``."""

    def gen(rng, shape, dtype):
        v = np.asarray(rng.uniform(lo, hi, shape))
        for p in points:
            near = np.abs(v - p) < gap
            v = np.where(near, p + np.where(v >= p, gap, -gap) * 2, v)
        return v.astype(dtype)

    return gen


def boolean(rng, shape, dtype):
    return np.asarray(rng.random(shape)) < 0.5


def _f(rng, dtype, *shape, lo=-2.0, hi=2.0):
    return np.asarray(rng.uniform(lo, hi, shape)).astype(dtype)


BIN_SHAPES = [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 1), (1, 4)), ((), (3,)), ((2, 1, 3), (2, 1))]
RED = (2, 3, 4)


def row(name, mt_fn, th_fn=None, **kw) -> OpInfo:
    """A row; ``th_fn`` defaults to the same expression with torch (passed as a lambda)."""
    return OpInfo(name=name, mt=mt_fn, th=th_fn if th_fn is not None else mt_fn, **kw)


def both(fn_of_lib):
    """(minitorch callable, torch callable) from one function of the library module."""
    return (lambda *a, **k: fn_of_lib(mt)(*a, **k)), (lambda *a, **k: fn_of_lib(torch)(*a, **k))


def pair(name, fn_of_lib, **kw) -> OpInfo:
    m, t = both(fn_of_lib)
    return OpInfo(name=name, mt=m, th=t, **kw)


OPS: list = []
add = OPS.append

# ---------------------------------------------------------------- arithmetic ---------------------
add(row("add", lambda a, b: a + b, shapes=BIN_SHAPES, broadcasting=True))
add(pair("add_alpha", lambda L: lambda a, b: L.add(a, b, alpha=2.5), shapes=BIN_SHAPES[:2]))
add(row("sub", lambda a, b: a - b, shapes=BIN_SHAPES, broadcasting=True))
add(pair("sub_alpha", lambda L: lambda a, b: L.sub(a, b, alpha=-0.5), shapes=BIN_SHAPES[:2]))
add(row("mul", lambda a, b: a * b, shapes=BIN_SHAPES, broadcasting=True))
add(row("div", lambda a, b: a / b, shapes=BIN_SHAPES, broadcasting=True, values=away()))
add(row("add_scalar", lambda a: a + 2.5, shapes=[((3, 4),), ((),)]))
add(row("radd_scalar", lambda a: 2.5 + a))
add(row("rsub_scalar", lambda a: 1.5 - a))
add(row("rmul_scalar", lambda a: -3 * a))
add(row("div_scalar", lambda a: a / 4))
add(row("rdiv_scalar", lambda a: 2.0 / a, values=away()))
add(row("neg", lambda a: -a, shapes=[((3, 4),), ((),)]))
add(pair("neg_fn", lambda L: L.neg))
add(row("pow_tensor_tensor", lambda a, b: a**b, shapes=BIN_SHAPES, broadcasting=True,
        domain=((0.3, 2.0), (-2.0, 2.0))))
add(OpInfo("pow_tensor_scalar_int", lambda a, e: a**e, lambda a, e: a**e,
           kwargs=[{"e": 2}, {"e": 3}, {"e": 0}, {"e": 1}, {"e": -1}], values=away()))
add(OpInfo("pow_tensor_scalar_float", lambda a, e: a**e, lambda a, e: a**e,
           kwargs=[{"e": 0.5}, {"e": -1.5}, {"e": 2.5}], domain=(0.3, 2.0)))
add(row("rpow_scalar", lambda a: 2.0**a))
add(row("rpow_scalar_small", lambda a: 0.5**a, shapes=[((3,),), ((),)]))
add(pair("pow_fn", lambda L: L.pow, shapes=[((3, 4), (4,))], domain=((0.3, 2.0), (-1.0, 1.0))))
add(row("remainder_scalar", lambda a: a % 1.5, values=avoiding([-1.5, 0.0, 1.5])))


def _remainder_inputs(rng, dtype):
    b = np.asarray(rng.uniform(0.5, 1.5, (3, 4)))
    n = rng.integers(-2, 3, (3, 4))
    frac = rng.uniform(0.1, 0.9, (3, 4))
    return [((n + frac) * b).astype(dtype), b.astype(dtype)]


add(pair("remainder", lambda L: L.remainder, make_inputs=_remainder_inputs))
add(row("square", lambda a: a.square(), shapes=[((3, 4),), ((),)]))
add(pair("square_fn", lambda L: L.square))

# ---------------------------------------------------------------- unary math ---------------------
U_SHAPES = [((3, 4),), ((),), ((2, 0),)]
add(row("exp", lambda a: a.exp(), shapes=U_SHAPES))
add(pair("exp_fn", lambda L: L.exp))
add(row("log", lambda a: a.log(), shapes=U_SHAPES, domain=(0.2, 3.0)))
add(row("log1p", lambda a: a.log1p(), domain=(-0.6, 2.0)))
add(row("sqrt", lambda a: a.sqrt(), shapes=U_SHAPES, domain=(0.2, 3.0)))
add(row("rsqrt", lambda a: a.rsqrt(), domain=(0.3, 3.0)))
add(row("abs", lambda a: a.abs(), shapes=U_SHAPES, values=away()))
add(row("abs_op", lambda a: abs(a), values=away()))
add(row("sign", lambda a: a.sign(), shapes=U_SHAPES, values=away(), supports_grad=False))
add(row("sin", lambda a: a.sin(), shapes=U_SHAPES))
add(row("cos", lambda a: a.cos(), shapes=U_SHAPES))
add(row("tanh", lambda a: a.tanh(), shapes=U_SHAPES))
add(row("sigmoid", lambda a: a.sigmoid(), shapes=U_SHAPES, domain=(-5.0, 5.0)))
add(row("relu", lambda a: a.relu(), shapes=U_SHAPES, values=away(0.1)))
add(pair("relu_fn", lambda L: L.relu, values=away(0.1)))

# ---------------------------------------------------------------- clamp / max / where -------------
add(OpInfo("clamp_scalar", lambda a, **k: a.clamp(**k), lambda a, **k: a.clamp(**k),
           kwargs=[{"min": -0.5, "max": 0.5}, {"min": -0.5}, {"max": 0.3}],
           values=avoiding([-0.5, 0.3, 0.5])))
add(OpInfo("clip_scalar", lambda a: mt.clip(a, -1.0, 1.0), lambda a: torch.clip(a, -1.0, 1.0),
           values=avoiding([-1.0, 1.0])))


def _clamp_tensor_inputs(rng, dtype):
    lo = rng.uniform(-1.0, -0.3, (4,))
    hi = rng.uniform(0.3, 1.0, (3, 4))
    x = avoiding([], -2, 2)(rng, (3, 4), np.float64)
    for bound in (np.broadcast_to(lo, (3, 4)), hi):
        near = np.abs(x - bound) < 0.05
        x = np.where(near, bound + 0.2, x)
    return [x.astype(dtype), lo.astype(dtype), hi.astype(dtype)]


add(pair("clamp_tensor", lambda L: lambda a, lo, hi: L.clamp(a, lo, hi), make_inputs=_clamp_tensor_inputs))
add(pair("clamp_tensor_min", lambda L: lambda a, lo, hi: L.clamp(a, min=lo), make_inputs=_clamp_tensor_inputs,
         grad_inputs=(0, 1)))
add(pair("clamp_tensor_max", lambda L: lambda a, lo, hi: L.clamp(a, max=hi), make_inputs=_clamp_tensor_inputs,
         grad_inputs=(0, 2)))
add(pair("maximum", lambda L: L.maximum, shapes=BIN_SHAPES, broadcasting=True))
add(pair("minimum", lambda L: L.minimum, shapes=BIN_SHAPES, broadcasting=True))
add(pair("where", lambda L: L.where, shapes=[((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((), (2,), ())],
         values=[boolean, None, None], broadcasting=True))
add(pair("where_scalar", lambda L: lambda c, a: L.where(c, a, 0.5), shapes=[((3, 4), (3, 4))],
         values=[boolean, None]))
add(pair("where_method", lambda L: lambda c, a, b: a.where(c, b), shapes=[((3, 4), (3, 4), (4,))],
         values=[boolean, None, None]))
add(pair("masked_fill", lambda L: lambda a, m: a.masked_fill(m, -0.75),
         shapes=[((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3, 4), (3, 1))], values=[None, boolean]))
add(pair("masked_fill_fn", lambda L: lambda a, m: L.masked_fill(a, m, 2.0), shapes=[((3, 4), (3, 4))],
         values=[None, boolean]))
add(pair("masked_fill_tensor_value", lambda L: lambda a, m, v: a.masked_fill(m, v),
         shapes=[((3, 4), (3, 4), ())], values=[None, boolean, None]))

add(pair("clamp_min", lambda L: lambda a: L.clamp_min(a, 0.3), values=avoiding([0.3])))
add(pair("clamp_max_method", lambda L: lambda a: a.clamp_max(-0.2), values=avoiding([-0.2])))
add(pair("clamp_min_tensor", lambda L: lambda a, m: a.clamp_min(m), shapes=[((3, 4), (4,))],
         make_inputs=lambda rng, dtype: [_f(rng, dtype, 3, 4), (np.linspace(-1.5, 1.5, 4) + 0.013).astype(dtype)]))

# ---------------------------------------------------------------- matmul -------------------------
add(OpInfo("matmul", lambda a, b: a @ b, lambda a, b: a @ b, shapes=[
    ((3,), (3,)), ((2, 3), (3, 4)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 2, 3), (3, 4)),
    ((2, 1, 2, 3), (3, 3, 2)), ((3,), (2, 3, 2)), ((2, 2, 3), (3,)), ((2, 3), (2, 3, 2)),
], rtol=1e-4, atol=1e-5))
add(pair("matmul_fn", lambda L: L.matmul, shapes=[((2, 3), (3, 2))]))
add(pair("mm", lambda L: L.mm, shapes=[((2, 3), (3, 4))]))
add(pair("bmm", lambda L: L.bmm, shapes=[((2, 2, 3), (2, 3, 4))]))
add(pair("mv", lambda L: L.mv, shapes=[((2, 3), (3,))]))
add(pair("dot", lambda L: L.dot, shapes=[((3,), (3,))]))
add(pair("outer", lambda L: L.outer, shapes=[((3,), (4,))]))

# ---------------------------------------------------------------- reductions ---------------------
DIM_KW = [{}, {"dim": 1}, {"dim": (0, 2), "keepdim": True}, {"dim": -1, "keepdim": True}, {"dim": (0, 1)}]
add(OpInfo("sum", lambda a, **k: a.sum(**k), lambda a, **k: a.sum(**k), shapes=[(RED,)], kwargs=DIM_KW))
add(OpInfo("sum_0d", lambda a, **k: mt.sum(a, **k), lambda a, **k: torch.sum(a, **k), shapes=[((),)],
           kwargs=[{}, {"dim": 0}, {"dim": -1, "keepdim": True}]))
add(OpInfo("mean", lambda a, **k: a.mean(**k), lambda a, **k: a.mean(**k), shapes=[(RED,)], kwargs=DIM_KW))
add(OpInfo("mean_0d", lambda a: a.mean(), lambda a: a.mean(), shapes=[((),)]))
VAR_KW = [{}, {"dim": 1}, {"dim": 1, "keepdim": True, "correction": 0}, {"dim": (0, 2), "correction": 2},
          {"dim": -1, "unbiased": False}]
add(OpInfo("var", lambda a, **k: a.var(**k), lambda a, **k: a.var(**k), shapes=[(RED,)], kwargs=VAR_KW))
add(OpInfo("std", lambda a, **k: a.std(**k), lambda a, **k: a.std(**k), shapes=[(RED,)], kwargs=VAR_KW))
add(pair("var_fn", lambda L: lambda a: L.var(a, 0), shapes=[((4, 3),)]))
add(pair("std_fn", lambda L: lambda a: L.std(a, dim=0, keepdim=True), shapes=[((4, 3),)]))
add(OpInfo("prod", lambda a, **k: a.prod(**k), lambda a, **k: a.prod(**k), shapes=[((3, 4),)],
           kwargs=[{}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": -1}], values=away(0.5, 1.5)))
add(OpInfo("prod_0d", lambda a, **k: a.prod(**k), lambda a, **k: a.prod(**k), shapes=[((),)],
           kwargs=[{}, {"dim": 0}, {"dim": -1, "keepdim": True}], values=away(0.5, 1.5)))


def _prod_zero_inputs(rng, dtype):
    x = away(0.5, 1.5)(rng, (3, 4), np.float64)
    x[0, 1] = 0.0  # one zero in a row
    x[2, 0] = x[2, 3] = 0.0  # two zeros in a row
    return [x.astype(dtype)]


add(OpInfo("prod_with_zeros", lambda a, **k: a.prod(**k), lambda a, **k: a.prod(**k),
           kwargs=[{}, {"dim": 1}, {"dim": 0}], make_inputs=_prod_zero_inputs))
MAXMIN_SHAPES = [((3, 4),), (RED,), ((),)]
add(OpInfo("max", lambda a: a.max(), lambda a: a.max(), shapes=MAXMIN_SHAPES, values=distinct()))
add(OpInfo("min", lambda a: a.min(), lambda a: a.min(), shapes=MAXMIN_SHAPES, values=distinct()))
MAXDIM_KW = [{"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": -1}]
add(OpInfo("max_dim", lambda a, **k: a.max(**k), lambda a, **k: a.max(**k), shapes=[((3, 4),), (RED,)],
           kwargs=MAXDIM_KW, values=distinct()))
add(OpInfo("min_dim", lambda a, **k: mt.min(a, **k), lambda a, **k: torch.min(a, **k), shapes=[((3, 4),), (RED,)],
           kwargs=MAXDIM_KW, values=distinct()))
add(OpInfo("max_dim_fields", lambda a: a.max(dim=1).values * 2 + a.max(1).indices,
           lambda a: a.max(dim=1).values * 2 + a.max(1).indices, values=distinct()))
add(OpInfo("max_binary", lambda a, b: mt.max(a, b), lambda a, b: torch.max(a, b), shapes=[((3, 4), (4,))]))
AM_KW = [{}, {"dim": 1}, {"dim": (0, 1), "keepdim": True}, {"dim": -1}]
add(OpInfo("amax", lambda a, **k: a.amax(**k), lambda a, **k: a.amax(**k), shapes=[(RED,)], kwargs=AM_KW,
           values=distinct()))
add(OpInfo("amin", lambda a, **k: mt.amin(a, **k), lambda a, **k: torch.amin(a, **k), shapes=[(RED,)],
           kwargs=AM_KW, values=distinct()))


def _ties(rng, dtype):
    x = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, 2.0, 2.0, 2.0], [0.5, -4.0, 0.5, 0.25]])
    return [x.astype(dtype)]


add(OpInfo("amax_ties", lambda a, **k: a.amax(**k), lambda a, **k: a.amax(**k), kwargs=[{}, {"dim": 1}, {"dim": 0}],
           make_inputs=_ties, supports_gradcheck=False, supports_gradgrad=False))
add(OpInfo("max_full_ties", lambda a: a.max(), lambda a: a.max(), make_inputs=_ties, supports_gradcheck=False,
           supports_gradgrad=False))
add(OpInfo("min_full_ties", lambda a: a.min(), lambda a: a.min(), make_inputs=lambda rng, dt: [-_ties(rng, dt)[0]],
           supports_gradcheck=False, supports_gradgrad=False))
ARG_KW = [{}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": -1}]
add(OpInfo("argmax", lambda a, **k: a.argmax(**k), lambda a, **k: a.argmax(**k), shapes=[((3, 4),), (RED,)],
           kwargs=ARG_KW, values=distinct(), supports_grad=False))
add(OpInfo("argmin", lambda a, **k: mt.argmin(a, **k), lambda a, **k: torch.argmin(a, **k),
           shapes=[((3, 4),), (RED,)], kwargs=ARG_KW, values=distinct(), supports_grad=False))
add(OpInfo("logsumexp", lambda a, **k: a.logsumexp(**k), lambda a, **k: a.logsumexp(**k), shapes=[(RED,)],
           kwargs=[{"dim": 1}, {"dim": (0, 2), "keepdim": True}, {"dim": -1}]))
add(pair("logsumexp_fn", lambda L: lambda a: L.logsumexp(a, 0), shapes=[((3, 4),)], domain=(-30.0, 30.0),
         rtol=1e-5))
SM_KW = [{"dim": 1}, {"dim": -1}, {"dim": 0}]
add(OpInfo("softmax", lambda a, **k: a.softmax(**k), lambda a, **k: a.softmax(**k), shapes=[(RED,)], kwargs=SM_KW))
add(pair("softmax_fn", lambda L: lambda a: L.softmax(a, dim=-1), shapes=[((3, 4),)], domain=(-20.0, 20.0)))
add(OpInfo("log_softmax", lambda a, **k: a.log_softmax(**k), lambda a, **k: a.log_softmax(**k), shapes=[(RED,)],
           kwargs=SM_KW))
add(pair("log_softmax_fn", lambda L: lambda a: L.log_softmax(a, dim=0), shapes=[((3, 4),)], domain=(-20.0, 20.0)))
add(OpInfo("cumsum", lambda a, **k: a.cumsum(**k), lambda a, **k: a.cumsum(**k), shapes=[(RED,)],
           kwargs=[{"dim": 0}, {"dim": 1}, {"dim": -1}]))
add(pair("cumsum_fn", lambda L: lambda a: L.cumsum(a, 0), shapes=[((5,),), ((),)]))
add(OpInfo("norm", lambda a, **k: a.norm(**k), lambda a, **k: a.norm(**k), shapes=[((3, 4),)],
           kwargs=[{}, {"p": 2}, {"p": "fro"}, {"p": 2, "dim": 1}, {"p": 2, "dim": 0, "keepdim": True}, {"p": 1},
                   {"p": 1, "dim": 1}, {"p": 3}, {"p": 3, "dim": -1}],
           values=away(0.3, 2.0)))
add(OpInfo("norm_inf", lambda a, **k: a.norm(**k), lambda a, **k: a.norm(**k), shapes=[((3, 4),)],
           kwargs=[{"p": float("inf")}, {"p": float("inf"), "dim": 1}], values=distinct()))
add(pair("norm_fn", lambda L: lambda a: L.norm(a, dim=(0, 1)), shapes=[((2, 3, 2),)]))

# ---------------------------------------------------------------- shape ---------------------------
add(pair("reshape", lambda L: lambda a: a.reshape(4, 3)))
add(pair("reshape_tuple", lambda L: lambda a: a.reshape((2, -1, 2))))
add(pair("reshape_flat", lambda L: lambda a: L.reshape(a, (-1,)), shapes=[((3, 4),), ((),)]))
add(pair("reshape_same", lambda L: lambda a: a.reshape(3, 4)))
add(pair("view", lambda L: lambda a: a.view(2, 6)))
add(pair("view_infer", lambda L: lambda a: a.view(-1, 2)))
add(OpInfo("flatten", lambda a, **k: a.flatten(**k), lambda a, **k: a.flatten(**k), shapes=[(RED,)],
           kwargs=[{}, {"start_dim": 1}, {"start_dim": 0, "end_dim": 1}, {"end_dim": -2}]))
add(pair("flatten_0d", lambda L: lambda a: L.flatten(a), shapes=[((),)]))
add(OpInfo("squeeze", lambda a, *d: a.squeeze(*d), lambda a, *d: a.squeeze(*d), shapes=[((3, 1, 4, 1),)]))
add(OpInfo("squeeze_dim", lambda a, d: a.squeeze(d), lambda a, d: a.squeeze(d), shapes=[((3, 1, 4, 1),)],
           kwargs=[{"d": 1}, {"d": -1}, {"d": 0}, {"d": (1, 3)}]))
add(OpInfo("unsqueeze", lambda a, d: a.unsqueeze(d), lambda a, d: a.unsqueeze(d), shapes=[((3, 4),), ((),)],
           kwargs=[{"d": 0}, {"d": -1}]))
add(pair("unsqueeze_mid", lambda L: lambda a: L.unsqueeze(a, 1)))
add(pair("permute", lambda L: lambda a: a.permute(2, 0, 1), shapes=[(RED,)]))
add(pair("permute_fn", lambda L: lambda a: L.permute(a, (1, -1, 0)), shapes=[(RED,)]))
add(pair("transpose", lambda L: lambda a: a.transpose(0, 2), shapes=[(RED,)]))
add(pair("transpose_fn", lambda L: lambda a: L.transpose(a, -1, -2), shapes=[(RED,)]))
add(pair("t", lambda L: lambda a: a.t(), shapes=[((3, 4),), ((3,),)]))
add(pair("T", lambda L: lambda a: a.T, shapes=[((3, 4),), ((3,),)]))
add(pair("mT", lambda L: lambda a: a.mT, shapes=[((3, 4),), (RED,)]))
add(pair("expand", lambda L: lambda a: a.expand(3, 4), shapes=[((3, 1),), ((4,),), ((),)]))
add(pair("expand_new_dims", lambda L: lambda a: a.expand(2, -1, 4), shapes=[((3, 1),)]))
add(pair("expand_as", lambda L: lambda a, b: a.expand_as(b), shapes=[((1, 4), (3, 4))], grad_inputs=(0,)))
add(pair("broadcast_to", lambda L: lambda a: L.broadcast_to(a, (2, 3, 4)), shapes=[((3, 1),)]))
add(pair("repeat", lambda L: lambda a: a.repeat(2, 1), shapes=[((2, 3),)]))
add(pair("repeat_new_dims", lambda L: lambda a: a.repeat(1, 2, 2), shapes=[((2, 3),)]))
add(pair("repeat_0d", lambda L: lambda a: a.repeat(3), shapes=[((),)]))
add(pair("flip", lambda L: lambda a: a.flip(0), shapes=[(RED,)]))
add(pair("flip_dims", lambda L: lambda a: L.flip(a, (0, -1)), shapes=[(RED,)]))
add(pair("cat", lambda L: lambda a, b, c: L.cat([a, b, c]), shapes=[((2, 3), (1, 3), (4, 3))]))
add(pair("cat_dim1", lambda L: lambda a, b: L.cat((a, b), dim=1), shapes=[((2, 1), (2, 3)), ((2, 2, 2), (2, 1, 2))]))
add(pair("cat_neg_dim", lambda L: lambda a, b: L.cat([a, b], -1), shapes=[((2, 2, 1), (2, 2, 3))]))
add(OpInfo("stack", lambda a, b, d: mt.stack([a, b], d), lambda a, b, d: torch.stack([a, b], d),
           shapes=[((2, 3), (2, 3))], kwargs=[{"d": 0}, {"d": 1}, {"d": -1}]))
add(pair("stack_0d", lambda L: lambda a, b, c: L.stack((a, b, c)), shapes=[((), (), ())]))
add(pair("split", lambda L: lambda a: a.split(2, dim=1), shapes=[((3, 5),)]))
add(pair("split_sizes", lambda L: lambda a: L.split(a, [1, 3, 1], 1), shapes=[((3, 5),)]))
add(pair("split_dim0", lambda L: lambda a: a.split(2), shapes=[((5, 2),)]))
add(pair("chunk", lambda L: lambda a: a.chunk(3, dim=1), shapes=[((2, 7),)]))
add(pair("chunk_fn", lambda L: lambda a: L.chunk(a, 2), shapes=[((4, 3),)]))
add(pair("unbind", lambda L: lambda a: a.unbind(1), shapes=[((2, 3),)]))
add(pair("narrow", lambda L: lambda a: a.narrow(1, 1, 2), shapes=[((3, 4),)]))
add(pair("movedim", lambda L: lambda a: L.movedim(a, 0, -1), shapes=[(RED,)]))
add(pair("contiguous", lambda L: lambda a: a.T.contiguous() * 1.0, shapes=[((3, 4),)]))
add(pair("clone", lambda L: lambda a: a.clone(), shapes=[((3, 4),), ((),)]))

# ---------------------------------------------------------------- indexing -----------------------
I64 = np.int64


def _gather_inputs(rng, dtype):
    return [_f(rng, dtype, 3, 4), np.array([[0, 2], [1, 1], [3, 0]], dtype=I64)]


add(pair("gather", lambda L: lambda a, i: L.gather(a, 1, i), make_inputs=_gather_inputs))


def _gather0_inputs(rng, dtype):
    return [_f(rng, dtype, 3, 4), np.array([[0, 2, 2, 1], [0, 0, 1, 2]], dtype=I64)]


add(pair("gather_dim0", lambda L: lambda a, i: a.gather(0, i), make_inputs=_gather0_inputs))


def _scatter_inputs(rng, dtype):
    idx = np.array([[0, 1, 2, 0], [2, 2, 1, 0]], dtype=I64)  # repeats: accumulation
    return [_f(rng, dtype, 3, 4), idx, _f(rng, dtype, 2, 4)]


add(pair("scatter_add", lambda L: lambda a, i, s: a.scatter_add(0, i, s), make_inputs=_scatter_inputs))


def _scatter_big_src(rng, dtype):
    idx = np.array([[1, 0], [2, 2]], dtype=I64)
    return [_f(rng, dtype, 2, 3), idx, _f(rng, dtype, 3, 4)]


add(pair("scatter_add_big_src", lambda L: lambda a, i, s: L.scatter_add(a, 1, i, s), make_inputs=_scatter_big_src,
         supports_grad=False, notes="torch's own backward rejects src larger than index"))


def _index_select_inputs(rng, dtype):
    return [_f(rng, dtype, 3, 4), np.array([0, 2, 2, 1], dtype=I64)]


add(pair("index_select", lambda L: lambda a, i: L.index_select(a, 1, i), make_inputs=_index_select_inputs))
add(pair("index_select_dim0", lambda L: lambda a, i: a.index_select(0, i[:2]), make_inputs=_index_select_inputs))


def _index_add_inputs(rng, dtype):
    return [_f(rng, dtype, 3, 4), np.array([0, 2, 2, 3, 0], dtype=I64), _f(rng, dtype, 3, 5)]  # repeats add up


add(pair("index_add", lambda L: lambda a, i, s: a.index_add(1, i, s), make_inputs=_index_add_inputs))
add(pair("index_add_alpha_fn", lambda L: lambda a, i, s: L.index_add(a, -1, i, s, alpha=-2.5),
         make_inputs=_index_add_inputs))
add(pair("index_add_dim0", lambda L: lambda a, i, s: a.index_add(0, i, s),
         make_inputs=lambda rng, dtype: [_f(rng, dtype, 3, 4), np.array([2, 0], dtype=I64), _f(rng, dtype, 2, 4)]))
add(pair("index_add_0d", lambda L: lambda a, i, s: a.index_add(0, i, s),
         make_inputs=lambda rng, dtype: [_f(rng, dtype), np.array([0], dtype=I64), _f(rng, dtype)]))
add(pair("index_copy", lambda L: lambda a, i, s: a.index_copy(1, i, s),
         make_inputs=lambda rng, dtype: [_f(rng, dtype, 3, 4), np.array([3, 0], dtype=I64), _f(rng, dtype, 3, 2)]))
add(pair("index_copy_fn_dim0", lambda L: lambda a, i, s: L.index_copy(a, 0, i, s),
         make_inputs=lambda rng, dtype: [_f(rng, dtype, 3, 4), np.array([2], dtype=I64), _f(rng, dtype, 1, 4)]))
add(pair("index_fill", lambda L: lambda a, i: a.index_fill(1, i, -1.5),
         make_inputs=lambda rng, dtype: [_f(rng, dtype, 3, 4), np.array([1, 1, -1], dtype=I64)]))
add(pair("index_fill_tensor_value", lambda L: lambda a, i, v: L.index_fill(a, 0, i, v),
         make_inputs=lambda rng, dtype: [_f(rng, dtype, 3, 4), np.array([2, 0, 2], dtype=I64), _f(rng, dtype)]))


def _masked_scatter_inputs(rng, dtype):
    return [_f(rng, dtype, 3, 4), np.asarray(rng.random((3, 4))) < 0.5, _f(rng, dtype, 14)]


add(pair("put", lambda L: lambda a, i, s: a.put(i, s),
         make_inputs=lambda rng, dtype: [_f(rng, dtype, 3, 4), np.array([[0, 11], [-2, 5]], dtype=I64),
                                         _f(rng, dtype, 2, 2)]))
add(pair("put_accumulate_fn", lambda L: lambda a, i, s: L.put(a, i, s, accumulate=True),
         make_inputs=lambda rng, dtype: [_f(rng, dtype, 3, 4), np.array([3, 3, 0, 7], dtype=I64), _f(rng, dtype, 4)]))
add(pair("sum_to_size", lambda L: lambda a: a.sum_to_size(1, 4), shapes=[((3, 4),), ((2, 3, 4),)]))
add(pair("sum_to_size_tuple", lambda L: lambda a: a.sum_to_size((3, 1)), shapes=[((3, 4),)]))
add(pair("H", lambda L: lambda a: a.H, shapes=[((3, 4),)]))
add(pair("mH", lambda L: lambda a: a.mH, shapes=[((2, 3, 4),)]))


MASKED_SCATTER_SYNC = "the number of masked positions sizes the copy from source (torch syncs too)"
add(pair("masked_scatter", lambda L: lambda a, m, s: a.masked_scatter(m, s), make_inputs=_masked_scatter_inputs,
         syncs_by_nature=MASKED_SCATTER_SYNC))
add(pair("masked_scatter_broadcast", lambda L: lambda a, m, s: L.masked_scatter(a, m, s),
         make_inputs=lambda rng, dtype: [_f(rng, dtype, 4), np.array([[True, False, True, True], [False] * 4,
                                                                   [True] * 4]), _f(rng, dtype, 3, 3)],
         syncs_by_nature=MASKED_SCATTER_SYNC))
add(pair("argwhere", lambda L: lambda a: L.argwhere(a), make_inputs=lambda rng, dtype: [
    np.where(np.asarray(rng.random((3, 4))) < 0.5, 0.0, 1.5).astype(dtype)], supports_grad=False,
    syncs_by_nature="the count of nonzero elements sizes the output"))

GI_SHAPES = [((4, 5),)]
add(pair("getitem_int", lambda L: lambda a: a[1], shapes=GI_SHAPES))
add(pair("getitem_neg_int", lambda L: lambda a: a[-1, -2], shapes=GI_SHAPES))
add(pair("getitem_slice", lambda L: lambda a: a[1:3], shapes=GI_SHAPES))
add(pair("getitem_step", lambda L: lambda a: a[::2, 1::2], shapes=GI_SHAPES))
add(pair("getitem_neg_slice", lambda L: lambda a: a[-3:, :-1], shapes=GI_SHAPES))
add(pair("getitem_none", lambda L: lambda a: a[None, :, None], shapes=GI_SHAPES))
add(pair("getitem_ellipsis", lambda L: lambda a: a[..., 1], shapes=[(RED,)]))
add(pair("getitem_ellipsis_none", lambda L: lambda a: a[0, ..., None], shapes=[(RED,)]))
add(pair("getitem_0d", lambda L: lambda a: a[...], shapes=[((),)]))


def _idx_inputs(rng, dtype):
    return [_f(rng, dtype, 4, 5), np.array([0, 2, 0, 3], dtype=I64)]


add(pair("getitem_tensor_repeats", lambda L: lambda a, i: a[i], make_inputs=_idx_inputs))
add(pair("getitem_tensor_dim1", lambda L: lambda a, i: a[:, i], make_inputs=_idx_inputs))
add(pair("getitem_two_tensors", lambda L: lambda a, i: a[i, i], make_inputs=_idx_inputs))
add(pair("getitem_tensor_2d_index", lambda L: lambda a, i: a[i.reshape(2, 2)], make_inputs=_idx_inputs))
add(pair("getitem_slice_and_tensor", lambda L: lambda a, i: a[1:, i[:2]], make_inputs=_idx_inputs))
add(OpInfo("getitem_list", lambda a: a[[0, 0, 2]], lambda a: a[[0, 0, 2]], shapes=GI_SHAPES))
add(OpInfo("getitem_ndarray", lambda a: a[np.array([1, 1, 0])], lambda a: a[torch.tensor([1, 1, 0])],
           shapes=GI_SHAPES))
add(OpInfo("getitem_ndarray_pair", lambda a: a[np.array([1, 3]), np.array([0, 4])],
           lambda a: a[torch.tensor([1, 3]), torch.tensor([0, 4])], shapes=GI_SHAPES))
add(pair("getitem_neg_tensor", lambda L: lambda a, i: a[-i - 1], make_inputs=_idx_inputs))
add(pair("getitem_bool_mask", lambda L: lambda a, m: a[m], shapes=[((4, 5), (4, 5))], values=[None, boolean]))
add(pair("getitem_bool_rows", lambda L: lambda a, m: a[m], shapes=[((4, 5), (4,))], values=[None, boolean]))
add(pair("getitem_bool_cols", lambda L: lambda a, m: a[:, m], shapes=[((4, 5), (5,))], values=[None, boolean]))
add(pair("getitem_int_tensor_0d", lambda L: lambda a, i: a[i[1]], make_inputs=_idx_inputs))


def _setitem(index):
    def fn(a, v):
        out = a.clone()
        out[index] = v
        return out

    return fn


_SL = (slice(1, 3), slice(None, None, 2))
add(OpInfo("setitem_slice", _setitem(_SL), _setitem(_SL),
           shapes=[((4, 5), (2, 3)), ((4, 5), (3,)), ((4, 5), ())]))
add(OpInfo("setitem_int", _setitem(2), _setitem(2), shapes=[((4, 5), (5,)), ((4, 5), ())]))
add(OpInfo("setitem_list", _setitem([0, 2]), _setitem([0, 2]), shapes=[((4, 5), (2, 5)), ((4, 5), (5,))]))
add(OpInfo("setitem_ellipsis", _setitem((Ellipsis, 1)), _setitem((Ellipsis, 1)), shapes=[((2, 3, 4), (2, 3))]))


def _setitem_mask(a, m, v):
    out = a.clone()
    out[m] = v
    return out


add(OpInfo("setitem_bool_mask", _setitem_mask, _setitem_mask, shapes=[((4, 5), (4, 5), ())],
           values=[None, boolean, None]))


def _setitem_scalar(a):
    out = a * 1.0
    out[1:, 2] = 0.5
    return out


add(OpInfo("setitem_scalar_value", _setitem_scalar, _setitem_scalar, shapes=[((4, 5),)]))
