"""nn.utils.parametrize and nn.utils.parametrizations.{weight_norm, orthogonal} against torch: state_dict keys,
values, outputs and gradients of the originals (with torch's state copied in), right_inverse on assignment,
chaining, caching, removal, devices, and errors."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import minitorch
from tests.helpers import assert_close, devices, raises_like_torch, require_torch

torch = require_torch()


def _load_from_torch(mm, tm, device="cpu"):
    mm.load_state_dict({k: minitorch.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return mm.to(device)


def _symmetric(L):
    class Symmetric(L.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).mT

        def right_inverse(self, A):
            return A.triu()

    return Symmetric()


def _scale(L, c):
    class Scale(L.nn.Module):
        def forward(self, X):
            return X * c

        def right_inverse(self, A):
            return A / c

    return Scale()


def _rank_one(L):
    class RankOne(L.nn.Module):
        def forward(self, x, y):
            return x.unsqueeze(-1) @ y.unsqueeze(-2)

        def right_inverse(self, Z):
            return Z[:, 0].clone(), Z[0, :].clone() / Z[0, 0]

    return RankOne()


def _step_both(tm, mm, x, device, steps=2, check_grads=True):
    """Run forward/backward on both with the same upstream gradient, compare, and take an SGD step."""
    topt = torch.optim.SGD(tm.parameters(), lr=0.1)
    mopt = minitorch.optim.SGD(mm.parameters(), lr=0.1)
    for step in range(steps):
        t, m = tm(torch.tensor(x)), mm(minitorch.tensor(x, device=device))
        assert_close(m, t, rtol=1e-4, atol=1e-5)
        g = np.random.default_rng(step).standard_normal(tuple(t.shape)).astype(np.float32)
        (t * torch.tensor(g)).sum().backward()
        (m * minitorch.tensor(g, device=device)).sum().backward()
        if check_grads:
            tp, mp = dict(tm.named_parameters()), dict(mm.named_parameters())
            assert list(mp) == list(tp)
            for k in tp:
                assert_close(mp[k].grad, tp[k].grad, rtol=1e-4, atol=1e-5, msg=k)
        topt.step()
        mopt.step()
        topt.zero_grad()
        mopt.zero_grad()


@pytest.mark.parametrize("device", devices())
def test_custom_parametrization_chain_assign_and_remove(device):
    P, TP = minitorch.nn.utils.parametrize, torch.nn.utils.parametrize
    torch.manual_seed(0)
    tm, mm = torch.nn.Linear(4, 4), minitorch.nn.Linear(4, 4)
    for U, m in ((TP, tm), (P, mm)):
        L = torch if U is TP else minitorch
        U.register_parametrization(m, "weight", _symmetric(L))
        U.register_parametrization(m, "weight", _scale(L, 2.0))
    assert type(mm).__name__ == "ParametrizedLinear" and isinstance(mm, minitorch.nn.Linear)
    assert P.type_before_parametrizations(mm) is minitorch.nn.Linear
    assert P.is_parametrized(mm) and P.is_parametrized(mm, "weight") and not P.is_parametrized(mm, "bias")
    assert isinstance(mm.parametrizations.weight, P.ParametrizationList) and len(mm.parametrizations.weight) == 2
    assert list(mm.state_dict()) == list(tm.state_dict()) == ["bias", "parametrizations.weight.original"]
    _load_from_torch(mm, tm, device)
    assert mm.weight.device.type == device
    assert_close(mm.weight, tm.weight)
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    _step_both(tm, mm, x, device)
    # assigning goes through right_inverse of every parametrization, last first
    A = np.random.default_rng(1).standard_normal((4, 4)).astype(np.float32)
    A = A + A.T
    original = mm.parametrizations.weight.original
    mm.weight = minitorch.tensor(A, device=device)
    tm.weight = torch.tensor(A)
    assert mm.parametrizations.weight.original is original  # same Parameter object, new value
    assert_close(mm.weight, A, rtol=1e-6, atol=1e-6)
    assert_close(original, tm.parametrizations.weight.original)
    # removal leaves a plain parameter with the parametrized value, the class restored
    P.remove_parametrizations(mm, "weight")
    TP.remove_parametrizations(tm, "weight")
    assert type(mm) is minitorch.nn.Linear and not P.is_parametrized(mm)
    assert isinstance(mm.weight, minitorch.nn.Parameter) and mm.weight is original
    assert list(mm.state_dict()) == list(tm.state_dict()) == ["bias", "weight"]
    assert_close(mm.weight, tm.weight)


def test_remove_leave_unparametrized_and_buffers():
    P = minitorch.nn.utils.parametrize
    m = minitorch.nn.BatchNorm1d(3)
    P.register_parametrization(m, "running_var", _scale(minitorch, 3.0))
    tm = torch.nn.BatchNorm1d(3)
    torch.nn.utils.parametrize.register_parametrization(tm, "running_var", _scale(torch, 3.0))
    assert list(m.state_dict()) == list(tm.state_dict())
    assert "parametrizations.running_var.original" in dict(m.named_buffers())
    assert_close(m.running_var, np.ones(3, np.float32))
    assert_close(m.parametrizations.running_var.original, np.full(3, 1 / 3, np.float32))
    P.remove_parametrizations(m, "running_var", leave_parametrized=False)
    assert "running_var" in m._buffers
    assert_close(m.running_var, np.full(3, 1 / 3, np.float32))


def test_tuple_right_inverse_gives_original0_original1():
    P, TP = minitorch.nn.utils.parametrize, torch.nn.utils.parametrize
    torch.manual_seed(0)
    tm, mm = torch.nn.Linear(3, 4), minitorch.nn.Linear(3, 4)
    TP.register_parametrization(tm, "weight", _rank_one(torch))
    P.register_parametrization(mm, "weight", _rank_one(minitorch))
    assert list(mm.state_dict()) == list(tm.state_dict())
    assert "parametrizations.weight.original1" in mm.state_dict()
    _load_from_torch(mm, tm)
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    _step_both(tm, mm, x, "cpu")
    raises_like_torch(lambda: TP.remove_parametrizations(tm, "weight", leave_parametrized=False),
                      lambda: P.remove_parametrizations(mm, "weight", leave_parametrized=False))
    w = mm.weight.detach().numpy().copy()
    P.remove_parametrizations(mm, "weight")
    assert isinstance(mm.weight, minitorch.nn.Parameter)
    assert_close(mm.weight, w)


def test_cached_computes_once_and_deepcopy_pickle():
    P = minitorch.nn.utils.parametrize
    calls = []

    class Count(minitorch.nn.Module):
        def forward(self, X):
            calls.append(1)
            return X * 2

    m = minitorch.nn.Linear(2, 2)
    P.register_parametrization(m, "weight", Count())
    calls.clear()
    with P.cached():
        a, b = m.weight, m.weight
    assert a is b and len(calls) == 1
    m.weight  # noqa: B018
    assert len(calls) == 2
    c = copy.deepcopy(m)
    assert type(c) is type(m) and c.parametrizations.weight.original is not m.parametrizations.weight.original
    assert_close(c.weight, m.weight)
    with pytest.raises(RuntimeError, match="state_dict"):
        pickle.dumps(m)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("dim", [0, 1, None])
@pytest.mark.parametrize("layer", ["Linear", "Conv1d"])
def test_weight_norm_parametrization_matches_torch(layer, dim, device):
    build = {"Linear": lambda L: L.nn.Linear(4, 3), "Conv1d": lambda L: L.nn.Conv1d(3, 4, 2)}[layer]
    shape = {"Linear": (2, 4), "Conv1d": (2, 3, 5)}[layer]
    torch.manual_seed(0)
    tm, mm = build(torch), build(minitorch)
    mm.load_state_dict({k: minitorch.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    torch.nn.utils.parametrizations.weight_norm(tm, dim=dim)
    minitorch.nn.utils.parametrizations.weight_norm(mm, dim=dim)
    mm.to(device)
    assert list(mm.state_dict()) == list(tm.state_dict())
    for key, value in tm.state_dict().items():  # g = ||v|| and v = weight, as torch computes them
        assert_close(mm.state_dict()[key], value, msg=key)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    _step_both(tm, mm, x, device)
    minitorch.nn.utils.parametrize.remove_parametrizations(mm, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(tm, "weight")
    assert list(mm.state_dict()) == list(tm.state_dict())
    assert isinstance(mm.weight, minitorch.nn.Parameter) and mm.weight.device.type == device
    assert_close(mm.weight, tm.weight, rtol=1e-5, atol=1e-6)


def _orthogonality_error(W):
    W = W.detach().cpu().numpy().astype(np.float64)
    if W.shape[-2] < W.shape[-1]:
        W = np.swapaxes(W, -1, -2)
    return np.abs(np.swapaxes(W, -1, -2) @ W - np.eye(W.shape[-1])).max()


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("orth_map", [None, "matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)], ids=["square", "tall", "wide"])
def test_orthogonal_matches_torch_and_stays_orthogonal(shape, orth_map, device):
    torch.manual_seed(0)
    tm, mm = torch.nn.Linear(shape[1], shape[0]), minitorch.nn.Linear(shape[1], shape[0])
    torch.nn.utils.parametrizations.orthogonal(tm, orthogonal_map=orth_map)
    minitorch.nn.utils.parametrizations.orthogonal(mm, orthogonal_map=orth_map)
    assert list(mm.state_dict()) == list(tm.state_dict())
    assert "parametrizations.weight.0.base" in mm.state_dict()
    assert _orthogonality_error(mm.weight) < 1e-5  # minitorch's own init (its QR, its random completion)
    _load_from_torch(mm, tm, device)
    assert_close(mm.weight, tm.weight, rtol=1e-5, atol=1e-6)
    x = np.random.default_rng(0).standard_normal((2, shape[1])).astype(np.float32)
    _step_both(tm, mm, x, device, steps=3)
    assert _orthogonality_error(mm.weight) < 1e-5
    assert _orthogonality_error(mm.parametrizations.weight.original) > 1e-2  # the original moved freely
    assert_close(mm.weight, tm.weight, rtol=1e-4, atol=1e-5)


def test_orthogonal_assign_and_without_trivialization():
    torch.manual_seed(0)
    tm, mm = torch.nn.Linear(3, 3), minitorch.nn.Linear(3, 3)
    torch.nn.utils.parametrizations.orthogonal(tm)
    minitorch.nn.utils.parametrizations.orthogonal(mm)
    A = np.random.default_rng(0).standard_normal((3, 3)).astype(np.float32)
    tm.weight = torch.tensor(A)
    mm.weight = minitorch.tensor(A)  # projected onto the orthogonal matrices by QR, as torch
    assert_close(mm.weight, tm.weight, rtol=1e-4, atol=1e-5)
    t2, m2 = torch.nn.Linear(3, 3), minitorch.nn.Linear(3, 3)
    torch.nn.utils.parametrizations.orthogonal(t2, orthogonal_map="cayley", use_trivialization=False)
    minitorch.nn.utils.parametrizations.orthogonal(m2, orthogonal_map="cayley", use_trivialization=False)
    assert list(m2.state_dict()) == list(t2.state_dict())
    _load_from_torch(m2, t2)
    assert_close(m2.weight, t2.weight, rtol=1e-5, atol=1e-6)
    raises_like_torch(lambda: setattr(t2, "weight", torch.tensor(A)),
                      lambda: setattr(m2, "weight", minitorch.tensor(A)))


def test_errors_like_torch():
    TP, P = torch.nn.utils.parametrize, minitorch.nn.utils.parametrize
    TZ, PZ = torch.nn.utils.parametrizations, minitorch.nn.utils.parametrizations

    class Shrink:
        def __init__(self, L):
            self.L = L

        def __call__(self):
            class S(self.L.nn.Module):
                def forward(self, X):
                    return X[:1]

            return S()

    cases = [
        (lambda L, U: U.register_parametrization(L.nn.Linear(2, 2), "nope", _scale(L, 2.0)), "parametrize"),
        (lambda L, U: U.register_parametrization(L.nn.Linear(2, 2), "weight", Shrink(L)()), "parametrize"),
        (lambda L, U: U.remove_parametrizations(L.nn.Linear(2, 2), "weight"), "parametrize"),
        (lambda L, U: U.orthogonal(L.nn.Linear(2, 2), "bias"), "parametrizations"),
        (lambda L, U: U.orthogonal(L.nn.Linear(2, 2), "nope"), "parametrizations"),
        (lambda L, U: U.orthogonal(L.nn.Linear(2, 2), orthogonal_map="svd"), "parametrizations"),
    ]
    for fn, which in cases:
        tu, mu = (TP, P) if which == "parametrize" else (TZ, PZ)
        raises_like_torch(lambda fn=fn, tu=tu: fn(torch, tu), lambda fn=fn, mu=mu: fn(minitorch, mu))
    # a chained parametrization that changes the shape is refused too
    tm, mm = torch.nn.Linear(2, 2), minitorch.nn.Linear(2, 2)
    TP.register_parametrization(tm, "weight", _scale(torch, 2.0))
    P.register_parametrization(mm, "weight", _scale(minitorch, 2.0))
    raises_like_torch(lambda: TP.register_parametrization(tm, "weight", Shrink(torch)()),
                      lambda: P.register_parametrization(mm, "weight", Shrink(minitorch)()))
    # a Parameter cannot be assigned over a parametrized name
    raises_like_torch(lambda: setattr(tm, "weight", torch.nn.Parameter(torch.zeros(2, 2))),
                      lambda: setattr(mm, "weight", minitorch.nn.Parameter(minitorch.zeros(2, 2))))
