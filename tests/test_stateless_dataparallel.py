"""nn.utils.stateless.functional_call and nn.DataParallel / nn.parallel against torch: outputs, gradients,
restored parameters, state_dict keys, modes and torch's errors (the cuda cases run on a GPU or the fake one)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitorch
from minitorch.nn.utils import stateless

from .helpers import assert_close, raises_like_torch, require_torch, requires_cuda, to_mt

torch = require_torch()
import torch.nn.utils.stateless as tstateless  # noqa: E402

X = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)


def _mlp(L):
    return L.nn.Sequential(L.nn.Linear(3, 5), L.nn.Tanh(), L.nn.Linear(5, 2), L.nn.BatchNorm1d(2))


def _pair(make=_mlp):
    torch.manual_seed(0)
    t = make(torch)
    m = make(minitorch)
    m.load_state_dict({k: to_mt(v) for k, v in t.state_dict().items()})
    return t, m


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return fn(*args, **kwargs)


# ---- functional_call ------------------------------------------------------------------------------------
def test_functional_call_matches_torch_and_restores():
    t, m = _pair()
    rng = np.random.default_rng(1)
    new_w = rng.standard_normal((5, 3)).astype(np.float32)
    new_rm = rng.standard_normal(2).astype(np.float32)
    pt = {"0.weight": torch.from_numpy(new_w).requires_grad_(), "3.running_mean": torch.from_numpy(new_rm)}
    pm = {"0.weight": minitorch.tensor(new_w, requires_grad=True), "3.running_mean": minitorch.tensor(new_rm)}
    t.eval(), m.eval()
    before = {k: v.detach().clone() for k, v in m.state_dict().items()}
    with pytest.warns(FutureWarning, match="functional_call` is deprecated"):
        ym = stateless.functional_call(m, pm, minitorch.tensor(X))
    with pytest.warns(FutureWarning):
        yt = tstateless.functional_call(t, pt, torch.from_numpy(X))
    assert_close(ym, yt, rtol=1e-5, atol=1e-6)
    ym.sum().backward()
    yt.sum().backward()
    assert_close(pm["0.weight"].grad, pt["0.weight"].grad, rtol=1e-5, atol=1e-5)
    assert m[0].weight.grad is None
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k].numpy(), err_msg=k)
    assert m[0].weight is m._modules["0"]._parameters["weight"]
    assert_close(m(minitorch.tensor(X)), t(torch.from_numpy(X)), rtol=1e-5, atol=1e-6)


def test_functional_call_args_kwargs_and_training_buffers():
    t, m = _pair()
    pt = {"3.running_var": torch.ones(2) * 2}
    pm = {"3.running_var": minitorch.ones(2) * 2}
    yt = _quiet(tstateless.functional_call, t, pt, (torch.from_numpy(X),), {})
    ym = _quiet(stateless.functional_call, m, pm, (minitorch.tensor(X),), {})
    assert_close(ym, yt, rtol=1e-5, atol=1e-6)
    assert_close(pm["3.running_var"], pt["3.running_var"], rtol=1e-5, atol=1e-6)  # in-place update lands here
    assert_close(m[3].running_var, t[3].running_var, rtol=1e-5, atol=1e-6)

    def make_kw(L):
        class M(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = L.nn.Linear(3, 2)

            def forward(self, x, scale=1.0):
                return self.lin(x) * scale

        return M()

    t2, m2 = _pair(make_kw)
    w = np.ones((2, 3), np.float32)
    yt = _quiet(tstateless.functional_call, t2, {"lin.weight": torch.from_numpy(w)}, torch.from_numpy(X),
                {"scale": 3.0})
    ym = _quiet(stateless.functional_call, m2, {"lin.weight": minitorch.tensor(w)}, minitorch.tensor(X),
                {"scale": 3.0})
    assert_close(ym, yt, rtol=1e-5, atol=1e-6)


def test_functional_call_tied_weights_and_strict():
    def make(L):
        class Tied(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = L.nn.Linear(3, 3, bias=False)
                self.b = L.nn.Linear(3, 3, bias=False)
                self.b.weight = self.a.weight

            def forward(self, x):
                return self.b(self.a(x))

        return Tied()

    t, m = _pair(make)
    w = np.eye(3, dtype=np.float32) * 2
    for tie in (True, False):
        yt = _quiet(tstateless.functional_call, t, {"a.weight": torch.from_numpy(w)}, torch.from_numpy(X),
                    tie_weights=tie)
        ym = _quiet(stateless.functional_call, m, {"a.weight": minitorch.tensor(w)}, minitorch.tensor(X),
                    tie_weights=tie)
        assert_close(ym, yt, rtol=1e-5, atol=1e-6)
    raises_like_torch(
        lambda: _quiet(tstateless.functional_call, t, {"a.weight": torch.from_numpy(w), "b.weight": torch.ones(3, 3)},
                       torch.from_numpy(X)),
        lambda: _quiet(stateless.functional_call, m, {"a.weight": minitorch.tensor(w),
                                                      "b.weight": minitorch.ones(3, 3)}, minitorch.tensor(X)))
    raises_like_torch(
        lambda: _quiet(tstateless.functional_call, t, {"a.weight": torch.ones(3, 3)}, torch.from_numpy(X), strict=True,
                       tie_weights=False),
        lambda: _quiet(stateless.functional_call, m, {"a.weight": minitorch.ones(3, 3)}, minitorch.tensor(X),
                       strict=True, tie_weights=False))


def test_functional_call_restores_after_an_error():
    t, m = _pair()
    w0 = m[0].weight
    with pytest.raises(RuntimeError):
        _quiet(stateless.functional_call, m, {"0.weight": minitorch.ones(5, 3)}, minitorch.ones(4, 7))
    assert m[0].weight is w0


def test_functional_call_refuses_dataparallel_and_jit_modules():
    t, m = _pair()
    raises_like_torch(lambda: _quiet(tstateless.functional_call, torch.nn.DataParallel(t), {}, torch.from_numpy(X)),
                      lambda: _quiet(stateless.functional_call, minitorch.nn.DataParallel(m), {}, minitorch.tensor(X)))

    class Scripted(minitorch.jit.ScriptModule):
        def forward(self, x):
            return x

    with pytest.raises(RuntimeError, match="Jitted modules"):
        _quiet(stateless.functional_call, Scripted(), {}, minitorch.tensor(X))


# ---- DataParallel ---------------------------------------------------------------------------------------
@pytest.mark.skipif(minitorch.cuda.is_available(), reason="the no-GPU path (a GPU is present)")
def test_dataparallel_without_gpu_matches_torch():
    t, m = _pair()
    dt, dm = torch.nn.DataParallel(t), minitorch.nn.DataParallel(m)
    assert dm.module is m and dm.device_ids == dt.device_ids == []
    assert hasattr(dm, "dim") == hasattr(dt, "dim")
    assert list(dm.state_dict()) == list(dt.state_dict())
    assert all(k.startswith("module.") for k in dm.state_dict())
    assert repr(dm) == repr(dt).replace("torch.", "minitorch.")
    assert [n for n, _ in dm.named_parameters()] == [n for n, _ in dt.named_parameters()]
    yt, ym = dt(torch.from_numpy(X)), dm(minitorch.tensor(X))
    assert_close(ym, yt, rtol=1e-5, atol=1e-6)
    yt.square().sum().backward()
    ym.square().sum().backward()
    for (n, pt), (_, pm) in zip(dt.named_parameters(), dm.named_parameters()):
        assert_close(pm.grad, pt.grad, rtol=1e-4, atol=1e-5, msg=n)
    assert_close(dm.module[3].running_mean, dt.module[3].running_mean, rtol=1e-5, atol=1e-6)
    dm.eval()
    assert not m.training and not m[3].training
    assert_close(dm(minitorch.tensor(X)), dt.eval()(torch.from_numpy(X)), rtol=1e-5, atol=1e-6)
    m2 = minitorch.nn.DataParallel(_mlp(minitorch))
    m2.load_state_dict({k: to_mt(v) for k, v in dt.state_dict().items()})
    assert_close(m2.eval()(minitorch.tensor(X)), dt(torch.from_numpy(X)), rtol=1e-5, atol=1e-6)
    raises_like_torch(lambda: torch.nn.parallel.data_parallel(t, torch.from_numpy(X)),
                      lambda: minitorch.nn.parallel.data_parallel(m, minitorch.tensor(X)))


def test_dataparallel_passes_kwargs_and_optimizer_trains_the_inner_module():
    def make(L):
        class M(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = L.nn.Linear(3, 2)

            def forward(self, x, *, shift=0.0):
                return self.lin(x) + shift

        return M()

    t, m = _pair(make)
    dm = minitorch.nn.DataParallel(m)
    device = dm.module.lin.weight.device
    assert_close(dm(minitorch.tensor(X), shift=2.0), t(torch.from_numpy(X), shift=2.0), rtol=1e-5, atol=1e-6)
    opt = minitorch.optim.SGD(dm.parameters(), lr=0.5)
    w0 = m.lin.weight.detach().clone()
    dm(minitorch.tensor(X)).sum().backward()
    opt.step()
    assert m.lin.weight.device == device
    assert not np.allclose(m.lin.weight.detach().cpu().numpy(), w0.cpu().numpy())


def test_distributed_data_parallel_needs_a_process_group():
    t, m = _pair()
    err = raises_like_torch(lambda: torch.nn.parallel.DistributedDataParallel(t),
                            lambda: minitorch.nn.parallel.DistributedDataParallel(m))
    assert "init_process_group" in str(err)


@requires_cuda
def test_dataparallel_cuda_moves_module_and_inputs():
    t, m = _pair()
    dm = minitorch.nn.DataParallel(m)
    assert dm.device_ids == [0] and dm.output_device == 0 and dm.dim == 0
    assert all(p.device.type == "cuda" for p in m.parameters())
    x = minitorch.tensor(X, requires_grad=True)
    y = dm(x)
    assert y.device.type == "cuda"
    assert_close(y, t(torch.from_numpy(X)), rtol=1e-4, atol=1e-5)
    y.sum().backward()
    assert x.grad is not None and x.grad.device.type == "cpu"  # the scatter to the GPU is differentiable
    assert list(dm.state_dict()) == ["module." + k for k in m.state_dict()]
    out = minitorch.nn.parallel.data_parallel(m, minitorch.tensor(X), device_ids=[0])
    assert_close(out, t(torch.from_numpy(X)), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="one GPU"):
        minitorch.nn.DataParallel(_mlp(minitorch), device_ids=[0, 1])
    m.cpu()
    with pytest.raises(RuntimeError, match="module must have its parameters and buffers on device"):
        minitorch.nn.parallel.data_parallel(m, minitorch.tensor(X))
