"""minitorch.fft against torch.fft: values, dtypes, n/s/dim/norm handling and gradients (complex128/float64)."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch as m

from .helpers import devices, no_host_sync, require_torch

torch = require_torch()
RNG = np.random.default_rng(1)
Z = RNG.standard_normal((4, 6)) + 1j * RNG.standard_normal((4, 6))
X = RNG.standard_normal((4, 6))
NORMS = [None, "backward", "ortho", "forward"]


def _np(t):
    t = t.detach()
    return t.cpu().numpy() if isinstance(t, m.Tensor) else t.resolve_conj().numpy()


def check(name, a, device="cpu", **kw):
    """fft function ``name`` with keywords ``kw``: values, dtype and the gradient of a real loss equal torch's."""
    ft, fm = getattr(torch.fft, name), getattr(m.fft, name)
    t = torch.tensor(a, requires_grad=True)
    x = m.tensor(a, device=device, requires_grad=True)
    yt, ym = ft(t, **kw), fm(x, **kw)
    assert str(ym.dtype) == str(yt.dtype) and tuple(ym.shape) == tuple(yt.shape)
    np.testing.assert_allclose(_np(ym), _np(yt), atol=1e-9)
    w = RNG.standard_normal(tuple(yt.shape))
    lt = ((yt.abs() ** 2 + yt.real) * torch.tensor(w)).sum() if yt.is_complex() else (yt * torch.tensor(w)).sum()
    wm = m.tensor(w, device=device)
    lm = ((ym.abs() ** 2 + ym.real) * wm).sum() if ym.is_complex() else (ym * wm).sum()
    (gt,) = torch.autograd.grad(lt, t)
    (gm,) = m.autograd.grad(lm, x)
    assert gm.dtype == x.dtype
    np.testing.assert_allclose(_np(gm), _np(gt), atol=1e-8)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n", [None, 4, 9])
@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"])
def test_1d(name, n, norm):
    a = X if name in ("rfft", "ihfft") else Z
    check(name, a, n=n, norm=norm)
    check(name, a, n=n, dim=0, norm=norm)


@pytest.mark.parametrize("n", [None, 5, 8])
def test_irfft_odd_even_lengths_doubled_bins(n):
    """irfft's gradient doubles the bins that stand for a conjugate pair (odd and even output lengths)."""
    check("irfft", Z[:, :5], n=n)
    check("hfft", Z[:, :5], n=n)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("s", [None, (3, 5), (5, 8)])
@pytest.mark.parametrize("name", ["fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn", "irfftn"])
def test_nd(name, s, norm):
    a = X if name.startswith("rfft") else Z
    check(name, a, s=s, norm=norm)


@pytest.mark.parametrize("name", ["fftn", "ifftn", "rfftn", "irfftn"])
def test_nd_dims(name):
    a = (X if name.startswith("rfft") else Z).reshape(2, 3, 4)
    check(name, a, dim=(0, 2))
    check(name, a, dim=(-1,))
    check(name, a, s=(3, -1))
    check(name, a, s=(4,), dim=(1,))


def test_real_input_to_c2c_and_dtypes():
    check("fft", X)
    check("fft2", X, s=(3, 7))
    for name in ("fft", "rfft", "ihfft"):
        assert str(getattr(m.fft, name)(m.ones(4)).dtype) == str(getattr(torch.fft, name)(torch.ones(4)).dtype)
        assert getattr(m.fft, name)(m.arange(4)).dtype is m.complex64
    assert m.fft.irfft(m.ones(3, dtype=m.complex64)).dtype is m.float32
    assert m.fft.fft(m.ones(4, dtype=m.float64)).dtype is m.complex128


def test_errors():
    with pytest.raises(ValueError, match="Invalid normalization mode"):
        m.fft.fft(m.ones(4), norm="bogus")
    with pytest.raises(RuntimeError, match="Invalid number of data points"):
        m.fft.fft(m.ones(4), n=0)
    with pytest.raises(RuntimeError, match="same length"):
        m.fft.fftn(m.ones(4, 4), s=(2, 2), dim=(0,))
    with pytest.raises(IndexError):
        m.fft.fft(m.ones(4), dim=2)
    with pytest.raises(RuntimeError, match="real input"):
        m.fft.rfft(m.ones(4, dtype=m.complex64))


@pytest.mark.parametrize("n,d", [(5, 1.0), (6, 0.5), (1, 2.0)])
def test_freqs(n, d):
    for name in ("fftfreq", "rfftfreq"):
        a, b = getattr(m.fft, name)(n, d), getattr(torch.fft, name)(n, d)
        assert str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    assert m.fft.fftfreq(4, dtype=m.float64).dtype is m.float64


@pytest.mark.parametrize("dim", [None, 0, (1,), (0, 1), -1])
def test_shifts(dim):
    a = Z[:3, :5]
    check("fftshift", a, dim=dim)
    check("ifftshift", a, dim=dim)


def test_round_trips():
    x = m.tensor(X)
    np.testing.assert_allclose(m.fft.irfft(m.fft.rfft(x), n=6).numpy(), X, atol=1e-12)
    np.testing.assert_allclose(m.fft.ifftn(m.fft.fftn(m.tensor(Z))).numpy(), Z, atol=1e-12)


def test_double_backward():
    def second(lib, a):
        z = lib.tensor(a, requires_grad=True)
        y = lib.fft.rfft(z * z).abs().sum()
        (g,) = lib.autograd.grad(y, z, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), z)
        return gg
    np.testing.assert_allclose(second(m, X).numpy(), second(torch, X).numpy(), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("device", devices())
def test_cuda_fft(device):
    for name, a, kw in [("fft", Z, {"n": 9}), ("rfft2", X, {"norm": "ortho"}), ("irfft", Z, {"n": 7}),
                        ("ifftn", Z, {"s": (3, 5)}), ("hfft", Z, {}), ("fftshift", Z, {})]:
        check(name, a, device, **kw)
    if device == "cuda":
        x = m.tensor(X, device="cuda", requires_grad=True)
        with no_host_sync():
            m.fft.irfft(m.fft.rfft(x, norm="forward") * 2, n=6).sum().backward()
