"""conv / pool / vision ops against torch: many configurations, indices, tie routing, errors, double backward."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch
import minitorch.nn.functional as F

from .helpers import assert_close, raises_like_torch, require_torch

torch = require_torch()
TF = torch.nn.functional


def _pair_run(fn_mt, fn_th, arrays, kw, rtol=1e-4, atol=1e-5, seed=0):
    """Run both, compare outputs and the gradients of every float input for a random upstream grad."""
    m_in = [minitorch.tensor(a, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    m_out, t_out = fn_mt(*m_in, **kw), fn_th(*t_in, **kw)
    assert_close(m_out, t_out, rtol=rtol, atol=atol, msg=f"forward {kw}")
    up = np.random.default_rng(seed).standard_normal(tuple(t_out.shape)).astype(arrays[0].dtype)
    m_out.backward(minitorch.tensor(up))
    t_out.backward(torch.tensor(up))
    for i, (m, t) in enumerate(zip(m_in, t_in)):
        assert_close(m.grad, t.grad, rtol=rtol, atol=atol * 10, msg=f"grad of input {i} {kw}")


def _rand(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


CONV2D_CASES = [
    ((2, 3, 9, 8), (5, 3, 3, 3), {}),
    ((2, 3, 9, 8), (5, 3, 3, 3), {"padding": 1}),
    ((2, 3, 9, 8), (5, 3, 3, 3), {"stride": 2, "padding": 1}),
    ((2, 3, 9, 8), (5, 3, 3, 3), {"stride": (2, 3), "padding": (0, 2)}),
    ((2, 3, 9, 8), (5, 3, 3, 3), {"dilation": 2, "padding": 2}),
    ((2, 3, 9, 8), (5, 3, 3, 3), {"dilation": (2, 1), "stride": 2}),
    ((2, 3, 9, 8), (5, 3, 1, 1), {}),
    ((2, 3, 9, 8), (5, 3, 5, 2), {"padding": "same"}),
    ((2, 3, 9, 8), (5, 3, 4, 4), {"padding": "same", "dilation": 2}),
    ((2, 3, 9, 8), (5, 3, 3, 3), {"padding": "valid"}),
    ((2, 4, 9, 8), (6, 2, 3, 3), {"groups": 2, "padding": 1}),
    ((2, 4, 9, 8), (8, 1, 3, 3), {"groups": 4, "stride": 2}),
    ((1, 6, 7, 7), (6, 2, 3, 3), {"groups": 3, "stride": 2, "dilation": 2, "padding": 3}),
    ((3, 16, 6, 6), (8, 16, 3, 3), {"padding": 1}),
]


@pytest.mark.parametrize("xs,ws,kw", CONV2D_CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_matches_torch(xs, ws, kw, bias):
    rng = np.random.default_rng(1)
    arrays = [_rand(rng, *xs), _rand(rng, *ws)] + ([_rand(rng, ws[0])] if bias else [])
    _pair_run(F.conv2d, TF.conv2d, arrays, kw)


@pytest.mark.parametrize("kw", [{}, {"stride": 2, "padding": 2}, {"dilation": 3}, {"padding": "same"},
                                {"groups": 2, "stride": 3}])
def test_conv1d_matches_torch(kw):
    rng = np.random.default_rng(2)
    _pair_run(F.conv1d, TF.conv1d, [_rand(rng, 2, 4, 11), _rand(rng, 6, 4 // kw.get("groups", 1), 3),
                                    _rand(rng, 6)], kw)


@pytest.mark.parametrize("kw", [
    {}, {"stride": 2}, {"stride": 2, "padding": 1, "output_padding": 1}, {"stride": 3, "output_padding": 2},
    {"dilation": 2, "padding": 2}, {"stride": (2, 1), "padding": (1, 0), "output_padding": (1, 0)},
    {"groups": 2, "stride": 2}, {"dilation": 3, "stride": 2, "output_padding": 2},
])
def test_conv_transpose2d_matches_torch(kw):
    rng = np.random.default_rng(3)
    g = kw.get("groups", 1)
    _pair_run(F.conv_transpose2d, TF.conv_transpose2d,
              [_rand(rng, 2, 4, 5, 4), _rand(rng, 4, 6 // g, 3, 3), _rand(rng, 6)], kw)


@given(n=st.integers(1, 2), c=st.integers(1, 3), o=st.integers(1, 3), h=st.integers(3, 8), w=st.integers(3, 8),
       k=st.integers(1, 3), s=st.integers(1, 3), p=st.integers(0, 2), d=st.integers(1, 2))
def test_conv2d_random_configs(n, c, o, h, w, k, s, p, d):
    if h + 2 * p < d * (k - 1) + 1 or w + 2 * p < d * (k - 1) + 1:
        return
    rng = np.random.default_rng(n * 1000 + h * 10 + w)
    _pair_run(F.conv2d, TF.conv2d, [_rand(rng, n, c, h, w), _rand(rng, o, c, k, k), _rand(rng, o)],
              {"stride": s, "padding": p, "dilation": d})


def test_conv_chain_channels_last_layout_matches_torch():
    """conv -> relu -> maxpool -> conv -> avgpool: outputs kept channels-last in memory chain correctly."""
    rng = np.random.default_rng(4)
    arrays = [_rand(rng, 3, 3, 12, 12), _rand(rng, 8, 3, 3, 3), _rand(rng, 8), _rand(rng, 6, 8, 3, 3), _rand(rng, 6)]

    def net(lib, x, w1, b1, w2, b2):
        h = lib.max_pool2d(lib.relu(lib.conv2d(x, w1, b1, padding=1)), 2)
        h = lib.conv2d(h, w2, b2, padding=1)
        return lib.avg_pool2d(lib.relu(h), 3, stride=2, padding=1)

    _pair_run(lambda *a: net(F, *a), lambda *a: net(TF, *a), arrays, {})


def test_scratch_buffers_do_not_alias_live_results():
    """Pooled scratch memory is only reused when free: a held output keeps its values."""
    rng = np.random.default_rng(5)
    x1, x2, w = _rand(rng, 4, 8, 64, 64), _rand(rng, 4, 8, 64, 64), _rand(rng, 16, 8, 3, 3)
    wt = minitorch.tensor(w)
    y1 = F.conv2d(minitorch.tensor(x1), wt, padding=1)
    before = y1.numpy().copy()
    y2 = F.conv2d(minitorch.tensor(x2), wt, padding=1)
    F.conv2d(minitorch.tensor(x2), wt, padding=1)
    np.testing.assert_array_equal(y1.numpy(), before)
    assert_close(y2, TF.conv2d(torch.tensor(x2), torch.tensor(w), padding=1), rtol=1e-4, atol=1e-4)


def test_conv2d_double_backward_matches_torch():
    """create_graph through conv2d: grad of (sum of squared input-grad) w.r.t. x and w equals torch's."""
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 3))

    def run(lib, F_, mk):  # noqa: N803
        xt, wt = mk(x), mk(w)
        y = F_.conv2d(xt, wt, stride=2, padding=1)
        gx, gw = lib.autograd.grad((y * y).sum(), (xt, wt), create_graph=True)
        ((gx * gx).sum() + (gw ** 3).sum()).backward()
        return xt.grad, wt.grad

    mx, mw = run(minitorch, F, lambda a: minitorch.tensor(a, requires_grad=True))
    tx, tw = run(torch, TF, lambda a: torch.tensor(a, requires_grad=True))
    assert_close(mx, tx, rtol=1e-8, atol=1e-8)
    assert_close(mw, tw, rtol=1e-8, atol=1e-8)


def test_float32_stays_float32():
    x = minitorch.randn(1, 2, 5, 5)
    w = minitorch.randn(3, 2, 3, 3)
    for out in (F.conv2d(x, w), F.max_pool2d(x, 2), F.avg_pool2d(x, 2), F.adaptive_avg_pool2d(x, 2),
                F.interpolate(x, scale_factor=2, mode="bilinear"), F.pad(x, (1, 1, 1, 1), mode="reflect"),
                F.unfold(x, 2), F.conv_transpose2d(x, minitorch.randn(2, 3, 3, 3))):
        assert out.dtype == minitorch.float32


# ------------------------------------------------------------------ pooling
POOL_CASES = [
    {"kernel_size": 2}, {"kernel_size": 3}, {"kernel_size": 3, "stride": 1},
    {"kernel_size": 3, "stride": 2, "padding": 1}, {"kernel_size": 2, "stride": 2, "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "ceil_mode": True, "padding": 1},
    {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 0)},
]


@pytest.mark.parametrize("kw", POOL_CASES + [{"kernel_size": 2, "dilation": 2}, {"kernel_size": 3, "dilation": (2, 1),
                                                                                 "padding": 1, "ceil_mode": True}])
def test_max_pool2d_matches_torch_with_indices(kw):
    rng = np.random.default_rng(7)
    x = _rand(rng, 2, 3, 9, 7)
    m_out, m_idx = F.max_pool2d(minitorch.tensor(x), return_indices=True, **kw)
    t_out, t_idx = TF.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    assert_close(m_out, t_out)
    assert m_idx.dtype == minitorch.int64
    np.testing.assert_array_equal(m_idx.numpy(), t_idx.numpy())
    _pair_run(F.max_pool2d, TF.max_pool2d, [x], kw)


@pytest.mark.parametrize("kw", POOL_CASES + [{"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
                                             {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
                                              "count_include_pad": False},
                                             {"kernel_size": 3, "divisor_override": 2}])
def test_avg_pool2d_matches_torch(kw):
    rng = np.random.default_rng(8)
    _pair_run(F.avg_pool2d, TF.avg_pool2d, [_rand(rng, 2, 3, 9, 7)], kw)


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
                                {"kernel_size": 2, "dilation": 3}])
def test_pool1d_matches_torch(kw):
    rng = np.random.default_rng(9)
    x = _rand(rng, 2, 3, 10)
    _pair_run(F.max_pool1d, TF.max_pool1d, [x], kw)
    m_idx = F.max_pool1d(minitorch.tensor(x), return_indices=True, **kw)[1]
    np.testing.assert_array_equal(m_idx.numpy(), TF.max_pool1d(torch.tensor(x), return_indices=True, **kw)[1].numpy())
    if "dilation" not in kw:
        _pair_run(F.avg_pool1d, TF.avg_pool1d, [x], kw)


@pytest.mark.parametrize("size", [(4, 3), (1, 1), (5, None), (7, 5), (3, 6)])
def test_adaptive_pools_match_torch(size):
    rng = np.random.default_rng(10)
    x = _rand(rng, 2, 3, 7, 5)
    _pair_run(F.adaptive_avg_pool2d, TF.adaptive_avg_pool2d, [x], {"output_size": size})
    _pair_run(F.adaptive_max_pool2d, TF.adaptive_max_pool2d, [x], {"output_size": size})
    m_idx = F.adaptive_max_pool2d(minitorch.tensor(x), size, return_indices=True)[1]
    t_idx = TF.adaptive_max_pool2d(torch.tensor(x), size, return_indices=True)[1]
    np.testing.assert_array_equal(m_idx.numpy(), t_idx.numpy())


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1},
                                {"kernel_size": 3, "stride": 2, "ceil_mode": True}])
def test_max_pool_ties_route_to_first_maximum_like_torch(kw):
    """Flat image regions: every window is a tie; the whole gradient goes to torch's (first) maximum."""
    rng = np.random.default_rng(11)
    x = np.repeat(np.repeat(rng.integers(0, 3, (2, 2, 4, 4)), 2, axis=2), 2, axis=3).astype(np.float32)
    xm, xt = minitorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ym, im = F.max_pool2d(xm, return_indices=True, **kw)
    yt, it = TF.max_pool2d(xt, return_indices=True, **kw)
    np.testing.assert_array_equal(im.numpy(), it.numpy())
    up = rng.standard_normal(tuple(yt.shape)).astype(np.float32)
    ym.backward(minitorch.tensor(up))
    yt.backward(torch.tensor(up))
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-6)
    # the gradient's total is the upstream total: nothing duplicated over tied positions
    np.testing.assert_allclose(xm.grad.numpy().sum(), up.sum(), rtol=1e-4)


def test_max_pool_propagates_nan_like_torch():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    x[0, 0, 1, 0] = np.nan
    np.testing.assert_array_equal(np.isnan(F.max_pool2d(minitorch.tensor(x), 2).numpy()),
                                  np.isnan(TF.max_pool2d(torch.tensor(x), 2).numpy()))


def test_unbatched_inputs():
    rng = np.random.default_rng(12)
    x = _rand(rng, 3, 6, 6)
    _pair_run(F.conv2d, TF.conv2d, [x, _rand(rng, 2, 3, 3, 3)], {"padding": 1})
    _pair_run(F.max_pool2d, TF.max_pool2d, [x], {"kernel_size": 2})
    _pair_run(F.avg_pool2d, TF.avg_pool2d, [x], {"kernel_size": 3, "stride": 2})
    _pair_run(F.conv1d, TF.conv1d, [_rand(rng, 3, 8), _rand(rng, 2, 3, 3)], {})


# ------------------------------------------------------------------ pad / interpolate / unfold / fold
@pytest.mark.parametrize("mode,pads", [
    ("constant", (1, 2)), ("constant", (0, 1, 2, 3)), ("constant", (-1, 1, 1, -2)), ("constant", (1, 1, 1, 1, 1, 1)),
    ("reflect", (2, 1, 1, 2)), ("reflect", (3, 3, 0, 1)), ("replicate", (4, 0, 2, 5)), ("replicate", (1, 2, 0, 0)),
    ("circular", (1, 2, 2, 1)),
])
def test_pad_matches_torch(mode, pads):
    rng = np.random.default_rng(13)
    _pair_run(lambda x: F.pad(x, pads, mode=mode), lambda x: TF.pad(x, pads, mode=mode), [_rand(rng, 2, 3, 4, 5)], {})


def test_pad_value():
    x = minitorch.zeros(1, 2, 2)
    assert_close(F.pad(x, (1, 1), value=3.5), TF.pad(torch.zeros(1, 2, 2), (1, 1), value=3.5))


@pytest.mark.parametrize("kw", [
    {"scale_factor": 2}, {"scale_factor": 3, "mode": "nearest"}, {"size": (7, 3)},
    {"size": (5, 9), "mode": "nearest-exact"},
    {"scale_factor": 2, "mode": "bilinear"}, {"scale_factor": 2, "mode": "bilinear", "align_corners": True},
    {"size": (3, 2), "mode": "bilinear"}, {"size": (11, 13), "mode": "bilinear", "align_corners": True},
    {"scale_factor": (0.6, 2.5), "mode": "bilinear"}, {"scale_factor": 1.3},
])
def test_interpolate_matches_torch(kw):
    rng = np.random.default_rng(14)
    _pair_run(F.interpolate, TF.interpolate, [_rand(rng, 2, 3, 6, 5)], kw)


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": (2, 3), "stride": 2, "padding": 1},
                                {"kernel_size": 3, "dilation": 2, "padding": 2, "stride": (1, 2)}])
def test_unfold_fold_match_torch(kw):
    rng = np.random.default_rng(15)
    x = _rand(rng, 2, 3, 7, 8)
    _pair_run(F.unfold, TF.unfold, [x], kw)
    cols = TF.unfold(torch.tensor(x), **kw)
    _pair_run(F.fold, TF.fold, [cols.numpy()], dict(kw, output_size=(7, 8)))


def test_unfold_matmul_equals_conv():
    """im2col + matmul is a convolution: the identity the conv kernels are built on."""
    rng = np.random.default_rng(16)
    x, w = minitorch.tensor(_rand(rng, 2, 3, 6, 6)), minitorch.tensor(_rand(rng, 4, 3, 3, 3))
    cols = F.unfold(x, 3, padding=1)
    y = (w.reshape(4, -1) @ cols).reshape(2, 4, 6, 6)
    assert_close(y, F.conv2d(x, w, padding=1), rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------ bad input
def _same_error(fn_mt, fn_th) -> str:
    return str(raises_like_torch(fn_th, fn_mt))


@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 4, 5), (6, 4, 3, 3), {}),                # wrong rank (3-D read as unbatched with 2 channels)
    ((1, 2, 4, 5, 5), (6, 4, 3, 3), {}),          # 5-D input
    ((2, 3, 5, 5), (6, 4, 3, 3), {}),             # wrong channels
    ((2, 4, 2, 2), (6, 4, 3, 3), {}),             # kernel larger than the padded input
    ((2, 4, 5, 5), (6, 4, 3, 3), {"groups": 3}),  # groups does not divide out_channels
    ((2, 4, 5, 5), (6, 2, 3, 3), {"groups": 3}),  # groups mismatch channels
    ((2, 4, 5, 5), (6, 4, 3, 3), {"stride": 2, "padding": "same"}),
    ((2, 4, 5, 5), (6, 4, 3, 3), {"padding": "full"}),
    ((2, 4, 5, 5), (6, 4, 3, 3), {"stride": 0}),
    ((2, 4, 5, 5), (6, 4, 3, 3), {"padding": -1}),
])
def test_conv2d_bad_input_raises_torch_type(xs, ws, kw):
    x, w = np.zeros(xs, np.float32), np.zeros(ws, np.float32)
    msg = _same_error(lambda: F.conv2d(minitorch.tensor(x), minitorch.tensor(w), **kw),
                      lambda: TF.conv2d(torch.tensor(x), torch.tensor(w), **kw))
    assert "conv2d" in msg


def test_conv_bias_and_transpose_errors():
    x, w = np.zeros((2, 4, 5, 5), np.float32), np.zeros((6, 4, 3, 3), np.float32)
    _same_error(lambda: F.conv2d(minitorch.tensor(x), minitorch.tensor(w), minitorch.zeros(5)),
                lambda: TF.conv2d(torch.tensor(x), torch.tensor(w), torch.zeros(5)))
    wt = np.zeros((4, 3, 3, 3), np.float32)
    _same_error(lambda: F.conv_transpose2d(minitorch.tensor(x), minitorch.tensor(wt), stride=2, output_padding=2),
                lambda: TF.conv_transpose2d(torch.tensor(x), torch.tensor(wt), stride=2, output_padding=2))
    _same_error(lambda: F.conv1d(minitorch.tensor(x), minitorch.zeros(6, 4, 3)),
                lambda: TF.conv1d(torch.tensor(x), torch.zeros(6, 4, 3)))


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.max_pool2d(x, 7), lambda lib, x: lib.max_pool2d(x, 3, padding=2),
    lambda lib, x: lib.avg_pool2d(x, 7), lambda lib, x: lib.avg_pool2d(x, 3, padding=2),
    lambda lib, x: lib.max_pool2d(x[0, 0], 2), lambda lib, x: lib.max_pool1d(x, 2),
    lambda lib, x: lib.pad(x, (1, 2, 3)), lambda lib, x: lib.pad(x, (5, 5, 0, 0), mode="reflect"),
    lambda lib, x: lib.pad(x, (1, 1), mode="bogus"), lambda lib, x: lib.pad(x, (1, 1), mode="reflect"),
    lambda lib, x: lib.interpolate(x, size=3, scale_factor=2),
    lambda lib, x: lib.interpolate(x, scale_factor=2, mode="nearest", align_corners=True),
    lambda lib, x: lib.fold(x.reshape(2, 16, 5), (5, 5), 2),
])
def test_pool_pad_bad_input_raises_torch_type(call):
    x = np.zeros((2, 4, 5, 5), np.float32)
    _same_error(lambda: call(F, minitorch.tensor(x)), lambda: call(TF, torch.tensor(x)))
