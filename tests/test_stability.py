"""Numerical stability at extreme inputs, compared with torch."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
import minitorch.nn.functional as F

from .helpers import assert_close, require_torch, to_mt, to_torch

torch = require_torch()

EXTREME = [[1e4, -1e4, 0.0, 3.0], [-1e4, -1e4, -1e4, -1e4], [1e4, 1e4, 1e4, 1e4 - 1]]


def _both(fn_mt, fn_th, data, grad=True):
    x_th = torch.tensor(data, dtype=torch.float32, requires_grad=grad)
    x_mt = to_mt(x_th, requires_grad=grad)
    out_mt, out_th = fn_mt(x_mt), fn_th(x_th)
    assert_close(out_mt, out_th, rtol=1e-5, atol=1e-5)
    assert np.isfinite(out_mt.detach().numpy()).all() == np.isfinite(out_th.detach().numpy()).all()
    if grad:
        out_mt.sum().backward()
        out_th.sum().backward()
        assert_close(x_mt.grad, x_th.grad, rtol=1e-5, atol=1e-5)
    return out_mt


@pytest.mark.parametrize(
    "name, fn_mt, fn_th",
    [
        ("softmax", lambda x: x.softmax(dim=1), lambda x: x.softmax(dim=1)),
        ("log_softmax", lambda x: x.log_softmax(dim=1), lambda x: x.log_softmax(dim=1)),
        ("logsumexp", lambda x: x.logsumexp(dim=1), lambda x: x.logsumexp(dim=1)),
        ("sigmoid", lambda x: x.sigmoid(), lambda x: x.sigmoid()),
        ("tanh", lambda x: x.tanh(), lambda x: x.tanh()),
        ("F.logsigmoid", lambda x: F.logsigmoid(x), lambda x: torch.nn.functional.logsigmoid(x)),
        ("F.softplus", lambda x: F.softplus(x), lambda x: torch.nn.functional.softplus(x)),
    ],
)
def test_extreme_logits(name, fn_mt, fn_th):
    out = _both(fn_mt, fn_th, EXTREME)
    assert np.isfinite(out.detach().numpy()).all(), name


def test_cross_entropy_with_huge_logits():
    logits = torch.tensor(EXTREME, requires_grad=True)
    target = torch.tensor([1, 0, 3])
    lm = to_mt(logits, requires_grad=True)
    out_mt = F.cross_entropy(lm, to_mt(target))
    out_th = torch.nn.functional.cross_entropy(logits, target)
    assert_close(out_mt, out_th, rtol=1e-5, atol=1e-3)
    out_mt.backward()
    out_th.backward()
    assert_close(lm.grad, logits.grad, rtol=1e-5, atol=1e-6)


def test_bce_with_logits_at_extremes():
    x = torch.tensor([1e4, -1e4, 0.0, 50.0, -50.0], requires_grad=True)
    y = torch.tensor([0.0, 1.0, 1.0, 1.0, 0.0])
    xm = to_mt(x, requires_grad=True)
    out_mt = F.binary_cross_entropy_with_logits(xm, to_mt(y))
    out_th = torch.nn.functional.binary_cross_entropy_with_logits(x, y)
    assert np.isfinite(out_mt.item())
    assert_close(out_mt, out_th, rtol=1e-5)
    out_mt.backward()
    out_th.backward()
    assert_close(xm.grad, x.grad, rtol=1e-5, atol=1e-7)


def test_bce_at_probabilities_exactly_zero_and_one():
    p = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5])
    y = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0])
    out_mt = F.binary_cross_entropy(to_mt(p), to_mt(y), reduction="none")
    out_th = torch.nn.functional.binary_cross_entropy(p, y, reduction="none")
    assert_close(out_mt, out_th)  # log clamped at -100: losses 0, 0, 100, 100, log 2
    assert np.isfinite(out_mt.numpy()).all()


def test_log_of_zero_is_minus_inf_like_torch():
    x = minitorch.tensor([0.0, 1.0])
    assert x.log().tolist()[0] == float("-inf")
    assert to_torch(x).log()[0].item() == float("-inf")


def test_var_of_one_element():
    x_th = torch.tensor([3.0])
    x_mt = minitorch.tensor([3.0])
    with pytest.warns(UserWarning):
        v_th = torch.var(x_th)
    v_mt = minitorch.var(x_mt)
    assert np.isnan(v_th.item()) and np.isnan(v_mt.item())
    assert minitorch.var(x_mt, correction=0).item() == torch.var(x_th, correction=0).item() == 0.0


def test_sigmoid_grad_is_exact_zero_far_out_not_nan():
    x = minitorch.tensor([1e4, -1e4], requires_grad=True)
    x.sigmoid().sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
