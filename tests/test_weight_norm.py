"""nn.utils.weight_norm / remove_weight_norm (the hook API) against torch: parameters, state_dict keys,
outputs and the gradients of weight_g and weight_v, on each device; errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitorch
from tests.helpers import assert_close, devices, raises_like_torch, require_torch

torch = require_torch()

LAYERS = [
    ("Linear", lambda L: L.nn.Linear(4, 3), (2, 4)),
    ("Conv1d", lambda L: L.nn.Conv1d(3, 4, 2), (2, 3, 5)),
]


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return fn(*args, **kw)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("dim", [0, 1, None, -1])
@pytest.mark.parametrize("name,build,shape", LAYERS, ids=[c[0] for c in LAYERS])
def test_weight_norm_matches_torch(name, build, shape, dim, device):
    torch.manual_seed(0)
    tm, mm = build(torch), build(minitorch)
    mm.load_state_dict({k: minitorch.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    _quiet(torch.nn.utils.weight_norm, tm, dim=dim)
    _quiet(minitorch.nn.utils.weight_norm, mm, dim=dim)
    mm.to(device)
    assert list(mm.state_dict()) == list(tm.state_dict())
    for key, value in tm.state_dict().items():
        assert_close(mm.state_dict()[key], value, msg=key)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    for step in range(2):  # the weight is recomputed from g and v before every forward
        t, m = tm(torch.tensor(x)), mm(minitorch.tensor(x, device=device))
        assert_close(m, t, rtol=1e-5, atol=1e-6)
        g = np.random.default_rng(step).standard_normal(tuple(t.shape)).astype(np.float32)
        (t * torch.tensor(g)).sum().backward()
        (m * minitorch.tensor(g, device=device)).sum().backward()
        for pname in ("weight_g", "weight_v", "bias"):
            assert_close(getattr(mm, pname).grad, getattr(tm, pname).grad, rtol=1e-4, atol=1e-5, msg=pname)
        with torch.no_grad():
            tm.weight_g.mul_(1.5)
        with minitorch.no_grad():
            mm.weight_g.array *= 1.5
    torch.nn.utils.remove_weight_norm(tm)
    minitorch.nn.utils.remove_weight_norm(mm)
    assert list(mm.state_dict()) == list(tm.state_dict())
    assert isinstance(mm.weight, minitorch.nn.Parameter)
    assert_close(mm.weight, tm.weight, rtol=1e-5, atol=1e-6)


def test_weight_norm_warns_like_torch_and_names_other_parameters():
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        m = minitorch.nn.utils.weight_norm(minitorch.nn.Linear(3, 2), name="bias", dim=None)
    assert {n for n, _ in m.named_parameters()} == {"weight", "bias_g", "bias_v"}
    assert_close(m.bias_g, np.linalg.norm(m.bias_v.detach().numpy()))


BAD = [
    ("twice", lambda L: _quiet(L.nn.utils.weight_norm, _quiet(L.nn.utils.weight_norm, L.nn.Linear(2, 2)))),
    ("remove missing", lambda L: L.nn.utils.remove_weight_norm(L.nn.Linear(2, 2))),
]


@pytest.mark.parametrize("name,fn", BAD, ids=[b[0] for b in BAD])
def test_bad_weight_norm_raises_torch_type(name, fn):
    raises_like_torch(lambda: fn(torch), lambda: fn(minitorch))
