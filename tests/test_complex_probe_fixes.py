"""Complex follow-ups from the probe round, each compared with torch: optimizers on complex parameters
(re/im as independent reals, torch's view_as_real), real norms of complex tensors with their gradients,
complex randn/rand, Module.to(complex), fft.hfft2/hfftn/ihfft2/ihfftn, the FNO index-assignment
pattern, and torch's refusals of ordering ops on complex data."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch as mt

RNG = np.random.default_rng(0)
W0 = RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))
R0 = RNG.standard_normal(4)
X0 = RNG.standard_normal((5, 3)) + 1j * RNG.standard_normal((5, 3))


def _train(lib, name, kw, dtype, steps=6):
    real = "float32" if dtype == "complex64" else "float64"
    w = lib.tensor(W0.astype(dtype), requires_grad=True)
    r = lib.tensor(R0.astype(real), requires_grad=True)
    x = lib.tensor(X0.astype(dtype))
    opt = getattr(lib.optim, name)([w, r], **kw)

    def closure():
        opt.zero_grad()
        y = x @ w
        loss = (y * y.conj()).real.sum() + (y.real * r).sin().sum() + (y.imag ** 3).sum() * 0.1
        loss.backward()
        return loss

    for _ in range(steps):
        if name == "LBFGS":
            opt.step(closure)
        else:
            closure()
            opt.step()
    return w.detach().numpy(), r.detach().numpy()


OPT_CASES = [
    ("Adam", {}), ("Adam", {"amsgrad": True, "weight_decay": 0.1}), ("Adam", {"maximize": True}),
    ("AdamW", {"amsgrad": True}), ("NAdam", {}), ("NAdam", {"decoupled_weight_decay": True, "weight_decay": 0.1}),
    ("Adamax", {}), ("Adadelta", {}), ("Adagrad", {"initial_accumulator_value": 0.1, "lr_decay": 0.01}),
    ("RMSprop", {}), ("RMSprop", {"centered": True, "momentum": 0.9}), ("Rprop", {}), ("RAdam", {}),
    ("SGD", {"momentum": 0.9, "nesterov": True}), ("ASGD", {"t0": 2}),
]


@pytest.mark.parametrize("name,kw", OPT_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(OPT_CASES)])
def test_optimizer_complex_params_match_torch(name, kw):
    a = _train(torch, name, kw, "complex64")
    b = _train(mt, name, kw, "complex64")
    for x, y in zip(a, b):
        np.testing.assert_allclose(y, x, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kw", [{}, {"line_search_fn": "strong_wolfe"}])
def test_lbfgs_complex_params_match_torch(kw):
    a = _train(torch, "LBFGS", kw, "complex128", steps=2)
    b = _train(mt, "LBFGS", kw, "complex128", steps=2)
    for x, y in zip(a, b):
        np.testing.assert_allclose(y, x, rtol=1e-9, atol=1e-9)


def test_optimizer_complex_state_keeps_complex_layout():
    w = mt.tensor(W0.astype("complex64"), requires_grad=True)
    opt = mt.optim.Adam([w], amsgrad=True)
    (w.abs() ** 2).sum().backward()
    opt.step()
    st = opt.state[w]
    assert st["exp_avg"].dtype == mt.complex64 and tuple(st["exp_avg_sq"].shape) == (3, 4)
    r = mt.optim.Rprop([w], lr=0.1)
    r.step()
    np.testing.assert_allclose(r.state[w]["step_size"].numpy(), np.full((3, 4), 0.1 + 0.1j), rtol=1e-6)


@pytest.mark.parametrize("name", ["Adafactor", "Muon"])
def test_optimizers_refusing_complex(name):
    w = mt.zeros(3, 3, dtype=mt.complex64, requires_grad=True)
    w.grad = mt.ones(3, 3, dtype=mt.complex64)
    with pytest.raises(RuntimeError, match="does not support complex parameters"):
        getattr(mt.optim, name)([w]).step()


# ---------------------------------------------------------------- norms ---------------------------
Z0 = RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))
Z0[0, 0] = 0
NORMS = {
    "linalg.norm": lambda L, z: L.linalg.norm(z),
    "vn2dim": lambda L, z: L.linalg.vector_norm(z, 2, dim=1),
    "vn1": lambda L, z: L.linalg.vector_norm(z, 1, dim=0),
    "vninf": lambda L, z: L.linalg.vector_norm(z, float("inf"), dim=1),
    "vn-inf": lambda L, z: L.linalg.vector_norm(z, float("-inf"), dim=1),
    "vn3": lambda L, z: L.linalg.vector_norm(z, 3),
    "vn0.5": lambda L, z: L.linalg.vector_norm(z, 0.5, dim=1, keepdim=True),
    "vn0": lambda L, z: L.linalg.vector_norm(z, 0),
    "mnfro": lambda L, z: L.linalg.matrix_norm(z),
    "mn1": lambda L, z: L.linalg.matrix_norm(z, 1),
    "tnorm": lambda L, z: z.norm(),
    "tnormdim": lambda L, z: L.norm(z, dim=1),
    "tnormp1": lambda L, z: L.norm(z, p=1, dim=0),
    "tnorminf": lambda L, z: L.norm(z, p=float("inf")),
    "tnorm3": lambda L, z: z.norm(3),
    "tnorm0.5": lambda L, z: z.norm(0.5),
    "tnorm0": lambda L, z: z.norm(0),
}


def _norm_run(lib, f, data):
    z = lib.tensor(data, requires_grad=True)
    out = f(lib, z)
    w = lib.tensor(np.arange(out.numel(), dtype=np.float64).reshape(tuple(out.shape)) + 1.0)
    (out * w).sum().backward()
    grad = z.grad.numpy() if z.grad is not None else np.zeros(data.shape, data.dtype)
    return out.detach().numpy(), grad, str(out.dtype), out.requires_grad


@pytest.mark.parametrize("data", [Z0, Z0.real.copy()], ids=["complex", "real"])
@pytest.mark.parametrize("key", list(NORMS))
def test_norms_of_complex_match_torch(key, data):
    a = _norm_run(torch, NORMS[key], data)
    b = _norm_run(mt, NORMS[key], data)
    assert a[2] == b[2] and a[3] == b[3]
    np.testing.assert_allclose(b[0], a[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b[1], a[1], rtol=1e-12, atol=1e-12)


def test_norm_probe_value_float32():
    for lib in (torch, mt):
        z = lib.complex(lib.tensor([[1.0, -1.0]]), lib.tensor([[0.5, 0.5]]))
        out = lib.linalg.norm(z)
        assert str(out.dtype) == "torch.float32"
        assert abs(float(out) - 1.5811388) < 1e-6


# ---------------------------------------------------------------- random ---------------------------
@pytest.mark.parametrize("dt", ["cfloat", "cdouble"])
def test_complex_randn_rand_normal(dt):
    dtype = getattr(mt, dt)
    mt.manual_seed(0)
    x = mt.randn(200000, dtype=dtype)
    assert x.dtype == dtype and x.is_contiguous()
    assert abs(float(x.real.var()) - 0.5) < 0.01 and abs(float(x.imag.var()) - 0.5) < 0.01
    u = mt.rand(100000, dtype=dtype)
    assert 0 <= float(u.real.min()) and float(u.imag.max()) < 1 and abs(float(u.imag.mean()) - 0.5) < 0.01
    n = mt.normal(0.0, 2.0, size=(100000,), dtype=dtype)
    assert abs(float(n.real.var()) - 2.0) < 0.05
    assert mt.randn_like(mt.zeros(2, dtype=dtype)).dtype == dtype
    assert mt.rand_like(mt.zeros(2, dtype=dtype)).dtype == dtype
    assert mt.normal(mt.zeros(2, dtype=dtype), 1.0).dtype == dtype
    with pytest.raises(RuntimeError, match="check_random_bounds"):
        mt.randint(0, 3, (2,), dtype=dtype)


def test_module_to_complex():
    for lib in (torch, mt):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            m = lib.nn.Linear(2, 2).to(lib.cfloat)
        assert any("Complex modules" in str(r.message) for r in rec)
        assert m.weight.dtype == lib.complex64 and m.bias.dtype == lib.complex64
        x = lib.tensor(np.array([[1 + 2j, 3 - 1j]], dtype=np.complex64))
        m(x).abs().sum().backward()
        assert m.weight.grad.dtype == lib.complex64
        with pytest.raises(TypeError, match="floating point or complex"):
            m.to(lib.int64)


# ---------------------------------------------------------------- hfft2 / hfftn -------------------
C3 = RNG.standard_normal((3, 4, 5)) + 1j * RNG.standard_normal((3, 4, 5))
R3 = RNG.standard_normal((3, 4, 6))
HFFT_KW = [{}, {"norm": "ortho"}, {"norm": "forward"}, {"s": (3, 7), "dim": (1, 2)}, {"s": (5, -1), "dim": (0, 2)},
           {"dim": (0, 1)}]


def _fft_run(lib, name, data, kw):
    x = lib.tensor(data, requires_grad=True)
    y = getattr(lib.fft, name)(x, **kw)
    w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)))
    (y * w).real.sum().backward() if y.is_complex() else (y * w).sum().backward()
    return y.detach().numpy(), x.grad.numpy(), str(y.dtype)


@pytest.mark.parametrize("kw", HFFT_KW)
@pytest.mark.parametrize("name,data", [("hfft2", C3), ("hfftn", C3), ("ihfft2", R3), ("ihfftn", R3),
                                       ("hfft2", R3), ("hfftn", C3.astype(np.complex64))])
def test_hfft2_hfftn_match_torch(name, data, kw):
    a = _fft_run(torch, name, data, kw)
    b = _fft_run(mt, name, data, kw)
    assert a[2] == b[2] and a[0].shape == b[0].shape
    tol = 1e-4 if data.dtype == np.complex64 else 1e-10
    np.testing.assert_allclose(b[0], a[0], rtol=tol, atol=tol)
    np.testing.assert_allclose(b[1], a[1], rtol=tol, atol=tol)


def test_ihfft2_hfft2_gradcheck_real_input():
    r = mt.tensor(R3[:2, :3, :4], requires_grad=True)
    assert mt.autograd.gradcheck(lambda t: mt.fft.hfft2(t), (r,))
    assert mt.autograd.gradcheck(lambda t: mt.fft.ihfft2(t), (r,))


def test_fno_index_assignment_backward():
    def run(lib):
        rng = np.random.default_rng(3)
        x = lib.tensor(rng.standard_normal((2, 3, 16)), requires_grad=True)
        w = lib.tensor(rng.standard_normal((3, 4, 5)) + 1j * rng.standard_normal((3, 4, 5)), requires_grad=True)
        xf = lib.fft.rfft(x)
        out = lib.zeros(2, 4, 9, dtype=lib.cdouble)
        out[:, :, :5] = lib.einsum("bix,iox->box", xf[:, :, :5], w)
        y = lib.fft.irfft(out, n=16)
        (y ** 2).sum().backward()
        return y.detach().numpy(), x.grad.numpy(), w.grad.numpy()

    for a, b in zip(run(torch), run(mt)):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------- refusals -------------------------
REFUSALS = {
    "F.relu": lambda L, z: L.nn.functional.relu(z),
    "nn.ReLU": lambda L, z: L.nn.ReLU()(z),
    "sort": lambda L, z: L.sort(z),
    "argsort": lambda L, z: L.argsort(z),
    "msort": lambda L, z: L.msort(z),
    "topk": lambda L, z: L.topk(z, 1),
    "lt": lambda L, z: z < z,
    "gt_scalar": lambda L, z: z > 1,
    "le": lambda L, z: z <= z,
    "ge": lambda L, z: L.ge(z, z),
    "lt_mixed": lambda L, z: z.to(L.cdouble) < z,
    "lt_pycomplex": lambda L, z: L.tensor([1.0]) < 1j,
    "max": lambda L, z: z.max(),
    "min": lambda L, z: L.min(z),
    "maxdim": lambda L, z: z.max(0),
    "mindim": lambda L, z: z.min(0),
    "amax": lambda L, z: z.amax(),
    "amin": lambda L, z: z.amin(),
    "argmax": lambda L, z: z.argmax(),
    "argmin": lambda L, z: z.argmin(0),
    "mse": lambda L, z: L.nn.functional.mse_loss(z, z),
    "mse_real_input": lambda L, z: L.nn.functional.mse_loss(z.real, z),
    "median": lambda L, z: z.median(),
    "median_dim": lambda L, z: z.median(0),
    "nanmedian": lambda L, z: z.nanmedian(),
    "kthvalue": lambda L, z: z.kthvalue(1),
    "mode": lambda L, z: z.mode(),
    "unique": lambda L, z: L.unique(z),
    "unique_consecutive": lambda L, z: L.unique_consecutive(z),
    "searchsorted": lambda L, z: L.searchsorted(z, z),
}


@pytest.mark.parametrize("key", list(REFUSALS))
def test_complex_refusals_match_torch(key):
    def err(lib):
        z = lib.complex(lib.tensor([1.0, -2.0]), lib.tensor([3.0, 0.5]))
        with pytest.raises(Exception) as info:
            REFUSALS[key](lib, z)
        return type(info.value), str(info.value)

    assert err(mt) == err(torch)


def test_real_ordering_unchanged():
    a = mt.tensor([1.0, -2.0, 3.0])
    assert (a < 0).tolist() == [False, True, False] and (a >= a).all()
    assert float(a.max()) == 3.0 and a.sort().values.tolist() == [-2.0, 1.0, 3.0]
    assert (mt.nn.functional.relu(a)).tolist() == [1.0, 0.0, 3.0]
    assert float(mt.nn.functional.mse_loss(a, a * 0)) == pytest.approx(14 / 3)


@pytest.mark.skipif(not mt.cuda.is_available(), reason="needs CUDA (or MINITORCH_FAKE_GPU=1)")
def test_complex_paths_cuda():
    x = mt.randn(3, dtype=mt.cfloat, device="cuda")
    assert x.device.type == "cuda" and x.dtype == mt.complex64
    assert mt.rand(2, 2, dtype=mt.cdouble, device="cuda").dtype == mt.complex128
    for name in ("Adam", "RMSprop", "Rprop", "Adagrad", "LBFGS"):
        w = mt.tensor(W0.astype(np.complex64), device="cuda", requires_grad=True)
        wc = torch.tensor(W0.astype(np.complex64), requires_grad=True)
        outs = []
        for t, lib in ((w, mt), (wc, torch)):
            opt = getattr(lib.optim, name)([t], lr=0.05)

            def closure(t=t, opt=opt):
                opt.zero_grad()
                loss = (t * t).real.sum() * 0.5 + (t.abs() ** 2).sum() + t.imag.sin().sum()
                loss.backward()
                return loss

            for _ in range(3):
                opt.step(closure)
            outs.append(t.detach().cpu().numpy())
        np.testing.assert_allclose(outs[0], outs[1], rtol=1e-4, atol=1e-5, err_msg=name)
    z = mt.tensor(Z0, device="cuda", requires_grad=True)
    n = mt.linalg.norm(z)
    n.backward()
    zt = torch.tensor(Z0, requires_grad=True)
    torch.linalg.norm(zt).backward()
    assert n.dtype == mt.float64
    np.testing.assert_allclose(z.grad.cpu().numpy(), zt.grad.numpy(), rtol=1e-12)
    c = mt.tensor(C3, device="cuda", requires_grad=True)
    mt.fft.hfft2(c).sum().backward()
    ct = torch.tensor(C3, requires_grad=True)
    torch.fft.hfft2(ct).sum().backward()
    np.testing.assert_allclose(c.grad.cpu().numpy(), ct.grad.numpy(), rtol=1e-10, atol=1e-10)
    with pytest.raises(NotImplementedError, match='"lt_cuda" not implemented'):
        mt.lt(z, z)
    with pytest.raises(RuntimeError, match="Sort does not support complex dtypes on CUDA"):
        z.sort()
