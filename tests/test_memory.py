"""Memory stays flat over a training loop: graphs free themselves by reference counting alone."""
from __future__ import annotations

import gc
import tracemalloc

import numpy as np

import minitorch


def _live_tensors() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, minitorch.Tensor))


def _make_mlp(seed: int = 0):
    minitorch.manual_seed(seed)
    w1 = (minitorch.randn(20, 32) * 0.1).requires_grad_()
    b1 = minitorch.zeros(32, requires_grad=True)
    w2 = (minitorch.randn(32, 5) * 0.1).requires_grad_()
    return [w1, b1, w2]


def _step(params, x, y, hooks: bool = False):
    w1, b1, w2 = params
    h = (x @ w1 + b1).tanh()
    if hooks:
        h.retain_grad()
        h.register_hook(lambda g: g * 1.0)
    logits = h @ w2
    loss = (logits.log_softmax(dim=1) * y).sum() * (-1.0 / x.shape[0])
    loss.backward()
    with minitorch.no_grad():
        for p in params:
            p.array -= 0.05 * p.grad.array
            p.grad = None
    return loss.item()


def test_live_tensor_count_is_flat_without_the_cycle_collector():
    params = _make_mlp()
    x = minitorch.randn(16, 20)
    y = minitorch.tensor(np.eye(5, dtype=np.float32)[np.arange(16) % 5])
    gc.collect()
    gc.disable()  # prove graphs are freed by refcounting, with no reference cycles
    try:
        for _ in range(20):
            _step(params, x, y, hooks=True)
        before = _live_tensors()
        for _ in range(300):
            _step(params, x, y, hooks=True)
        after = _live_tensors()
        garbage = gc.collect()
    finally:
        gc.enable()
    assert after <= before, f"live Tensors grew from {before} to {after} over 300 steps"
    assert garbage == 0, f"{garbage} objects were only reclaimable by the cycle collector"


def test_traced_memory_is_flat_over_steps():
    params = _make_mlp(1)
    x = minitorch.randn(64, 20)
    y = minitorch.tensor(np.eye(5, dtype=np.float32)[np.arange(64) % 5])
    for _ in range(10):
        _step(params, x, y)
    tracemalloc.start()
    try:
        for _ in range(50):
            _step(params, x, y)
        mid, _ = tracemalloc.get_traced_memory()
        for _ in range(250):
            _step(params, x, y)
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert end - mid < 64 * 1024, f"traced memory grew by {(end - mid) / 1024:.1f} KiB over 250 steps"


def test_saved_tensors_are_released_after_backward():
    x = minitorch.randn(100, 100, requires_grad=True)
    y = (x * x).sum()
    node = y.grad_fn
    mul_node = node.next_edges[0][0]
    assert mul_node._saved is not None
    y.backward()
    assert mul_node._saved is None  # freed: holding `y` no longer pins x*x's inputs
