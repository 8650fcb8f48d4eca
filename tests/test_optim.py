"""minitorch.optim against torch.optim: same tiny MLP, same weights and batches, every option.

The model's forward is written by hand (matmul / tanh / mean) so these tests depend only on the
core ops; loss trajectories and final weights must match torch to float32 precision.
"""
from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

import minitorch
import minitorch.optim as optim
from tests.helpers import devices, require_torch

torch = require_torch()

STEPS = 30
RTOL, ATOL = 1e-5, 1e-6

# (optimizer name, options): every option that changes the update formula
CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01, maximize=True)),
    ("Adam", dict(lr=1e-2)),
    ("Adam", dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=1e-2, betas=(0.3, 0.6))),  # beta1 < 0.5: torch.lerp's other branch
    ("Adam", dict(lr=1e-2, weight_decay=0.1)),
    ("Adam", dict(lr=1e-2, amsgrad=True)),
    ("Adam", dict(lr=1e-2, amsgrad=True, weight_decay=0.05, maximize=True)),
    ("Adam", dict(lr=1e-2, decoupled_weight_decay=True, weight_decay=0.1)),
    ("AdamW", dict(lr=1e-2)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.2, amsgrad=True)),
    ("AdamW", dict(lr=1e-2, maximize=True)),
    ("RMSprop", dict(lr=1e-3)),
    ("RMSprop", dict(lr=1e-3, alpha=0.9, eps=1e-6)),
    ("RMSprop", dict(lr=1e-3, centered=True)),
    ("RMSprop", dict(lr=1e-3, momentum=0.9)),
    ("RMSprop", dict(lr=1e-3, momentum=0.5, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=1e-3, alpha=0.3, centered=True, maximize=True)),  # lerp weight >= 0.5
    ("Adagrad", dict(lr=0.05)),
    ("Adagrad", dict(lr=0.05, lr_decay=0.05, initial_accumulator_value=0.1)),
    ("Adagrad", dict(lr=0.05, weight_decay=0.1, eps=1e-6, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-4)),
    ("Adadelta", dict(weight_decay=0.1, maximize=True)),
]


def _ids(cfg):
    name, kw = cfg
    return name + "(" + ",".join(f"{k}={v}" for k, v in kw.items()) + ")"


def _weights(seed: int = 0, dtype=np.float32):
    r = np.random.default_rng(seed)
    return [
        (r.standard_normal((6, 16)) * 0.5).astype(dtype), (r.standard_normal(16) * 0.1).astype(dtype),
        (r.standard_normal((16, 3)) * 0.5).astype(dtype), (r.standard_normal(3) * 0.1).astype(dtype),
    ]


def _batches(n: int, seed: int = 1, dtype=np.float32):
    r = np.random.default_rng(seed)
    x = r.standard_normal((64, 6)).astype(dtype)
    y = np.sin(x[:, :3] * 2.0 + x[:, 3:]).astype(dtype)
    idx = [r.choice(64, 8, replace=False) for _ in range(n)]
    return [(x[i], y[i]) for i in idx]


def _loss(lib, params, x, y, sign: float = 1.0):
    """Mean squared error of a tanh MLP (negated for ``maximize=True`` runs, so they still converge)."""
    w1, b1, w2, b2 = params
    h = lib.tanh(lib.matmul(x, w1) + b1)
    out = lib.matmul(h, w2) + b2
    return ((out - y) ** 2).mean() * sign


def _mt_params(weights, device="cpu"):
    return [minitorch.tensor(w.copy(), device=device, requires_grad=True) for w in weights]


def _torch_params(weights):
    return [torch.tensor(w.copy(), requires_grad=True) for w in weights]


def _as_groups(params, name, kw, grouped):
    if not grouped:
        return params
    # two groups with different options: the second gets half the lr (and no weight decay)
    base_lr = kw.get("lr", {"Adadelta": 1.0}.get(name, 1e-3))
    second = {"lr": base_lr / 2, "weight_decay": 0.0}
    return [{"params": params[:2]}, {"params": params[2:], **second}]


def _train_mt(name, kw, weights, batches, grouped=False, device="cpu"):
    params = _mt_params(weights, device)
    opt = getattr(optim, name)(_as_groups(params, name, kw, grouped), **kw)
    losses = []
    for x, y in batches:
        opt.zero_grad()
        xb, yb = minitorch.tensor(x, device=device), minitorch.tensor(y, device=device)
        loss = _loss(minitorch, params, xb, yb, -1.0 if kw.get("maximize") else 1.0)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses), [p.detach().cpu().numpy() for p in params], opt


def _train_torch(name, kw, weights, batches, grouped=False):
    params = _torch_params(weights)
    groups = _as_groups(params, name, kw, grouped)
    opt = getattr(torch.optim, name)(groups, foreach=False, **kw)
    losses = []
    for x, y in batches:
        opt.zero_grad()
        loss = _loss(torch, params, torch.from_numpy(x), torch.from_numpy(y), -1.0 if kw.get("maximize") else 1.0)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses), [p.detach().numpy() for p in params], opt


def _assert_same_run(mt, th):
    np.testing.assert_allclose(mt[0], th[0], rtol=RTOL, atol=ATOL, err_msg="loss trajectory")
    for i, (a, b) in enumerate(zip(mt[1], th[1])):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=f"parameter {i}")


# ---- trajectories ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cfg", CONFIGS, ids=_ids)
def test_trajectory_matches_torch(cfg):
    name, kw = cfg
    weights, batches = _weights(), _batches(STEPS)
    mt = _train_mt(name, kw, weights, batches)
    th = _train_torch(name, kw, weights, batches)
    assert mt[0][-1] != mt[0][0]  # it trained
    _assert_same_run(mt, th)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_param_groups_with_their_own_options_match_torch(name):
    kw = dict(CONFIGS[[n for n, _ in CONFIGS].index(name)][1])
    kw["weight_decay"] = 0.05
    weights, batches = _weights(2), _batches(15, seed=3)
    mt = _train_mt(name, kw, weights, batches, grouped=True)
    th = _train_torch(name, kw, weights, batches, grouped=True)
    _assert_same_run(mt, th)
    assert mt[2].param_groups[1]["weight_decay"] == 0.0 and mt[2].param_groups[0]["weight_decay"] == 0.05


@pytest.mark.parametrize("cfg", [CONFIGS[1], CONFIGS[11], CONFIGS[21]], ids=_ids)
def test_float64_parameters_stay_float64_and_match_torch(cfg):
    name, kw = cfg
    weights, batches = _weights(dtype=np.float64), _batches(10, dtype=np.float64)
    mt = _train_mt(name, kw, weights, batches)
    th = _train_torch(name, kw, weights, batches)
    for a, b in zip(mt[1], th[1]):
        assert a.dtype == np.float64
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    for st in mt[2].state.values():
        for k, v in st.items():
            if k != "step":
                assert v.dtype == minitorch.float64


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("cfg", [CONFIGS[4], CONFIGS[12], CONFIGS[21], CONFIGS[25], CONFIGS[28]], ids=_ids)
def test_device_run_matches_torch_and_state_lives_on_the_device(cfg, device):
    name, kw = cfg
    weights, batches = _weights(), _batches(10)
    mt = _train_mt(name, kw, weights, batches, device=device)
    th = _train_torch(name, kw, weights, batches)
    _assert_same_run(mt, th)
    for st in mt[2].state.values():
        for k, v in st.items():
            assert v.device.type == ("cpu" if k == "step" else device)


# ---- in place, no graph -------------------------------------------------------------------------------------
@pytest.mark.parametrize("cfg", [CONFIGS[6], CONFIGS[12], CONFIGS[21], CONFIGS[25], CONFIGS[28]], ids=_ids)
def test_step_updates_in_place_outside_the_graph(cfg):
    name, kw = cfg
    params = _mt_params(_weights())
    opt = getattr(optim, name)(params, **kw)
    x, y = (minitorch.tensor(a) for a in _batches(1)[0])
    arrays = [p.array for p in params]
    for _ in range(2):
        opt.zero_grad()
        _loss(minitorch, params, x, y).backward()
        grads = [p.grad.array.copy() for p in params]
        before = [p.array.copy() for p in params]
        state_arrays = {(id(p), k): v.array for p, st in opt.state.items() for k, v in st.items()}
        opt.step()
        for p, arr, b, g in zip(params, arrays, before, grads):
            assert p.array is arr and p.is_leaf and p.requires_grad and p.grad_fn is None
            assert p.array.dtype == np.float32
            assert not np.array_equal(p.array, b)
            np.testing.assert_array_equal(p.grad.array, g)  # the gradient is not modified
        for p, st in opt.state.items():
            for k, v in st.items():
                if (id(p), k) in state_arrays:
                    assert v.array is state_arrays[(id(p), k)], k  # buffers updated in place


@pytest.mark.parametrize("cfg", CONFIGS, ids=_ids)
def test_step_allocates_only_a_few_temporaries(cfg):
    """After the state exists, a step allocates at most a few parameter-sized scratch arrays and keeps none."""
    import tracemalloc

    name, kw = cfg
    p = minitorch.tensor(np.random.default_rng(0).standard_normal((256, 256)).astype(np.float32), requires_grad=True)
    p.grad = minitorch.tensor(np.full((256, 256), 0.5, np.float32))
    opt = getattr(optim, name)([p], **kw)
    opt.step()  # creates the state
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        opt.step()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - base <= 3 * p.array.nbytes + 65536, f"peak {(peak - base) / p.array.nbytes:.1f} x the parameter"
    assert current - base < p.array.nbytes / 4


def test_parameters_without_grad_are_skipped_like_torch():
    weights, batches = _weights(), _batches(5)
    pm, pt = _mt_params(weights), _torch_params(weights)
    om, ot = optim.Adam(pm, lr=0.01), torch.optim.Adam(pt, lr=0.01, foreach=False)
    for x, y in batches:
        om.zero_grad()
        ot.zero_grad()
        # only the second layer gets gradients
        xm, ym, xt, yt = minitorch.tensor(x), minitorch.tensor(y), torch.from_numpy(x), torch.from_numpy(y)
        _loss(minitorch, [pm[0].detach(), pm[1].detach(), pm[2], pm[3]], xm, ym).backward()
        _loss(torch, [pt[0].detach(), pt[1].detach(), pt[2], pt[3]], xt, yt).backward()
        om.step()
        ot.step()
    assert pm[0].grad is None
    np.testing.assert_array_equal(pm[0].detach().numpy(), weights[0])
    assert sorted(om.state_dict()["state"]) == sorted(ot.state_dict()["state"]) == [2, 3]
    for a, b in zip(pm, pt):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=RTOL, atol=ATOL)


# ---- zero_grad and closures ---------------------------------------------------------------------------------
def test_zero_grad_set_to_none_and_to_zeros():
    params = _mt_params(_weights())
    opt = optim.SGD(params, lr=0.1)
    x, y = (minitorch.tensor(a) for a in _batches(1)[0])
    _loss(minitorch, params, x, y).backward()
    arrays = [p.grad.array for p in params]
    opt.zero_grad(set_to_none=False)
    for p, arr in zip(params, arrays):
        assert p.grad is not None and p.grad.array is arr and not arr.any()
    opt.zero_grad()
    assert all(p.grad is None for p in params)
    opt.zero_grad()  # no grads: a no-op


def test_step_with_closure_returns_the_loss_and_records_the_graph_even_under_no_grad():
    weights, batches = _weights(), _batches(8)
    pm, pt = _mt_params(weights), _torch_params(weights)
    om = optim.SGD(pm, lr=0.05, momentum=0.9)
    ot = torch.optim.SGD(pt, lr=0.05, momentum=0.9, foreach=False)
    calls = []
    for x, y in batches:
        def closure_mt(x=x, y=y):
            om.zero_grad()
            loss = _loss(minitorch, pm, minitorch.tensor(x), minitorch.tensor(y))
            assert minitorch.is_grad_enabled()
            loss.backward()
            calls.append(1)
            return loss

        def closure_t(x=x, y=y):
            ot.zero_grad()
            loss = _loss(torch, pt, torch.from_numpy(x), torch.from_numpy(y))
            loss.backward()
            return loss

        with minitorch.no_grad():
            lm = om.step(closure_mt)
        lt = ot.step(closure_t)
        assert isinstance(lm, minitorch.Tensor)
        np.testing.assert_allclose(lm.item(), lt.item(), rtol=RTOL)
    assert len(calls) == len(batches)
    assert om.step() is None  # without a closure, step returns None


def test_step_hooks_run_around_step():
    params = _mt_params(_weights())
    opt = optim.SGD(params, lr=0.1)
    seen = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: seen.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: seen.append("post"))
    opt.step()
    assert seen == ["pre", "post"]
    h1.remove()
    opt.step()
    assert seen == ["pre", "post", "post"]


# ---- state_dict ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cfg", [CONFIGS[2], CONFIGS[5], CONFIGS[12], CONFIGS[15], CONFIGS[21], CONFIGS[24],
                                 CONFIGS[28]], ids=_ids)
def test_state_dict_layout_matches_torch(cfg):
    name, kw = cfg
    weights, batches = _weights(), _batches(3)
    _, _, om = _train_mt(name, kw, weights, batches, grouped=True)
    _, _, ot = _train_torch(name, kw, weights, batches, grouped=True)
    sm, st = om.state_dict(), ot.state_dict()
    assert [g["params"] for g in sm["param_groups"]] == [g["params"] for g in st["param_groups"]]
    for gm, gt in zip(sm["param_groups"], st["param_groups"]):
        assert set(gm) == set(gt)
        for k in gt:
            if k not in ("params", "foreach"):
                assert gm[k] == gt[k], k
    assert sorted(sm["state"]) == sorted(st["state"])
    for i in st["state"]:
        assert set(sm["state"][i]) == set(st["state"][i])
        for k, vt in st["state"][i].items():
            vm = sm["state"][i][k]
            assert isinstance(vm, minitorch.Tensor)
            assert tuple(vm.shape) == tuple(vt.shape) and str(vm.dtype).split(".")[-1] == str(vt.dtype).split(".")[-1]
            scale = float(np.abs(vt.numpy()).max()) if vt.numel() else 1.0  # centered RMSprop cancels: v - ga^2
            np.testing.assert_allclose(vm.numpy(), vt.numpy(), rtol=1e-4, atol=1e-5 * scale + 1e-7, err_msg=k)


@pytest.mark.parametrize("through_file", [False, True])
@pytest.mark.parametrize("cfg", [CONFIGS[3], CONFIGS[12], CONFIGS[16], CONFIGS[21], CONFIGS[24], CONFIGS[27]],
                         ids=_ids)
def test_resume_from_state_dict_equals_uninterrupted_training(cfg, through_file, tmp_path):
    name, kw = cfg
    weights, batches = _weights(4), _batches(20, seed=5)
    full = _train_mt(name, kw, weights, batches, grouped=True)

    first = _train_mt(name, kw, weights, batches[:8], grouped=True)
    sd = {"model": [minitorch.tensor(w) for w in first[1]], "optim": first[2].state_dict()}
    if through_file:
        minitorch.save(sd, tmp_path / "ckpt")
        sd = minitorch.load(tmp_path / "ckpt")
    else:
        sd = copy.deepcopy(sd)
    params = _mt_params([w.numpy() for w in sd["model"]])
    opt = getattr(optim, name)(_as_groups(params, name, kw, True), **kw)
    opt.load_state_dict(sd["optim"])
    first[2].step()  # the saved-from optimizer goes on: the loaded one must not share its buffers
    losses = []
    for x, y in batches[8:]:
        opt.zero_grad()
        loss = _loss(minitorch, params, minitorch.tensor(x), minitorch.tensor(y), -1.0 if kw.get("maximize") else 1.0)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    np.testing.assert_array_equal(np.concatenate([first[0], losses]), full[0])
    for p, w in zip(params, full[1]):
        np.testing.assert_array_equal(p.detach().numpy(), w)
    assert opt.param_groups[1]["lr"] == full[2].param_groups[1]["lr"]


def test_load_state_dict_from_torch_layout_with_float_step():
    """A state dict whose ``step`` is a Python number (older torch) loads as a float32 step tensor."""
    params = _mt_params(_weights())
    opt = optim.Adam(params, lr=0.01)
    opt.zero_grad()
    x, y = (minitorch.tensor(a) for a in _batches(1)[0])
    _loss(minitorch, params, x, y).backward()
    opt.step()
    sd = copy.deepcopy(opt.state_dict())
    for st in sd["state"].values():
        st["step"] = 1.0
    opt2 = optim.Adam(_mt_params(_weights()), lr=0.01)
    opt2.load_state_dict(sd)
    for st in opt2.state.values():
        assert isinstance(st["step"], minitorch.Tensor) and st["step"].dtype == minitorch.float32
        assert st["step"].item() == 1.0


def _trained_adam(grouped=True):
    params = _mt_params(_weights())
    opt = optim.Adam(_as_groups(params, "Adam", {"lr": 0.01}, grouped), lr=0.01)
    x, y = (minitorch.tensor(a) for a in _batches(1)[0])
    _loss(minitorch, params, x, y).backward()
    opt.step()
    return params, opt


def _snapshot(opt):
    return copy.deepcopy(opt.state_dict())


@pytest.mark.parametrize("case", ["fewer_groups", "group_size", "other_optimizer", "state_shape", "not_a_dict"])
def test_loading_a_mismatched_state_dict_raises_and_changes_nothing(case):
    _, src = _trained_adam()
    sd = copy.deepcopy(src.state_dict())
    params, opt = _trained_adam()
    torch_type = None
    if case == "fewer_groups":
        sd["param_groups"] = sd["param_groups"][:1]
        torch_type = ValueError
    elif case == "group_size":
        sd["param_groups"][1]["params"] = sd["param_groups"][1]["params"][:1]
        torch_type = ValueError
    elif case == "other_optimizer":
        sgd = optim.SGD(_as_groups(_mt_params(_weights()), "SGD", {"lr": 0.1}, True), lr=0.1, momentum=0.9)
        sd = sgd.state_dict()
    elif case == "state_shape":
        sd["state"][0]["exp_avg"] = minitorch.zeros(2, 2)
    else:
        sd = [1, 2]
    before = _snapshot(opt)
    with pytest.raises(ValueError):
        opt.load_state_dict(sd)
    after = _snapshot(opt)
    assert after["param_groups"] == before["param_groups"]
    assert [len(g["params"]) for g in opt.param_groups] == [2, 2]
    for i in before["state"]:
        for k, v in before["state"][i].items():
            np.testing.assert_array_equal(after["state"][i][k].numpy(), v.numpy())
    if torch_type is not None:  # torch raises the same type for the same mismatch
        pt = _torch_params(_weights())
        ot = torch.optim.Adam([{"params": pt[:2]}, {"params": pt[2:]}], lr=0.01)
        tsd = ot.state_dict()
        if case == "fewer_groups":
            tsd["param_groups"] = tsd["param_groups"][:1]
        else:
            tsd["param_groups"][1]["params"] = tsd["param_groups"][1]["params"][:1]
        with pytest.raises(torch_type):
            ot.load_state_dict(tsd)


def test_add_param_group_and_defaults():
    params = _mt_params(_weights())
    opt = optim.SGD(params[:2], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": params[2:], "lr": 0.01})
    assert len(opt.param_groups) == 2
    g = opt.param_groups[1]
    assert g["lr"] == 0.01 and g["momentum"] == 0.9 and g["params"][0] is params[2]
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [params[0]]})
    with pytest.raises(TypeError):
        opt.add_param_group([params[0]])
    assert len(opt.param_groups) == 2
    assert "Parameter Group 1" in repr(opt) and "momentum: 0.9" in repr(opt)


def test_named_parameters_are_accepted_like_torch():
    params = _mt_params(_weights())
    opt = optim.Adam([(f"p{i}", p) for i, p in enumerate(params)], lr=0.1)
    ot = torch.optim.Adam([(f"p{i}", p) for i, p in enumerate(_torch_params(_weights()))], lr=0.1)
    assert opt.state_dict()["param_groups"][0]["param_names"] == ot.state_dict()["param_groups"][0]["param_names"]
    assert opt.param_groups[0]["params"][1] is params[1]


# ---- bad input: torch's exception types ---------------------------------------------------------------------
def _p():
    return [minitorch.zeros(3, requires_grad=True)]


def _tp():
    return [torch.zeros(3, requires_grad=True)]


BAD = [
    ("SGD", dict(lr=-0.1), "Invalid learning rate: -0.1"),
    ("Adam", dict(lr=-0.1), "Invalid learning rate: -0.1"),
    ("AdamW", dict(lr=-1.0), "Invalid learning rate"),
    ("RMSprop", dict(lr=-1.0), "Invalid learning rate"),
    ("Adagrad", dict(lr=-1.0), "Invalid learning rate"),
    ("Adadelta", dict(lr=-1.0), "Invalid learning rate"),
    ("Adam", dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    ("Adam", dict(betas=(-0.1, 0.999)), "Invalid beta parameter at index 0"),
    ("AdamW", dict(betas=(0.9, 1.5)), "Invalid beta parameter at index 1: 1.5"),
    ("Adam", dict(eps=-1e-8), "Invalid epsilon value"),
    ("RMSprop", dict(eps=-1.0), "Invalid epsilon value"),
    ("Adagrad", dict(eps=-1.0), "Invalid epsilon value"),
    ("Adadelta", dict(eps=-1.0), "Invalid epsilon value"),
    ("SGD", dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires"),
    ("SGD", dict(lr=0.1, momentum=-0.5), "Invalid momentum value"),
    ("SGD", dict(lr=0.1, weight_decay=-1), "Invalid weight_decay value"),
    ("Adam", dict(weight_decay=-1), "Invalid weight_decay value"),
    ("RMSprop", dict(alpha=-0.5), "Invalid alpha value"),
    ("RMSprop", dict(momentum=-0.5), "Invalid momentum value"),
    ("Adagrad", dict(lr_decay=-0.5), "Invalid lr_decay value"),
    ("Adagrad", dict(initial_accumulator_value=-0.5), "Invalid initial_accumulator_value"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value"),
]


@pytest.mark.parametrize("name,kw,msg", BAD, ids=[f"{n}-{kw}" for n, kw, _ in BAD])
def test_bad_hyperparameters_raise_like_torch(name, kw, msg):
    with pytest.raises(Exception) as t_err:
        getattr(torch.optim, name)(_tp(), **kw)
    with pytest.raises(t_err.type, match=msg.replace("(", r"\(").replace(")", r"\)")):
        getattr(optim, name)(_p(), **kw)


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_zero_eps_is_rejected(name):
    """Deliberate difference: torch accepts eps=0 (and can then divide by zero); minitorch raises."""
    with pytest.raises(ValueError, match="Invalid epsilon value: 0"):
        getattr(optim, name)(_p(), eps=0.0)


def _torch_raises(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - we want torch's exception type, whatever it is
            return type(e)
    return None


BAD_PARAMS = [
    ("empty", lambda lib: [], "optimizer got an empty parameter list"),
    ("single_tensor", lambda lib: lib.zeros(3, requires_grad=True), "should be an iterable of Tensors"),
    ("set", lambda lib: [{"params": {lib.zeros(3, requires_grad=True)}}], "ordered collections"),
    ("not_a_tensor", lambda lib: [lib.zeros(3, requires_grad=True), 3.0], "can only optimize Tensors"),
    ("non_leaf", lambda lib: [lib.zeros(3, requires_grad=True) * 2], "non-leaf"),
    ("across_groups", lambda lib: (lambda p: [{"params": [p]}, {"params": [p]}])(lib.zeros(3, requires_grad=True)),
     "some parameters appear in more than one parameter group"),
    ("missing_names", lambda lib: [("a", lib.zeros(3, requires_grad=True)), lib.zeros(2, requires_grad=True)],
     "with/without names"),
]


@pytest.mark.parametrize("case,make,msg", BAD_PARAMS, ids=[c for c, _, _ in BAD_PARAMS])
def test_bad_params_raise_like_torch(case, make, msg):
    expected = _torch_raises(lambda: torch.optim.SGD(make(torch), lr=0.1))
    assert expected is not None
    with pytest.raises(expected, match=msg):
        optim.SGD(make(minitorch), lr=0.1)


def test_duplicate_parameters_in_one_group_raise():
    """torch only warns here (and says it will become an error); a duplicate would be stepped twice."""
    p = minitorch.zeros(3, requires_grad=True)
    with pytest.raises(ValueError, match="duplicate parameters"):
        optim.Adam([p, minitorch.ones(2, requires_grad=True), p])


def test_required_option_must_be_given():
    class MyOpt(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": optim.required})

        def step(self, closure=None):
            return self._eval_closure(closure)

    with pytest.raises(ValueError, match="required optimization parameter lr"):
        MyOpt(_p())
    opt = MyOpt([{"params": _p(), "lr": 0.5}])
    assert opt.param_groups[0]["lr"] == 0.5 and opt.step(lambda: 7) == 7


def test_gradient_of_the_wrong_shape_is_a_clear_error():
    p = minitorch.zeros(3, requires_grad=True)
    p.grad = minitorch.zeros(4)
    with pytest.raises(RuntimeError, match=r"shape \(3,\) has a gradient of shape \(4,\)"):
        optim.SGD([p], lr=0.1).step()


def test_nn_parameters_are_optimized_like_plain_tensors():
    parameter = pytest.importorskip("minitorch.nn.parameter", reason="minitorch.nn.Parameter is not built yet")
    weights, batches = _weights(), _batches(6)
    plain = _train_mt("Adam", {"lr": 0.01}, weights, batches)
    params = [parameter.Parameter(minitorch.tensor(w.copy())) for w in weights]
    opt = optim.Adam(params, lr=0.01)
    for x, y in batches:
        opt.zero_grad()
        _loss(minitorch, params, minitorch.tensor(x), minitorch.tensor(y)).backward()
        opt.step()
    for p, w in zip(params, plain[1]):
        assert isinstance(p, parameter.Parameter)
        np.testing.assert_array_equal(p.detach().numpy(), w)


# ---- with nn modules, when they exist ---------------------------------------------------------------------
def test_training_an_nn_linear_model_matches_torch():
    nn = minitorch.nn
    if not hasattr(nn, "Linear"):
        pytest.skip("minitorch.nn.Linear is not built yet")
    lm = nn.Linear(6, 3)
    lt = torch.nn.Linear(6, 3)
    with torch.no_grad():
        lt.weight.copy_(torch.from_numpy(lm.weight.detach().numpy().copy()))
        lt.bias.copy_(torch.from_numpy(lm.bias.detach().numpy().copy()))
    om = optim.AdamW(lm.parameters(), lr=0.01)
    ot = torch.optim.AdamW(lt.parameters(), lr=0.01, foreach=False)
    for x, y in _batches(15):
        om.zero_grad()
        ot.zero_grad()
        a = ((lm(minitorch.tensor(x)) - minitorch.tensor(y)) ** 2).mean()
        b = ((lt(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean()
        a.backward()
        b.backward()
        om.step()
        ot.step()
        np.testing.assert_allclose(a.item(), b.item(), rtol=RTOL)
    np.testing.assert_allclose(lm.weight.detach().numpy(), lt.weight.detach().numpy(), rtol=RTOL, atol=ATOL)
