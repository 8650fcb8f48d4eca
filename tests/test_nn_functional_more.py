"""rrelu / RReLU (training statistics, seeding, eval), the in-place ``F.*_`` activations, gumbel_softmax's
properties, and affine_grid / grid_sample vs torch on every device, with torch's errors and warnings.

Forward, backward, gradcheck and gradgradcheck of the deterministic forms are in op_table_nn_more.py.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitorch as mt
import minitorch.nn as nn
import minitorch.nn.functional as F

from .helpers import assert_close, devices, raises_like_torch, require_torch

torch = require_torch()
TF = torch.nn.functional
rng = np.random.default_rng(0)


def _away(*shape, lo=0.1, hi=2.0):
    return rng.uniform(lo, hi, shape) * np.where(rng.random(shape) < 0.5, -1.0, 1.0)


# ---------------------------------------------------------------- rrelu ---------------------------
@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("lower,upper", [(1 / 8, 1 / 3), (0.0, 1.0), (0.3, 0.3)])
def test_rrelu_training_slopes_lie_in_bounds_and_gradient_is_the_slope(device, lower, upper):
    x_np = _away(2000)
    x = mt.tensor(x_np, device=device, requires_grad=True)
    out = F.rrelu(x, lower, upper, training=True)
    out.sum().backward()
    y = out.detach().cpu().numpy()
    neg = x_np < 0
    assert np.array_equal(y[~neg], x_np[~neg])
    slopes = y[neg] / x_np[neg]
    assert slopes.min() >= lower - 1e-12 and slopes.max() <= upper + 1e-12
    assert_close(x.grad, np.where(neg, y / x_np, 1.0), rtol=1e-12)
    if upper > lower:
        assert abs(slopes.mean() - (lower + upper) / 2) < 0.05 * (upper - lower) + 1e-3
        assert slopes.std() > 0.2 * (upper - lower)  # really drawn per element


@pytest.mark.parametrize("device", devices())
def test_rrelu_training_is_reproducible_under_manual_seed(device):
    x = mt.tensor(_away(50), device=device)
    mt.manual_seed(123)
    a = F.rrelu(x, training=True).cpu().numpy()
    b = F.rrelu(x, training=True).cpu().numpy()
    mt.manual_seed(123)
    c = F.rrelu(x, training=True).cpu().numpy()
    assert np.array_equal(a, c)
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("inplace", [False, True])
def test_rrelu_module_eval_equals_torch_and_train_differs(device, inplace):
    x_np = _away(4, 5)
    m, t = nn.RReLU(0.1, 0.5, inplace=inplace).eval(), torch.nn.RReLU(0.1, 0.5, inplace=inplace).eval()
    xm, xt = mt.tensor(x_np, device=device), torch.tensor(x_np)
    out_m, out_t = m(xm), t(xt)
    assert_close(out_m, out_t, rtol=1e-12)
    assert (out_m is xm) == inplace
    m.train()
    y = m(mt.tensor(x_np, device=device)).cpu().numpy()
    neg = x_np < 0
    assert np.all((y[neg] / x_np[neg] >= 0.1 - 1e-12) & (y[neg] / x_np[neg] <= 0.5 + 1e-12))
    assert repr(m) == repr(t)


@pytest.mark.parametrize("training", [False, True])
def test_rrelu_lower_above_upper_raises_like_torch(training):
    x = _away(3)
    raises_like_torch(lambda: TF.rrelu(torch.tensor(x), 0.5, 0.2, training=training),
                      lambda: F.rrelu(mt.tensor(x), 0.5, 0.2, training=training))


# ---------------------------------------------------------------- in-place activations -----------
INPLACE = [("elu_", (0.7,)), ("leaky_relu_", (0.2,)), ("hardtanh_", (-0.5, 1.5)), ("threshold_", (0.3, -2.0)),
           ("selu_", ()), ("celu_", (2.0,)), ("rrelu_", (0.1, 0.3))]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace_activation_writes_into_the_tensor(device, name, args):
    x_np = _away(3, 4)
    xm, xt = mt.tensor(x_np, device=device), torch.tensor(x_np)
    version = xm._version
    out_m = getattr(F, name)(xm, *args)
    getattr(TF, name)(xt, *args)
    assert out_m is xm and xm._version > version
    assert_close(xm, xt, rtol=1e-12)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace_activation_on_a_graph_node_backpropagates(device, name, args):
    x_np = _away(3, 4)
    xm = mt.tensor(x_np, device=device, requires_grad=True)
    xt = torch.tensor(x_np, requires_grad=True)
    h_m, h_t = xm * 2, xt * 2
    getattr(F, name)(h_m, *args).sum().backward()
    getattr(TF, name)(h_t, *args).sum().backward()
    assert_close(xm.grad, xt.grad, rtol=1e-12)


@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace_activation_on_a_leaf_that_requires_grad_raises_like_torch(name, args):
    x = _away(3)
    raises_like_torch(lambda: getattr(TF, name)(torch.tensor(x, requires_grad=True), *args),
                      lambda: getattr(F, name)(mt.tensor(x, requires_grad=True), *args))


# ---------------------------------------------------------------- gumbel_softmax -----------------
@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("dim", [-1, 0, 1])
@pytest.mark.parametrize("tau", [0.5, 1.0, 3.0])
def test_gumbel_softmax_soft_sample_is_a_distribution(device, dim, tau):
    logits = mt.tensor(rng.standard_normal((4, 6, 3)), device=device)
    y = F.gumbel_softmax(logits, tau=tau, dim=dim).cpu().numpy()
    assert np.all(y >= 0)
    assert np.allclose(y.sum(axis=dim), 1.0)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("dim", [-1, 0])
def test_gumbel_softmax_hard_is_one_hot_with_the_soft_gradient(device, dim):
    x_np = rng.standard_normal((5, 4))
    w_np = rng.standard_normal((5, 4))
    x = mt.tensor(x_np, device=device, requires_grad=True)
    mt.manual_seed(7)
    hard = F.gumbel_softmax(x, tau=0.7, hard=True, dim=dim)
    (hard * mt.tensor(w_np, device=device)).sum().backward()
    h = hard.detach().cpu().numpy()
    assert set(np.unique(h)) <= {0.0, 1.0}
    assert np.array_equal(h.sum(axis=dim), np.ones(h.shape[1 - (dim % 2)]))
    x2 = mt.tensor(x_np, device=device, requires_grad=True)
    mt.manual_seed(7)  # the same Gumbel noise: the soft sample behind the hard one
    soft = F.gumbel_softmax(x2, tau=0.7, hard=False, dim=dim)
    (soft * mt.tensor(w_np, device=device)).sum().backward()
    assert np.array_equal(h.argmax(axis=dim), soft.detach().cpu().numpy().argmax(axis=dim))
    assert_close(x.grad, x2.grad, rtol=1e-10, atol=1e-12)


def test_gumbel_softmax_sampling_frequencies_follow_softmax():
    """P(argmax of the Gumbel-perturbed logits = k) = softmax(logits)_k (the Gumbel-max trick)."""
    probs = np.array([0.5, 0.3, 0.15, 0.05])
    logits = mt.tensor(np.tile(np.log(probs), (20000, 1)))
    mt.manual_seed(0)
    counts = F.gumbel_softmax(logits, hard=True).numpy().sum(0) / 20000
    assert np.allclose(counts, probs, atol=0.015)


def test_gumbel_softmax_eps_is_deprecated_like_torch():
    with pytest.warns(UserWarning, match="eps"):
        F.gumbel_softmax(mt.tensor(rng.standard_normal((2, 3))), eps=1e-5)


# ---------------------------------------------------------------- affine_grid / grid_sample ------
@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 5, 4), (2, 1, 1, 3), (2, 2, 6, 1)])
def test_affine_grid_matches_torch_with_theta_gradient(device, align_corners, size):
    theta = rng.standard_normal((2, 2, 3))
    tm = mt.tensor(theta, device=device, requires_grad=True)
    tt = torch.tensor(theta, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unit-size warning, checked below
        gm = F.affine_grid(tm, size, align_corners=align_corners)
        gt = TF.affine_grid(tt, size, align_corners=align_corners)
    assert_close(gm, gt, rtol=1e-12, atol=1e-14)
    u = rng.standard_normal(tuple(gt.shape))
    gm.backward(mt.tensor(u, device=device))
    gt.backward(torch.tensor(u))
    assert_close(tm.grad, tt.grad, rtol=1e-12)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_matches_torch(device, mode, padding_mode, align_corners):
    x = rng.standard_normal((2, 3, 5, 6)).astype(np.float32)
    grid = rng.uniform(-1.6, 1.6, (2, 4, 7, 2)).astype(np.float32)
    xm, xt = mt.tensor(x, device=device, requires_grad=True), torch.tensor(x, requires_grad=True)
    gm, gt = mt.tensor(grid, device=device, requires_grad=True), torch.tensor(grid, requires_grad=True)
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    om, ot = F.grid_sample(xm, gm, **kw), TF.grid_sample(xt, gt, **kw)
    assert om.dtype == mt.float32
    assert_close(om, ot, rtol=1e-5, atol=1e-6)
    u = rng.standard_normal(tuple(ot.shape)).astype(np.float32)
    om.backward(mt.tensor(u, device=device))
    ot.backward(torch.tensor(u))
    assert_close(xm.grad, xt.grad, rtol=1e-4, atol=1e-5)
    if mode == "bilinear":
        assert_close(gm.grad, gt.grad, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("device", devices())
def test_identity_affine_grid_resamples_the_image_exactly(device):
    x = rng.standard_normal((2, 3, 4, 5))
    theta = np.tile(np.array([[1.0, 0, 0], [0, 1.0, 0]]), (2, 1, 1))
    for align in (False, True):
        grid = F.affine_grid(mt.tensor(theta, device=device), (2, 3, 4, 5), align_corners=align)
        for mode in ("bilinear", "nearest"):
            out = F.grid_sample(mt.tensor(x, device=device), grid, mode=mode, align_corners=align)
            assert_close(out, x, rtol=1e-12, atol=1e-12)


def test_grid_sample_and_affine_grid_warn_without_align_corners_like_torch():
    x, grid, theta = mt.zeros(1, 1, 2, 2), mt.zeros(1, 2, 2, 2), mt.zeros(1, 2, 3)
    with pytest.warns(UserWarning, match="align_corners"):
        F.grid_sample(x, grid)
    with pytest.warns(UserWarning, match="align_corners"):
        F.affine_grid(theta, (1, 1, 2, 2))
    with pytest.warns(UserWarning, match="unit-size"):
        F.affine_grid(theta, (1, 1, 1, 2), align_corners=True)


X4 = np.zeros((2, 3, 4, 5))
G4 = np.zeros((2, 3, 3, 2))
GRID_ERRORS = {
    "bad_mode": lambda f, T: f.grid_sample(T(X4), T(G4), mode="cubic", align_corners=False),
    "bad_padding": lambda f, T: f.grid_sample(T(X4), T(G4), padding_mode="wrap", align_corners=False),
    "batch_mismatch": lambda f, T: f.grid_sample(T(X4), T(G4[:1]), align_corners=False),
    "grid_last_dim": lambda f, T: f.grid_sample(T(X4), T(np.zeros((2, 3, 3, 3))), align_corners=False),
    "rank_mismatch": lambda f, T: f.grid_sample(T(X4), T(G4[0]), align_corners=False),
    "dtype_mismatch": lambda f, T: f.grid_sample(T(X4), T(G4.astype(np.float32)), align_corners=False),
    "theta_shape": lambda f, T: f.affine_grid(T(np.zeros((2, 3, 3))), (2, 3, 4, 5), align_corners=False),
    "theta_int": lambda f, T: f.affine_grid(T(np.zeros((2, 2, 3), dtype=np.int64)), (2, 3, 4, 5),
                                            align_corners=False),
    "size_len": lambda f, T: f.affine_grid(T(np.zeros((2, 2, 3))), (2, 3, 4), align_corners=False),
    "size_zero": lambda f, T: f.affine_grid(T(np.zeros((2, 2, 3))), (2, 3, 0, 5), align_corners=False),
}


@pytest.mark.parametrize("case", sorted(GRID_ERRORS))
def test_grid_errors_like_torch(case):
    fn = GRID_ERRORS[case]
    raises_like_torch(lambda: fn(TF, torch.tensor), lambda: fn(F, mt.tensor))
