"""max_pool2d on channels-last inputs (what conv2d outputs) and NCHW inputs, against torch."""
import itertools

import numpy as np
import pytest

import minitorch
import minitorch.nn.functional as F
from tests.helpers import require_torch

torch = require_torch()
TF = torch.nn.functional

CONFIGS = [  # kernel, stride, padding, dilation, ceil_mode, (H, W)
    (2, 2, 0, 1, False, (8, 8)), (2, 2, 0, 1, False, (7, 9)), (2, 2, 0, 1, True, (7, 9)),
    (3, 2, 1, 1, False, (7, 8)), (3, 1, 1, 1, False, (5, 5)), (2, 1, 0, 2, False, (6, 6)),
    ((1, 3), (1, 2), 0, 1, True, (4, 9)), (1, 1, 0, 1, False, (3, 3)),
]


def _input(kind, shape, rng):
    n, c, h, w = shape
    if kind == "ties":
        a = np.round(rng.standard_normal(shape)).astype(np.float32)
    else:
        a = rng.standard_normal(shape).astype(np.float32)
        if kind == "nan":
            a[0, 1, 1, 1] = np.nan
            a[1, 0, 0, 0] = np.nan
            a[1, 0, 0, 1] = np.nan
    return a


@pytest.mark.parametrize("cfg,kind,layout", list(itertools.product(CONFIGS, ["plain", "ties", "nan"],
                                                                      ["nchw", "nhwc"])))
def test_max_pool2d_layouts_match_torch(cfg, kind, layout):
    k, s, p, d, ceil, (h, w) = cfg
    rng = np.random.default_rng(0)
    a = _input(kind, (2, 3, h, w), rng)
    if layout == "nhwc":
        mem = np.ascontiguousarray(a.transpose(0, 2, 3, 1))
        xm = minitorch.tensor(mem).permute(0, 3, 1, 2)
        assert not xm.array.flags.c_contiguous
    else:
        xm = minitorch.tensor(a)
    xm.requires_grad_(True)
    xt = torch.tensor(a, requires_grad=True)
    kw = dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil, return_indices=True)
    ym, im = F.max_pool2d(xm, **kw)
    yt, it = TF.max_pool2d(xt, **kw)
    np.testing.assert_array_equal(ym.detach().numpy(), yt.detach().numpy())
    np.testing.assert_array_equal(im.numpy(), it.numpy())
    g = rng.standard_normal(yt.shape).astype(np.float32)
    ym.backward(minitorch.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_max_pool2d_grad_keeps_input_layout_and_double_backward():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 4, 6, 6)).astype(np.float32)
    x = minitorch.tensor(np.ascontiguousarray(a.transpose(0, 2, 3, 1))).permute(0, 3, 1, 2).requires_grad_(True)
    y = F.max_pool2d(x, 2)
    (gx,) = minitorch.autograd.grad(y.pow(2).sum(), x, create_graph=True)
    assert gx.array.transpose(0, 2, 3, 1).flags.c_contiguous
    (ggx,) = minitorch.autograd.grad(gx.sum(), x)
    xt = torch.tensor(a, requires_grad=True)
    (gt,) = torch.autograd.grad(TF.max_pool2d(xt, 2).pow(2).sum(), xt, create_graph=True)
    (ggt,) = torch.autograd.grad(gt.sum(), xt)
    np.testing.assert_allclose(gx.detach().numpy(), gt.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(ggx.numpy(), ggt.numpy(), rtol=1e-6)
