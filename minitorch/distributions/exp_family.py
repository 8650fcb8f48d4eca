"""ExponentialFamily: the base of distributions whose density is
p(x; theta) = exp(<t(x), theta> - F(theta) + k(x)), with natural parameters theta, sufficient statistic
t, log normaliser F and carrier measure k. Entropy (and the KL between two members of one family) follow
from F alone through a Bregman divergence, with F's gradient taken by autograd (as torch does).
"""
from __future__ import annotations

import minitorch
from minitorch.tensor import Tensor

from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Subclasses give ``_natural_params`` (a tuple of Tensors), ``_log_normalizer(*natural_params)`` and
    ``_mean_carrier_measure`` (E[k(x)]); ``entropy`` is then
    H = F(theta) - <theta, grad F(theta)> - E[k(x)]."""

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        """The natural parameters theta as a tuple of Tensors."""
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        """F(theta), the log normaliser, at the given natural parameters."""
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> float:
        """E[k(x)], the expected carrier measure (needed by the entropy)."""
        raise NotImplementedError

    def entropy(self):
        """F(theta) - sum_i theta_i dF/dtheta_i - E[k(x)] (Bregman divergence of the log normaliser)."""
        result = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        lg_normal = self._log_normalizer(*nparams)
        gradients = minitorch.autograd.grad(lg_normal.sum(), nparams, create_graph=True)
        result = result + lg_normal
        for nparam, g in zip(nparams, gradients):
            result = result - (nparam * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
