"""Op-table rows for attention and the smaller nn.functional additions: scaled_dot_product_attention
(plain, causal, boolean / float masks incl. a fully masked row, grouped-query), rms_norm,
local_response_norm, pixel_shuffle / pixel_unshuffle, prelu. Every row name starts with ``F_``.

Dropout is left at 0 here (its randomness cannot match torch's stream).
"""
from __future__ import annotations

import numpy as np

import minitorch.nn.functional as F

from .helpers import require_torch
from .op_table import OpInfo
from .op_table_nn_func import avoiding

torch = require_torch()
TF = torch.nn.functional

OPS: list = []


def row(name: str, mt_fn, th_fn, **kw) -> None:
    OPS.append(OpInfo(name=name, mt=mt_fn, th=th_fn, **kw))


def fn_pair(name: str):
    return (lambda *a, **k: getattr(F, name)(*a, **k)), (lambda *a, **k: getattr(TF, name)(*a, **k))


def _u(rng, dtype, *shape):
    return rng.uniform(-2.0, 2.0, shape).astype(dtype)


# ---------------------------------------------------------------- attention ----------------------
SDPA = fn_pair("scaled_dot_product_attention")
row("F_scaled_dot_product_attention", *SDPA,
    shapes=[((2, 3, 4), (2, 5, 4), (2, 5, 6)), ((1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 2)), ((3, 2), (4, 2), (4, 3))],
    kwargs=[{}, {"is_causal": True}, {"scale": 0.3}])


def _bool_mask_inputs(rng, dt):
    """A (L, S) boolean mask (True = attend) with row 1 fully masked: that row gives 0, as torch."""
    mask = rng.random((3, 5)) < 0.6
    mask[:, 0] = True
    mask[1] = False
    return [_u(rng, dt, 2, 2, 3, 4), _u(rng, dt, 2, 2, 5, 4), _u(rng, dt, 2, 2, 5, 3), mask]


def _sdpa_mask(lib_f):
    return lambda q, k, v, m, **kw: lib_f().scaled_dot_product_attention(q, k, v, attn_mask=m, **kw)


row("F_scaled_dot_product_attention_bool_mask", _sdpa_mask(lambda: F), _sdpa_mask(lambda: TF),
    make_inputs=_bool_mask_inputs, kwargs=[{}, {"scale": 0.5}])


def _float_mask_inputs(rng, dt):
    """A per-batch additive float mask (2, 1, 3, 5) with some -inf entries (never a whole row)."""
    mask = rng.uniform(-1.0, 1.0, (2, 1, 3, 5))
    mask[rng.random((2, 1, 3, 5)) < 0.3] = -np.inf
    mask[..., 2] = 0.0
    return [_u(rng, dt, 2, 2, 3, 4), _u(rng, dt, 2, 2, 5, 4), _u(rng, dt, 2, 2, 5, 3), mask.astype(dt)]


row("F_scaled_dot_product_attention_float_mask", _sdpa_mask(lambda: F), _sdpa_mask(lambda: TF),
    make_inputs=_float_mask_inputs, grad_inputs=(0, 1, 2))
row("F_scaled_dot_product_attention_gqa", *SDPA, shapes=[((1, 4, 3, 2), (1, 2, 5, 2), (1, 2, 5, 3))],
    kwargs=[{"enable_gqa": True}, {"enable_gqa": True, "is_causal": True}])

# ---------------------------------------------------------------- normalisation ------------------
row("F_rms_norm", lambda x, w, **k: F.rms_norm(x, tuple(w.shape), w, **k),
    lambda x, w, **k: TF.rms_norm(x, tuple(w.shape), w, **k),
    shapes=[((3, 4), (4,)), ((2, 3, 2), (3, 2))], kwargs=[{}, {"eps": 1e-3}])
row("F_rms_norm_no_weight", lambda x, **k: F.rms_norm(x, (4,), **k), lambda x, **k: TF.rms_norm(x, (4,), **k),
    shapes=[((3, 4),), ((2, 2, 4),)], kwargs=[{}, {"eps": 0.1}])
row("F_local_response_norm", *fn_pair("local_response_norm"), shapes=[((2, 5, 3),), ((2, 4, 2, 3),)],
    kwargs=[{"size": 3}, {"size": 2, "alpha": 0.5, "beta": 0.6, "k": 2.0}, {"size": 6, "alpha": 0.3}])

# ---------------------------------------------------------------- shape / activation -------------
row("F_pixel_shuffle", *fn_pair("pixel_shuffle"), shapes=[((2, 8, 2, 3),), ((2, 1, 4, 2, 2),)],
    kwargs=[{"upscale_factor": 2}, {"upscale_factor": 1}])
row("F_pixel_shuffle_r3", *fn_pair("pixel_shuffle"), shapes=[((9, 2, 1),)], kwargs=[{"upscale_factor": 3}])
row("F_pixel_unshuffle", *fn_pair("pixel_unshuffle"), shapes=[((2, 2, 4, 6),), ((3, 2, 2),), ((1, 2, 1, 2, 4),)],
    kwargs=[{"downscale_factor": 2}])
row("F_prelu", *fn_pair("prelu"), shapes=[((2, 3, 4), (3,)), ((2, 3), (1,)), ((4,), (1,)), ((2, 3, 2, 2), (3,))],
    values=[avoiding([0.0]), lambda rng, shape, dt: rng.uniform(0.05, 0.5, shape).astype(dt)])
