"""nn.functional (non-conv part) vs torch: activation options, erf accuracy, linear/bilinear, batch_norm
running statistics, layer/group norm, dropout statistics and seeding, embedding and one_hot, bad input.

Forward/backward/gradcheck of every op is in the op table (op_table_nn_func.py); this file covers
options, state, randomness and errors.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch as mt
import minitorch.nn.functional as F
from minitorch.nn.functional import activation

from .helpers import assert_close, devices, raises_like_torch, require_torch

torch = require_torch()
TF = torch.nn.functional
rng = np.random.default_rng(0)

ACTIVATIONS = [
    ("relu", {}), ("relu6", {}), ("leaky_relu", {"negative_slope": 0.3}), ("elu", {"alpha": 0.7}),
    ("selu", {}), ("celu", {"alpha": 1.5}), ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}),
    ("mish", {}), ("softplus", {"beta": 0.5, "threshold": 5.0}), ("softsign", {}),
    ("hardtanh", {"min_val": -0.3, "max_val": 0.8}), ("hardsigmoid", {}), ("hardswish", {}),
    ("logsigmoid", {}), ("glu", {"dim": 0}), ("tanhshrink", {}), ("softshrink", {"lambd": 0.3}),
    ("hardshrink", {"lambd": 0.3}),
]


@pytest.mark.parametrize("name,kw", ACTIVATIONS, ids=[f"{n}-{k}" for n, k in ACTIVATIONS])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_activation_matches_torch_and_keeps_dtype(name, kw, dtype):
    x = (rng.standard_normal((4, 5)) * 4).astype(dtype)
    m, t = mt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_m, out_t = getattr(activation, name)(m, **kw), getattr(TF, name)(t, **kw)
    assert out_m.dtype == getattr(mt, dtype)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    assert_close(out_m, out_t, **tol)
    g = rng.standard_normal(tuple(out_t.shape)).astype(dtype)
    out_m.backward(mt.tensor(g))
    out_t.backward(torch.tensor(g))
    assert m.grad.dtype == getattr(mt, dtype)
    assert_close(m.grad, t.grad, rtol=max(tol["rtol"], 1e-5), atol=max(tol["atol"], 1e-5))


@pytest.mark.parametrize("name", ["relu", "relu6", "leaky_relu", "elu", "selu", "celu", "silu", "mish",
                                  "hardtanh", "hardsigmoid", "hardswish"])
def test_inplace_activations_write_into_the_input(name):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    m = mt.tensor(x)
    out = getattr(activation, name)(m, inplace=True)
    assert out is m
    assert_close(m, getattr(TF, name)(torch.tensor(x)))


def test_inplace_activation_on_leaf_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="leaf"):
        activation.relu(mt.ones(3, requires_grad=True), inplace=True)


def test_extreme_inputs_stay_finite_like_torch():
    x = np.array([-1000.0, -60.0, -20.0, 0.0, 20.0, 60.0, 1000.0], dtype=np.float32)
    for name in ["softplus", "logsigmoid", "silu", "mish", "elu", "selu", "celu", "gelu"]:
        m = mt.tensor(x, requires_grad=True)
        t = torch.tensor(x, requires_grad=True)
        out_m, out_t = getattr(activation, name)(m), getattr(TF, name)(t)
        assert np.isfinite(out_m.detach().numpy()).all(), name
        assert_close(out_m, out_t, rtol=1e-5, atol=1e-6, msg=name)
        out_m.sum().backward()
        out_t.sum().backward()
        assert_close(m.grad, t.grad, rtol=1e-5, atol=1e-6, msg=name)


def test_erf_float64_accuracy():
    x = np.concatenate([np.linspace(-7, 7, 20001), np.logspace(-12, 0.8, 400), -np.logspace(-12, 0.8, 400)])
    ours = activation.erf(mt.tensor(x)).numpy()
    ref = np.array([math.erf(v) for v in x])
    rel = np.abs(ours - ref) / np.maximum(np.abs(ref), 1e-300)
    assert rel.max() < 1e-13


def test_erf_fallback_without_scipy_is_accurate():
    """The series/continued-fraction fallback (used when SciPy is not importable) is float64-accurate."""
    x = np.linspace(-9, 9, 4001)
    ours = activation._erf_series_cf(x)
    ref = np.array([math.erf(v) for v in x])
    assert (np.abs(ours - ref) / np.maximum(np.abs(ref), 1e-300)).max() < 1e-13


def test_activation_errors():
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(mt.randn(3, 5))
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(mt.randn(3), approximate="fast")
    with pytest.raises(ValueError):
        F.hardtanh(mt.randn(3), 1.0, -1.0)


# ---------------------------------------------------------------- linear -------------------------
@given(lead=st.lists(st.integers(1, 3), min_size=0, max_size=2), bias=st.booleans(), seed=st.integers(0, 999))
def test_linear_batched_matches_torch(lead, bias, seed):
    r = np.random.default_rng(seed)
    x, w, b = r.standard_normal((*lead, 4)), r.standard_normal((3, 4)), r.standard_normal(3)
    ms = [mt.tensor(a, requires_grad=True) for a in (x, w, b)]
    ts = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out_m = F.linear(ms[0], ms[1], ms[2] if bias else None)
    out_t = TF.linear(ts[0], ts[1], ts[2] if bias else None)
    assert_close(out_m, out_t, rtol=1e-10, atol=1e-12)
    out_m.sum().backward()
    out_t.sum().backward()
    for a, b_ in zip(ms[: 3 if bias else 2], ts):
        assert_close(a.grad, b_.grad, rtol=1e-10, atol=1e-12)


def test_linear_float32_and_errors():
    out = F.linear(mt.randn(2, 4), mt.randn(3, 4), mt.randn(3))
    assert out.dtype == mt.float32 and tuple(out.shape) == (2, 3)
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        F.linear(mt.randn(3, 5), mt.randn(4, 6))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.linear(mt.randn(3, 4), mt.randn(2, 4, dtype=mt.float64))
    with pytest.raises(RuntimeError):
        F.bilinear(mt.randn(2, 3), mt.randn(2, 4), mt.randn(5, 3, 3))


# ---------------------------------------------------------------- normalisation ------------------
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (2, 3, 4, 4)])
@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_batch_norm_running_stats_follow_torch(shape, momentum):
    c = shape[1]
    rm_m, rv_m = mt.zeros(c), mt.ones(c)
    rm_t, rv_t = torch.zeros(c), torch.ones(c)
    w, b = rng.standard_normal(c).astype(np.float32), rng.standard_normal(c).astype(np.float32)
    for _ in range(4):
        x = (rng.standard_normal(shape) * 3 + 1).astype(np.float32)
        out_m = F.batch_norm(mt.tensor(x), rm_m, rv_m, mt.tensor(w), mt.tensor(b), training=True, momentum=momentum)
        out_t = TF.batch_norm(torch.tensor(x), rm_t, rv_t, torch.tensor(w), torch.tensor(b), training=True,
                              momentum=momentum)
        assert_close(out_m, out_t, rtol=1e-4, atol=1e-5)
    assert_close(rm_m, rm_t, rtol=1e-5, atol=1e-6)
    assert_close(rv_m, rv_t, rtol=1e-5, atol=1e-6)  # unbiased variance, as torch
    assert rm_m.dtype == mt.float32 and rv_m.dtype == mt.float32
    x = rng.standard_normal(shape).astype(np.float32)  # eval mode uses the running statistics
    assert_close(F.batch_norm(mt.tensor(x), rm_m, rv_m, training=False),
                 TF.batch_norm(torch.tensor(x), rm_t, rv_t, training=False), rtol=1e-4, atol=1e-5)


def test_batch_norm_eval_does_not_touch_running_stats():
    rm, rv = mt.tensor([0.5, -1.0]), mt.tensor([2.0, 0.5])
    F.batch_norm(mt.randn(4, 2), rm, rv, training=False)
    assert rm.tolist() == [0.5, -1.0] and rv.tolist() == [2.0, 0.5]


def test_normalization_errors():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(mt.randn(1, 3), None, None, training=True)
    with pytest.raises(RuntimeError, match="running_mean must be defined"):
        F.batch_norm(mt.randn(4, 3), None, None, training=False)
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 4"):
        F.batch_norm(mt.randn(4, 3), mt.zeros(4), mt.ones(4), training=True)
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.layer_norm(mt.randn(4, 3), (4,))
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        F.group_norm(mt.randn(4, 6, 2), 4)


@pytest.mark.parametrize("eps", [1e-5, 1e-2])
def test_layer_and_group_norm_options(eps):
    x = rng.standard_normal((2, 4, 3))
    w, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    assert_close(F.layer_norm(mt.tensor(x), [4, 3], mt.tensor(w), mt.tensor(b), eps),
                 TF.layer_norm(torch.tensor(x), [4, 3], torch.tensor(w), torch.tensor(b), eps), rtol=1e-10)
    assert_close(F.layer_norm(mt.tensor(x), 3, eps=eps), TF.layer_norm(torch.tensor(x), (3,), eps=eps), rtol=1e-10)
    for groups in (1, 2, 4):
        assert_close(F.group_norm(mt.tensor(x), groups, eps=eps), TF.group_norm(torch.tensor(x), groups, eps=eps),
                     rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- dropout ------------------------
def test_dropout_statistics_and_scaling():
    mt.manual_seed(0)
    x = mt.ones(400, 500)
    for p in (0.1, 0.5, 0.8):
        out = F.dropout(x, p).numpy()
        dropped = (out == 0).mean()
        assert abs(dropped - p) < 0.01, (p, dropped)  # 200k Bernoulli draws: std < 0.0012
        assert np.allclose(out[out != 0], 1 / (1 - p))
        assert abs(out.mean() - 1.0) < 0.02
        assert out.dtype == np.float32


def test_dropout_seeding_and_fresh_masks():
    x = mt.ones(50, 60)
    mt.manual_seed(7)
    a = F.dropout(x, 0.5).numpy()
    b = F.dropout(x, 0.5).numpy()
    mt.manual_seed(7)
    c = F.dropout(x, 0.5).numpy()
    assert (a == c).all()
    assert not (a == b).all()


def test_dropout_identity_and_edge_cases():
    x = mt.randn(4, 5)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout2d(mt.randn(2, 3, 4, 4), 0.5, training=False).shape == (2, 3, 4, 4)
    assert (F.dropout(x, 1.0).numpy() == 0).all()
    assert_close(F.dropout(x, 0.0), x)
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            F.dropout(x, p)
        with pytest.raises(ValueError):
            F.dropout2d(mt.randn(2, 3, 4, 4), p)


def test_dropout_gradient_is_the_scaled_mask():
    mt.manual_seed(1)
    x = mt.randn(30, 40, requires_grad=True)
    out = F.dropout(x, 0.25)
    out.sum().backward()
    mask = out.detach().numpy() != 0
    assert np.allclose(x.grad.numpy(), mask / 0.75)


def test_dropout_inplace():
    mt.manual_seed(2)
    x = mt.ones(20, 20)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x
    assert (x.numpy() == 0).any() and set(np.unique(x.numpy())) <= {0.0, 2.0}


def test_dropout2d_drops_whole_channels():
    mt.manual_seed(3)
    out = F.dropout2d(mt.ones(64, 32, 3, 3), 0.5).numpy()
    per_channel = out.reshape(64, 32, -1)
    assert (per_channel.min(-1) == per_channel.max(-1)).all()  # each channel is all 0 or all 2
    assert abs((per_channel[..., 0] == 0).mean() - 0.5) < 0.05
    with pytest.warns(UserWarning, match="3D input"):  # torch's legacy reading of 3D input: (N, C, L)
        legacy = F.dropout2d(mt.ones(4, 40, 3), 0.5).numpy()
    assert (legacy.min(-1) == legacy.max(-1)).all()
    unbatched = F.dropout3d(mt.ones(40, 2, 3, 3), 0.5).numpy()  # (C, D, H, W)
    assert (unbatched.reshape(40, -1).min(-1) == unbatched.reshape(40, -1).max(-1)).all()


# ---------------------------------------------------------------- embedding / one_hot ------------
@pytest.mark.parametrize("kw", [{}, {"padding_idx": 1}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
                                {"max_norm": 1.0}, {"max_norm": 0.5, "norm_type": 1.0}])
def test_embedding_matches_torch(kw):
    w = rng.standard_normal((5, 3))
    idx = np.array([[0, 1, 4], [1, 1, 2]])
    m_w, t_w = mt.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    out_m, out_t = F.embedding(mt.tensor(idx), m_w, **kw), TF.embedding(torch.tensor(idx), t_w, **kw)
    assert_close(out_m, out_t, rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(out_t.shape)
    out_m.backward(mt.tensor(g))
    out_t.backward(torch.tensor(g))
    assert_close(m_w.grad, t_w.grad, rtol=1e-10, atol=1e-12)
    assert_close(m_w.detach(), t_w.detach(), rtol=1e-7, atol=1e-9)  # max_norm renormalises rows in place
    if "padding_idx" in kw:
        assert (m_w.grad.numpy()[kw["padding_idx"]] == 0).all()


def test_embedding_errors():
    w = mt.randn(5, 2)
    with pytest.raises(IndexError, match="index out of range"):
        F.embedding(mt.tensor([5]), w)
    with pytest.raises(IndexError):
        F.embedding(mt.tensor([-1]), w)
    with pytest.raises(RuntimeError, match="Long, Int"):
        F.embedding(mt.tensor([1.0]), w)
    with pytest.raises(AssertionError, match="Padding_idx"):
        F.embedding(mt.tensor([1]), w, padding_idx=7)


def test_one_hot():
    idx = np.array([[0, 3], [2, 1]])
    for n in (-1, 5):
        out = F.one_hot(mt.tensor(idx), n)
        ref = TF.one_hot(torch.tensor(idx), n)
        assert out.dtype == mt.int64
        assert (out.numpy() == ref.numpy()).all()
    with pytest.raises(RuntimeError, match="LongTensor"):
        F.one_hot(mt.tensor([1.0]))
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(mt.tensor([-1]))
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(mt.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="empty tensor"):
        F.one_hot(mt.tensor(np.array([], dtype=np.int64)))


def test_public_names_exported():
    names = """linear bilinear relu relu6 leaky_relu elu selu celu gelu silu mish softplus softsign hardtanh
    hardsigmoid hardswish sigmoid tanh softmax log_softmax glu logsigmoid dropout dropout2d mse_loss l1_loss
    smooth_l1_loss huber_loss cross_entropy nll_loss binary_cross_entropy binary_cross_entropy_with_logits
    kl_div cosine_similarity cosine_embedding_loss margin_ranking_loss hinge_embedding_loss
    triplet_margin_loss pairwise_distance batch_norm layer_norm group_norm embedding one_hot""".split()
    missing = [n for n in names if not hasattr(F, n)]
    assert not missing, missing
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.softmax(mt.randn(2, 3), dim=1)


@pytest.mark.parametrize("device", devices())
def test_instance_norm_with_running_stats_matches_torch(device):
    """F.instance_norm moves running stats towards the batch average of per-instance statistics, and
    normalises with them when use_input_stats=False."""
    x = np.random.default_rng(0).standard_normal((2, 3, 5)).astype(np.float32)
    stats = {}
    for L, dev in ((mt, device), (torch, "cpu")):
        xt = L.tensor(x, device=dev) if L is mt else torch.tensor(x)
        rm, rv = L.zeros(3, device=dev), L.ones(3, device=dev)
        trained = L.nn.functional.instance_norm(xt, rm, rv, use_input_stats=True, momentum=0.3)
        frozen = L.nn.functional.instance_norm(xt, rm, rv, use_input_stats=False)
        stats[L.__name__] = (trained, frozen, rm, rv)
    for m, t in zip(stats[mt.__name__], stats["torch"]):
        assert_close(m, t, rtol=1e-5, atol=1e-6)
    raises_like_torch(lambda: torch.nn.functional.instance_norm(torch.tensor(x), use_input_stats=False),
                      lambda: F.instance_norm(mt.tensor(x), use_input_stats=False))


@pytest.mark.parametrize("name,kwargs", [
    ("relu", {}), ("hardtanh", {}), ("relu6", {}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {}),
    ("selu", {}), ("celu", {"alpha": 0.5}), ("silu", {}), ("mish", {}), ("hardsigmoid", {}), ("hardswish", {}),
    ("threshold", {"threshold": 0.1, "value": -3.0}),
])
def test_inplace_activations_backpropagate_like_torch(name, kwargs):
    """inplace=True on a non-leaf: the op must save the value from before the write, as torch's do."""
    x0 = np.random.default_rng(1).uniform(-2, 2, (3, 4)).astype(np.float64)
    g = np.random.default_rng(2).standard_normal((3, 4))
    grads = []
    for L, fn in ((mt, getattr(F, name)), (torch, getattr(torch.nn.functional, name))):
        x = L.tensor(x0, requires_grad=True)
        h = x * 1.5
        out = fn(h, **kwargs, inplace=True)
        assert out is h
        out.backward(L.tensor(g))
        grads.append((out, x.grad))
    assert_close(grads[0][0], grads[1][0])
    assert_close(grads[0][1], grads[1][1])
