"""The KL pairs torch registers for ContinuousBernoulli and for ExponentialFamily (Bregman divergence of
the log normaliser), added to ``kl_divergence``'s registry."""
from __future__ import annotations

import math

import minitorch

from . import kl as _kl
from .continuous import Exponential, Laplace, Normal, Uniform
from .continuous_bernoulli import ContinuousBernoulli
from .dirichlet import Beta
from .exp_family import ExponentialFamily
from .gamma import Gamma
from .kl import _infinite_like, register_kl
from .transformed_families import Gumbel, Pareto
from .utils import sum_rightmost

__all__: list[str] = []


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_continuous_bernoulli_continuous_bernoulli(p, q):
    t1 = p.mean * (p.logits - q.logits)
    t2 = p._cont_bern_log_norm() + minitorch.log1p(-p.probs)
    t3 = -q._cont_bern_log_norm() - minitorch.log1p(-q.probs)
    return t1 + t2 + t3


@register_kl(ExponentialFamily, ExponentialFamily)
def _kl_expfamily_expfamily(p, q):
    """F(theta_q) - F(theta_p) - <theta_q - theta_p, grad F(theta_p)>."""
    if type(p) is not type(q):
        raise NotImplementedError("The cross KL-divergence between different exponential families cannot "
                                  "be computed using Bregman divergences")
    p_nparams = [n.detach().requires_grad_() for n in p._natural_params]
    q_nparams = q._natural_params
    lg_normal = p._log_normalizer(*p_nparams)
    gradients = minitorch.autograd.grad(lg_normal.sum(), p_nparams, create_graph=True)
    result = q._log_normalizer(*q_nparams) - lg_normal
    for pnp, qnp, g in zip(p_nparams, q_nparams, gradients):
        result = result - sum_rightmost((qnp - pnp) * g, len(q.event_shape))
    return result


def _cb_cross(p, q):
    return -p.entropy() - p.mean * q.logits - minitorch.log1p(-q.probs) - q._cont_bern_log_norm()


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_continuous_bernoulli(p, q):
    return _cb_cross(p, q)


@register_kl(ContinuousBernoulli, Pareto)
def _kl_continuous_bernoulli_infinity(p, q):
    return _infinite_like(p.probs)


@register_kl(ContinuousBernoulli, Exponential)
def _kl_continuous_bernoulli_exponential(p, q):
    return -p.entropy() - minitorch.log(q.rate) + q.rate * p.mean


@register_kl(ContinuousBernoulli, Normal)
def _kl_continuous_bernoulli_normal(p, q):
    t1 = -p.entropy()
    t2 = 0.5 * (math.log(2.0 * math.pi) + minitorch.square(q.loc / q.scale)) + minitorch.log(q.scale)
    t3 = (p.variance + minitorch.square(p.mean) - 2.0 * q.loc * p.mean) / (2.0 * minitorch.square(q.scale))
    return t1 + t2 + t3


@register_kl(ContinuousBernoulli, Uniform)
def _kl_continuous_bernoulli_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    outside = minitorch.logical_or(q.low.ge(p.support.lower_bound), q.high.le(p.support.upper_bound))
    return minitorch.where(outside, minitorch.ones_like(result) * math.inf, result)


# Every sample space but ContinuousBernoulli's [0, 1] is wider: the same infinite-KL functions as the
# other unbounded pairs in kl.py, registered for it too.
register_kl(Exponential, ContinuousBernoulli)(_kl._kl_exponential_infinity)
register_kl(Gamma, ContinuousBernoulli)(_kl._kl_gamma_infinity)
for _family in (Gumbel, Laplace, Normal):
    register_kl(_family, ContinuousBernoulli)(_kl._kl_laplace_infinity)
register_kl(Pareto, ContinuousBernoulli)(_kl._kl_pareto_infinity)


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_continuous_bernoulli(p, q):
    result = _cb_cross(p, q)
    outside = minitorch.logical_or(p.high.ge(q.support.upper_bound), p.low.le(q.support.lower_bound))
    return minitorch.where(outside, minitorch.ones_like(result) * math.inf, result)
