"""Op-table rows (see op_table.py) for the second batch of nn.functional: Gaussian / Poisson NLL, the
margin losses, triplet with a distance function, CTC, rrelu (eval), the in-place ``F.*_`` activations,
affine_grid and grid_sample. Row names start with ``F_``; losses get one sample per reduction.

Not here: the random parts (rrelu in training, gumbel_softmax) cannot match torch's generator; their
statistics are checked in test_nn_functional_more.py. CTC rows go through log_softmax, the way CTC is
used (torch's own CTC gradient with respect to the log-probabilities is only right after log_softmax),
and skip gradgradcheck: torch has no double backward for CTC either.
"""
from __future__ import annotations

import numpy as np

import minitorch.nn.functional as F

from .op_table import OpInfo

try:  # the th callables only run inside tests that already required torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover
    TF = None

OPS: list = []
REDUCTIONS = ("mean", "sum", "none")


def row(name: str, mt_fn, th_fn, **kw) -> None:
    OPS.append(OpInfo(name=name, mt=mt_fn, th=th_fn, **kw))


def fn_pair(name: str):
    """(F.name, torch F.name) looked up at call time."""
    return (lambda *a, **k: getattr(F, name)(*a, **k)), (lambda *a, **k: getattr(TF, name)(*a, **k))


def _red(**extra):
    return [{"reduction": r, **extra} for r in REDUCTIONS]


def _u(rng, dtype, *shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, shape).astype(dtype)


_mtF, _thF = (lambda: F), (lambda: TF)

# ---------------------------------------------------------------- likelihood losses --------------
for _tag, _vshape in (("", (3, 4)), ("_homoscedastic", (3,)), ("_broadcast", (3, 1))):
    row(f"F_gaussian_nll_loss{_tag}", *fn_pair("gaussian_nll_loss"),
        make_inputs=lambda rng, dt, vs=_vshape: [_u(rng, dt, 3, 4), _u(rng, dt, 3, 4),
                                                 rng.uniform(0.5, 2.0, vs).astype(dt)],
        kwargs=_red() + _red(full=True, eps=1e-3))
row("F_poisson_nll_loss", *fn_pair("poisson_nll_loss"),
    make_inputs=lambda rng, dt: [_u(rng, dt, 3, 4), rng.uniform(1.2, 4.0, (3, 4)).astype(dt)],
    kwargs=_red() + _red(full=True))
row("F_poisson_nll_loss_rate", *fn_pair("poisson_nll_loss"),
    make_inputs=lambda rng, dt: [_u(rng, dt, 3, 4, lo=0.5, hi=3.0),
                                 np.where(rng.random((3, 4)) < 0.3, 0.5, rng.uniform(1.2, 4.0, (3, 4))).astype(dt)],
    kwargs=_red(log_input=False) + _red(log_input=False, full=True, eps=1e-4))


# ---------------------------------------------------------------- margin losses ------------------
def _mm_inputs(rng, dt):
    return [_u(rng, dt, 4, 5), rng.integers(0, 5, (4,))]


MM_KW = _red() + _red(p=2, margin=0.7)
row("F_multi_margin_loss", *fn_pair("multi_margin_loss"), make_inputs=_mm_inputs, kwargs=MM_KW)
row("F_multi_margin_loss_weight", lambda x, t, w, **k: F.multi_margin_loss(x, t, weight=w, **k),
    lambda x, t, w, **k: TF.multi_margin_loss(x, t, weight=w, **k),
    make_inputs=lambda rng, dt: _mm_inputs(rng, dt) + [rng.uniform(0.5, 2.0, 5).astype(dt)],
    kwargs=MM_KW, grad_inputs=(0,))
row("F_multi_margin_loss_unbatched", *fn_pair("multi_margin_loss"),
    make_inputs=lambda rng, dt: [_u(rng, dt, 5), np.array(2)], kwargs=_red())


def _mlm_inputs(rng, dt):
    t = np.array([[3, 0, -1, 1, 2], [4, -1, 0, 0, 0], [0, 1, 2, 3, 4], [-1, 2, 2, 2, 2]])
    return [_u(rng, dt, 4, 5), t]


row("F_multilabel_margin_loss", *fn_pair("multilabel_margin_loss"), make_inputs=_mlm_inputs, kwargs=_red())
row("F_multilabel_margin_loss_unbatched", *fn_pair("multilabel_margin_loss"),
    make_inputs=lambda rng, dt: [_u(rng, dt, 4), np.array([2, 1, -1, 0])], kwargs=_red())
row("F_multilabel_soft_margin_loss", *fn_pair("multilabel_soft_margin_loss"),
    make_inputs=lambda rng, dt: [_u(rng, dt, 3, 4), (rng.random((3, 4)) < 0.5).astype(dt)],
    kwargs=_red(), grad_inputs=(0,))
row("F_multilabel_soft_margin_loss_weight", lambda x, t, w, **k: F.multilabel_soft_margin_loss(x, t, w, **k),
    lambda x, t, w, **k: TF.multilabel_soft_margin_loss(x, t, w, **k),
    make_inputs=lambda rng, dt: [_u(rng, dt, 3, 4), (rng.random((3, 4)) < 0.5).astype(dt),
                                 rng.uniform(0.5, 2.0, 4).astype(dt)],
    kwargs=_red(), grad_inputs=(0,))


def _triplet(lib_f, cosine: bool):
    def f(a, p, n, **k):
        lib = lib_f()
        dist = (lambda x, y: 1 - lib.cosine_similarity(x, y)) if cosine else None
        return lib.triplet_margin_with_distance_loss(a, p, n, distance_function=dist, **k)

    return f


TRIPLET_SHAPES = [((3, 4), (3, 4), (3, 4))]
row("F_triplet_margin_with_distance_loss", _triplet(_mtF, False), _triplet(_thF, False), shapes=TRIPLET_SHAPES,
    kwargs=_red() + [{"swap": True}, {"margin": 2.0, "reduction": "sum"}])
row("F_triplet_margin_with_distance_loss_cosine", _triplet(_mtF, True), _triplet(_thF, True),
    shapes=TRIPLET_SHAPES, kwargs=_red(margin=0.5) + [{"swap": True, "margin": 0.8}])


# ---------------------------------------------------------------- CTC ----------------------------
def _ctc(lib_f):
    """ctc_loss of log_softmax(x) (x: (T, N, C) logits); lengths from the kwargs (tuples) or as tensors."""

    def f(x, targets, *lengths, input_lengths=None, target_lengths=None, **k):
        lib = lib_f()
        if lengths:
            input_lengths, target_lengths = lengths
        return lib.ctc_loss(lib.log_softmax(x, -1), targets, input_lengths, target_lengths, **k)

    return f


_CTC_PADDED = np.array([[1, 2, 2, 0], [3, 3, 1, 4], [4, 1, 0, 0]])
CTC_KW = [{"input_lengths": (7, 6, 5), "target_lengths": (3, 4, 2), **k} for k in _red() + _red(zero_infinity=True)]
row("F_ctc_loss", _ctc(_mtF), _ctc(_thF), make_inputs=lambda rng, dt: [_u(rng, dt, 7, 3, 5), _CTC_PADDED],
    kwargs=CTC_KW, supports_gradgrad=False)
row("F_ctc_loss_concatenated_tensor_lengths", _ctc(_mtF), _ctc(_thF),
    make_inputs=lambda rng, dt: [_u(rng, dt, 6, 3, 4), np.array([1, 2, 3, 3, 2]), np.array([6, 5, 6]),
                                 np.array([2, 0, 3])],
    kwargs=_red() + [{"blank": 3, "reduction": "sum"}], supports_gradgrad=False)
row("F_ctc_loss_impossible_zero_infinity", _ctc(_mtF), _ctc(_thF),
    make_inputs=lambda rng, dt: [_u(rng, dt, 4, 2, 3), np.array([[1, 1, 1], [2, 1, 2]])],
    kwargs=[{"input_lengths": (4, 4), "target_lengths": (3, 3), "zero_infinity": True, "reduction": r}
            for r in REDUCTIONS], supports_gradgrad=False)
row("F_ctc_loss_unbatched", _ctc(_mtF), _ctc(_thF),
    make_inputs=lambda rng, dt: [_u(rng, dt, 5, 4), np.array([1, 3, 3]), np.array(5), np.array(3)],
    kwargs=_red(), supports_gradgrad=False)


# ---------------------------------------------------------------- activations --------------------
def away(lo: float = 0.1, hi: float = 2.0):
    """|v| in [lo, hi] with a random sign."""

    def gen(rng, shape, dtype):
        mag = rng.uniform(lo, hi, shape)
        return (mag * np.where(rng.random(shape) < 0.5, -1.0, 1.0)).astype(dtype)

    return gen


U = [((3, 4),), ((2, 3, 2),)]
row("F_rrelu_eval", *fn_pair("rrelu"), shapes=U, values=away(),
    kwargs=[{}, {"lower": 0.2, "upper": 0.6}, {"training": False, "lower": 0.0, "upper": 1.0}])


def _inplace(name: str, *args):
    """F.name_ on a fresh non-leaf copy (x * 1), so the in-place op records its gradient."""
    return (lambda x: getattr(F, name)(x * 1, *args)), (lambda x: getattr(TF, name)(x * 1, *args))


row("F_elu_", *_inplace("elu_", 0.5), shapes=U, values=away())
row("F_leaky_relu_", *_inplace("leaky_relu_", 0.2), shapes=U, values=away())
row("F_hardtanh_", *_inplace("hardtanh_", -0.5, 1.5), shapes=U, values=away(0.6, 1.4))
row("F_threshold_", *_inplace("threshold_", 0.3, -2.0), shapes=U, values=away(0.4))
row("F_selu_", *_inplace("selu_"), shapes=U, values=away())
row("F_celu_", *_inplace("celu_", 2.0), shapes=U, values=away())
row("F_rrelu_", *_inplace("rrelu_", 0.1, 0.3), shapes=U, values=away())


# ---------------------------------------------------------------- spatial transformers -----------
def _affine(lib_f):
    return lambda theta, **k: lib_f().affine_grid(theta, **k)


row("F_affine_grid", _affine(_mtF), _affine(_thF), shapes=[((2, 2, 3),)],
    kwargs=[{"size": (2, 3, 4, 5), "align_corners": False}, {"size": (2, 1, 3, 2), "align_corners": True},
            {"size": (2, 1, 1, 3), "align_corners": False}])


def _grid_inputs(rng, dt):
    return [_u(rng, dt, 2, 3, 4, 5), _u(rng, dt, 2, 3, 2, 2, lo=-1.3, hi=1.3)]


GRID_KW = [{"mode": "bilinear", "padding_mode": p, "align_corners": a}
           for p in ("zeros", "border", "reflection") for a in (False, True)]
row("F_grid_sample", *fn_pair("grid_sample"), make_inputs=_grid_inputs, kwargs=GRID_KW)
row("F_grid_sample_nearest", *fn_pair("grid_sample"), make_inputs=_grid_inputs,
    kwargs=[{**k, "mode": "nearest"} for k in GRID_KW], grad_inputs=(0,))
