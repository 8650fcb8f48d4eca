"""Module backward hooks against torch: register_full_backward_hook, register_full_backward_pre_hook,
the deprecated register_backward_hook, handles, replacement gradients, and the Grad-CAM idiom."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitorch

from .helpers import require_torch

torch = require_torch()


def _lst(gs):
    return [None if g is None else np.round(g.detach().numpy(), 6).tolist() for g in gs]


def _two_output_module(lib):
    class M(lib.nn.Module):
        def forward(self, a, k, b, c=None):
            return a * b * k, a + b

    return M()


@pytest.mark.parametrize("use_second", [True, False])
def test_full_and_pre_hooks_see_torchs_grad_input_and_grad_output(use_second):
    logs = []
    for lib in (minitorch, torch):
        m = _two_output_module(lib)
        log = []
        m.register_full_backward_hook(lambda mod, gi, go, log=log: log.append(("full", _lst(gi), _lst(go))))
        m.register_full_backward_pre_hook(lambda mod, go, log=log: log.append(("pre", _lst(go))))
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0])
        o1, o2 = m(a, 2.0, b, c=lib.ones(2))
        loss = o1.sum() + (o2.sum() * 3 if use_second else 0)
        loss.backward()
        logs.append((log, a.grad.numpy().tolist()))
    assert logs[0] == logs[1]


def _linear(lib):
    class L(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = lib.nn.Parameter(lib.tensor([2.0, 3.0]))

        def forward(self, x):
            return x * self.w

    return L()


def test_hooks_replace_gradients_like_torch():
    res = []
    for lib in (minitorch, torch):
        m = _linear(lib)
        m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 10,))
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0] + 1,))
        x = lib.ones(2, requires_grad=True)
        m(x).sum().backward()
        res.append((x.grad.numpy().tolist(), m.w.grad.numpy().tolist()))
    assert res[0] == res[1]


def test_no_input_requires_grad_fires_at_the_output_with_a_warning():
    res = []
    for lib in (minitorch, torch):
        m = _linear(lib)
        log = []
        m.register_full_backward_hook(lambda mod, gi, go, log=log: log.append((gi, _lst(go))))
        with pytest.warns(UserWarning, match="no inputs require gradients"):
            m(lib.ones(2)).sum().backward()
        res.append((log, m.w.grad.numpy().tolist()))
    assert res[0] == res[1]


def test_wrong_number_of_returned_gradients_raises_like_torch():
    msgs = []
    for lib in (minitorch, torch):
        m = _linear(lib)
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
        with pytest.raises(RuntimeError) as e:
            m(lib.ones(2, requires_grad=True)).sum().backward()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1] == "Backward hook returned an invalid number of grad_input, got 2, but expected 1"


def test_handles_remove_and_hooks_cost_nothing_when_absent():
    m = _linear(minitorch)
    calls = []
    h1 = m.register_full_backward_hook(lambda *a: calls.append("full"))
    h2 = m.register_full_backward_pre_hook(lambda *a: calls.append("pre"))
    x = minitorch.ones(2, requires_grad=True)
    m(x).sum().backward()
    assert calls == ["pre", "full"]
    h1.remove()
    h2.remove()
    y = m(x)
    assert y.grad_fn.name() == "MulBackward0"  # no identity node once the hooks are gone
    y.sum().backward()
    assert calls == ["pre", "full"]


def test_old_style_backward_hook_warns_and_cannot_mix_with_full_hooks():
    for lib in (minitorch, torch):
        m = _linear(lib)
        seen = []
        m.register_backward_hook(lambda mod, gi, go, seen=seen: seen.append(_lst(go)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m(lib.ones(2, requires_grad=True)).sum().backward()
        assert seen == [[[1.0, 1.0]]]
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full backward hooks"):
            m.register_full_backward_hook(lambda *a: None)
    m = _linear(minitorch)
    m.register_backward_hook(lambda *a: None)
    with pytest.warns(FutureWarning, match="non-full backward hook"):
        m(minitorch.ones(2, requires_grad=True))


def test_grad_cam_idiom_on_a_conv_net():
    """Store activations in a forward hook and grad_output[0] in a backward hook; compare with torch."""
    np.random.seed(0)
    x_np = np.random.randn(2, 3, 8, 8).astype(np.float32)
    results = []
    for lib in (minitorch, torch):
        lib.manual_seed(0)
        conv = lib.nn.Conv2d(3, 4, 3, padding=1)
        head = lib.nn.Linear(4, 5)
        with lib.no_grad():
            conv.weight.copy_(lib.tensor(np.linspace(-1, 1, 108, dtype=np.float32).reshape(4, 3, 3, 3)))
            conv.bias.zero_()
            head.weight.copy_(lib.tensor(np.linspace(-0.5, 0.5, 20, dtype=np.float32).reshape(5, 4)))
            head.bias.zero_()
        store = {}
        conv.register_forward_hook(lambda mod, inp, out, store=store: store.__setitem__("act", out.detach()))
        conv.register_full_backward_hook(lambda mod, gi, go, store=store: store.__setitem__("grad", go[0]))
        feats = conv(lib.tensor(x_np)).relu()
        logits = head(feats.mean(dim=(2, 3)))
        logits[:, 1].sum().backward()
        weights = store["grad"].mean(dim=(2, 3), keepdim=True)
        cam = (weights * store["act"]).sum(dim=1).relu()
        results.append((cam.detach().numpy(), conv.weight.grad.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-4, atol=1e-5)


def test_identity_module_and_sequential_children():
    for lib in (minitorch, torch):
        class Id(lib.nn.Module):
            def forward(self, x):
                return x

        seen = []
        i = Id()
        i.register_full_backward_hook(lambda mod, gi, go, seen=seen: seen.append((_lst(gi), _lst(go))))
        y = lib.ones(2, requires_grad=True)
        (i(y) * 2).sum().backward()
        assert seen == [([[2.0, 2.0]], [[2.0, 2.0]])]
        assert y.grad.numpy().tolist() == [2.0, 2.0]
