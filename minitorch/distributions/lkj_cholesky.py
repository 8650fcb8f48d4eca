"""``LKJCholesky(dim, concentration)``: the LKJ distribution over correlation matrices, expressed through
their lower Cholesky factors L: p(L) proportional to prod_{i>=2} L_ii^(dim - i + 2 (concentration - 1)).

Sampling is the onion method (Ghosh & Henderson 2003; Lewandowski, Kurowicka & Joe 2009): row i is
sqrt(y_i) u_i on the first i entries, u_i uniform on the unit sphere and y_i ~ Beta, completed with a
positive diagonal entry so the row has unit norm. Not reparameterised.

y_i ~ Beta(i / 2, eta + (d - 1 - i) / 2) for row i: the shape that gives every correlation the same marginal;
torch's sampler draws Beta(i - 1/2, ...) and so over-disperses rows 2 and later (see the README)."""
from __future__ import annotations

import math

import minitorch
from minitorch.tensor import Size

from . import constraints
from .dirichlet import Beta
from .distribution import Distribution
from .utils import as_size, broadcast_all

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim: int, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        marginal_conc = self.concentration + 0.5 * (self.dim - 2)
        offset = minitorch.arange(self.dim - 1, dtype=self.concentration.dtype, device=self.concentration.device)
        offset = minitorch.cat([offset.new_zeros((1,)), offset])
        # row i (i >= 1) has i free entries: y_i ~ Beta(i / 2, eta + (d - 1 - i) / 2), so that every
        # correlation C_ij has the LKJ marginal (C_ij + 1) / 2 ~ Beta(eta - 1 + d / 2, eta - 1 + d / 2).
        # (torch 2.x uses Beta(i - 1/2, ...) here, which gives rows i >= 2 too-large correlations.)
        self._beta = Beta(0.5 * offset + 0.5, marginal_conc.unsqueeze(-1) - 0.5 * offset)
        super().__init__(self.concentration.size(), Size((dim, dim)), validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LKJCholesky, _instance)
        batch_shape = as_size(batch_shape)
        new.dim = self.dim
        new.concentration = self.concentration.expand(tuple(batch_shape))
        new._beta = self._beta.expand(tuple(batch_shape) + (self.dim,))
        return self._init_expanded(new, batch_shape)

    def sample(self, sample_shape=Size()):
        with minitorch.no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)
            u_normal = minitorch.randn(tuple(self._extended_shape(sample_shape)), dtype=y.dtype,
                                       device=y.device).tril(-1)
            # row 0 has no entries below the diagonal: its zero norm is clamped so it stays 0
            norm = u_normal.norm(dim=-1, keepdim=True).clamp(min=minitorch.finfo(y.dtype).tiny)
            w = y.sqrt() * (u_normal / norm)
            diag_elems = (1 - w.pow(2).sum(-1)).clamp(min=minitorch.finfo(w.dtype).tiny).sqrt()
            return w + minitorch.diag_embed(diag_elems)

    def log_prob(self, value):
        """sum_{i=2..d} (2 (eta - 1) + d - i) log L_ii - log Z, with log Z = (d - 1)/2 log pi
        + log Gamma_{d-1}(alpha - 1/2) - (d - 1) log Gamma(alpha), alpha = eta + (d - 1) / 2."""
        if self._validate_args:
            self._validate_sample(value)
        diag_elems = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = minitorch.arange(2, self.dim + 1, dtype=self.concentration.dtype, device=self.concentration.device)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized_log_pdf = (order * diag_elems.log()).sum(-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        denominator = minitorch.lgamma(alpha) * dm1
        numerator = minitorch.mvlgamma(alpha - 0.5, dm1)
        pi_constant = 0.5 * dm1 * math.log(math.pi)
        return unnormalized_log_pdf - (pi_constant + numerator - denominator)
