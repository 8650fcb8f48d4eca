"""Anomaly detection: a NaN/Inf produced in backward names the op and where user code created it."""
from __future__ import annotations

import pytest

import minitorch
from minitorch import autograd

from .helpers import require_torch


def test_detect_anomaly_names_the_op_and_the_creating_line():
    x = minitorch.tensor([0.0, 1.0], requires_grad=True)
    with autograd.detect_anomaly():
        y = x.sqrt()  # d sqrt at 0 is inf: the culprit
        loss = y.sum()
        with pytest.raises(RuntimeError) as err:
            loss.backward()
    msg = str(err.value)
    assert "Sqrt" in msg
    assert "nan/inf" in msg
    assert "test_anomaly.py" in msg and "y = x.sqrt()" in msg


def test_torch_raises_for_the_same_program():
    torch = require_torch()
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    with torch.autograd.detect_anomaly(), pytest.raises(RuntimeError, match="nan"):
        (x.sqrt() * 0).sum().backward()  # torch: inf * 0 = nan in SqrtBackward's output


def test_without_anomaly_mode_backward_is_silent_and_records_no_stack():
    x = minitorch.tensor([0.0], requires_grad=True)
    y = x.sqrt()
    assert y.grad_fn._stack is None
    y.sum().backward()
    assert x.grad.item() == float("inf")


def test_set_detect_anomaly_switches_mode():
    assert not autograd.is_anomaly_enabled()
    autograd.set_detect_anomaly(True)
    try:
        assert autograd.is_anomaly_enabled()
        x = minitorch.tensor([0.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="Log"):
            x.log().sum().backward()  # d log at 0 = 1/0 = inf
    finally:
        autograd.set_detect_anomaly(False)
    assert not autograd.is_anomaly_enabled()


def test_anomaly_passes_clean_graphs():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    with autograd.detect_anomaly():
        (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


def test_check_nan_false_keeps_anomaly_mode_on_without_nan_checks_like_torch():
    import numpy as np

    torch = require_torch()
    for lib in (minitorch, torch):
        with lib.autograd.detect_anomaly(check_nan=False):
            assert lib.is_anomaly_enabled() and not lib.is_anomaly_check_nan_enabled()
            x = lib.tensor([0.0], requires_grad=True)
            (x.sqrt() * 0).sum().backward()  # 0 * inf in the backward: nan, not an error
            assert np.isnan(x.grad.numpy()).all()
        assert not lib.is_anomaly_enabled() and lib.is_anomaly_check_nan_enabled()
    with minitorch.autograd.detect_anomaly():
        x = minitorch.tensor([0.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="nan/inf"):
            (x.sqrt() * 0).sum().backward()
