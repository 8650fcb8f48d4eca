"""The second batch of loss modules vs torch on every device: each reduction, weights, legacy flags,
CTC with varied lengths, both target layouts and impossible alignments, and errors of torch's types.

The op table (op_table_nn_more.py) checks the functional forms' forward, backward, gradcheck and
gradgradcheck; here the modules, option combinations and edge semantics are checked.
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
REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(0)


def _pair(a, device, grad=False):
    a = np.array(a, copy=True)
    m, t = mt.tensor(a, device=device), torch.from_numpy(a.copy())
    if grad:
        m.requires_grad_(True)
        t.requires_grad_(True)
    return m, t


def _compare(m_mod, t_mod, arrays, device, grad_idx=(0,), rtol=1e-5, atol=1e-7):
    """Forward and the gradients of ``grad_idx`` inputs agree with torch for a random upstream gradient."""
    pairs = [_pair(a, device, i in grad_idx) for i, a in enumerate(arrays)]
    out_m = m_mod(*[p[0] for p in pairs])
    out_t = t_mod(*[p[1] for p in pairs])
    assert out_m.device.type == device
    assert_close(out_m, out_t, rtol=rtol, atol=atol, msg="forward")
    g = rng.standard_normal(tuple(out_t.shape))
    out_m.backward(mt.tensor(g, device=device))
    out_t.backward(torch.from_numpy(g))
    for i in grad_idx:
        assert_close(pairs[i][0].grad, pairs[i][1].grad, rtol=rtol, atol=atol, msg=f"grad of input {i}")
    return out_m


def _x(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, shape)


# ---------------------------------------------------------------- likelihood losses --------------
@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1), (1, 3)])
def test_gaussian_nll_loss_module(device, reduction, full, var_shape):
    kw = dict(full=full, eps=1e-4, reduction=reduction)
    var = rng.uniform(0.3, 2.0, var_shape)
    _compare(nn.GaussianNLLLoss(**kw), torch.nn.GaussianNLLLoss(**kw), [_x(4, 3), _x(4, 3), var], device,
             grad_idx=(0, 1, 2))


@pytest.mark.parametrize("device", devices())
def test_gaussian_nll_loss_small_var_is_clamped_with_gradient_passed_through(device):
    var = np.array([[1e-9, 0.5, 2.0]])
    _compare(nn.GaussianNLLLoss(eps=1e-3), torch.nn.GaussianNLLLoss(eps=1e-3), [_x(2, 3), _x(2, 3), var], device,
             grad_idx=(0, 2), rtol=1e-6)


def test_gaussian_nll_loss_scalar_var():
    x, y = _x(3, 2), _x(3, 2)
    out = F.gaussian_nll_loss(mt.tensor(x), mt.tensor(y), 0.7, full=True)
    assert_close(out, TF.gaussian_nll_loss(torch.tensor(x), torch.tensor(y), 0.7, full=True), rtol=1e-12)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input,full", [(True, False), (True, True), (False, False), (False, True)])
def test_poisson_nll_loss_module(device, reduction, log_input, full):
    x = _x(3, 5) if log_input else _x(3, 5, lo=0.1, hi=3.0)
    target = rng.poisson(2.0, (3, 5)).astype(np.float64)  # counts, incl. 0 and 1 (no Stirling term there)
    kw = dict(log_input=log_input, full=full, eps=1e-6, reduction=reduction)
    _compare(nn.PoissonNLLLoss(**kw), torch.nn.PoissonNLLLoss(**kw), [x, target], device)


def test_poisson_nll_loss_legacy_flags_warn_and_map_like_torch():
    x, y = _x(2, 3), rng.poisson(2.0, (2, 3)).astype(np.float64)
    with pytest.warns(UserWarning):
        m = nn.PoissonNLLLoss(size_average=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.nn.PoissonNLLLoss(size_average=False)
    assert m.reduction == t.reduction == "sum"
    assert_close(m(mt.tensor(x), mt.tensor(y)), t(torch.tensor(x), torch.tensor(y)), rtol=1e-12)


# ---------------------------------------------------------------- margin losses ------------------
@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p,margin", [(1, 1.0), (2, 0.5)])
@pytest.mark.parametrize("use_weight", [False, True])
def test_multi_margin_loss_module(device, reduction, p, margin, use_weight):
    w = rng.uniform(0.5, 2.0, 5) if use_weight else None
    kw = dict(p=p, margin=margin, reduction=reduction)
    m = nn.MultiMarginLoss(weight=None if w is None else mt.tensor(w, device=device), **kw)
    t = torch.nn.MultiMarginLoss(weight=None if w is None else torch.tensor(w), **kw)
    _compare(m, t, [_x(6, 5), rng.integers(0, 5, 6)], device)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_loss_module(device, reduction):
    target = np.array([[3, 0, -1, 1], [1, 2, 3, 0], [-1, 0, 0, 0], [2, 2, -1, 3]])  # repeats, all, none
    _compare(nn.MultiLabelMarginLoss(reduction=reduction), torch.nn.MultiLabelMarginLoss(reduction=reduction),
             [_x(4, 4), target], device)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("use_weight", [False, True])
def test_multilabel_soft_margin_loss_module(device, reduction, use_weight):
    w = rng.uniform(0.5, 2.0, 4) if use_weight else None
    m = nn.MultiLabelSoftMarginLoss(weight=None if w is None else mt.tensor(w, device=device), reduction=reduction)
    t = torch.nn.MultiLabelSoftMarginLoss(weight=None if w is None else torch.tensor(w), reduction=reduction)
    _compare(m, t, [_x(3, 4), (rng.random((3, 4)) < 0.5).astype(np.float64)], device, grad_idx=(0, 1))


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("distance", ["default", "l1"])
def test_triplet_margin_with_distance_loss_module(device, reduction, swap, distance):
    kw = dict(margin=1.5, swap=swap, reduction=reduction)
    if distance == "l1":
        m = nn.TripletMarginWithDistanceLoss(distance_function=lambda a, b: (a - b).abs().sum(-1), **kw)
        t = torch.nn.TripletMarginWithDistanceLoss(distance_function=lambda a, b: (a - b).abs().sum(-1), **kw)
    else:
        m, t = nn.TripletMarginWithDistanceLoss(**kw), torch.nn.TripletMarginWithDistanceLoss(**kw)
    _compare(m, t, [_x(5, 3), _x(5, 3), _x(5, 3)], device, grad_idx=(0, 1, 2))


# ---------------------------------------------------------------- CTC ----------------------------
def _ctc_case(seed, n_t=8, n_b=4, n_c=5, max_s=4):
    r = np.random.default_rng(seed)
    il = r.integers(1, n_t + 1, n_b)
    il[0] = n_t
    tl = r.integers(0, max_s + 1, n_b)
    targets = r.integers(1, n_c, (n_b, max_s))
    return r.standard_normal((n_t, n_b, n_c)), targets, il, tl


def _ctc_pair(x, targets, il, tl, device, as_tensors, **kw):
    """(minitorch loss, torch loss, minitorch logits, torch logits) for the same case, through log_softmax."""
    xm, xt = _pair(x, device, grad=True)
    if as_tensors:
        li_m, lt_m = mt.tensor(il, device=device), mt.tensor(tl, device=device)
        li_t, lt_t = torch.tensor(il), torch.tensor(tl)
    else:
        li_m = li_t = tuple(int(v) for v in il)
        lt_m = lt_t = tuple(int(v) for v in tl)
    lm = nn.CTCLoss(**kw)(F.log_softmax(xm, 2), mt.tensor(targets, device=device), li_m, lt_m)
    lt = torch.nn.CTCLoss(**kw)(xt.log_softmax(2), torch.tensor(targets), li_t, lt_t)
    return lm, lt, xm, xt


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("as_tensors", [False, True])
def test_ctc_loss_varied_lengths(device, reduction, seed, as_tensors):
    x, targets, il, tl = _ctc_case(seed)
    lm, lt, xm, xt = _ctc_pair(x, targets, il, tl, device, as_tensors, reduction=reduction, zero_infinity=True)
    assert_close(lm, lt, rtol=1e-6, atol=1e-9)
    g = rng.standard_normal(tuple(lt.shape))
    lm.backward(mt.tensor(g, device=device))
    lt.backward(torch.tensor(g))
    assert_close(xm.grad, xt.grad, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("blank", [0, 2, 4])
def test_ctc_loss_concatenated_targets_equal_padded(device, blank):
    r = np.random.default_rng(blank)
    x = r.standard_normal((9, 3, 5))
    tl = np.array([3, 0, 4])
    labels = [c for c in range(5) if c != blank]
    padded = np.array(r.choice(labels, (3, 4)))
    flat = np.concatenate([padded[i, :n] for i, n in enumerate(tl)])
    lp_m = F.log_softmax(mt.tensor(x, device=device), 2)
    a = F.ctc_loss(lp_m, mt.tensor(padded, device=device), (9, 7, 8), tuple(tl), blank=blank, reduction="none")
    b = F.ctc_loss(lp_m, mt.tensor(flat, device=device), mt.tensor([9, 7, 8], device=device),
                   mt.tensor(tl, device=device), blank=blank, reduction="none")
    t = TF.ctc_loss(torch.tensor(x).log_softmax(2), torch.tensor(flat), (9, 7, 8), tuple(tl), blank=blank,
                    reduction="none")
    assert_close(a, t, rtol=1e-6)
    assert_close(b, t, rtol=1e-6)


@pytest.mark.parametrize("device", devices())
def test_ctc_loss_impossible_alignment_is_inf_and_zero_infinity_zeroes_it(device):
    x = rng.standard_normal((4, 2, 3))
    targets = np.array([[1, 1, 1], [2, 1, 2]])  # 1 1 1 needs 5 frames (blanks between repeats); 4 given
    lm, lt, xm, xt = _ctc_pair(x, targets, [4, 4], [3, 3], device, False, reduction="none")
    assert np.isinf(lm.detach().cpu().numpy()[0]) and np.isinf(lt.detach().numpy()[0])
    assert_close(lm, lt, rtol=1e-6)
    lm, lt, xm, xt = _ctc_pair(x, targets, [4, 4], [3, 3], device, False, reduction="sum", zero_infinity=True)
    assert_close(lm, lt, rtol=1e-6)
    lm.backward()
    lt.backward()
    grad = xm.grad.cpu().numpy()
    assert np.all(grad[:, 0] == 0) and np.isfinite(grad).all()
    assert_close(xm.grad, xt.grad, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("device", devices())
def test_ctc_loss_mean_divides_by_target_lengths(device):
    x, targets, il, tl = _ctc_case(5)
    tl[1] = 0  # clamped to 1, as torch does
    lp = F.log_softmax(mt.tensor(x, device=device), 2)
    per = F.ctc_loss(lp, mt.tensor(targets, device=device), tuple(il), tuple(tl), reduction="none").cpu().numpy()
    mean = F.ctc_loss(lp, mt.tensor(targets, device=device), tuple(il), tuple(tl)).item()
    assert np.isclose(mean, np.mean(per / np.maximum(tl, 1)))


def test_ctc_loss_unbatched_and_empty_input():
    x = rng.standard_normal((6, 4))
    lp_m, lp_t = F.log_softmax(mt.tensor(x), 1), torch.tensor(x).log_softmax(1)
    for red in REDUCTIONS:
        a = F.ctc_loss(lp_m, mt.tensor([1, 3]), mt.tensor(6), mt.tensor(2), reduction=red)
        b = TF.ctc_loss(lp_t, torch.tensor([1, 3]), torch.tensor(6), torch.tensor(2), reduction=red)
        assert_close(a, b, rtol=1e-9)
    x3 = rng.standard_normal((5, 2, 4))
    a = F.ctc_loss(F.log_softmax(mt.tensor(x3), 2), mt.tensor([[1, 2], [3, 3]]), (0, 5), (0, 2), reduction="none")
    b = TF.ctc_loss(torch.tensor(x3).log_softmax(2), torch.tensor([[1, 2], [3, 3]]), (0, 5), (0, 2),
                    reduction="none")
    assert_close(a, b, rtol=1e-9)


def test_ctc_loss_float32_stays_float32():
    x = rng.standard_normal((6, 2, 4)).astype(np.float32)
    out = F.ctc_loss(F.log_softmax(mt.tensor(x), 2), mt.tensor([[1, 2], [3, 1]]), (6, 5), (2, 2))
    assert out.dtype == mt.float32
    ref = TF.ctc_loss(torch.tensor(x).log_softmax(2), torch.tensor([[1, 2], [3, 1]]), (6, 5), (2, 2))
    assert_close(out, ref, rtol=1e-5)


# ---------------------------------------------------------------- errors -------------------------
def _both(fn, *arrays):
    """fn called on torch tensors and on minitorch tensors (lambdas for raises_like_torch)."""
    return (lambda: fn(TF, torch.tensor, *arrays)), (lambda: fn(F, mt.tensor, *arrays))


X34 = rng.standard_normal((3, 4))
ERROR_CASES = {
    "multi_margin_target_out_of_range": lambda f, T: f.multi_margin_loss(T(X34), T([0, 4, 1])),
    "multi_margin_target_size": lambda f, T: f.multi_margin_loss(T(X34), T([0, 1])),
    "multi_margin_float_target": lambda f, T: f.multi_margin_loss(T(X34), T([0.0, 1.0, 1.0])),
    "multi_margin_3d_input": lambda f, T: f.multi_margin_loss(T(np.zeros((2, 3, 4))), T([0, 1])),
    "multi_margin_weight_size": lambda f, T: f.multi_margin_loss(T(X34), T([0, 1, 1]), weight=T(np.ones(3))),
    "multi_margin_p3": lambda f, T: f.multi_margin_loss(T(X34), T([0, 1, 1]), p=3),
    "multilabel_margin_target_size": lambda f, T: f.multilabel_margin_loss(T(X34), T([[0, 1, -1, 0]] * 2)),
    "multilabel_margin_out_of_range": lambda f, T: f.multilabel_margin_loss(T(X34), T([[0, 5, -1, 0]] * 3)),
    "multilabel_soft_margin_reduction": lambda f, T: f.multilabel_soft_margin_loss(T(X34), T(X34), reduction="x"),
    "gaussian_var_size": lambda f, T: f.gaussian_nll_loss(T(X34), T(X34), T(np.ones((3, 2)))),
    "gaussian_negative_float_var": lambda f, T: f.gaussian_nll_loss(T(X34), T(X34), -1.0),
    "gaussian_reduction": lambda f, T: f.gaussian_nll_loss(T(X34), T(X34), T(np.ones((3, 4))), reduction="x"),
    "poisson_reduction": lambda f, T: f.poisson_nll_loss(T(X34), T(X34), reduction="x"),
    "triplet_margin": lambda f, T: f.triplet_margin_with_distance_loss(T(X34), T(X34), T(X34), margin=0.0),
    "triplet_dims": lambda f, T: f.triplet_margin_with_distance_loss(T(X34), T(X34), T(X34[0])),
    "triplet_reduction": lambda f, T: f.triplet_margin_with_distance_loss(T(X34), T(X34), T(X34), reduction="x"),
}
LP = np.log(np.full((6, 2, 5), 0.2))
TG = np.array([[1, 2], [3, 3]])
CTC_ERRORS = {
    "input_length_too_long": lambda f, T: f.ctc_loss(T(LP), T(TG), (6, 7), (2, 2)),
    "target_length_too_long": lambda f, T: f.ctc_loss(T(LP), T(TG), (6, 6), (2, 3)),
    "negative_input_length": lambda f, T: f.ctc_loss(T(LP), T(TG), (6, -1), (2, 2)),
    "negative_target_length": lambda f, T: f.ctc_loss(T(LP), T(TG), (6, 6), (2, -1)),
    "input_lengths_batch": lambda f, T: f.ctc_loss(T(LP), T(TG), (6,), (2, 2)),
    "target_lengths_batch": lambda f, T: f.ctc_loss(T(LP), T(TG), (6, 6), (2,)),
    "concatenated_total": lambda f, T: f.ctc_loss(T(LP), T([1, 2, 3, 3]), (6, 6), (2, 3)),
    "blank_out_of_range": lambda f, T: f.ctc_loss(T(LP), T(TG), (6, 6), (2, 2), blank=5),
    "log_probs_rank": lambda f, T: f.ctc_loss(T(LP[None]), T(TG), (6, 6), (2, 2)),
    "reduction": lambda f, T: f.ctc_loss(T(LP), T(TG), (6, 6), (2, 2), reduction="x"),
    "mixed_length_types": lambda f, T: f.ctc_loss(T(LP), T(TG), T([6, 6]), (2, 2)),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES) + sorted(CTC_ERRORS))
def test_errors_like_torch(case):
    fn = ERROR_CASES.get(case) or CTC_ERRORS[case]
    raises_like_torch(*_both(fn))


def test_module_constructor_errors_like_torch():
    raises_like_torch(lambda: torch.nn.MultiMarginLoss(p=3), lambda: nn.MultiMarginLoss(p=3))
    raises_like_torch(lambda: torch.nn.MultiMarginLoss(weight=torch.ones(2, 2)),
                      lambda: nn.MultiMarginLoss(weight=mt.ones(2, 2)))
    raises_like_torch(lambda: torch.nn.TripletMarginWithDistanceLoss(margin=-1.0),
                      lambda: nn.TripletMarginWithDistanceLoss(margin=-1.0))


def test_gaussian_negative_tensor_var_raises_value_error():
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(mt.tensor(X34), mt.tensor(X34), mt.tensor(-np.ones((3, 4))))


@pytest.mark.parametrize("device", devices())
def test_ctc_loss_length_errors_on_device_tensors(device):
    """Length tensors on the device are checked without a host read on cuda: the error comes at the next sync."""
    with pytest.raises(RuntimeError, match="input_lengths"):
        out = F.ctc_loss(mt.tensor(LP, device=device), mt.tensor(TG, device=device), mt.tensor([6, 7], device=device),
                         mt.tensor([2, 2], device=device))
        out.item()
