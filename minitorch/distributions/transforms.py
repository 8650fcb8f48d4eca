"""Elementwise bijections y = f(x) for ``TransformedDistribution``: each gives f, its inverse, and
log|df/dx| (the change-of-variables term: log p_Y(y) = log p_X(x) - log|df/dx|)."""
from __future__ import annotations

import math
from numbers import Number

import minitorch

from . import constraints

__all__ = ["AffineTransform", "ExpTransform", "Transform"]


class Transform:
    """An invertible elementwise map with a computable log-abs-det Jacobian."""

    bijective = True
    domain = constraints.real
    codomain = constraints.real
    sign = 1

    @property
    def event_dim(self) -> int:
        return self.codomain.event_dim

    @property
    def inv(self) -> Transform:
        return _InverseTransform(self)

    def __call__(self, x):
        return self._call(x)

    def _call(self, x):
        raise NotImplementedError

    def _inverse(self, y):
        raise NotImplementedError

    def log_abs_det_jacobian(self, x, y):
        raise NotImplementedError

    def __repr__(self):
        return self.__class__.__name__ + "()"


class _InverseTransform(Transform):
    def __init__(self, transform: Transform):
        self._inv = transform

    @property
    def domain(self):
        return self._inv.codomain

    @property
    def codomain(self):
        return self._inv.domain

    @property
    def sign(self):
        return self._inv.sign

    @property
    def inv(self):
        return self._inv

    def _call(self, x):
        return self._inv._inverse(x)

    def _inverse(self, y):
        return self._inv._call(y)

    def log_abs_det_jacobian(self, x, y):
        return -self._inv.log_abs_det_jacobian(y, x)


class ExpTransform(Transform):
    """y = exp(x); log|dy/dx| = x."""

    domain = constraints.real
    codomain = constraints.positive

    def __eq__(self, other):
        return isinstance(other, ExpTransform)

    __hash__ = Transform.__hash__

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


class AffineTransform(Transform):
    """y = loc + scale * x (elementwise); log|dy/dx| = log|scale|."""

    domain = constraints.real
    codomain = constraints.real

    def __init__(self, loc, scale):
        self.loc = loc
        self.scale = scale

    @property
    def sign(self):
        if isinstance(self.scale, Number):
            return 1 if self.scale > 0 else -1 if self.scale < 0 else 0
        return self.scale.sign()

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        if isinstance(self.scale, Number):
            return minitorch.full_like(x, math.log(abs(self.scale)))
        result = self.scale.abs().log()
        return result.expand(tuple(minitorch.broadcast_shapes(tuple(result.shape), tuple(x.shape))))
