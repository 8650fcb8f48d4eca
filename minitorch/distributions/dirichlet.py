"""Dirichlet(concentration) on the probability simplex and Beta(concentration1, concentration0) on [0, 1]
(a two-category Dirichlet).

A Dirichlet draw is a vector of independent Gamma(a_k, 1) draws divided by its sum; rsample differentiates
through that: each Gamma draw carries its implicit reparameterisation gradient (see ``gamma.py``), and the
normalisation is ordinary Tensor ops. (torch differentiates the same draw by a dedicated formula for the
Dirichlet's own implicit gradient: a different, equally unbiased, per-draw gradient.)
"""
from __future__ import annotations

from numbers import Number

import minitorch
import minitorch.nn.functional as F
from minitorch.tensor import Size

from . import constraints
from .distribution import Distribution
from .gamma import _tiny, standard_gamma
from .utils import as_size, broadcast_all

__all__ = ["Beta", "Dirichlet"]


class Dirichlet(Distribution):
    """Density Gamma(a_0) / prod_k Gamma(a_k) * prod_k x_k^(a_k - 1) on the simplex, a_0 = sum_k a_k; the
    last dim of ``concentration`` is the event (the categories)."""

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = as_size(batch_shape)
        new.concentration = self.concentration.expand(tuple(batch_shape) + tuple(self.event_shape))
        return self._init_expanded(new, batch_shape)

    def rsample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        x = standard_gamma(self.concentration.expand(shape))
        x = x + (x.detach().clamp(min=_tiny(x.dtype)) - x.detach())  # no 0 / 0 when every draw underflows
        return x / x.sum(-1, keepdim=True)

    def log_prob(self, value):
        """sum_k (a_k - 1) log x_k + lgamma(a_0) - sum_k lgamma(a_k)."""
        if self._validate_args:
            self._validate_sample(value)
        a = self.concentration
        return (minitorch.xlogy(a - 1.0, value).sum(-1) + minitorch.lgamma(a.sum(-1))
                - minitorch.lgamma(a).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self):
        """(a_k - 1)+ normalised; where every a_k < 1, the one-hot vertex of the largest."""
        am1 = (self.concentration - 1).clamp(min=0.0)
        mode = am1 / am1.sum(-1, keepdim=True)
        vertex = F.one_hot(mode.argmax(dim=-1), am1.shape[-1]).to(mode.dtype)
        return minitorch.where((self.concentration < 1).all(-1, keepdim=True), vertex, mode)

    @property
    def variance(self):
        a0 = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (a0 - self.concentration) / (a0.pow(2) * (a0 + 1))

    def entropy(self):
        a = self.concentration
        k = a.shape[-1]
        a0 = a.sum(-1)
        return (minitorch.lgamma(a).sum(-1) - minitorch.lgamma(a0) - (k - a0) * minitorch.digamma(a0)
                - ((a - 1.0) * minitorch.digamma(a)).sum(-1))


class Beta(Distribution):
    """Beta(concentration1 a, concentration0 b): density x^(a-1) (1-x)^(b-1) / B(a, b) on [0, 1]; the first
    coordinate of a Dirichlet([a, b])."""

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        if isinstance(concentration1, Number) and isinstance(concentration0, Number):
            both = minitorch.tensor([float(concentration1), float(concentration0)])
        else:
            concentration1, concentration0 = broadcast_all(concentration1, concentration0)
            both = minitorch.stack([concentration1, concentration0], -1)
        self._dirichlet = Dirichlet(both, validate_args=validate_args)
        super().__init__(self._dirichlet._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Beta, _instance)
        batch_shape = as_size(batch_shape)
        new._dirichlet = self._dirichlet.expand(batch_shape)
        return self._init_expanded(new, batch_shape)

    @property
    def concentration1(self):
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self):
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=Size()):
        return self._dirichlet.rsample(sample_shape).select(-1, 0)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        heads_tails = minitorch.stack([value, 1.0 - value], -1)
        return self._dirichlet.log_prob(heads_tails)

    def entropy(self):
        return self._dirichlet.entropy()
