"""Op-table rows for the non-convolution part of nn.functional: activations, linear, losses,
normalisation, dropout (identity settings; its randomness is tested in test_nn_functional.py),
embedding and one_hot. Every row name starts with ``F_``; losses get one row per reduction.

Values are kept away from kinks (relu at 0, hardtanh at its bounds, ...) so gradcheck is meaningful.
"""
from __future__ import annotations

import numpy as np

import minitorch as mt
import minitorch.nn.functional as F

from .op_table import OpInfo

try:  # the th callables only run inside tests that already required torch
    import torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover
    torch = TF = None

OPS: list = []
REDUCTIONS = ("mean", "sum", "none")


# ---------------------------------------------------------------- value generators ---------------
def away(lo: float = 0.2, hi: float = 2.0):
    """|v| in [lo, hi] with a random sign."""

    def gen(rng, shape, dtype):
        mag = rng.uniform(lo, hi, shape)
        return (mag * np.where(rng.random(shape) < 0.5, -1.0, 1.0)).astype(dtype)

    return gen


def avoiding(points, lo: float = -2.0, hi: float = 2.0, gap: float = 0.1):
    """uniform(lo, hi) pushed at least ``gap`` away from each point."""

    def gen(rng, shape, dtype):
        v = np.asarray(rng.uniform(lo, hi, shape))
        for p in points:
            near = np.abs(v - p) < gap
            v = np.where(near, p + np.where(v >= p, 2 * gap, -2 * gap), v)
        return v.astype(dtype)

    return gen


def _u(rng, dtype, *shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, shape).astype(dtype)


def _probs(rng, dtype, *shape):
    """Rows of class probabilities (classes in dim 1)."""
    p = rng.dirichlet(np.ones(shape[1]), (shape[0],) + shape[2:])
    return np.ascontiguousarray(np.moveaxis(p, -1, 1)).astype(dtype)


def _signs(rng, *shape):
    return np.where(rng.random(shape) < 0.5, -1, 1).astype(np.int64)


def row(name: str, mt_fn, th_fn, **kw) -> None:
    OPS.append(OpInfo(name=name, mt=mt_fn, th=th_fn, **kw))


def fn_pair(name: str):
    """(F.name, torch F.name) looked up at call time."""
    return (lambda *a, **k: getattr(F, name)(*a, **k)), (lambda *a, **k: getattr(TF, name)(*a, **k))


U = [((3, 4),), ((2, 3, 2),)]

# ---------------------------------------------------------------- activations --------------------
row("F_relu", *fn_pair("relu"), shapes=U, values=away(0.1))
row("F_relu6", *fn_pair("relu6"), shapes=U, values=avoiding([0.0, 6.0], -2, 8))
row("F_hardtanh", *fn_pair("hardtanh"), shapes=U, kwargs=[{}, {"min_val": -0.5, "max_val": 1.5}],
    values=avoiding([-1.0, 1.0, -0.5, 1.5]))
row("F_leaky_relu", *fn_pair("leaky_relu"), shapes=U, kwargs=[{}, {"negative_slope": 0.2}], values=away(0.1))
row("F_elu", *fn_pair("elu"), shapes=U, kwargs=[{}, {"alpha": 0.5}], values=away(0.1))
row("F_selu", *fn_pair("selu"), shapes=U, values=away(0.1))
row("F_celu", *fn_pair("celu"), shapes=U, kwargs=[{}, {"alpha": 2.0}], values=away(0.1))
row("F_gelu", *fn_pair("gelu"), shapes=U, kwargs=[{}, {"approximate": "tanh"}], domain=(-3.0, 3.0))
row("F_silu", *fn_pair("silu"), shapes=U, domain=(-4.0, 4.0))
row("F_mish", *fn_pair("mish"), shapes=U, domain=(-4.0, 4.0))
row("F_softplus", *fn_pair("softplus"), shapes=U, kwargs=[{}, {"beta": 2.0, "threshold": 3.0}],
    values=avoiding([1.5], -3, 3))
row("F_softsign", *fn_pair("softsign"), shapes=U, values=away(0.1))
row("F_hardsigmoid", *fn_pair("hardsigmoid"), shapes=U, values=avoiding([-3.0, 3.0], -4, 4))
row("F_hardswish", *fn_pair("hardswish"), shapes=U, values=avoiding([-3.0, 3.0], -4, 4))
row("F_sigmoid", *fn_pair("sigmoid"), shapes=U)
row("F_tanh", *fn_pair("tanh"), shapes=U)
row("F_softmax", *fn_pair("softmax"), shapes=U, kwargs=[{"dim": 1}, {"dim": 0}, {"dim": -1}])
row("F_log_softmax", *fn_pair("log_softmax"), shapes=U, kwargs=[{"dim": 1}, {"dim": 0}, {"dim": -1}])
row("F_softmin", *fn_pair("softmin"), shapes=U, kwargs=[{"dim": 1}, {"dim": 0}])
row("F_glu", *fn_pair("glu"), shapes=[((4, 6),), ((2, 4, 2),)], kwargs=[{}, {"dim": 1}])
row("F_logsigmoid", *fn_pair("logsigmoid"), shapes=U, domain=(-5.0, 5.0))
row("F_threshold", lambda x: F.threshold(x, 0.5, -1.0), lambda x: TF.threshold(x, 0.5, -1.0),
    values=avoiding([0.5]))
row("F_tanhshrink", *fn_pair("tanhshrink"), shapes=U)
row("F_softshrink", *fn_pair("softshrink"), shapes=U, values=avoiding([-0.5, 0.5]))
row("F_hardshrink", *fn_pair("hardshrink"), shapes=U, values=avoiding([-0.5, 0.5]))
row("F_dropout_eval", lambda x: F.dropout(x, 0.5, training=False), lambda x: TF.dropout(x, 0.5, training=False))
row("F_dropout_p0", lambda x: F.dropout(x, 0.0), lambda x: TF.dropout(x, 0.0))
row("F_dropout2d_eval", lambda x: F.dropout2d(x, 0.5, training=False),
    lambda x: TF.dropout2d(x, 0.5, training=False), shapes=[((2, 3, 2, 2),)])

# ---------------------------------------------------------------- linear -------------------------
row("F_linear", *fn_pair("linear"),
    shapes=[((3, 4), (5, 4), (5,)), ((2, 3, 4), (5, 4), (5,)), ((4,), (5, 4), (5,))])
row("F_linear_nobias", *fn_pair("linear"), shapes=[((3, 4), (5, 4)), ((2, 1, 4), (2, 4))])
row("F_bilinear", *fn_pair("bilinear"), shapes=[((3, 2), (3, 4), (5, 2, 4), (5,)), ((2, 2), (2, 3), (2, 2, 3))])


# ---------------------------------------------------------------- losses -------------------------
def _red(**extra):
    return [{"reduction": r, **extra} for r in REDUCTIONS]


PAIR = [((3, 4), (3, 4)), ((2, 3, 2), (2, 3, 2))]
for _name in ("mse_loss", "l1_loss"):
    row(f"F_{_name}", *fn_pair(_name), shapes=PAIR, kwargs=_red())
row("F_smooth_l1_loss", *fn_pair("smooth_l1_loss"), shapes=PAIR, kwargs=_red() + _red(beta=0.5))
row("F_huber_loss", *fn_pair("huber_loss"), shapes=PAIR, kwargs=_red() + _red(delta=0.4))
row("F_soft_margin_loss", *fn_pair("soft_margin_loss"), kwargs=_red(),
    make_inputs=lambda rng, dt: [_u(rng, dt, 3, 4), _signs(rng, 3, 4).astype(dt)], grad_inputs=(0,))


def _ce_inputs(rng, dt):
    t = rng.integers(0, 5, (4,))
    t[1] = -100
    return [_u(rng, dt, 4, 5), t]


def _ce_weight_inputs(rng, dt):
    """Targets without -100, so an ``ignore_index`` of 0 leaves every other target in range."""
    return [_u(rng, dt, 4, 5), rng.integers(0, 5, (4,)), rng.uniform(0.5, 2.0, 5).astype(dt)]


def _ce_nd_inputs(rng, dt):
    return [_u(rng, dt, 2, 3, 2, 2), rng.integers(0, 3, (2, 2, 2))]


def _ce_prob_inputs(rng, dt):
    return [_u(rng, dt, 4, 3), _probs(rng, dt, 4, 3)]


def _ce_prob_nd_inputs(rng, dt):
    return [_u(rng, dt, 2, 3, 2), _probs(rng, dt, 2, 3, 2), rng.uniform(0.5, 2.0, 3).astype(dt)]


def _with_weight(lib_f, name):
    return lambda x, t, w, **k: getattr(lib_f(), name)(x, t, weight=w, **k)


_mtF, _thF = (lambda: F), (lambda: TF)
CE_KW = _red() + _red(label_smoothing=0.2)
CE_W_KW = CE_KW + _red(ignore_index=0, label_smoothing=0.1)
row("F_cross_entropy", *fn_pair("cross_entropy"), make_inputs=_ce_inputs, kwargs=CE_KW)
row("F_cross_entropy_weight", _with_weight(_mtF, "cross_entropy"), _with_weight(_thF, "cross_entropy"),
    make_inputs=_ce_weight_inputs, kwargs=CE_W_KW, grad_inputs=(0,))
row("F_cross_entropy_nd", *fn_pair("cross_entropy"), make_inputs=_ce_nd_inputs,
    kwargs=_red() + _red(ignore_index=1, label_smoothing=0.1))
row("F_cross_entropy_unbatched", *fn_pair("cross_entropy"),
    make_inputs=lambda rng, dt: [_u(rng, dt, 5), np.array(3)], kwargs=_red())
row("F_cross_entropy_prob", *fn_pair("cross_entropy"), make_inputs=_ce_prob_inputs, kwargs=CE_KW)
row("F_cross_entropy_prob_weight", _with_weight(_mtF, "cross_entropy"), _with_weight(_thF, "cross_entropy"),
    make_inputs=_ce_prob_nd_inputs, kwargs=CE_KW, grad_inputs=(0, 1))
row("F_nll_loss", *fn_pair("nll_loss"), make_inputs=_ce_inputs, kwargs=_red())
row("F_nll_loss_weight", _with_weight(_mtF, "nll_loss"), _with_weight(_thF, "nll_loss"),
    make_inputs=_ce_weight_inputs, kwargs=_red() + _red(ignore_index=0), grad_inputs=(0,))
row("F_nll_loss_nd", *fn_pair("nll_loss"), make_inputs=_ce_nd_inputs, kwargs=_red())


def _bce_inputs(rng, dt):
    return [rng.uniform(0.05, 0.95, (3, 4)).astype(dt), rng.uniform(0, 1, (3, 4)).astype(dt)]


row("F_binary_cross_entropy", *fn_pair("binary_cross_entropy"), make_inputs=_bce_inputs, kwargs=_red())
row("F_binary_cross_entropy_weight", _with_weight(_mtF, "binary_cross_entropy"),
    _with_weight(_thF, "binary_cross_entropy"),
    make_inputs=lambda rng, dt: _bce_inputs(rng, dt) + [rng.uniform(0, 2, (4,)).astype(dt)],
    kwargs=_red(), grad_inputs=(0, 1))
row("F_binary_cross_entropy_with_logits", *fn_pair("binary_cross_entropy_with_logits"),
    make_inputs=lambda rng, dt: [_u(rng, dt, 3, 4, lo=-4, hi=4), rng.uniform(0, 1, (3, 4)).astype(dt)],
    kwargs=_red())


def _bcel_pw(lib_f):
    return lambda x, t, w, pw, **k: lib_f().binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, **k)


row("F_binary_cross_entropy_with_logits_pos_weight", _bcel_pw(_mtF), _bcel_pw(_thF),
    make_inputs=lambda rng, dt: [_u(rng, dt, 3, 4, lo=-4, hi=4), rng.uniform(0, 1, (3, 4)).astype(dt),
                                 rng.uniform(0, 2, (3, 1)).astype(dt), rng.uniform(0.5, 3, (4,)).astype(dt)],
    kwargs=_red(), grad_inputs=(0, 1))


def _kl_inputs(rng, dt):
    q = rng.dirichlet(np.ones(4), 3)
    return [np.log(rng.dirichlet(np.ones(4), 3)).astype(dt), q.astype(dt)]


KL_KW = [{"reduction": r} for r in REDUCTIONS + ("batchmean",)]
row("F_kl_div", *fn_pair("kl_div"), make_inputs=_kl_inputs, kwargs=KL_KW)
row("F_kl_div_log_target", *fn_pair("kl_div"),
    make_inputs=lambda rng, dt: [a if i == 0 else np.log(a) for i, a in enumerate(_kl_inputs(rng, dt))],
    kwargs=[{**k, "log_target": True} for k in KL_KW])
row("F_cosine_similarity", *fn_pair("cosine_similarity"), shapes=[((3, 4), (3, 4)), ((2, 3, 2), (1, 3, 2))],
    kwargs=[{}, {"dim": -1}, {"dim": 0, "eps": 1e-6}])
row("F_pairwise_distance", *fn_pair("pairwise_distance"), shapes=[((3, 4), (3, 4)), ((2, 3), (3,))],
    kwargs=[{}, {"p": 1.0}, {"p": 3.0, "keepdim": True}])
row("F_cosine_embedding_loss", *fn_pair("cosine_embedding_loss"),
    make_inputs=lambda rng, dt: [_u(rng, dt, 4, 3), _u(rng, dt, 4, 3), _signs(rng, 4)],
    kwargs=_red() + _red(margin=0.3))
row("F_margin_ranking_loss", *fn_pair("margin_ranking_loss"),
    make_inputs=lambda rng, dt: [_u(rng, dt, 5), _u(rng, dt, 5), _signs(rng, 5).astype(dt)],
    kwargs=_red() + _red(margin=0.5), grad_inputs=(0, 1))
row("F_hinge_embedding_loss", *fn_pair("hinge_embedding_loss"),
    make_inputs=lambda rng, dt: [_u(rng, dt, 3, 4), _signs(rng, 3, 4).astype(dt)],
    kwargs=_red() + _red(margin=0.5), grad_inputs=(0,))
row("F_triplet_margin_loss", *fn_pair("triplet_margin_loss"), shapes=[((3, 4), (3, 4), (3, 4))],
    kwargs=_red() + [{"p": 1.0, "swap": True}, {"p": 3.0, "margin": 2.0, "reduction": "sum"}])


# ---------------------------------------------------------------- normalisation ------------------
def _bn(lib, training, stats):
    def f(x, w, b, rm=None, rv=None):
        if stats:  # fresh running stats each call (batch_norm updates them in place when training)
            rm, rv = rm.detach().clone(), rv.detach().clone()
        return lib.nn.functional.batch_norm(x, rm, rv, w, b, training=training, momentum=0.3)

    return f


def _bn_inputs(shape):
    def make(rng, dt):
        c = shape[1]
        return [_u(rng, dt, *shape), _u(rng, dt, c), _u(rng, dt, c), _u(rng, dt, c),
                rng.uniform(0.5, 2.0, c).astype(dt)]

    return make


for _shape in ((4, 3), (2, 3, 2, 2)):
    _tag = f"{len(_shape)}d"
    row(f"F_batch_norm_train_{_tag}", _bn(mt, True, True), _bn(torch, True, True),
        make_inputs=_bn_inputs(_shape), grad_inputs=(0, 1, 2))
    row(f"F_batch_norm_eval_{_tag}", _bn(mt, False, True), _bn(torch, False, True),
        make_inputs=_bn_inputs(_shape), grad_inputs=(0, 1, 2))
row("F_batch_norm_no_affine", lambda x: F.batch_norm(x, None, None, training=True),
    lambda x: TF.batch_norm(x, None, None, training=True), shapes=[((5, 2),), ((2, 2, 3),)])
row("F_layer_norm", lambda x, w, b: F.layer_norm(x, tuple(w.shape), w, b),
    lambda x, w, b: TF.layer_norm(x, tuple(w.shape), w, b),
    shapes=[((3, 4), (4,), (4,)), ((2, 3, 2), (3, 2), (3, 2))])
row("F_layer_norm_no_affine", lambda x: F.layer_norm(x, (4,), eps=1e-3),
    lambda x: TF.layer_norm(x, (4,), eps=1e-3), shapes=[((3, 4),), ((2, 4),)])
row("F_group_norm", lambda x, w, b: F.group_norm(x, 2, w, b), lambda x, w, b: TF.group_norm(x, 2, w, b),
    shapes=[((2, 4, 3), (4,), (4,)), ((2, 4, 1, 2), (4,), (4,))])
row("F_group_norm_no_affine", lambda x: F.group_norm(x, 1), lambda x: TF.group_norm(x, 1),
    shapes=[((2, 3, 2),)])
row("F_normalize", *fn_pair("normalize"), shapes=U, kwargs=[{}, {"dim": -1, "p": 1.0}], values=away(0.1))


# ---------------------------------------------------------------- sparse -------------------------
def _emb(lib_f):
    return lambda w, i, **k: lib_f().embedding(i, w, **k)


def _emb_inputs(rng, dt):
    return [_u(rng, dt, 6, 3), np.array([[0, 2, 5, 2], [1, 2, 0, 0]])]


row("F_embedding", _emb(_mtF), _emb(_thF), make_inputs=_emb_inputs)
# padding_idx / scale_grad_by_freq change the gradient on purpose (it is not d out / d weight any
# more), so only the comparison with torch's backward applies, not finite differences
row("F_embedding_padding_scale", _emb(_mtF), _emb(_thF), make_inputs=_emb_inputs,
    kwargs=[{"padding_idx": 2}, {"padding_idx": -6, "scale_grad_by_freq": True}], supports_gradcheck=False)
row("F_one_hot", *fn_pair("one_hot"), make_inputs=lambda rng, dt: [rng.integers(0, 4, (3, 2))],
    kwargs=[{}, {"num_classes": 6}], supports_grad=False)
