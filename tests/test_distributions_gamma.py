"""minitorch.distributions vs torch.distributions: Gamma, Chi2, Beta, Dirichlet, StudentT, Binomial,
NegativeBinomial, and their KL divergences.

The same checks as tests/test_distributions.py (values and gradients in float64, moments, expand, shapes,
devices, no host syncs, sampling statistics over 40,000 draws with >= 6 standard errors, validation
errors). The Gamma family's rsample gradient is the implicit one, dx/da = -(dF/da) / p(x): it is checked
against finite differences of SciPy's regularised incomplete gamma function, against torch's
``_standard_gamma_grad`` (an approximation good to ~1e-3) at the same draw, and, for the families built on
it (Beta, Dirichlet, StudentT), statistically: the average per-draw gradient of a draw is the gradient
of its expectation.
"""
from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest

import minitorch
import minitorch.distributions as MD
from minitorch.distributions.gamma import standard_gamma_grad

from .helpers import assert_close, devices, no_host_sync, raises_like_torch, require_torch
from .test_distributions import (  # noqa: F401
    Case,
    _check_log_prob_entropy_and_grads,
    _check_moments,
    _compare_grads,
    _default_validation,
)

torch = require_torch()
TD = torch.distributions
RNG = np.random.default_rng(20240602)


def _pos(*shape):
    return RNG.uniform(0.5, 3.0, shape)


def _unit(*shape):
    return RNG.uniform(0.1, 0.9, shape)


def _simplex(*shape):
    x = RNG.uniform(0.1, 1.0, shape)
    return x / x.sum(-1, keepdims=True)


_COUNTS = np.array([[3.0, 7.0], [0.0, 5.0], [10.0, 1.0]])

CASES = [
    Case("Gamma", lambda D, concentration, rate, **kw: D.Gamma(concentration, rate, **kw),
         {"concentration": _pos(3, 2), "rate": _pos(3, 2)}, _pos(4, 3, 2)),
    Case("Chi2", lambda D, df, **kw: D.Chi2(df, **kw), {"df": _pos(3, 2) * 2}, _pos(4, 3, 2)),
    Case("Beta", lambda D, c1, c0, **kw: D.Beta(c1, c0, **kw), {"c1": _pos(3, 2), "c0": _pos(3, 2)},
         _unit(4, 3, 2)),
    Case("Dirichlet", lambda D, concentration, **kw: D.Dirichlet(concentration, **kw),
         {"concentration": _pos(3, 4)}, _simplex(5, 3, 4)),
    Case("StudentT", lambda D, df, loc, scale, **kw: D.StudentT(df, loc, scale, **kw),
         {"df": np.array([[0.7, 1.5], [2.5, 4.0], [9.0, 30.0]]), "loc": RNG.standard_normal((3, 2)),
          "scale": _pos(3, 2)}, RNG.standard_normal((4, 3, 2)) * 2),
    Case("Binomial-probs", lambda D, probs, n, **kw: D.Binomial(n, probs=probs, **kw), {"probs": _unit(3, 2)},
         np.floor(_COUNTS * RNG.uniform(0, 1, (4, 3, 2))), extra={"n": _COUNTS}),
    Case("Binomial-logits", lambda D, logits, n, **kw: D.Binomial(n, logits=logits, **kw),
         {"logits": np.array([[0.0, 1.0], [-2.0, 0.5], [3.0, -0.3]])},
         np.floor(_COUNTS * RNG.uniform(0, 1, (4, 3, 2))), extra={"n": _COUNTS}),
    Case("Binomial-homogeneous", lambda D, probs, **kw: D.Binomial(6, probs=probs, **kw), {"probs": _unit(3, 2)},
         RNG.integers(0, 7, (4, 3, 2)).astype(np.float64)),
    Case("NegativeBinomial-probs", lambda D, probs, r, **kw: D.NegativeBinomial(r, probs=probs, **kw),
         {"probs": _unit(3, 2)}, RNG.integers(0, 9, (4, 3, 2)).astype(np.float64), extra={"r": _pos(3, 2)}),
    Case("NegativeBinomial-logits", lambda D, logits, r, **kw: D.NegativeBinomial(r, logits=logits, **kw),
         {"logits": RNG.standard_normal((3, 2)) * 0.5, "r": _pos(3, 2)},
         RNG.integers(0, 9, (4, 3, 2)).astype(np.float64)),
]
IDS = [c.name for c in CASES]
RSAMPLE_NAMES = ("Gamma", "Chi2", "Beta", "Dirichlet", "StudentT")


# ---------------------------------------------------------------- values and gradients vs torch ------------
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_shapes_flags_and_repr_match_torch(case):
    dt, _ = case.make("torch")
    dm, _ = case.make("mt")
    assert tuple(dm.batch_shape) == tuple(dt.batch_shape)
    assert tuple(dm.event_shape) == tuple(dt.event_shape)
    assert dm.has_rsample == dt.has_rsample
    assert dm.has_enumerate_support == dt.has_enumerate_support
    assert repr(dm) == repr(dt)
    assert repr(dm.support) == repr(dt.support) or case.name.startswith("Binomial")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_log_prob_and_entropy_and_their_gradients_match_torch(case):
    """NegativeBinomial (no closed-form entropy) and Binomial with unequal counts raise for the entropy in both."""
    _check_log_prob_entropy_and_grads(case, grad_rtol=1e-7, grad_atol=1e-9)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
@pytest.mark.parametrize("case", CASES, ids=IDS)  # Binomial with total_count 0: stddev 0, gradient nan as torch's
@pytest.mark.parametrize("attr", ["mean", "variance", "stddev", "mode"])
def test_moments_and_mode_match_torch(case, attr):
    dt, pt = case.make("torch")
    dm, pm = case.make("mt")
    expected, actual = getattr(dt, attr), getattr(dm, attr)
    assert_close(actual, expected, rtol=1e-9, atol=1e-10)
    finite_t, finite_m = torch.nan_to_num(expected, 0.0, 0.0, 0.0), minitorch.nan_to_num(actual, 0.0, 0.0, 0.0)
    if finite_t.requires_grad and not finite_m.requires_grad:  # a mode by floor(): torch's gradient is 0
        finite_t.sum().backward()
        assert all(not bool(t.grad.abs().sum()) for t in pt.values() if t.grad is not None)
    elif finite_t.requires_grad:
        finite_t.sum().backward()
        finite_m.sum().backward()
        for k, t in pt.items():  # a parameter the moment does not use: no gradient, or zeros
            if getattr(t, "requires_grad", False):
                g = pm[k].grad
                if t.grad is None:
                    assert g is None or not bool(g.abs().sum()), k
                else:
                    assert_close(g, t.grad, rtol=1e-7, atol=1e-9, msg=k)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # 0 / 0 before the vertex is chosen
def test_dirichlet_mode_with_all_concentrations_below_one_is_a_vertex_like_torch():
    c = np.array([[0.5, 0.7, 0.2], [2.0, 0.5, 3.0], [0.9, 1.5, 0.3]])
    assert_close(MD.Dirichlet(minitorch.tensor(c)).mode, TD.Dirichlet(torch.tensor(c)).mode)
    assert_close(MD.Beta(minitorch.tensor([0.5, 2.0]), minitorch.tensor([0.7, 3.0])).mode,
                 TD.Beta(torch.tensor([0.5, 2.0]), torch.tensor([0.7, 3.0])).mode)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_expand_matches_torch(case):
    dt, _ = case.make("torch")
    dm, _ = case.make("mt")
    new_batch = case.value.shape[:1] + tuple(dt.batch_shape)
    et, em = dt.expand(new_batch), dm.expand(new_batch)
    assert type(em).__name__ == type(et).__name__
    assert tuple(em.batch_shape) == tuple(et.batch_shape) and tuple(em.event_shape) == tuple(et.event_shape)
    assert_close(em.log_prob(case.values("mt")), et.log_prob(case.values("torch")), rtol=1e-9, atol=1e-10)
    assert tuple(em.sample().shape) == tuple(et.sample().shape)


def test_scalar_parameters_give_default_dtype_and_empty_batch_shape():
    for build in (lambda D: D.Gamma(2.0, 3.0), lambda D: D.Chi2(3.0), lambda D: D.Beta(2.0, 3.0),
                  lambda D: D.StudentT(3.0), lambda D: D.Binomial(5, probs=0.3),
                  lambda D: D.NegativeBinomial(5.0, logits=0.3)):
        dm, dt = build(MD), build(TD)
        assert tuple(dm.batch_shape) == tuple(dt.batch_shape) == ()
        assert dm.sample((3,)).dtype == minitorch.float32
        assert repr(dm) == repr(dt)


@pytest.mark.parametrize("expand", [True, False])
@pytest.mark.parametrize("homogeneous", [True, False])
def test_binomial_enumerate_support_and_inhomogeneous_counts_like_torch(homogeneous, expand):
    n, p = (4.0 * np.ones((3, 2)) if homogeneous else _COUNTS), _unit(3, 2)
    dt = TD.Binomial(torch.tensor(n), torch.tensor(p))
    dm = MD.Binomial(minitorch.tensor(n), minitorch.tensor(p))
    if homogeneous:
        assert_close(dm.enumerate_support(expand), dt.enumerate_support(expand))
    else:
        raises_like_torch(lambda: dt.enumerate_support(expand), lambda: dm.enumerate_support(expand))
        raises_like_torch(dt.entropy, dm.entropy)


# ---------------------------------------------------------------- sampling ----------------------------------
@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("sample_shape", [(), (2, 3)])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sample_and_rsample_shapes_dtypes_devices(case, sample_shape, device):
    dt, _ = case.make("torch")
    dm, _ = case.make("mt", device=device)
    st, sm = dt.sample(sample_shape), dm.sample(sample_shape)
    assert tuple(sm.shape) == tuple(st.shape)
    assert sm.dtype == getattr(minitorch, str(st.dtype).split(".")[-1])
    assert sm.device.type == device and not sm.requires_grad
    if dt.has_rsample:
        rm = dm.rsample(sample_shape)
        assert tuple(rm.shape) == tuple(st.shape) and rm.requires_grad and rm.device.type == device
        rm.sum().backward()
    else:
        with pytest.raises(NotImplementedError):
            dm.rsample(sample_shape)
    assert bool(dm.support.check(sm).all())
    assert tuple(dm.log_prob(sm).shape) == tuple(dt.log_prob(st).shape)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sampling_and_log_prob_do_not_sync_the_gpu(case, device):
    """Without validation nothing reads values back to the host: the Gamma sampler's rejection rounds are
    array ops (Binomial's entropy reads total_count, as torch's does, so it is left out)."""
    dm, _ = case.make("mt", device=device, validate_args=False)
    value = case.values("mt", device)
    with no_host_sync() if device == "cuda" else contextlib.nullcontext():
        s = dm.sample((5,))
        lp = dm.log_prob(value)
        dm.log_prob(s)
        if not case.name.startswith(("Binomial", "NegativeBinomial")):
            dm.entropy()
        if dm.has_rsample:
            dm.rsample((5,))
    assert s.device.type == device and lp.device.type == device


STAT_CASES = [
    ("Gamma", lambda D, T: D.Gamma(T([0.3, 1.0, 5.0, 0.3, 1.0, 5.0]), T([1.0, 1.0, 1.0, 2.5, 0.5, 4.0]))),
    ("Gamma-large", lambda D, T: D.Gamma(T([20.0, 150.0]), T([1.0, 3.0]))),
    ("Chi2", lambda D, T: D.Chi2(T([0.6, 1.0, 3.0, 10.0]))),
    ("Beta", lambda D, T: D.Beta(T([0.3, 1.0, 5.0, 2.0]), T([0.5, 1.0, 2.0, 8.0]))),
    ("Dirichlet", lambda D, T: D.Dirichlet(T([[0.3, 1.0, 5.0], [2.0, 2.0, 0.7]]))),
    ("StudentT", lambda D, T: D.StudentT(T([5.0, 9.0, 30.0]), T([0.5, -1.0, 0.0]), T([1.0, 2.0, 0.5]))),
    ("Binomial", lambda D, T: D.Binomial(T([1.0, 5.0, 20.0, 100.0]), T([0.3, 0.5, 0.9, 0.02]))),
    ("NegativeBinomial", lambda D, T: D.NegativeBinomial(T([0.5, 3.0, 10.0]), T([0.3, 0.5, 0.8]))),
]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("build", [b for _, b in STAT_CASES], ids=[n for n, _ in STAT_CASES])
def test_sample_mean_and_variance_within_standard_errors(build, device):
    n = 40_000
    minitorch.manual_seed(1234)
    dm = build(MD, lambda v: minitorch.tensor(v, dtype=minitorch.float64, device=device))
    draws = dm.sample((n,))
    assert bool(dm.support.check(draws).all())
    _check_moments(draws.cpu().numpy(), dm.mean.cpu().numpy(), dm.variance.cpu().numpy(), n)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gamma_draws_follow_the_gamma_cdf(dtype):
    """Kolmogorov-Smirnov against SciPy's Gamma cdf (the whole shape, not only two moments)."""
    stats = pytest.importorskip("scipy.stats")
    minitorch.manual_seed(21)
    a = [0.05, 0.3, 1.0, 5.0, 40.0]
    x = MD.Gamma(minitorch.tensor(a, dtype=getattr(minitorch, dtype)), 2.0).sample((20_000,)).numpy()
    for k, alpha in enumerate(a):
        assert stats.kstest(x[:, k], stats.gamma(alpha, scale=0.5).cdf).pvalue > 1e-4, alpha


def test_gamma_draws_for_tiny_concentrations_are_positive_and_finite():
    minitorch.manual_seed(3)
    for dtype in (minitorch.float32, minitorch.float64):
        x = MD.Gamma(minitorch.tensor([1e-3, 0.05], dtype=dtype), 1.0).sample((2000,))
        assert bool((x > 0).all()) and bool(x.isfinite().all())
    # a draw is below its small-concentration median 2^(-1/a)-ish scale often, never exactly 0 (clamped to tiny)
    assert float(x.min()) >= minitorch.finfo(minitorch.float64).tiny


# ---------------------------------------------------------------- rsample gradients -------------------------
@pytest.mark.parametrize("alpha", [0.05, 0.3, 1.0, 2.5, 5.0, 8.0, 8.5, 20.0, 150.0])
def test_standard_gamma_grad_matches_finite_differences_of_the_cdf_and_torch(alpha):
    """dx/da = -(dP(a, x)/da) / p(x; a), P from SciPy, differenced in a; and torch's approximation."""
    special, stats = pytest.importorskip("scipy.special"), pytest.importorskip("scipy.stats")
    u = np.linspace(0.001, 0.999, 61)
    x = stats.gamma.ppf(u, alpha)
    h = 1e-6 * alpha
    exact = -(special.gammainc(alpha + h, x) - special.gammainc(alpha - h, x)) / (2 * h) / stats.gamma.pdf(x, alpha)
    a = np.full_like(x, alpha)
    ours = standard_gamma_grad(minitorch.tensor(a), minitorch.tensor(x)).numpy()
    theirs = torch._standard_gamma_grad(torch.tensor(a), torch.tensor(x)).numpy()
    rtol = 1e-6 if alpha <= 8 else 2e-3  # the series (a <= 8) is exact; the saddle point is O(1/a^2)
    np.testing.assert_allclose(ours, exact, rtol=rtol)
    np.testing.assert_allclose(ours, theirs, rtol=2e-3)


@pytest.mark.parametrize("case_name", ["Gamma", "Chi2"])
def test_gamma_rsample_gradient_matches_torch_at_the_same_draw(case_name):
    """torch's gradient of the same draw: x = s / rate with s = x * rate, d s / d a = _standard_gamma_grad."""
    case = next(c for c in CASES if c.name == case_name)
    minitorch.manual_seed(11)
    dm, pm = case.make("mt")
    x = dm.rsample((6,))
    (x.sin() * x).sum().backward()
    dt, pt = case.make("torch")
    conc, rate = dt.concentration.expand(x.shape), dt.rate.expand(x.shape)
    s = torch.tensor(x.detach().numpy()) * rate.detach()
    ds = torch._standard_gamma_grad(conc.detach(), s)
    s_t = s + (conc - conc.detach()) * ds  # the value s, the gradient of torch's _standard_gamma
    xt = s_t / rate
    assert_close(x, xt, rtol=1e-12)
    (xt.sin() * xt).sum().backward()
    _compare_grads(pm, pt, rtol=3e-3, atol=1e-9)


def _per_draw(values, n):
    """A leaf of shape (n,) + values.shape: each draw gets its own copy of the parameters, so its gradient
    is the per-draw gradient (mean and standard error over draws)."""
    return minitorch.tensor(np.broadcast_to(values, (n,) + values.shape).copy(), requires_grad=True)


def _assert_unbiased(grads, expected):
    g = grads.grad.numpy()
    n = g.shape[0]
    se = g.std(0) / math.sqrt(n)
    assert np.all(np.abs(g.mean(0) - expected) < 6 * se + 1e-9), (g.mean(0), expected, se)


def test_reparameterised_gradients_are_unbiased_for_the_gamma_family():
    """d E[x] / d params from the average per-draw gradient of rsample: Gamma (a/b), Beta (a/(a+b)),
    Dirichlet (a_k / a_0) and StudentT (E[(x - loc)^2] = s^2 df / (df - 2))."""
    n = 20_000
    minitorch.manual_seed(5)
    a, b = np.array([0.3, 1.0, 5.0, 20.0]), np.array([1.0, 2.0, 0.5, 3.0])
    ta, tb = _per_draw(a, n), _per_draw(b, n)
    MD.Gamma(ta, tb).rsample().sum().backward()
    _assert_unbiased(ta, 1 / b)
    _assert_unbiased(tb, -a / b**2)

    c1, c0 = np.array([0.5, 2.0, 6.0]), np.array([1.5, 0.4, 3.0])
    t1, t0 = _per_draw(c1, n), _per_draw(c0, n)
    MD.Beta(t1, t0).rsample().sum().backward()
    _assert_unbiased(t1, c0 / (c1 + c0) ** 2)
    _assert_unbiased(t0, -c1 / (c1 + c0) ** 2)

    c = np.array([0.7, 2.0, 4.0])
    tc = _per_draw(c, n)
    (MD.Dirichlet(tc).rsample() * minitorch.tensor([1.0, 0.0, 0.0])).sum().backward()
    _assert_unbiased(tc, np.array([c[1] + c[2], -c[0], -c[0]]) / c.sum() ** 2)

    df, scale = np.array([12.0, 20.0]), np.array([1.0, 0.5])
    tdf, ts = _per_draw(df, n), _per_draw(scale, n)
    ((MD.StudentT(tdf, 0.0, ts).rsample()) ** 2).sum().backward()
    _assert_unbiased(tdf, -2 * scale**2 / (df - 2) ** 2)
    _assert_unbiased(ts, 2 * scale * df / (df - 2))


# ---------------------------------------------------------------- KL divergence -----------------------------
KL_PAIRS = [
    ("Gamma-Gamma", lambda D, a, b, c, d: (D.Gamma(a, b), D.Gamma(c, d)), (_pos(3), _pos(3), _pos(3), _pos(3))),
    ("Chi2-Gamma", lambda D, a, c, d: (D.Chi2(a), D.Gamma(c, d)), (_pos(3), _pos(3), _pos(3))),
    ("Beta-Beta", lambda D, a, b, c, d: (D.Beta(a, b), D.Beta(c, d)), (_pos(3), _pos(3), _pos(2, 1), _pos(3))),
    ("Dirichlet-Dirichlet", lambda D, a, b: (D.Dirichlet(a), D.Dirichlet(b)), (_pos(2, 4), _pos(4))),
    ("Binomial-Binomial", lambda D, a, b: (D.Binomial(7, probs=a), D.Binomial(7, logits=b)),
     (_unit(3), RNG.standard_normal(3))),
    ("Exponential-Gamma", lambda D, a, c, d: (D.Exponential(a), D.Gamma(c, d)), (_pos(3), _pos(3), _pos(3))),
    ("Gamma-Exponential", lambda D, a, b, c: (D.Gamma(a, b), D.Exponential(c)), (_pos(3), _pos(3), _pos(3))),
    ("Gamma-Normal", lambda D, a, b, c, d: (D.Gamma(a, b), D.Normal(c, d)),
     (_pos(3), _pos(3), RNG.standard_normal(3), _pos(3))),
    ("Beta-Exponential", lambda D, a, b, c: (D.Beta(a, b), D.Exponential(c)), (_pos(3), _pos(3), _pos(3))),
    ("Beta-Gamma", lambda D, a, b, c, d: (D.Beta(a, b), D.Gamma(c, d)), (_pos(3), _pos(3), _pos(3), _pos(3))),
    ("Beta-Normal", lambda D, a, b, c, d: (D.Beta(a, b), D.Normal(c, d)),
     (_pos(3), _pos(3), RNG.standard_normal(3), _pos(3))),
    ("Beta-Uniform", lambda D, a, b, c, d: (D.Beta(a, b), D.Uniform(c, d)),
     (_pos(3), _pos(3), np.array([-0.5, 0.0, 0.2]), np.array([1.0, 1.5, 1.0]))),
    ("Uniform-Beta", lambda D, a, b, c, d: (D.Uniform(a, b), D.Beta(c, d)),
     (np.array([0.1, 0.3, -0.1]), np.array([0.9, 0.5, 0.5]), _pos(3), _pos(3))),
    ("Uniform-Gamma", lambda D, a, b, c, d: (D.Uniform(a, b), D.Gamma(c, d)),
     (np.array([0.1, 0.3, -0.1]), np.array([0.9, 2.5, 0.5]), _pos(3), _pos(3))),
]


@pytest.mark.parametrize("build, arrays", [p[1:] for p in KL_PAIRS], ids=[p[0] for p in KL_PAIRS])
def test_kl_divergence_and_gradients_match_torch(build, arrays):
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    ms = [minitorch.tensor(a, requires_grad=True) for a in arrays]
    kt, km = TD.kl_divergence(*build(TD, *ts)), MD.kl_divergence(*build(MD, *ms))
    assert_close(km, kt, rtol=1e-9, atol=1e-10)
    finite = torch.isfinite(kt)
    (kt[finite].sum() if not finite.all() else kt.sum()).backward()
    mask = minitorch.tensor(finite.numpy())
    minitorch.where(mask, km, 0.0).sum().backward()
    for m, t in zip(ms, ts):
        if t.grad is None:
            continue
        assert_close(m.grad, t.grad, rtol=1e-6, atol=1e-9)


INFINITE_PAIRS = [
    ("Gamma-Beta", lambda D, T: (D.Gamma(T([1.0, 2.0]), T([1.0, 1.0])), D.Beta(T([1.0, 2.0]), T([2.0, 1.0])))),
    ("Gamma-Uniform", lambda D, T: (D.Gamma(T([1.0]), T([1.0])), D.Uniform(T([0.0]), T([1.0])))),
    ("Exponential-Beta", lambda D, T: (D.Exponential(T([1.0])), D.Beta(T([1.0]), T([2.0])))),
    ("Normal-Gamma", lambda D, T: (D.Normal(T([1.0]), T([1.0])), D.Gamma(T([1.0]), T([2.0])))),
    ("Laplace-Beta", lambda D, T: (D.Laplace(T([1.0]), T([1.0])), D.Beta(T([1.0]), T([2.0])))),
    ("Poisson-Binomial", lambda D, T: (D.Poisson(T([1.0])), D.Binomial(3, T([0.2])))),
    ("Binomial larger count", lambda D, T: (D.Binomial(T([5.0, 4.0]), T([0.2, 0.3])),
                                            D.Binomial(T([4.0, 4.0]), T([0.2, 0.5])))),
]


@pytest.mark.parametrize("build", [b for _, b in INFINITE_PAIRS], ids=[n for n, _ in INFINITE_PAIRS])
def test_kl_with_disjoint_supports_is_infinite_like_torch(build):
    assert_close(MD.kl_divergence(*build(MD, minitorch.tensor)), TD.kl_divergence(*build(TD, torch.tensor)))


def test_kl_binomial_with_a_larger_q_count_raises_like_torch():
    def kl(D, T):
        return D.kl_divergence(D.Binomial(3, T([0.2])), D.Binomial(4, T([0.2])))

    raises_like_torch(lambda: kl(TD, torch.tensor), lambda: kl(MD, minitorch.tensor))


# ---------------------------------------------------------------- validation --------------------------------
BAD_ARGS = [
    ("Gamma concentration < 0", lambda D, T: D.Gamma(T([1.0, -1.0]), T([1.0, 1.0]))),
    ("Gamma rate 0", lambda D, T: D.Gamma(T([1.0]), T([0.0]))),
    ("Chi2 df 0", lambda D, T: D.Chi2(T([0.0, 1.0]))),
    ("Beta concentration0 < 0", lambda D, T: D.Beta(T([1.0]), T([-1.0]))),
    ("Dirichlet 0-d", lambda D, T: D.Dirichlet(T(1.0))),
    ("Dirichlet zero", lambda D, T: D.Dirichlet(T([1.0, 0.0]))),
    ("StudentT df 0", lambda D, T: D.StudentT(T([0.0]))),
    ("StudentT scale < 0", lambda D, T: D.StudentT(T([1.0]), T([0.0]), T([-1.0]))),
    ("Binomial probs > 1", lambda D, T: D.Binomial(3, probs=T([1.5]))),
    ("Binomial fractional count", lambda D, T: D.Binomial(T([2.5]), probs=T([0.5]))),
    ("Binomial negative count", lambda D, T: D.Binomial(T([-1.0]), logits=T([0.5]))),
    ("Binomial both", lambda D, T: D.Binomial(3, probs=T([0.5]), logits=T([0.0]))),
    ("Binomial neither", lambda D, T: D.Binomial(3)),
    ("NegativeBinomial probs 1", lambda D, T: D.NegativeBinomial(T([2.0]), probs=T([1.0]))),
    ("NegativeBinomial count < 0", lambda D, T: D.NegativeBinomial(T([-2.0]), probs=T([0.5]))),
]


@pytest.mark.parametrize("build", [b for _, b in BAD_ARGS], ids=[n for n, _ in BAD_ARGS])
def test_bad_parameters_raise_like_torch(build):
    raises_like_torch(lambda: build(TD, torch.tensor), lambda: build(MD, minitorch.tensor))


BAD_VALUES = [
    ("Gamma negative", lambda D, T: D.Gamma(T([1.0]), T([1.0])), [-1.0]),
    ("Chi2 negative", lambda D, T: D.Chi2(T([1.0])), [-0.5]),
    ("Beta above 1", lambda D, T: D.Beta(T([1.0]), T([1.0])), [1.5]),
    ("Dirichlet not on the simplex", lambda D, T: D.Dirichlet(T([1.0, 2.0])), [0.5, 0.6]),
    ("Dirichlet wrong event size", lambda D, T: D.Dirichlet(T([1.0, 2.0])), [0.2, 0.3, 0.5]),
    ("StudentT nan", lambda D, T: D.StudentT(T([3.0])), [math.nan]),
    ("Binomial above count", lambda D, T: D.Binomial(T([3.0]), T([0.5])), [4.0]),
    ("Binomial fraction", lambda D, T: D.Binomial(T([3.0]), T([0.5])), [1.5]),
    ("NegativeBinomial negative", lambda D, T: D.NegativeBinomial(T([3.0]), T([0.5])), [-1.0]),
]


@pytest.mark.parametrize("build, value", [b[1:] for b in BAD_VALUES], ids=[b[0] for b in BAD_VALUES])
def test_values_outside_the_support_raise_like_torch(build, value):
    raises_like_torch(lambda: build(TD, torch.tensor).log_prob(torch.tensor(value)),
                      lambda: build(MD, minitorch.tensor).log_prob(minitorch.tensor(value)))


@pytest.mark.parametrize("device", devices())
def test_validation_error_on_the_device(device):
    with pytest.raises(ValueError, match="concentration"):
        MD.Gamma(minitorch.tensor([1.0, -1.0], device=device), 1.0)
    with pytest.raises(ValueError, match="support"):
        MD.Beta(minitorch.ones(2, device=device), 2.0).log_prob(minitorch.tensor([0.5, 1.5], device=device))
