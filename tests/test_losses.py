"""Loss functions vs torch: every reduction and option, edge cases, and bad input.

The op table (op_table_nn_func.py) checks each loss's forward, backward, gradcheck and gradgradcheck;
here the option combinations, PyTorch's edge semantics and error types are checked.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch as mt
import minitorch.nn.functional as F

from .helpers import assert_close, require_torch

torch = require_torch()
TF = torch.nn.functional
REDUCTIONS = ["mean", "sum", "none"]


def _pair(arr, grad=False):
    """The same values as a minitorch and a torch tensor."""
    a = np.array(arr, copy=True)
    m, t = mt.tensor(a), torch.from_numpy(a.copy())
    if grad and a.dtype.kind == "f":
        m.requires_grad_(True)
        t.requires_grad_(True)
    return m, t


def _check(fm, ft, arrays, grad_idx=(0,), rtol=1e-5, atol=1e-6, **kw):
    """Forward and gradients of fm/ft on the same inputs agree (upstream gradient random)."""
    pairs = [_pair(a, i in grad_idx) if a is not None else (None, None) for i, a in enumerate(arrays)]
    ms, ts = [p[0] for p in pairs], [p[1] for p in pairs]
    out_m, out_t = fm(*ms, **kw), ft(*ts, **kw)
    assert out_m.dtype == getattr(mt, str(out_t.dtype).split(".")[-1])
    assert_close(out_m, out_t, rtol=rtol, atol=atol, msg=f"forward {kw}")
    g = np.random.default_rng(1).standard_normal(tuple(out_t.shape)).astype(np.asarray(arrays[0]).dtype)
    out_m.backward(mt.tensor(g))
    out_t.backward(torch.from_numpy(g))
    for i in grad_idx:
        assert_close(ms[i].grad, ts[i].grad, rtol=rtol, atol=atol, msg=f"grad of input {i} {kw}")


rng = np.random.default_rng(0)
X = rng.standard_normal((6, 5))
T_IDX = np.array([0, 4, -100, 2, 2, 1])
W = rng.uniform(0.3, 2.0, 5)


# ---------------------------------------------------------------- cross_entropy / nll_loss --------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("use_weight", [False, True])
def test_cross_entropy_class_targets(reduction, smoothing, use_weight):
    w = W if use_weight else None
    _check(lambda x, t, w: F.cross_entropy(x, t, weight=w, reduction=reduction, label_smoothing=smoothing),
           lambda x, t, w: TF.cross_entropy(x, t, weight=w, reduction=reduction, label_smoothing=smoothing),
           [X, T_IDX, w])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_ignore_index_and_spatial(reduction):
    x = rng.standard_normal((2, 4, 3, 2)).astype(np.float32)
    t = rng.integers(0, 4, (2, 3, 2))
    t[0, 0, 0] = 3
    kw = dict(weight=None, ignore_index=3, reduction=reduction, label_smoothing=0.1)
    _check(lambda x, t: F.cross_entropy(x, t, **kw), lambda x, t: TF.cross_entropy(x, t, **kw), [x, t],
           rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_probability_targets(reduction, smoothing):
    p = rng.dirichlet(np.ones(5), 6)
    _check(lambda x, t, w: F.cross_entropy(x, t, weight=w, reduction=reduction, label_smoothing=smoothing),
           lambda x, t, w: TF.cross_entropy(x, t, weight=w, reduction=reduction, label_smoothing=smoothing),
           [X, p, W], grad_idx=(0, 1))


def test_cross_entropy_mean_divides_by_weight_of_kept_targets():
    """'mean' with weight and ignore_index divides by the summed weight of the non-ignored targets."""
    m = F.cross_entropy(mt.tensor(X), mt.tensor(T_IDX), weight=mt.tensor(W))
    s = F.cross_entropy(mt.tensor(X), mt.tensor(T_IDX), weight=mt.tensor(W), reduction="sum")
    kept = T_IDX != -100
    assert np.isclose(m.item(), s.item() / W[T_IDX[kept]].sum())


def test_cross_entropy_all_ignored_is_nan_like_torch():
    t = np.full(6, -100)
    m = F.cross_entropy(mt.tensor(X), mt.tensor(t))
    th = TF.cross_entropy(torch.tensor(X), torch.tensor(t))
    assert np.isnan(m.item()) and np.isnan(th.item())


def test_cross_entropy_float32_stays_float32_and_is_stable():
    x = (rng.standard_normal((4, 3)) * 1e4).astype(np.float32)
    t = np.array([0, 1, 2, 1])
    out = F.cross_entropy(mt.tensor(x), mt.tensor(t), reduction="none")
    assert out.dtype == mt.float32
    assert np.isfinite(out.numpy()).all()
    assert_close(out, TF.cross_entropy(torch.tensor(x), torch.tensor(t), reduction="none"), rtol=1e-5)


def test_cross_entropy_unbatched():
    _check(lambda x, t: F.cross_entropy(x, t), lambda x, t: TF.cross_entropy(x, t), [X[0], np.array(2)])


@given(n=st.integers(1, 4), c=st.integers(2, 5), seed=st.integers(0, 2**16))
def test_cross_entropy_equals_nll_of_log_softmax(n, c, seed):
    r = np.random.default_rng(seed)
    x = mt.tensor(r.standard_normal((n, c)))
    t = mt.tensor(r.integers(0, c, n))
    a = F.cross_entropy(x, t, reduction="none")
    b = F.nll_loss(F.log_softmax(x, dim=1), t, reduction="none")
    assert_close(a, b, rtol=1e-12, atol=1e-12)
    assert_close(a, TF.cross_entropy(torch.tensor(x.numpy()), torch.tensor(t.numpy()), reduction="none"))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ignore_index", [-100, 2])
def test_nll_loss_options(reduction, ignore_index):
    t = np.where(T_IDX < 0, 3, T_IDX) if ignore_index != -100 else T_IDX
    kw = dict(weight=None, ignore_index=ignore_index, reduction=reduction)
    _check(lambda x, t, w: F.nll_loss(x, t, **{**kw, "weight": w}),
           lambda x, t, w: TF.nll_loss(x, t, **{**kw, "weight": w}), [X, t, W])
    x4 = rng.standard_normal((2, 5, 3))
    t4 = rng.integers(0, 5, (2, 3))
    _check(lambda x, t: F.nll_loss(x, t, **kw), lambda x, t: TF.nll_loss(x, t, **kw), [x4, t4])


@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
def test_class_target_errors(fn):
    x = mt.tensor(X)
    f = getattr(F, fn)
    for bad in ([0, 5, 1, 1, 1, 1], [0, -2, 1, 1, 1, 1]):
        with pytest.raises(IndexError, match="out of bounds"):
            f(x, mt.tensor(bad))
        with pytest.raises(IndexError):
            getattr(TF, fn)(torch.tensor(X), torch.tensor(bad))
    with pytest.raises(ValueError, match="batch_size"):
        f(x, mt.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="weight"):
        f(x, mt.tensor([0, 1, 1, 1, 1, 1]), weight=mt.ones(4))
    with pytest.raises(RuntimeError):
        f(x, mt.tensor([0.0, 1.0, 1.0, 1.0, 1.0, 1.0]))  # float targets of the wrong shape
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        f(x, mt.tensor([0, 1, 1, 1, 1, 1]), reduction="avg")


def test_label_smoothing_out_of_range():
    with pytest.raises(ValueError):
        F.cross_entropy(mt.tensor(X), mt.tensor(np.abs(T_IDX) % 5), label_smoothing=1.5)


# ---------------------------------------------------------------- binary ---------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    x = rng.uniform(0.02, 0.98, (4, 3))
    t = rng.uniform(0, 1, (4, 3))
    w = rng.uniform(0, 2, (3,))
    _check(lambda x, t, w: F.binary_cross_entropy(x, t, weight=w, reduction=reduction),
           lambda x, t, w: TF.binary_cross_entropy(x, t, weight=w, reduction=reduction), [x, t, w], (0, 1))


def test_binary_cross_entropy_log_clamped_at_minus_100():
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5], dtype=np.float32)
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.3], dtype=np.float32)
    out = F.binary_cross_entropy(mt.tensor(x), mt.tensor(t), reduction="none")
    assert_close(out, TF.binary_cross_entropy(torch.tensor(x), torch.tensor(t), reduction="none"))
    assert out.numpy()[0] == pytest.approx(100.0)


def test_binary_cross_entropy_errors():
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(mt.tensor([0.5, 1.5]), mt.tensor([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(mt.tensor([-0.1, 0.5]), mt.tensor([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="target should be between 0 and 1"):
        F.binary_cross_entropy(mt.tensor([0.5, 0.5]), mt.tensor([0.0, 2.0]))
    with pytest.raises(ValueError, match="target size"):
        F.binary_cross_entropy(mt.tensor([0.5, 0.5]), mt.tensor([[0.0], [1.0]]))
    with pytest.raises(ValueError, match="Target size"):
        F.binary_cross_entropy_with_logits(mt.tensor([0.5, 0.5]), mt.tensor([[0.0], [1.0]]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [None, "vector", "scalar"])
def test_bce_with_logits(reduction, pos_weight):
    x = rng.standard_normal((4, 3)) * 3
    t = rng.uniform(0, 1, (4, 3))
    w = rng.uniform(0, 2, (4, 1))
    pw = {None: None, "vector": rng.uniform(0.5, 3, 3), "scalar": np.array([2.5])}[pos_weight]
    _check(lambda x, t, w, pw: F.binary_cross_entropy_with_logits(x, t, w, reduction=reduction, pos_weight=pw),
           lambda x, t, w, pw: TF.binary_cross_entropy_with_logits(x, t, w, reduction=reduction, pos_weight=pw),
           [x, t, w, pw], (0, 1))


def test_bce_with_logits_is_stable_for_huge_logits():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=np.float32)
    t = np.array([1.0, 0.0, 0.5, 1.0, 0.0], dtype=np.float32)
    pw = np.array([3.0], dtype=np.float32)
    m_x = mt.tensor(x, requires_grad=True)
    out = F.binary_cross_entropy_with_logits(m_x, mt.tensor(t), pos_weight=mt.tensor(pw), reduction="none")
    t_x = torch.tensor(x, requires_grad=True)
    ref = TF.binary_cross_entropy_with_logits(t_x, torch.tensor(t), pos_weight=torch.tensor(pw), reduction="none")
    assert np.isfinite(out.detach().numpy()).all()
    assert_close(out, ref, rtol=1e-6)
    out.sum().backward()
    ref.sum().backward()
    assert_close(m_x.grad, t_x.grad, rtol=1e-6)


# ---------------------------------------------------------------- regression -----------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {"beta": 0.7}),
                                     ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {"delta": 0.5}),
                                     ("soft_margin_loss", {})])
def test_regression_losses(name, kw, reduction):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    y = rng.standard_normal((3, 4)).astype(np.float32)
    if name == "soft_margin_loss":
        y = np.sign(y)
    grads = (0,) if name == "soft_margin_loss" else (0, 1)
    _check(getattr(F, name), getattr(TF, name), [x, y], grads, rtol=1e-5, atol=1e-6, reduction=reduction, **kw)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_elementwise_weight(name):
    x, y, w = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), rng.uniform(0, 2, (3, 4))
    for reduction in REDUCTIONS:
        _check(lambda x, y, w, r=reduction: getattr(F, name)(x, y, weight=w, reduction=r),
               lambda x, y, w, r=reduction: getattr(TF, name)(x, y, weight=w, reduction=r), [x, y, w], (0, 1))
    with pytest.raises(ValueError, match="same size"):
        getattr(F, name)(mt.tensor(x), mt.tensor(y), weight=mt.ones(4))


def test_regression_size_mismatch():
    with pytest.warns(UserWarning, match="target size"):
        out = F.mse_loss(mt.tensor([1.0, 2.0, 3.0]), mt.tensor([[1.0], [0.0], [2.0]]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = TF.mse_loss(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([[1.0], [0.0], [2.0]]))
    assert_close(out, ref)
    with pytest.raises(RuntimeError, match="size of tensor"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        F.l1_loss(mt.tensor([1.0, 2.0, 3.0]), mt.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="negative"):
        F.smooth_l1_loss(mt.tensor([1.0]), mt.tensor([1.0]), beta=-1.0)


def test_legacy_size_average_reduce():
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    for sa, rd in [(False, None), (None, False), (True, True)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = F.mse_loss(mt.tensor(x), mt.tensor(y), size_average=sa, reduce=rd)
            ref = TF.mse_loss(torch.tensor(x), torch.tensor(y), size_average=sa, reduce=rd)
        assert_close(out, ref)


# ---------------------------------------------------------------- distributions / embeddings -------
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    inp = np.log(rng.dirichlet(np.ones(4), 3))
    q = rng.dirichlet(np.ones(4), 3)
    tgt = np.log(q) if log_target else q
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _check(F.kl_div, TF.kl_div, [inp, tgt], (0, 1), reduction=reduction, log_target=log_target)
        q[0, 1] = 0.0  # a zero target contributes 0 (xlogy), not nan
        _check(F.kl_div, TF.kl_div, [inp, q], (0,), reduction=reduction)


def test_kl_div_mean_warns_like_torch():
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(mt.zeros(2, 3), mt.ones(2, 3) / 3)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_embedding_losses(reduction):
    a, b, c = (rng.standard_normal((4, 3)) for _ in range(3))
    y = np.array([1, -1, 1, -1])
    _check(F.cosine_embedding_loss, TF.cosine_embedding_loss, [a, b, y], (0, 1), margin=0.2, reduction=reduction)
    _check(F.margin_ranking_loss, TF.margin_ranking_loss, [a[:, 0], b[:, 0], y.astype(float)], (0, 1),
           margin=0.1, reduction=reduction)
    _check(F.hinge_embedding_loss, TF.hinge_embedding_loss, [a, np.sign(b)], (0,), margin=0.7,
           reduction=reduction)
    for p, swap in [(2, False), (1, True), (3, True)]:
        _check(F.triplet_margin_loss, TF.triplet_margin_loss, [a, b, c], (0, 1, 2), margin=0.5, p=p, swap=swap,
               reduction=reduction)


def test_cosine_similarity_and_pairwise_distance():
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((1, 3))
    _check(F.cosine_similarity, TF.cosine_similarity, [a, b], (0, 1))
    _check(F.cosine_similarity, TF.cosine_similarity, [a, a * 0], (0, 1), dim=1)  # zero vector: eps clamp
    _check(F.pairwise_distance, TF.pairwise_distance, [a, b], (0, 1), p=1.5, keepdim=True)


def test_embedding_loss_errors():
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        F.triplet_margin_loss(mt.randn(3, 4), mt.randn(3, 4), mt.randn(3))
    with pytest.raises(RuntimeError):
        F.margin_ranking_loss(mt.randn(3), mt.randn(3), mt.randn(3, 1))
    with pytest.raises(RuntimeError):
        F.cosine_embedding_loss(mt.randn(3, 4), mt.randn(3, 4), mt.tensor([1, -1]))
