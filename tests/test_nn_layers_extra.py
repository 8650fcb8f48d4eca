"""MaxUnpool, LPPool, ChannelShuffle, the deprecated upsample wrappers and AdaptiveLogSoftmaxWithLoss vs torch."""
from __future__ import annotations

import re

import numpy as np
import pytest

import minitorch
import minitorch.nn.functional as F

from .helpers import assert_close, devices, no_host_sync, raises_like_torch, require_torch, to_mt, to_torch

torch = require_torch()
TF = torch.nn.functional


def _fwd_bwd(mt_fn, torch_fn, x_np, device="cpu", rtol=1e-5, atol=1e-6):
    """Forward and input gradient (for a fixed random upstream gradient) of both, compared."""
    xm = minitorch.tensor(x_np, device=device, requires_grad=True)
    xt = torch.tensor(x_np, requires_grad=True)
    ym, yt = mt_fn(xm), torch_fn(xt)
    assert_close(ym, yt, rtol, atol)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(x_np.dtype)
    (ym * minitorch.tensor(g, device=device)).sum().backward()
    (yt * torch.tensor(g)).sum().backward()
    assert_close(xm.grad, xt.grad, rtol, atol)


# ----------------------------------------------------------------------------- max unpool
UNPOOL_CASES = [  # (dims, input shape, kernel, stride, padding, output_size)
    (1, (2, 3, 9), 2, None, 0, None),
    (1, (3, 8), 3, 2, 1, None),
    (1, (2, 3, 9), 2, None, 0, [9]),
    (2, (2, 3, 6, 7), 2, None, 0, (6, 7)),
    (2, (2, 3, 7, 7), 3, 2, 1, None),
    (2, (3, 6, 6), (2, 3), (2, 1), 0, None),
    (2, (1, 2, 5, 5), 2, None, 0, (1, 2, 5, 5)),
    (3, (1, 2, 4, 6, 5), 2, None, 0, [4, 6, 5]),
    (3, (2, 5, 5, 5), 3, 2, 1, (5, 5, 5)),
]


@pytest.mark.parametrize("dims,shape,k,s,p,out", UNPOOL_CASES)
def test_max_unpool_forward_backward_match_torch(dims, shape, k, s, p, out):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    tpool, tun = getattr(TF, f"max_pool{dims}d"), getattr(TF, f"max_unpool{dims}d")
    mpool, mun = getattr(F, f"max_pool{dims}d"), getattr(F, f"max_unpool{dims}d")
    kw = {"stride": s, "padding": p}
    pooled_t, idx_t = tpool(torch.tensor(x), k, return_indices=True, **kw)
    pooled_m, idx_m = mpool(minitorch.tensor(x), k, return_indices=True, **kw)
    assert np.array_equal(idx_m.numpy(), idx_t.numpy())
    _fwd_bwd(lambda a: mun(a, idx_m, k, output_size=out, **kw), lambda a: tun(a, idx_t, k, output_size=out, **kw),
             pooled_t.numpy())


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_max_unpool_modules_roundtrip_like_torch(dims):
    shape = (2, 3) + (6,) * dims
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    tm_pool = getattr(torch.nn, f"MaxPool{dims}d")(2, return_indices=True)
    mm_pool = getattr(minitorch.nn, f"MaxPool{dims}d")(2, return_indices=True)
    t_un, m_un = getattr(torch.nn, f"MaxUnpool{dims}d")(2), getattr(minitorch.nn, f"MaxUnpool{dims}d")(2)
    assert repr(m_un) == repr(t_un)
    yt, it = tm_pool(torch.tensor(x))
    ym, im = mm_pool(minitorch.tensor(x))
    assert_close(m_un(ym, im, output_size=list(shape)), t_un(yt, it, output_size=list(shape)))


def test_max_unpool_gradcheck_float64():
    x = minitorch.tensor(np.random.default_rng(3).standard_normal((1, 2, 4, 4)), dtype=minitorch.float64)
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    y = y.detach().requires_grad_()
    assert minitorch.autograd.gradcheck(lambda a: F.max_unpool2d(a, idx, 2), (y,))
    assert minitorch.autograd.gradgradcheck(lambda a: F.max_unpool2d(a, idx, 2), (y,))


@pytest.mark.parametrize("make", [
    lambda L, x, i: L.nn.functional.max_unpool2d(x, i + 100, 2),
    lambda L, x, i: L.nn.functional.max_unpool2d(x, i - 100, 2),
    lambda L, x, i: L.nn.functional.max_unpool2d(x, i.int(), 2),
    lambda L, x, i: L.nn.functional.max_unpool2d(x, i[..., :1], 2),
    lambda L, x, i: L.nn.functional.max_unpool2d(x[0, 0], i[0, 0], 2),
    lambda L, x, i: L.nn.functional.max_unpool2d(x, i, 2, output_size=(6, 6)),
    lambda L, x, i: L.nn.functional.max_unpool2d(x, i, 2, output_size=(1, 2, 3)),
    lambda L, x, i: L.nn.functional.max_unpool3d(x, i, 2),
], ids=["index-too-big", "index-negative", "int32-indices", "shape", "2d-input", "output-size", "output-len",
        "3d-on-4d-input-ok"])
def test_max_unpool_errors_like_torch(make):
    x = np.random.default_rng(4).standard_normal((1, 1, 4, 4)).astype(np.float32)
    yt, it = TF.max_pool2d(torch.tensor(x), 2, return_indices=True)
    ym, im = F.max_pool2d(minitorch.tensor(x), 2, return_indices=True)
    try:
        expected = make(torch, yt, it)
    except Exception:  # noqa: BLE001
        err = raises_like_torch(lambda: make(torch, yt, it), lambda: make(minitorch, ym, im))
        with pytest.raises(type(err)) as t_err:
            make(torch, yt, it)
        mine = str(err).replace(" [checked on the GPU, reported at the next sync]", "")
        # which bad index torch's kernel names is implementation-defined; minitorch names the first
        assert re.sub(r"index: -?\d+", "index: N", mine) == re.sub(r"index: -?\d+", "index: N", str(t_err.value))
        return
    assert_close(make(minitorch, ym, im), expected)


@pytest.mark.parametrize("device", devices())
def test_max_unpool_cuda_no_host_sync(device):
    x = minitorch.tensor(np.random.default_rng(5).standard_normal((2, 3, 6, 6)).astype(np.float32), device=device)
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    y = y.detach().requires_grad_()
    ctx = no_host_sync() if device == "cuda" else _null()
    with ctx:
        out = F.max_unpool2d(y, idx, 2)
        out.sum().backward()
    ref = TF.max_unpool2d(to_torch(y), to_torch(idx), 2)
    assert_close(out, ref)
    assert_close(y.grad, np.ones(tuple(y.shape), np.float32))


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


# ----------------------------------------------------------------------------- LP pool
LP_CASES = [
    (1, (2, 3, 9), 2.0, 3, None, False),
    (1, (3, 8), 3.0, 2, 1, True),
    (2, (2, 3, 7, 6), 2.0, 2, None, False),
    (2, (2, 3, 7, 7), 1.5, (3, 2), (2, 1), True),
    (3, (1, 2, 4, 5, 6), 2.0, 2, None, False),
    (2, (2, 3, 6, 6), float("inf"), 2, None, False),
]


@pytest.mark.parametrize("dims,shape,p,k,s,ceil", LP_CASES)
def test_lp_pool_matches_torch(dims, shape, p, k, s, ceil):
    # positive inputs: a fractional power of a negative sum is NaN in both
    x = np.random.default_rng(6).uniform(0.2, 2.0, shape).astype(np.float32)
    mf, tf = getattr(F, f"lp_pool{dims}d"), getattr(TF, f"lp_pool{dims}d")
    _fwd_bwd(lambda a: mf(a, p, k, s, ceil), lambda a: tf(a, p, k, s, ceil), x, rtol=1e-4, atol=1e-5)
    mm = getattr(minitorch.nn, f"LPPool{dims}d")(p, k, stride=s, ceil_mode=ceil)
    tm = getattr(torch.nn, f"LPPool{dims}d")(p, k, stride=s, ceil_mode=ceil)
    assert repr(mm) == repr(tm)
    assert_close(mm(minitorch.tensor(x)), tm(torch.tensor(x)), 1e-4, 1e-5)


def test_lp_pool_gradcheck_float64():
    x = minitorch.tensor(np.random.default_rng(7).uniform(0.5, 2.0, (1, 2, 4, 4)), requires_grad=True)
    assert minitorch.autograd.gradcheck(lambda a: F.lp_pool2d(a, 3.0, 2), (x,))


# ----------------------------------------------------------------------------- channel shuffle
@pytest.mark.parametrize("shape,groups", [((2, 6, 3, 3), 2), ((2, 6, 4), 3), ((1, 8, 2, 2, 2), 4), ((2, 6, 3), 6)])
def test_channel_shuffle_matches_torch(shape, groups):
    x = np.random.default_rng(8).standard_normal(shape).astype(np.float32)
    _fwd_bwd(lambda a: F.channel_shuffle(a, groups), lambda a: TF.channel_shuffle(a, groups), x)
    mm, tm = minitorch.nn.ChannelShuffle(groups), torch.nn.ChannelShuffle(groups)
    assert repr(mm) == repr(tm)
    assert_close(mm(minitorch.tensor(x)), tm(torch.tensor(x)))


@pytest.mark.parametrize("shape,groups", [((2, 6, 3), 4), ((2, 6, 3), 0), ((2, 6), 2)])
def test_channel_shuffle_errors_like_torch(shape, groups):
    x = np.zeros(shape, np.float32)
    err = raises_like_torch(lambda: TF.channel_shuffle(torch.tensor(x), groups),
                            lambda: F.channel_shuffle(minitorch.tensor(x), groups))
    with pytest.raises(RuntimeError) as t_err:
        TF.channel_shuffle(torch.tensor(x), groups)
    assert str(err) == str(t_err.value)


# ----------------------------------------------------------------------------- deprecated upsample wrappers
@pytest.mark.parametrize("name,kw", [("upsample_nearest", {"scale_factor": 2}), ("upsample_nearest", {"size": (5, 7)}),
                                     ("upsample_bilinear", {"scale_factor": 2}),
                                     ("upsample_bilinear", {"size": (5, 7)})])
def test_upsample_wrappers_warn_and_match_torch(name, kw):
    x = np.random.default_rng(9).standard_normal((2, 3, 4, 4)).astype(np.float32)
    with pytest.warns(UserWarning, match="deprecated"):
        mf = lambda a: getattr(F, name)(a, **kw)  # noqa: E731
        _fwd_bwd(mf, lambda a: getattr(TF, name)(a, **kw), x)


# ----------------------------------------------------------------------------- adaptive log softmax
def _alswl_pair(in_features=16, n_classes=20, cutoffs=(5, 12), div_value=2.0, head_bias=True, dtype=np.float32):
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, list(cutoffs), div_value=div_value,
                                             head_bias=head_bias)
    if dtype == np.float64:
        tm = tm.double()
    mm = minitorch.nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, list(cutoffs), div_value=div_value,
                                                 head_bias=head_bias, dtype=minitorch.float64 if dtype == np.float64
                                                 else None)
    t_sd, m_sd = tm.state_dict(), mm.state_dict()
    assert [(k, tuple(v.shape)) for k, v in m_sd.items()] == [(k, tuple(v.shape)) for k, v in t_sd.items()]
    mm.load_state_dict({k: to_mt(v) for k, v in t_sd.items()})
    return mm, tm


def test_adaptive_log_softmax_forward_loss_and_grads_match_torch():
    mm, tm = _alswl_pair()
    rng = np.random.default_rng(10)
    x = rng.standard_normal((12, 16)).astype(np.float32)
    target = np.array([0, 4, 5, 11, 12, 19, 3, 7, 15, 2, 18, 6])
    xm, xt = minitorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    om = mm(xm, minitorch.tensor(target))
    ot = tm(xt, torch.tensor(target))
    assert om._fields == ot._fields == ("output", "loss")
    assert_close(om.output, ot.output, 1e-5, 1e-5)
    assert_close(om.loss, ot.loss, 1e-5, 1e-5)
    om.loss.backward()
    ot.loss.backward()
    assert_close(xm.grad, xt.grad, 1e-5, 1e-6)
    for (name, pm), (_, pt) in zip(mm.named_parameters(), tm.named_parameters()):
        assert_close(pm.grad, pt.grad, 1e-5, 1e-6, msg=name)
    assert_close(mm.log_prob(xm), tm.log_prob(xt), 1e-5, 1e-5)
    assert np.array_equal(mm.predict(xm).numpy(), tm.predict(xt).numpy())


def test_adaptive_log_softmax_unbatched_shortlist_only_and_predict_branches():
    mm, tm = _alswl_pair(n_classes=10, cutoffs=(3, 6), head_bias=False)
    x = np.random.default_rng(11).standard_normal((6, 16)).astype(np.float32)
    om, ot = mm(minitorch.tensor(x[0]), minitorch.tensor(2)), tm(torch.tensor(x[0]), torch.tensor(2))
    assert tuple(om.output.shape) == tuple(ot.output.shape) == ()
    assert_close(om.loss, ot.loss, 1e-5, 1e-5)
    tgt = np.array([0, 1, 2, 0, 1, 2])  # shortlist only: no tail cluster used
    assert_close(mm(minitorch.tensor(x), minitorch.tensor(tgt)).output,
                 tm(torch.tensor(x), torch.tensor(tgt)).output, 1e-5, 1e-5)
    for bias in (0.0, 50.0, -50.0):  # all in shortlist / none / mixed predictions
        with torch.no_grad():
            tm.head.weight[:3] += bias
        mm.load_state_dict({k: to_mt(v) for k, v in tm.state_dict().items()})
        assert np.array_equal(mm.predict(minitorch.tensor(x)).numpy(), tm.predict(torch.tensor(x)).numpy())


def test_adaptive_log_softmax_gradcheck_float64():
    mm, _ = _alswl_pair(in_features=6, n_classes=8, cutoffs=(3,), dtype=np.float64)
    x = minitorch.tensor(np.random.default_rng(12).standard_normal((4, 6)), requires_grad=True)
    t = minitorch.tensor([0, 4, 7, 2])
    assert minitorch.autograd.gradcheck(lambda a: mm(a, t).loss, (x,))


@pytest.mark.parametrize("make", [
    lambda L, m: m(L.zeros(3, 16), L.tensor([0, 1])),
    lambda L, m: m(L.zeros(3, 16), L.tensor([0, 1, 25])),
    lambda L, m: m(L.zeros(3, 16), L.zeros(3, 2, dtype=L.int64)),
    lambda L, m: L.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [5, 5]),
    lambda L, m: L.nn.AdaptiveLogSoftmaxWithLoss(16, 20, []),
])
def test_adaptive_log_softmax_errors_like_torch(make):
    mm, tm = _alswl_pair()
    err = raises_like_torch(lambda: make(torch, tm), lambda: make(minitorch, mm))
    with pytest.raises(Exception) as t_err:
        make(torch, tm)
    assert str(err) == str(t_err.value)
