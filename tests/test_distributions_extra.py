"""minitorch.distributions vs torch.distributions: the transforms module, biject_to / transform_to,
TransformedDistribution over event-changing transforms, and the distributions beyond the core families
(HalfNormal, HalfCauchy, MixtureSameFamily, LowRankMultivariateNormal, Gumbel, Weibull, ...).

Every value is compared with torch at the same float64 inputs, and gradients with torch's for the same loss.
"""
from __future__ import annotations

import contextlib

import numpy as np
import pytest

import minitorch
import minitorch.distributions as MD
from minitorch.distributions import constraints as MC
from minitorch.distributions import transforms as MT

from .helpers import assert_close, devices, no_host_sync, raises_like_torch, require_torch
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
TT = torch.distributions.transforms
TC = torch.distributions.constraints
RNG = np.random.default_rng(20240611)


def _pair(arr, grad=True, device="cpu"):
    """The same float64 array as a minitorch and a torch tensor (both requiring grad)."""
    m = minitorch.tensor(np.array(arr), device=device)
    t = torch.tensor(np.array(arr))
    if grad:
        m.requires_grad_(True)
        t.requires_grad_(True)
    return m, t


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, minitorch.Tensor) else x.detach().numpy()


# ---------------------------------------------------------------- transforms ------------------------------
def _x_corr(*batch):
    return RNG.standard_normal(batch + (6,))  # D = 4


def _spd(*batch, n=3):
    a = RNG.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


_AFF_LOC = RNG.standard_normal((3,))
_AFF_SCALE = RNG.uniform(0.5, 2, (3,)) * np.array([1, -1, 1])
_POW = RNG.uniform(0.5, 2, (2, 3))

# (id, build(T, lib) -> transform, x in the domain)
TRANSFORMS = [
    ("exp", lambda T, L: T.ExpTransform(), RNG.standard_normal((2, 3))),
    ("sigmoid", lambda T, L: T.SigmoidTransform(), RNG.standard_normal((2, 3)) * 3),
    ("tanh", lambda T, L: T.TanhTransform(), RNG.standard_normal((2, 3)) * 2),
    ("softplus", lambda T, L: T.SoftplusTransform(), RNG.standard_normal((2, 3)) * 3),
    ("power", lambda T, L: T.PowerTransform(L.tensor(_POW)), RNG.uniform(0.5, 2, (2, 3))),
    ("power_scalar", lambda T, L: T.PowerTransform(2.5), RNG.uniform(0.5, 2, (2, 3))),
    ("affine_number", lambda T, L: T.AffineTransform(1.5, -2.0), RNG.standard_normal((2, 3))),
    ("affine_tensor", lambda T, L: T.AffineTransform(L.tensor(_AFF_LOC), L.tensor(_AFF_SCALE)),
     RNG.standard_normal((2, 3))),
    ("affine_event1", lambda T, L: T.AffineTransform(L.tensor(_AFF_LOC), L.tensor(_AFF_SCALE), event_dim=1),
     RNG.standard_normal((2, 3))),
    ("affine_event2", lambda T, L: T.AffineTransform(0.5, 3.0, event_dim=2), RNG.standard_normal((2, 3))),
    ("inv_exp", lambda T, L: T.ExpTransform().inv, RNG.uniform(0.5, 2, (2, 3))),
    ("compose", lambda T, L: T.ComposeTransform([T.AffineTransform(0.0, 2.0), T.SigmoidTransform(),
                                                 T.AffineTransform(-1.0, 2.0)]), RNG.standard_normal((2, 3))),
    ("compose_stick", lambda T, L: T.ComposeTransform([T.ExpTransform(), T.StickBreakingTransform()]),
     RNG.uniform(0.5, 2, (2, 3))),
    ("identity", lambda T, L: T.identity_transform, RNG.standard_normal((2, 3))),
    ("independent", lambda T, L: T.IndependentTransform(T.SigmoidTransform(), 1), RNG.standard_normal((2, 3))),
    ("independent2", lambda T, L: T.IndependentTransform(T.ExpTransform(), 2), RNG.standard_normal((4, 2, 3))),
    ("reshape", lambda T, L: T.ReshapeTransform((6,), (2, 3)), RNG.standard_normal((4, 6))),
    ("stick_breaking", lambda T, L: T.StickBreakingTransform(), RNG.standard_normal((2, 4))),
    ("lower_cholesky", lambda T, L: T.LowerCholeskyTransform(), RNG.standard_normal((2, 3, 3))),
    ("positive_definite", lambda T, L: T.PositiveDefiniteTransform(), RNG.standard_normal((2, 3, 3))),
    ("corr_cholesky", lambda T, L: T.CorrCholeskyTransform(), _x_corr(2)),
    ("corr_cholesky_unbatched", lambda T, L: T.CorrCholeskyTransform(), RNG.standard_normal(3)),
    ("cat", lambda T, L: T.CatTransform([T.ExpTransform(), T.identity_transform, T.SigmoidTransform()],
                                        dim=1, lengths=[2, 1, 3]), RNG.standard_normal((2, 6))),
    ("cat_event", lambda T, L: T.CatTransform([T.SoftplusTransform(), T.IndependentTransform(T.ExpTransform(), 1)],
                                              dim=0, lengths=[2, 3]), RNG.standard_normal((5, 4))),
    ("cat_last_dim_event", lambda T, L: T.CatTransform([T.SoftplusTransform(), T.IndependentTransform(
        T.ExpTransform(), 1)], dim=-1, lengths=[2, 3]), RNG.standard_normal((4, 5))),
    ("stack", lambda T, L: T.StackTransform([T.ExpTransform(), T.TanhTransform(), T.AffineTransform(1.0, 3.0)],
                                            dim=-1), RNG.standard_normal((2, 3))),
    ("cdf_normal", lambda T, L: T.CumulativeDistributionTransform(
        (TD if L is torch else MD).Normal(L.tensor(0.5, dtype=L.float64), L.tensor(2.0, dtype=L.float64))),
     RNG.standard_normal((2, 3))),
]
TRANSFORM_IDS = [c[0] for c in TRANSFORMS]
_NO_LADJ = {"positive_definite"}  # torch has no log_abs_det_jacobian there either


def _both(build):
    return build(MT, minitorch), build(TT, torch)


@pytest.mark.parametrize("name,build,x", TRANSFORMS, ids=TRANSFORM_IDS)
def test_transform_forward_inverse_logdet_and_gradients_match_torch(name, build, x):
    tm, tt = _both(build)
    xm, xt = _pair(x)
    ym, yt = tm(xm), tt(xt)
    assert_close(ym, yt, rtol=1e-10, atol=1e-12, msg="forward")
    # the inverse of the (detached) output
    ydm, ydt = _pair(_np(yt))
    assert_close(tm.inv(ydm), tt.inv(ydt), rtol=1e-8, atol=1e-10, msg="inverse")
    loss_m, loss_t = (ym * ym.detach().cos()).sum(), (yt * yt.detach().cos()).sum()
    if tt.bijective and name not in _NO_LADJ:
        lm, lt = tm.log_abs_det_jacobian(xm, ym), tt.log_abs_det_jacobian(xt, yt)
        assert_close(lm, lt, rtol=1e-9, atol=1e-11, msg="log_abs_det_jacobian")
        li_m, li_t = tm.inv.log_abs_det_jacobian(ydm, tm.inv(ydm)), tt.inv.log_abs_det_jacobian(ydt, tt.inv(ydt))
        assert_close(li_m, li_t, rtol=1e-8, atol=1e-10, msg="inverse log_abs_det_jacobian")
        loss_m, loss_t = loss_m + lm.sum() + li_m.sum(), loss_t + lt.sum() + li_t.sum()
    loss_m.backward()
    loss_t.backward()
    assert_close(xm.grad, xt.grad, rtol=1e-7, atol=1e-9, msg="grad x")
    if ydt.grad is not None:
        assert_close(ydm.grad, ydt.grad, rtol=1e-7, atol=1e-9, msg="grad y")


@pytest.mark.parametrize("name,build,x", TRANSFORMS, ids=TRANSFORM_IDS)
def test_transform_attributes_match_torch(name, build, x):
    tm, tt = _both(build)
    assert tm.bijective == tt.bijective
    for side in ("domain", "codomain"):
        cm, ct = getattr(tm, side), getattr(tt, side)
        assert cm.event_dim == ct.event_dim, side
        assert type(cm).__name__ == type(ct).__name__, side
        assert cm.is_discrete == ct.is_discrete
    for m, t in ((tm, tt), (tm.inv, tt.inv)):
        try:
            expected = t.event_dim
        except ValueError:
            with pytest.raises(ValueError):
                _ = m.event_dim
        else:
            assert m.event_dim == expected
    shape = torch.Size(x.shape)
    assert tuple(tm.forward_shape(shape)) == tuple(tt.forward_shape(shape))
    y_shape = tt.forward_shape(shape)
    assert tuple(tm.inverse_shape(y_shape)) == tuple(tt.inverse_shape(y_shape))
    try:
        expected_sign = tt.sign
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            _ = tm.sign
    else:
        sign = tm.sign
        assert_close(np.asarray(_np(sign) if hasattr(sign, "detach") else sign),
                     np.asarray(_np(expected_sign) if hasattr(expected_sign, "detach") else expected_sign))
    assert tm.inv.inv is tm
    # the codomain holds the forward values, the domain the inverse ones
    ym = tm(minitorch.tensor(x))
    try:
        expected = bool(tt.codomain.check(tt(torch.tensor(x))).all())
    except RuntimeError:  # torch's cat constraint cannot check parts of different event dims either
        with pytest.raises(RuntimeError):
            tm.codomain.check(ym)
    else:
        assert bool(tm.codomain.check(ym).all()) == expected


def test_transform_equality_and_hash_like_torch():
    assert MT.ExpTransform() == MT.ExpTransform()
    assert MT.ExpTransform() != MT.SigmoidTransform()
    assert MT.ExpTransform().inv == MT.ExpTransform().inv
    assert MT.ExpTransform().inv != MT.ExpTransform()
    assert MT.AffineTransform(1.0, 2.0) == MT.AffineTransform(1.0, 2.0)
    assert MT.AffineTransform(1.0, 2.0) != MT.AffineTransform(1.0, 3.0)
    assert MT.AffineTransform(minitorch.tensor([1.0, 2.0]), 2.0) == MT.AffineTransform(minitorch.tensor([1.0, 2.0]),
                                                                                          2.0)
    assert MT.PowerTransform(2.0) == MT.PowerTransform(2.0) and MT.PowerTransform(2.0) != MT.PowerTransform(3.0)
    assert MT.ComposeTransform([MT.ExpTransform(), MT.TanhTransform()]) == MT.ComposeTransform(
        [MT.ExpTransform(), MT.TanhTransform()])
    assert MT.ComposeTransform([MT.ExpTransform()]) != MT.ComposeTransform([MT.TanhTransform()])
    t = MT.ReshapeTransform((2,), (2,))
    assert t == t and t != MT.ReshapeTransform((2,), (2,))  # identity equality, as torch
    for t in (MT.ExpTransform(), MT.identity_transform, MT.ExpTransform().inv):
        with pytest.raises(TypeError):
            hash(t)
    assert repr(MT.ExpTransform().inv) == repr(TT.ExpTransform().inv)
    assert repr(MT.ComposeTransform([MT.ExpTransform(), MT.TanhTransform()])) == repr(
        TT.ComposeTransform([TT.ExpTransform(), TT.TanhTransform()]))


def test_transform_cache_returns_the_cached_input():
    x = minitorch.randn(3)
    t = MT.ExpTransform(cache_size=1)
    y = t(x)
    assert t(x) is y and t.inv(y) is x
    t0 = MT.ExpTransform()
    assert t0.inv(t0(x)) is not x
    assert MT.ExpTransform().with_cache(1)._cache_size == 1
    c = MT.ComposeTransform([MT.ExpTransform(), MT.AffineTransform(1.0, 2.0)], cache_size=1)
    assert all(p._cache_size == 1 for p in c.parts)
    y = c(x)
    assert c.inv(y) is x
    assert MT.StackTransform([MT.ExpTransform()], cache_size=1).transforms[0]._cache_size == 1
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        MT.ExpTransform(cache_size=2)
    with pytest.raises(NotImplementedError):
        MT.Transform().sign  # noqa: B018
    with pytest.raises(ValueError, match="different numbers of elements"):
        MT.ReshapeTransform((2,), (3,))


def test_abs_transform_and_softmax_are_not_bijective_like_torch():
    x = RNG.standard_normal((2, 3))
    assert_close(MT.AbsTransform()(minitorch.tensor(x)), TT.AbsTransform()(torch.tensor(x)))
    assert not MT.AbsTransform().bijective and not MT.SoftmaxTransform().bijective
    assert_close(MT.SoftmaxTransform()(minitorch.tensor(x)), TT.SoftmaxTransform()(torch.tensor(x)))
    with pytest.raises(NotImplementedError):
        MT.AbsTransform().log_abs_det_jacobian(minitorch.tensor(x), minitorch.tensor(x))


# ---------------------------------------------------------------- biject_to / transform_to ---------------
CONSTRAINTS = [
    ("real", lambda C, L: C.real, (2, 3)),
    ("real_vector", lambda C, L: C.real_vector, (2, 3)),
    ("positive", lambda C, L: C.positive, (2, 3)),
    ("nonnegative", lambda C, L: C.nonnegative, (2, 3)),
    ("greater_than", lambda C, L: C.greater_than(1.5), (2, 3)),
    ("greater_than_eq", lambda C, L: C.greater_than_eq(-0.5), (2, 3)),
    ("greater_than_tensor", lambda C, L: C.greater_than(L.tensor([0.5, -1.0, 2.0], dtype=L.float64)), (2, 3)),
    ("less_than", lambda C, L: C.less_than(-2.0), (2, 3)),
    ("interval", lambda C, L: C.interval(-1.0, 3.0), (2, 3)),
    ("half_open_interval", lambda C, L: C.half_open_interval(2.0, 5.0), (2, 3)),
    ("unit_interval", lambda C, L: C.unit_interval, (2, 3)),
    ("interval_tensor", lambda C, L: C.interval(L.tensor([0.0, 1.0, -2.0], dtype=L.float64),
                                                 L.tensor([1.0, 4.0, 0.0], dtype=L.float64)), (2, 3)),
    ("simplex", lambda C, L: C.simplex, (2, 3)),
    ("corr_cholesky", lambda C, L: C.corr_cholesky, (2, 6)),
    ("independent_positive", lambda C, L: C.independent(C.positive, 1), (2, 3)),
    ("independent_interval", lambda C, L: C.independent(C.interval(0.0, 2.0), 2), (2, 3)),
    ("cat", lambda C, L: C.cat([C.positive, C.real, C.unit_interval], dim=-1, lengths=[1, 1, 1]), (2, 3)),
    ("stack", lambda C, L: C.stack([C.positive, C.less_than(1.0)], dim=0), (2, 3)),
]
TRANSFORM_ONLY = [
    ("lower_cholesky", lambda C, L: C.lower_cholesky, (2, 3, 3)),
    ("positive_definite", lambda C, L: C.positive_definite, (2, 3, 3)),
    ("positive_semidefinite", lambda C, L: C.positive_semidefinite, (2, 3, 3)),
]


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("name,build,shape", CONSTRAINTS + TRANSFORM_ONLY,
                         ids=[c[0] for c in CONSTRAINTS + TRANSFORM_ONLY])
def test_biject_to_and_transform_to_match_torch(registry, name, build, shape):
    cm, ct = build(MC, minitorch), build(TC, torch)
    reg_m = getattr(MD, registry)
    reg_t = getattr(TD, registry)
    try:
        tt = reg_t(ct)
    except NotImplementedError:
        with pytest.raises(NotImplementedError, match="Cannot transform"):
            reg_m(cm)
        return
    tm = reg_m(cm)
    assert type(tm).__name__ == type(tt).__name__
    assert tm.bijective == tt.bijective
    x = RNG.standard_normal(shape)
    xm, xt = _pair(x)
    ym, yt = tm(xm), tt(xt)
    assert_close(ym, yt, rtol=1e-10, atol=1e-12)
    assert bool(cm.check(ym).all())
    if tt.bijective:
        assert_close(tm.inv(ym), tt.inv(yt), rtol=1e-7, atol=1e-9)
        lm, lt = tm.log_abs_det_jacobian(xm, ym), tt.log_abs_det_jacobian(xt, yt)
        assert_close(lm, lt, rtol=1e-9, atol=1e-11)
        (ym.sum() + lm.sum()).backward()
        (yt.sum() + lt.sum()).backward()
        assert_close(xm.grad, xt.grad, rtol=1e-8, atol=1e-10)


def test_registry_register_and_errors():
    reg = MD.constraint_registry.ConstraintRegistry()
    with pytest.raises(NotImplementedError, match="Cannot transform _GreaterThan constraints"):
        reg(MC.positive)
    reg.register(MC.positive, lambda c: MT.SoftplusTransform())
    assert isinstance(reg(MC.positive), MT.SoftplusTransform)

    @reg.register(MC._Real)
    def _real(c):
        return MT.identity_transform

    assert reg(MC.real) is MT.identity_transform
    with pytest.raises(TypeError, match="Constraint subclass or instance"):
        reg.register(3, lambda c: None)
    with pytest.raises(NotImplementedError):
        MD.biject_to(MC.lower_cholesky)  # as torch: only transform_to has it


def test_new_constraints_check_like_torch():
    corr = TT.CorrCholeskyTransform()(torch.tensor(_x_corr(3)))
    bad = corr.clone()
    bad[0, 2, 1] += 0.1
    for name, v in (("good", corr), ("bad", bad)):
        assert_close(MC.corr_cholesky.check(minitorch.tensor(v.numpy())), TC.corr_cholesky.check(v), msg=name)
    psd = torch.tensor(_spd(2))
    psd[1] = -psd[1]
    assert_close(MC.positive_semidefinite.check(minitorch.tensor(psd.numpy())), TC.positive_semidefinite.check(psd))
    counts = torch.tensor([[1.0, 2.0, 0.0], [3.0, 4.0, 1.0]])
    assert_close(MC.multinomial(5).check(minitorch.tensor(counts.numpy())), TC.multinomial(5).check(counts))
    v = torch.tensor([[0.5, -1.0, 0.3], [2.0, 0.1, 0.9]])
    c_m = MC.cat([MC.positive, MC.unit_interval], dim=1, lengths=[1, 2])
    c_t = TC.cat([TC.positive, TC.unit_interval], dim=1, lengths=[1, 2])
    assert_close(c_m.check(minitorch.tensor(v.numpy())), c_t.check(v))
    s_m, s_t = MC.stack([MC.positive, MC.real], dim=0), TC.stack([TC.positive, TC.real], dim=0)
    assert_close(s_m.check(minitorch.tensor(v.numpy())), s_t.check(v))
    assert s_m.event_dim == s_t.event_dim and c_m.event_dim == c_t.event_dim


# ---------------------------------------------------------------- TransformedDistribution -----------------
TRANSFORMED = [
    ("stick_breaking", lambda D, T, L, loc, scale: D.TransformedDistribution(
        D.Normal(loc, scale), T.StickBreakingTransform()), (3, 4)),
    ("corr_cholesky", lambda D, T, L, loc, scale: D.TransformedDistribution(
        D.Normal(loc, scale), T.CorrCholeskyTransform()), (2, 6)),
    ("reshape", lambda D, T, L, loc, scale: D.TransformedDistribution(
        D.Normal(loc, scale), [T.ReshapeTransform((6,), (2, 3)), T.ExpTransform()]), (6,)),
    ("tanh_affine", lambda D, T, L, loc, scale: D.TransformedDistribution(
        D.Normal(loc, scale), [T.TanhTransform(), T.AffineTransform(1.0, -3.0)]), (2, 3)),
    ("sigmoid_indep", lambda D, T, L, loc, scale: D.TransformedDistribution(
        D.Independent(D.Normal(loc, scale), 1), [T.SigmoidTransform(), T.PowerTransform(2.0)]), (2, 3)),
    ("softplus", lambda D, T, L, loc, scale: D.TransformedDistribution(
        D.Normal(loc, scale), T.SoftplusTransform()), (2, 3)),
    ("affine_event", lambda D, T, L, loc, scale: D.TransformedDistribution(
        D.Normal(loc, scale), T.AffineTransform(L.ones(3, dtype=L.float64), 2.0, event_dim=1)), (2, 3)),
    ("cdf", lambda D, T, L, loc, scale: D.TransformedDistribution(
        D.Normal(loc, scale), T.CumulativeDistributionTransform(D.Normal(0.0, 1.0))), (2, 3)),
]


@pytest.mark.parametrize("name,build,shape", TRANSFORMED, ids=[c[0] for c in TRANSFORMED])
def test_transformed_distribution_shapes_log_prob_and_gradients_match_torch(name, build, shape):
    lm, lt = _pair(RNG.standard_normal(shape) * 0.3)
    sm, st = _pair(RNG.uniform(0.5, 1.0, shape))
    dm, dt = build(MD, MT, minitorch, lm, sm), build(TD, TT, torch, lt, st)
    assert dm.batch_shape == dt.batch_shape and dm.event_shape == dt.event_shape
    assert type(dm.support).__name__ == type(dt.support).__name__
    assert dm.support.event_dim == dt.support.event_dim
    with torch.no_grad():
        value = dt.sample((4,))
    vm, vt = minitorch.tensor(value.numpy()), value
    pm, pt = dm.log_prob(vm), dt.log_prob(vt)
    assert_close(pm, pt, rtol=1e-8, atol=1e-10)
    pm.sum().backward()
    pt.sum().backward()
    assert_close(lm.grad, lt.grad, rtol=1e-7, atol=1e-9)
    assert_close(sm.grad, st.grad, rtol=1e-7, atol=1e-9)
    minitorch.manual_seed(0)
    draw = dm.rsample((5,))
    assert tuple(draw.shape) == tuple(dt.rsample((5,)).shape)
    assert bool(dm.support.check(draw.detach()).all())
    assert not dm.sample((2,)).requires_grad
    expanded = dm.expand((7,) + tuple(dm.batch_shape))
    assert tuple(expanded.batch_shape) == tuple(dt.expand((7,) + tuple(dt.batch_shape)).batch_shape)
    batch_dims = len(dm.batch_shape)
    v_expanded = vm.reshape(tuple(vm.shape[:1]) + (1,) + tuple(vm.shape[1:]))
    assert tuple(expanded.log_prob(v_expanded).shape) == (4, 7) + tuple(dm.batch_shape)[:batch_dims]


def test_transformed_distribution_cdf_icdf_with_decreasing_transform():
    lm, lt = _pair(RNG.standard_normal(3))
    dm = MD.TransformedDistribution(MD.Normal(lm, 1.0), [MT.AffineTransform(0.0, -2.0), MT.ExpTransform()])
    dt = TD.TransformedDistribution(TD.Normal(lt, 1.0), [TT.AffineTransform(0.0, -2.0), TT.ExpTransform()])
    v = np.array([0.5, 1.0, 2.0])
    assert_close(dm.cdf(minitorch.tensor(v)), dt.cdf(torch.tensor(v)), rtol=1e-10)
    u = np.array([0.2, 0.5, 0.9])
    assert_close(dm.icdf(minitorch.tensor(u)), dt.icdf(torch.tensor(u)), rtol=1e-10)


def test_transformed_distribution_errors_like_torch():
    with pytest.raises(ValueError, match="transforms must be a Transform"):
        MD.TransformedDistribution(MD.Normal(0.0, 1.0), [MT.ExpTransform(), 3])
    with pytest.raises(ValueError, match="needs to have shape with size at least 1"):
        MD.TransformedDistribution(MD.Normal(0.0, 1.0), MT.StickBreakingTransform())


@pytest.mark.parametrize("device", devices())
def test_transforms_run_on_the_device_without_host_syncs(device):
    x = minitorch.tensor(_x_corr(2), device=device)
    with no_host_sync() if device == "cuda" else contextlib.nullcontext():
        for t in (MT.CorrCholeskyTransform(), MT.StickBreakingTransform(), MT.SigmoidTransform(),
                  MT.TanhTransform(), MT.SoftplusTransform(), MT.ComposeTransform([MT.ExpTransform(),
                                                                                    MT.AffineTransform(1.0, 2.0)])):
            y = t(x)
            t.inv(y)
            t.log_abs_det_jacobian(x, y)
        assert y.device == x.device


def test_transform_gradcheck_float64():
    for t in (MT.CorrCholeskyTransform(), MT.StickBreakingTransform(), MT.TanhTransform()):
        x = minitorch.tensor(_x_corr(2) * 0.5, requires_grad=True)
        assert minitorch.autograd.gradcheck(lambda v, t=t: t.log_abs_det_jacobian(v, t(v)), (x,))
        assert minitorch.autograd.gradcheck(lambda v, t=t: t(v), (x,))


# ---------------------------------------------------------------- the distributions -----------------------
def _pos(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def _unit(*shape):
    return RNG.uniform(0.1, 0.9, shape)


def _simplex(*shape):
    return RNG.dirichlet(np.ones(shape[-1]), shape[:-1])


def _corr_tril(*batch, d=4):
    return TT.CorrCholeskyTransform()(torch.tensor(RNG.standard_normal(batch + (d * (d - 1) // 2,)))).numpy()


_LR_W = RNG.standard_normal((3, 4, 2))
_SPD3 = _spd(3)

DISTS = [
    Case("HalfNormal", lambda D, scale, **kw: D.HalfNormal(scale, **kw), {"scale": _pos(3, 2)}, _pos(4, 3, 2),
         cdf=True),
    Case("HalfCauchy", lambda D, scale, **kw: D.HalfCauchy(scale, **kw), {"scale": _pos(3, 2)}, _pos(4, 3, 2),
         cdf=True),
    Case("Gumbel", lambda D, loc, scale, **kw: D.Gumbel(loc, scale, **kw),
         {"loc": RNG.standard_normal((3, 2)), "scale": _pos(3, 2)}, RNG.standard_normal((4, 3, 2)), cdf=True),
    Case("Weibull", lambda D, scale, k, **kw: D.Weibull(scale, k, **kw), {"scale": _pos(3, 2), "k": _pos(3, 2) + 0.5},
         _pos(4, 3, 2), cdf=True),
    Case("Kumaraswamy", lambda D, a, b, **kw: D.Kumaraswamy(a, b, **kw), {"a": _pos(3, 2) + 0.5, "b": _pos(3, 2)},
         _unit(4, 3, 2), cdf=True),
    Case("Pareto", lambda D, scale, alpha, **kw: D.Pareto(scale, alpha, **kw),
         {"scale": _unit(3, 2), "alpha": _pos(3, 2) * 3}, 1.0 + _pos(4, 3, 2), cdf=True),
    Case("LogisticNormal", lambda D, loc, scale, **kw: D.LogisticNormal(loc, scale, **kw),
         {"loc": RNG.standard_normal((3, 2)), "scale": _pos(3, 2)}, _simplex(4, 3, 3)),
    Case("RelaxedBernoulli-probs", lambda D, t, probs, **kw: D.RelaxedBernoulli(t, probs=probs, **kw),
         {"t": _pos(3, 2), "probs": _unit(3, 2)}, _unit(4, 3, 2)),
    Case("RelaxedBernoulli-logits", lambda D, t, logits, **kw: D.RelaxedBernoulli(t, logits=logits, **kw),
         {"t": _pos(3, 2), "logits": RNG.standard_normal((3, 2))}, _unit(4, 3, 2)),
    Case("RelaxedOneHotCategorical", lambda D, t, probs, **kw: D.RelaxedOneHotCategorical(t, probs=probs, **kw),
         {"t": np.array(0.7), "probs": _simplex(3, 5)}, _simplex(4, 3, 5)),
    Case("RelaxedOneHotCategorical-logits",
         lambda D, t, logits, **kw: D.RelaxedOneHotCategorical(t, logits=logits, **kw),
         {"t": np.array(1.3), "logits": RNG.standard_normal((3, 5))}, _simplex(4, 3, 5)),
    Case("VonMises", lambda D, loc, k, **kw: D.VonMises(loc, k, **kw),
         {"loc": RNG.uniform(-3, 3, (3, 2)), "k": np.array([[0.3, 1.0], [3.0, 4.5], [8.0, 20.0]])},
         RNG.uniform(-np.pi, np.pi, (4, 3, 2))),
    Case("LowRankMVN", lambda D, loc, W, diag, **kw: D.LowRankMultivariateNormal(loc, W, diag, **kw),
         {"loc": RNG.standard_normal((2, 1, 4)), "W": _LR_W, "diag": _pos(3, 4)}, RNG.standard_normal((5, 2, 3, 4))),
    Case("LowRankMVN-unbatched", lambda D, loc, W, diag, **kw: D.LowRankMultivariateNormal(loc, W, diag, **kw),
         {"loc": RNG.standard_normal(3), "W": RNG.standard_normal((3, 1)), "diag": _pos(3)},
         RNG.standard_normal((5, 3))),
    Case("Mixture-Normal", lambda D, logits, loc, scale, **kw: D.MixtureSameFamily(
        D.Categorical(logits=logits, **kw), D.Normal(loc, scale, **kw), **kw),
        {"logits": RNG.standard_normal((3, 5)), "loc": RNG.standard_normal((3, 5)), "scale": _pos(3, 5)},
        RNG.standard_normal((4, 3)), cdf=True),
    Case("Mixture-Independent", lambda D, probs, loc, scale, **kw: D.MixtureSameFamily(
        D.Categorical(probs=probs, **kw), D.Independent(D.Normal(loc, scale, **kw), 1, **kw), **kw),
        {"probs": _simplex(5), "loc": RNG.standard_normal((3, 5, 2)), "scale": _pos(3, 5, 2)},
        RNG.standard_normal((4, 3, 2))),
    Case("Mixture-MVN", lambda D, logits, loc, tril, **kw: D.MixtureSameFamily(
        D.Categorical(logits=logits, **kw), D.MultivariateNormal(loc, scale_tril=tril, **kw), **kw),
        {"logits": RNG.standard_normal((2, 1, 4)), "loc": RNG.standard_normal((2, 3, 4, 3)),
         "tril": np.linalg.cholesky(_spd(4))}, RNG.standard_normal((5, 2, 3, 3))),
    Case("Mixture-Gamma", lambda D, logits, conc, rate, **kw: D.MixtureSameFamily(
        D.Categorical(logits=logits, **kw), D.Gamma(conc, rate, **kw), **kw),
        {"logits": RNG.standard_normal(3), "conc": _pos(3) * 2, "rate": _pos(3)}, _pos(6)),
    Case("Wishart-cov", lambda D, df, cov, **kw: D.Wishart(df, covariance_matrix=cov, **kw),
         {"df": _pos(3) + 3, "cov": _SPD3}, _spd(4, 3)),
    Case("Wishart-tril", lambda D, df, tril, **kw: D.Wishart(df, scale_tril=tril, **kw),
         {"df": np.array(4.5), "tril": np.linalg.cholesky(_spd(2))}, _spd(4, 2)),
    Case("Wishart-precision", lambda D, df, prec, **kw: D.Wishart(df, precision_matrix=prec, **kw),
         {"df": _pos(3) + 3, "prec": _SPD3}, _spd(4, 1)),
    Case("LKJCholesky", lambda D, conc, **kw: D.LKJCholesky(4, conc, **kw), {"conc": _pos(3)}, _corr_tril(5, 3)),
    Case("LKJCholesky-uniform", lambda D, conc, **kw: D.LKJCholesky(3, conc, **kw), {"conc": np.array(1.0)},
         _corr_tril(5, d=3)),
]
DIST_IDS = [c.name for c in DISTS]


def _compare_some_grads(pm, pt):
    """Gradients equal torch's; a quantity need not depend on every parameter (no gradient in torch, none or
    zeros here)."""
    for k, t in pt.items():
        g = pm[k].grad
        if t.grad is None:
            assert g is None or not np.any(g.numpy()), k
        else:
            assert_close(g, t.grad, rtol=1e-7, atol=1e-9, msg=k)


@pytest.mark.filterwarnings("ignore:Singular sample detected")  # torch's Wishart warns on every valid draw
@pytest.mark.parametrize("case", DISTS, ids=DIST_IDS)
def test_new_distributions_shapes_flags_and_support_match_torch(case):
    dt, _ = case.make("torch")
    dm, _ = case.make("mt")
    assert tuple(dm.batch_shape) == tuple(dt.batch_shape) and tuple(dm.event_shape) == tuple(dt.event_shape)
    assert dm.has_rsample == dt.has_rsample
    assert type(dm.support).__name__ == type(dt.support).__name__
    assert dm.support.event_dim == dt.support.event_dim
    minitorch.manual_seed(3)
    s = dm.sample((6,))
    assert tuple(s.shape) == (6,) + tuple(dt.batch_shape) + tuple(dt.event_shape) and s.dtype == minitorch.float64
    if not case.name.startswith("Mixture-"):  # torch's mixture draws break when the mixture batch broadcasts
        assert tuple(s.shape) == tuple(dt.sample((6,)).shape)
    assert not s.requires_grad
    assert bool(dm.support.check(s).all())
    assert bool(dt.support.check(torch.tensor(s.numpy())).all())
    assert np.isfinite(dm.log_prob(s).detach().numpy()).all()
    if dm.has_rsample:
        r = dm.rsample((2,))
        assert r.requires_grad and tuple(r.shape) == (2,) + tuple(dm.batch_shape) + tuple(dm.event_shape)


@pytest.mark.parametrize("case", DISTS, ids=DIST_IDS)
def test_new_distributions_log_prob_entropy_and_gradients_match_torch(case):
    _check_log_prob_entropy_and_grads(case)


@pytest.mark.parametrize("case", DISTS, ids=DIST_IDS)
@pytest.mark.parametrize("attr", ["mean", "variance", "stddev", "mode"])
def test_new_distributions_moments_match_torch(case, attr):
    got = _moment_of_both(case, attr)
    if got is None:
        return
    expected, actual, pt, pm = got
    assert_close(actual, expected, rtol=1e-9, atol=1e-10)
    if expected.requires_grad and bool(torch.isfinite(expected).all()):
        expected.sum().backward()
        actual.sum().backward()
        _compare_some_grads(pm, pt)


@pytest.mark.parametrize("case", [c for c in DISTS if c.cdf], ids=[c.name for c in DISTS if c.cdf])
def test_new_distributions_cdf_icdf_and_gradients_match_torch(case):
    dt, pt = case.make("torch")
    dm, pm = case.make("mt")
    ct, cm = dt.cdf(case.values("torch")), dm.cdf(case.values("mt"))
    assert_close(cm, ct, rtol=1e-9, atol=1e-10)
    loss_t, loss_m = ct.sum(), cm.sum()
    u = RNG.uniform(0.02, 0.98, case.value.shape)
    try:
        it = dt.icdf(torch.tensor(u))
    except NotImplementedError:  # MixtureSameFamily: no icdf in torch either
        with pytest.raises(NotImplementedError):
            dm.icdf(minitorch.tensor(u))
    else:
        im = dm.icdf(minitorch.tensor(u))
        assert_close(im, it, rtol=1e-9, atol=1e-10)
        assert_close(dm.cdf(im), u, rtol=1e-7, atol=1e-9)
        loss_t, loss_m = loss_t + it.sum(), loss_m + im.sum()
    loss_t.backward()
    loss_m.backward()
    _compare_grads(pm, pt)


@pytest.mark.parametrize("case", DISTS, ids=DIST_IDS)
@pytest.mark.filterwarnings("ignore:Singular sample detected")
def test_new_distributions_expand_matches_torch(case):
    dt, _ = case.make("torch")
    dm, _ = case.make("mt")
    new_batch = case.value.shape[:1] + tuple(dt.batch_shape)
    et, em = dt.expand(new_batch), dm.expand(new_batch)
    assert type(em).__name__ == type(et).__name__
    assert tuple(em.batch_shape) == tuple(et.batch_shape) and tuple(em.event_shape) == tuple(et.event_shape)
    assert_close(em.log_prob(case.values("mt")), et.log_prob(case.values("torch")), rtol=1e-9, atol=1e-10)
    assert tuple(em.sample().shape) == tuple(em.batch_shape) + tuple(em.event_shape)


_STAT_CASES = [c for c in DISTS if c.name.split("-")[0] in (
    "HalfNormal", "Gumbel", "Weibull", "Kumaraswamy", "Pareto", "LowRankMVN", "Mixture", "Wishart")]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("case", _STAT_CASES, ids=[c.name for c in _STAT_CASES])
def test_new_distributions_sample_moments_within_standard_errors(case, device):
    n = 40_000
    minitorch.manual_seed(1234)
    dm, _ = case.make("mt", device=device, grad=False)
    x = dm.sample((n,)).cpu().numpy()
    _check_moments(x, dm.mean.detach().cpu().numpy(), dm.variance.detach().cpu().numpy(), n)
    if dm.has_rsample:
        _check_moments(dm.rsample((n,)).detach().cpu().numpy(), dm.mean.detach().cpu().numpy(),
                       dm.variance.detach().cpu().numpy(), n)


def test_half_cauchy_and_von_mises_samples_have_the_right_quantiles():
    minitorch.manual_seed(5)
    n = 40_000
    x = MD.HalfCauchy(minitorch.tensor([0.5, 2.0], dtype=minitorch.float64)).sample((n,)).numpy()
    assert np.all(np.abs(np.median(x, 0) - np.array([0.5, 2.0])) < 0.05 * np.array([0.5, 2.0]))  # median = scale
    loc, k = np.array([2.5, -1.0, 0.3]), np.array([0.5, 2.0, 10.0])
    d = MD.VonMises(minitorch.tensor(loc), minitorch.tensor(k))
    v = d.sample((n,)).numpy()
    assert v.min() >= -np.pi and v.max() < np.pi
    # E[cos(x - loc)] = I_1(k) / I_0(k) = 1 - circular variance; E[sin(x - loc)] = 0
    se = 1 / np.sqrt(n)
    assert np.all(np.abs(np.cos(v - loc).mean(0) - (1 - d.variance.numpy())) < 6 * se)
    assert np.all(np.abs(np.sin(v - loc).mean(0)) < 6 * se)


def test_lkj_cholesky_samples_match_the_marginal_of_the_correlations():
    """For LKJ(d, eta), each off-diagonal correlation r satisfies (r + 1) / 2 ~ Beta(b, b), b = eta - 1 + d / 2."""
    minitorch.manual_seed(9)
    n, d, eta = 40_000, 4, 2.0
    L = MD.LKJCholesky(d, minitorch.tensor(eta, dtype=minitorch.float64)).sample((n,)).numpy()
    corr = L @ np.swapaxes(L, -1, -2)
    assert np.allclose(np.diagonal(corr, axis1=-2, axis2=-1), 1.0)
    b = eta - 1 + d / 2
    var = 1 / (2 * b + 1)  # Var(r) = 4 Var(Beta(b, b)) = 1 / (2b + 1)
    r = corr[:, np.tril_indices(d, -1)[0], np.tril_indices(d, -1)[1]]
    _check_moments(r, np.zeros(r.shape[1]), np.full(r.shape[1], var), n)


def test_lowrank_mvn_matrices_and_their_gradients_match_torch():
    case = next(c for c in DISTS if c.name == "LowRankMVN")
    for attr in ("covariance_matrix", "precision_matrix", "scale_tril", "variance"):
        dt, pt = case.make("torch")
        dm, pm = case.make("mt")
        expected, actual = getattr(dt, attr), getattr(dm, attr)
        assert_close(actual, expected, rtol=1e-9, atol=1e-10, msg=attr)
        (expected * expected.detach().cos()).sum().backward()
        (actual * actual.detach().cos()).sum().backward()
        _compare_some_grads(pm, pt)
    # it is the same Gaussian as the full-covariance MultivariateNormal
    dm, _ = case.make("mt", grad=False)
    full = MD.MultivariateNormal(dm.loc, covariance_matrix=dm.covariance_matrix)
    assert_close(dm.log_prob(case.values("mt")), full.log_prob(case.values("mt")), rtol=1e-9)
    assert_close(dm.entropy(), full.entropy(), rtol=1e-9)


def _replay_normal(shapes, seed):
    """The standard normal draws minitorch's generator makes after manual_seed(seed), in order."""
    minitorch.manual_seed(seed)
    return [torch.tensor(minitorch.randn(s, dtype=minitorch.float64).numpy()) for s in shapes]


def _replay_uniform(shape, seed):
    minitorch.manual_seed(seed)
    return torch.tensor(minitorch.empty(shape, dtype=minitorch.float64).uniform_(0, 1).numpy())


def test_rsample_gradients_match_torch_at_the_same_noise():
    """Each reparameterised draw written in torch as the same function of the parameters at minitorch's noise
    (re-drawn with the same seed): draws and gradients must agree."""
    # univariate families with an icdf: the draw's noise is u = cdf(x), torch's icdf(u) is the same map
    for case in [c for c in DISTS if c.cdf and c.name in ("HalfNormal", "HalfCauchy", "Gumbel", "Weibull",
                                                           "Kumaraswamy", "Pareto")]:
        minitorch.manual_seed(11)
        dm, pm = case.make("mt")
        x = dm.rsample((6,))
        (x.sin() * x).sum().backward()
        dt, pt = case.make("torch")
        with torch.no_grad():
            u = dt.cdf(torch.tensor(x.detach().numpy()))
        xt = dt.icdf(u)
        assert_close(x, xt, rtol=1e-7, atol=1e-9, msg=case.name)
        (xt.sin() * xt).sum().backward()
        _compare_grads(pm, pt, rtol=1e-5, atol=1e-8)
    # LowRankMultivariateNormal: loc + W eps_W + sqrt(D) eps_D
    case = next(c for c in DISTS if c.name == "LowRankMVN")
    dm, pm = case.make("mt")
    minitorch.manual_seed(12)
    x = dm.rsample((3,))
    (x.sin() * x).sum().backward()
    dt, pt = case.make("torch")
    eps_w, eps_d = _replay_normal([(3, 2, 3, 2), (3, 2, 3, 4)], 12)
    xt = dt.loc + (dt.cov_factor @ eps_w.unsqueeze(-1)).squeeze(-1) + dt.cov_diag.sqrt() * eps_d
    assert_close(x, xt, rtol=1e-10)
    (xt.sin() * xt).sum().backward()
    _compare_grads(pm, pt)
    # the relaxed distributions: logistic / Gumbel noise from uniforms
    for name in ("RelaxedBernoulli-probs", "RelaxedOneHotCategorical-logits", "LogisticNormal"):
        case = next(c for c in DISTS if c.name == name)
        dm, pm = case.make("mt")
        minitorch.manual_seed(13)
        x = dm.rsample((3,))
        (x.sin() * x).sum().backward()
        dt, pt = case.make("torch")
        if name == "LogisticNormal":
            (eps,) = _replay_normal([(3, 3, 2)], 13)
            xt = TT.StickBreakingTransform()(dt.loc + dt.scale * eps)
        else:
            base = dt.base_dist
            shape = (3,) + tuple(dt.batch_shape) + tuple(dt.event_shape)
            u = TD.utils.clamp_probs(_replay_uniform(shape, 13))
            if name.startswith("RelaxedBernoulli"):
                p = TD.utils.clamp_probs(base.probs.expand(shape))
                xt = torch.sigmoid((u.log() - (-u).log1p() + p.log() - (-p).log1p()) / base.temperature)
            else:
                scores = (base.logits - (-u.log()).log()) / base.temperature.unsqueeze(-1)
                xt = torch.softmax(scores, -1)
        assert_close(x, xt, rtol=1e-8, atol=1e-10, msg=name)
        (xt.sin() * xt).sum().backward()
        _compare_grads(pm, pt, rtol=1e-6, atol=1e-9)


def test_wishart_rsample_is_differentiable_and_bartlett_shaped():
    df = minitorch.tensor([4.0, 6.5], dtype=minitorch.float64, requires_grad=True)
    cov = minitorch.tensor(_spd(2), requires_grad=True)
    d = MD.Wishart(df, covariance_matrix=cov)
    minitorch.manual_seed(4)
    x = d.rsample((3,))
    assert tuple(x.shape) == (3, 2, 3, 3) and bool(MC.positive_definite.check(x.detach()).all())
    x.sum().backward()
    assert df.grad is not None and cov.grad is not None and np.isfinite(cov.grad.numpy()).all()


# ---------------------------------------------------------------- KL divergences ----------------------------
def _lowrank(L, loc, w, d):
    D = TD if L is torch else MD
    return D.LowRankMultivariateNormal(loc, w, d)


def _mvn(L, loc, tril):
    D = TD if L is torch else MD
    return D.MultivariateNormal(loc, scale_tril=tril)


KL_PAIRS = [
    ("lowrank-lowrank", lambda L, a, b, c, d, e, f: (_lowrank(L, a, b, c), _lowrank(L, d, e, f)),
     [RNG.standard_normal((2, 4)), RNG.standard_normal((2, 4, 2)), _pos(2, 4),
      RNG.standard_normal(4), RNG.standard_normal((4, 3)), _pos(4)]),
    ("mvn-lowrank", lambda L, a, b, d, e, f: (_mvn(L, a, b), _lowrank(L, d, e, f)),
     [RNG.standard_normal((2, 4)), np.linalg.cholesky(_spd(n=4)), RNG.standard_normal(4),
      RNG.standard_normal((2, 4, 3)), _pos(2, 4)]),
    ("lowrank-mvn", lambda L, a, b, c, d, e: (_lowrank(L, a, b, c), _mvn(L, d, e)),
     [RNG.standard_normal((2, 4)), RNG.standard_normal((4, 2)), _pos(2, 4),
      RNG.standard_normal(4), np.linalg.cholesky(_spd(2, n=4))]),
    ("halfnormal", lambda L, a, b: ((TD if L is torch else MD).HalfNormal(a), (TD if L is torch else MD).HalfNormal(b)),
     [_pos(3), _pos(3)]),
    ("gumbel", lambda L, a, b, c, d: ((TD if L is torch else MD).Gumbel(a, b), (TD if L is torch else MD).Gumbel(c, d)),
     [RNG.standard_normal(3), _pos(3), RNG.standard_normal(3), _pos(3)]),
    ("pareto", lambda L, a, b, c, d: ((TD if L is torch else MD).Pareto(a, b), (TD if L is torch else MD).Pareto(c, d)),
     [np.array([1.0, 2.0, 0.5]), _pos(3), np.array([0.5, 1.0, 1.0]), _pos(3)]),
    ("lognormal", lambda L, a, b, c, d: ((TD if L is torch else MD).LogNormal(a, b),
                                         (TD if L is torch else MD).LogNormal(c, d)),
     [RNG.standard_normal(3), _pos(3), RNG.standard_normal(3), _pos(3)]),
    ("exponential-gumbel", lambda L, a, c, d: ((TD if L is torch else MD).Exponential(a),
                                               (TD if L is torch else MD).Gumbel(c, d)),
     [_pos(3), RNG.standard_normal(3), _pos(3)]),
    ("normal-gumbel", lambda L, a, b, c, d: ((TD if L is torch else MD).Normal(a, b),
                                             (TD if L is torch else MD).Gumbel(c, d)),
     [RNG.standard_normal(3), _pos(3), RNG.standard_normal(3), _pos(3)]),
    ("uniform-gumbel", lambda L, a, b, c, d: ((TD if L is torch else MD).Uniform(a, a + b),
                                              (TD if L is torch else MD).Gumbel(c, d)),
     [RNG.standard_normal(3), _pos(3), RNG.standard_normal(3), _pos(3)]),
]


@pytest.mark.parametrize("name,build,arrays", KL_PAIRS, ids=[k[0] for k in KL_PAIRS])
def test_new_kl_pairs_and_gradients_match_torch(name, build, arrays):
    ms, ts = zip(*(_pair(a) for a in arrays))
    km, kt = MD.kl_divergence(*build(minitorch, *ms)), TD.kl_divergence(*build(torch, *ts))
    assert_close(km, kt, rtol=1e-9, atol=1e-10)
    finite = torch.isfinite(kt)
    kt[finite].sum().backward()
    km[minitorch.tensor(finite.numpy())].sum().backward()
    for m, t in zip(ms, ts):
        if t.grad is not None:
            assert_close(m.grad, t.grad, rtol=1e-7, atol=1e-9)


def test_kl_of_transformed_distributions_needs_equal_transforms():
    p = MD.TransformedDistribution(MD.Normal(0.0, 1.0), [MT.ExpTransform()])
    q = MD.TransformedDistribution(MD.Normal(1.0, 2.0), [MT.SigmoidTransform()])
    with pytest.raises(NotImplementedError):
        MD.kl_divergence(p, q)


# ---------------------------------------------------------------- errors ------------------------------------
BAD = [
    ("halfnormal", lambda D, L: D.HalfNormal(L.tensor([-1.0]))),
    ("gumbel", lambda D, L: D.Gumbel(L.tensor([0.0]), L.tensor([0.0]))),
    ("weibull", lambda D, L: D.Weibull(L.tensor([1.0]), L.tensor([-1.0]))),
    ("pareto", lambda D, L: D.Pareto(L.tensor([-1.0]), L.tensor([1.0]))),
    ("lowrank_loc", lambda D, L: D.LowRankMultivariateNormal(L.tensor(1.0), L.ones(1, 1), L.ones(1))),
    ("lowrank_factor", lambda D, L: D.LowRankMultivariateNormal(L.zeros(3), L.ones(2, 1), L.ones(3))),
    ("lowrank_diag", lambda D, L: D.LowRankMultivariateNormal(L.zeros(3), L.ones(3, 1), L.ones(2))),
    ("lowrank_negative", lambda D, L: D.LowRankMultivariateNormal(L.zeros(3), L.ones(3, 1), -L.ones(3))),
    ("mixture_not_categorical", lambda D, L: D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(L.zeros(3), 1.0))),
    ("mixture_k", lambda D, L: D.MixtureSameFamily(D.Categorical(logits=L.zeros(2)), D.Normal(L.zeros(3), 1.0))),
    ("mixture_batch", lambda D, L: D.MixtureSameFamily(D.Categorical(logits=L.zeros(2, 3)),
                                                       D.Normal(L.zeros(4, 3), 1.0))),
    ("lkj_dim", lambda D, L: D.LKJCholesky(1)),
    ("wishart_df", lambda D, L: D.Wishart(L.tensor(1.0), covariance_matrix=L.eye(3))),
    ("wishart_two", lambda D, L: D.Wishart(L.tensor(4.0), covariance_matrix=L.eye(3), scale_tril=L.eye(3))),
    ("vonmises", lambda D, L: D.VonMises(L.tensor(0.0), L.tensor(-1.0))),
    ("relaxed_both", lambda D, L: D.RelaxedBernoulli(L.tensor(1.0), probs=L.tensor(0.5), logits=L.tensor(0.0))),
    ("kumaraswamy", lambda D, L: D.Kumaraswamy(L.tensor(0.0), L.tensor(1.0))),
]


@pytest.mark.parametrize("name,build", BAD, ids=[b[0] for b in BAD])
def test_bad_parameters_raise_like_torch(name, build):
    raises_like_torch(lambda: build(TD, torch), lambda: build(MD, minitorch))


def test_values_outside_the_support_raise_like_torch():
    for build, value in ((lambda D, L: D.HalfNormal(L.tensor(1.0)), -1.0),
                         (lambda D, L: D.Pareto(L.tensor(2.0), L.tensor(1.0)), 1.0),
                         (lambda D, L: D.Kumaraswamy(L.tensor(2.0), L.tensor(1.0)), 1.5),
                         (lambda D, L: D.LogisticNormal(L.zeros(2), L.ones(2)), [0.5, 0.6, 0.1])):
        raises_like_torch(lambda b=build, v=value: b(TD, torch).log_prob(torch.tensor(v)),
                          lambda b=build, v=value: b(MD, minitorch).log_prob(minitorch.tensor(v)))


@pytest.mark.parametrize("device", devices())
def test_new_distributions_run_on_the_device_without_host_syncs(device):
    cases = [c for c in DISTS if c.name.split("-")[0] not in ("Wishart", "VonMises")]  # syncs as in torch
    for case in cases:
        dm, _ = case.make("mt", device=device, validate_args=False)
        value = case.values("mt", device)
        with no_host_sync() if device == "cuda" else contextlib.nullcontext():
            lp = dm.log_prob(value)
            s = dm.sample((2,))
            if dm.has_rsample:
                dm.rsample((2,))
        assert lp.device.type == device and s.device.type == device, case.name


_GRADCHECK = ["LowRankMVN", "Mixture-Normal", "Mixture-MVN", "Wishart-cov", "VonMises", "LKJCholesky", "Gumbel",
              "RelaxedOneHotCategorical", "LogisticNormal", "Kumaraswamy"]


@pytest.mark.parametrize("name", _GRADCHECK)
def test_new_log_probs_pass_gradcheck_and_gradgradcheck(name):
    case = next(c for c in DISTS if c.name == name)
    keys = list(case.params)
    inputs = tuple(minitorch.tensor(case.params[k], requires_grad=True) for k in keys)
    value = case.values("mt")

    def f(*params):
        kwargs = dict(zip(keys, params))
        if "cov" in kwargs:  # cholesky reads one triangle: perturb symmetrically, as torch's gradcheck must
            kwargs["cov"] = (kwargs["cov"] + kwargs["cov"].mT) / 2
        return case.build(MD, **kwargs, validate_args=False).log_prob(value)

    assert minitorch.autograd.gradcheck(f, inputs)
    if name in ("LowRankMVN", "Mixture-Normal", "Gumbel", "LogisticNormal"):
        assert minitorch.autograd.gradgradcheck(f, inputs)
