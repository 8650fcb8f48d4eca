"""NAdam, RAdam, Adamax, ASGD, Rprop and LBFGS against torch.optim: the same steps from the same weights.

Parameters of several shapes (a matrix, vectors, a 0-d scale, and a frozen one whose grad stays None) are
compared with torch's after every step, in float64 so the tolerance can be tight, on every device (the
cuda cases run on tests/fakecupy with MINITORCH_FAKE_GPU=1, where each step must not sync to the host).
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

import minitorch
import minitorch.optim as optim
from tests.helpers import devices, no_host_sync, raises_like_torch, require_torch, requires_cuda

torch = require_torch()

STEPS = 15
RTOL, ATOL = 1e-10, 1e-12

# (optimizer name, options): each option that changes the update formula, with and without weight decay
CONFIGS = [
    ("NAdam", dict()),
    ("NAdam", dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6)),
    ("NAdam", dict(lr=1e-2, betas=(0.3, 0.9))),  # beta1 < 0.5: torch.lerp's other branch
    ("NAdam", dict(lr=1e-2, momentum_decay=0.05)),
    ("NAdam", dict(lr=1e-2, weight_decay=0.1)),
    ("NAdam", dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=1e-2, weight_decay=0.05, maximize=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=1e-2, betas=(0.9, 0.9))),  # rho_inf = 19: rectified from the first steps
    ("RAdam", dict(lr=1e-2, betas=(0.3, 0.99), eps=1e-6)),
    ("RAdam", dict(lr=1e-2, weight_decay=0.1)),
    ("RAdam", dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=1e-2, betas=(0.9, 0.9), weight_decay=0.05, maximize=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6)),
    ("Adamax", dict(lr=1e-2, betas=(0.3, 0.9))),
    ("Adamax", dict(lr=1e-2, weight_decay=0.1)),
    ("Adamax", dict(lr=1e-2, weight_decay=0.05, maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=1e-2, alpha=0.5, t0=4)),  # averaging starts after t0 steps
    ("ASGD", dict(lr=0.05, t0=0)),
    ("ASGD", dict(lr=0.05, weight_decay=0.1, t0=3)),
    ("ASGD", dict(lr=0.05, lambd=1e-3, t0=2, weight_decay=0.05, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5))),
    ("Rprop", dict(lr=0.05, step_sizes=(1e-3, 0.06))),
    ("Rprop", dict(lr=0.02, etas=(0.4, 1.1), maximize=True)),
]


def _ids(cfg):
    name, kw = cfg
    return name + "(" + ",".join(f"{k}={v}" for k, v in kw.items()) + ")"


def _weights(seed: int = 0, dtype=np.float64):
    """w1 (5, 4), b1 (4,), w2 (4, 2), a 0-d output scale, and a (3,) parameter the loss never uses."""
    r = np.random.default_rng(seed)
    return [
        (r.standard_normal((5, 4)) * 0.5).astype(dtype), (r.standard_normal(4) * 0.1).astype(dtype),
        (r.standard_normal((4, 2)) * 0.5).astype(dtype), np.array(1.2, dtype=dtype),
        r.standard_normal(3).astype(dtype),
    ]


def _batches(n: int, seed: int = 1, dtype=np.float64):
    r = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        x = r.standard_normal((8, 5)).astype(dtype)
        out.append((x, np.sin(x[:, :2] * 2.0 + x[:, 2:4]).astype(dtype)))
    return out


def _loss(lib, params, x, y, sign=1.0):
    w1, b1, w2, scale, _frozen = params
    out = lib.matmul(lib.tanh(lib.matmul(x, w1) + b1), w2) * scale
    return ((out - y) ** 2).mean() * sign


def _np(t):
    return np.array(t.detach().cpu().numpy(), copy=True)


class _Run:
    """One library's run: its parameters, optimizer, and one ``step()`` per batch."""

    def __init__(self, lib, name, kw, weights, device="cpu", sd=None):
        self.lib, self.device, self.kw = lib, device, kw
        if lib is torch:
            self.params = [torch.tensor(w.copy(), requires_grad=True) for w in weights]
            self.opt = getattr(torch.optim, name)(self.params, foreach=False, **kw)
        else:
            self.params = [minitorch.tensor(w.copy(), device=device, requires_grad=True) for w in weights]
            self.opt = getattr(optim, name)(self.params, **kw)
        if sd is not None:
            self.opt.load_state_dict(sd)

    def step(self, x, y, check_sync=False):
        lib = self.lib
        self.opt.zero_grad()
        if lib is torch:
            xb, yb = torch.from_numpy(x), torch.from_numpy(y)
        else:
            xb, yb = minitorch.tensor(x, device=self.device), minitorch.tensor(y, device=self.device)
        loss = _loss(lib, self.params, xb, yb, -1.0 if self.kw.get("maximize") else 1.0)
        loss.backward()
        if check_sync:
            with no_host_sync():  # the whole update stays on the device
                self.opt.step()
        else:
            self.opt.step()
        return [_np(p) for p in self.params]


def _assert_params_close(mt, th, step, rtol=RTOL, atol=ATOL):
    for i, (a, b) in enumerate(zip(mt, th)):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"step {step}, parameter {i}")


# ---- trajectories ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("cfg", CONFIGS, ids=_ids)
def test_every_step_matches_torch(cfg, device):
    name, kw = cfg
    weights = _weights()
    mt, th = _Run(minitorch, name, kw, weights, device), _Run(torch, name, kw, weights)
    for i, (x, y) in enumerate(_batches(STEPS)):
        a = mt.step(x, y, check_sync=device == "cuda")
        b = th.step(x, y)
        _assert_params_close(a, b, i)
    assert not np.array_equal(a[0], weights[0])  # it moved
    np.testing.assert_array_equal(a[4], weights[4])  # the frozen parameter did not
    assert mt.params[4].grad is None
    assert sorted(mt.opt.state_dict()["state"]) == sorted(th.opt.state_dict()["state"]) == [0, 1, 2, 3]
    for st in mt.opt.state.values():
        for k, v in st.items():
            if k in ("step", "mu_product", "eta", "mu"):  # scalars stay on the host, as torch's step does
                assert v.device.type == "cpu" and v.dtype == minitorch.float32, k
            else:
                assert v.device.type == device and v.dtype == minitorch.float64, k


@pytest.mark.parametrize("name", ["NAdam", "RAdam", "Adamax", "ASGD", "Rprop"])
def test_float32_parameters_stay_float32_and_match_torch(name):
    kw = dict(CONFIGS[[n for n, _ in CONFIGS].index(name) + 1][1])
    weights, batches = _weights(dtype=np.float32), _batches(STEPS, dtype=np.float32)
    mt, th = _Run(minitorch, name, kw, weights), _Run(torch, name, kw, weights)
    for i, (x, y) in enumerate(batches):
        a, b = mt.step(x, y), th.step(x, y)
        _assert_params_close(a, b, i, rtol=1e-5, atol=1e-6)
    assert all(p.dtype == minitorch.float32 for p in mt.params)


@pytest.mark.parametrize("name", ["NAdam", "RAdam", "Adamax", "ASGD", "Rprop"])
def test_param_groups_with_their_own_options_match_torch(name):
    kw = dict(CONFIGS[[n for n, _ in CONFIGS].index(name) + 1][1])
    weights, batches = _weights(3), _batches(8, seed=4)

    def groups(params):
        return [{"params": params[:2]}, {"params": params[2:], "lr": kw.get("lr", 1e-2) / 3}]

    pm = [minitorch.tensor(w.copy(), requires_grad=True) for w in weights]
    pt = [torch.tensor(w.copy(), requires_grad=True) for w in weights]
    om = getattr(optim, name)(groups(pm), **kw)
    ot = getattr(torch.optim, name)(groups(pt), foreach=False, **kw)
    for x, y in batches:
        for lib, params, opt in ((minitorch, pm, om), (torch, pt, ot)):
            opt.zero_grad()
            xb, yb = (lib.tensor(x), lib.tensor(y))
            _loss(lib, params, xb, yb).backward()
            opt.step()
    _assert_params_close([_np(p) for p in pm], [_np(p) for p in pt], "end")


@pytest.mark.parametrize("cfg", [CONFIGS[5], CONFIGS[12], CONFIGS[17], CONFIGS[21], CONFIGS[26]], ids=_ids)
def test_step_updates_in_place_outside_the_graph(cfg):
    name, kw = cfg
    run = _Run(minitorch, name, kw, _weights())
    arrays = [p.array for p in run.params]
    x, y = _batches(1)[0]
    for _ in range(3):
        state_arrays = {(id(p), k): v.array for p, st in run.opt.state.items() for k, v in st.items()}
        run.step(x, y)
        for p, arr in zip(run.params, arrays):
            assert p.array is arr and p.is_leaf and p.requires_grad and p.grad_fn is None
        for p, st in run.opt.state.items():
            for k, v in st.items():
                if (id(p), k) in state_arrays:
                    assert v.array is state_arrays[(id(p), k)], k


def test_closure_is_evaluated_with_grad_and_its_loss_returned():
    p = minitorch.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.NAdam([p], lr=0.1)

    def closure():
        opt.zero_grad()
        assert minitorch.is_grad_enabled()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with minitorch.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 5.0 and opt.step() is None


# ---- state_dict ---------------------------------------------------------------------------------------------
def _to_mt(obj):
    if isinstance(obj, torch.Tensor):
        return minitorch.tensor(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: _to_mt(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_to_mt(v) for v in obj]
    return obj


STATE_CASES = [CONFIGS[5], CONFIGS[6], CONFIGS[11], CONFIGS[17], CONFIGS[19], CONFIGS[26]]


@pytest.mark.parametrize("cfg", STATE_CASES, ids=_ids)
def test_state_dict_keys_and_values_match_torch(cfg):
    name, kw = cfg
    weights, batches = _weights(), _batches(5)
    mt, th = _Run(minitorch, name, kw, weights), _Run(torch, name, kw, weights)
    for x, y in batches:
        mt.step(x, y)
        th.step(x, y)
    sm, st = mt.opt.state_dict(), th.opt.state_dict()
    for gm, gt in zip(sm["param_groups"], st["param_groups"]):
        assert set(gm) == set(gt)
        for k in gt:
            if k != "foreach":
                assert gm[k] == gt[k], k
    assert sorted(sm["state"]) == sorted(st["state"])
    for i in st["state"]:
        assert list(sm["state"][i]) == list(st["state"][i])  # the same names, in the same order
        for k, vt in st["state"][i].items():
            vm = sm["state"][i][k]
            assert tuple(vm.shape) == tuple(vt.shape), k
            assert str(vm.dtype).split(".")[-1] == str(vt.dtype).split(".")[-1], k
            np.testing.assert_allclose(vm.numpy(), vt.numpy(), rtol=1e-6, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("cfg", STATE_CASES, ids=_ids)
def test_resume_from_state_dict_equals_uninterrupted_run(cfg, device):
    name, kw = cfg
    weights, batches = _weights(5), _batches(12, seed=6)
    full = _Run(minitorch, name, kw, weights, device)
    trajectory = [full.step(x, y) for x, y in batches]

    first = _Run(minitorch, name, kw, weights, device)
    for x, y in batches[:6]:
        last = first.step(x, y)
    sd = copy.deepcopy(first.opt.state_dict())
    resumed = _Run(minitorch, name, kw, last, device, sd=sd)
    first.step(*batches[6])  # the saved-from optimizer goes on: the loaded one must not share its buffers
    for i, (x, y) in enumerate(batches[6:], 6):
        got = resumed.step(x, y, check_sync=device == "cuda")
        for a, b in zip(got, trajectory[i]):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cfg", STATE_CASES, ids=_ids)
def test_a_torch_state_dict_loads_and_training_goes_on_like_torch(cfg):
    name, kw = cfg
    weights, batches = _weights(7), _batches(10, seed=8)
    th = _Run(torch, name, kw, weights)
    for x, y in batches[:5]:
        last = th.step(x, y)
    mt = _Run(minitorch, name, kw, last, sd=_to_mt(th.opt.state_dict()))
    for i, (x, y) in enumerate(batches[5:]):
        _assert_params_close(mt.step(x, y), th.step(x, y), i)


# ---- bad input: torch's exception types ---------------------------------------------------------------------
BAD = [
    ("NAdam", dict(lr=-0.1)), ("RAdam", dict(lr=-0.1)), ("Adamax", dict(lr=-0.1)), ("ASGD", dict(lr=-0.1)),
    ("Rprop", dict(lr=-0.1)), ("LBFGS", dict(lr=-0.1)),
    ("NAdam", dict(betas=(1.0, 0.999))), ("NAdam", dict(betas=(0.9, -0.1))), ("RAdam", dict(betas=(-0.5, 0.9))),
    ("RAdam", dict(betas=(0.9, 1.0))), ("Adamax", dict(betas=(1.5, 0.9))), ("Adamax", dict(betas=(0.9, 2.0))),
    ("NAdam", dict(eps=-1.0)), ("RAdam", dict(eps=-1.0)), ("Adamax", dict(eps=-1.0)),
    ("NAdam", dict(weight_decay=-1.0)), ("RAdam", dict(weight_decay=-1.0)), ("Adamax", dict(weight_decay=-1.0)),
    ("ASGD", dict(weight_decay=-1.0)), ("NAdam", dict(momentum_decay=-0.1)),
    ("Rprop", dict(etas=(1.5, 1.2))), ("Rprop", dict(etas=(0.5, 0.9))), ("Rprop", dict(etas=(0.0, 1.2))),
]


@pytest.mark.parametrize("name,kw", BAD, ids=[f"{n}-{kw}" for n, kw in BAD])
def test_bad_hyperparameters_raise_like_torch(name, kw):
    err = raises_like_torch(lambda: getattr(torch.optim, name)([torch.zeros(3, requires_grad=True)], **kw),
                            lambda: getattr(optim, name)([minitorch.zeros(3, requires_grad=True)], **kw))
    assert "Invalid" in str(err)


def test_lbfgs_refuses_parameter_groups_like_torch():
    raises_like_torch(
        lambda: torch.optim.LBFGS([{"params": [torch.zeros(2, requires_grad=True)]},
                                   {"params": [torch.zeros(2, requires_grad=True)], "lr": 0.1}]),
        lambda: optim.LBFGS([{"params": [minitorch.zeros(2, requires_grad=True)]},
                             {"params": [minitorch.zeros(2, requires_grad=True)], "lr": 0.1}]))


def test_lbfgs_unknown_line_search_raises_like_torch():
    def run(lib, opt_mod):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = opt_mod.LBFGS([p], line_search_fn="backtracking")

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        opt.step(closure)

    raises_like_torch(lambda: run(torch, torch.optim), lambda: run(minitorch, optim))


@pytest.mark.parametrize("name", ["NAdam", "RAdam", "Adamax", "ASGD", "Rprop"])
def test_differentiable_is_not_supported(name):
    with pytest.raises(NotImplementedError, match="differentiable"):
        getattr(optim, name)([minitorch.zeros(3, requires_grad=True)], differentiable=True)


# ---- LBFGS --------------------------------------------------------------------------------------------------
def _quadratic(lib, params):
    """0.5 x^T A x - b^T x over the flattened (x1, x2) with A symmetric positive definite; x3 is unused."""
    r = np.random.default_rng(11)
    m = r.standard_normal((7, 7))
    a = lib.tensor(m @ m.T + 0.5 * np.eye(7)).to(params[0].device)
    b = lib.tensor(r.standard_normal(7)).to(params[0].device)
    x = lib.cat([params[0].reshape(-1), params[1].reshape(-1)])
    return 0.5 * (x * lib.matmul(a, x)).sum() - (b * x).sum()


def _rosenbrock(lib, params):
    x = params[0]
    return ((1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2) + ((1 - x[1]) ** 2 + 100 * (x[2] - x[1] ** 2) ** 2)


LBFGS_CASES = [
    ("quadratic", dict()),
    ("quadratic", dict(lr=0.5, max_iter=4, history_size=2)),
    ("quadratic", dict(line_search_fn="strong_wolfe", max_iter=5)),
    ("rosenbrock", dict(lr=0.2, max_iter=10)),
    ("rosenbrock", dict(line_search_fn="strong_wolfe")),
    ("rosenbrock", dict(line_search_fn="strong_wolfe", history_size=3, max_iter=7, max_eval=12)),
    ("rosenbrock", dict(line_search_fn="strong_wolfe", tolerance_change=1e-4, tolerance_grad=1e-3)),
]


def _lbfgs_start(problem):
    if problem == "quadratic":
        r = np.random.default_rng(12)
        return [r.standard_normal(3), r.standard_normal((2, 2)), r.standard_normal(2)]
    return [np.array([-1.2, 1.0, 0.8])]


def _lbfgs_run(lib, opt_mod, problem, kw, calls, device="cpu"):
    if lib is torch:
        params = [torch.tensor(w, requires_grad=True) for w in _lbfgs_start(problem)]
    else:
        params = [minitorch.tensor(w, device=device, requires_grad=True) for w in _lbfgs_start(problem)]
    opt = opt_mod.LBFGS(params, **kw)
    f = _quadratic if problem == "quadratic" else _rosenbrock

    def closure():
        opt.zero_grad()
        loss = f(lib, params)
        loss.backward()
        return loss

    out = []
    for _ in range(calls):
        loss = opt.step(closure)
        out.append((float(loss.detach()), [_np(p) for p in params]))
    return out, opt


@pytest.mark.parametrize("problem,kw", LBFGS_CASES, ids=[f"{p}-{kw}" for p, kw in LBFGS_CASES])
def test_lbfgs_iterates_match_torch(problem, kw):
    mt, om = _lbfgs_run(minitorch, optim, problem, kw, 6)
    th, ot = _lbfgs_run(torch, torch.optim, problem, kw, 6)
    for i, ((lm, pm), (lt, pt)) in enumerate(zip(mt, th)):
        # float64 dot products may sum in another order than torch's: Rosenbrock amplifies that a little
        np.testing.assert_allclose(lm, lt, rtol=1e-6, atol=1e-12, err_msg=f"step {i} loss")
        _assert_params_close(pm, pt, i, rtol=1e-6, atol=1e-9)
    sm, st = om.state_dict()["state"][0], ot.state_dict()["state"][0]
    assert set(sm) == set(st)
    assert sm["func_evals"] == st["func_evals"] and sm["n_iter"] == st["n_iter"]
    assert len(sm["old_dirs"]) == len(st["old_dirs"])
    assert mt[-1][0] < mt[0][0]  # it minimised


def test_lbfgs_reaches_the_minimum_of_rosenbrock():
    out, _ = _lbfgs_run(minitorch, optim, "rosenbrock", dict(line_search_fn="strong_wolfe", max_iter=100), 3)
    np.testing.assert_allclose(out[-1][1][0], [1.0, 1.0, 1.0], atol=1e-5)


@pytest.mark.parametrize("device", devices())
def test_lbfgs_resumes_from_its_state_dict(device):
    kw = dict(line_search_fn="strong_wolfe", max_iter=3, history_size=4)
    full, _ = _lbfgs_run(minitorch, optim, "rosenbrock", kw, 4, device)
    first, opt = _lbfgs_run(minitorch, optim, "rosenbrock", kw, 2, device)
    sd = copy.deepcopy(opt.state_dict())
    p = minitorch.tensor(first[-1][1][0], device=device, requires_grad=True)
    opt2 = optim.LBFGS([p], **kw)
    opt2.load_state_dict(sd)

    def closure():
        opt2.zero_grad()
        loss = _rosenbrock(minitorch, [p])
        loss.backward()
        return loss

    for i in (2, 3):
        opt2.step(closure)
        np.testing.assert_array_equal(_np(p), full[i][1][0])


@requires_cuda
def test_lbfgs_on_cuda_matches_cpu():
    kw = dict(line_search_fn="strong_wolfe")
    cpu, _ = _lbfgs_run(minitorch, optim, "quadratic", kw, 3)
    gpu, ogpu = _lbfgs_run(minitorch, optim, "quadratic", kw, 3, device="cuda")
    for (_, a), (_, b) in zip(cpu, gpu):
        _assert_params_close(b, a, "cuda", rtol=1e-9, atol=1e-11)
    assert ogpu.state_dict()["state"][0]["d"].device.type == "cuda"
