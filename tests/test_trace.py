"""autograd.trace: the order and content of recorded backward steps on known graphs."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
from minitorch.autograd import Function, engine, trace
from tests.helpers import require_torch, to_torch

torch = require_torch()


def _graph(seed: int = 0):
    rng = np.random.default_rng(seed)
    x = minitorch.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    w = minitorch.tensor(rng.standard_normal(3), requires_grad=True)
    return x, w


def test_chain_order_shapes_and_norms_match_torch():
    x, w = _graph()
    tx, tw = to_torch(x, True), to_torch(w, True)
    with trace(params={"w": w}) as t:
        loss = (x * w).exp().sum(1).mean()
        loss.backward()
    # torch: the same chain, with every intermediate's gradient retained
    tm = tx * tw
    te = tm.exp()
    ts = te.sum(1)
    tl = ts.mean()
    for v in (tm, te, ts, tl):
        v.retain_grad()
    tl.backward()

    assert t.ops == ["Mean", "Sum", "Exp", "Mul"]
    assert [r.step for r in t] == [0, 1, 2, 3]
    assert len(t) == 4 and t[0] is t.records[0]
    upstream = {"Mean": tl, "Sum": ts, "Exp": te, "Mul": tm}
    for rec in t:
        ref = upstream[rec.op].grad
        assert rec.grad_output_shapes == (tuple(ref.shape),)
        assert rec.grad_output_norms[0] == pytest.approx(float(ref.norm()), rel=1e-9)
        assert not rec.pending and rec.time_s >= 0
    mul = t[3]
    assert mul.grad_input_shapes == ((2, 3), (3,))
    assert mul.grad_input_norms[0] == pytest.approx(float(tx.grad.norm()), rel=1e-9)
    assert mul.grad_input_norms[1] == pytest.approx(float(tw.grad.norm()), rel=1e-9)
    assert mul.targets == ("leaf[2, 3]", "leaf w")
    assert mul.expected_shapes == ((2, 3), (3,))
    assert mul.shape_mismatch == []
    # non-tensor arguments (dim, keepdim) get no gradient and no target
    assert t[1].targets[1:] == (None,) * (len(t[1].targets) - 1)
    assert t[0].targets[0] == "Sum" and t[1].targets[0] == "Exp"


def test_diamond_runs_each_node_once_after_all_its_consumers():
    x, _ = _graph(1)
    with trace() as t:
        a = x.exp()          # used twice: its backward must wait for both consumers
        y = (a * a + a).sum()
        y.backward()
    ops = t.ops
    assert sorted(ops) == sorted(["Sum", "Add", "Mul", "Exp"])
    assert ops.index("Exp") > ops.index("Mul") and ops.index("Exp") > ops.index("Add")
    # the gradient Exp receives is the sum over both paths: 2a + 1
    tx = to_torch(x, True)
    ta = tx.exp()
    ta.retain_grad()
    (ta * ta + ta).sum().backward()
    exp_rec = t[ops.index("Exp")]
    assert exp_rec.grad_output_norms[0] == pytest.approx(float(ta.grad.norm()), rel=1e-9)


def test_keep_values_and_table():
    x = minitorch.tensor([0.3], requires_grad=True)
    x.name = "x"
    with trace(keep_values=True) as t:
        y = (x * 3.0).tanh()
        y.backward(minitorch.ones(1))
    tx = to_torch(x, True)
    tm = tx * 3.0
    tm.retain_grad()
    tm.tanh().backward(torch.ones(1))
    tanh, mul = t
    assert tanh.op == "Tanh" and mul.op == "Mul"
    np.testing.assert_allclose(tanh.grad_input[0].numpy(), tm.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(mul.grad_input[0].numpy(), tx.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(mul.grad_output[0].numpy(), tm.grad.numpy(), rtol=1e-5)
    assert tanh.grad_input_items[0] == pytest.approx(tm.grad.item(), rel=1e-5)
    assert mul.grad_input_items[0] == pytest.approx(tx.grad.item(), rel=1e-5)
    text = t.table()
    assert str(t) == text
    assert f"g={tm.grad.item():.4g}" in text
    lines = text.splitlines()
    assert lines[0].startswith("step") and "op" in lines[0]
    assert len(lines) == 2 + len(t)
    assert "Tanh" in lines[2] and "-> Mul" in lines[2]
    assert "-> leaf x" in lines[3]
    assert repr(t) == "<autograd.trace: 2 backward steps>"


def test_tracer_is_removed_and_nested_traces_both_record():
    x, _ = _graph(2)
    before = list(engine._tracers)
    with trace() as outer:
        with trace() as inner:
            x.sin().sum().backward()
        assert inner not in engine._tracers and outer in engine._tracers
        x.cos().sum().backward()
    assert engine._tracers == before
    assert inner.ops == ["Sum", "Sin"]
    assert outer.ops == ["Sum", "Sin", "Sum", "Cos"]
    x.exp().sum().backward()  # outside: nothing recorded
    assert len(outer) == 4


def test_a_backward_that_raises_leaves_a_pending_record():
    class Broken(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            raise ValueError("planted")

    x, _ = _graph(3)
    with trace() as t:
        with pytest.raises(ValueError, match="planted"):
            Broken.apply(x).sum().backward()
        x.exp().sum().backward()  # the next backward pairs its steps correctly
    assert t.ops == ["Sum", "Broken", "Sum", "Exp"]
    assert t[1].pending and not t[3].pending
    assert "(backward raised)" in t.table().splitlines()[3]
    assert t[3].grad_input_shapes == ((2, 3),)


def test_shape_mismatch_is_recorded_before_the_engine_complains():
    class NoUnbroadcast(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g, g

    a = minitorch.randn(3, 4, requires_grad=True)
    b = minitorch.randn(4, requires_grad=True)
    with trace() as t:
        with pytest.raises(RuntimeError, match="invalid gradient"):
            NoUnbroadcast.apply(a, b).sum().backward()
    rec = t[-1]
    assert rec.op == "NoUnbroadcast"
    assert rec.shape_mismatch == [1]
    assert rec.grad_input_shapes[1] == (3, 4) and rec.expected_shapes[1] == (4,)
