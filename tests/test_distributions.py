"""minitorch.distributions vs torch.distributions.

Each distribution is built from the same parameters in both libraries; log_prob, entropy, the moments,
cdf/icdf and their gradients must agree. Draws are random, so: shapes and dtypes are checked exactly,
the moments of many draws statistically (fixed seed, bounds of >= 5 standard errors), and rsample's
gradient against torch's reparameterisation at the *same noise*: for a univariate distribution the noise
of a draw x is u = cdf(x), and torch's icdf(u) is the same function of the parameters, so the gradients
of a loss of the draw must match.
"""
from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest

import minitorch
import minitorch.distributions as MD
from minitorch.distributions import constraints as MC

from .helpers import assert_close, devices, no_host_sync, raises_like_torch, require_torch

torch = require_torch()
TD = torch.distributions
RNG = np.random.default_rng(20240601)


def _randn(*shape):
    return RNG.standard_normal(shape)


def _pos(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def _unit(*shape):
    return RNG.uniform(0.1, 0.9, shape)


def _spd(batch, n):
    x = RNG.standard_normal(batch + (n, n))
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


_UNIFORM_LOW = _randn(3, 2)
_UNIFORM_HIGH = _UNIFORM_LOW + _pos(3, 2)
_CAT_PROBS = RNG.uniform(0.1, 1.0, (3, 2, 5))
_COV = _spd((3,), 4)


class Case:
    """A distribution built the same way in both libraries: ``build(D, **params)`` with ``D`` the
    distributions module; ``value`` in the support with shape sample + batch + event."""

    def __init__(self, name, build, params, value, cdf=False, extra=()):
        self.name, self.build, self.params, self.value, self.cdf = name, build, params, value, cdf
        self.extra = extra  # non-differentiated parameters (numpy arrays passed as tensors)

    def make(self, lib, device="cpu", grad=True, **kw):
        """(distribution, {name: parameter tensor}) in ``lib`` ('torch' or 'mt')."""
        ps = {}
        for k, v in {**self.params, **dict(self.extra)}.items():
            if lib == "torch":
                t = torch.tensor(v)
            else:
                t = minitorch.tensor(v, device=device)
            if grad and k in self.params and v.dtype.kind == "f":
                t.requires_grad_(True)
            ps[k] = t
        return self.build(TD if lib == "torch" else MD, **ps, **kw), ps

    def values(self, lib, device="cpu"):
        return torch.tensor(self.value) if lib == "torch" else minitorch.tensor(self.value, device=device)


CASES = [
    Case("Normal", lambda D, loc, scale, **kw: D.Normal(loc, scale, **kw),
         {"loc": _randn(3, 2), "scale": _pos(3, 2)}, _randn(4, 3, 2), cdf=True),
    Case("Uniform", lambda D, low, high, **kw: D.Uniform(low, high, **kw),
         {"low": _UNIFORM_LOW, "high": _UNIFORM_HIGH},
         _UNIFORM_LOW + (_UNIFORM_HIGH - _UNIFORM_LOW) * RNG.uniform(0.05, 0.95, (4, 3, 2)), cdf=True),
    Case("Exponential", lambda D, rate, **kw: D.Exponential(rate, **kw), {"rate": _pos(3, 2)}, _pos(4, 3, 2),
         cdf=True),
    Case("Laplace", lambda D, loc, scale, **kw: D.Laplace(loc, scale, **kw),
         {"loc": _randn(3, 2), "scale": _pos(3, 2)}, _randn(4, 3, 2), cdf=True),
    Case("Cauchy", lambda D, loc, scale, **kw: D.Cauchy(loc, scale, **kw),
         {"loc": _randn(3, 2), "scale": _pos(3, 2)}, _randn(4, 3, 2), cdf=True),
    Case("LogNormal", lambda D, loc, scale, **kw: D.LogNormal(loc, scale, **kw),
         {"loc": _randn(3, 2) * 0.5, "scale": _unit(3, 2)}, _pos(4, 3, 2), cdf=True),
    Case("Bernoulli-probs", lambda D, probs, **kw: D.Bernoulli(probs=probs, **kw), {"probs": _unit(3, 2)},
         RNG.integers(0, 2, (4, 3, 2)).astype(np.float64)),
    Case("Bernoulli-logits", lambda D, logits, **kw: D.Bernoulli(logits=logits, **kw), {"logits": _randn(3, 2)},
         RNG.integers(0, 2, (4, 3, 2)).astype(np.float64)),
    Case("Geometric-probs", lambda D, probs, **kw: D.Geometric(probs=probs, **kw), {"probs": _unit(3, 2)},
         RNG.integers(0, 6, (4, 3, 2)).astype(np.float64)),
    Case("Geometric-logits", lambda D, logits, **kw: D.Geometric(logits=logits, **kw), {"logits": _randn(3, 2)},
         RNG.integers(0, 6, (4, 3, 2)).astype(np.float64)),
    Case("Categorical-probs", lambda D, probs, **kw: D.Categorical(probs=probs, **kw), {"probs": _CAT_PROBS},
         RNG.integers(0, 5, (4, 3, 2))),
    Case("Categorical-logits", lambda D, logits, **kw: D.Categorical(logits=logits, **kw),
         {"logits": _randn(3, 2, 5)}, RNG.integers(0, 5, (4, 3, 2))),
    Case("OneHotCategorical", lambda D, probs, **kw: D.OneHotCategorical(probs=probs, **kw), {"probs": _CAT_PROBS},
         np.eye(5)[RNG.integers(0, 5, (4, 3, 2))]),
    Case("OneHotCategorical-logits", lambda D, logits, **kw: D.OneHotCategorical(logits=logits, **kw),
         {"logits": _randn(3, 2, 5)}, np.eye(5)[RNG.integers(0, 5, (4, 3, 2))]),
    Case("Poisson", lambda D, rate, **kw: D.Poisson(rate, **kw), {"rate": _pos(3, 2) * 2},
         RNG.integers(0, 8, (4, 3, 2)).astype(np.float64)),
    Case("Independent-Normal", lambda D, loc, scale, **kw: D.Independent(D.Normal(loc, scale, **kw), 1, **kw),
         {"loc": _randn(3, 2), "scale": _pos(3, 2)}, _randn(4, 3, 2)),
    Case("MVN-cov", lambda D, loc, cov, **kw: D.MultivariateNormal(loc, covariance_matrix=cov, **kw),
         {"loc": _randn(2, 1, 4), "cov": _COV}, _randn(5, 2, 3, 4)),
    Case("MVN-precision", lambda D, loc, prec, **kw: D.MultivariateNormal(loc, precision_matrix=prec, **kw),
         {"loc": _randn(4), "prec": _COV}, _randn(5, 3, 4)),
    Case("MVN-scale_tril", lambda D, loc, tril, **kw: D.MultivariateNormal(loc, scale_tril=tril, **kw),
         {"loc": _randn(3, 4), "tril": np.linalg.cholesky(_COV)}, _randn(5, 3, 4)),
]
IDS = [c.name for c in CASES]
RSAMPLE_CASES = [c for c in CASES if c.name.split("-")[0] in
                 ("Normal", "Uniform", "Exponential", "Laplace", "Cauchy", "LogNormal", "Independent", "MVN")]


@pytest.fixture(autouse=True)
def _default_validation():
    """Each test starts with torch's default (validation on) and leaves it that way."""
    MD.Distribution.set_default_validate_args(True)
    yield
    MD.Distribution.set_default_validate_args(True)
    minitorch.backend.checks.discard_pending()


def _grads(params):
    return {k: v.grad for k, v in params.items() if getattr(v, "requires_grad", False)}


def _compare_grads(mt_params, t_params, rtol=1e-6, atol=1e-8):
    gm, gt = _grads(mt_params), _grads(t_params)
    assert set(gm) == set(gt)
    for k in gt:
        assert gt[k] is not None, k
        assert_close(gm[k], gt[k], rtol=rtol, atol=atol, msg=f"grad of {k}")


# ---------------------------------------------------------------- values and gradients vs torch ------------
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_shapes_and_flags_match_torch(case):
    dt, _ = case.make("torch")
    dm, _ = case.make("mt")
    assert tuple(dm.batch_shape) == tuple(dt.batch_shape)
    assert tuple(dm.event_shape) == tuple(dt.event_shape)
    assert isinstance(dm.batch_shape, minitorch.Size)
    assert dm.has_rsample == dt.has_rsample
    assert dm.has_enumerate_support == dt.has_enumerate_support
    assert repr(dm) == repr(dt)


def _check_log_prob_entropy_and_grads(case, grad_rtol=1e-6, grad_atol=1e-8):
    """log_prob and entropy equal torch's (or both raise NotImplementedError for the entropy), and so do
    the gradients of their sum w.r.t. every parameter (shared by the distribution test files)."""
    dt, pt = case.make("torch")
    dm, pm = case.make("mt")
    lt, lm = dt.log_prob(case.values("torch")), dm.log_prob(case.values("mt"))
    assert_close(lm, lt, rtol=1e-9, atol=1e-10)
    try:
        et = dt.entropy()
    except NotImplementedError:  # e.g. Poisson: torch has no closed form
        with pytest.raises(NotImplementedError):
            dm.entropy()
        et = em = 0.0
    else:
        em = dm.entropy()
        assert_close(em, et, rtol=1e-9, atol=1e-10)
        et, em = et.sum(), em.sum()
    (lt.sum() + et).backward()
    (lm.sum() + em).backward()
    _compare_grads(pm, pt, rtol=grad_rtol, atol=grad_atol)


def _moment_of_both(case, attr):
    """(torch's value, minitorch's, torch params, minitorch params) of property ``attr``; None when torch
    raises NotImplementedError (after checking minitorch raises it too)."""
    dt, pt = case.make("torch")
    dm, pm = case.make("mt")
    try:
        expected = getattr(dt, attr)
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            getattr(dm, attr)
        return None
    return expected, getattr(dm, attr), pt, pm


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_log_prob_and_entropy_and_their_gradients_match_torch(case):
    _check_log_prob_entropy_and_grads(case)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("attr", ["mean", "variance", "stddev", "mode"])
def test_moments_and_mode_match_torch(case, attr):
    got = _moment_of_both(case, attr)
    if got is None:
        return
    expected, actual, _, _ = got
    assert actual.dtype.is_floating_point == expected.dtype.is_floating_point
    assert_close(actual, expected, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("case", [c for c in CASES if c.cdf], ids=[c.name for c in CASES if c.cdf])
def test_cdf_icdf_and_gradients_match_torch(case):
    dt, pt = case.make("torch")
    dm, pm = case.make("mt")
    u = RNG.uniform(0.02, 0.98, (4, 3, 2))
    ct, cm = dt.cdf(case.values("torch")), dm.cdf(case.values("mt"))
    it, im = dt.icdf(torch.tensor(u)), dm.icdf(minitorch.tensor(u))
    assert_close(cm, ct, rtol=1e-9, atol=1e-10)
    assert_close(im, it, rtol=1e-9, atol=1e-10)
    assert_close(dm.cdf(im), u, rtol=1e-7, atol=1e-9)  # icdf inverts cdf
    (ct.sum() + it.sum()).backward()
    (cm.sum() + im.sum()).backward()
    _compare_grads(pm, pt)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_expand_matches_torch(case):
    dt, _ = case.make("torch")
    dm, _ = case.make("mt")
    new_batch = case.value.shape[:1] + tuple(dt.batch_shape)  # broadcasts with the values
    et, em = dt.expand(new_batch), dm.expand(new_batch)
    assert type(em).__name__ == type(et).__name__
    assert tuple(em.batch_shape) == tuple(et.batch_shape) and tuple(em.event_shape) == tuple(et.event_shape)
    assert_close(em.log_prob(case.values("mt")), et.log_prob(case.values("torch")), rtol=1e-9, atol=1e-10)
    assert tuple(em.sample().shape) == tuple(et.sample().shape)


def test_scalar_parameters_give_default_dtype_and_empty_batch_shape():
    d = MD.Normal(0.0, 1.0)
    assert d.batch_shape == minitorch.Size([]) and d.loc.dtype == minitorch.float32
    assert d.sample((3,)).dtype == minitorch.float32
    assert repr(d) == repr(TD.Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"
    assert MD.Normal(minitorch.zeros(2, dtype=minitorch.float64), 1.0).scale.dtype == minitorch.float64
    assert repr(MD.Bernoulli(logits=minitorch.tensor(0.3))) == repr(TD.Bernoulli(logits=torch.tensor(0.3)))


# ---------------------------------------------------------------- sampling ----------------------------------
@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("sample_shape", [(), (7,), (2, 3)])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sample_and_rsample_shapes_dtypes_devices(case, sample_shape, device):
    dt, _ = case.make("torch")
    dm, _ = case.make("mt", device=device)
    st = dt.sample(sample_shape)
    sm = dm.sample(sample_shape)
    assert tuple(sm.shape) == tuple(st.shape)
    assert sm.dtype == getattr(minitorch, str(st.dtype).split(".")[-1])
    assert sm.device.type == device and not sm.requires_grad
    if dt.has_rsample:
        rm = dm.rsample(sample_shape)
        assert tuple(rm.shape) == tuple(st.shape) and rm.requires_grad
    else:
        with pytest.raises(NotImplementedError):
            dm.rsample(sample_shape)
    assert bool(dm.support.check(sm).all())
    assert tuple(dm.log_prob(sm).shape) == tuple(dt.log_prob(st).shape)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sampling_and_log_prob_do_not_sync_the_gpu(case, device):
    """Without validation nothing reads values back to the host (torch's draws don't sync either)."""
    dm, _ = case.make("mt", device=device, validate_args=False)
    value = case.values("mt", device)
    with no_host_sync() if device == "cuda" else contextlib.nullcontext():
        s = dm.sample((5,))
        lp = dm.log_prob(value)
        dm.log_prob(s)
        if case.name != "Poisson":
            dm.entropy()
        if dm.has_rsample:
            dm.rsample((5,))
    assert s.device.type == device and lp.device.type == device


def _draws(case, device, n):
    minitorch.manual_seed(1234)
    dm, _ = case.make("mt", device=device, grad=False)
    return dm, dm.sample((n,)).cpu().numpy()


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("case", [c for c in CASES if c.name != "Cauchy"], ids=[c.name for c in CASES
                                                                                 if c.name != "Cauchy"])
def test_sample_mean_and_variance_within_standard_errors(case, device):
    n = 40_000
    dm, x = _draws(case, device, n)
    mean, var = dm.mean.detach().cpu().numpy(), dm.variance.detach().cpu().numpy()
    if np.isnan(mean).all():  # Categorical: no mean; compare the frequencies of each class
        probs = dm.probs.detach().cpu().numpy()
        freq = np.stack([(x == k).mean(0) for k in range(probs.shape[-1])], -1)
        se = np.sqrt(probs * (1 - probs) / n)
        assert np.all(np.abs(freq - probs) < 6 * se)
        return
    _check_moments(x, mean, var, n)


def _check_moments(x, mean, var, n):
    """The draws' mean and variance within 6 standard errors of the distribution's."""
    se_mean = np.sqrt(var / n)
    assert np.all(np.abs(x.mean(0) - mean) < 6 * se_mean + 1e-12), (x.mean(0), mean)
    # the sample variance's standard error, from the fourth central moment of the draws
    m4 = ((x - mean) ** 4).mean(0)
    se_var = np.sqrt(np.maximum(m4 - var**2, 0) / n)
    assert np.all(np.abs(x.var(0) - var) < 6 * se_var + 1e-12), (x.var(0), var)


@pytest.mark.parametrize("device", devices())
def test_cauchy_samples_have_the_right_median_and_quartiles(device):
    minitorch.manual_seed(7)
    x = MD.Cauchy(minitorch.tensor(1.5, device=device), 0.5).sample((40_000,)).cpu().numpy()
    q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    assert abs(med - 1.5) < 0.03 and abs(q1 - 1.0) < 0.03 and abs(q3 - 2.0) < 0.03


@pytest.mark.parametrize("device", devices())
def test_mvn_sample_covariance(device):
    minitorch.manual_seed(3)
    cov = _COV[0]
    d = MD.MultivariateNormal(minitorch.tensor(_randn(4), device=device), minitorch.tensor(cov, device=device))
    x = d.sample((50_000,)).cpu().numpy()
    emp = np.cov(x.T)
    se = np.sqrt((cov**2 + np.outer(np.diag(cov), np.diag(cov))) / x.shape[0])  # Wishart entry variances
    assert np.all(np.abs(emp - cov) < 6 * se)


def test_sampling_is_repeatable_with_manual_seed():
    d = MD.Normal(minitorch.zeros(3), 1.0)
    minitorch.manual_seed(5)
    a = d.sample((4,)).numpy()
    minitorch.manual_seed(5)
    assert np.array_equal(a, d.sample((4,)).numpy())


@pytest.mark.parametrize("case", RSAMPLE_CASES, ids=[c.name for c in RSAMPLE_CASES])
def test_rsample_gradient_matches_torch_at_the_same_noise(case):
    """Gradient of a loss of an rsample draw = torch's gradient of the same loss of the same draw written as
    a function of the parameters at the draw's noise (u = cdf(x) and icdf(u); MVN: eps = L^-1 (x - loc))."""
    minitorch.manual_seed(11)
    dm, pm = case.make("mt")
    x = dm.rsample((6,))
    (x.sin() * x).sum().backward()
    dt, pt = case.make("torch")
    xd = torch.tensor(x.detach().numpy())
    if case.name.startswith("MVN"):
        tril = dt.scale_tril.detach()
        eps = torch.linalg.solve_triangular(tril, (xd - dt.loc.detach()).unsqueeze(-1), upper=False)
        xt = dt.loc + (dt.scale_tril @ eps).squeeze(-1)
    else:
        base = dt.base_dist if case.name.startswith("Independent") else dt
        with torch.no_grad():
            u = base.cdf(xd)
        xt = base.icdf(u)
    assert_close(x, xt, rtol=1e-8, atol=1e-9)
    (xt.sin() * xt).sum().backward()
    _compare_grads(pm, pt, rtol=1e-6, atol=1e-8)


def test_sample_is_outside_the_graph():
    loc = minitorch.zeros(3, requires_grad=True)
    assert not MD.Normal(loc, 1.0).sample().requires_grad
    assert MD.Normal(loc, 1.0).rsample().requires_grad


def test_enumerate_support_matches_torch():
    for case in CASES:
        dt, _ = case.make("torch")
        if not dt.has_enumerate_support:
            continue
        dm, _ = case.make("mt")
        for expand in (True, False):
            assert_close(dm.enumerate_support(expand), dt.enumerate_support(expand), msg=case.name)


# ---------------------------------------------------------------- KL divergence -----------------------------
KL_PAIRS = [
    ("Normal", lambda D, a, b, c, d: (D.Normal(a, b), D.Normal(c, d)), (_randn(3), _pos(3), _randn(3), _pos(3))),
    ("Laplace", lambda D, a, b, c, d: (D.Laplace(a, b), D.Laplace(c, d)), (_randn(3), _pos(3), _randn(3), _pos(3))),
    ("Cauchy", lambda D, a, b, c, d: (D.Cauchy(a, b), D.Cauchy(c, d)), (_randn(3), _pos(3), _randn(3), _pos(3))),
    ("Exponential", lambda D, a, b: (D.Exponential(a), D.Exponential(b)), (_pos(3), _pos(3))),
    ("Uniform", lambda D, a, b, c, d: (D.Uniform(a, b), D.Uniform(c, d)),
     (np.array([0.0, 0.2, -1.0]), np.array([1.0, 0.9, 0.0]), np.array([-0.5, 0.1, 0.0]), np.array([1.5, 1.0, 2.0]))),
    ("Bernoulli", lambda D, a, b: (D.Bernoulli(probs=a), D.Bernoulli(logits=b)), (_unit(3), _randn(3))),
    ("Categorical", lambda D, a, b: (D.Categorical(probs=a), D.Categorical(logits=b)),
     (RNG.uniform(0.1, 1, (2, 5)), _randn(2, 5))),
    ("OneHotCategorical", lambda D, a, b: (D.OneHotCategorical(logits=a), D.OneHotCategorical(probs=b)),
     (_randn(2, 5), RNG.uniform(0.1, 1, (2, 5)))),
    ("Independent", lambda D, a, b, c, d: (D.Independent(D.Normal(a, b), 1), D.Independent(D.Normal(c, d), 1)),
     (_randn(2, 3), _pos(2, 3), _randn(3), _pos(3))),
    ("MVN", lambda D, a, b, c, d: (D.MultivariateNormal(a, b), D.MultivariateNormal(c, scale_tril=d)),
     (_randn(2, 1, 3), _spd((3,), 3), _randn(3), np.linalg.cholesky(_spd((), 3)))),
]


@pytest.mark.parametrize("build, arrays", [p[1:] for p in KL_PAIRS], ids=[p[0] for p in KL_PAIRS])
def test_kl_divergence_and_gradients_match_torch(build, arrays):
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    ms = [minitorch.tensor(a, requires_grad=True) for a in arrays]
    kt, km = TD.kl_divergence(*build(TD, *ts)), MD.kl_divergence(*build(MD, *ms))
    assert_close(km, kt, rtol=1e-9, atol=1e-10)
    kt.sum().backward()
    km.sum().backward()
    for m, t in zip(ms, ts):
        assert_close(m.grad, t.grad, rtol=1e-6, atol=1e-9)


def test_kl_edge_values_match_torch():
    """Zero-probability categories and non-nested Uniform supports give inf (or 0) as in torch."""
    p, q = np.array([[0.0, 0.5, 0.5], [0.2, 0.8, 0.0]]), np.array([[0.3, 0.7, 0.0], [0.1, 0.1, 0.8]])
    assert_close(MD.kl_divergence(MD.Categorical(minitorch.tensor(p)), MD.Categorical(minitorch.tensor(q))),
                 TD.kl_divergence(TD.Categorical(torch.tensor(p)), TD.Categorical(torch.tensor(q))))
    bp, bq = np.array([0.0, 1.0, 0.3, 0.3]), np.array([0.5, 0.5, 0.0, 1.0])
    assert_close(MD.kl_divergence(MD.Bernoulli(minitorch.tensor(bp)), MD.Bernoulli(minitorch.tensor(bq))),
                 TD.kl_divergence(TD.Bernoulli(torch.tensor(bp)), TD.Bernoulli(torch.tensor(bq))))
    assert_close(MD.kl_divergence(MD.Uniform(0.0, 2.0), MD.Uniform(0.5, 3.0)),
                 TD.kl_divergence(TD.Uniform(0.0, 2.0), TD.Uniform(0.5, 3.0)))


def test_kl_unregistered_pair_raises_and_register_kl_dispatches_to_subclasses():
    raises_like_torch(lambda: TD.kl_divergence(TD.Normal(0.0, 1.0), TD.Cauchy(0.0, 1.0)),
                      lambda: MD.kl_divergence(MD.Normal(0.0, 1.0), MD.Cauchy(0.0, 1.0)))

    class MyNormal(MD.Normal):
        pass

    assert float(MD.kl_divergence(MyNormal(0.0, 1.0), MD.Normal(1.0, 1.0))) == pytest.approx(0.5)

    @MD.register_kl(MyNormal, MD.Cauchy)
    def _kl(p, q):
        return minitorch.tensor(42.0)

    assert float(MD.kl_divergence(MyNormal(0.0, 1.0), MD.Cauchy(0.0, 1.0))) == 42.0
    with pytest.raises(NotImplementedError):
        MD.kl_divergence(MD.Normal(0.0, 1.0), MD.Cauchy(0.0, 1.0))
    with pytest.raises(TypeError):
        MD.register_kl(MyNormal, "Cauchy")


# ---------------------------------------------------------------- validation --------------------------------
BAD_ARGS = [
    ("Normal scale < 0", lambda D, T: D.Normal(T([0.0, 1.0]), T([1.0, -1.0]))),
    ("Normal loc nan", lambda D, T: D.Normal(T([math.nan]), T([1.0]))),
    ("Uniform low >= high", lambda D, T: D.Uniform(T([0.0, 2.0]), T([1.0, 1.0]))),
    ("Exponential rate 0", lambda D, T: D.Exponential(T([0.0]))),
    ("Laplace scale 0", lambda D, T: D.Laplace(T([0.0]), T([0.0]))),
    ("Cauchy scale < 0", lambda D, T: D.Cauchy(T([0.0]), T([-2.0]))),
    ("LogNormal scale < 0", lambda D, T: D.LogNormal(T([0.0]), T([-2.0]))),
    ("Bernoulli probs > 1", lambda D, T: D.Bernoulli(probs=T([0.5, 1.5]))),
    ("Bernoulli both", lambda D, T: D.Bernoulli(probs=T([0.5]), logits=T([0.0]))),
    ("Bernoulli neither", lambda D, T: D.Bernoulli()),
    ("Geometric probs 0", lambda D, T: D.Geometric(probs=T([0.0, 0.5]))),
    ("Poisson rate < 0", lambda D, T: D.Poisson(T([1.0, -1.0]))),
    ("Geometric probs > 1", lambda D, T: D.Geometric(probs=T([1.5]))),
    ("Categorical negative probs", lambda D, T: D.Categorical(probs=T([0.5, -0.1, 0.6]))),
    ("Categorical 0-d", lambda D, T: D.Categorical(probs=T(0.5))),
    ("Categorical logits nan", lambda D, T: D.Categorical(logits=T([0.0, math.nan]))),
    ("OneHotCategorical negative", lambda D, T: D.OneHotCategorical(probs=T([1.5, -0.5]))),
    ("MVN not symmetric", lambda D, T: D.MultivariateNormal(T([0.0, 0.0]), T([[1.0, 0.5], [0.0, 1.0]]))),
    ("MVN not positive definite", lambda D, T: D.MultivariateNormal(T([0.0, 0.0]), T([[1.0, 2.0], [2.0, 1.0]]))),
    ("MVN scale_tril not lower", lambda D, T: D.MultivariateNormal(T([0.0, 0.0]), scale_tril=T([[1.0, 1.0],
                                                                                                  [0.0, 1.0]]))),
    ("MVN two matrices", lambda D, T: D.MultivariateNormal(T([0.0]), T([[1.0]]), scale_tril=T([[1.0]]))),
    ("MVN 0-d loc", lambda D, T: D.MultivariateNormal(T(0.0), T([[1.0]]))),
    ("Independent too many dims", lambda D, T: D.Independent(D.Normal(T([0.0]), T([1.0])), 2)),
]


@pytest.mark.parametrize("build", [b for _, b in BAD_ARGS], ids=[n for n, _ in BAD_ARGS])
def test_bad_parameters_raise_like_torch(build):
    raises_like_torch(lambda: build(TD, torch.tensor), lambda: build(MD, minitorch.tensor))


BAD_VALUES = [
    ("Exponential negative", lambda D, T: D.Exponential(T([1.0])), [-1.0]),
    ("Uniform outside", lambda D, T: D.Uniform(T([0.0]), T([1.0])), [1.5]),
    ("LogNormal zero", lambda D, T: D.LogNormal(T([0.0]), T([1.0])), [0.0]),
    ("Bernoulli 0.5", lambda D, T: D.Bernoulli(probs=T([0.3])), [0.5]),
    ("Poisson fraction", lambda D, T: D.Poisson(T([2.0])), [1.5]),
    ("Geometric negative", lambda D, T: D.Geometric(probs=T([0.3])), [-1.0]),
    ("Categorical too large", lambda D, T: D.Categorical(probs=T([0.3, 0.7])), [2.0]),
    ("OneHotCategorical not one-hot", lambda D, T: D.OneHotCategorical(probs=T([0.3, 0.7])), [1.0, 1.0]),
    ("Normal wrong shape", lambda D, T: D.Normal(T([0.0, 1.0]), T([1.0, 1.0])), [0.0, 1.0, 2.0]),
    ("Normal nan", lambda D, T: D.Normal(T([0.0]), T([1.0])), [math.nan]),
    ("MVN wrong event size", lambda D, T: D.MultivariateNormal(T([0.0, 0.0]), T([[1.0, 0.0], [0.0, 1.0]])),
     [0.0, 0.0, 0.0]),
]


@pytest.mark.parametrize("build, value", [b[1:] for b in BAD_VALUES], ids=[b[0] for b in BAD_VALUES])
def test_values_outside_the_support_raise_like_torch(build, value):
    raises_like_torch(lambda: build(TD, torch.tensor).log_prob(torch.tensor(value)),
                      lambda: build(MD, minitorch.tensor).log_prob(minitorch.tensor(value)))


def test_non_tensor_value_raises_like_torch():
    raises_like_torch(lambda: TD.Normal(0.0, 1.0).log_prob(0.5), lambda: MD.Normal(0.0, 1.0).log_prob(0.5))


def test_validation_can_be_turned_off_per_instance_and_by_default():
    d = MD.Exponential(minitorch.tensor([1.0]), validate_args=False)
    t = TD.Exponential(torch.tensor([1.0]), validate_args=False)
    assert_close(d.log_prob(minitorch.tensor([-1.0])), t.log_prob(torch.tensor([-1.0])))
    MD.Normal(0.0, -1.0, validate_args=False)  # no error
    MD.Distribution.set_default_validate_args(False)
    MD.Normal(0.0, -1.0)
    MD.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        MD.Normal(0.0, -1.0)
    raises_like_torch(lambda: TD.Distribution.set_default_validate_args(3),
                      lambda: MD.Distribution.set_default_validate_args(3))
    TD.Distribution.set_default_validate_args(True)


@pytest.mark.parametrize("device", devices())
def test_validation_error_on_the_device(device):
    with pytest.raises(ValueError, match="scale"):
        MD.Normal(minitorch.zeros(2, device=device), minitorch.tensor([1.0, -1.0], device=device))
    with pytest.raises(ValueError, match="support"):
        MD.Exponential(minitorch.ones(2, device=device)).log_prob(minitorch.tensor([1.0, -1.0], device=device))


def test_error_message_names_the_parameter_and_constraint():
    with pytest.raises(ValueError) as err:
        MD.Normal(minitorch.tensor([0.0]), minitorch.tensor([-1.0]))
    assert "Expected parameter scale" in str(err.value) and "GreaterThan(lower_bound=0.0)" in str(err.value)


# ---------------------------------------------------------------- constraints -------------------------------
CONSTRAINTS = [
    ("real", lambda C: C.real, [0.0, math.nan, math.inf]),
    ("positive", lambda C: C.positive, [0.0, 1.0, -1.0]),
    ("nonnegative", lambda C: C.nonnegative, [0.0, 1.0, -1.0]),
    ("unit_interval", lambda C: C.unit_interval, [0.0, 1.0, 1.5, -0.1]),
    ("boolean", lambda C: C.boolean, [0.0, 1.0, 0.5]),
    ("nonnegative_integer", lambda C: C.nonnegative_integer, [0.0, 3.0, 2.5, -1.0]),
    ("positive_integer", lambda C: C.positive_integer, [0.0, 3.0, 2.5]),
    ("integer_interval", lambda C: C.integer_interval(1, 3), [0.0, 1.0, 3.0, 4.0, 1.5]),
    ("greater_than", lambda C: C.greater_than(2.0), [2.0, 2.5]),
    ("greater_than_eq", lambda C: C.greater_than_eq(2.0), [2.0, 1.5]),
    ("less_than", lambda C: C.less_than(2.0), [2.0, 1.5]),
    ("interval", lambda C: C.interval(-1.0, 1.0), [-1.0, 1.0, 1.1]),
    ("half_open_interval", lambda C: C.half_open_interval(-1.0, 1.0), [-1.0, 1.0]),
    ("simplex", lambda C: C.simplex, [[0.2, 0.8], [0.5, 0.6], [1.2, -0.2]]),
    ("one_hot", lambda C: C.one_hot, [[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]),
    ("real_vector", lambda C: C.real_vector, [[0.0, 1.0], [math.nan, 0.0]]),
    ("independent", lambda C: C.independent(C.positive, 1), [[1.0, 2.0], [1.0, -2.0]]),
    ("lower_cholesky", lambda C: C.lower_cholesky, [[[1.0, 0.0], [2.0, 1.0]], [[1.0, 1.0], [0.0, 1.0]],
                                                    [[-1.0, 0.0], [0.0, 1.0]]]),
    ("lower_triangular", lambda C: C.lower_triangular, [[[1.0, 0.0], [2.0, 1.0]], [[1.0, 1.0], [0.0, 1.0]]]),
    ("square", lambda C: C.square, [[1.0, 0.0], [2.0, 1.0]]),
    ("symmetric", lambda C: C.symmetric, [[[1.0, 2.0], [2.0, 1.0]], [[1.0, 1.0], [0.0, 1.0]]]),
    ("positive_definite", lambda C: C.positive_definite, [[[2.0, 1.0], [1.0, 2.0]], [[1.0, 2.0], [2.0, 1.0]]]),
]


@pytest.mark.parametrize("make, values", [c[1:] for c in CONSTRAINTS], ids=[c[0] for c in CONSTRAINTS])
def test_constraints_check_and_repr_match_torch(make, values):
    ct, cm = make(TD.constraints), make(MC)
    assert repr(cm) == repr(ct)
    assert cm.is_discrete == ct.is_discrete and cm.event_dim == ct.event_dim
    v = np.array(values)
    assert np.array_equal(cm.check(minitorch.tensor(v)).numpy(), ct.check(torch.tensor(v)).numpy())


def test_dependent_constraints():
    assert MC.is_dependent(MD.Uniform.support) and MC.is_dependent(MD.Categorical.support)
    assert not MC.is_dependent(MC.real)
    assert MD.Categorical.support.is_discrete and MD.Uniform.support.event_dim == 0
    with pytest.raises(ValueError):
        MC.dependent.check(minitorch.tensor(0.0))
    assert repr(MD.Uniform(0.0, 1.0).support) == "Interval(lower_bound=0.0, upper_bound=1.0)"


# ---------------------------------------------------------------- in use ------------------------------------
def test_reinforce_step_matches_torch():
    """A REINFORCE loss: -(log pi(a) * reward).mean() with a Categorical policy from logits."""
    logits, actions, rewards = _randn(8, 4), RNG.integers(0, 4, 8), _randn(8)
    lm = minitorch.tensor(logits, requires_grad=True)
    lt = torch.tensor(logits, requires_grad=True)
    pm, pt = MD.Categorical(logits=lm), TD.Categorical(logits=lt)
    loss_m = -(pm.log_prob(minitorch.tensor(actions)) * minitorch.tensor(rewards)).mean() - 0.01 * pm.entropy().mean()
    loss_t = -(pt.log_prob(torch.tensor(actions)) * torch.tensor(rewards)).mean() - 0.01 * pt.entropy().mean()
    loss_m.backward()
    loss_t.backward()
    assert_close(loss_m, loss_t, rtol=1e-9)
    assert_close(lm.grad, lt.grad, rtol=1e-7, atol=1e-10)


def test_vae_elbo_gradient_matches_torch():
    """A VAE's ELBO pieces: KL(q(z|x) || N(0, I)) with Independent Normals plus a reconstruction term from
    z = mu + sigma * eps with the same eps."""
    mu, log_sigma, eps = _randn(5, 3), _randn(5, 3) * 0.3, _randn(5, 3)

    def elbo(lib, D, mu, log_sigma):
        q = D.Independent(D.Normal(mu, log_sigma.exp()), 1)
        prior = D.Independent(D.Normal(lib.zeros_like(mu), lib.ones_like(mu)), 1)
        z = mu + log_sigma.exp() * lib.tensor(eps)
        return (-(z**2).sum(-1) - D.kl_divergence(q, prior)).mean()

    ms = [minitorch.tensor(a, requires_grad=True) for a in (mu, log_sigma)]
    ts = [torch.tensor(a, requires_grad=True) for a in (mu, log_sigma)]
    em, et = elbo(minitorch, MD, *ms), elbo(torch, TD, *ts)
    em.backward()
    et.backward()
    assert_close(em, et, rtol=1e-9)
    for m, t in zip(ms, ts):
        assert_close(m.grad, t.grad, rtol=1e-7, atol=1e-10)
