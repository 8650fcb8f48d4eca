"""3-D conv / pool / norm / dropout layers against torch: same weights, outputs, gradients; init; errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitorch
import minitorch.nn.functional as F

from .helpers import assert_close, devices, raises_like_torch, require_torch
from .test_nn_layers import compare_module

torch = require_torch()
TF = torch.nn.functional


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _distinct(*shape, seed=0):
    n = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(n).reshape(shape) / n * 4 - 2).astype(np.float32)


CONV3D = [
    ((2, 4, 5, 6, 5), {"in_channels": 4, "out_channels": 6, "kernel_size": 3}),
    ((2, 4, 5, 6, 5), {"in_channels": 4, "out_channels": 6, "kernel_size": (3, 2, 3), "stride": 2, "padding": 1,
                       "bias": False}),
    ((2, 4, 5, 6, 5), {"in_channels": 4, "out_channels": 6, "kernel_size": 2, "padding": "same", "dilation": 2}),
    ((2, 4, 5, 6, 5), {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "groups": 2, "padding": "valid"}),
    ((2, 4, 5, 6, 5), {"in_channels": 4, "out_channels": 8, "kernel_size": 3, "groups": 4, "stride": (1, 2, 1)}),
    ((4, 5, 6, 5), {"in_channels": 4, "out_channels": 3, "kernel_size": 3, "padding": 1}),
    ((2, 4, 5, 6, 5), {"in_channels": 4, "out_channels": 3, "kernel_size": 3, "padding": 1, "padding_mode": "reflect"}),
    ((2, 4, 5, 6, 5), {"in_channels": 4, "out_channels": 3, "kernel_size": 3, "padding": (1, 2, 0),
                       "padding_mode": "replicate"}),
    ((2, 4, 5, 6, 5), {"in_channels": 4, "out_channels": 3, "kernel_size": 3, "padding": 1,
                       "padding_mode": "circular"}),
    ((2, 4, 5, 6, 5), {"in_channels": 4, "out_channels": 3, "kernel_size": 3, "padding": "same",
                       "padding_mode": "reflect"}),
]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("shape,kw", CONV3D)
def test_conv3d_module_matches_torch(shape, kw, device):
    compare_module(lambda L: L.nn.Conv3d(**kw), [_rand(*shape)], device=device)


CONV_T3D = [
    ((2, 4, 3, 4, 3), {"in_channels": 4, "out_channels": 6, "kernel_size": 3}),
    ((2, 4, 3, 4, 3), {"in_channels": 4, "out_channels": 6, "kernel_size": 3, "stride": 2, "padding": 1,
                       "output_padding": 1}),
    ((2, 4, 3, 4, 3), {"in_channels": 4, "out_channels": 6, "kernel_size": (2, 3, 2), "groups": 2, "dilation": 2,
                       "stride": (2, 1, 3), "output_padding": (1, 0, 2), "bias": False}),
    ((4, 3, 4, 3), {"in_channels": 4, "out_channels": 2, "kernel_size": 2, "stride": 2}),
]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("shape,kw", CONV_T3D)
def test_conv_transpose3d_module_matches_torch(shape, kw, device):
    compare_module(lambda L: L.nn.ConvTranspose3d(**kw), [_rand(*shape)], device=device)


@pytest.mark.parametrize("device", devices())
def test_conv_transpose3d_output_size(device):
    kw = {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "stride": 2, "padding": 1}
    compare_module(lambda L: L.nn.ConvTranspose3d(**kw), [_rand(1, 2, 3, 3, 3)], device=device,
                   call=lambda m, args: m(args[0], output_size=(6, 5, 6)))


POOLS = [
    ("MaxPool3d", {"kernel_size": 2}, (2, 3, 6, 5, 4)),
    ("MaxPool3d", {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": (1, 2, 1), "ceil_mode": True},
     (2, 3, 6, 7, 5)),
    ("MaxPool3d", {"kernel_size": 2, "return_indices": True}, (3, 6, 5, 4)),
    ("AvgPool3d", {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}, (2, 3, 6, 5, 4)),
    ("AvgPool3d", {"kernel_size": (2, 3, 2), "ceil_mode": True, "divisor_override": 5}, (2, 3, 6, 5, 4)),
    ("AdaptiveAvgPool3d", {"output_size": (3, None, 2)}, (2, 3, 6, 5, 4)),
    ("AdaptiveMaxPool3d", {"output_size": (4, 3, 3), "return_indices": True}, (2, 3, 6, 5, 4)),
    ("AdaptiveMaxPool3d", {"output_size": 2}, (3, 6, 5, 4)),
]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("name,kw,shape", POOLS)
def test_pool3d_modules_match_torch(name, kw, shape, device):
    compare_module(lambda L: getattr(L.nn, name)(**kw), [_distinct(*shape)], device=device)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("train", [True, False])
def test_batchnorm3d_matches_torch(train, device):
    compare_module(lambda L: L.nn.BatchNorm3d(4, momentum=0.2), [_rand(3, 4, 2, 3, 5)], train=train, device=device)


def test_batchnorm3d_rejects_other_ranks():
    msg = str(raises_like_torch(lambda: torch.nn.BatchNorm3d(4)(torch.zeros(2, 4, 3, 3)),
                                lambda: minitorch.nn.BatchNorm3d(4)(minitorch.zeros(2, 4, 3, 3))))
    assert "5D" in msg


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("shape", [(4, 6, 2, 3, 2), (6, 2, 3, 2)])
def test_dropout3d_zeroes_whole_channels(shape, device):
    minitorch.manual_seed(0)
    m = minitorch.nn.Dropout3d(0.5)
    y = m(minitorch.ones(*shape, device=device)).cpu().numpy()
    lead = 2 if len(shape) == 5 else 1
    per_channel = y.reshape(*shape[:lead], -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # a channel is all kept or all dropped
    assert set(np.unique(y)) <= {0.0, 2.0} and 0 < (y == 0).mean() < 1
    m.eval()
    assert np.all(m(minitorch.ones(*shape, device=device)).cpu().numpy() == 1)


def test_dropout3d_other_ranks_warn_and_read_unbatched_like_torch():
    for shape in [(5, 4), (5, 4, 3)]:
        with pytest.warns(UserWarning, match="dropout3d") as rec_mt:
            y = F.dropout3d(minitorch.ones(*shape), 0.5).numpy()
        with warnings.catch_warnings(record=True) as rec_th:
            warnings.simplefilter("always")
            TF.dropout3d(torch.ones(*shape), 0.5)
        assert len(rec_th) == len(rec_mt) == 1
        flat = y.reshape(shape[0], -1)
        assert np.all(flat.min(-1) == flat.max(-1))  # dim 0 read as channels, as torch does
    raises_like_torch(lambda: torch.nn.Dropout3d(1.5), lambda: minitorch.nn.Dropout3d(1.5))


@pytest.mark.parametrize("cls,args", [("Conv3d", (8, 6, (3, 2, 4))), ("ConvTranspose3d", (6, 8, (3, 2, 4)))])
def test_conv3d_default_init_bounds(cls, args):
    """kaiming_uniform(a=sqrt(5)) weight: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias likewise."""
    m = getattr(minitorch.nn, cls)(*args, groups=2)
    t = getattr(torch.nn, cls)(*args, groups=2)
    assert tuple(m.weight.shape) == tuple(t.weight.shape)
    fan_in = int(np.prod(t.weight.shape[1:]))
    bound = 1 / np.sqrt(fan_in)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.1 * bound
    assert np.abs(b).max() <= bound
    assert repr(m) == repr(t)


def _err(fn_mt, fn_th):
    return str(raises_like_torch(fn_th, fn_mt))


@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 4, 5, 5), (6, 4, 3, 3, 3), {}),             # 4-D read as unbatched with 2 channels
    ((2, 4, 5, 5), (6, 2, 3, 3), {}),                # 4-D weight
    ((2, 3, 5, 5, 5), (6, 4, 3, 3, 3), {}),          # wrong channels
    ((2, 4, 2, 5, 5), (6, 4, 3, 3, 3), {}),          # kernel deeper than the padded input
    ((2, 4, 5, 5, 5), (6, 4, 3, 3, 3), {"groups": 4}),
    ((2, 4, 5, 5, 5), (6, 4, 3, 3, 3), {"stride": 2, "padding": "same"}),
    ((2, 4, 5, 5, 5), (6, 4, 3, 3, 3), {"padding": "full"}),
    ((2, 4, 5, 5, 5), (6, 4, 3, 3, 3), {"stride": 0}),
    ((2, 4, 5, 5, 5), (6, 4, 3, 3, 3), {"padding": -1}),
    ((2, 4, 5, 5, 5), (6, 4, 3, 3, 3), {"padding": (1, 1)}),
])
def test_conv3d_errors_like_torch(xs, ws, kw):
    x, w = np.zeros(xs, np.float32), np.zeros(ws, np.float32)
    msg = _err(lambda: F.conv3d(minitorch.tensor(x), minitorch.tensor(w), **kw),
               lambda: TF.conv3d(torch.tensor(x), torch.tensor(w), **kw))
    assert "conv3d" in msg


@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 3, 3, 3, 3), (4, 2, 3, 3, 3), {}),                     # channels
    ((2, 4, 3, 3, 3), (4, 2, 3, 3, 3), {"output_padding": 1}),  # output_padding >= stride
    ((2, 4, 1, 1, 1), (4, 2, 1, 1, 1), {"padding": 1}),         # output too small
    ((2, 4, 3, 3, 3), (4, 2, 3, 3, 3), {"groups": 3}),
])
def test_conv_transpose3d_errors_like_torch(xs, ws, kw):
    x, w = np.zeros(xs, np.float32), np.zeros(ws, np.float32)
    msg = _err(lambda: F.conv_transpose3d(minitorch.tensor(x), minitorch.tensor(w), **kw),
               lambda: TF.conv_transpose3d(torch.tensor(x), torch.tensor(w), **kw))
    assert "conv_transpose3d" in msg


@pytest.mark.parametrize("fname,shape,kw", [
    ("max_pool3d", (2, 3, 4, 4), {"kernel_size": 5}),       # window larger than the (unbatched) input
    ("max_pool3d", (2, 3, 4), {"kernel_size": 2}),          # 3-D input
    ("max_pool3d", (1, 2, 4, 4, 4), {"kernel_size": 2, "padding": 2}),
    ("max_pool3d", (1, 2, 4, 4, 4), {"kernel_size": 2, "stride": 0}),
    ("avg_pool3d", (1, 2, 4, 4, 4), {"kernel_size": 2, "divisor_override": 0}),
    ("avg_pool3d", (1, 2, 4, 4, 4), {"kernel_size": 2, "padding": 2}),
    ("avg_pool3d", (1, 2, 0, 4, 4), {"kernel_size": 2}),
])
def test_pool3d_errors_like_torch(fname, shape, kw):
    x = np.zeros(shape, np.float32)
    msg = _err(lambda: getattr(F, fname)(minitorch.tensor(x), **kw), lambda: getattr(TF, fname)(torch.tensor(x), **kw))
    assert fname in msg


def test_module_errors_like_torch():
    nn, tnn = minitorch.nn, torch.nn
    raises_like_torch(lambda: tnn.Conv3d(4, 6, 3, groups=4), lambda: nn.Conv3d(4, 6, 3, groups=4))
    raises_like_torch(lambda: tnn.Conv3d(4, 6, 3, padding="same", stride=2),
                      lambda: nn.Conv3d(4, 6, 3, padding="same", stride=2))
    raises_like_torch(lambda: tnn.Conv3d(4, 6, 3, padding_mode="mirror"),
                      lambda: nn.Conv3d(4, 6, 3, padding_mode="mirror"))
    raises_like_torch(lambda: tnn.ConvTranspose3d(4, 6, 3, padding_mode="reflect"),
                      lambda: nn.ConvTranspose3d(4, 6, 3, padding_mode="reflect"))
    raises_like_torch(lambda: tnn.ConvTranspose3d(2, 2, 3, stride=2)(torch.zeros(1, 2, 3, 3, 3), output_size=(9, 9, 9)),
                      lambda: nn.ConvTranspose3d(2, 2, 3, stride=2)(minitorch.zeros(1, 2, 3, 3, 3),
                                                                    output_size=(9, 9, 9)))


@pytest.mark.parametrize("device", devices())
def test_conv3d_double_backward_matches_torch(device):
    """d/dx of ||dL/dw||^2 through conv3d (the three adjoint Functions) equals torch's."""
    x, w = _rand(1, 2, 4, 3, 4, seed=1), _rand(3, 2, 2, 2, 2, seed=2)
    kw = {"stride": (2, 1, 1), "padding": 1}
    mx = minitorch.tensor(x, requires_grad=True, device=device)
    mw = minitorch.tensor(w, requires_grad=True, device=device)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    (gm,) = minitorch.autograd.grad((F.conv3d(mx, mw, **kw) ** 2).sum(), [mw], create_graph=True)
    (gt,) = torch.autograd.grad((TF.conv3d(tx, tw, **kw) ** 2).sum(), [tw], create_graph=True)
    (gm * gm).sum().backward()
    (gt * gt).sum().backward()
    assert_close(mx.grad, tx.grad, rtol=1e-3, atol=1e-3)
    assert_close(mw.grad, tw.grad, rtol=1e-3, atol=1e-3)
