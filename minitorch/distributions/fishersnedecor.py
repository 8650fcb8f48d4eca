"""FisherSnedecor(df1, df2): the F distribution, the ratio of two scaled chi-squared draws. Reparameterised
through the two Gamma draws (X1 ~ Gamma(df1/2, df1), X2 ~ Gamma(df2/2, df2), Y = X1 / X2).
"""
from __future__ import annotations

import math
from numbers import Number

import minitorch
from minitorch.tensor import Size

from . import constraints
from .distribution import Distribution
from .gamma import Gamma
from .utils import as_size, broadcast_all

__all__ = ["FisherSnedecor"]


class FisherSnedecor(Distribution):
    """log p(x) = lgamma((d1+d2)/2) - lgamma(d1/2) - lgamma(d2/2) + d1/2 log(d1/d2) + (d1/2 - 1) log x
    - (d1+d2)/2 log1p(d1 x / d2)."""

    arg_constraints = {"df1": constraints.positive, "df2": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, df1, df2, validate_args=None):
        self.df1, self.df2 = broadcast_all(df1, df2)
        self._gamma1 = Gamma(self.df1 * 0.5, self.df1)
        self._gamma2 = Gamma(self.df2 * 0.5, self.df2)
        batch_shape = Size() if isinstance(df1, Number) and isinstance(df2, Number) else self.df1.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(FisherSnedecor, _instance)
        batch_shape = as_size(batch_shape)
        new.df1 = self.df1.expand(batch_shape)
        new.df2 = self.df2.expand(batch_shape)
        new._gamma1 = self._gamma1.expand(batch_shape)
        new._gamma2 = self._gamma2.expand(batch_shape)
        return self._init_expanded(new, batch_shape)

    @property
    def mean(self):
        df2 = self.df2
        return minitorch.where(df2.le(2), math.nan, df2 / (df2 - 2))

    @property
    def mode(self):
        mode = (self.df1 - 2) / self.df1 * self.df2 / (self.df2 + 2)
        return minitorch.where(self.df1.le(2), math.nan, mode)

    @property
    def variance(self):
        df1, df2 = self.df1, self.df2
        nan_df2 = minitorch.where(df2.le(4), math.nan, df2)
        return 2 * nan_df2.pow(2) * (df1 + nan_df2 - 2) / (df1 * (nan_df2 - 2).pow(2) * (nan_df2 - 4))

    def rsample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        x1 = self._gamma1.rsample(sample_shape).view(shape)
        x2 = self._gamma2.rsample(sample_shape).view(shape)
        tiny = minitorch.finfo(x2.dtype).tiny
        x2 = _clamp_keep_grad(x2, tiny)
        return _clamp_keep_grad(x1 / x2, tiny)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        ct1 = self.df1 * 0.5
        ct2 = self.df2 * 0.5
        ct3 = self.df1 / self.df2
        t1 = (ct1 + ct2).lgamma() - ct1.lgamma() - ct2.lgamma()
        t2 = ct1 * ct3.log() + (ct1 - 1) * minitorch.log(value)
        t3 = (ct1 + ct2) * minitorch.log1p(ct3 * value)
        return t1 + t2 - t3


def _clamp_keep_grad(x, low: float):
    """torch's in-place ``clamp_(min=tiny)``: the gradient is the clamp's (zero where clamped)."""
    return x.clamp(min=low)
