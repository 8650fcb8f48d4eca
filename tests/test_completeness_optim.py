"""torch.optim.Adafactor vs torch 2.13, step for step (matrices, 3-d tensors and vectors, weight decay,
maximize, custom eps / d / lr), its state_dict round trip, and its argument errors."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch

from .helpers import assert_close, raises_like_torch, require_torch

torch = require_torch()
RNG = np.random.default_rng(20250716)
SHAPES = [(4, 3), (2, 3, 5), (6,), (1,)]


def _run(lib, opt_kwargs, inits, grads, dtype):
    params = [lib.tensor(a.astype(dtype), requires_grad=True) for a in inits]
    opt = lib.optim.Adafactor(params, **opt_kwargs)
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = lib.tensor(g.astype(dtype))
        opt.step()
    return params, opt


@pytest.mark.parametrize("kwargs", [{}, {"lr": 0.05, "weight_decay": 0.1}, {"maximize": True},
                                    {"eps": (1e-6, 1e-2), "d": 2.0, "beta2_decay": -0.5},
                                    {"lr": 0.5}])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_adafactor_matches_torch_step_for_step(kwargs, dtype):
    inits = [RNG.standard_normal(s) for s in SHAPES]
    grads = [[RNG.standard_normal(s) for s in SHAPES] for _ in range(6)]
    pm, om = _run(minitorch, kwargs, inits, grads, dtype)
    pt, ot = _run(torch, kwargs, inits, grads, dtype)
    tol = {"rtol": 1e-12, "atol": 1e-13} if dtype == np.float64 else {"rtol": 2e-5, "atol": 1e-6}
    for a, b in zip(pm, pt):
        assert a.dtype == getattr(minitorch, str(b.dtype).split(".")[-1])
        assert_close(a, b, **tol)
    sm, st = om.state_dict(), ot.state_dict()
    assert sm["param_groups"] == st["param_groups"]
    for i in st["state"]:
        assert set(sm["state"][i]) == set(st["state"][i])
        for k, v in st["state"][i].items():
            assert tuple(sm["state"][i][k].shape) == tuple(v.shape), k
            assert_close(sm["state"][i][k], v, **tol)


def test_adafactor_state_dict_round_trip_continues_identically():
    inits = [RNG.standard_normal(s) for s in SHAPES]
    grads = [[RNG.standard_normal(s) for s in SHAPES] for _ in range(4)]
    pm, om = _run(minitorch, {"lr": 0.03}, inits, grads[:2], np.float64)
    saved = om.state_dict()
    clone = [minitorch.tensor(p.detach().numpy().copy(), requires_grad=True) for p in pm]
    om2 = minitorch.optim.Adafactor(clone, lr=0.03)
    om2.load_state_dict(saved)
    for ps, o in ((pm, om), (clone, om2)):
        for g in grads[2:]:
            for p, a in zip(ps, g):
                p.grad = minitorch.tensor(a)
            o.step()
    for a, b in zip(pm, clone):
        assert_close(a, b, rtol=0, atol=0)


@pytest.mark.parametrize("kwargs", [{"lr": -1.0}, {"beta2_decay": 0.5}, {"eps": (-1.0, 1e-3)}, {"eps": (None, -1.0)},
                                    {"d": 0.5}, {"weight_decay": -0.1}])
def test_adafactor_argument_errors_like_torch(kwargs):
    e = raises_like_torch(lambda: torch.optim.Adafactor([torch.zeros(2, requires_grad=True)], **kwargs),
                          lambda: minitorch.optim.Adafactor([minitorch.zeros(2, requires_grad=True)], **kwargs))
    with pytest.raises(ValueError) as te:
        torch.optim.Adafactor([torch.zeros(2, requires_grad=True)], **kwargs)
    assert str(e) == str(te.value)


def test_adafactor_defaults_match_torch():
    om = minitorch.optim.Adafactor([minitorch.zeros(2, requires_grad=True)])
    ot = torch.optim.Adafactor([torch.zeros(2, requires_grad=True)])
    assert om.defaults == ot.defaults
