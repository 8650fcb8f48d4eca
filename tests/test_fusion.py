"""nn.utils.fusion against torch.nn.utils.fusion: fused weights equal torch's, the fused layer's eval output
equals layer -> BatchNorm, the source modules are untouched, and torch's errors."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
from minitorch.nn.utils import fusion

from .helpers import assert_close, raises_like_torch, require_torch, to_mt

torch = require_torch()
import torch.nn.utils.fusion as tfusion  # noqa: E402

RNG = np.random.default_rng(0)


def _pair(make, seed=0):
    torch.manual_seed(seed)
    t = make(torch.nn)
    m = make(minitorch.nn)
    m.load_state_dict({k: to_mt(v) for k, v in t.state_dict().items()})
    return t, m


def _bn_pair(make_bn):
    t, m = _pair(make_bn)
    if t.running_mean is not None:  # non-trivial statistics and affine parameters
        c = t.num_features
        state = {"running_mean": RNG.standard_normal(c), "running_var": RNG.uniform(0.3, 2.0, c)}
        if t.affine:
            state.update(weight=RNG.standard_normal(c), bias=RNG.standard_normal(c))
        with torch.no_grad():
            for k, v in state.items():
                getattr(t, k).copy_(torch.from_numpy(v.astype(np.float32)))
        m.load_state_dict({k: to_mt(v) for k, v in t.state_dict().items()})
    return t.eval(), m.eval()


CONVS = [
    ("conv1d", lambda nn: nn.Conv1d(3, 4, 3), lambda nn: nn.BatchNorm1d(4), (2, 3, 9), False),
    ("conv2d", lambda nn: nn.Conv2d(3, 4, 3, padding=1), lambda nn: nn.BatchNorm2d(4), (2, 3, 6, 6), False),
    ("conv2d_nobias", lambda nn: nn.Conv2d(3, 4, 3, bias=False), lambda nn: nn.BatchNorm2d(4), (2, 3, 6, 6), False),
    ("conv2d_bn_noaffine", lambda nn: nn.Conv2d(3, 4, 3), lambda nn: nn.BatchNorm2d(4, affine=False),
     (2, 3, 6, 6), False),
    ("conv3d", lambda nn: nn.Conv3d(2, 3, 2), lambda nn: nn.BatchNorm3d(3), (1, 2, 4, 4, 4), False),
    ("convT2d", lambda nn: nn.ConvTranspose2d(3, 5, 3, stride=2), lambda nn: nn.BatchNorm2d(5), (2, 3, 4, 4), True),
    ("convT1d", lambda nn: nn.ConvTranspose1d(4, 6, 3), lambda nn: nn.BatchNorm1d(6), (2, 4, 5), True),
]


@pytest.mark.parametrize("name,make_conv,make_bn,shape,transpose", CONVS, ids=[c[0] for c in CONVS])
def test_fuse_conv_bn_eval_matches_torch(name, make_conv, make_bn, shape, transpose):
    tc, mc = _pair(make_conv)
    tc.eval(), mc.eval()
    tb, mb = _bn_pair(make_bn)
    tf = tfusion.fuse_conv_bn_eval(tc, tb, transpose=transpose)
    mf = fusion.fuse_conv_bn_eval(mc, mb, transpose=transpose)
    assert type(mf) is type(mc) and mf is not mc
    assert_close(mf.weight, tf.weight, rtol=1e-5, atol=1e-6)
    assert_close(mf.bias, tf.bias, rtol=1e-5, atol=1e-6)
    assert isinstance(mf.weight, minitorch.nn.Parameter) and mf.weight.requires_grad
    assert list(mf.state_dict()) == list(tf.state_dict())
    x = RNG.standard_normal(shape).astype(np.float32)
    assert_close(mf(minitorch.tensor(x)), mb(mc(minitorch.tensor(x))), rtol=1e-4, atol=1e-5)
    assert_close(mf(minitorch.tensor(x)), tf(torch.from_numpy(x)), rtol=1e-4, atol=1e-5)
    if mc.bias is None:
        assert tc.bias is None  # the original is untouched (the fused layer is a copy)


def test_fuse_linear_bn_eval_matches_torch():
    for features in (5, 1):
        tl, ml = _pair(lambda nn: nn.Linear(4, 5))
        tb, mb = _bn_pair(lambda nn, f=features: nn.BatchNorm1d(f))
        tl.eval(), ml.eval()
        tf = tfusion.fuse_linear_bn_eval(tl, tb)
        mf = fusion.fuse_linear_bn_eval(ml, mb)
        assert_close(mf.weight, tf.weight, rtol=1e-5, atol=1e-6)
        assert_close(mf.bias, tf.bias, rtol=1e-5, atol=1e-6)
        x = RNG.standard_normal((3, 4)).astype(np.float32)
        assert_close(mf(minitorch.tensor(x)), tf(torch.from_numpy(x)), rtol=1e-4, atol=1e-5)
        if features == 5:
            assert_close(mf(minitorch.tensor(x)), mb(ml(minitorch.tensor(x))), rtol=1e-4, atol=1e-5)
        assert_close(ml.weight, tl.weight)  # original unchanged


def test_fuse_weights_functions_dtypes_and_requires_grad():
    w = RNG.standard_normal((4, 3, 2, 2))
    rm, rv = RNG.standard_normal(4), RNG.uniform(0.5, 1.5, 4)
    g, b = RNG.standard_normal(4), RNG.standard_normal(4)
    tw = torch.from_numpy(w).requires_grad_(False)
    mw = minitorch.tensor(w)
    args_t = [torch.from_numpy(a) for a in (rm, rv)]
    args_m = [minitorch.tensor(a) for a in (rm, rv)]
    ft = tfusion.fuse_conv_bn_weights(tw, None, *args_t, 1e-3, torch.from_numpy(g), None)
    fm = fusion.fuse_conv_bn_weights(mw, None, *args_m, 1e-3, minitorch.tensor(g), None)
    for a, e in zip(fm, ft):
        assert a.dtype == minitorch.float64 and isinstance(a, minitorch.nn.Parameter)
        assert a.requires_grad == e.requires_grad
        assert_close(a, e, rtol=1e-12, atol=1e-12)
    lw = RNG.standard_normal((4, 3)).astype(np.float32)
    ft = tfusion.fuse_linear_bn_weights(torch.from_numpy(lw).requires_grad_(), None, *args_t, 1e-5,
                                        torch.from_numpy(g), torch.from_numpy(b))
    fm = fusion.fuse_linear_bn_weights(minitorch.tensor(lw).requires_grad_(), None, *args_m, 1e-5,
                                       minitorch.tensor(g), minitorch.tensor(b))
    for a, e in zip(fm, ft):
        assert a.dtype == minitorch.float32 and a.requires_grad == e.requires_grad and a.grad_fn is None
        assert_close(a, e, rtol=1e-5, atol=1e-6)


def test_fusion_errors_like_torch():
    tc, mc = _pair(lambda nn: nn.Conv2d(3, 4, 3))
    tb, mb = _pair(lambda nn: nn.BatchNorm2d(4))
    raises_like_torch(lambda: tfusion.fuse_conv_bn_eval(tc, tb), lambda: fusion.fuse_conv_bn_eval(mc, mb))
    tc.eval(), mc.eval()
    raises_like_torch(lambda: tfusion.fuse_conv_bn_eval(tc, tb), lambda: fusion.fuse_conv_bn_eval(mc, mb))
    tb2, mb2 = _pair(lambda nn: nn.BatchNorm2d(4, track_running_stats=False))
    tb2.eval(), mb2.eval()
    raises_like_torch(lambda: tfusion.fuse_conv_bn_eval(tc, tb2), lambda: fusion.fuse_conv_bn_eval(mc, mb2))
    tl, ml = _pair(lambda nn: nn.Linear(3, 4))
    tb3, mb3 = _pair(lambda nn: nn.BatchNorm1d(3))
    tl.eval(), ml.eval(), tb3.eval(), mb3.eval()
    err = raises_like_torch(lambda: tfusion.fuse_linear_bn_eval(tl, tb3), lambda: fusion.fuse_linear_bn_eval(ml, mb3))
    assert "out_features" in str(err)
    tt, mt = _pair(lambda nn: nn.ConvTranspose1d(4, 6, 3, groups=2))  # torch's formula ignores groups: both fail
    tb4, mb4 = _pair(lambda nn: nn.BatchNorm1d(6))
    for mod in (tt, mt, tb4, mb4):
        mod.eval()
    raises_like_torch(lambda: tfusion.fuse_conv_bn_eval(tt, tb4, transpose=True),
                      lambda: fusion.fuse_conv_bn_eval(mt, mb4, transpose=True))
