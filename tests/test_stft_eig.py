"""stft / istft and linalg.eig / eigvals against torch: values, dtypes, shapes, errors and gradients
(float64/complex128, including the gradient of the window)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitorch as m
from minitorch.backend.checks import discard_pending

from .helpers import devices, no_host_sync, require_torch

torch = require_torch()
RNG = np.random.default_rng(7)


def _np(t):
    t = t.detach()
    return t.cpu().numpy() if isinstance(t, m.Tensor) else t.resolve_conj().numpy()


def _real_loss(lib, y, w):
    w = lib.tensor(w)
    if y.is_complex():
        return ((y.abs() ** 2 + y.real) * w).sum()
    return (y * w).sum()


def _window(wl, kind):
    if kind is None:
        return None
    w = np.hanning(wl + 2)[1:-1]
    return w + 0.3j * RNG.standard_normal(wl) if kind == "complex" else w


def _compare(name, a, wa, device="cpu", **kw):
    """``name`` (stft / istft) with keywords ``kw``: output and the gradients of the signal and window."""
    t = torch.tensor(a, requires_grad=True)
    x = m.tensor(a, device=device, requires_grad=True)
    tw = None if wa is None else torch.tensor(wa, requires_grad=True)
    mw = None if wa is None else m.tensor(wa, device=device, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yt = getattr(torch, name)(t, window=tw, **kw)
        ym = getattr(m, name)(x, window=mw, **kw)
    assert str(ym.dtype) == str(yt.dtype) and tuple(ym.shape) == tuple(yt.shape)
    np.testing.assert_allclose(_np(ym), _np(yt), atol=1e-9)
    w = RNG.standard_normal(tuple(yt.shape))
    ins_t = [t] + ([tw] if tw is not None else [])
    ins_m = [x] + ([mw] if mw is not None else [])
    gt = torch.autograd.grad(_real_loss(torch, yt, w), ins_t)
    gm = m.autograd.grad(_real_loss(m, ym, w if device == "cpu" else m.tensor(w, device=device)), ins_m)
    for a_, b_, inp in zip(gt, gm, ins_m):
        assert b_.dtype == inp.dtype
        np.testing.assert_allclose(_np(b_), _np(a_), atol=1e-8)


# ---------------------------------------------------------------- stft -------------------------------------
@pytest.mark.parametrize("kw,shape,cplx,win", [
    (dict(n_fft=8, return_complex=True), (2, 30), False, "hann"),
    (dict(n_fft=8, hop_length=3, return_complex=True, normalized=True), (31,), False, "hann"),
    (dict(n_fft=8, win_length=5, hop_length=2, return_complex=True, center=False), (2, 30), False, "hann"),
    (dict(n_fft=8, win_length=5, hop_length=2, return_complex=True, center=False, align_to_window=True), (2, 30),
     False, "hann"),
    (dict(n_fft=8, return_complex=True, onesided=False, pad_mode="constant"), (2, 30), False, "hann"),
    (dict(n_fft=8, return_complex=False), (2, 30), False, "hann"),
    (dict(n_fft=8, win_length=6), (2, 30), True, "hann"),
    (dict(n_fft=8, return_complex=True), (2, 30), False, "complex"),
    (dict(n_fft=7, return_complex=True, pad_mode="replicate"), (2, 30), False, None),
    (dict(n_fft=7, return_complex=True, pad_mode="circular", hop_length=1), (25,), False, "hann"),
    (dict(n_fft=16, hop_length=5, return_complex=True), (40,), False, "hann"),  # hop does not divide n_fft
])
def test_stft(kw, shape, cplx, win):
    a = RNG.standard_normal(shape) + (1j * RNG.standard_normal(shape) if cplx else 0)
    _compare("stft", a, _window(kw.get("win_length") or kw["n_fft"], win), **kw)


def test_stft_method_float32_and_warnings():
    a = RNG.standard_normal(20).astype(np.float32)
    w = np.hanning(8).astype(np.float32)
    ym = m.tensor(a).stft(8, window=m.tensor(w), return_complex=True)
    yt = torch.tensor(a).stft(8, window=torch.tensor(w), return_complex=True)
    assert ym.dtype is m.complex64
    np.testing.assert_allclose(ym.numpy(), yt.numpy(), atol=1e-5)
    assert m.stft(m.tensor(a), 8, window=m.tensor(w, dtype=m.float64), return_complex=True).dtype is m.complex128
    with pytest.warns(UserWarning, match="A window was not provided"):
        m.stft(m.tensor(a), 8, return_complex=True)
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        m.stft(m.tensor(a), 8, window=m.tensor(w), return_complex=False)


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.stft(x, 8, window=lib.ones(8, dtype=lib.float64)),
    lambda lib, x: lib.stft(x, 40, window=lib.ones(40, dtype=lib.float64), return_complex=True),
    lambda lib, x: lib.stft(x, 40, window=lib.ones(40, dtype=lib.float64), center=False, return_complex=True),
    lambda lib, x: lib.stft(x, 8, hop_length=0, return_complex=True),
    lambda lib, x: lib.stft(x, 8, win_length=9, return_complex=True),
    lambda lib, x: lib.stft(x, 8, window=lib.ones(7, dtype=lib.float64), return_complex=True),
    lambda lib, x: lib.stft(x.to(lib.complex128), 8, window=lib.ones(8, dtype=lib.float64), onesided=True),
    lambda lib, x: lib.stft(x[None, None], 8, window=lib.ones(8, dtype=lib.float64), return_complex=True),
    lambda lib, x: lib.stft(x, 8, return_complex=True, pad_mode="foo"),
    lambda lib, x: lib.stft(x.to(lib.int32), 8, return_complex=True),
    lambda lib, x: lib.stft(x, 8, return_complex=True, align_to_window=True),
])
def test_stft_errors(call):
    a = RNG.standard_normal(20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as et:
            call(torch, torch.tensor(a))
        with pytest.raises(type(et.value)) as em:
            call(m, m.tensor(a))
    tail = str(et.value).split(") : ")[-1].split(" (Triggered")[0].split("\n")[0]
    if "Padding size" not in tail:
        assert tail in str(em.value), (str(em.value), str(et.value))


# ---------------------------------------------------------------- istft ------------------------------------
@pytest.mark.parametrize("kw,shape,win", [
    (dict(n_fft=8), (5, 11), "hann"),
    (dict(n_fft=8, hop_length=3, normalized=True), (5, 11), "hann"),
    (dict(n_fft=8, length=30), (5, 11), "hann"),
    (dict(n_fft=8, length=15), (5, 11), "hann"),
    (dict(n_fft=8, win_length=6, hop_length=3), (2, 5, 11), "hann"),
    (dict(n_fft=8, center=False), (5, 11), None),
    (dict(n_fft=8, onesided=False), (8, 7), "hann"),
    (dict(n_fft=8, return_complex=True), (8, 7), "complex"),
    (dict(n_fft=9), (5, 7), "hann"),
    (dict(n_fft=16, hop_length=5), (9, 6), "hann"),
])
def test_istft(kw, shape, win):
    a = RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)
    _compare("istft", a, _window(kw.get("win_length") or kw["n_fft"], win), **kw)


def test_round_trip():
    a = RNG.standard_normal((2, 64))
    w = m.hann_window(16, dtype=m.float64)
    s = m.stft(m.tensor(a), 16, hop_length=4, window=w, return_complex=True)
    np.testing.assert_allclose(m.istft(s, 16, hop_length=4, window=w, length=64).numpy(), a, atol=1e-12)
    np.testing.assert_allclose(s.istft(16, hop_length=4, window=w, length=64).numpy(), a, atol=1e-12)
    with pytest.warns(UserWarning, match="shorter than the length parameter"):
        m.istft(s, 16, hop_length=4, window=w, length=80)


@pytest.mark.parametrize("call", [
    lambda lib, s: lib.istft(s, 8, window=lib.hann_window(8, dtype=lib.float64), center=False),  # NOLA
    lambda lib, s: lib.istft(s.real, 8),
    lambda lib, s: lib.istft(s, 8, hop_length=9),
    lambda lib, s: lib.istft(s, 8, win_length=9),
    lambda lib, s: lib.istft(s, 8, window=lib.ones(7, dtype=lib.float64)),
    lambda lib, s: lib.istft(s, 8, window=lib.hann_window(8, dtype=lib.float64), return_complex=True),
    lambda lib, s: lib.istft(s, 8, onesided=False),
    lambda lib, s: lib.istft(s[0], 8),
    lambda lib, s: lib.istft(s[:0], 8),
    lambda lib, s: lib.istft(s, 8, window=lib.ones(8, dtype=lib.complex128)),
])
def test_istft_errors(call):
    a = RNG.standard_normal((5, 11)) + 1j * RNG.standard_normal((5, 11))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as et:
            call(torch, torch.tensor(a))
        with pytest.raises(type(et.value)) as em:
            call(m, m.tensor(a))
    tail = str(et.value).split(") ")[-1].split("\n")[0].lstrip(": ")
    assert tail in str(em.value), (str(em.value), str(et.value))


@pytest.mark.parametrize("device", devices())
def test_stft_istft_device(device):
    a = RNG.standard_normal((2, 40))
    wa = np.hanning(8)
    _compare("stft", a, wa, device, n_fft=8, hop_length=3, return_complex=True)
    s = RNG.standard_normal((5, 11)) + 1j * RNG.standard_normal((5, 11))
    _compare("istft", s, wa, device, n_fft=8)
    if device == "cuda":
        x = m.tensor(a, device="cuda", requires_grad=True)
        w = m.tensor(wa, device="cuda")
        with no_host_sync():
            y = m.istft(m.stft(x, 8, hop_length=2, window=w, return_complex=True), 8, hop_length=2, window=w)
            y.sum().backward()


# ---------------------------------------------------------------- linalg.eig --------------------------------
W4 = RNG.standard_normal((4, 4))
LOSSES = {
    "abs_L": lambda L, V, lib: L.abs().sum() + (L.real * 2).sum(),
    "abs2_V": lambda L, V, lib: ((V.abs() ** 2) * lib.tensor(W4)).sum(),
    "both": lambda L, V, lib: (L.abs() ** 2).sum() + ((V.abs() ** 2) * lib.tensor(W4)).sum() + L.imag.sum(),
    "reconstruct": lambda L, V, lib: ((V @ lib.diag_embed(L.exp()) @ lib.linalg.inv(V)).real * lib.tensor(W4)).sum(),
}


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("cplx", [False, True])
def test_eig(loss, cplx):
    a = RNG.standard_normal((3, 4, 4)) + (1j * RNG.standard_normal((3, 4, 4)) if cplx else 0)
    t = torch.tensor(a, requires_grad=True)
    x = m.tensor(a, requires_grad=True)
    lt, vt = torch.linalg.eig(t)
    lm, vm = m.linalg.eig(x)
    assert str(lm.dtype) == str(lt.dtype) and str(vm.dtype) == str(vt.dtype)
    np.testing.assert_allclose(_np(lm), _np(lt), atol=1e-10)
    vm_, vt_ = _np(vm), _np(vt)  # equal up to a phase per eigenvector (LAPACK builds differ in the sign)
    phase = (vt_.conj() * vm_).sum(-2, keepdims=True)
    np.testing.assert_allclose(np.abs(phase), 1, atol=1e-10)
    np.testing.assert_allclose(vm_, vt_ * phase, atol=1e-10)
    (gt,) = torch.autograd.grad(LOSSES[loss](lt, vt, torch), t)
    (gm,) = m.autograd.grad(LOSSES[loss](lm, vm, m), x)
    assert gm.dtype == x.dtype
    np.testing.assert_allclose(_np(gm), _np(gt), atol=1e-8)


def test_eig_gauge_dependent_loss_refuses_as_torch():
    a = RNG.standard_normal((4, 4)) + 1j * RNG.standard_normal((4, 4))
    with pytest.raises(RuntimeError, match=r"specified up to multiplication by e\^\{i phi\}") as et:
        torch.linalg.eig(torch.tensor(a, requires_grad=True))[1].real.sum().backward()
    with pytest.raises(RuntimeError) as em:
        m.linalg.eig(m.tensor(a, requires_grad=True))[1].real.sum().backward()
    assert str(em.value) == str(et.value).split(" (Triggered")[0]


def test_eigvals_and_eig_finite_differences():
    a = RNG.standard_normal((2, 3, 3))
    t = torch.tensor(a, requires_grad=True)
    x = m.tensor(a, requires_grad=True)
    (gt,) = torch.autograd.grad(torch.linalg.eigvals(t).abs().sum(), t)
    (gm,) = m.autograd.grad(m.linalg.eigvals(x).abs().sum(), x)
    np.testing.assert_allclose(gm.numpy(), gt.numpy(), atol=1e-8)
    assert m.linalg.eigvals(m.ones(2, 2)).dtype is m.complex64
    assert m.autograd.gradcheck(lambda A: m.linalg.eigvals(A).abs(), (m.tensor(a, requires_grad=True),))
    c = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))

    def f(arr):
        L, V = m.linalg.eig(m.tensor(arr))
        return float((L.abs() ** 3).sum() + ((V.abs() ** 2) * m.tensor(W4[:3, :3])).sum())

    z = m.tensor(c, requires_grad=True)
    L, V = m.linalg.eig(z)
    ((L.abs() ** 3).sum() + ((V.abs() ** 2) * m.tensor(W4[:3, :3])).sum()).backward()
    eps, fd = 1e-6, np.zeros_like(c)
    for idx in np.ndindex(c.shape):
        for unit in (1, 1j):
            e = np.zeros_like(c)
            e[idx] = unit * eps
            fd[idx] += unit * (f(c + e) - f(c - e)) / (2 * eps)
    np.testing.assert_allclose(z.grad.numpy(), fd, atol=1e-5)


@pytest.mark.parametrize("bad", [np.ones((2, 3)), np.ones(3), np.array([[np.nan, 1.0], [1.0, 1.0]])])
def test_eig_errors(bad):
    with pytest.raises(RuntimeError) as et:
        torch.linalg.eig(torch.tensor(bad))
    with pytest.raises(RuntimeError) as em:
        m.linalg.eig(m.tensor(bad))
    discard_pending()
    assert str(em.value) == str(et.value)


def test_eig_return_type():
    r = m.linalg.eig(m.eye(2))
    assert type(r).__name__ == "linalg_eig" and r.eigenvalues is r[0] and r.eigenvectors is r[1]
    assert repr(r).startswith("torch.return_types.linalg_eig(")
    assert m.return_types.linalg_eig is type(r)
    import minitorch.return_types as rt

    assert hasattr(rt, "linalg_eig")


@pytest.mark.parametrize("device", devices())
def test_eig_device(device):
    """CUDA: factorised on the host (one copy each way, as torch's MAGMA geev), results on the device."""
    a = RNG.standard_normal((4, 4))
    x = m.tensor(a, device=device, requires_grad=True)
    L, V = m.linalg.eig(x)
    assert L.device.type == device and V.device.type == device
    (L.abs().sum() + (V.abs() ** 2 * m.tensor(W4, device=device)).sum()).backward()
    t = torch.tensor(a, requires_grad=True)
    lt, vt = torch.linalg.eig(t)
    (lt.abs().sum() + (vt.abs() ** 2 * torch.tensor(W4)).sum()).backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), t.grad.numpy(), atol=1e-8)


@pytest.mark.parametrize("cplx", [False, True])
def test_eig_double_backward(cplx):
    a = RNG.standard_normal((3, 3)) + (1j * RNG.standard_normal((3, 3)) if cplx else 0)

    def second(lib):
        z = lib.tensor(a, requires_grad=True)
        L, V = lib.linalg.eig(z)
        y = (L.abs() ** 2).sum() + (V.abs() ** 2 * lib.tensor(W4[:3, :3])).sum()
        (g,) = lib.autograd.grad(y, z, create_graph=True)
        (gg,) = lib.autograd.grad((g.abs() ** 2).sum(), z)
        return gg
    np.testing.assert_allclose(_np(second(m)), _np(second(torch)), atol=1e-8)


def test_stft_istft_gradcheck_gradgradcheck():
    x = m.tensor(RNG.standard_normal(20), requires_grad=True)
    w = m.tensor(np.hanning(8), requires_grad=True)
    s = m.tensor(RNG.standard_normal((5, 7, 2)), requires_grad=True)  # (real, imag) pairs: gradcheck is real

    def f(x, w):
        return m.view_as_real(m.stft(x, 8, hop_length=3, window=w, return_complex=True))

    def g(s, w):
        return m.istft(m.view_as_complex(s), 8, hop_length=2, window=w)
    assert m.autograd.gradcheck(f, (x, w)) and m.autograd.gradgradcheck(f, (x, w))
    assert m.autograd.gradcheck(g, (s, w)) and m.autograd.gradgradcheck(g, (s, w))
