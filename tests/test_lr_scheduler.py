"""minitorch.optim.lr_scheduler against torch.optim.lr_scheduler: the same lr (and momentum) sequences."""
from __future__ import annotations

import copy
import math
import warnings

import pytest

import minitorch
import minitorch.optim as optim
from minitorch.optim import lr_scheduler as mls
from tests.helpers import require_torch

torch = require_torch()
tls = torch.optim.lr_scheduler

STEPS = 60


def _lam(epoch):
    return 0.95**epoch + 0.01 * (epoch % 3)


# (scheduler name, options, optimizer name, optimizer options)
SCHEDULES = [
    ("StepLR", dict(step_size=7), "SGD", dict(lr=0.1)),
    ("StepLR", dict(step_size=3, gamma=0.5), "Adam", dict(lr=0.01)),
    ("MultiStepLR", dict(milestones=[5, 12, 12, 30]), "SGD", dict(lr=0.1)),
    ("MultiStepLR", dict(milestones=[10, 20], gamma=0.3), "SGD", dict(lr=0.1)),
    ("ExponentialLR", dict(gamma=0.93), "SGD", dict(lr=0.1)),
    ("CosineAnnealingLR", dict(T_max=10), "SGD", dict(lr=0.1)),
    ("CosineAnnealingLR", dict(T_max=17, eta_min=1e-3), "Adam", dict(lr=0.02)),
    ("LambdaLR", dict(lr_lambda=_lam), "SGD", dict(lr=0.1)),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.97), "SGD", dict(lr=0.1)),
    ("LinearLR", dict(), "SGD", dict(lr=0.1)),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.5, total_iters=25), "SGD", dict(lr=0.1)),
    ("ConstantLR", dict(factor=0.5, total_iters=8), "SGD", dict(lr=0.1)),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=STEPS), "SGD", dict(lr=0.1, momentum=0.9)),
    ("OneCycleLR", dict(max_lr=[0.5, 0.2], total_steps=STEPS, anneal_strategy="linear"), "SGD",
     dict(lr=0.1, momentum=0.9)),
    ("OneCycleLR", dict(max_lr=0.3, epochs=6, steps_per_epoch=10, three_phase=True, pct_start=0.25), "SGD",
     dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("OneCycleLR", dict(max_lr=0.01, total_steps=STEPS, base_momentum=0.8, max_momentum=0.9), "Adam", dict(lr=1e-3)),
    ("OneCycleLR", dict(max_lr=0.01, total_steps=STEPS, cycle_momentum=False, div_factor=10.0,
                        final_div_factor=100.0), "AdamW", dict(lr=1e-3)),
]


def _ids(cfg):
    name, kw, oname, _ = cfg
    return f"{name}-{oname}-" + ",".join(f"{k}={getattr(v, '__name__', v)}" for k, v in kw.items())


def _two_groups(lib, lrs):
    a = lib.zeros(3, requires_grad=True)
    b = lib.zeros(2, requires_grad=True)
    return [{"params": [a]}, {"params": [b], "lr": lrs}]


def _build(lib_optim, lib_sched, lib, cfg):
    name, kw, oname, okw = cfg
    opt_kw = dict(okw)
    if lib is torch:
        opt_kw["foreach"] = False
    opt = getattr(lib_optim, oname)(_two_groups(lib, okw["lr"] / 2), **opt_kw)
    return opt, getattr(lib_sched, name)(opt, **kw)


def _record(opt, sched, steps, metrics=None):
    rows = []
    for i in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        rows.append((list(sched.get_last_lr()), [g["lr"] for g in opt.param_groups],
                     [g.get("momentum") for g in opt.param_groups],
                     [tuple(g["betas"]) if "betas" in g else None for g in opt.param_groups]))
    return rows


def _close(a, b):
    if a is None or b is None:
        return a is b
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-15)


def _assert_same_rows(mt_rows, t_rows):
    assert len(mt_rows) == len(t_rows)
    for i, (m, t) in enumerate(zip(mt_rows, t_rows)):
        assert _close(m, t), f"step {i}: minitorch {m} != torch {t}"


@pytest.mark.parametrize("cfg", SCHEDULES, ids=_ids)
def test_schedule_matches_torch(cfg):
    om, sm = _build(optim, mls, minitorch, cfg)
    ot, st = _build(torch.optim, tls, torch, cfg)
    assert _close(sm.get_last_lr(), st.get_last_lr()) and _close(sm.base_lrs, st.base_lrs)
    steps = STEPS if cfg[0] != "OneCycleLR" else sm.total_steps
    mt_rows, t_rows = _record(om, sm, steps), _record(ot, st, steps)
    _assert_same_rows(mt_rows, t_rows)
    assert len({r[0][0] for r in mt_rows}) >= 2  # the lr actually changed
    assert [g["initial_lr"] for g in om.param_groups] == [g["initial_lr"] for g in ot.param_groups]


def test_one_cycle_past_total_steps_raises_like_torch():
    cfg = SCHEDULES[12]
    for opt_mod, sched_mod, lib in ((optim, mls, minitorch), (torch.optim, tls, torch)):
        opt, sched = _build(opt_mod, sched_mod, lib, cfg)
        _record(opt, sched, STEPS)
        with pytest.raises(ValueError, match=f"Tried to step {STEPS + 1} times"):
            sched.step()


PLATEAU = [
    dict(),
    dict(patience=2),
    dict(mode="max", patience=1, factor=0.5),
    dict(patience=0, threshold=0.05, threshold_mode="abs", cooldown=2),
    dict(mode="max", patience=1, threshold=0.1, threshold_mode="abs", min_lr=[1e-3, 1e-4]),
    dict(patience=1, factor=0.5, min_lr=0.01, eps=1e-3),
]


def _metrics(n):
    # improves, plateaus, oscillates, improves again
    out = []
    for i in range(n):
        if i < 10:
            out.append(1.0 / (i + 1))
        elif i < 25:
            out.append(0.1 + 0.001 * (i % 4))
        elif i < 40:
            out.append(0.1 - 0.02 * ((i - 25) % 2))
        else:
            out.append(0.09 * 0.9 ** (i - 40))
    return out


@pytest.mark.parametrize("kw", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_on_plateau_matches_torch(kw):
    om = optim.SGD(_two_groups(minitorch, 0.05), lr=0.1)
    ot = torch.optim.SGD(_two_groups(torch, 0.05), lr=0.1)
    sm, st = mls.ReduceLROnPlateau(om, **kw), tls.ReduceLROnPlateau(ot, **kw)
    metrics = _metrics(STEPS)
    if kw.get("mode") == "max":
        metrics = [-m for m in metrics]
    mt_rows, t_rows = _record(om, sm, STEPS, metrics), _record(ot, st, STEPS, metrics)
    _assert_same_rows(mt_rows, t_rows)
    assert mt_rows[-1][1][0] < 0.1  # it reduced at least once
    assert (sm.best, sm.num_bad_epochs, sm.cooldown_counter, sm.last_epoch) == (
        st.best, st.num_bad_epochs, st.cooldown_counter, st.last_epoch)


def test_reduce_on_plateau_accepts_a_tensor_metric():
    opt = optim.SGD(_two_groups(minitorch, 0.05), lr=0.1)
    sched = mls.ReduceLROnPlateau(opt, patience=0)
    sched.step(minitorch.tensor(1.0))
    sched.step(minitorch.tensor(2.0))
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)


# ---- state dicts ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cfg", [SCHEDULES[0], SCHEDULES[2], SCHEDULES[5], SCHEDULES[7], SCHEDULES[10],
                                 SCHEDULES[14], SCHEDULES[15]], ids=_ids)
def test_state_dict_keys_match_torch(cfg):
    _, sm = _build(optim, mls, minitorch, cfg)
    _, st = _build(torch.optim, tls, torch, cfg)
    assert set(sm.state_dict()) == set(st.state_dict())
    for k, v in st.state_dict().items():
        if isinstance(v, (int, float, str, bool)) and k != "_step_count":
            assert sm.state_dict()[k] == v, k


@pytest.mark.parametrize("through_file", [False, True])
@pytest.mark.parametrize("cfg", [SCHEDULES[0], SCHEDULES[2], SCHEDULES[6], SCHEDULES[8], SCHEDULES[10],
                                 SCHEDULES[14], SCHEDULES[15]], ids=_ids)
def test_resume_from_state_dict_equals_uninterrupted(cfg, through_file, tmp_path):
    opt, sched = _build(optim, mls, minitorch, cfg)
    steps = 40
    full = _record(opt, sched, steps)

    opt1, sched1 = _build(optim, mls, minitorch, cfg)
    first = _record(opt1, sched1, 15)
    ckpt = {"optimizer": opt1.state_dict(), "scheduler": sched1.state_dict()}
    if through_file:
        minitorch.save(ckpt, tmp_path / "sched.ckpt")
        ckpt = minitorch.load(tmp_path / "sched.ckpt")
    else:
        ckpt = copy.deepcopy(ckpt)
    opt2, sched2 = _build(optim, mls, minitorch, cfg)
    opt2.load_state_dict(ckpt["optimizer"])
    sched2.load_state_dict(ckpt["scheduler"])
    rest = _record(opt2, sched2, steps - 15)
    _assert_same_rows(first + rest, full)


def test_plateau_state_dict_round_trip(tmp_path):
    metrics = _metrics(STEPS)
    opt = optim.SGD(_two_groups(minitorch, 0.05), lr=0.1)
    sched = mls.ReduceLROnPlateau(opt, patience=1, cooldown=1)
    full = _record(opt, sched, STEPS, metrics)
    opt1 = optim.SGD(_two_groups(minitorch, 0.05), lr=0.1)
    sched1 = mls.ReduceLROnPlateau(opt1, patience=1, cooldown=1)
    first = _record(opt1, sched1, 20, metrics)
    minitorch.save({"o": opt1.state_dict(), "s": sched1.state_dict()}, tmp_path / "p.ckpt")
    ck = minitorch.load(tmp_path / "p.ckpt")
    opt2 = optim.SGD(_two_groups(minitorch, 0.05), lr=0.1)
    sched2 = mls.ReduceLROnPlateau(opt2, patience=5)
    opt2.load_state_dict(ck["o"])
    sched2.load_state_dict(ck["s"])
    assert sched2.patience == 1
    _assert_same_rows(first + _record(opt2, sched2, STEPS - 20, metrics[20:]), full)


def test_lambda_state_dict_saves_callable_objects_but_not_functions():
    class Decay:
        def __init__(self):
            self.rate = 0.9

        def __call__(self, epoch):
            return self.rate**epoch

    d = Decay()
    opt = optim.SGD(_two_groups(minitorch, 0.05), lr=0.1)
    sched = mls.LambdaLR(opt, [d, _lam])
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"rate": 0.9}, None]
    d2 = Decay()
    d2.rate = 0.5
    sched2 = mls.LambdaLR(optim.SGD(_two_groups(minitorch, 0.05), lr=0.1), [d2, _lam])
    sched2.load_state_dict(sd)
    assert d2.rate == 0.9


@pytest.mark.parametrize("cfg", [SCHEDULES[0], SCHEDULES[2], SCHEDULES[4], SCHEDULES[5], SCHEDULES[10]], ids=_ids)
def test_deprecated_step_with_epoch_uses_the_closed_form_like_torch(cfg):
    om, sm = _build(optim, mls, minitorch, cfg)
    ot, st = _build(torch.optim, tls, torch, cfg)
    for epoch in (3, 9, 14, 2):
        om.step()
        ot.step()
        with pytest.warns(UserWarning):
            sm.step(epoch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            st.step(epoch)
        assert _close(sm.get_last_lr(), st.get_last_lr())


def test_resuming_with_last_epoch_needs_initial_lr():
    opt = optim.SGD(_two_groups(minitorch, 0.05), lr=0.1)
    with pytest.raises(KeyError, match="initial_lr"):
        mls.StepLR(opt, step_size=3, last_epoch=5)
    mls.StepLR(opt, step_size=3)
    sched = mls.StepLR(opt, step_size=3, last_epoch=5)  # now the groups have initial_lr
    assert sched.last_epoch == 6


def test_scheduler_step_before_optimizer_step_warns_like_torch():
    opt = optim.SGD(_two_groups(minitorch, 0.05), lr=0.1)
    sched = mls.StepLR(opt, step_size=3)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt2 = optim.SGD(_two_groups(minitorch, 0.05), lr=0.1)
    sched2 = mls.StepLR(opt2, step_size=3)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


# ---- bad input ------------------------------------------------------------------------------------------------
BAD = [
    ("LinearLR", dict(start_factor=0.0), "Starting multiplicative factor"),
    ("LinearLR", dict(end_factor=1.5), "Ending multiplicative factor"),
    ("ConstantLR", dict(factor=2.0), "between 0 and 1"),
    ("ReduceLROnPlateau", dict(factor=1.0), "Factor should be < 1.0"),
    ("ReduceLROnPlateau", dict(mode="middle"), "mode middle is unknown"),
    ("ReduceLROnPlateau", dict(threshold_mode="relative"), "threshold mode relative is unknown"),
    ("ReduceLROnPlateau", dict(min_lr=[0.1, 0.2, 0.3]), "expected 2 min_lrs, got 3"),
    ("OneCycleLR", dict(max_lr=0.1), "You must define either total_steps"),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=0), "positive integer total_steps"),
    ("OneCycleLR", dict(max_lr=0.1, epochs=0, steps_per_epoch=3), "positive integer epochs"),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=10, pct_start=1.5), "pct_start"),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=10, anneal_strategy="cubic"), "anneal_strategy"),
    ("OneCycleLR", dict(max_lr=[0.1, 0.2, 0.3], total_steps=10), "max_lr must have the same length"),
    ("LambdaLR", dict(lr_lambda=[_lam]), "Expected 2 lr_lambdas, but got 1"),
    ("MultiplicativeLR", dict(lr_lambda=3), "lr_lambda should be a function"),
]


@pytest.mark.parametrize("name,kw,msg", BAD, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(BAD)])
def test_bad_scheduler_arguments_raise_like_torch(name, kw, msg):
    with pytest.raises(Exception) as t_err:
        getattr(tls, name)(torch.optim.SGD(_two_groups(torch, 0.05), lr=0.1), **kw)
    with pytest.raises(t_err.type, match=msg):
        getattr(mls, name)(optim.SGD(_two_groups(minitorch, 0.05), lr=0.1), **kw)


def test_one_cycle_needs_momentum_or_betas_and_schedulers_need_an_optimizer():
    class Plain(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

        def step(self, closure=None):
            return None

    with pytest.raises(ValueError, match="momentum or beta1"):
        mls.OneCycleLR(Plain([minitorch.zeros(2, requires_grad=True)]), max_lr=0.1, total_steps=5)
    for cls in (mls.StepLR, mls.ReduceLROnPlateau):
        with pytest.raises(TypeError, match="is not an Optimizer"):
            cls(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), **({"step_size": 1}
                                                                                  if cls is mls.StepLR else {}))
