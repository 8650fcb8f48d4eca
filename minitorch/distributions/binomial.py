"""Binomial(total_count, probs | logits) and NegativeBinomial(total_count, probs | logits): counts of
Bernoulli trials. Like the other discrete distributions, exactly one of ``probs`` / ``logits`` is given and
the other is computed on first use; draws are not differentiable.
"""
from __future__ import annotations

import numpy as np

import minitorch
import minitorch.nn.functional as F
from minitorch.backend.random import rng_for
from minitorch.tensor import Size, Tensor

from . import constraints
from .discrete import _expand_probs_or_logits, _one_of
from .distribution import Distribution
from .gamma import Gamma
from .utils import BinaryProbs, as_size, broadcast_all, lazy_property

__all__ = ["Binomial", "NegativeBinomial"]


def _clamp_by_zero(x):
    """max(x, 0) whose gradient at x = 0 is 1/2 (torch's choice for the Binomial's normaliser)."""
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


def _binomial_draws(total_count, probs, shape) -> Tensor:
    """Binomial(n, p) counts of ``shape`` (n, p broadcastable to it), in ``probs``' dtype and device: the
    device generator's own sampler, so nothing is read back to the host."""
    rng = rng_for(probs.device)
    n = total_count.array.astype(np.int64)
    counts = rng.binomial(n, probs.array, tuple(shape))
    return Tensor._wrap(counts.astype(probs.array.dtype))


class _Counts(BinaryProbs, Distribution):
    """What Binomial and NegativeBinomial share: total_count broadcast with probs or logits."""

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        if probs is not None:
            self.total_count, self.probs = broadcast_all(total_count, probs)
            self.total_count = self.total_count.type_as(self.probs)
        else:
            self.total_count, self.logits = broadcast_all(total_count, logits)
            self.total_count = self.total_count.type_as(self.logits)
        self._param = self.probs if probs is not None else self.logits
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(type(self), _instance)
        batch_shape = as_size(batch_shape)
        new.total_count = self.total_count.expand(batch_shape)
        _expand_probs_or_logits(self, new, batch_shape)
        return self._init_expanded(new, batch_shape)

    @property
    def param_shape(self):
        return self._param.size()


class Binomial(_Counts):
    """The number of successes in ``total_count`` Bernoulli(probs) trials: C(n, k) p^k (1-p)^(n-k)."""

    arg_constraints = {"total_count": constraints.nonnegative_integer, "probs": constraints.unit_interval,
                       "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        super().__init__(total_count, probs, logits, validate_args)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        with minitorch.no_grad():
            return _binomial_draws(self.total_count, self.probs, self._extended_shape(sample_shape))

    def log_prob(self, value):
        """k logit - log k! - log (n-k)! + log n! - n log(1 + e^logit), the last term written stably."""
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        normalizer = (n * _clamp_by_zero(logits) + n * minitorch.log1p(minitorch.exp(-logits.abs()))
                      - minitorch.lgamma(n + 1))
        return value * logits - minitorch.lgamma(value + 1) - minitorch.lgamma(n - value + 1) - normalizer

    def _homogeneous_count(self, what: str) -> int:
        """The one total_count of every batch element (read to the host, as torch does)."""
        count = int(self.total_count.max())
        if not float(self.total_count.min()) == count:
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
        return count

    def entropy(self):
        """-sum_k p(k) log p(k) over k = 0..n (needs one total_count for the whole batch)."""
        self._homogeneous_count("entropy")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(minitorch.exp(log_prob) * log_prob).sum(0)

    def enumerate_support(self, expand=True):
        count = self._homogeneous_count("enumerate_support")
        values = minitorch.arange(1 + count, dtype=self._param.dtype, device=self._param.device)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values


class NegativeBinomial(_Counts):
    """The number of successes (probability ``probs`` each) before the ``total_count``-th failure:
    Gamma(k + r) / (k! Gamma(r)) p^k (1-p)^r. Sampled as Poisson(Gamma(r, (1-p)/p))."""

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0), "logits": constraints.real}
    support = constraints.nonnegative_integer

    @property
    def mean(self):
        return self.total_count * minitorch.exp(self.logits)

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / minitorch.sigmoid(-self.logits)

    @lazy_property
    def _gamma(self):
        return Gamma(concentration=self.total_count, rate=minitorch.exp(-self.logits), validate_args=False)

    def sample(self, sample_shape=Size()):
        with minitorch.no_grad():
            return minitorch.poisson(self._gamma.sample(sample_shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        r, logits = self.total_count, self.logits
        log_unnormalized = r * F.logsigmoid(-logits) + value * F.logsigmoid(logits)
        log_normalization = -minitorch.lgamma(r + value) + minitorch.lgamma(1.0 + value) + minitorch.lgamma(r)
        log_normalization = minitorch.where(r + value == 0.0, 0.0, log_normalization)
        return log_unnormalized - log_normalization
