"""nn.Module infrastructure: registration, traversal, state_dict, load_state_dict, to(), hooks, repr,
containers, Parameter, nn.utils, and PyTorch model code run unchanged with ``import minitorch as torch``."""
from __future__ import annotations

import copy
import math
from collections import OrderedDict

import numpy as np
import pytest

import minitorch
from minitorch import nn
from tests.helpers import assert_close, devices, require_torch, to_mt

torch = require_torch()


def build_net(L):
    """A small model with nested modules, a buffer, a non-persistent buffer and a shared parameter."""

    class Block(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = L.nn.Linear(4, 4)
            self.register_buffer("scale", L.ones(4))
            self.register_buffer("tmp", L.zeros(2), persistent=False)

        def forward(self, x):
            return self.fc(x) * self.scale

    class Net(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = Block()
            self.b = Block()
            self.head = L.nn.Sequential(L.nn.ReLU(), L.nn.Linear(4, 2, bias=False))
            self.extra = L.nn.Parameter(L.zeros(3))
            self.tied = self.a.fc  # same module twice: listed once by parameters()

        def forward(self, x):
            return self.head(self.b(self.a(x)))

    return Net()


def test_parameter_basics():
    p = nn.Parameter(minitorch.ones(2, 3))
    assert p.requires_grad and p.is_leaf and isinstance(p, minitorch.Tensor)
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert not nn.Parameter(minitorch.ones(2), requires_grad=False).requires_grad
    t = minitorch.zeros(3)
    q = nn.Parameter(t)
    q.array[0] = 5  # shares memory with t, as torch
    assert t[0].item() == 5
    assert type(q * 2) is minitorch.Tensor and type(q.detach()) is minitorch.Tensor
    assert type(copy.deepcopy(q)) is nn.Parameter
    with pytest.raises(RuntimeError):
        nn.Parameter(minitorch.ones(2, dtype=minitorch.int64))


def test_named_parameters_buffers_modules_match_torch():
    tm, mm = build_net(torch), build_net(minitorch)
    assert [n for n, _ in mm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert [n for n, _ in mm.named_buffers()] == [n for n, _ in tm.named_buffers()]
    assert [n for n, _ in mm.named_modules()] == [n for n, _ in tm.named_modules()]
    assert [n for n, _ in mm.named_children()] == [n for n, _ in tm.named_children()]
    assert [n for n, _ in mm.named_parameters(recurse=False)] == ["extra"]
    assert [n for n, _ in mm.named_parameters(prefix="m")] == [n for n, _ in tm.named_parameters(prefix="m")]
    assert len(list(mm.named_parameters(remove_duplicate=False))) == len(
        list(tm.named_parameters(remove_duplicate=False)))
    assert list(mm.state_dict()) == list(tm.state_dict())
    assert isinstance(mm.state_dict(), OrderedDict)
    assert len(list(mm.parameters())) == len(list(tm.parameters()))
    assert mm.get_submodule("head.1") is mm.head[1]
    assert mm.get_parameter("a.fc.weight") is mm.a.fc.weight
    with pytest.raises(AttributeError):
        mm.get_submodule("a.nope")


def test_state_dict_is_detached_and_shares_memory():
    m = nn.Linear(3, 2)
    sd = m.state_dict()
    assert not sd["weight"].requires_grad and sd["weight"].grad_fn is None
    assert sd["weight"].array is m.weight.array  # a view of the same values, as torch
    assert m.state_dict(keep_vars=True)["weight"] is m.weight


def test_load_state_dict_from_torch_gives_same_outputs():
    tm, mm = build_net(torch), build_net(minitorch)
    result = mm.load_state_dict({k: to_mt(v) for k, v in tm.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    again = build_net(minitorch)
    again.load_state_dict(tm.state_dict())  # torch tensors are accepted directly (converted through NumPy)
    for (k, v), (_, w) in zip(again.state_dict().items(), mm.state_dict().items()):
        np.testing.assert_array_equal(v.numpy(), w.numpy(), err_msg=k)
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    assert_close(mm(minitorch.tensor(x)), tm(torch.tensor(x)), 1e-5, 1e-6)


def test_load_state_dict_errors_list_everything_and_load_nothing():
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 2))
    t = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 2))
    before = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    bad = {"0.weight": minitorch.ones(2, 3), "0.bias": minitorch.ones(5), "1.weight": minitorch.ones(2, 2),
           "junk": minitorch.ones(1), "1.extra": minitorch.ones(1)}
    with pytest.raises(RuntimeError) as mexc:
        m.load_state_dict(bad)
    with pytest.raises(RuntimeError) as texc:
        t.load_state_dict({k: torch.tensor(v.numpy()) for k, v in bad.items()})
    msg = str(mexc.value)
    expected = str(texc.value)
    assert msg == expected
    assert 'Missing key(s) in state_dict: "1.bias"' in msg and '"junk", "1.extra"' in msg
    assert "size mismatch for 0.bias" in msg
    for k, v in m.state_dict().items():  # nothing was loaded
        np.testing.assert_array_equal(v.numpy(), before[k])
    # strict=False: missing/unexpected reported, the rest loaded
    good = {"0.weight": minitorch.ones(2, 3), "junk": minitorch.ones(1)}
    res = m.load_state_dict(good, strict=False)
    assert res.missing_keys == ["0.bias", "1.weight", "1.bias"] and res.unexpected_keys == ["junk"]
    assert np.all(m[0].weight.detach().numpy() == 1)
    with pytest.raises(TypeError):
        m.load_state_dict([1, 2])


def test_load_state_dict_keeps_parameter_identity():
    m = nn.Linear(2, 2)
    w = m.weight
    opt = minitorch.optim.SGD(m.parameters(), lr=0.1) if hasattr(minitorch, "optim") else None
    m.load_state_dict({"weight": minitorch.ones(2, 2), "bias": minitorch.zeros(2)})
    assert m.weight is w and w.requires_grad and np.all(w.detach().numpy() == 1)
    assert opt is None or opt.param_groups[0]["params"][0] is w


def test_attribute_registration_and_errors_like_torch():
    for L in (torch, minitorch):
        m = L.nn.Module()
        m.w = L.nn.Parameter(L.ones(2))
        m.sub = L.nn.Linear(2, 2)
        m.register_buffer("buf", L.zeros(2))
        m.plain = 3
        assert list(m._parameters) == ["w"] and list(m._modules) == ["sub"] and list(m._buffers) == ["buf"]
        with pytest.raises(TypeError):
            m.w = L.ones(2)  # a plain tensor cannot replace a parameter
        with pytest.raises(TypeError):
            m.register_buffer("b2", 5)
        with pytest.raises(KeyError):
            m.register_buffer("a.b", L.ones(1))
        with pytest.raises(KeyError):
            m.register_parameter("plain", None)
        with pytest.raises(TypeError):
            m.add_module("x", 5)
        with pytest.raises(AttributeError):
            _ = m.nope
        m.w = None
        assert "w" in m._parameters and m.w is None
        del m.sub
        assert "sub" not in m._modules
        m.buf = L.ones(2)  # reassigning a buffer keeps it a buffer
        assert "buf" in m._buffers
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(minitorch.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def test_train_eval_propagate():
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.BatchNorm1d(2)))
    assert m.training and all(x.training for x in m.modules())
    assert m.eval() is m
    assert not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())
    with pytest.raises(ValueError):
        m.train("yes")


def test_to_double_keeps_identity_and_casts_only_floats():
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    w = m[0].weight
    m(minitorch.randn(4, 3)).sum().backward()
    assert m.to(minitorch.float64) is m
    assert m[0].weight is w and w.dtype == minitorch.float64 and w.grad.dtype == minitorch.float64
    assert m[1].running_mean.dtype == minitorch.float64
    assert m[1].num_batches_tracked.dtype == minitorch.int64
    y = m(minitorch.randn(4, 3, dtype=minitorch.float64))
    assert y.dtype == minitorch.float64
    m.float()
    assert w.dtype == minitorch.float32 and w.requires_grad
    m.to("cpu")
    m.cpu()
    assert m.double() is m and w.dtype == minitorch.float64
    with pytest.raises(TypeError, match="floating point"):
        m.to(minitorch.int64)


@pytest.mark.parametrize("device", devices())
def test_model_on_device_trains_and_moves_back(device):
    """to(device) keeps Parameter identity; forward/backward/init/clip run there; back to cpu intact."""
    m = build_net(minitorch)
    ref = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    params = list(m.parameters())
    m.to(device)
    assert all(p.device.type == device for p in m.parameters()) and list(m.parameters()) == params
    assert all(b.device.type == device for b in m.buffers())
    nn.init.kaiming_uniform_(m.head[1].weight, a=math.sqrt(5))
    m.head[1].weight.array[...] = minitorch.tensor(ref["head.1.weight"]).to(device).array
    x = minitorch.randn(3, 4).to(device)
    m(x).sum().backward()
    assert m.a.fc.weight.grad.device.type == device
    nn.utils.clip_grad_norm_(m.parameters(), 1.0)
    m.cpu()
    assert all(p.device.type == "cpu" for p in m.parameters())
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), ref[k], err_msg=k)


def test_zero_grad_and_requires_grad():
    m = nn.Linear(3, 2)
    m(minitorch.randn(2, 3)).sum().backward()
    m.zero_grad(set_to_none=False)
    assert np.all(m.weight.grad.numpy() == 0)
    m.zero_grad()
    assert m.weight.grad is None
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_apply_visits_children_first():
    seen = []
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU()))
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]

    def init_fn(mod):
        if isinstance(mod, nn.Linear):
            nn.init.constant_(mod.weight, 0.5)

    m.apply(init_fn)
    assert np.all(m[0].weight.detach().numpy() == 0.5)


@pytest.mark.parametrize("lib", ["torch", "minitorch"])
def test_forward_hooks_and_pre_hooks(lib):
    L = torch if lib == "torch" else minitorch
    m = L.nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: calls.append(("pre", len(args))))
    h2 = m.register_forward_hook(lambda mod, args, out: out * 0)
    h3 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    x = L.ones(1, 2)
    y = m(x)
    assert calls == [("pre", 1)] and float(y.detach().abs().sum()) == 0
    h2.remove()
    h3.remove()
    assert np.allclose(np.asarray(m(x).detach()), np.asarray(m.forward(x).detach()))
    h1.remove()
    m(x)
    assert len(calls) == 2
    with m.register_forward_hook(lambda mod, a, o: o + 1):
        assert np.allclose(np.asarray(m(x).detach()), np.asarray(m.forward(x).detach()) + 1)
    assert np.allclose(np.asarray(m(x).detach()), np.asarray(m.forward(x).detach()))


REPRS = [
    lambda L: L.nn.Sequential(L.nn.Conv2d(1, 6, 5), L.nn.ReLU(), L.nn.MaxPool2d(2, 2), L.nn.Flatten(),
                              L.nn.Linear(6 * 12 * 12, 10)),
    lambda L: L.nn.Sequential(OrderedDict([("conv", L.nn.Conv2d(1, 2, 3, bias=False)),
                                           ("block", L.nn.Sequential(L.nn.BatchNorm2d(2), L.nn.Dropout(0.1)))])),
    lambda L: L.nn.ModuleList([L.nn.Linear(2, 2), L.nn.Linear(2, 2), L.nn.Linear(2, 2), L.nn.ReLU()]),
    lambda L: L.nn.ModuleDict({"a": L.nn.Linear(2, 3), "b": L.nn.GRU(3, 4, batch_first=True)}),
    lambda L: L.nn.Module(),
    build_net,
]


@pytest.mark.parametrize("build", REPRS)
def test_repr_equals_torch(build):
    assert repr(build(minitorch)) == repr(build(torch))


def test_parameter_containers_repr_and_registration():
    tl = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2, 3)), torch.ones(4)])
    ml = nn.ParameterList([nn.Parameter(minitorch.ones(2, 3)), minitorch.ones(4)])
    assert repr(ml) == repr(tl)
    assert [n for n, _ in ml.named_parameters()] == ["0", "1"] and isinstance(ml[1], nn.Parameter)
    ml.append(minitorch.zeros(1))
    assert len(ml) == 3 and list(ml.state_dict()) == ["0", "1", "2"]
    td = torch.nn.ParameterDict({"w": torch.ones(2), "d": torch.ones(3, dtype=torch.float64)})
    md = nn.ParameterDict({"w": minitorch.ones(2), "d": minitorch.ones(3, dtype=minitorch.float64)})
    assert list(md) == list(td) == ["d", "w"]
    assert repr(md) == repr(td)
    del md["d"]
    md["b"] = nn.Parameter(minitorch.zeros(1))
    assert list(md.keys()) == ["w", "b"] and "w" in md and len(md) == 2
    assert [n for n, _ in md.named_parameters()] == ["w", "b"]
    assert md.pop("w").shape == (2,) and list(md) == ["b"]


def test_sequential_api_like_torch():
    for L in (torch, minitorch):
        s = L.nn.Sequential(L.nn.Linear(2, 3), L.nn.ReLU(), L.nn.Linear(3, 1))
        assert len(s) == 3 and isinstance(s[-1], L.nn.Linear) and isinstance(s[1], L.nn.ReLU)
        sub = s[1:]
        assert isinstance(sub, L.nn.Sequential) and len(sub) == 2 and list(sub._modules) == ["1", "2"]
        s.append(L.nn.Sigmoid())
        assert len(s) == 4 and list(s._modules) == ["0", "1", "2", "3"]
        assert [type(m).__name__ for m in s] == ["Linear", "ReLU", "Linear", "Sigmoid"]
        with pytest.raises(IndexError):
            s[4]
        del s[1]
        assert list(s._modules) == ["0", "1", "2"]
        s.insert(1, L.nn.Tanh())
        assert type(s[1]).__name__ == "Tanh"
        named = L.nn.Sequential(OrderedDict([("fc", L.nn.Linear(2, 2)), ("act", L.nn.ReLU())]))
        assert named.fc is named[0] and list(named.state_dict()) == ["fc.weight", "fc.bias"]


def test_modulelist_and_moduledict_api():
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.ReLU())
    ml.extend([nn.Tanh(), nn.Sigmoid()])
    ml.insert(1, nn.Identity())
    assert [type(m).__name__ for m in ml] == ["Linear", "Identity", "ReLU", "Tanh", "Sigmoid"]
    assert isinstance(ml[-1], nn.Sigmoid) and len(ml) == 5 and isinstance(ml[1:3], nn.ModuleList)
    assert list(ml.state_dict()) == ["0.weight", "0.bias"]
    with pytest.raises(TypeError):
        ml.extend(5)
    with pytest.raises(IndexError):
        ml[9]
    md = nn.ModuleDict({"a": nn.Linear(2, 2)})
    md["b"] = nn.ReLU()
    md.update([("c", nn.Tanh())])
    assert list(md) == ["a", "b", "c"] and "b" in md and len(md) == 3
    assert list(md.state_dict()) == ["a.weight", "a.bias"]
    assert isinstance(md.pop("b"), nn.ReLU) and list(md.keys()) == ["a", "c"]


def test_deepcopy_module_is_independent():
    m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    c = copy.deepcopy(m)
    assert isinstance(c[0].weight, nn.Parameter) and c[0].weight is not m[0].weight
    c[0].weight.array[...] = 0
    assert np.any(m[0].weight.detach().numpy() != 0)


def test_state_dict_roundtrip_through_save_and_load(tmp_path):
    m = build_net(minitorch)
    minitorch.save(m.state_dict(), tmp_path / "m.ckpt")
    other = build_net(minitorch)
    other.load_state_dict(minitorch.load(tmp_path / "m.ckpt"))
    for (k, v), (k2, v2) in zip(m.state_dict().items(), other.state_dict().items()):
        assert k == k2 and np.array_equal(v.numpy(), v2.numpy())


# ----------------------------------------------------------------------- nn.utils -----------------
def _grads(L, seed=0):
    rng = np.random.default_rng(seed)
    ps = []
    for shape in [(3, 4), (5,), (2, 2)]:
        p = L.nn.Parameter(L.tensor(rng.standard_normal(shape).astype(np.float32)))
        p.grad = L.tensor(rng.standard_normal(shape).astype(np.float32) * 3)
        ps.append(p)
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    tp, mp = _grads(torch), _grads(minitorch)
    tn = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type)
    mn = nn.utils.clip_grad_norm_(mp, max_norm, norm_type)
    assert_close(mn, tn, 1e-5, 1e-6)
    assert mn.dtype == minitorch.float32
    for t, m in zip(tp, mp):
        assert_close(m.grad, t.grad, 1e-5, 1e-6)


def test_clip_grad_norm_nonfinite_and_empty():
    mp = _grads(minitorch)
    mp[0].grad.array[0, 0] = np.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(mp, 1.0, error_if_nonfinite=True)
    p = nn.Parameter(minitorch.ones(2))
    assert nn.utils.clip_grad_norm_([p], 1.0).item() == 0.0
    q = _grads(minitorch)[0]
    assert nn.utils.clip_grad_norm_(q, 1.0).item() > 1  # a single tensor is accepted


def test_clip_grad_value_matches_torch():
    tp, mp = _grads(torch), _grads(minitorch)
    torch.nn.utils.clip_grad_value_(tp, 1.5)
    nn.utils.clip_grad_value_(mp, 1.5)
    for t, m in zip(tp, mp):
        assert_close(m.grad, t.grad)


def test_parameters_to_vector_and_back():
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    t = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1))
    m.load_state_dict({k: to_mt(v) for k, v in t.state_dict().items()})
    vm = nn.utils.parameters_to_vector(m.parameters())
    vt = torch.nn.utils.parameters_to_vector(t.parameters())
    assert_close(vm, vt)
    vm.sum().backward()  # differentiable, as torch
    assert np.all(m[0].weight.grad.numpy() == 1)
    new = minitorch.arange(vm.numel(), dtype=minitorch.float32)
    nn.utils.vector_to_parameters(new, m.parameters())
    torch.nn.utils.vector_to_parameters(torch.arange(vt.numel(), dtype=torch.float32), t.parameters())
    for (k, a), (_, b) in zip(m.state_dict().items(), t.state_dict().items()):
        assert_close(a, b, msg=k)
    with pytest.raises(TypeError):
        nn.utils.vector_to_parameters([1.0], m.parameters())


# ----------------------------------------------------------------------- same source, both libraries
MODEL_SOURCE = '''
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 32)
        self.fc2 = nn.Linear(32, 16)
        self.out = nn.Linear(16, 5)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = torch.tanh(self.fc2(x))
        return F.log_softmax(self.out(x), dim=1)


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.bn = nn.BatchNorm2d(16)
        self.fc1 = nn.Linear(16 * 5 * 5, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.bn(self.conv2(x))))
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


class TinyLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(12, 8)
        self.lstm = nn.LSTM(8, 16, num_layers=2, batch_first=True)
        self.head = nn.Linear(16, 3)

    def forward(self, tokens):
        out, (h, c) = self.lstm(self.emb(tokens))
        return self.head(out[:, -1, :])


def train_step(model, x, y, loss_fn):
    model.train()
    loss = loss_fn(model(x), y)
    loss.backward()
    with torch.no_grad():
        logits = model.eval()(x)
    return loss, logits
'''


def _load_source(lib, monkeypatch):
    """Exec MODEL_SOURCE with ``torch`` bound to ``lib`` (``import torch.nn`` resolves to lib.nn)."""
    import sys

    if lib is minitorch:
        monkeypatch.setitem(sys.modules, "torch", minitorch)
        monkeypatch.setitem(sys.modules, "torch.nn", minitorch.nn)
        monkeypatch.setitem(sys.modules, "torch.nn.functional", minitorch.nn.functional)
    ns = {"torch": lib}
    exec(compile(MODEL_SOURCE, "<model source>", "exec"), ns)
    if lib is minitorch:
        monkeypatch.undo()
    return ns


@pytest.mark.parametrize("model_name", ["MLP", "LeNet", "TinyLSTM"])
def test_same_model_source_runs_under_both_libraries(model_name, monkeypatch):
    tns = _load_source(torch, monkeypatch)
    mns = _load_source(minitorch, monkeypatch)
    torch.manual_seed(0)
    tmodel, mmodel = tns[model_name](), mns[model_name]()
    assert repr(mmodel) == repr(tmodel)
    assert list(mmodel.state_dict()) == list(tmodel.state_dict())
    mmodel.load_state_dict({k: to_mt(v) for k, v in tmodel.state_dict().items()})
    rng = np.random.default_rng(0)
    if model_name == "MLP":
        x = rng.standard_normal((8, 20)).astype(np.float32)
        y = rng.integers(0, 5, 8)
        tloss_fn, mloss_fn = torch.nn.NLLLoss(), nn.NLLLoss()
    elif model_name == "LeNet":
        x = rng.standard_normal((4, 1, 28, 28)).astype(np.float32)
        y = rng.integers(0, 10, 4)
        tloss_fn, mloss_fn = torch.nn.CrossEntropyLoss(), nn.CrossEntropyLoss()
    else:
        x = rng.integers(0, 12, (4, 7))
        y = rng.integers(0, 3, 4)
        tloss_fn, mloss_fn = torch.nn.CrossEntropyLoss(), nn.CrossEntropyLoss()
    tl, tlogits = tns["train_step"](tmodel, torch.tensor(x), torch.tensor(y), tloss_fn)
    ml, mlogits = mns["train_step"](mmodel, minitorch.tensor(x), minitorch.tensor(y), mloss_fn)
    assert_close(ml, tl, 1e-4, 1e-5)
    assert_close(mlogits, tlogits, 1e-4, 1e-5)
    mparams = dict(mmodel.named_parameters())
    for name, p in tmodel.named_parameters():
        assert_close(mparams[name].grad, p.grad, 1e-3, 1e-5, msg=name)
    for name, b in tmodel.named_buffers():
        assert_close(dict(mmodel.named_buffers())[name], b, 1e-4, 1e-5, msg=name)
