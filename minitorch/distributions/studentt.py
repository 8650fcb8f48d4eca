"""StudentT(df, loc, scale): loc + scale * T, T a Student's t variable with ``df`` degrees of freedom."""
from __future__ import annotations

import math

import minitorch
from minitorch.tensor import Size

from . import constraints
from .distribution import Distribution
from .gamma import Chi2
from .utils import as_size, broadcast_all, standard_normal

__all__ = ["StudentT"]


class StudentT(Distribution):
    """Density Gamma((v+1)/2) / (Gamma(v/2) sqrt(v pi) s) (1 + y^2 / v)^(-(v+1)/2), y = (x - loc) / s.
    rsample: loc + s * z / sqrt(c / v), z ~ N(0, 1), c ~ Chi2(v) (reparameterised through the Gamma)."""

    arg_constraints = {"df": constraints.positive, "loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(StudentT, _instance)
        batch_shape = as_size(batch_shape)
        new.df = self.df.expand(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        new._chi2 = self._chi2.expand(batch_shape)
        return self._init_expanded(new, batch_shape)

    @property
    def mean(self):
        """loc for df > 1, else undefined (nan)."""
        return minitorch.where(self.df <= 1, math.nan, self.loc)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """scale^2 df / (df - 2) for df > 2; inf for 1 < df <= 2; nan for df <= 1."""
        df = self.df
        finite = self.scale.pow(2) * df / minitorch.where(df > 2, df - 2, 1.0)
        return minitorch.where(df > 2, finite, minitorch.where(df > 1, math.inf, math.nan))

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        z = standard_normal(shape, self.df.dtype, self.df.device)
        chi2 = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * (z * minitorch.rsqrt(chi2 / self.df))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        log_norm = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi)
                    + minitorch.lgamma(0.5 * self.df) - minitorch.lgamma(0.5 * (self.df + 1.0)))
        return -0.5 * (self.df + 1.0) * minitorch.log1p(y**2.0 / self.df) - log_norm

    def entropy(self):
        df = self.df
        lbeta = minitorch.lgamma(0.5 * df) + math.lgamma(0.5) - minitorch.lgamma(0.5 * (df + 1))
        return (self.scale.log() + 0.5 * (df + 1) * (minitorch.digamma(0.5 * (df + 1)) - minitorch.digamma(0.5 * df))
                + 0.5 * df.log() + lbeta)
