"""conv2d through the chunked CPU path (columns gathered a few images at a time) against torch."""
import numpy as np
import pytest

import minitorch
import minitorch.nn.functional as F
from minitorch.nn.kernels import im2col as IM
from tests.helpers import require_torch

torch = require_torch()
TF = torch.nn.functional


@pytest.fixture(params=[1, 13000])
def small_chunks(request, monkeypatch):
    """1 byte: one image per chunk; 13000 bytes: a few images per chunk, the last one partial."""
    monkeypatch.setattr(IM, "CHUNK_BYTES", request.param)


@pytest.mark.parametrize("kw", [dict(padding=1), dict(stride=2, padding=1), dict(dilation=2, padding=2),
                                dict(padding=0), dict(stride=(1, 2), padding=(0, 1)), dict(groups=2, padding=1)])
@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
def test_conv2d_chunked_matches_torch(small_chunks, kw, layout):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 4, 7, 6)).astype(np.float32)
    w = rng.standard_normal((6, 4 // kw.get("groups", 1), 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    if layout == "nhwc":
        xm = minitorch.tensor(np.ascontiguousarray(x.transpose(0, 2, 3, 1))).permute(0, 3, 1, 2)
    else:
        xm = minitorch.tensor(x)
    xm.requires_grad_(True)
    wm, bm = minitorch.tensor(w, requires_grad=True), minitorch.tensor(b, requires_grad=True)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ym, yt = F.conv2d(xm, wm, bm, **kw), TF.conv2d(xt, wt, bt, **kw)
    np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    g = rng.standard_normal(yt.shape).astype(np.float32)
    ym.backward(minitorch.tensor(g))
    yt.backward(torch.tensor(g))
    for a, c in ((xm, xt), (wm, wt), (bm, bt)):
        np.testing.assert_allclose(a.grad.numpy(), c.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_conv2d_chunked_double_backward(small_chunks):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 2, 5, 5))
    w = rng.standard_normal((3, 2, 3, 3))
    xm, wm = minitorch.tensor(x, requires_grad=True), minitorch.tensor(w, requires_grad=True)
    assert minitorch.autograd.gradcheck(lambda a, b: F.conv2d(a, b, padding=1), (xm, wm))
    assert minitorch.autograd.gradgradcheck(lambda a, b: F.conv2d(a, b, padding=1), (xm, wm))
