"""Fractional max pooling (F.fractional_max_pool2d/3d, nn.FractionalMaxPool2d/3d) against torch 2.13:
outputs and indices equal torch's exactly for the same ``_random_samples``, gradients equal, gradcheck and
gradgradcheck in float64, torch's errors, and (MINITORCH_FAKE_GPU=1 or a GPU) the cuda path with no host sync."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
import minitorch.nn.functional as MF

from .helpers import devices, no_host_sync, raises_like_torch, require_torch

torch = require_torch()
TF = torch.nn.functional

# op-table rows: (name, spatial dims, input shape, kernel_size, output_size)
ROWS = [
    ("2d_square", 2, (2, 3, 9, 10), 3, (5, 4)),
    ("2d_rect_kernel", 2, (2, 2, 11, 13), (2, 3), (7, 6)),
    ("2d_unbatched", 2, (3, 12, 7), 2, (6, 5)),
    ("2d_overlap_one", 2, (1, 2, 8, 8), 3, (6, 6)),
    ("2d_out1", 2, (2, 1, 5, 6), 2, (1, 1)),
    ("3d_cube", 3, (2, 2, 7, 8, 6), 2, (4, 5, 3)),
    ("3d_unbatched", 3, (2, 6, 7, 9), (2, 3, 1), (4, 4, 7)),
    ("3d_edge", 3, (1, 1, 4, 5, 6), 2, (2, 3, 4)),
]
IDS = [r[0] for r in ROWS]


def _pair(row, dtype, seed=0, ties=False):
    _, nd, shape, _, _ = row
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if ties:
        x = np.round(x * 2)  # many tied maxima: the first one must win, as in torch
    nb = 1 if len(shape) == nd + 1 else shape[0]
    s = rng.random((nb, shape[-nd - 1], nd))
    return x.astype(dtype), s.astype(dtype)


def _fn(L, nd):
    F = L.nn.functional
    return F.fractional_max_pool2d if nd == 2 else F.fractional_max_pool3d


@pytest.mark.parametrize("row", ROWS, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("ties", [False, True])
def test_forward_and_indices_equal_torch(row, dtype, ties):
    _, nd, _, k, o = row
    x, s = _pair(row, dtype, ties=ties)
    out_t, idx_t = _fn(torch, nd)(torch.tensor(x), k, output_size=o, return_indices=True,
                                  _random_samples=torch.tensor(s))
    out_m, idx_m = _fn(minitorch, nd)(minitorch.tensor(x), k, output_size=o, return_indices=True,
                                      _random_samples=minitorch.tensor(s))
    assert out_m.dtype == getattr(minitorch, np.dtype(dtype).name) and idx_m.dtype == minitorch.int64
    np.testing.assert_array_equal(out_m.numpy(), out_t.numpy())
    np.testing.assert_array_equal(idx_m.numpy(), idx_t.numpy())


@pytest.mark.parametrize("nd", [2, 3])
def test_many_samples_give_torch_intervals(nd):
    """Sweep samples over [0, 1) (incl. the edges where float32 rounding decides the truncation)."""
    rng = np.random.default_rng(1)
    spatial = (23, 17) if nd == 2 else (11, 13, 9)
    outs = (9, 12) if nd == 2 else (5, 7, 4)
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((1, 64) + spatial).astype(dtype)
        s = rng.random((1, 64, nd)).astype(dtype)
        s[0, :8] = np.array([0.0, 0.5, 0.25, 0.75, 1 / 3, 2 / 3, np.nextafter(1, 0), 0.1], dtype)[:, None]
        a = _fn(torch, nd)(torch.tensor(x), 2, output_size=outs, return_indices=True, _random_samples=torch.tensor(s))
        b = _fn(minitorch, nd)(minitorch.tensor(x), 2, output_size=outs, return_indices=True,
                               _random_samples=minitorch.tensor(s))
        np.testing.assert_array_equal(b[1].numpy(), a[1].numpy())
        np.testing.assert_array_equal(b[0].numpy(), a[0].numpy())


def test_nan_and_minus_inf_windows_match_torch():
    a = np.array([[[[1.0, np.nan, 3.0], [np.nan, 2.0, 0.0], [5, 5, 1]]]], np.float32)
    b = np.full((1, 1, 3, 3), -np.inf, np.float32)
    s = np.full((1, 1, 2), 0.3, np.float32)
    for x in (a, b):
        rt = TF.fractional_max_pool2d(torch.tensor(x), 2, output_size=2, return_indices=True,
                                      _random_samples=torch.tensor(s))
        rm = MF.fractional_max_pool2d(minitorch.tensor(x), 2, output_size=2, return_indices=True,
                                      _random_samples=minitorch.tensor(s))
        np.testing.assert_array_equal(rm[0].numpy(), rt[0].numpy())
        np.testing.assert_array_equal(rm[1].numpy(), rt[1].numpy())


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_backward_equals_torch(row):
    _, nd, _, k, o = row
    x, s = _pair(row, np.float32, seed=2, ties=True)
    xt = torch.tensor(x, requires_grad=True)
    xm = minitorch.tensor(x, requires_grad=True)
    out_t = _fn(torch, nd)(xt, k, output_size=o, _random_samples=torch.tensor(s))
    out_m = _fn(minitorch, nd)(xm, k, output_size=o, _random_samples=minitorch.tensor(s))
    g = np.random.default_rng(3).standard_normal(out_t.shape).astype(np.float32)
    out_t.backward(torch.tensor(g))
    out_m.backward(minitorch.tensor(g))
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_gradcheck_and_gradgradcheck_float64(row):
    _, nd, shape, k, o = row
    x, s = _pair(row, np.float64, seed=4)
    x = x + np.arange(x.size).reshape(x.shape) * 1e-3  # distinct values: finite differences stay in one window
    xm = minitorch.tensor(x, requires_grad=True)
    sm = minitorch.tensor(s)
    f = _fn(minitorch, nd)
    assert minitorch.autograd.gradcheck(lambda t: f(t, k, output_size=o, _random_samples=sm), (xm,))
    assert minitorch.autograd.gradgradcheck(lambda t: f(t, k, output_size=o, _random_samples=sm), (xm,))


def test_output_ratio_modules_and_with_indices_match_torch():
    x = np.random.default_rng(5).standard_normal((2, 3, 10, 12)).astype(np.float32)
    s = np.random.default_rng(6).random((2, 3, 2)).astype(np.float32)
    mt_mod = minitorch.nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.6), return_indices=True,
                                              _random_samples=minitorch.tensor(s))
    t_mod = torch.nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.6), return_indices=True,
                                         _random_samples=torch.tensor(s))
    (a, ia), (b, ib) = t_mod(torch.tensor(x)), mt_mod(minitorch.tensor(x))
    np.testing.assert_array_equal(b.numpy(), a.numpy())
    np.testing.assert_array_equal(ib.numpy(), ia.numpy())
    assert list(dict(mt_mod.named_buffers())) == list(dict(t_mod.named_buffers())) == ["_random_samples"]
    a = TF.fractional_max_pool2d_with_indices(torch.tensor(x), 2, output_ratio=(0.5, 0.5),
                                              _random_samples=torch.tensor(s))
    b = MF.fractional_max_pool2d_with_indices(minitorch.tensor(x), 2, output_ratio=(0.5, 0.5),
                                              _random_samples=minitorch.tensor(s))
    assert isinstance(b, tuple) and len(b) == 2
    np.testing.assert_array_equal(b[1].numpy(), a[1].numpy())
    x3 = np.random.default_rng(7).standard_normal((1, 2, 8, 9, 10)).astype(np.float64)
    s3 = np.random.default_rng(8).random((1, 2, 3))
    a = torch.nn.FractionalMaxPool3d(2, output_ratio=0.5, _random_samples=torch.tensor(s3))(torch.tensor(x3))
    b = minitorch.nn.FractionalMaxPool3d(2, output_ratio=0.5, _random_samples=minitorch.tensor(s3))(
        minitorch.tensor(x3))
    np.testing.assert_array_equal(b.numpy(), a.numpy())
    a = TF.fractional_max_pool3d_with_indices(torch.tensor(x3), 3, output_size=4, _random_samples=torch.tensor(s3))
    b = MF.fractional_max_pool3d_with_indices(minitorch.tensor(x3), 3, output_size=4,
                                              _random_samples=minitorch.tensor(s3))
    np.testing.assert_array_equal(b[1].numpy(), a[1].numpy())


def test_samples_drawn_from_minitorch_generator():
    x = minitorch.randn(2, 3, 9, 9)
    minitorch.manual_seed(11)
    a, ia = MF.fractional_max_pool2d(x, 2, output_size=4, return_indices=True)
    minitorch.manual_seed(11)
    s = minitorch.rand(2, 3, 2)
    b, ib = MF.fractional_max_pool2d(x, 2, output_size=4, return_indices=True, _random_samples=s)
    np.testing.assert_array_equal(ia.numpy(), ib.numpy())
    minitorch.manual_seed(11)
    x16 = x.half()
    c = MF.fractional_max_pool2d(x16, 2, output_size=4)  # samples in the input's dtype
    assert c.dtype == minitorch.float16
    m = minitorch.nn.FractionalMaxPool3d(2, output_ratio=0.5)
    minitorch.manual_seed(3)
    y = minitorch.randn(1, 2, 6, 6, 6)
    r1 = m(y)
    minitorch.manual_seed(3)
    minitorch.randn(1, 2, 6, 6, 6)
    r2 = MF.fractional_max_pool3d(y, 2, output_size=3, _random_samples=minitorch.rand(1, 2, 3))
    np.testing.assert_array_equal(r1.numpy(), r2.numpy())


def _err_cases():
    x = np.random.default_rng(9).standard_normal((2, 3, 9, 10)).astype(np.float32)
    y = np.random.default_rng(9).standard_normal((2, 3, 5, 6, 7)).astype(np.float32)

    def s(*shape, dtype=np.float32):
        return np.random.default_rng(0).random(shape).astype(dtype)

    R = (0.5, 0.5)
    return [
        ("no size", 2, x, 3, {}),
        ("pool height", 2, x, 3, {"output_size": 8}),
        ("pool width", 2, x, 3, {"output_size": (7, 9)}),
        ("ratio len", 2, x, 3, {"output_ratio": (0.5, 0.5, 0.5)}),
        ("scalar ratio 2d", 2, x, 3, {"output_ratio": 0.5}),
        ("kernel len", 2, x, (3, 3, 3), {"output_ratio": R}),
        ("output len", 2, x, 3, {"output_size": (1, 2, 3)}),
        ("negative output", 2, x, 3, {"output_size": (-1, 2)}),
        ("samples last dim", 2, x, 3, {"output_ratio": R, "_random_samples": s(2, 3, 3)}),
        ("samples batch", 2, x, 3, {"output_ratio": R, "_random_samples": s(1, 3, 2)}),
        ("samples channels", 2, x, 3, {"output_ratio": R, "_random_samples": s(2, 2, 2)}),
        ("samples dtype", 2, x, 3, {"output_ratio": R, "_random_samples": s(2, 3, 2, dtype=np.float64)}),
        ("samples ndim", 2, x, 3, {"output_ratio": R, "_random_samples": s(6, 2)}),
        ("2-D input", 2, x[0, 0], 3, {"output_ratio": R}),
        ("5-D input", 2, x[None], 3, {"output_size": 2}),
        ("empty channel", 2, x[:, :0], 3, {"output_size": 2}),
        ("empty height", 2, x[:, :, :0], 2, {"output_size": 0}),
        ("3d pool time", 3, y, 2, {"output_size": (5, 5, 5)}),
        ("3d pool edge", 3, y, 2, {"output_size": (4, 4, 4)}),
        ("3d kernel len", 3, y, (2, 2), {"output_size": 3}),
        ("3d output len", 3, y, 2, {"output_size": (3, 3)}),
        ("3d ratio len", 3, y, 2, {"output_ratio": (0.5, 0.5)}),
        ("3d samples dim", 3, y, 2, {"output_size": 3, "_random_samples": s(2, 3, 2)}),
        ("3d 6-D input", 3, y[None], 2, {"output_size": 3}),
        ("3d 3-D input", 3, y[0, 0], 2, {"output_size": 3}),
        ("3d empty channel", 3, y[:, :0], 2, {"output_size": 3}),
    ]


@pytest.mark.parametrize("case", _err_cases(), ids=lambda c: c[0])
def test_errors_match_torch(case):
    _, nd, x, k, kw = case

    def call(L):
        kw2 = dict(kw)
        if "_random_samples" in kw2:
            kw2["_random_samples"] = L.tensor(kw2["_random_samples"])
        return _fn(L, nd)(L.tensor(x), k, **kw2)

    err = raises_like_torch(lambda: call(torch), lambda: call(minitorch))
    with pytest.raises(Exception) as te:
        call(torch)
    if not isinstance(err, (TypeError, IndexError)):
        assert str(err) == str(te.value).split("\n")[0]


@pytest.mark.parametrize("args", [
    dict(kernel_size=3), dict(kernel_size=3, output_ratio=1.0), dict(kernel_size=3, output_ratio=0.0),
    dict(kernel_size=3, output_size=2, output_ratio=0.5), dict(kernel_size=3, output_ratio=(0.5, 1.5)),
])
@pytest.mark.parametrize("cls", ["FractionalMaxPool2d", "FractionalMaxPool3d"])
def test_module_constructor_errors_match_torch(cls, args):
    err = raises_like_torch(lambda: getattr(torch.nn, cls)(**args), lambda: getattr(minitorch.nn, cls)(**args))
    with pytest.raises(ValueError) as te:
        getattr(torch.nn, cls)(**args)
    assert str(err) == str(te.value)


def test_3d_module_kernel_check_matches_torch():
    for k in (0, (2, 0, 2)):
        err = raises_like_torch(lambda k=k: torch.nn.FractionalMaxPool3d(k, output_size=2),
                                lambda k=k: minitorch.nn.FractionalMaxPool3d(k, output_size=2))
        assert "kernel_size must be greater than 0" in str(err)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("nd", [2, 3])
def test_cuda_forward_backward_no_host_sync(device, nd):
    row = ROWS[0] if nd == 2 else ROWS[5]
    _, _, _, k, o = row
    x, s = _pair(row, np.float32, seed=12, ties=True)
    xt = torch.tensor(x, requires_grad=True)
    out_t, idx_t = _fn(torch, nd)(xt, k, output_size=o, return_indices=True, _random_samples=torch.tensor(s))
    out_t.sum().backward()
    xm = minitorch.tensor(x, device=device, requires_grad=True)
    sm = minitorch.tensor(s, device=device)
    if device == "cuda":
        with no_host_sync():
            out_m, idx_m = _fn(minitorch, nd)(xm, k, output_size=o, return_indices=True, _random_samples=sm)
            out_m.sum().backward()
            _fn(minitorch, nd)(xm, k, output_size=o)  # samples drawn on the device
    else:
        out_m, idx_m = _fn(minitorch, nd)(xm, k, output_size=o, return_indices=True, _random_samples=sm)
        out_m.sum().backward()
    assert out_m.device.type == device and idx_m.device.type == device
    np.testing.assert_array_equal(out_m.detach().cpu().numpy(), out_t.detach().numpy())
    np.testing.assert_array_equal(idx_m.cpu().numpy(), idx_t.numpy())
    np.testing.assert_allclose(xm.grad.cpu().numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-6)
