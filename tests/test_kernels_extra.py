"""Vision kernels vs torch: grid_sample's gradient at clipped/reflected borders (and its fused sampling
kernels), the depthwise conv2d kernels (forward, dx, dw, db, transposed, double backward), the float32 erf
and exact gelu."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch as mt
import minitorch.nn.functional as F
from minitorch.autograd.gradcheck import gradcheck, gradgradcheck

from .helpers import assert_close, devices, no_host_sync, require_torch, requires_cuda

torch = require_torch()
TF = torch.nn.functional
rng = np.random.default_rng(20251124)


def _grad(t):
    return t.grad.numpy() if t.grad is not None else None


# ---------------------------------------------------------------- grid_sample at the borders --------
@pytest.mark.parametrize("padding_mode", ["border", "reflection"])
def test_grid_sample_grid_gradient_is_zero_on_the_clipped_border(padding_mode):
    for align, coord in ((True, 1.0), (True, -1.0), (False, 0.75), (False, -0.75), (True, 1.7), (False, 2.5)):
        x = np.arange(4.0).reshape(1, 1, 1, 4)
        g = np.array([[[[coord, 0.0]]]])
        gm = mt.tensor(g, requires_grad=True)
        gt = torch.tensor(g, requires_grad=True)
        kw = dict(padding_mode=padding_mode, align_corners=align)
        F.grid_sample(mt.tensor(x), gm, **kw).sum().backward()
        TF.grid_sample(torch.tensor(x), gt, **kw).sum().backward()
        np.testing.assert_allclose(_grad(gm), gt.grad.numpy(), atol=1e-12, err_msg=f"{align} {coord}")


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_identity_affine_grid_theta_gradient_matches_torch(padding_mode, align_corners, dtype):
    """Every sample sits exactly on a pixel centre: only a bit-exact grid gives torch's one-sided gradient."""
    x = rng.standard_normal((2, 3, 5, 7)).astype(dtype)
    theta = np.tile(np.eye(2, 3), (2, 1, 1)).astype(dtype)
    tm, tt = mt.tensor(theta, requires_grad=True), torch.tensor(theta, requires_grad=True)
    kw = dict(padding_mode=padding_mode, align_corners=align_corners)
    gm = F.affine_grid(tm, (2, 3, 5, 7), align_corners=align_corners)
    gt = TF.affine_grid(tt, (2, 3, 5, 7), align_corners=align_corners)
    np.testing.assert_array_equal(gm.detach().numpy(), gt.detach().numpy())
    F.grid_sample(mt.tensor(x), gm, **kw).sum().backward()
    TF.grid_sample(torch.tensor(x), gt, **kw).sum().backward()
    tol = 1e-10 if dtype == np.float64 else 2e-3
    np.testing.assert_allclose(_grad(tm), tt.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("shape", [(2, 3, 5, 7), (1, 2, 1, 4), (2, 1, 1, 1)])
def test_grid_sample_matches_torch_on_edges_and_beyond(device, mode, padding_mode, align_corners, shape):
    x = rng.standard_normal(shape)
    grid = rng.uniform(-1.6, 1.6, (shape[0], 4, 6, 2))
    grid[0, 0, :, 0] = [-1, 1, 0.75, -0.75, 1.5, -3.0]  # corners, pixel centres, out of range
    grid[0, 1, :, 1] = [-1, 1, 0.75, -0.75, 2.5, -1.0]
    xm, xt = mt.tensor(x, device=device, requires_grad=True), torch.tensor(x, requires_grad=True)
    gm, gt = mt.tensor(grid, device=device, requires_grad=True), torch.tensor(grid, requires_grad=True)
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    om, ot = F.grid_sample(xm, gm, **kw), TF.grid_sample(xt, gt, **kw)
    assert_close(om, ot, rtol=1e-12, atol=1e-12)
    u = rng.standard_normal(tuple(ot.shape))
    om.backward(mt.tensor(u, device=device))
    ot.backward(torch.tensor(u))
    assert_close(xm.grad, xt.grad, rtol=1e-12, atol=1e-12)
    assert_close(gm.grad, gt.grad, rtol=1e-10, atol=1e-10)  # nearest: zeros, as torch


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_gradcheck_and_double_backward(padding_mode):
    x = mt.tensor(rng.standard_normal((1, 2, 4, 5)), requires_grad=True)
    grid = mt.tensor(rng.uniform(-0.9, 0.9, (1, 3, 2, 2)), requires_grad=True)

    def f(a, g):
        return F.grid_sample(a, g, padding_mode=padding_mode, align_corners=False)

    assert gradcheck(f, (x, grid))
    assert gradgradcheck(f, (x, grid))


@requires_cuda
def test_grid_sample_cuda_has_no_host_sync():
    x = mt.tensor(rng.standard_normal((2, 3, 5, 6)).astype(np.float32), device="cuda", requires_grad=True)
    theta = mt.tensor(rng.standard_normal((2, 2, 3)).astype(np.float32), device="cuda", requires_grad=True)
    with no_host_sync():
        for pm in ("zeros", "border", "reflection"):
            grid = F.affine_grid(theta, (2, 3, 4, 4), align_corners=False)
            F.grid_sample(x, grid, padding_mode=pm, align_corners=False).sum().backward()


# ---------------------------------------------------------------- depthwise conv2d --------------------
DW_CASES = [  # (shape, multiplier, kernel, stride, padding, dilation)
    ((2, 3, 7, 8), 1, (3, 3), 1, 1, 1),
    ((2, 4, 9, 9), 2, (3, 3), 2, 1, 1),
    ((1, 3, 10, 7), 3, (3, 2), (1, 2), (0, 1), (2, 1)),
    ((2, 5, 6, 6), 1, (5, 5), 1, 2, 1),
    ((2, 2, 5, 5), 2, (1, 1), 1, 0, 1),
    ((3, 2, 40, 40), 1, (3, 3), 2, 1, 1),  # several row chunks per image
    ((1, 3, 8, 9), 1, (3, 3), 3, 2, 2),
]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", DW_CASES)
def test_depthwise_conv2d_matches_torch(device, dtype, case):
    shape, m, k, s, p, d = case
    c = shape[1]
    x = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal((c * m, 1) + k).astype(dtype)
    b = rng.standard_normal(c * m).astype(dtype)
    ms = [mt.tensor(a, device=device, requires_grad=True) for a in (x, w, b)]
    ts = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    ym = F.conv2d(*ms, stride=s, padding=p, dilation=d, groups=c)
    yt = TF.conv2d(*ts, stride=s, padding=p, dilation=d, groups=c)
    tol = dict(rtol=1e-10, atol=1e-10) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-4)
    assert_close(ym, yt, **tol)
    u = rng.standard_normal(tuple(yt.shape)).astype(dtype)
    ym.backward(mt.tensor(u, device=device))
    yt.backward(torch.tensor(u))
    for a, t in zip(ms, ts):
        assert_close(a.grad, t.grad, **tol)
    # the transposed depthwise conv (the same kernels, roles swapped)
    wt = w.reshape(c, m, *k)
    om = F.conv_transpose2d(mt.tensor(x, device=device), mt.tensor(wt, device=device), stride=s, padding=p,
                            dilation=d, groups=c)
    ot = TF.conv_transpose2d(torch.tensor(x), torch.tensor(wt), stride=s, padding=p, dilation=d, groups=c)
    assert_close(om, ot, **tol)


def test_depthwise_dispatch_is_used():
    from minitorch.nn.kernels.depthwise import is_depthwise
    from minitorch.nn.kernels.im2col import ConvGeom

    assert is_depthwise(ConvGeom(3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8), (16, 1, 3, 3))
    assert not is_depthwise(ConvGeom(3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4), (8, 2, 3, 3))
    assert not is_depthwise(ConvGeom(3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1), (8, 1, 3, 3))


@pytest.mark.parametrize("stride", [1, 2])
def test_depthwise_gradcheck_and_gradgradcheck(stride):
    x = mt.tensor(rng.standard_normal((2, 3, 5, 5)), requires_grad=True)
    w = mt.tensor(rng.standard_normal((6, 1, 3, 3)), requires_grad=True)
    b = mt.tensor(rng.standard_normal(6), requires_grad=True)

    def f(a, k, c):
        return F.conv2d(a, k, c, stride=stride, padding=1, groups=3)

    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))


def test_depthwise_conv_channels_last_input_and_cuda_no_sync():  # cuda part: with a (fake) GPU
    x = rng.standard_normal((2, 4, 6, 6)).astype(np.float32)
    w = rng.standard_normal((4, 1, 3, 3)).astype(np.float32)
    xl = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)  # NCHW view of NHWC memory
    assert_close(F.conv2d(mt.tensor(xl), mt.tensor(w), padding=1, groups=4),
                 TF.conv2d(torch.tensor(x), torch.tensor(w), padding=1, groups=4), rtol=1e-5, atol=1e-5)
    if not mt.cuda.is_available():
        return
    xm = mt.tensor(x, device="cuda", requires_grad=True)
    wm = mt.tensor(w, device="cuda", requires_grad=True)
    with no_host_sync():
        F.conv2d(xm, wm, stride=2, padding=1, groups=4).sum().backward()


# ---------------------------------------------------------------- erf / gelu -------------------------
def test_erf_float32_is_within_one_and_a_quarter_ulp():
    x = np.concatenate([
        np.linspace(-6, 6, 400_001, dtype=np.float32),
        np.float32(10.0) ** np.linspace(-38, 0.7, 20_001, dtype=np.float32),
        -np.float32(10.0) ** np.linspace(-45, 0.7, 2_001, dtype=np.float32),
    ])
    got = mt.erf(mt.tensor(x)).numpy()
    assert got.dtype == np.float32
    ref = torch.erf(torch.tensor(x, dtype=torch.float64)).numpy()
    ulp = np.spacing(np.abs(ref.astype(np.float32))).astype(np.float64)
    assert (np.abs(got - ref) / ulp).max() <= 1.25


def test_erf_float32_special_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 4.0, 3.99, 100.0], np.float32)
    got = mt.erf(mt.tensor(x)).numpy()
    want = torch.erf(torch.tensor(x)).numpy()
    np.testing.assert_array_equal(np.signbit(got[:2]), [False, True])
    np.testing.assert_allclose(got, want, rtol=2e-7, atol=0, equal_nan=True)
    assert mt.erf(mt.tensor(np.zeros((0, 3), np.float32))).shape == (0, 3)
    assert float(mt.erf(mt.tensor(np.float32(0.5)))) == pytest.approx(math.erf(0.5), rel=1e-7)


def test_erf_float64_stays_float64_accurate():
    x = np.linspace(-7, 7, 20_001)
    got = mt.erf(mt.tensor(x)).numpy()
    ref = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(got, ref, rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exact_gelu_matches_torch(device, dtype):
    x = (rng.standard_normal(10_000) * 3).astype(dtype)
    xm, xt = mt.tensor(x, device=device, requires_grad=True), torch.tensor(x, requires_grad=True)
    ym, yt = F.gelu(xm), TF.gelu(xt)
    assert ym.dtype == (mt.float32 if dtype == np.float32 else mt.float64)
    # float32: 1 + erf(x/sqrt2) cancels for x << 0, so an ulp of erf near -1 is ~1e-7 |x| absolute
    tol = dict(rtol=1e-6, atol=2e-6) if dtype == np.float32 else dict(rtol=1e-13, atol=1e-15)
    assert_close(ym, yt, **tol)
    u = rng.standard_normal(10_000).astype(dtype)
    ym.backward(mt.tensor(u, device=device))
    yt.backward(torch.tensor(u))
    assert_close(xm.grad, xt.grad, **tol)
