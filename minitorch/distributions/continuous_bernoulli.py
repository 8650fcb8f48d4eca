"""ContinuousBernoulli(probs | logits): the density on [0, 1] proportional to p^x (1 - p)^(1 - x)
(Loaiza-Ganem & Cunningham, 2019), with torch's Taylor expansions near p = 1/2 where the closed forms
cancel (inside ``lims``). Reparameterised: rsample = icdf(u), u ~ U[0, 1).
"""
from __future__ import annotations

import math
from numbers import Number

import minitorch
import minitorch.nn.functional as F
from minitorch.tensor import Size

from . import constraints
from .exp_family import ExponentialFamily
from .utils import as_size, broadcast_all, clamp_probs, lazy_property, logits_to_probs, probs_to_logits, uniform

__all__ = ["ContinuousBernoulli"]


class ContinuousBernoulli(ExponentialFamily):
    """log p(x) = x log p + (1 - x) log(1 - p) + log C(p), C(p) = 2 atanh(1 - 2p) / (1 - 2p)."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    _mean_carrier_measure = 0
    has_rsample = True

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            is_scalar = isinstance(probs, Number)
            (self.probs,) = broadcast_all(probs)
            if validate_args is not None:
                if not bool(self.arg_constraints["probs"].check(self.probs).all()):
                    raise ValueError("The parameter probs has invalid values")
            self.probs = clamp_probs(self.probs)
        else:
            is_scalar = isinstance(logits, Number)
            (self.logits,) = broadcast_all(logits)
        self._param = self.probs if probs is not None else self.logits
        batch_shape = Size() if is_scalar else self._param.size()
        self._lims = lims
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(ContinuousBernoulli, _instance)
        new._lims = self._lims
        batch_shape = as_size(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
            new._param = new.logits
        return self._init_expanded(new, batch_shape)

    def _outside_unstable_region(self):
        return minitorch.logical_or(self.probs.le(self._lims[0]), self.probs.gt(self._lims[1]))

    def _cut_probs(self):
        return minitorch.where(self._outside_unstable_region(), self.probs,
                               self._lims[0] * minitorch.ones_like(self.probs))

    def _cont_bern_log_norm(self):
        """log C(p) = log|log1p(-p) - log p| - log|1 - 2p|; Taylor series log 2 + 4/3 x + 104/45 x^2 near 1/2."""
        cut = self._cut_probs()
        below = minitorch.where(cut.le(0.5), cut, minitorch.zeros_like(cut))
        above = minitorch.where(cut.ge(0.5), cut, minitorch.ones_like(cut))
        log_norm = minitorch.log(minitorch.abs(minitorch.log1p(-cut) - minitorch.log(cut))) - minitorch.where(
            cut.le(0.5), minitorch.log1p(-2.0 * below), minitorch.log(2.0 * above - 1.0))
        x = (self.probs - 0.5).pow(2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return minitorch.where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self):
        cut = self._cut_probs()
        mus = cut / (2.0 * cut - 1.0) + 1.0 / (minitorch.log1p(-cut) - minitorch.log(cut))
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x.pow(2)) * x
        return minitorch.where(self._outside_unstable_region(), mus, taylor)

    @property
    def stddev(self):
        return minitorch.sqrt(self.variance)

    @property
    def variance(self):
        cut = self._cut_probs()
        var = cut * (cut - 1.0) / (1.0 - 2.0 * cut).pow(2) + 1.0 / (minitorch.log1p(-cut) - minitorch.log(cut)).pow(2)
        x = (self.probs - 0.5).pow(2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x
        return minitorch.where(self._outside_unstable_region(), var, taylor)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    @property
    def param_shape(self):
        return self._param.size()

    def sample(self, sample_shape=Size()):
        u = uniform(self._extended_shape(sample_shape), self.probs.dtype, self.probs.device)
        with minitorch.no_grad():
            return self.icdf(u)

    def rsample(self, sample_shape=Size()):
        u = uniform(self._extended_shape(sample_shape), self.probs.dtype, self.probs.device)
        return self.icdf(u)

    def log_prob(self, value):
        """-BCE_with_logits(logits, x) + log C(p)."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -F.binary_cross_entropy_with_logits(logits, value, reduction="none") + self._cont_bern_log_norm()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        cut = self._cut_probs()
        cdfs = (minitorch.pow(cut, value) * minitorch.pow(1.0 - cut, 1.0 - value) + cut - 1.0) / (2.0 * cut - 1.0)
        unbounded = minitorch.where(self._outside_unstable_region(), cdfs, value)
        return minitorch.where(value.le(0.0), minitorch.zeros_like(value),
                               minitorch.where(value.ge(1.0), minitorch.ones_like(value), unbounded))

    def icdf(self, value):
        cut = self._cut_probs()
        return minitorch.where(
            self._outside_unstable_region(),
            (minitorch.log1p(-cut + value * (2.0 * cut - 1.0)) - minitorch.log1p(-cut))
            / (minitorch.log(cut) - minitorch.log1p(-cut)),
            value)

    def entropy(self):
        log_probs0 = minitorch.log1p(-self.probs)
        log_probs1 = minitorch.log(self.probs)
        return self.mean * (log_probs0 - log_probs1) - self._cont_bern_log_norm() - log_probs0

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        """log|expm1(x)| - log|x|, Taylor x/2 + x^2/24 - x^4/2880 near x = 0."""
        out = minitorch.logical_or(x.le(self._lims[0] - 0.5), x.gt(self._lims[1] - 0.5))
        cut = minitorch.where(out, x, (self._lims[0] - 0.5) * minitorch.ones_like(x))
        log_norm = minitorch.log(minitorch.abs(minitorch.special.expm1(cut))) - minitorch.log(minitorch.abs(cut))
        taylor = 0.5 * x + x.pow(2) / 24.0 - x.pow(4) / 2880.0
        return minitorch.where(out, log_norm, taylor)
