"""CosineAnnealingWarmRestarts, CyclicLR, PolynomialLR, SequentialLR and ChainedScheduler against torch:
the same lr (and momentum / beta1) sequences, state dicts that resume, torch's errors."""
from __future__ import annotations

import copy
import math
import warnings

import pytest

import minitorch
import minitorch.optim as optim
from minitorch.optim import lr_scheduler as mls
from tests.helpers import raises_like_torch, require_torch
from tests.test_lr_scheduler import _assert_same_rows, _close, _record, _two_groups

torch = require_torch()
tls = torch.optim.lr_scheduler

STEPS = 70


def _bump(x):
    return 0.5 * (1 + math.sin(x * math.pi / 2))


# (id, build(scheduler module, optimizer) -> scheduler, optimizer name, optimizer options)
SCHEDULES = [
    ("warm_restarts", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=10), "SGD", dict(lr=0.1)),
    ("warm_restarts_mult", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=1e-3), "Adam",
     dict(lr=0.02)),
    ("cyclic_triangular", lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5), "SGD",
     dict(lr=0.1, momentum=0.9)),
    ("cyclic_triangular2", lambda m, o: m.CyclicLR(o, base_lr=[0.01, 0.002], max_lr=[0.1, 0.05], step_size_up=4,
                                                   step_size_down=7, mode="triangular2"), "SGD",
     dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("cyclic_exp_range_betas", lambda m, o: m.CyclicLR(o, base_lr=1e-3, max_lr=1e-2, step_size_up=6, mode="exp_range",
                                                       gamma=0.97, base_momentum=0.85, max_momentum=0.95), "Adam",
     dict(lr=1e-3)),
    ("cyclic_no_momentum", lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=3,
                                                   cycle_momentum=False), "Adagrad", dict(lr=0.1)),
    ("cyclic_scale_fn", lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4, scale_fn=_bump,
                                                scale_mode="iterations"), "RMSprop", dict(lr=0.1, momentum=0.5)),
    ("cyclic_scale_fn_cycle", lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, step_size_down=5,
                                                      scale_fn=lambda c: 1.0 / c), "NAdam", dict(lr=1e-2)),
    ("polynomial", lambda m, o: m.PolynomialLR(o), "SGD", dict(lr=0.1)),
    ("polynomial_power", lambda m, o: m.PolynomialLR(o, total_iters=40, power=2.5), "RAdam", dict(lr=0.01)),
    ("sequential", lambda m, o: m.SequentialLR(o, [m.ConstantLR(o, factor=0.1, total_iters=3),
                                                   m.ExponentialLR(o, gamma=0.9)], milestones=[5]), "SGD",
     dict(lr=0.1)),
    ("sequential_three", lambda m, o: m.SequentialLR(o, [m.LinearLR(o, start_factor=0.2, total_iters=4),
                                                         m.CosineAnnealingLR(o, T_max=10),
                                                         m.StepLR(o, step_size=3, gamma=0.5)],
                                                     milestones=[6, 20]), "Adam", dict(lr=0.01)),
    ("sequential_polynomial", lambda m, o: m.SequentialLR(o, [m.LinearLR(o, start_factor=0.5, total_iters=5),
                                                              m.PolynomialLR(o, total_iters=30, power=1.5)],
                                                          milestones=[5]), "SGD", dict(lr=0.1)),
    ("chained", lambda m, o: m.ChainedScheduler([m.ConstantLR(o, factor=0.5, total_iters=4),
                                                 m.ExponentialLR(o, gamma=0.95)]), "SGD", dict(lr=0.1)),
    ("chained_three", lambda m, o: m.ChainedScheduler([m.LinearLR(o, start_factor=0.3, total_iters=8),
                                                       m.MultiStepLR(o, milestones=[10, 25], gamma=0.5),
                                                       m.PolynomialLR(o, total_iters=50)], optimizer=o),
     "Adamax", dict(lr=0.01)),
]
IDS = [c[0] for c in SCHEDULES]


def _build(lib, cfg):
    _, make, oname, okw = cfg
    opt_kw = dict(okw)
    if lib is torch:
        opt_kw["foreach"] = False
        opt = getattr(torch.optim, oname)(_two_groups(torch, okw["lr"] / 2), **opt_kw)
        sched_mod = tls
    else:
        opt = getattr(optim, oname)(_two_groups(minitorch, okw["lr"] / 2), **opt_kw)
        sched_mod = mls
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's SequentialLR warns about its inner schedulers' first steps
        return opt, make(sched_mod, opt)


@pytest.mark.parametrize("cfg", SCHEDULES, ids=IDS)
def test_schedule_matches_torch(cfg):
    om, sm = _build(minitorch, cfg)
    ot, st = _build(torch, cfg)
    assert _close(sm.get_last_lr(), st.get_last_lr())
    assert _close([g["lr"] for g in om.param_groups], [g["lr"] for g in ot.param_groups])
    mt_rows, t_rows = _record(om, sm, STEPS), _record(ot, st, STEPS)
    _assert_same_rows(mt_rows, t_rows)
    assert len({r[0][0] for r in mt_rows}) >= 3  # the lr actually changed


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_with_fractional_epochs_match_torch(T_mult):
    om, ot = optim.SGD(_two_groups(minitorch, 0.05), lr=0.1), torch.optim.SGD(_two_groups(torch, 0.05), lr=0.1)
    sm = mls.CosineAnnealingWarmRestarts(om, T_0=4, T_mult=T_mult, eta_min=0.001)
    st = tls.CosineAnnealingWarmRestarts(ot, T_0=4, T_mult=T_mult, eta_min=0.001)
    iters = 7
    epochs = [e + i / iters for e in range(30) for i in range(iters)] + [3.5, 0.25, 41.0, 12.0]
    for epoch in epochs:
        om.step()
        ot.step()
        sm.step(epoch)
        st.step(epoch)
        assert _close(sm.get_last_lr(), st.get_last_lr()), epoch
        assert sm.last_epoch == st.last_epoch and _close(sm.T_cur, st.T_cur) and sm.T_i == st.T_i
    # and back to plain steps from there
    for _ in range(10):
        sm.step()
        st.step()
        assert _close(sm.get_last_lr(), st.get_last_lr())


@pytest.mark.parametrize("cfg", SCHEDULES, ids=IDS)
def test_state_dict_keys_match_torch(cfg):
    _, sm = _build(minitorch, cfg)
    _, st = _build(torch, cfg)
    dm, dt = sm.state_dict(), st.state_dict()
    assert set(dm) == set(dt)
    for k, v in dt.items():
        if isinstance(v, (int, float, str, bool)) and k != "_step_count":
            assert dm[k] == v, k
    if "_schedulers" in dt:
        for im, it in zip(dm["_schedulers"], dt["_schedulers"]):
            assert set(im) == set(it)


@pytest.mark.parametrize("through_file", [False, True])
@pytest.mark.parametrize("cfg", SCHEDULES, ids=IDS)
def test_resume_from_state_dict_equals_uninterrupted(cfg, through_file, tmp_path):
    om, sm = _build(minitorch, cfg)
    full = _record(om, sm, 40)
    om1, sm1 = _build(minitorch, cfg)
    first = _record(om1, sm1, 17)
    ckpt = {"optimizer": om1.state_dict(), "scheduler": sm1.state_dict()}
    if through_file:
        minitorch.save(ckpt, tmp_path / "sched.ckpt")
        ckpt = minitorch.load(tmp_path / "sched.ckpt")
    else:
        ckpt = copy.deepcopy(ckpt)
    om2, sm2 = _build(minitorch, cfg)
    om2.load_state_dict(ckpt["optimizer"])
    sm2.load_state_dict(ckpt["scheduler"])
    _assert_same_rows(first + _record(om2, sm2, 23), full)


def test_cyclic_state_dict_saves_callable_objects_but_not_functions():
    class Scale:
        def __init__(self):
            self.rate = 0.9

        def __call__(self, x):
            return self.rate**x

    opt = optim.SGD(_two_groups(minitorch, 0.05), lr=0.1, momentum=0.9)
    sd = mls.CyclicLR(opt, 0.01, 0.1, scale_fn=Scale()).state_dict()
    assert sd["_scale_fn_custom"] == {"rate": 0.9} and "_scale_fn_ref" not in sd
    assert mls.CyclicLR(opt, 0.01, 0.1, scale_fn=_bump).state_dict()["_scale_fn_custom"] is None
    other = Scale()
    other.rate = 0.5
    sched = mls.CyclicLR(optim.SGD(_two_groups(minitorch, 0.05), lr=0.1, momentum=0.9), 0.01, 0.1, scale_fn=other)
    sched.load_state_dict(sd)
    assert other.rate == 0.9


def test_sequential_and_chained_get_last_lr_follow_the_active_scheduler():
    opt = optim.SGD(_two_groups(minitorch, 0.05), lr=0.1)
    seq = mls.SequentialLR(opt, [mls.ConstantLR(opt, factor=0.5, total_iters=2), mls.ExponentialLR(opt, gamma=0.5)],
                           milestones=[3])
    lrs = []
    for _ in range(5):
        opt.step()
        seq.step()
        lrs.append(seq.get_last_lr()[0])
    assert lrs == pytest.approx([0.05, 0.1, 0.1, 0.05, 0.025])


def _opt(lib, name="SGD", **kw):
    mod = optim if lib is minitorch else torch.optim
    return getattr(mod, name)(_two_groups(lib, 0.05), lr=0.1, **kw)


def _sched(lib):
    return mls if lib is minitorch else tls


BAD = {
    "warm_T0_zero": lambda lib: _sched(lib).CosineAnnealingWarmRestarts(_opt(lib), T_0=0),
    "warm_T0_float": lambda lib: _sched(lib).CosineAnnealingWarmRestarts(_opt(lib), T_0=2.5),
    "warm_T_mult_zero": lambda lib: _sched(lib).CosineAnnealingWarmRestarts(_opt(lib), T_0=2, T_mult=0),
    "warm_eta_min_str": lambda lib: _sched(lib).CosineAnnealingWarmRestarts(_opt(lib), T_0=2, eta_min="0"),
    "warm_negative_epoch": lambda lib: _sched(lib).CosineAnnealingWarmRestarts(_opt(lib), T_0=2).step(-1),
    "cyclic_mode": lambda lib: _sched(lib).CyclicLR(_opt(lib, momentum=0.9), 0.01, 0.1, mode="sawtooth"),
    "cyclic_no_momentum": lambda lib: _sched(lib).CyclicLR(_opt(lib, "Adagrad"), 0.01, 0.1),
    "cyclic_base_lr_length": lambda lib: _sched(lib).CyclicLR(_opt(lib, momentum=0.9), [0.01, 0.02, 0.03], 0.1),
    "cyclic_not_an_optimizer": lambda lib: _sched(lib).CyclicLR(object(), 0.01, 0.1),
    "sequential_empty": lambda lib: _sched(lib).SequentialLR(_opt(lib), [], milestones=[]),
    "sequential_milestones": lambda lib: (lambda o: _sched(lib).SequentialLR(
        o, [_sched(lib).StepLR(o, 2), _sched(lib).StepLR(o, 3)], milestones=[2, 4]))(_opt(lib)),
    "sequential_other_optimizer": lambda lib: (lambda o: _sched(lib).SequentialLR(
        o, [_sched(lib).StepLR(o, 2), _sched(lib).StepLR(_opt(lib), 3)], milestones=[2]))(_opt(lib)),
    "sequential_plateau": lambda lib: (lambda o: _sched(lib).SequentialLR(
        o, [_sched(lib).StepLR(o, 2), _sched(lib).ReduceLROnPlateau(o)], milestones=[2]))(_opt(lib)),
    "sequential_not_a_scheduler": lambda lib: (lambda o: _sched(lib).SequentialLR(
        o, [_sched(lib).StepLR(o, 2), 3], milestones=[2]))(_opt(lib)),
    "chained_empty": lambda lib: _sched(lib).ChainedScheduler([]),
    "chained_other_optimizer": lambda lib: _sched(lib).ChainedScheduler(
        [_sched(lib).StepLR(_opt(lib), 2), _sched(lib).StepLR(_opt(lib), 3)]),
    "chained_plateau": lambda lib: _sched(lib).ChainedScheduler([_sched(lib).ReduceLROnPlateau(_opt(lib))]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_arguments_raise_like_torch(case):
    make = BAD[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raises_like_torch(lambda: make(torch), lambda: make(minitorch))
