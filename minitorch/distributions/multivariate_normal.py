"""``MultivariateNormal(loc, covariance_matrix | precision_matrix | scale_tril)``.

Everything goes through the Cholesky factor L (Sigma = L L^T): rsample = loc + L eps, the Mahalanobis
term of log_prob solves L y = x - loc (|y|^2), log det Sigma = 2 sum log diag(L)."""
from __future__ import annotations

import math

import minitorch
from minitorch.tensor import Size

from . import constraints
from ._linalg import cholesky, solve_lower
from .distribution import Distribution
from .utils import as_size, lazy_property, standard_normal

__all__ = ["MultivariateNormal"]


def _batch_mahalanobis(tril, x):
    """x^T (L L^T)^-1 x = |L^-1 x|^2 for batches of L and x that broadcast."""
    return solve_lower(tril, x.unsqueeze(-1)).squeeze(-1).pow(2).sum(-1)


def _precision_to_scale_tril(precision):
    """L with L L^T = P^-1: from the Cholesky factor of P with rows and columns reversed."""
    lf = cholesky(precision.flip((-2, -1)))
    l_inv = lf.flip((-2, -1)).transpose(-2, -1)
    eye = minitorch.eye(precision.shape[-1], dtype=precision.dtype, device=precision.device)
    return solve_lower(l_inv, eye)


class _ScaleTrilMatrices:
    """scale_tril, covariance_matrix (L L^T) and precision_matrix ((L L^T)^-1 = L^-T L^-1) of a distribution
    parametrised by a lower Cholesky factor ``_unbroadcasted_scale_tril``, expanded to ``_matrix_shape()``
    (MultivariateNormal and Wishart)."""

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self):
        tril = self._unbroadcasted_scale_tril
        return (tril @ tril.mT).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self):
        """(L L^T)^-1 = L^-T L^-1, with L^-1 from a triangular solve against the identity."""
        tril = self._unbroadcasted_scale_tril
        eye = minitorch.eye(tril.shape[-1], dtype=tril.dtype, device=tril.device)
        tril_inv = solve_lower(tril, eye)
        return (tril_inv.mT @ tril_inv).expand(self._matrix_shape())


class MultivariateNormal(_ScaleTrilMatrices, Distribution):
    arg_constraints = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if (covariance_matrix is not None) + (scale_tril is not None) + (precision_matrix is not None) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        matrix = next(m for m in (scale_tril, covariance_matrix, precision_matrix) if m is not None)
        if matrix.dim() < 2:
            name = "scale_tril" if scale_tril is not None else (
                "covariance_matrix" if covariance_matrix is not None else "precision_matrix")
            raise ValueError(f"{name} matrix must be at least two-dimensional, with optional leading batch "
                             "dimensions")
        batch_shape = tuple(minitorch.broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1])))
        full = batch_shape + tuple(matrix.shape[-2:])
        if scale_tril is not None:
            self.scale_tril = scale_tril.expand(full)
        elif covariance_matrix is not None:
            self.covariance_matrix = covariance_matrix.expand(full)
        else:
            self.precision_matrix = precision_matrix.expand(full)
        self.loc = loc.expand(batch_shape + (loc.shape[-1],))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = as_size(batch_shape)
        loc_shape = tuple(batch_shape) + tuple(self.event_shape)
        cov_shape = loc_shape + tuple(self.event_shape)
        new.loc = self.loc.expand(loc_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, getattr(self, name).expand(cov_shape))
        return self._init_expanded(new, batch_shape)

    def _matrix_shape(self):
        return tuple(self._batch_shape) + tuple(self._event_shape) + tuple(self._event_shape)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(tuple(self._batch_shape) +
                                                                     tuple(self._event_shape))

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        eps = standard_normal(shape, self.loc.dtype, self.loc.device)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def _half_log_det(self):
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        """-(n log 2 pi + (x - mu)^T Sigma^-1 (x - mu)) / 2 - log det L."""
        if self._validate_args:
            self._validate_sample(value)
        m = _batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + m) - self._half_log_det()

    def entropy(self):
        h = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return h if len(self._batch_shape) == 0 else h.expand(tuple(self._batch_shape))
