"""nn.utils.prune against torch.nn.utils.prune: masks (random and tied importances), state_dict keys and
values, forward outputs, gradients, composition of repeated pruning, remove(), and torch's errors."""
from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest

import minitorch
from minitorch.nn.utils import prune
from minitorch.nn.utils._topk_ties import topk_index_set

from .helpers import assert_close, devices, raises_like_torch, require_torch, to_mt

torch = require_torch()
import torch.nn.utils.prune as tprune  # noqa: E402


def _pair(make_t, make_m, weights=None, seed=0):
    """The same layer in torch and minitorch (weights from ``weights``: name -> array, else torch's init)."""
    torch.manual_seed(seed)
    t = make_t(torch.nn)
    for name, arr in (weights or {}).items():
        with torch.no_grad():
            getattr(t, name).copy_(torch.from_numpy(np.asarray(arr, dtype=np.float32)))
    m = make_m(minitorch.nn)
    m.load_state_dict({k: to_mt(v) for k, v in t.state_dict().items()})
    return t, m


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, minitorch.Tensor) else x.detach().numpy()


def _same_state(t, m):
    ts, ms = t.state_dict(), m.state_dict()
    assert list(ms) == list(ts)
    for k in ts:
        np.testing.assert_array_equal(_np(ms[k]), _np(ts[k]), err_msg=k)


def _linear(in_f=6, out_f=5):
    return (lambda nn: nn.Linear(in_f, out_f)), (lambda nn: nn.Linear(in_f, out_f))


def _conv():
    return (lambda nn: nn.Conv2d(3, 6, 3)), (lambda nn: nn.Conv2d(3, 6, 3))


# ---- the tie rule of torch.topk (CPU) ------------------------------------------------------------------
@pytest.mark.parametrize("largest", [False, True])
def test_topk_index_set_equals_torch_topk_on_ties_and_nans(largest):
    rng = np.random.default_rng(0)
    for trial in range(400):
        n = int(rng.integers(1, 700))
        k = int(rng.integers(1, n + 1)) if trial % 3 else max(1, n // int(rng.integers(64, 100)))
        x = rng.integers(0, int(rng.integers(1, 6)), n).astype(np.float32)
        if trial % 5 == 0:
            x = rng.standard_normal(n).astype(np.float32)
        if trial % 7 == 0:
            x[rng.integers(0, n, 3)] = np.nan
        if trial % 11 == 0:
            x[rng.integers(0, n, 2)] = np.inf
        expected = np.sort(torch.topk(torch.from_numpy(x), k, largest=largest).indices.numpy())
        np.testing.assert_array_equal(topk_index_set(x, k, largest), expected, err_msg=f"n={n} k={k}")


def test_topk_index_set_large_tied_vector():
    x = np.random.default_rng(1).integers(0, 3, 200_000).astype(np.float32)
    for k in (1000, 70_000):  # the heap-select path (k * 64 <= n) and the introselect path
        expected = np.sort(torch.topk(torch.from_numpy(x), k, largest=False).indices.numpy())
        np.testing.assert_array_equal(topk_index_set(x, k, False), expected)


# ---- l1_unstructured --------------------------------------------------------------------------------------
@pytest.mark.parametrize("amount", [0, 3, 0.3, 0.5, 1.0, 30])
def test_l1_unstructured_matches_torch(amount):
    mt, mm = _linear()
    t, m = _pair(mt, mm)
    assert tprune.l1_unstructured(t, "weight", amount=amount) is t
    assert prune.l1_unstructured(m, "weight", amount=amount) is m
    _same_state(t, m)
    assert list(dict(m.named_parameters())) == list(dict(t.named_parameters()))
    assert list(dict(m.named_buffers())) == ["weight_mask"]
    assert isinstance(m.weight_orig, minitorch.nn.Parameter)
    assert not isinstance(m.weight, minitorch.nn.Parameter)
    np.testing.assert_array_equal(_np(m.weight), _np(t.weight))
    assert prune.is_pruned(m) and tprune.is_pruned(t)


def test_l1_unstructured_ties_choose_torch_indices():
    rng = np.random.default_rng(2)
    for amount in (0.3, 0.5, 7, 0.9):
        w = rng.integers(-2, 3, (8, 12)).astype(np.float32)  # many equal |w|
        mt, mm = _linear(12, 8)
        t, m = _pair(mt, mm, {"weight": w})
        tprune.l1_unstructured(t, "weight", amount=amount)
        prune.l1_unstructured(m, "weight", amount=amount)
        np.testing.assert_array_equal(_np(m.weight_mask), _np(t.weight_mask), err_msg=str(amount))


def test_l1_unstructured_all_equal_and_large_tied_tensor():
    t, m = _pair(lambda nn: nn.Linear(300, 200), lambda nn: nn.Linear(300, 200),
                 {"weight": np.random.default_rng(3).integers(0, 4, (200, 300))})
    tprune.l1_unstructured(t, "weight", amount=0.37)
    prune.l1_unstructured(m, "weight", amount=0.37)
    np.testing.assert_array_equal(_np(m.weight_mask), _np(t.weight_mask))
    t, m = _pair(lambda nn: nn.Linear(40, 30), lambda nn: nn.Linear(40, 30), {"weight": np.ones((30, 40))})
    tprune.l1_unstructured(t, "weight", amount=5)  # 5 * 64 <= 1200: torch's partial_sort path
    prune.l1_unstructured(m, "weight", amount=5)
    np.testing.assert_array_equal(_np(m.weight_mask), _np(t.weight_mask))


def test_importance_scores_and_bias():
    rng = np.random.default_rng(4)
    mt, mm = _linear()
    t, m = _pair(mt, mm)
    scores = rng.integers(0, 3, (5, 6)).astype(np.float32)
    tprune.l1_unstructured(t, "weight", amount=0.4, importance_scores=torch.from_numpy(scores))
    prune.l1_unstructured(m, "weight", amount=0.4, importance_scores=minitorch.tensor(scores))
    tprune.l1_unstructured(t, "bias", amount=2)
    prune.l1_unstructured(m, "bias", amount=2)
    _same_state(t, m)


def test_forward_and_gradients_flow_to_orig_only_where_kept():
    mt, mm = _conv()
    t, m = _pair(mt, mm)
    tprune.l1_unstructured(t, "weight", amount=0.6)
    prune.l1_unstructured(m, "weight", amount=0.6)
    x = np.random.default_rng(5).standard_normal((2, 3, 7, 7)).astype(np.float32)
    yt, ym = t(torch.from_numpy(x)), m(minitorch.tensor(x))
    assert_close(ym, yt, rtol=1e-4, atol=1e-5)
    yt.square().sum().backward()
    ym.square().sum().backward()
    assert_close(m.weight_orig.grad, t.weight_orig.grad, rtol=1e-4, atol=1e-4)
    assert_close(m.bias.grad, t.bias.grad, rtol=1e-4, atol=1e-4)
    assert np.all(_np(m.weight_orig.grad)[_np(m.weight_mask) == 0] == 0)


def test_training_step_keeps_pruned_entries_zero():
    mt, mm = _linear()
    t, m = _pair(mt, mm)
    tprune.random_unstructured(t, "weight", amount=0.5)  # then copy torch's mask: the same reparametrisation
    prune.custom_from_mask(m, "weight", mask=to_mt(t.weight_mask))
    opt_t = torch.optim.SGD(t.parameters(), lr=0.1)
    opt_m = minitorch.optim.SGD(m.parameters(), lr=0.1)
    x = np.random.default_rng(6).standard_normal((4, 6)).astype(np.float32)
    for _ in range(3):
        for mod, opt, xx in ((t, opt_t, torch.from_numpy(x)), (m, opt_m, minitorch.tensor(x))):
            opt.zero_grad()
            mod(xx).sum().backward()
            opt.step()
    assert_close(m.weight_orig, t.weight_orig, rtol=1e-5, atol=1e-6)
    assert_close(m(minitorch.tensor(x)), t(torch.from_numpy(x)), rtol=1e-5, atol=1e-5)
    assert np.all(_np(m.weight)[_np(m.weight_mask) == 0] == 0)


# ---- structured -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 3, 0.5, math.inf, -math.inf])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_ln_structured_matches_torch(n, dim):
    mt, mm = _conv()
    t, m = _pair(mt, mm)
    tprune.ln_structured(t, "weight", amount=0.5, n=n, dim=dim)
    prune.ln_structured(m, "weight", amount=0.5, n=n, dim=dim)
    _same_state(t, m)


@pytest.mark.parametrize("dim", [0, 1])
def test_ln_structured_fro_on_a_matrix(dim):
    t, m = _pair(*_linear())
    tprune.ln_structured(t, "weight", amount=2, n="fro", dim=dim)
    prune.ln_structured(m, "weight", amount=2, n="fro", dim=dim)
    _same_state(t, m)


def test_ln_structured_tied_channels():
    w = np.tile(np.array([1.0, -1.0, 2.0, 1.0, 1.0, 2.0, 1.0, -1.0], np.float32)[:, None], (1, 5))
    for amount in (1, 3, 5, 0.5):
        t, m = _pair(lambda nn: nn.Linear(5, 8), lambda nn: nn.Linear(5, 8), {"weight": w})
        tprune.ln_structured(t, "weight", amount=amount, n=1, dim=0)
        prune.ln_structured(m, "weight", amount=amount, n=1, dim=0)
        np.testing.assert_array_equal(_np(m.weight_mask), _np(t.weight_mask), err_msg=str(amount))


def test_random_structured_prunes_whole_channels():
    m = minitorch.nn.Conv2d(3, 8, 3)
    prune.random_structured(m, "weight", amount=3, dim=0)
    mask = _np(m.weight_mask)
    per_channel = mask.reshape(8, -1)
    assert set(per_channel.min(1)) <= {0.0, 1.0} and np.all(per_channel.min(1) == per_channel.max(1))
    assert int((per_channel.max(1) == 0).sum()) == 3
    prune.random_structured(m, "weight", amount=2, dim=0)  # composes: 2 of the 5 channels left
    assert int((_np(m.weight_mask).reshape(8, -1).max(1) == 0).sum()) == 5
    assert isinstance(m._forward_pre_hooks[next(iter(m._forward_pre_hooks))], prune.PruningContainer)


def test_random_unstructured_prunes_the_amount():
    minitorch.manual_seed(0)
    m = minitorch.nn.Linear(10, 10)
    prune.random_unstructured(m, "weight", amount=0.25)
    assert int((_np(m.weight_mask) == 0).sum()) == 25
    prune.random_unstructured(m, "weight", amount=15)
    assert int((_np(m.weight_mask) == 0).sum()) == 40
    prune.random_unstructured(m, "weight", amount=0.5)  # half of the 60 left
    assert int((_np(m.weight_mask) == 0).sum()) == 70


# ---- composition, global, custom, identity --------------------------------------------------------------
def test_iterative_pruning_composes_like_torch():
    w = np.random.default_rng(7).integers(-3, 4, (6, 3, 3, 3)).astype(np.float32)
    t, m = _pair(*_conv(), {"weight": w})
    steps = [("l1_unstructured", dict(amount=0.2)), ("ln_structured", dict(amount=2, n=2, dim=0)),
             ("l1_unstructured", dict(amount=0.3)), ("ln_structured", dict(amount=0.34, n=1, dim=1)),
             ("identity", {}), ("l1_unstructured", dict(amount=4))]
    for fn, kw in steps:
        getattr(tprune, fn)(t, "weight", **kw)
        getattr(prune, fn)(m, "weight", **kw)
        _same_state(t, m)
    hook_t = next(iter(t._forward_pre_hooks.values()))
    hook_m = next(iter(m._forward_pre_hooks.values()))
    assert isinstance(hook_m, prune.PruningContainer) and len(hook_m) == len(hook_t) == len(steps)
    assert [type(h).__name__ for h in hook_m] == [type(h).__name__ for h in hook_t]
    assert len(m._forward_pre_hooks) == 1


def test_global_unstructured_matches_torch():
    rng = np.random.default_rng(8)
    t = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 4))
    with torch.no_grad():
        t[0].weight.copy_(torch.from_numpy(rng.integers(-2, 3, (5, 6)).astype(np.float32)))
    m = minitorch.nn.Sequential(minitorch.nn.Linear(6, 5), minitorch.nn.ReLU(), minitorch.nn.Linear(5, 4))
    m.load_state_dict({k: to_mt(v) for k, v in t.state_dict().items()})
    tprune.l1_unstructured(t[2], "weight", amount=3)  # a parameter already pruned takes part too
    prune.l1_unstructured(m[2], "weight", amount=3)
    tp = [(t[0], "weight"), (t[0], "bias"), (t[2], "weight")]
    mp = [(m[0], "weight"), (m[0], "bias"), (m[2], "weight")]
    scores = rng.standard_normal(5).astype(np.float32)
    tprune.global_unstructured(tp, pruning_method=tprune.L1Unstructured, amount=0.45,
                               importance_scores={(t[0], "bias"): torch.from_numpy(scores)})
    prune.global_unstructured(mp, pruning_method=prune.L1Unstructured, amount=0.45,
                              importance_scores={(m[0], "bias"): minitorch.tensor(scores)})
    _same_state(t, m)
    x = rng.standard_normal((3, 6)).astype(np.float32)
    assert_close(m(minitorch.tensor(x)), t(torch.from_numpy(x)), rtol=1e-5, atol=1e-6)


def test_custom_from_mask_and_identity():
    t, m = _pair(*_linear())
    mask = (np.random.default_rng(9).random((5, 6)) > 0.5).astype(np.float32)
    tprune.custom_from_mask(t, "weight", mask=torch.from_numpy(mask))
    prune.custom_from_mask(m, "weight", mask=minitorch.tensor(mask))
    tprune.identity(t, "bias")
    prune.identity(m, "bias")
    _same_state(t, m)
    assert np.all(_np(m.bias_mask) == 1)


def test_prune_method_functional_form():
    w = np.random.default_rng(10).standard_normal((4, 5)).astype(np.float32)
    out_t = tprune.L1Unstructured(amount=0.5).prune(torch.from_numpy(w))
    out_m = prune.L1Unstructured(amount=0.5).prune(minitorch.tensor(w))
    np.testing.assert_array_equal(_np(out_m), _np(out_t))
    out_t = tprune.LnStructured(amount=1, n=2, dim=0).prune(torch.from_numpy(w))
    out_m = prune.LnStructured(amount=1, n=2, dim=0).prune(minitorch.tensor(w))
    np.testing.assert_array_equal(_np(out_m), _np(out_t))


# ---- remove, state dicts, copies ----------------------------------------------------------------------------
def test_remove_makes_pruning_permanent():
    t, m = _pair(*_linear())
    tprune.l1_unstructured(t, "weight", amount=0.5)
    prune.l1_unstructured(m, "weight", amount=0.5)
    w_before = m.weight_orig
    assert tprune.remove(t, "weight") is t
    assert prune.remove(m, "weight") is m
    _same_state(t, m)
    assert isinstance(m.weight, minitorch.nn.Parameter) and m.weight is w_before
    assert list(dict(m.named_parameters())) == list(dict(t.named_parameters())) == ["bias", "weight"]
    assert not prune.is_pruned(m) and not m._forward_pre_hooks and not list(m.buffers())


def test_load_state_dict_into_pruned_module_and_copies():
    t, m = _pair(*_linear())
    tprune.l1_unstructured(t, "weight", amount=0.5)
    prune.l1_unstructured(m, "weight", amount=0.5)
    m2 = minitorch.nn.Linear(6, 5)
    prune.identity(m2, "weight")
    m2.load_state_dict({k: to_mt(v) for k, v in t.state_dict().items()})
    x = np.random.default_rng(11).standard_normal((2, 6)).astype(np.float32)
    assert_close(m2(minitorch.tensor(x)), t(torch.from_numpy(x)), rtol=1e-5, atol=1e-6)
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert prune.is_pruned(clone)
        assert_close(clone(minitorch.tensor(x)), t(torch.from_numpy(x)), rtol=1e-5, atol=1e-6)


# ---- errors -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("amount", [-1, 1.5, -0.1, "a", None])
def test_invalid_amount_errors(amount):
    t, m = _pair(*_linear())
    err = raises_like_torch(lambda: tprune.l1_unstructured(t, "weight", amount=amount),
                            lambda: prune.l1_unstructured(m, "weight", amount=amount))
    assert "amount" in str(err)


def test_amount_too_large_rolls_back():
    t, m = _pair(*_linear())
    raises_like_torch(lambda: tprune.l1_unstructured(t, "weight", amount=31),
                      lambda: prune.l1_unstructured(m, "weight", amount=31))
    assert list(dict(m.named_parameters())) == list(dict(t.named_parameters())) == ["bias", "weight"]
    assert isinstance(m.weight, minitorch.nn.Parameter)


def test_structured_and_other_errors():
    t, m = _pair(*_linear())
    raises_like_torch(lambda: tprune.ln_structured(t, "bias", amount=1, n=2, dim=0),
                      lambda: prune.ln_structured(m, "bias", amount=1, n=2, dim=0))
    raises_like_torch(lambda: tprune.ln_structured(t, "weight", amount=1, n=2, dim=2),
                      lambda: prune.ln_structured(m, "weight", amount=1, n=2, dim=2))
    raises_like_torch(lambda: tprune.remove(t, "weight"), lambda: prune.remove(m, "weight"))
    raises_like_torch(
        lambda: tprune.l1_unstructured(t, "weight", amount=1, importance_scores=torch.ones(2, 2)),
        lambda: prune.l1_unstructured(m, "weight", amount=1, importance_scores=minitorch.ones(2, 2)))
    raises_like_torch(
        lambda: tprune.global_unstructured([(t, "weight")], tprune.LnStructured, amount=1, n=2, dim=0),
        lambda: prune.global_unstructured([(m, "weight")], prune.LnStructured, amount=1, n=2, dim=0))
    raises_like_torch(lambda: tprune.global_unstructured(3, tprune.L1Unstructured, amount=1),
                      lambda: prune.global_unstructured(3, prune.L1Unstructured, amount=1))
    raises_like_torch(lambda: tprune.PruningContainer(tprune.Identity()),
                      lambda: prune.PruningContainer(prune.Identity()))
    container = prune.PruningContainer()
    container._tensor_name = "weight"
    other = prune.Identity()
    other._tensor_name = "bias"
    with pytest.raises(ValueError, match="Can only add pruning methods"):
        container.add_pruning_method(other)
    with pytest.raises(TypeError, match="is not a BasePruningMethod subclass"):
        container.add_pruning_method(3)


@pytest.mark.parametrize("device", devices())
def test_pruning_on_device(device):
    w = np.random.default_rng(12).integers(-2, 3, (6, 3, 3, 3)).astype(np.float32)
    t, m = _pair(*_conv(), {"weight": w})
    m.to(device)
    tprune.l1_unstructured(t, "weight", amount=0.4)
    prune.l1_unstructured(m, "weight", amount=0.4)
    tprune.ln_structured(t, "weight", amount=2, n=2, dim=0)
    prune.ln_structured(m, "weight", amount=2, n=2, dim=0)
    assert m.weight_mask.device.type == device
    np.testing.assert_array_equal(_np(m.weight_mask), _np(t.weight_mask))
    x = np.random.default_rng(13).standard_normal((1, 3, 5, 5)).astype(np.float32)
    assert_close(m(minitorch.tensor(x, device=device)), t(torch.from_numpy(x)), rtol=1e-4, atol=1e-5)
