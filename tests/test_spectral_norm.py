"""Spectral normalisation against torch, both APIs: ``nn.utils.parametrizations.spectral_norm`` (buffers
``parametrizations.weight.0._u/_v``) and the hook API ``nn.utils.spectral_norm`` (``weight_orig``,
``weight_u``, ``weight_v``). torch's state (its random u, v included) is copied in, then several SGD steps
are compared: outputs, gradients, the power-iteration buffers (advanced in training mode only)."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
from tests.helpers import assert_close, devices, raises_like_torch, require_torch

torch = require_torch()

LAYERS = {
    "Linear": (lambda L: L.nn.Linear(5, 3), (2, 5)),
    "Conv2d": (lambda L: L.nn.Conv2d(2, 3, 2), (2, 2, 4, 4)),
    "ConvTranspose1d": (lambda L: L.nn.ConvTranspose1d(3, 2, 2), (2, 3, 4)),  # default dim=1
}


def _train_compare(tm, mm, shape, device, steps=3):
    topt = torch.optim.SGD(tm.parameters(), lr=0.1)
    mopt = minitorch.optim.SGD(mm.parameters(), lr=0.1)
    rng = np.random.default_rng(0)
    for _ in range(steps):
        x = rng.standard_normal(shape).astype(np.float32)
        t, m = tm(torch.tensor(x)), mm(minitorch.tensor(x, device=device))
        assert_close(m, t, rtol=1e-4, atol=1e-5)
        g = rng.standard_normal(tuple(t.shape)).astype(np.float32)
        (t * torch.tensor(g)).sum().backward()
        (m * minitorch.tensor(g, device=device)).sum().backward()
        tp, mp = dict(tm.named_parameters()), dict(mm.named_parameters())
        assert list(mp) == list(tp)
        for k in tp:
            assert_close(mp[k].grad, tp[k].grad, rtol=1e-4, atol=1e-5, msg=k)
        topt.step()
        mopt.step()
        topt.zero_grad()
        mopt.zero_grad()
    for k, v in tm.state_dict().items():  # parameters and the u, v buffers
        assert_close(mm.state_dict()[k], v, rtol=1e-4, atol=1e-5, msg=k)


def _copy(mm, tm, device):
    mm.load_state_dict({k: minitorch.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return mm.to(device)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("layer", list(LAYERS))
def test_spectral_norm_parametrization_matches_torch(layer, device):
    build, shape = LAYERS[layer]
    torch.manual_seed(0)
    tm, mm = build(torch), build(minitorch)
    torch.nn.utils.parametrizations.spectral_norm(tm, n_power_iterations=2)
    minitorch.nn.utils.parametrizations.spectral_norm(mm, n_power_iterations=2)
    assert list(mm.state_dict()) == list(tm.state_dict())
    assert "parametrizations.weight.0._u" in mm.state_dict()
    _copy(mm, tm, device)
    _train_compare(tm, mm, shape, device)
    # eval: u and v stay put, and the weight's spectral norm is ~1
    tm.eval()
    mm.eval()
    u = mm.parametrizations.weight[0]._u.detach().cpu().numpy().copy()
    x = np.ones(shape, np.float32)
    assert_close(mm(minitorch.tensor(x, device=device)), tm(torch.tensor(x)), rtol=1e-4, atol=1e-5)
    assert_close(mm.parametrizations.weight[0]._u, u, rtol=0, atol=0)
    minitorch.nn.utils.parametrize.remove_parametrizations(mm, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(tm, "weight")
    assert list(mm.state_dict()) == list(tm.state_dict())
    assert isinstance(mm.weight, minitorch.nn.Parameter)
    assert_close(mm.weight, tm.weight, rtol=1e-4, atol=1e-5)


def test_spectral_norm_parametrization_sigma_and_1d():
    m = minitorch.nn.Linear(6, 4)
    minitorch.nn.utils.parametrizations.spectral_norm(m)  # 15 power iterations at registration
    u0 = m.parametrizations.weight[0]._u
    for _ in range(20):
        m.weight  # noqa: B018  (each read in training mode advances u and v)
    assert m.parametrizations.weight[0]._u is u0  # updated in place, as torch's normalize(out=)
    sigma = np.linalg.svd(m.weight.detach().numpy(), compute_uv=False)[0]
    assert abs(sigma - 1) < 1e-4
    b = minitorch.nn.Linear(3, 4)
    minitorch.nn.utils.parametrizations.spectral_norm(b, "bias")  # 1-d: plain normalisation
    assert abs(np.linalg.norm(b.bias.detach().numpy()) - 1) < 1e-5


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("layer", list(LAYERS))
def test_spectral_norm_hook_api_matches_torch(layer, device):
    build, shape = LAYERS[layer]
    torch.manual_seed(0)
    tm, mm = build(torch), build(minitorch)
    torch.nn.utils.spectral_norm(tm)
    minitorch.nn.utils.spectral_norm(mm)
    assert list(mm.state_dict()) == list(tm.state_dict())
    assert {"weight_orig", "weight_u", "weight_v"} <= set(mm.state_dict())
    _copy(mm, tm, device)
    _train_compare(tm, mm, shape, device)
    tm.eval()
    mm.eval()
    x = np.ones(shape, np.float32)
    assert_close(mm(minitorch.tensor(x, device=device)), tm(torch.tensor(x)), rtol=1e-4, atol=1e-5)
    torch.nn.utils.remove_spectral_norm(tm)
    minitorch.nn.utils.remove_spectral_norm(mm)
    assert list(mm.state_dict()) == list(tm.state_dict())
    assert isinstance(mm.weight, minitorch.nn.Parameter) and mm.weight.device.type == device
    assert_close(mm.weight, tm.weight, rtol=1e-4, atol=1e-5)


def test_spectral_norm_errors_like_torch():
    TZ, PZ = torch.nn.utils.parametrizations, minitorch.nn.utils.parametrizations
    for fn in (
        lambda L, U: U.spectral_norm(L.nn.Linear(2, 2), n_power_iterations=0),
        lambda L, U: U.spectral_norm(L.nn.Linear(2, 2), dim=2),
        lambda L, U: U.spectral_norm(L.nn.Linear(2, 2), "nope"),
    ):
        raises_like_torch(lambda fn=fn: fn(torch, TZ), lambda fn=fn: fn(minitorch, PZ))
    TU, MU = torch.nn.utils, minitorch.nn.utils
    for fn in (
        lambda L, U: U.spectral_norm(L.nn.Linear(2, 2), n_power_iterations=0),
        lambda L, U: U.spectral_norm(L.nn.Linear(2, 2), "nope"),
        lambda L, U: U.spectral_norm(U.spectral_norm(L.nn.Linear(2, 2))),
        lambda L, U: U.remove_spectral_norm(L.nn.Linear(2, 2)),
        lambda L, U: U.spectral_norm(L.nn.Linear(2, 2, bias=False), "bias"),
    ):
        raises_like_torch(lambda fn=fn: fn(torch, TU), lambda fn=fn: fn(minitorch, MU))
