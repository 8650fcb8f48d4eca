"""Lazy modules (LazyLinear, LazyConv*, LazyConvTranspose*, LazyBatchNorm*, LazyInstanceNorm*) against torch:
first-forward materialisation, class swap, init, optimizer built before the forward, state dicts, errors."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import minitorch
from minitorch import nn

from .helpers import assert_close, devices, raises_like_torch, require_torch, to_mt

torch = require_torch()

# (lazy class name, eager class name, constructor args, input shape)
CASES = [
    ("LazyLinear", "Linear", (3,), (4, 5)),
    ("LazyConv1d", "Conv1d", (4, 3), (2, 3, 7)),
    ("LazyConv2d", "Conv2d", (4, 3), (2, 2, 6, 6)),
    ("LazyConv3d", "Conv3d", (2, 2), (1, 3, 4, 4, 4)),
    ("LazyConvTranspose1d", "ConvTranspose1d", (4, 3), (2, 3, 5)),
    ("LazyConvTranspose2d", "ConvTranspose2d", (2, 3), (2, 3, 4, 4)),
    ("LazyConvTranspose3d", "ConvTranspose3d", (2, 2), (1, 2, 3, 3, 3)),
    ("LazyBatchNorm1d", "BatchNorm1d", (), (6, 3)),
    ("LazyBatchNorm2d", "BatchNorm2d", (), (2, 3, 4, 4)),
    ("LazyBatchNorm3d", "BatchNorm3d", (), (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", "InstanceNorm1d", (), (2, 3, 5)),
    ("LazyInstanceNorm2d", "InstanceNorm2d", (), (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", "InstanceNorm3d", (), (2, 3, 2, 2, 3)),
]
IDS = [c[0] for c in CASES]


def _load_from_torch(mt_module, torch_module, device):
    sd = {k: to_mt(v).to(device) for k, v in torch_module.state_dict().items()}
    mt_module.load_state_dict(sd)


def _fwd_bwd(module, x, lib):
    out = module(x)
    g = lib.from_numpy(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)).astype(np.float32))
    if lib is minitorch:
        g = g.to(x.device)
    out.backward(g)
    return out, x.grad, {n: p.grad for n, p in module.named_parameters()}


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("lazy_name,eager_name,args,shape", CASES, ids=IDS)
def test_first_forward_matches_eager_and_torch(lazy_name, eager_name, args, shape, device):
    x_np = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    tm = getattr(torch.nn, lazy_name)(*args)
    t_first = tm(torch.from_numpy(x_np))
    m = getattr(nn, lazy_name)(*args, device=device)
    assert isinstance(m, nn.modules.lazy.LazyModuleMixin) and m.has_uninitialized_params()
    first = m(minitorch.tensor(x_np, device=device))
    # it *is* the eager class now, with torch's parameter shapes, on the requested device
    assert type(m) is getattr(nn, eager_name) and type(tm) is getattr(torch.nn, eager_name)
    assert not hasattr(m, "_initialize_hook") and not m._forward_pre_hooks
    assert first.shape == t_first.shape
    assert {k: tuple(v.shape) for k, v in m.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in tm.state_dict().items()}
    assert all(t.device.type == device for t in m.state_dict().values())
    assert all(type(p) is nn.Parameter for p in m.parameters())
    # torch's materialised weights (and statistics) in: the next forward/backward equals torch's
    _load_from_torch(m, tm, device)
    x = minitorch.tensor(x_np, device=device, requires_grad=True)
    xt = torch.from_numpy(x_np).requires_grad_(True)
    out, gx, gp = _fwd_bwd(m, x, minitorch)
    t_out, t_gx, t_gp = _fwd_bwd(tm, xt, torch)
    assert_close(out, t_out, rtol=1e-4, atol=1e-5)
    assert_close(gx, t_gx, rtol=1e-4, atol=1e-5)
    for name in t_gp:
        assert_close(gp[name], t_gp[name], rtol=1e-4, atol=1e-4, msg=name)
    for k, v in tm.state_dict().items():
        assert_close(m.state_dict()[k], v, rtol=1e-5, atol=1e-6, msg=k)
    # the eager module with the same weights gives the same result
    eager = copy.deepcopy(m)
    fresh = getattr(nn, lazy_name)(*args, device=device)
    fresh(minitorch.tensor(x_np, device=device))
    fresh.load_state_dict(eager.state_dict())
    x2 = minitorch.tensor(x_np, device=device, requires_grad=True)
    out2, gx2, _ = _fwd_bwd(fresh, x2, minitorch)
    out3, gx3, _ = _fwd_bwd(eager, minitorch.tensor(x_np, device=device, requires_grad=True), minitorch)
    assert_close(out2, out3)
    assert_close(gx2, gx3)


@pytest.mark.parametrize("name,args,shape,fan_in", [
    ("LazyLinear", (50,), (2, 40), 40), ("LazyConv2d", (30, 3), (1, 4, 5, 5), 36),
    ("LazyConvTranspose1d", (6, 2), (1, 40, 3), 12),
])
def test_init_distribution_as_eager(name, args, shape, fan_in):
    m = getattr(nn, name)(*args)
    m(minitorch.randn(*shape))
    bound = 1 / np.sqrt(fan_in)
    for p in (m.weight, m.bias):
        a = p.detach().numpy()
        assert np.abs(a).max() <= bound and np.abs(a).max() > 0.5 * bound and a.std() > 0.3 * bound


def test_batchnorm_init_and_statistics():
    m = nn.LazyBatchNorm1d()
    m(minitorch.ones(4, 3))
    assert_close(m.weight, np.ones(3))
    assert_close(m.bias, np.zeros(3))
    assert_close(m.running_mean, np.full(3, 0.1))
    assert_close(m.running_var, np.full(3, 0.9))
    assert int(m.num_batches_tracked.item()) == 1 and type(m.running_mean) is minitorch.Tensor


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("opt", ["SGD", "Adam"])
def test_optimizer_built_before_first_forward_trains(opt, device):
    model = nn.Sequential(nn.LazyLinear(8, device=device), nn.ReLU(), nn.LazyLinear(1, device=device))
    params = list(model.parameters())
    optimizer = getattr(minitorch.optim, opt)(model.parameters(), lr=0.1, **({"momentum": 0.9} if opt == "SGD" else {}))
    x = minitorch.randn(16, 5, device=device)
    loss = model(x).pow(2).mean()
    assert [type(m) for m in model] == [nn.Linear, nn.ReLU, nn.Linear]
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]  # materialised in place
    assert [id(p) for p in optimizer.param_groups[0]["params"]] == [id(p) for p in params]
    before = [p.detach().clone() for p in params]
    loss.backward()
    optimizer.step()
    for p, b in zip(params, before):
        assert p.grad is not None and p.shape == b.shape
        assert not np.allclose(p.detach().cpu().numpy(), b.cpu().numpy())
    for _ in range(5):
        optimizer.zero_grad()
        new_loss = model(x).pow(2).mean()
        new_loss.backward()
        optimizer.step()
    assert new_loss.item() < loss.item()


def test_state_dict_of_uninitialized_module_like_torch():
    m, tm = nn.LazyBatchNorm2d(), torch.nn.LazyBatchNorm2d()
    sd, tsd = m.state_dict(), tm.state_dict()
    assert list(sd) == list(tsd)
    assert [type(v).__name__ for v in sd.values()] == [type(v).__name__ for v in tsd.values()]
    assert repr(sd["weight"]) == repr(tsd["weight"]) == "<UninitializedParameter>"
    assert repr(nn.LazyLinear(3)) == repr(torch.nn.LazyLinear(3))
    assert isinstance(sd["weight"], nn.UninitializedParameter) and isinstance(sd["weight"], nn.Parameter)
    assert isinstance(sd["running_mean"], nn.UninitializedBuffer)
    assert nn.parameter.is_lazy(sd["weight"]) and not nn.parameter.is_lazy(sd["num_batches_tracked"])


@pytest.mark.parametrize("device", devices())
def test_load_state_dict_into_uninitialized_module(device):
    tsrc = torch.nn.Linear(5, 3)
    tm = torch.nn.LazyLinear(3)
    tm.load_state_dict(tsrc.state_dict())
    m = nn.LazyLinear(3, device=device)
    result = m.load_state_dict({k: to_mt(v) for k, v in tsrc.state_dict().items()})
    assert repr(result) == repr(tm.load_state_dict(tsrc.state_dict()))
    assert type(m) is nn.LazyLinear and type(tm) is torch.nn.LazyLinear  # lazy until the first forward
    assert not m.has_uninitialized_params() and tuple(m.weight.shape) == tuple(tm.weight.shape)
    assert m.weight.device.type == device
    x = np.random.default_rng(1).standard_normal((2, 5)).astype(np.float32)
    out = m(minitorch.tensor(x, device=device))
    assert type(m) is nn.Linear and m.in_features == 5
    assert_close(out, tm(torch.from_numpy(x)))  # the loaded values survive the first forward
    # buffers too: a lazy batch norm takes its statistics from the checkpoint
    src = nn.BatchNorm1d(4)
    src(minitorch.randn(8, 4))
    bn = nn.LazyBatchNorm1d()
    bn.load_state_dict(src.state_dict())
    assert_close(bn.running_var, src.running_var)
    assert type(bn.running_var) is minitorch.Tensor


def test_module_to_before_first_forward_sets_dtype():
    m, tm = nn.LazyConv1d(2, 3).double(), torch.nn.LazyConv1d(2, 3).double()
    m(minitorch.randn(1, 2, 5, dtype=minitorch.float64))
    tm(torch.randn(1, 2, 5, dtype=torch.float64))
    assert str(m.weight.dtype).split(".")[-1] == str(tm.weight.dtype).split(".")[-1] == "float64"
    m = nn.LazyLinear(2, dtype=minitorch.float64)
    assert m.weight.dtype == minitorch.float64 and m.weight.requires_grad


def test_deepcopy_and_nested_modules():
    model = nn.Sequential(nn.LazyConv2d(4, 3, padding=1), nn.LazyBatchNorm2d(), nn.Flatten(), nn.LazyLinear(2))
    clone = copy.deepcopy(model)
    assert isinstance(clone[0].weight, nn.UninitializedParameter)
    out = clone(minitorch.randn(2, 3, 5, 5))
    assert out.shape == (2, 2) and clone[3].in_features == 100
    assert isinstance(model[0].weight, nn.UninitializedParameter)  # the original is untouched


def test_errors_like_torch():
    raises_like_torch(lambda: torch.nn.LazyLinear(3).weight.shape, lambda: nn.LazyLinear(3).weight.shape)
    raises_like_torch(lambda: torch.nn.LazyConv2d(4, 3)(torch.randn(2, 5)),
                      lambda: nn.LazyConv2d(4, 3)(minitorch.randn(2, 5)))
    raises_like_torch(lambda: torch.nn.LazyConv2d(4, 3, groups=2)(torch.randn(1, 3, 5, 5)),
                      lambda: nn.LazyConv2d(4, 3, groups=2)(minitorch.randn(1, 3, 5, 5)))
    raises_like_torch(lambda: torch.nn.LazyBatchNorm2d()(torch.randn(2, 3, 4)),
                      lambda: nn.LazyBatchNorm2d()(minitorch.randn(2, 3, 4)))
    raises_like_torch(lambda: nn.LazyBatchNorm1d().state_dict()["weight"].share_memory_(),
                      lambda: nn.LazyBatchNorm1d().state_dict()["weight"].share_memory_())

    def bare(lib):
        class Bare(lib.nn.modules.lazy.LazyModuleMixin, lib.nn.Module):
            pass
        return Bare()(lib.ones(1))

    raises_like_torch(lambda: bare(torch), lambda: bare(minitorch))
    # a lazy weight loaded into an initialised module: shape access fails (RuntimeError) in both
    raises_like_torch(lambda: torch.nn.Linear(2, 3).load_state_dict(torch.nn.LazyLinear(3).state_dict()),
                      lambda: nn.Linear(2, 3).load_state_dict(nn.LazyLinear(3).state_dict()))


def test_exports():
    for name in ("UninitializedParameter", "UninitializedBuffer", "LazyLinear", "LazyConvTranspose3d",
                 "LazyBatchNorm3d", "LazyInstanceNorm2d"):
        assert hasattr(nn, name) and hasattr(torch.nn, name)
    assert nn.parameter.UninitializedParameter is nn.UninitializedParameter


def test_load_state_dict_into_a_container_of_lazy_layers_like_torch():
    """Module.load_state_dict lets lazy children take their shapes from the dict first (torch's load hook)."""
    src = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    state = {k: minitorch.tensor(v.detach().numpy().copy()) for k, v in src.state_dict().items()}
    lazy = minitorch.nn.Sequential(minitorch.nn.LazyLinear(4), minitorch.nn.ReLU(), minitorch.nn.LazyLinear(2))
    lazy.load_state_dict(state)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    assert_close(lazy(minitorch.tensor(x)), src(torch.tensor(x)))
    assert type(lazy[0]) is minitorch.nn.Linear
