"""GeneralizedPareto(loc, scale, concentration): support [loc, inf) for concentration >= 0 and
[loc, loc - scale / concentration] for concentration < 0. Reparameterised: rsample = icdf(u).
"""
from __future__ import annotations

import math
from numbers import Number

import minitorch
from minitorch.tensor import Size

from . import constraints
from .distribution import Distribution
from .utils import as_size, broadcast_all, uniform

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    """log p(x) = -log scale - (1/xi + 1) log1p(xi z), z = (x - loc) / scale (xi = 0: -log scale - z)."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive, "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        scalar = all(isinstance(a, Number) for a in (loc, scale, concentration))
        super().__init__(Size() if scalar else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(GeneralizedPareto, _instance)
        batch_shape = as_size(batch_shape)
        for name in ("loc", "scale", "concentration"):
            setattr(new, name, getattr(self, name).expand(batch_shape))
        return self._init_expanded(new, batch_shape)

    def rsample(self, sample_shape=Size()):
        u = uniform(self._extended_shape(sample_shape), self.loc.dtype, self.loc.device)
        return self.icdf(u)

    def _safe_conc(self):
        eq_zero = minitorch.isclose(self.concentration, minitorch.zeros_like(self.concentration))
        return eq_zero, minitorch.where(eq_zero, minitorch.ones_like(self.concentration), self.concentration)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        eq_zero, safe_conc = self._safe_conc()
        y = 1 / safe_conc + minitorch.ones_like(z)
        where_nonzero = minitorch.where(y == 0, y, y * minitorch.log1p(safe_conc * z))
        return -self.scale.log() - minitorch.where(eq_zero, z, where_nonzero)

    def log_survival_function(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        eq_zero, safe_conc = self._safe_conc()
        where_nonzero = -minitorch.log1p(safe_conc * z) / safe_conc
        return minitorch.where(eq_zero, -z, where_nonzero)

    def log_cdf(self, value):
        return minitorch.log1p(-minitorch.exp(self.log_survival_function(value)))

    def cdf(self, value):
        return minitorch.exp(self.log_cdf(value))

    def icdf(self, value):
        eq_zero, safe_conc = self._safe_conc()
        logu = minitorch.log1p(-value)
        where_nonzero = self.loc + self.scale / safe_conc * minitorch.expm1(-safe_conc * logu)
        where_zero = self.loc - self.scale * logu
        return minitorch.where(eq_zero, where_zero, where_nonzero)

    def _z(self, x):
        return (x - self.loc) / self.scale

    @property
    def mean(self):
        valid = self.concentration < 1
        safe_conc = minitorch.where(valid, self.concentration, 0.5)
        return minitorch.where(valid, self.loc + self.scale / (1 - safe_conc), math.nan)

    @property
    def variance(self):
        valid = self.concentration < 0.5
        safe_conc = minitorch.where(valid, self.concentration, 0.25)
        result = self.scale**2 / ((1 - safe_conc) ** 2 * (1 - 2 * safe_conc))
        return minitorch.where(valid, result, math.nan)

    def entropy(self):
        ans = minitorch.log(self.scale) + self.concentration + 1
        return minitorch.broadcast_to(ans, tuple(self._batch_shape))

    @property
    def mode(self):
        return self.loc

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        lower = self.loc
        upper = minitorch.where(self.concentration < 0, lower - self.scale / self.concentration, math.inf)
        return constraints.interval(lower, upper)
