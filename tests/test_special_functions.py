"""The gamma family (lgamma, digamma, polygamma, mvlgamma, zeta), the Bessel functions i0/i0e/i1/i1e,
erfcx / ndtr / log_ndtr / ndtri and the ``minitorch.special`` namespace against torch: float64 accuracy
over wide ranges, values at poles and infinities, integer-input dtypes, the no-SciPy fallbacks, errors.
(Forward/backward/gradcheck per op live in the op table: tests/op_table_gamma.py.)"""
from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch as mt
import minitorch.special as ms
from minitorch.ops import special as special_ops

from .helpers import raises_like_torch, require_torch

torch = require_torch()

INF, NAN = math.inf, math.nan
EDGES = [0.0, -0.0, -1.0, -2.0, -7.0, -1e20, -2.5, -0.5, 1e-300, 5e-324, 1e308, INF, -INF, NAN, 1.0, 2.0, 10.0]


@pytest.fixture(params=["library", "fallback"])
def path(request, monkeypatch):
    """Run a test on SciPy's functions (when installed) and on the self-contained fallbacks."""
    if request.param == "fallback":
        monkeypatch.setattr(special_ops, "_special", lambda arr, name: None)
    return request.param


def _off_poles(x, gap=1e-3):
    return x[(x > 0) | (np.abs(x - np.round(x)) > gap)]


def _ours(fn, x):
    with np.errstate(all="raise", under="ignore"):  # the forward runs under its own errstate: nothing leaks
        return fn(mt.tensor(np.asarray(x, dtype=np.float64))).numpy()


def _theirs(fn, x):
    return fn(torch.from_numpy(np.asarray(x, dtype=np.float64))).numpy()


def _close(ours, theirs, rtol, atol=0.0):
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, equal_nan=True)


def _same_edges(ours, theirs, rtol=1e-12):
    """Equal values, nan where torch has nan, and the same sign on zeros and infinities."""
    _close(ours, theirs, rtol=rtol)
    fin = ~np.isnan(theirs)
    assert (np.signbit(ours[fin]) == np.signbit(theirs[fin])).all(), (ours, theirs)


# ---------------------------------------------------------------- float64 accuracy vs torch -------
LGAMMA_X = _off_poles(np.concatenate([np.linspace(-50, 170, 8001), np.logspace(-300, 2, 200),
                                      np.linspace(0.5, 2.5, 401), [1e5, 1e10, 1e100, 1e300]]))
DIGAMMA_X = _off_poles(np.concatenate([np.linspace(-10, 100, 4001), np.logspace(-300, 15, 100)]))


def test_lgamma_float64_matches_torch(path):
    # absolute slack at the zeros of lgamma (1, 2, and between the negative poles), relative elsewhere
    _close(_ours(mt.lgamma, LGAMMA_X), _theirs(torch.lgamma, LGAMMA_X), rtol=1e-13, atol=1e-14)


def test_digamma_float64_matches_torch(path):
    _close(_ours(mt.digamma, DIGAMMA_X), _theirs(torch.digamma, DIGAMMA_X), rtol=1e-13, atol=1e-14)


def test_polygamma_float64_matches_torch(path):
    x = _off_poles(np.concatenate([np.linspace(-6, 60, 1321), np.logspace(-3, 6, 40)]), gap=1e-2)
    for n in (2, 3, 4, 7):
        _close(_ours(lambda t, n=n: mt.polygamma(n, t), x), _theirs(lambda t, n=n: torch.polygamma(n, t), x),
               rtol=1e-12, atol=1e-13)
    # torch's trigamma is its own shorter series, good to ~5e-10 relative: compare at that level
    _close(_ours(lambda t: mt.polygamma(1, t), x), _theirs(lambda t: torch.polygamma(1, t), x), rtol=1e-9)


def test_polygamma_against_exact_values(path):
    """psi1(1) = pi^2/6, psi1(1/2) = pi^2/2, psi2(1) = -2 zeta(3), psi3(1) = pi^4/15 (to ~1e-15)."""
    ours = [mt.polygamma(n, mt.tensor([x], dtype=mt.float64)).item() for n, x in ((1, 1.0), (1, 0.5), (2, 1.0),
                                                                                    (3, 1.0))]
    exact = [math.pi**2 / 6, math.pi**2 / 2, -2 * 1.2020569031595942854, math.pi**4 / 15]
    np.testing.assert_allclose(ours, exact, rtol=2e-15)


def test_zeta_float64_matches_torch(path):
    s = np.array([1.5, 2.0, 3.0, 4.5, 10.0, 30.0])[:, None]
    q = np.concatenate([np.linspace(0.05, 50, 101), [1e3, 1e6]])[None, :]
    ours = ms.zeta(mt.tensor(s), mt.tensor(q)).numpy()
    _close(ours, torch.special.zeta(torch.tensor(s), torch.tensor(q)).numpy(), rtol=1e-13)
    qn = _off_poles(np.linspace(-6, -0.05, 120), gap=1e-2)[None, :]
    sn = np.array([2.0, 3.0, 6.0])[:, None]
    _close(ms.zeta(mt.tensor(sn), mt.tensor(qn)).numpy(),
           torch.special.zeta(torch.tensor(sn), torch.tensor(qn)).numpy(), rtol=1e-11, atol=1e-12)


BESSEL_X = np.concatenate([np.linspace(-50, 50, 2001), np.linspace(-720, 720, 1441), [1e-300, -1e-8, 1e3]])


@pytest.mark.parametrize("name", ["i0", "i0e", "i1", "i1e"])
def test_bessel_float64_matches_torch(name, path):
    _close(_ours(getattr(ms, name), BESSEL_X), _theirs(getattr(torch.special, name), BESSEL_X), rtol=1e-13)


NORMAL_CASES = {
    "erfcx": np.concatenate([np.linspace(-26, 30, 1121), [1e3, 1e10, 1e300]]),
    "ndtr": np.linspace(-3, 9, 241),  # torch's ndtr loses relative accuracy below -3 (1 + erf(x/sqrt 2))
    "log_ndtr": np.concatenate([np.linspace(-200, 10, 2101), [-1e5, 40.0]]),
    "ndtri": np.concatenate([np.logspace(-300, -1, 300), np.linspace(0.01, 0.99, 99), 1 - np.logspace(-15, -2, 27)]),
}


@pytest.mark.parametrize("name", list(NORMAL_CASES))
def test_normal_family_float64_matches_torch(name, path):
    x = NORMAL_CASES[name]
    rtol = 1e-13 if path == "library" else 1e-12  # the fallback's erfc (ops/special.py) is good to ~1e-13
    _close(_ours(getattr(ms, name), x), _theirs(getattr(torch.special, name), x), rtol=rtol)


def test_mvlgamma_matches_torch(path):
    x = np.linspace(2.6, 60, 200)
    for p in (1, 2, 5):
        _close(_ours(lambda t, p=p: mt.mvlgamma(t, p), x), _theirs(lambda t, p=p: torch.mvlgamma(t, p), x),
               rtol=1e-13)


def test_entr_and_xlog1py_match_torch():
    x = np.array([-2.0, 0.0, -0.0, 1e-300, 0.5, 3.0, NAN, INF, -INF])
    _same_edges(ms.entr(mt.tensor(x)).numpy(), torch.special.entr(torch.tensor(x)).numpy())
    a = np.array([0.0, 0.0, 0.0, 0.0, 2.0, -1.5, 2.0, NAN])
    b = np.array([NAN, -1.0, -2.0, 3.0, -1.0, 0.5, INF, 0.5])
    _same_edges(ms.xlog1py(mt.tensor(a), mt.tensor(b)).numpy(),
                torch.special.xlog1py(torch.tensor(a), torch.tensor(b)).numpy())


def test_lgamma_large_and_accurate_near_its_zeros(path):
    """Relative accuracy where lgamma crosses 0 (at 1 and 2): a Taylor series there, not a difference
    of large numbers."""
    x = np.array([1 + 1e-9, 1 - 1e-7, 2 + 1e-10, 2 - 1e-6, 1.25, 1.75])
    exact = _theirs(torch.lgamma, x)
    _close(_ours(mt.lgamma, x), exact, rtol=1e-13)


# ---------------------------------------------------------------- poles, infinities, nan ----------
@pytest.mark.parametrize("name", ["lgamma", "digamma", "i0"])
def test_top_level_edges_match_torch(name, path):
    _same_edges(_ours(getattr(mt, name), EDGES), _theirs(getattr(torch, name), EDGES))


@pytest.mark.parametrize("name", ["gammaln", "psi", "i0e", "i1", "i1e", "erfcx", "log_ndtr", "entr"])
def test_special_edges_match_torch(name, path):
    x = [v for v in EDGES if v != 5e-324]  # i1(5e-324): half the smallest subnormal rounds either way
    _same_edges(_ours(getattr(ms, name), x), _theirs(getattr(torch.special, name), x))


def test_ndtri_edges_match_torch(path):
    p = [0.0, -0.0, 1.0, 0.5, -0.1, 1.5, NAN, INF, -INF, 5e-324, 1e-300]
    _same_edges(_ours(ms.ndtri, p), _theirs(torch.special.ndtri, p))


@pytest.mark.parametrize("n", [2, 3, 4])
def test_polygamma_edges_match_torch(n, path):
    _same_edges(_ours(lambda t: mt.polygamma(n, t), EDGES[:-4]),
                _theirs(lambda t: torch.polygamma(n, t), EDGES[:-4]))


def test_trigamma_edges_match_torch_except_at_the_poles(path):
    """torch's trigamma returns ~1e32 (not inf) at the negative integers, from sin(pi x) rounding: minitorch
    returns the pole's +inf there (see the README's differences table); elsewhere the same values."""
    x = [0.0, -0.0, 1e-300, INF, -INF, NAN, -2.5, 1.0]
    _same_edges(_ours(lambda t: mt.polygamma(1, t), x), _theirs(lambda t: torch.polygamma(1, t), x), rtol=1e-9)
    assert (_ours(lambda t: mt.polygamma(1, t), [-1.0, -3.0]) == INF).all()


def test_zeta_edges_match_torch(path):
    s = np.array([2.0, 2.0, 3.0, 2.5, 1.0, 0.5, 2.0, 3.0, 2.0, NAN, 2.0, 4.0])
    q = np.array([0.0, -3.0, -2.5, -2.5, 1.0, 1.0, INF, -0.0, NAN, 1.0, 1e-300, -INF])
    theirs = torch.special.zeta(torch.tensor(s), torch.tensor(q)).numpy()
    _same_edges(ms.zeta(mt.tensor(s), mt.tensor(q)).numpy(), theirs)


# ---------------------------------------------------------------- float32 and integer inputs ------
def _dt(t):
    return str(t.dtype).split(".")[-1]


@pytest.mark.parametrize("call", [
    lambda L, x: L.lgamma(x), lambda L, x: L.digamma(x), lambda L, x: L.polygamma(2, x), lambda L, x: L.i0(x),
    lambda L, x: L.mvlgamma(x, 2), lambda L, x: L.special.i1e(x), lambda L, x: L.special.erfcx(x),
    lambda L, x: L.special.log_ndtr(x), lambda L, x: L.special.ndtri(x), lambda L, x: L.special.entr(x),
    lambda L, x: L.special.zeta(x, x), lambda L, x: L.special.xlog1py(x, x), lambda L, x: L.special.ndtr(x),
])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "float32", "float64"])
def test_result_dtype_and_values_match_torch(call, dtype):
    values = np.array([1, 2, 3, 0, 1]).astype(dtype)
    try:
        theirs = call(torch, torch.from_numpy(values))
    except RuntimeError:  # mvlgamma refuses bool
        raises_like_torch(lambda: call(torch, torch.from_numpy(values)), lambda: call(mt, mt.tensor(values)))
        return
    ours = call(mt, mt.tensor(values))
    assert _dt(ours) == _dt(theirs)
    _close(ours.numpy(), theirs.numpy(), rtol=1e-6 if dtype != "float64" else 1e-12, atol=1e-7)


def test_default_dtype_float64_for_integer_input():
    mt.set_default_dtype(mt.float64)
    try:
        assert mt.lgamma(mt.tensor([3, 4])).dtype == mt.float64
    finally:
        mt.set_default_dtype(mt.float32)


def test_in_place_methods_match_torch():
    for name, args in (("lgamma_", ()), ("digamma_", ()), ("polygamma_", (2,)), ("mvlgamma_", (2,)),
                       ("i0_", ())):
        m, t = mt.tensor([1.5, 2.5, 4.0]), torch.tensor([1.5, 2.5, 4.0])
        assert getattr(m, name)(*args) is m
        getattr(t, name)(*args)
        _close(m.numpy(), t.numpy(), rtol=1e-6, atol=1e-6)


def test_gradients_chain_down_the_family():
    """d lgamma = digamma, d digamma = polygamma(1), d polygamma(1) = polygamma(2): third derivative of
    lgamma by create_graph, as torch."""
    x = mt.tensor([0.7, 2.5, -1.5], dtype=mt.float64, requires_grad=True)
    xt = torch.tensor([0.7, 2.5, -1.5], dtype=torch.float64, requires_grad=True)
    results = []
    for lib, v in ((mt, x), (torch, xt)):
        y = lib.lgamma(v).sum()
        (g1,) = lib.autograd.grad(y, v, create_graph=True)
        (g2,) = lib.autograd.grad(g1.sum(), v, create_graph=True)
        (g3,) = lib.autograd.grad(g2.sum(), v)
        results.append([g.detach().numpy() for g in (g1, g2, g3)])
    for ours, theirs in zip(*results):
        _close(ours, theirs, rtol=1e-9)


# ---------------------------------------------------------------- the namespace -------------------
SAMPLE = np.array([0.3, 1.7, 2.2, 0.05])


@pytest.mark.parametrize("name", ms.__all__)
def test_every_special_function_exists_in_torch_and_matches(name):
    assert hasattr(torch.special, name)
    x = mt.tensor(SAMPLE, dtype=mt.float64)
    xt = torch.tensor(SAMPLE, dtype=torch.float64)
    args = {"polygamma": ((2, x), (2, xt)), "multigammaln": ((x + 1, 2), (xt + 1, 2)),
            "xlogy": ((x, x), (xt, xt)), "xlog1py": ((x, x), (xt, xt)), "zeta": ((x + 1.5, x), (xt + 1.5, xt)),
            "softmax": ((x, 0), (xt, 0)), "log_softmax": ((x, 0), (xt, 0)), "logsumexp": ((x, 0), (xt, 0)),
            "ndtri": ((x * 0.5,), (xt * 0.5,)), "logit": ((x * 0.5,), (xt * 0.5,)),
            "erfinv": ((x * 0.5,), (xt * 0.5,)), "gammainc": ((x + 0.5, x), (xt + 0.5, xt)),
            "gammaincc": ((x + 0.5, x), (xt + 0.5, xt))}.get(name, ((x,), (xt,)))
    if "_polynomial_" in name:  # (input, n): degree 3
        args = ((x, 3), (xt, 3))
    _close(getattr(ms, name)(*args[0]).numpy(), getattr(torch.special, name)(*args[1]).numpy(), rtol=1e-12)


def test_special_namespace_is_reachable_from_the_package():
    assert mt.special is ms
    assert ms.gammaln is mt.lgamma and ms.psi is mt.digamma and ms.expit is mt.sigmoid


# ---------------------------------------------------------------- errors ------------------------
@pytest.mark.parametrize("call", [
    lambda L: L.polygamma(-1, L.tensor([1.0])),
    lambda L: L.polygamma(1.5, L.tensor([1.0])),
    lambda L: L.mvlgamma(L.tensor([2.5]), 0),
    lambda L: L.mvlgamma(L.tensor([2.5]), 1.5),
    lambda L: L.special.zeta(2.0, 3.0),
    lambda L: L.special.xlog1py(2.0, 3.0),
    lambda L: L.lgamma([1.0, 2.0]),
    lambda L: L.special.zeta(L.tensor([2.0, 3.0]), L.tensor([1.0, 2.0, 3.0])),
    lambda L: L.special.xlog1py(L.tensor([2.0, 3.0]), L.tensor([1.0, 2.0, 3.0])),
])
def test_errors_match_torch(call):
    raises_like_torch(lambda: call(torch), lambda: call(mt))


def test_zeta_has_no_gradient_in_s_as_torch():
    s, q = mt.tensor([2.0], requires_grad=True), mt.tensor([3.0])
    raises_like_torch(
        lambda: torch.special.zeta(torch.tensor([2.0], requires_grad=True), torch.tensor([3.0])).sum().backward(),
        lambda: ms.zeta(s, q).sum().backward(),
    )
