"""minitorch.distributions vs torch.distributions for torch 2.13's remaining families: ContinuousBernoulli,
FisherSnedecor, GeneralizedPareto, InverseGamma, Multinomial, OneHotCategoricalStraightThrough, the
ExponentialFamily base (Bregman entropy / KL), their KL pairs, and the per-family module names
(``distributions.normal`` ...). Values and gradients are compared with torch at the same float64 inputs.
"""
from __future__ import annotations

import importlib

import numpy as np
import pytest

import minitorch
import minitorch.distributions as MD

from .helpers import assert_close, devices, require_torch
from .test_distributions import (
    Case,
    _check_log_prob_entropy_and_grads,
    _check_moments,
    _compare_grads,
    _default_validation,  # noqa: F401  (autouse fixture: validation on)
    _moment_of_both,
)

torch = require_torch()
TD = torch.distributions
RNG = np.random.default_rng(20250713)


def _pos(*shape):
    return RNG.uniform(0.5, 2.0, shape)


# probabilities on both sides of 1/2 and inside torch's Taylor window (0.499, 0.501)
_CB_PROBS = np.array([[0.1, 0.4995], [0.7, 0.3], [0.5, 0.95]])
_GP_CONC = np.array([[0.3, -0.2], [0.0, 0.6], [-0.4, 0.1]])
_GP_LOC = RNG.standard_normal((3, 2))
_GP_SCALE = _pos(3, 2)
_MULTI_PROBS = RNG.uniform(0.1, 1.0, (3, 4))
_MULTI_COUNTS = np.stack([RNG.multinomial(6, p / p.sum(), size=2) for p in _MULTI_PROBS], 1).astype(np.float64)

CASES = [
    Case("ContinuousBernoulli-probs", lambda D, probs, **kw: D.ContinuousBernoulli(probs=probs, **kw),
         {"probs": _CB_PROBS}, RNG.uniform(0.02, 0.98, (4, 3, 2)), cdf=True),
    Case("ContinuousBernoulli-logits", lambda D, logits, **kw: D.ContinuousBernoulli(logits=logits, **kw),
         {"logits": np.array([[-2.0, 0.001], [1.5, 0.0], [3.0, -0.7]])}, RNG.uniform(0.02, 0.98, (4, 3, 2)),
         cdf=True),
    Case("FisherSnedecor", lambda D, df1, df2, **kw: D.FisherSnedecor(df1, df2, **kw),
         {"df1": np.array([[1.5, 3.0], [5.0, 2.5], [8.0, 1.0]]), "df2": np.array([[1.0, 3.0], [5.0, 6.0],
                                                                               [9.0, 4.5]])},
         _pos(4, 3, 2)),
    Case("GeneralizedPareto", lambda D, loc, scale, conc, **kw: D.GeneralizedPareto(loc, scale, conc, **kw),
         {"loc": _GP_LOC, "scale": _GP_SCALE, "conc": _GP_CONC},
         _GP_LOC + _GP_SCALE * RNG.uniform(0.05, 0.9, (4, 3, 2)), cdf=True),
    Case("InverseGamma", lambda D, conc, rate, **kw: D.InverseGamma(conc, rate, **kw),
         {"conc": _pos(3, 2) * 2, "rate": _pos(3, 2)}, _pos(4, 3, 2)),
    Case("Multinomial", lambda D, probs, **kw: D.Multinomial(6, probs=probs, **kw), {"probs": _MULTI_PROBS},
         _MULTI_COUNTS),
    Case("Multinomial-logits", lambda D, logits, **kw: D.Multinomial(6, logits=logits, **kw),
         {"logits": RNG.standard_normal((3, 4))}, _MULTI_COUNTS),
    Case("OneHotCategoricalStraightThrough",
         lambda D, probs, **kw: D.OneHotCategoricalStraightThrough(probs=probs, **kw),
         {"probs": RNG.uniform(0.1, 1.0, (3, 2, 5))}, np.eye(5)[RNG.integers(0, 5, (4, 3, 2))]),
]
IDS = [c.name for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_shapes_flags_support_and_repr_match_torch(case):
    dt, _ = case.make("torch")
    dm, _ = case.make("mt")
    assert tuple(dm.batch_shape) == tuple(dt.batch_shape)
    assert tuple(dm.event_shape) == tuple(dt.event_shape)
    assert dm.has_rsample == dt.has_rsample and dm.has_enumerate_support == dt.has_enumerate_support
    assert repr(dm) == repr(dt)
    assert type(dm).__mro__[1].__name__ == type(dt).__mro__[1].__name__
    assert_close(dm.support.check(case.values("mt")), dt.support.check(case.values("torch")))


# torch 2.13's GeneralizedPareto.log_prob raises for float64 parameters (isclose against a float32 zero):
# it is compared in float32 below, and in float64 against torch's formula with that zero cast
_F64_CASES = [c for c in CASES if c.name != "GeneralizedPareto"]


@pytest.mark.parametrize("case", _F64_CASES, ids=[c.name for c in _F64_CASES])
def test_log_prob_entropy_and_gradients_match_torch(case):
    _check_log_prob_entropy_and_grads(case, grad_rtol=1e-7, grad_atol=1e-9)


def test_generalized_pareto_log_prob_entropy_and_gradients_match_torch():
    case = next(c for c in CASES if c.name == "GeneralizedPareto")
    with pytest.raises(RuntimeError):  # torch's float64 failure, which minitorch does not copy
        case.make("torch")[0].log_prob(case.values("torch"))
    f32 = Case(case.name, case.build, {k: v.astype(np.float32) for k, v in case.params.items()},
               case.value.astype(np.float32))
    dt, pt = f32.make("torch")
    dm, pm = f32.make("mt")
    lt, lm = dt.log_prob(f32.values("torch")), dm.log_prob(f32.values("mt"))
    assert lm.dtype == minitorch.float32
    assert_close(lm, lt, rtol=1e-5, atol=1e-6)
    et, em = dt.entropy(), dm.entropy()
    assert_close(em, et, rtol=1e-6)
    (lt.sum() + et.sum()).backward()
    (lm.sum() + em.sum()).backward()
    _compare_grads(pm, pt, rtol=1e-4, atol=1e-5)
    # float64: minitorch's log_prob equals torch's formula (with float64 zero) to 1e-12
    dm64, _ = case.make("mt", grad=False)
    dt64, _ = case.make("torch", grad=False)
    z = (torch.tensor(case.value) - dt64.loc) / dt64.scale
    c = dt64.concentration
    eq0 = c == 0
    safe = torch.where(eq0, torch.ones_like(c), c)
    ref = -dt64.scale.log() - torch.where(eq0, z, (1 / safe + 1) * torch.log1p(safe * z))
    assert_close(dm64.log_prob(case.values("mt")), ref, rtol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("attr", ["mean", "variance", "stddev", "mode"])
def test_moments_and_mode_match_torch(case, attr):
    got = _moment_of_both(case, attr)
    if got is None:
        return
    expected, actual, pt, pm = got
    assert_close(actual, expected, rtol=1e-9, atol=1e-10)
    finite = torch.isfinite(expected)
    if expected.requires_grad:
        (expected[finite] * 1.0).sum().backward()
        (actual * minitorch.tensor(finite.numpy().astype(np.float64))).nan_to_num(0.0, 0.0, 0.0).sum().backward()
        for k in pt:
            gt, gm = pt[k].grad, pm[k].grad
            assert (gm is None) == (gt is None), k
            if gt is not None:
                assert_close(gm, gt, rtol=1e-7, atol=1e-9, msg=k)


_CDF_CASES = [c for c in _F64_CASES if c.cdf]


@pytest.mark.parametrize("case", _CDF_CASES, ids=[c.name for c in _CDF_CASES])
def test_cdf_icdf_and_gradients_match_torch(case):
    dt, pt = case.make("torch")
    dm, pm = case.make("mt")
    u = RNG.uniform(0.02, 0.98, (4, 3, 2))
    ct, cm = dt.cdf(case.values("torch")), dm.cdf(case.values("mt"))
    it, im = dt.icdf(torch.tensor(u)), dm.icdf(minitorch.tensor(u))
    assert_close(cm, ct, rtol=1e-9, atol=1e-10)
    assert_close(im, it, rtol=1e-9, atol=1e-10)
    (ct.sum() + it.sum()).backward()
    (cm.sum() + im.sum()).backward()
    _compare_grads(pm, pt, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("case", _F64_CASES, ids=[c.name for c in _F64_CASES])
def test_expand_matches_torch(case):
    dt, _ = case.make("torch")
    dm, _ = case.make("mt")
    new_batch = (4,) + tuple(dt.batch_shape)
    et, em = dt.expand(new_batch), dm.expand(new_batch)
    assert type(em).__name__ == type(et).__name__
    assert tuple(em.batch_shape) == tuple(et.batch_shape) and tuple(em.event_shape) == tuple(et.event_shape)
    value = np.broadcast_to(case.value[0], new_batch + tuple(dt.event_shape)).copy()
    assert_close(em.log_prob(minitorch.tensor(value)), et.log_prob(torch.tensor(value)), rtol=1e-9, atol=1e-10)
    assert tuple(em.sample().shape) == tuple(et.sample().shape)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("sample_shape", [(), (5,), (2, 3)])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sample_and_rsample_shapes_dtypes_and_support(case, sample_shape, device):
    dt, _ = case.make("torch")
    dm, _ = case.make("mt", device=device)
    st, sm = dt.sample(sample_shape), dm.sample(sample_shape)
    assert tuple(sm.shape) == tuple(st.shape) and not sm.requires_grad
    assert sm.dtype == getattr(minitorch, str(st.dtype).split(".")[-1]) and sm.device.type == device
    assert bool(dm.support.check(sm).all())
    if dt.has_rsample:
        rm = dm.rsample(sample_shape)
        assert tuple(rm.shape) == tuple(st.shape) and rm.requires_grad
    else:
        with pytest.raises(NotImplementedError):
            dm.rsample(sample_shape)


@pytest.mark.parametrize("name", ["ContinuousBernoulli-probs", "InverseGamma", "Multinomial", "GeneralizedPareto"])
def test_sample_moments_within_standard_errors(name):
    case = next(c for c in CASES if c.name == name)
    minitorch.manual_seed(11)
    dm, _ = case.make("mt", grad=False)
    if name == "InverseGamma":  # finite variance needs concentration > 4 for the 4th moment: use big ones
        dm = MD.InverseGamma(minitorch.tensor(_pos(3, 2) * 4 + 6), minitorch.tensor(_pos(3, 2)))
    if name == "GeneralizedPareto":
        dm = MD.GeneralizedPareto(minitorch.tensor(_GP_LOC), minitorch.tensor(_GP_SCALE),
                                  minitorch.tensor(np.full((3, 2), -0.1)))
    n = 40_000
    _check_moments(dm.sample((n,)).numpy(), dm.mean.detach().numpy(), dm.variance.detach().numpy(), n)
    if dm.has_rsample:
        _check_moments(dm.rsample((n,)).detach().numpy(), dm.mean.detach().numpy(), dm.variance.detach().numpy(), n)


def test_fisher_snedecor_rsample_moments_and_gradient_flow():
    minitorch.manual_seed(5)
    df1 = minitorch.tensor([6.0, 10.0], dtype=minitorch.float64, requires_grad=True)
    df2 = minitorch.tensor([12.0, 20.0], dtype=minitorch.float64, requires_grad=True)
    d = MD.FisherSnedecor(df1, df2)
    x = d.rsample((40_000,))
    _check_moments(x.detach().numpy(), d.mean.detach().numpy(), d.variance.detach().numpy(), 40_000)
    x.mean().backward()
    assert df1.grad is not None and df2.grad is not None and np.all(np.isfinite(df2.grad.numpy()))


def test_straight_through_rsample_is_one_hot_with_the_gradient_of_probs():
    probs_np = RNG.uniform(0.1, 1.0, (3, 4))
    pm = minitorch.tensor(probs_np, requires_grad=True)
    pt = torch.tensor(probs_np, requires_grad=True)
    dm, dt = MD.OneHotCategoricalStraightThrough(probs=pm), TD.OneHotCategoricalStraightThrough(probs=pt)
    w = RNG.standard_normal((2, 3, 4))
    rm, rt = dm.rsample((2,)), dt.rsample((2,))
    assert set(np.unique(rm.detach().numpy())) <= {0.0, 1.0}
    assert_close(rm.detach().sum(-1), np.ones((2, 3)))
    (rm * minitorch.tensor(w)).sum().backward()
    (rt * torch.tensor(w)).sum().backward()
    _compare_grads({"p": pm}, {"p": pt})


def test_multinomial_errors_and_entropy_of_scalar_batch_like_torch():
    with pytest.raises(NotImplementedError, match="inhomogeneous total_count"):
        MD.Multinomial(minitorch.tensor(3), probs=minitorch.tensor([0.5, 0.5]))
    with pytest.raises(NotImplementedError):
        TD.Multinomial(torch.tensor(3), probs=torch.tensor([0.5, 0.5]))
    p = np.array([0.2, 0.3, 0.5])
    assert_close(MD.Multinomial(4, probs=minitorch.tensor(p)).entropy(),
                 TD.Multinomial(4, probs=torch.tensor(p)).entropy(), rtol=1e-10)
    for D, L in ((MD, minitorch), (TD, torch)):
        with pytest.raises(ValueError, match="support"):
            D.Multinomial(4, probs=L.tensor(p)).log_prob(L.tensor([-1.0, 2.0, 3.0]))
        with pytest.raises(ValueError, match="support"):
            D.Multinomial(4, probs=L.tensor(p)).log_prob(L.tensor([1.0, 2.0, 3.0]))  # more than 4 draws


def test_continuous_bernoulli_errors_and_scalar_parameters_like_torch():
    for D in (MD, TD):
        with pytest.raises(ValueError, match="Either `probs` or `logits`"):
            D.ContinuousBernoulli()
        with pytest.raises(ValueError):
            D.ContinuousBernoulli(probs=0.3, logits=0.1)
    dm, dt = MD.ContinuousBernoulli(0.3), TD.ContinuousBernoulli(0.3)
    assert dm.batch_shape == minitorch.Size([]) and repr(dm) == repr(dt)
    assert_close(dm.log_prob(minitorch.tensor(0.25)), dt.log_prob(torch.tensor(0.25)), rtol=1e-6)


def test_generalized_pareto_support_log_survival_and_scalar_like_torch():
    args = (minitorch.tensor(_GP_LOC), minitorch.tensor(_GP_SCALE), minitorch.tensor(_GP_CONC))
    targs = tuple(torch.tensor(a) for a in (_GP_LOC, _GP_SCALE, _GP_CONC))
    dm, dt = MD.GeneralizedPareto(*args), TD.GeneralizedPareto(*targs)
    assert_close(dm.support.upper_bound, dt.support.upper_bound)
    u = RNG.uniform(0.02, 0.98, (4, 3, 2))
    assert_close(dm.icdf(minitorch.tensor(u)), dt.icdf(torch.tensor(u)), rtol=1e-10)
    # log_survival_function / log_cdf / cdf: torch 2.13 raises in float64 (see above): compared in float32
    f = np.float32
    gp = (_GP_LOC, _GP_SCALE, _GP_CONC)
    dm = MD.GeneralizedPareto(*(minitorch.tensor(a.astype(f), requires_grad=True) for a in gp))
    dt = TD.GeneralizedPareto(*(torch.tensor(a.astype(f), requires_grad=True) for a in gp))
    v = (_GP_LOC + _GP_SCALE * RNG.uniform(0.05, 0.9, (3, 2))).astype(f)
    sm, st = dm.log_survival_function(minitorch.tensor(v)), dt.log_survival_function(torch.tensor(v))
    cm, ct = dm.cdf(minitorch.tensor(v)), dt.cdf(torch.tensor(v))
    assert_close(sm, st, rtol=1e-5, atol=1e-6)
    assert_close(dm.log_cdf(minitorch.tensor(v)), dt.log_cdf(torch.tensor(v)), rtol=1e-5, atol=1e-6)
    assert_close(cm, ct, rtol=1e-5, atol=1e-6)
    (sm.sum() + cm.sum()).backward()
    (st.sum() + ct.sum()).backward()
    for a, b in zip((dm.loc, dm.scale, dm.concentration), (dt.loc, dt.scale, dt.concentration)):
        assert_close(a.grad, b.grad, rtol=1e-4, atol=1e-5)
    s = MD.GeneralizedPareto(0.0, 1.0, 0.2)
    assert s.batch_shape == minitorch.Size([]) and repr(s) == repr(TD.GeneralizedPareto(0.0, 1.0, 0.2))


# ---------------------------------------------------------------- ExponentialFamily ------------------------
class _ExpNormal(MD.ExponentialFamily):
    """A Normal written only through its exponential-family pieces (theta = (mu/s^2, -1/(2 s^2)))."""

    def __init__(self, loc, scale, lib):
        self.loc, self.scale, self.lib = loc, scale, lib
        super().__init__(loc.shape, validate_args=False)

    @property
    def _natural_params(self):
        return (self.loc / self.scale.pow(2), -0.5 * self.scale.pow(2).reciprocal())

    def _log_normalizer(self, x, y):
        return -0.25 * x.pow(2) / y + 0.5 * self.lib.log(-np.pi / y)

    @property
    def _mean_carrier_measure(self):
        return 0


def _torch_exp_normal():
    class _T(TD.ExponentialFamily):
        def __init__(self, loc, scale, lib):
            self.loc, self.scale, self.lib = loc, scale, lib
            super().__init__(loc.shape, validate_args=False)

        _natural_params = _ExpNormal._natural_params
        _log_normalizer = _ExpNormal._log_normalizer
        _mean_carrier_measure = _ExpNormal._mean_carrier_measure
    return _T


def test_exponential_family_bregman_entropy_and_kl_match_torch_and_the_closed_form():
    T = _torch_exp_normal()
    loc, scale = RNG.standard_normal(3), _pos(3)
    loc2, scale2 = RNG.standard_normal(3), _pos(3)
    pm = [minitorch.tensor(a, requires_grad=True) for a in (loc, scale, loc2, scale2)]
    pt = [torch.tensor(a, requires_grad=True) for a in (loc, scale, loc2, scale2)]
    dm1, dm2 = _ExpNormal(pm[0], pm[1], minitorch), _ExpNormal(pm[2], pm[3], minitorch)
    dt1, dt2 = T(pt[0], pt[1], torch), T(pt[2], pt[3], torch)
    em, et = dm1.entropy(), dt1.entropy()
    assert_close(em, et, rtol=1e-10)
    assert_close(em, MD.Normal(minitorch.tensor(loc), minitorch.tensor(scale)).entropy(), rtol=1e-10)
    km, kt = MD.kl_divergence(dm1, dm2), TD.kl_divergence(dt1, dt2)
    assert_close(km, kt, rtol=1e-10)
    assert_close(km, MD.kl_divergence(MD.Normal(minitorch.tensor(loc), minitorch.tensor(scale)),
                                      MD.Normal(minitorch.tensor(loc2), minitorch.tensor(scale2))), rtol=1e-10)
    (em.sum() + km.sum()).backward()
    (et.sum() + kt.sum()).backward()
    for a, b in zip(pm, pt):  # p's natural parameters are detached (as in torch): no gradient to loc/scale
        assert (a.grad is None) == (b.grad is None)
        if b.grad is not None:
            assert_close(a.grad, b.grad, rtol=1e-8, atol=1e-12)
    assert pt[2].grad is not None
    with pytest.raises(NotImplementedError, match="different exponential families"):
        MD.kl_divergence(dm1, MD.ContinuousBernoulli(0.3))
    with pytest.raises(NotImplementedError):
        MD.ExponentialFamily(validate_args=False).entropy()


def test_continuous_bernoulli_entropy_equals_the_bregman_form():
    """The closed-form entropy and ExponentialFamily's autograd one agree (as in torch's tests)."""
    d = MD.ContinuousBernoulli(probs=minitorch.tensor(_CB_PROBS))
    assert_close(d.entropy(), MD.ExponentialFamily.entropy(d), rtol=1e-5, atol=1e-6)
    t = TD.ContinuousBernoulli(probs=torch.tensor(_CB_PROBS))
    assert_close(MD.ExponentialFamily.entropy(d), TD.ExponentialFamily.entropy(t), rtol=1e-10)


# ---------------------------------------------------------------- KL pairs ---------------------------------
_CBP, _CBQ = np.array([0.2, 0.6, 0.4995]), np.array([0.7, 0.3, 0.9])
_A, _B = _pos(3), _pos(3)
KL_PAIRS = [
    ("cb-cb", lambda D, L: (D.ContinuousBernoulli(L.tensor(_CBP)), D.ContinuousBernoulli(L.tensor(_CBQ)))),
    ("cb-cb-logits", lambda D, L: (D.ContinuousBernoulli(logits=L.tensor(_CBP - 0.5)),
                                   D.ContinuousBernoulli(logits=L.tensor(_CBQ)))),
    ("beta-cb", lambda D, L: (D.Beta(L.tensor(_A), L.tensor(_B)), D.ContinuousBernoulli(L.tensor(_CBQ)))),
    ("cb-exponential", lambda D, L: (D.ContinuousBernoulli(L.tensor(_CBP)), D.Exponential(L.tensor(_A)))),
    ("cb-normal", lambda D, L: (D.ContinuousBernoulli(L.tensor(_CBP)),
                                D.Normal(L.tensor([0.1, -0.5, 1.0]), L.tensor(_B)))),
    ("cb-uniform", lambda D, L: (D.ContinuousBernoulli(L.tensor(_CBP)),
                                 D.Uniform(L.tensor([-0.5, 0.0, -1.0]), L.tensor([1.5, 2.0, 0.9])))),
    ("cb-pareto", lambda D, L: (D.ContinuousBernoulli(L.tensor(_CBP)), D.Pareto(L.tensor(_A),
                                                                               L.tensor(_B)))),
    ("uniform-cb", lambda D, L: (D.Uniform(L.tensor([0.1, 0.0, 0.2]), L.tensor([0.6, 0.9, 1.0])),
                                 D.ContinuousBernoulli(L.tensor(_CBQ)))),
    ("normal-cb", lambda D, L: (D.Normal(L.tensor([0.1, 0.2, 0.3]), L.tensor(_A)),
                                D.ContinuousBernoulli(L.tensor(_CBQ)))),
    ("exponential-cb", lambda D, L: (D.Exponential(L.tensor(_B)), D.ContinuousBernoulli(L.tensor(_CBQ)))),
    ("gamma-cb", lambda D, L: (D.Gamma(L.tensor(_A), L.tensor(_B)), D.ContinuousBernoulli(L.tensor(_CBQ)))),
    ("gumbel-cb", lambda D, L: (D.Gumbel(L.tensor(_A), L.tensor(_B)), D.ContinuousBernoulli(L.tensor(_CBQ)))),
    ("laplace-cb", lambda D, L: (D.Laplace(L.tensor(_A), L.tensor(_B)),
                                 D.ContinuousBernoulli(L.tensor(_CBQ)))),
    ("pareto-cb", lambda D, L: (D.Pareto(L.tensor(_A), L.tensor(_B)), D.ContinuousBernoulli(L.tensor(_CBQ)))),
]


@pytest.mark.parametrize("name,build", KL_PAIRS, ids=[k for k, _ in KL_PAIRS])
def test_kl_pairs_match_torch(name, build):
    pm, qm = build(MD, minitorch)
    pt, qt = build(TD, torch)
    assert_close(MD.kl_divergence(pm, qm), TD.kl_divergence(pt, qt), rtol=1e-9, atol=1e-10)


def test_kl_gradients_of_continuous_bernoulli_pair_match_torch():
    am, bm = minitorch.tensor(_CBP, requires_grad=True), minitorch.tensor(_CBQ, requires_grad=True)
    at, bt = torch.tensor(_CBP, requires_grad=True), torch.tensor(_CBQ, requires_grad=True)
    MD.kl_divergence(MD.ContinuousBernoulli(am), MD.ContinuousBernoulli(bm)).sum().backward()
    TD.kl_divergence(TD.ContinuousBernoulli(at), TD.ContinuousBernoulli(bt)).sum().backward()
    _compare_grads({"a": am, "b": bm}, {"a": at, "b": bt}, rtol=1e-8, atol=1e-12)


# ---------------------------------------------------------------- module names -----------------------------
def test_per_family_module_names_resolve_like_torch():
    names = sorted(n for n in dir(TD) if not n.startswith("_") and type(getattr(TD, n)).__name__ == "module")
    missing = [n for n in names if not hasattr(MD, n)]
    assert missing == [], missing
    for n in names:
        tmod = getattr(TD, n)
        mmod = importlib.import_module(f"minitorch.distributions.{n}")
        assert mmod is getattr(MD, n)
        for cls in getattr(tmod, "__all__", []):
            if isinstance(getattr(TD, cls, None), type) and issubclass(getattr(TD, cls), TD.Distribution):
                assert getattr(mmod, cls, None) is getattr(MD, cls, "missing"), (n, cls)
    from minitorch.distributions.normal import Normal

    from minitorch.distributions.one_hot_categorical import OneHotCategoricalStraightThrough
    assert Normal is MD.Normal and OneHotCategoricalStraightThrough is MD.OneHotCategoricalStraightThrough
