"""``HalfNormal`` and ``HalfCauchy``: |X| for X ~ Normal(0, scale) / Cauchy(0, scale). The density on
y >= 0 is twice the base density (both signs of x map to y), so log p(y) = log p_base(y) + log 2."""
from __future__ import annotations

import math

import minitorch

from . import constraints
from .continuous import Cauchy, Normal
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform

__all__ = ["HalfCauchy", "HalfNormal"]


class _Half(TransformedDistribution):
    """|X| for a symmetric base X centred at 0: shared log_prob, cdf, icdf, entropy."""

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(type(self), _instance))

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mode(self):
        return minitorch.zeros_like(self.scale)

    def log_prob(self, value):
        """log p_base(y) + log 2 for y >= 0, -inf below."""
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return minitorch.where(value >= 0, log_prob, -math.inf)

    def cdf(self, value):
        """P(|X| <= y) = 2 F_base(y) - 1."""
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)


class HalfNormal(_Half):
    """|X|, X ~ N(0, scale^2): mean scale sqrt(2 / pi), variance scale^2 (1 - 2 / pi)."""

    def __init__(self, scale, validate_args=None):
        super().__init__(Normal(0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)


class HalfCauchy(_Half):
    """|X|, X ~ Cauchy(0, scale): infinite mean and variance."""

    def __init__(self, scale, validate_args=None):
        super().__init__(Cauchy(0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    @property
    def mean(self):
        return minitorch.full(tuple(self._extended_shape()), math.inf, dtype=self.scale.dtype,
                              device=self.scale.device)

    @property
    def variance(self):
        return self.base_dist.variance
