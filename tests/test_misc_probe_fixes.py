"""Regression tests for the probe-round fixes: Gamma/Chi2/InverseGamma cdf, torch's remaining KL pairs,
``minitorch.version``, no-GPU ``cuda()``/``pin_memory``/``cuda.set_device``, silent backward at 0,
``kaiser_window``'s signature, ``Size`` arithmetic, NumPy ufuncs on tensors and ``Module.to('meta')``.
Each compares with torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch as mt

# ---------------------------------------------------------------- Gamma family cdf -------------------------
_CDF_CASES = [
    ("Gamma", ([0.5, 2.0, 3.5], [1.0, 0.5, 2.0])),
    ("Chi2", ([0.5, 2.0, 3.5],)),
    ("InverseGamma", ([0.5, 2.0, 3.5], [1.0, 0.5, 2.0])),
]


@pytest.mark.parametrize("name,params", _CDF_CASES, ids=[c[0] for c in _CDF_CASES])
def test_gamma_family_cdf_matches_torch(name, params):
    value = [0.3, 1.0, 4.0]
    out = {}
    for lib in (mt, torch):
        ps = [lib.tensor(p, dtype=lib.float64) for p in params]
        if name != "Chi2":
            ps[-1].requires_grad_()  # torch has no gradient for gammainc's first argument
        v = lib.tensor(value, dtype=lib.float64, requires_grad=True)
        c = getattr(lib.distributions, name)(*ps).cdf(v)
        wrt = [v] + (ps[-1:] if name != "Chi2" else [])
        grads = lib.autograd.grad(c.sum(), wrt)
        out[lib.__name__] = (c.detach().numpy(), [g.numpy() for g in grads])
    np.testing.assert_allclose(out["minitorch"][0], out["torch"][0], rtol=1e-10)
    for g, tg in zip(out["minitorch"][1], out["torch"][1]):
        np.testing.assert_allclose(g, tg, rtol=1e-8)


def test_gamma_cdf_concentration_grad_not_implemented_like_torch():
    a = mt.tensor([2.0], dtype=mt.float64, requires_grad=True)
    c = mt.distributions.Gamma(a, 1.0).cdf(mt.tensor([1.0], dtype=mt.float64))
    with pytest.raises(NotImplementedError):
        c.sum().backward()


# ---------------------------------------------------------------- KL pairs ---------------------------------
_PARAMS = {
    "Bernoulli": {"probs": [0.2, 0.7, 0.5]},
    "Poisson": {"rate": [0.5, 2.0, 3.0]},
    "Geometric": {"probs": [0.3, 0.6, 0.9]},
    "Beta": {"concentration1": [1.5, 2.0, 0.7], "concentration0": [2.0, 0.5, 3.0]},
    "Exponential": {"rate": [0.5, 1.0, 2.0]},
    "Gamma": {"concentration": [0.5, 2.0, 3.5], "rate": [1.0, 0.5, 2.0]},
    "Gumbel": {"loc": [0.0, 1.0, -1.0], "scale": [1.0, 2.0, 0.5]},
    "Laplace": {"loc": [0.0, 1.0, -1.0], "scale": [1.0, 2.0, 0.5]},
    "Normal": {"loc": [0.0, 1.0, -1.0], "scale": [1.0, 2.0, 0.5]},
    # alpha 0.8 / 1.5 / 3: infinite mean, infinite variance, finite (the inf cases of the Pareto pairs)
    "Pareto": {"scale": [1.0, 2.0, 0.5], "alpha": [0.8, 1.5, 3.0]},
    # low < 0 (inf vs Exponential) and low < Pareto scale (inf vs Pareto) in the first entries
    "Uniform": {"low": [-0.5, 0.2, 1.0], "high": [1.0, 0.8, 3.0]},
}

_NEW_PAIRS = [
    ("Bernoulli", "Poisson"), ("Beta", "Pareto"), ("Exponential", "Normal"), ("Exponential", "Pareto"),
    ("Gamma", "Gumbel"), ("Gamma", "Pareto"), ("Geometric", "Geometric"), ("Gumbel", "Beta"),
    ("Gumbel", "Exponential"), ("Gumbel", "Gamma"), ("Gumbel", "Normal"), ("Gumbel", "Pareto"),
    ("Gumbel", "Uniform"), ("Laplace", "Normal"), ("Laplace", "Pareto"), ("Normal", "Laplace"),
    ("Normal", "Pareto"), ("Pareto", "Beta"), ("Pareto", "Exponential"), ("Pareto", "Gamma"),
    ("Pareto", "Normal"), ("Pareto", "Uniform"), ("Poisson", "Poisson"), ("Uniform", "Exponential"),
    ("Uniform", "Normal"), ("Uniform", "Pareto"),
]


def _make(lib, name, shift=0.0):
    params = {k: lib.tensor([x + shift for x in v] if k not in ("probs",) else v, dtype=lib.float64,
                            requires_grad=True) for k, v in _PARAMS[name].items()}
    return getattr(lib.distributions, name)(**params), list(params.values())


@pytest.mark.parametrize("pair", _NEW_PAIRS, ids=["-".join(p) for p in _NEW_PAIRS])
def test_kl_pair_matches_torch(pair):
    out = {}
    for lib in (mt, torch):
        p, pp = _make(lib, pair[0])
        q, qp = _make(lib, pair[1], shift=0.25 if pair[0] == pair[1] else 0.0)
        kl = lib.distributions.kl_divergence(p, q)
        finite = lib.isfinite(kl)
        loss = lib.where(finite, kl, lib.zeros_like(kl)).sum()
        grads = lib.autograd.grad(loss, pp + qp, allow_unused=True) if loss.requires_grad else []
        out[lib.__name__] = (kl.detach().numpy(),
                             [None if g is None else g.numpy() for g in grads])
    np.testing.assert_allclose(out["minitorch"][0], out["torch"][0], rtol=1e-10)
    assert len(out["minitorch"][1]) == len(out["torch"][1])
    for g, tg in zip(out["minitorch"][1], out["torch"][1]):
        if tg is None or g is None:
            assert g is None or not np.any(g), (g, tg)
            continue
        np.testing.assert_allclose(g, tg, rtol=1e-8, atol=1e-12, equal_nan=True)


def test_kl_registry_covers_torch():
    from torch.distributions import kl as tkl

    from minitorch.distributions import kl as mkl
    mine = {(p.__name__, q.__name__) for p, q in mkl._KL_REGISTRY}
    theirs = {(p.__name__, q.__name__) for p, q in tkl._KL_REGISTRY}
    missing = {pq for pq in theirs - mine if all(hasattr(mt.distributions, n) for n in pq)}
    assert not missing, sorted(missing)


# ---------------------------------------------------------------- minitorch.version --------------------------
def test_version_module_mirrors_torch_version():
    import minitorch.version as v

    assert mt.version is v and mt.__version__ == v.__version__
    assert set(torch.version.__all__) <= set(v.__all__)
    for name in torch.version.__all__:
        assert hasattr(v, name), name
    assert v.debug is False and v.hip is None and v.rocm is None and v.xpu is None
    assert isinstance(v.git_version, str) and v.git_version
    from importlib.metadata import version as dist_version

    assert v.__version__ == dist_version("minitorch")


def test_version_cuda_string_like_torch():
    import minitorch.version as v

    v._lazy.pop("cuda", None)
    if mt.cuda.is_available():  # CuPy's runtime version formatted as torch's ('13.0' on the fake GPU)
        cp = mt.backend.cupy_module()
        n = cp.cuda.runtime.runtimeGetVersion()
        assert v.cuda == f"{n // 1000}.{(n % 1000) // 10}"
    else:
        try:
            import cupy  # noqa: F401
        except ImportError:
            assert v.cuda is None and v.cuda == torch.version.cuda  # torch's CPU build: None


# ---------------------------------------------------------------- no-GPU behaviour ----------------------------
def _raises_same(fn_torch, fn_mt, match=None):
    with pytest.raises(Exception) as te:
        fn_torch()
    with pytest.raises(type(te.value), match=match):
        fn_mt()


no_gpu = pytest.mark.skipif(mt.cuda.is_available(), reason="checks the behaviour without a usable GPU")


@no_gpu
def test_tensor_cuda_without_gpu_raises_like_torch():
    _raises_same(lambda: torch.ones(2).cuda(), lambda: mt.ones(2).cuda(), "Torch not compiled with CUDA enabled")
    _raises_same(lambda: torch.ones(2).cuda(0), lambda: mt.ones(2).cuda(0), "none is available")
    _raises_same(lambda: torch.ones(2).cuda("cpu"), lambda: mt.ones(2).cuda("cpu"), "must be cuda device")


@no_gpu
def test_pin_memory_without_gpu_raises_like_torch():
    _raises_same(lambda: torch.ones(2).pin_memory(), lambda: mt.ones(2).pin_memory(), "none is available")
    assert mt.ones(2).is_pinned() is torch.ones(2).is_pinned() is False


@no_gpu
def test_cuda_set_device_and_device_without_gpu():
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        mt.cuda.set_device(0)  # torch's CPU build fails too (an AttributeError from its missing C binding)
    with pytest.raises((AttributeError, AssertionError, RuntimeError)):
        torch.cuda.set_device(0)
    for bad in ("cpu", None, "cuda", 1.5):
        _raises_same(lambda b=bad: torch.cuda.set_device(b), lambda b=bad: mt.cuda.set_device(b))
    assert mt.cuda.set_device(-1) is None and torch.cuda.set_device(-1) is None
    _raises_same(lambda: torch.cuda.device(0).__enter__(), lambda: mt.cuda.device(0).__enter__(),
                 "compiled without CUDA support")
    _raises_same(lambda: torch.cuda.device("cpu"), lambda: mt.cuda.device("cpu"), "Expected a cuda device")
    with mt.cuda.device(-1):  # a negative index is a no-op, as torch
        pass
    with torch.cuda.device(-1):
        pass


def test_cuda_set_device_validates_like_torch_on_gpu():
    if not mt.cuda.is_available():
        pytest.skip("needs a (fake) GPU")
    mt.cuda.set_device(0)
    mt.cuda.set_device("cuda:0")
    mt.cuda.set_device(-1)
    with pytest.raises(ValueError, match="Expected a cuda device"):
        mt.cuda.set_device("cpu")
    with pytest.raises(ValueError, match="one GPU"):
        mt.cuda.set_device(1)
    with mt.cuda.device(0):
        assert mt.ones(1, device="cuda").is_cuda
    assert mt.ones(2).pin_memory().device.type == "cpu"


@no_gpu
def test_dataloader_pin_memory_warns_and_skips_without_gpu():
    from minitorch.utils.data import DataLoader

    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found"):
        batches = list(DataLoader(list(range(4)), batch_size=2, pin_memory=True))
    tb = list(torch.utils.data.DataLoader(list(range(4)), batch_size=2))
    assert [b.tolist() for b in batches] == [b.tolist() for b in tb]


# ---------------------------------------------------------------- silent backward at 0 ------------------------
_ZERO_GRAD_CASES = {
    "sqrt": lambda L, x: x.sqrt(), "rsqrt": lambda L, x: x.rsqrt(), "log": lambda L, x: x.log(),
    "log2": lambda L, x: x.log2(), "log10": lambda L, x: x.log10(), "log1p": lambda L, x: (x - 1).log1p(),
    "reciprocal": lambda L, x: x.reciprocal(), "pow_half": lambda L, x: x.pow(0.5),
    "pow_neg": lambda L, x: x.pow(-1), "pow_self": lambda L, x: x ** x, "rpow_zero": lambda L, x: 0.0 ** x,
    "pow_tensor": lambda L, x: x ** L.tensor([0.5, -1.0], dtype=L.float64),
    "pow_zero_exp": lambda L, x: L.tensor([0.0, 0.0], dtype=L.float64) ** (x - 1),
}


@pytest.mark.parametrize("name", list(_ZERO_GRAD_CASES))
def test_backward_at_zero_is_silent_and_matches_torch(name):
    import warnings

    grads = []
    for lib in (mt, torch):
        x = lib.zeros(2, dtype=lib.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _ZERO_GRAD_CASES[name](lib, x).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_pow_tensor_exponent_grads_at_zero_base_match_torch():
    a_vals, b_vals = [0.0, 0.0, 0.0, 2.0, -1.5, 0.0], [-1.0, 0.0, 1.5, -0.5, 2.0, 2.0]
    out = []
    for lib in (mt, torch):
        a = lib.tensor(a_vals, dtype=lib.float64, requires_grad=True)
        b = lib.tensor(b_vals, dtype=lib.float64, requires_grad=True)
        out.append([g.numpy() for g in lib.autograd.grad((a ** b).sum(), [a, b])])
    for g, tg in zip(*out):
        np.testing.assert_array_equal(g, tg)
    a = mt.tensor([0.5, 1.5], dtype=mt.float64, requires_grad=True)
    b = mt.tensor([0.0, 2.0], dtype=mt.float64, requires_grad=True)
    assert mt.autograd.gradcheck(lambda a, b: a ** b, (a, b))
    assert mt.autograd.gradgradcheck(lambda a, b: a ** b, (a, b))  # b == 0 away from a == 0 keeps d2/db da


# ---------------------------------------------------------------- window overloads ---------------------------
@pytest.mark.parametrize("name,args,kwargs", [
    ("kaiser_window", (16,), {"beta": 8.0}),
    ("hamming_window", (16,), {"alpha": 0.5}),
    ("hamming_window", (16, True), {"beta": 0.4}),
])
def test_window_shape_parameter_needs_the_ones_before_it(name, args, kwargs):
    with pytest.raises(TypeError, match="invalid combination of arguments"):
        getattr(torch, name)(*args, **kwargs)
    with pytest.raises(TypeError, match="invalid combination of arguments - got \\(int"):
        getattr(mt, name)(*args, **kwargs)


@pytest.mark.parametrize("name,args,kwargs", [
    ("kaiser_window", (16, True, 8.0), {}), ("kaiser_window", (16,), {"periodic": False, "beta": 8.0}),
    ("kaiser_window", (16, False), {}), ("hamming_window", (16, True, 0.5, 0.4), {}),
    ("hamming_window", (16,), {"periodic": True, "alpha": 0.5}),
])
def test_window_accepted_overloads_match_torch(name, args, kwargs):
    np.testing.assert_allclose(getattr(mt, name)(*args, **kwargs).numpy(),
                               getattr(torch, name)(*args, **kwargs).numpy(), rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------- Size, NumPy ufuncs --------------------------
@pytest.mark.parametrize("expr", ["s + (4,)", "(4,) + s", "s + s", "s * 2", "2 * s", "s[0:1]", "s[::-1]"])
def test_size_arithmetic_and_slices_stay_size(expr):
    r = eval(expr, {"s": mt.Size([2, 3])})
    t = eval(expr, {"s": torch.Size([2, 3])})
    assert type(r) is mt.Size and type(t) is torch.Size and tuple(r) == tuple(t)
    assert repr(r) == repr(t)


def test_size_indexing_and_errors_like_torch():
    s, t = mt.Size([2, 3]), torch.Size([2, 3])
    assert s[0] == t[0] and type(s[-1]) is int
    _raises_same(lambda: t + [4], lambda: s + [4], "can only concatenate tuple")
    assert hash(s) == hash(t) and s == (2, 3)


@pytest.mark.filterwarnings("ignore:__array_wrap__ must accept:DeprecationWarning")  # torch's own __array_wrap__
@pytest.mark.parametrize("expr", [
    "np.exp(t)", "np.add(t, 1)", "np.sqrt(t)", "np.maximum(t, 1.5)", "np.multiply(t, t)", "np.floor(t)",
    "np.isnan(t)", "np.exp(L.tensor(1.0))", "np.exp(L.tensor([1, 2]))", "np.add(np.ones(2), t)",
    "np.add.reduce(t)", "np.matmul(t, t)", "np.clip(t, 0, 1)", "np.asarray(t)", "np.concatenate([t, t])",
])
def test_numpy_ufuncs_on_tensors_return_what_torch_returns(expr):
    outs = []
    for lib in (mt, torch):
        r = eval(expr, {"np": np, "L": lib, "t": lib.tensor([1.0, 2.0])})
        kind = "tensor" if isinstance(r, lib.Tensor) else type(r).__name__
        arr = np.asarray(r.numpy() if kind == "tensor" else r)
        dtype = str(r.dtype).replace("minitorch.", "torch.") if kind == "tensor" else str(arr.dtype)
        outs.append((kind, dtype, arr.shape, arr.tolist()))
    assert outs[0] == outs[1]


def test_numpy_sum_on_tensor_is_a_type_error_like_torch():
    _raises_same(lambda: np.sum(torch.tensor([1.0, 2.0])), lambda: np.sum(mt.tensor([1.0, 2.0])))


# ---------------------------------------------------------------- Module.to('meta') ----------------------------
@pytest.mark.parametrize("dev", ["meta", "mps"])
def test_module_to_unsupported_device_is_a_clear_error(dev):
    with pytest.raises(RuntimeError, match=f"minitorch has no {dev} device"):
        mt.nn.Linear(2, 2).to(dev)
    with pytest.raises(RuntimeError, match=f"minitorch has no {dev} device"):
        mt.nn.Linear(2, 2).to(device=dev)
    torch.nn.Linear(2, 2).to("meta")  # torch has the meta device


def test_module_to_dtype_strings_still_work():
    m = mt.nn.Linear(2, 2).to("float64")
    assert m.weight.dtype == mt.float64
    assert mt.nn.Linear(2, 2).to("cpu:0").weight.device.type == "cpu"
