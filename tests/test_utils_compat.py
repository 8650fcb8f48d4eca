"""torch-compatibility utilities checked against torch: ``testing``, ``optim.swa_utils``, ``DistributedSampler``,
``get_worker_info`` / ``worker_init_fn``, ``backends`` flags, torch's import paths, ``compile`` and small Module
and Tensor methods."""
from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pytest

import minitorch

from .helpers import assert_close, raises_like_torch, require_torch, to_mt

torch = require_torch()


# ----------------------------------------------------------------------------- minitorch.testing
def _norm(msg: str) -> str:
    return msg.replace("minitorch.tensor.Tensor", "torch.Tensor").replace("minitorch.", "torch.")


def _outcome(lib, make, **kw):
    try:
        a, e = make(lib)
        lib.testing.assert_close(a, e, **kw)
    except Exception as err:  # noqa: BLE001
        return type(err).__name__, _norm(str(err))
    return "ok", ""


CLOSE_CASES = {
    "float-mismatch": lambda L: (L.tensor([1., 2., 3.]), L.tensor([1., 2.1, 3.])),
    "2d-mismatch": lambda L: (L.tensor([[1., 2.], [3., 4.]]), L.tensor([[1., 2.], [3.5, 4.]])),
    "int-mismatch": lambda L: (L.tensor([1, 2, 3]), L.tensor([1, 2, 4])),
    "int-rel-inf": lambda L: (L.tensor([1, 0, 3]), L.tensor([1, 2, 3]) * 0 + L.tensor([1, 0, 4]) - 1),
    "dtype": lambda L: (L.tensor([1., 2.]), L.tensor([1., 2.], dtype=L.float64)),
    "shape": lambda L: (L.tensor([1., 2.]), L.tensor([1., 2., 3.])),
    "scalar-floats": lambda L: (1.0, 1.1),
    "scalar-ints": lambda L: (1, 2),
    "int-vs-float": lambda L: (1, 1.0),
    "bools": lambda L: (True, False),
    "tensor-vs-float": lambda L: (L.tensor(1.), 1.0),
    "tensor-vs-ndarray": lambda L: (L.tensor([1.]), np.array([1.])),
    "ndarrays": lambda L: (np.array([1., 2.]), np.array([1., 2.5])),
    "list-of-tensors": lambda L: ([L.tensor(1.), L.tensor(2.)], [L.tensor(1.), L.tensor(2.5)]),
    "seq-len": lambda L: ([1., 2.], [1., 2., 3.]),
    "mapping-keys": lambda L: ({"a": L.tensor(1.)}, {"b": L.tensor(1.)}),
    "nested": lambda L: ({"a": L.tensor(1.), "b": {"c": [L.tensor(2.)]}},
                         {"a": L.tensor(1.), "b": {"c": [L.tensor(3.)]}}),
    "nan": lambda L: (L.tensor([float("nan")]), L.tensor([float("nan")])),
    "equal": lambda L: (L.tensor([1., 2.]), L.tensor([1., 2.])),
    "within-tol": lambda L: (L.tensor([1., 2.]), L.tensor([1. + 1e-6, 2.])),
    "bool-tensor": lambda L: (L.tensor([True]), L.tensor([False])),
    "inf-equal": lambda L: (L.tensor([1., float("inf")]), L.tensor([1., float("inf")])),
    "inf-opposite": lambda L: (L.tensor([1., float("inf")]), L.tensor([1., -float("inf")])),
    "strings": lambda L: ("a", "a"),
    "none": lambda L: (None, None),
    "none-vs-tensor": lambda L: (None, L.tensor(1.)),
    "0d": lambda L: (L.tensor(2.), L.tensor(2.5)),
    "empty": lambda L: (L.tensor([]), L.tensor([])),
    "rel-diff": lambda L: (L.tensor([0., 1.]), L.tensor([1e-9, 1.5])),
    "tuple-vs-list": lambda L: ((1, 2), [1, 2]),
    "tensor-vs-list": lambda L: (L.tensor([1.]), [1.]),
    "float64": lambda L: (L.tensor([1., 2.], dtype=L.float64), L.tensor([1., 2. + 1e-6], dtype=L.float64)),
    "float16": lambda L: (L.tensor([1., 2.], dtype=L.float16), L.tensor([1., 2.01], dtype=L.float16)),
    "requires-grad": lambda L: (L.tensor([1., 2.], requires_grad=True), L.tensor([1., 2.])),
}


@pytest.mark.parametrize("name", list(CLOSE_CASES))
def test_assert_close_outcome_and_message_match_torch(name):
    make = CLOSE_CASES[name]
    assert _outcome(minitorch, make) == _outcome(torch, make)


@pytest.mark.parametrize("kw", [{"rtol": 1e-3}, {"atol": 1e-3}, {"rtol": 0.0, "atol": 0.2}, {"check_dtype": False},
                                {"equal_nan": True}, {"msg": "custom"}, {"msg": lambda m: "X" + m}])
@pytest.mark.parametrize("name", ["float-mismatch", "dtype", "nan", "int-mismatch", "nested", "scalar-floats"])
def test_assert_close_options_match_torch(name, kw):
    make = CLOSE_CASES[name]
    assert _outcome(minitorch, make, **kw) == _outcome(torch, make, **kw)


def test_assert_close_check_dtype_false_uses_the_larger_tolerance_and_promotes():
    for L in (torch, minitorch):  # float32 tolerance applies to a float32 / float64 pair
        L.testing.assert_close(L.tensor([1.0]), L.tensor([1.0 + 5e-6], dtype=L.float64), check_dtype=False)
        L.testing.assert_close(L.tensor([1, 2]), L.tensor([1., 2.]), check_dtype=False)
    with pytest.raises(AssertionError, match="stride"):
        minitorch.testing.assert_close(minitorch.zeros(2, 3).t(), minitorch.zeros(3, 2), check_stride=True)


def test_assert_allclose_is_deprecated_and_loose_like_torch():
    for L in (torch, minitorch):
        with pytest.warns(FutureWarning):
            L.testing.assert_allclose(L.tensor([1., 2.]), [1.00005, 2.])  # rtol 1e-4 for float32
        with pytest.warns(FutureWarning), pytest.raises(AssertionError):
            L.testing.assert_allclose(L.tensor([1., 2.]), [1.01, 2.])
        with pytest.warns(FutureWarning):
            L.testing.assert_allclose(L.tensor([float("nan")]), [float("nan")])


@pytest.mark.parametrize("dtype,low,high", [("float32", None, None), ("float64", -1, 1), ("int64", None, None),
                                            ("int8", -200, 200), ("uint8", None, None), ("bool", None, None),
                                            ("int32", 2.5, 7.2), ("float32", 3, 3.5)])
def test_make_tensor_ranges_and_dtypes_like_torch(dtype, low, high):
    for L in (torch, minitorch):
        t = L.testing.make_tensor(4, 50, dtype=getattr(L, dtype), device="cpu", low=low, high=high)
        assert tuple(t.shape) == (4, 50) and str(t.dtype).split(".")[-1] == dtype
        if dtype == "bool":
            continue
        lo = {"uint8": 0}.get(dtype, -9) if low is None else low
        hi = {"float32": 9, "float64": 9}.get(dtype, 10) if high is None else high
        info = (L.iinfo if "int" in dtype else L.finfo)(getattr(L, dtype))
        lo, hi = max(lo, info.min), min(hi, info.max + ("int" in dtype))
        if "int" in dtype:
            lo, hi = math.ceil(lo), math.ceil(hi)
        v = t.numpy() if L is minitorch else t.numpy()
        assert v.min() >= lo and v.max() < hi


def test_make_tensor_options_and_errors_like_torch():
    mk = minitorch.testing.make_tensor
    t = mk((3, 4), dtype=minitorch.float64, device="cpu", requires_grad=True, low=-1, high=1)
    assert t.requires_grad and t.is_leaf and t.dtype == minitorch.float64
    nc = mk(3, 4, dtype=minitorch.float32, device="cpu", noncontiguous=True)
    assert tuple(nc.shape) == (3, 4)
    z = mk(200, dtype=minitorch.int64, device="cpu", low=-1, high=2, exclude_zero=True)
    assert (z.numpy() != 0).all()
    for kw in ({"dtype": "int64", "requires_grad": True}, {"dtype": "float32", "low": 2, "high": 1},
               {"dtype": "float32", "low": float("nan")}, {"dtype": "uint8", "low": -10, "high": -1}):
        def call(L, kw=kw):
            return L.testing.make_tensor(3, device="cpu", **{**kw, "dtype": getattr(L, kw["dtype"])})
        err = raises_like_torch(lambda: call(torch), lambda: call(minitorch))
        with pytest.raises(Exception) as t_err:
            call(torch)
        assert _norm(str(err)) == str(t_err.value)


# ----------------------------------------------------------------------------- swa_utils
def _pair_models(bn: bool = True):
    tm = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.ReLU(), torch.nn.Linear(6, 2)) \
        if bn else torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2))
    mm = minitorch.nn.Sequential(minitorch.nn.Linear(4, 6), minitorch.nn.BatchNorm1d(6), minitorch.nn.ReLU(),
                                 minitorch.nn.Linear(6, 2)) if bn else \
        minitorch.nn.Sequential(minitorch.nn.Linear(4, 3), minitorch.nn.Tanh(), minitorch.nn.Linear(3, 2))
    mm.load_state_dict({k: to_mt(v) for k, v in tm.state_dict().items()})
    return mm, tm


def _perturb(mm, tm, step: int):
    rng = np.random.default_rng(step)
    with torch.no_grad():
        for (_, pm), (_, pt) in zip(mm.named_parameters(), tm.named_parameters()):
            d = rng.standard_normal(tuple(pt.shape)).astype(np.float32)
            pt.add_(torch.tensor(d))
            pm.array += d
        for (_, bm), (_, bt) in zip(mm.named_buffers(), tm.named_buffers()):
            if bt.is_floating_point():
                d = rng.uniform(0, 1, tuple(bt.shape)).astype(np.float32)
                bt.add_(torch.tensor(d))
                bm.array += d
            else:
                bt.add_(1)
                bm.array += 1


def _compare_sd(m_sd, t_sd, rtol=1e-5, atol=1e-6):
    assert list(m_sd) == list(t_sd)
    for k in t_sd:
        assert_close(m_sd[k], t_sd[k], rtol, atol, msg=k)


@pytest.mark.parametrize("kind", ["swa", "ema_avg_fn", "ema_multi", "swa_multi", "swa_avg_fn", "use_buffers",
                                  "ema_buffers"])
def test_averaged_model_matches_torch_step_by_step(kind):
    mm, tm = _pair_models()
    su_m, su_t = minitorch.optim.swa_utils, torch.optim.swa_utils
    kw = {
        "swa": lambda S: {},
        "ema_avg_fn": lambda S: {"avg_fn": S.get_ema_avg_fn(0.9)},
        "ema_multi": lambda S: {"multi_avg_fn": S.get_ema_multi_avg_fn(0.9)},
        "swa_multi": lambda S: {"multi_avg_fn": S.get_swa_multi_avg_fn()},
        "swa_avg_fn": lambda S: {"avg_fn": S.get_swa_avg_fn()},
        "use_buffers": lambda S: {"use_buffers": True},
        "ema_buffers": lambda S: {"use_buffers": True, "multi_avg_fn": S.get_ema_multi_avg_fn(0.8)},
    }[kind]
    am, at = su_m.AveragedModel(mm, **kw(su_m)), su_t.AveragedModel(tm, **kw(su_t))
    _compare_sd(am.state_dict(), at.state_dict())
    for step in range(4):
        _perturb(mm, tm, step)
        am.update_parameters(mm)
        at.update_parameters(tm)
        _compare_sd(am.state_dict(), at.state_dict())
    assert int(am.n_averaged.item()) == 4 and am.n_averaged.dtype == minitorch.int64
    x = np.random.default_rng(9).standard_normal((5, 4)).astype(np.float32)
    am.eval()
    at.eval()
    assert_close(am(minitorch.tensor(x)), at(torch.tensor(x)), 1e-5, 1e-5)


def test_averaged_model_rejects_two_averaging_functions():
    S = minitorch.optim.swa_utils
    with pytest.raises(AssertionError):
        S.AveragedModel(minitorch.nn.Linear(2, 2), avg_fn=S.get_swa_avg_fn(), multi_avg_fn=S.get_swa_multi_avg_fn())
    with pytest.raises(ValueError, match="decay"):
        S.get_ema_avg_fn(1.5)


@pytest.mark.parametrize("strategy,anneal_epochs,swa_lr", [("cos", 5, 0.05), ("linear", 3, 0.01), ("cos", 0, 0.05),
                                                           ("linear", 4, [0.02, 0.003])])
def test_swalr_learning_rates_match_torch(strategy, anneal_epochs, swa_lr):
    mm, tm = _pair_models(bn=False)

    def groups(model):
        ps = list(model.parameters())
        return [{"params": ps[:2]}, {"params": ps[2:], "lr": 0.3}]

    om = minitorch.optim.SGD(groups(mm), lr=0.1, momentum=0.9)
    ot = torch.optim.SGD(groups(tm), lr=0.1, momentum=0.9)
    sm = minitorch.optim.swa_utils.SWALR(om, swa_lr=swa_lr, anneal_epochs=anneal_epochs, anneal_strategy=strategy)
    st = torch.optim.swa_utils.SWALR(ot, swa_lr=swa_lr, anneal_epochs=anneal_epochs, anneal_strategy=strategy)
    for _ in range(8):
        np.testing.assert_allclose(sm.get_last_lr(), st.get_last_lr(), rtol=1e-12)
        assert [g["swa_lr"] for g in om.param_groups] == [g["swa_lr"] for g in ot.param_groups]
        om.step()
        ot.step()
        sm.step()
        st.step()
    sd = sm.state_dict()
    assert set(sd) == set(st.state_dict())
    sm2 = minitorch.optim.swa_utils.SWALR(om, swa_lr=0.5)
    sm2.load_state_dict(sd)
    assert sm2.anneal_func(0.5) == st.anneal_func(0.5)


def test_swalr_errors_like_torch():
    for kw in ({"anneal_strategy": "exp"}, {"anneal_epochs": -1}, {"swa_lr": [0.1, 0.2]}):
        def call(L, kw=kw):
            opt = L.optim.SGD(L.nn.Linear(2, 2).parameters(), lr=0.1)
            return L.optim.swa_utils.SWALR(opt, **{"swa_lr": 0.05, **kw})
        raises_like_torch(lambda: call(torch), lambda: call(minitorch))


def test_update_bn_matches_torch_and_skips_instance_norm():
    def build(L):
        return L.nn.Sequential(L.nn.Linear(4, 6), L.nn.BatchNorm1d(6), L.nn.ReLU(), L.nn.Linear(6, 6),
                               L.nn.Unflatten(1, (2, 3)),
                               L.nn.InstanceNorm1d(2, track_running_stats=True, momentum=0.3))

    tm, mm = build(torch), build(minitorch)
    mm.load_state_dict({k: to_mt(v) for k, v in tm.state_dict().items()})
    mm.eval()
    tm.eval()
    rng = np.random.default_rng(3)
    data = [rng.standard_normal((7, 4)).astype(np.float32) * (i + 1) + i for i in range(3)]
    labels = np.zeros(7, np.int64)
    m_loader = [(minitorch.tensor(d), minitorch.tensor(labels)) for d in data]
    t_loader = [(torch.tensor(d), torch.tensor(labels)) for d in data]
    mm[5].running_mean.array += 1.5
    with torch.no_grad():
        tm[5].running_mean += 1.5
    minitorch.optim.swa_utils.update_bn(m_loader, mm)
    torch.optim.swa_utils.update_bn(t_loader, tm)
    _compare_sd(mm.state_dict(), tm.state_dict(), 1e-5, 1e-5)
    assert mm[1].momentum == 0.1 and not mm.training
    assert mm[5].momentum == 0.3  # InstanceNorm is not a _BatchNorm: untouched, as in torch


# ----------------------------------------------------------------------------- utils.data
@pytest.mark.parametrize("n,replicas,shuffle,drop_last,seed", [(10, 3, True, False, 0), (10, 3, False, False, 0),
                                                               (10, 3, True, True, 7), (11, 4, False, True, 0),
                                                               (2, 5, True, False, 1), (100, 4, True, False, 2**40),
                                                               (12, 4, True, True, 3)])
def test_distributed_sampler_indices_match_torch(n, replicas, shuffle, drop_last, seed):
    ds_m, ds_t = list(range(n)), list(range(n))
    for rank in range(replicas):
        sm = minitorch.utils.data.DistributedSampler(ds_m, replicas, rank, shuffle=shuffle, seed=seed,
                                                     drop_last=drop_last)
        st = torch.utils.data.DistributedSampler(ds_t, replicas, rank, shuffle=shuffle, seed=seed,
                                                 drop_last=drop_last)
        assert len(sm) == len(st) and sm.total_size == st.total_size
        for epoch in (0, 1, 5):
            sm.set_epoch(epoch)
            st.set_epoch(epoch)
            assert list(sm) == list(st)


def test_distributed_sampler_errors_and_dataloader_use():
    with pytest.raises(RuntimeError, match="distributed"):
        minitorch.utils.data.DistributedSampler(list(range(4)))
    raises_like_torch(lambda: torch.utils.data.DistributedSampler(list(range(4)), 2, 2),
                      lambda: minitorch.utils.data.DistributedSampler(list(range(4)), 2, 2))
    ds = minitorch.utils.data.TensorDataset(minitorch.arange(10))
    sampler = minitorch.utils.data.DistributedSampler(ds, num_replicas=2, rank=1, seed=3)
    got = [b[0].tolist() for b in minitorch.utils.data.DataLoader(ds, batch_size=2, sampler=sampler)]
    ref = list(torch.utils.data.DistributedSampler(list(range(10)), 2, 1, seed=3))
    assert sum(got, []) == ref


def test_sharding_iterable_dataset_yields_everything_once():
    D = minitorch.utils.data

    class Range(D.IterableDataset):
        def __iter__(self):
            info = D.get_worker_info()
            if info is None:
                return iter(range(10))
            return iter(range(info.id, 10, info.num_workers))

    out = [int(x) for b in D.DataLoader(Range(), batch_size=3, num_workers=2, worker_init_fn=lambda i: None)
           for x in b]
    assert sorted(out) == list(range(10))


# ----------------------------------------------------------------------------- backends, compile, import paths
def test_backend_flags_are_settable_with_torch_defaults():
    b, tb = minitorch.backends, torch.backends
    assert b.cuda.matmul.allow_tf32 == tb.cuda.matmul.allow_tf32
    assert b.cudnn.allow_tf32 == tb.cudnn.allow_tf32
    assert b.mps.is_available() is False and b.cudnn.is_available() is False
    old = b.cuda.matmul.allow_tf32
    b.cuda.matmul.allow_tf32 = True
    assert b.cuda.matmul.allow_tf32 is True
    b.cuda.matmul.allow_tf32 = old
    with pytest.raises(AttributeError):
        b.cuda.matmul.nonexistent_flag = 1
    for name in ("flash", "mem_efficient", "math", "cudnn"):
        assert getattr(b.cuda, f"{name}_sdp_enabled")() is True
        getattr(b.cuda, f"enable_{name}_sdp")(False)
        assert getattr(b.cuda, f"{name}_sdp_enabled")() is False
        getattr(b.cuda, f"enable_{name}_sdp")(True)
    with pytest.warns(FutureWarning), b.cuda.sdp_kernel(enable_flash=False):
        assert b.cuda.flash_sdp_enabled() is False
    assert b.cuda.flash_sdp_enabled() is True
    with b.cudnn.flags(enabled=False, benchmark=True):
        assert b.cudnn.benchmark is True
    assert b.cudnn.benchmark is False


def test_compile_returns_its_argument_and_works_as_decorator():
    model = minitorch.nn.Linear(2, 2)
    assert minitorch.compile(model) is model
    assert minitorch.compile(model, mode="max-autotune", fullgraph=True) is model

    @minitorch.compile
    def f(x):
        return x * 2

    @minitorch.compile(mode="reduce-overhead")
    def g(x):
        return x + 1

    assert f(3) == 6 and g(3) == 4


def test_torch_import_paths_and_base_classes():
    from torch.nn.modules import utils as tu

    from minitorch.nn.modules.batchnorm import _BatchNorm, _NormBase
    from minitorch.nn.modules.conv import _ConvNd
    from minitorch.nn.modules.loss import _Loss
    from minitorch.nn.modules.utils import _pair, _quadruple, _single, _triple
    from minitorch.utils.hooks import RemovableHandle

    nn = minitorch.nn
    for cls in (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d):
        assert isinstance(cls(3), _BatchNorm) and isinstance(cls(3), _NormBase)
    for cls in (nn.InstanceNorm1d, nn.InstanceNorm2d):  # as torch: a _NormBase, not a _BatchNorm
        assert not isinstance(cls(3), _BatchNorm) and isinstance(cls(3), _NormBase)
        assert not isinstance(getattr(torch.nn, cls.__name__)(3), torch.nn.modules.batchnorm._BatchNorm)
    assert isinstance(nn.Conv2d(1, 1, 3), _ConvNd) and isinstance(nn.Conv3d(1, 1, 3), _ConvNd)
    assert isinstance(nn.MSELoss(), _Loss)
    for mine, theirs in ((_single, tu._single), (_pair, tu._pair), (_triple, tu._triple),
                         (_quadruple, tu._quadruple)):
        assert mine(3) == theirs(3) and mine([1, 2]) == theirs([1, 2])
    assert minitorch.nn.modules.utils._reverse_repeat_tuple((1, 2), 2) == tu._reverse_repeat_tuple((1, 2), 2)
    sd_m, sd_t = {"module.a": 1, "b": 2}, {"module.a": 1, "b": 2}
    minitorch.nn.modules.utils.consume_prefix_in_state_dict_if_present(sd_m, "module.")
    tu.consume_prefix_in_state_dict_if_present(sd_t, "module.")
    assert sd_m == sd_t
    assert isinstance(nn.Linear(2, 2).register_forward_hook(lambda *a: None), RemovableHandle)
    assert minitorch.nn.modules.batchnorm._BatchNorm is _BatchNorm
    assert minitorch.nn.utils.clip_grad_norm_ is not None  # nn.utils is not shadowed by nn.modules.utils


# ----------------------------------------------------------------------------- small Module / Tensor / loss items
@pytest.mark.parametrize("dtype", ["int32", "int16", "int8", "float32", "bool"])
@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
def test_class_target_dtype_errors_like_torch(fn, dtype):
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    t = np.array([0, 1, 1]).astype(dtype)

    def call(L):
        return getattr(L.nn.functional, fn)(L.tensor(x), L.tensor(t))

    err = raises_like_torch(lambda: call(torch), lambda: call(minitorch))
    with pytest.raises(RuntimeError) as t_err:
        call(torch)
    assert str(t_err.value) in str(err)


def test_uint8_class_targets_still_work_like_torch():
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    t = np.array([0, 3, 1], np.uint8)
    assert_close(minitorch.nn.functional.cross_entropy(minitorch.tensor(x), minitorch.tensor(t)),
                 torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(t)))


def test_extra_state_protocol_like_torch():
    def build(L):
        class WithState(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = L.nn.Linear(2, 2)
                self.count = 3

            def get_extra_state(self):
                return {"count": self.count}

            def set_extra_state(self, state):
                self.count = state["count"]

        class Outer(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = WithState()
                self.bn = L.nn.BatchNorm1d(2)

        return Outer()

    for L in (torch, minitorch):
        m = build(L)
        sd = m.state_dict()
        assert list(sd) == list(build(torch).state_dict())
        assert sd["inner._extra_state"] == {"count": 3}
        sd["inner._extra_state"] = {"count": 9}
        other = build(L)
        other.load_state_dict(sd)
        assert other.inner.count == 9
    for L in (torch, minitorch):  # missing / unexpected _extra_state keys
        sd = build(L).state_dict()
        del sd["inner._extra_state"]
        sd["bn._extra_state"] = 1
        res = build(L).load_state_dict(sd, strict=False)
        assert (res.missing_keys, res.unexpected_keys) == (["inner._extra_state"], ["bn._extra_state"])
        with pytest.raises(RuntimeError, match="_extra_state"):
            build(L).load_state_dict(sd)
    with pytest.raises(RuntimeError, match="should never be called"):
        minitorch.nn.Linear(2, 2).get_extra_state()


def test_share_memory_to_empty_and_is_pinned():
    m = minitorch.nn.Sequential(minitorch.nn.Linear(3, 2), minitorch.nn.BatchNorm1d(2))
    assert m.share_memory() is m
    w = m[0].weight
    opt = minitorch.optim.SGD(m.parameters(), lr=0.1)
    assert m.to_empty(device="cpu") is m
    assert m[0].weight is w and tuple(w.shape) == (2, 3) and w.dtype == minitorch.float32
    assert m[1].num_batches_tracked.dtype == minitorch.int64
    assert opt.param_groups[0]["params"][0] is w
    top = minitorch.nn.Linear(2, 2)
    top.sub = minitorch.nn.Linear(2, 2)
    before = top.sub.weight.detach().numpy().copy()
    top.to_empty(device="cpu", recurse=False)
    assert np.array_equal(top.sub.weight.detach().numpy(), before)
    assert minitorch.ones(2).is_pinned() is torch.ones(2).is_pinned() is False
    if minitorch.cuda.is_available():
        assert minitorch.ones(2).pin_memory().is_pinned() is False  # documented: minitorch never pins
    else:  # torch without an accelerator: RuntimeError
        with pytest.raises(RuntimeError, match="none is available"):
            minitorch.ones(2).pin_memory()


def test_copy_of_averaged_model_is_independent():
    am = minitorch.optim.swa_utils.AveragedModel(minitorch.nn.Linear(2, 2))
    clone = copy.deepcopy(am)
    am.update_parameters(minitorch.nn.Linear(2, 2))
    assert int(clone.n_averaged.item()) == 0 and int(am.n_averaged.item()) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        am.update_parameters(minitorch.nn.Linear(2, 2))
