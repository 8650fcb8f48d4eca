"""``VonMises(loc, concentration)``: the circular normal on [-pi, pi), density exp(k cos(x - loc)) / (2 pi I_0(k)).

log I_0 and log I_1 use the polynomial approximations of Abramowitz & Stegun (9.8.1-9.8.4), as torch does;
draws come from Best & Fisher's (1979) rejection sampler (not reparameterised)."""
from __future__ import annotations

import math

import minitorch
from minitorch.tensor import Size

from . import constraints
from .distribution import Distribution
from .utils import as_size, broadcast_all, lazy_property, uniform

__all__ = ["VonMises"]

# Abramowitz & Stegun 9.8.1/9.8.3 (|x| < 3.75, in (x / 3.75)^2) and 9.8.2/9.8.4 (x >= 3.75, in 3.75 / x)
_I0_SMALL = [1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.0360768, 0.0045813]
_I0_LARGE = [0.39894228, 0.01328592, 0.00225319, -0.00157565, 0.00916281, -0.02057706, 0.02635537, -0.01647633,
             0.00392377]
_I1_SMALL = [0.5, 0.87890594, 0.51498869, 0.15084934, 0.02658733, 0.00301532, 0.00032411]
_I1_LARGE = [0.39894228, -0.03988024, -0.00362018, 0.00163801, -0.01031555, 0.02282967, -0.02895312, 0.01787654,
             -0.00420059]


def _eval_poly(y, coef):
    """sum_i coef[i] y^i by Horner's rule."""
    result = coef[-1]
    for c in reversed(coef[:-1]):
        result = c + y * result
    return result


def _log_modified_bessel_fn(x, order: int = 0):
    """log I_order(x) for x > 0, order 0 or 1."""
    if order not in (0, 1):
        raise AssertionError(f"order must be 0 or 1, got {order}")
    y = (x / 3.75).pow(2)
    small = _eval_poly(y, _I0_SMALL if order == 0 else _I1_SMALL)
    if order == 1:
        small = x.abs() * small
    small = small.log()
    large = x - 0.5 * x.log() + _eval_poly(3.75 / x, _I0_LARGE if order == 0 else _I1_LARGE).log()
    return minitorch.where(x < 3.75, small, large)


def _rejection_sample(loc, concentration, proposal_r, x):
    """Best-Fisher: propose from a wrapped Cauchy, accept per element until every element has a draw."""
    done = minitorch.zeros(tuple(x.shape), dtype=minitorch.bool, device=loc.device)
    while not bool(done.all()):
        u1, u2, u3 = uniform((3,) + tuple(x.shape), loc.dtype, loc.device).unbind()
        z = minitorch.cos(math.pi * u1)
        f = (1 + proposal_r * z) / (proposal_r + z)
        c = concentration * (proposal_r - f)
        accept = ((c * (2 - c) - u2) > 0) | (((c / u2).log() + 1 - c) >= 0)
        x = minitorch.where(accept & ~done, (u3 - 0.5).sign() * f.acos(), x)
        done = done | accept
    return (x + math.pi + loc) % (2 * math.pi) - math.pi


class VonMises(Distribution):
    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(self.loc.shape, Size(), validate_args)

    def log_prob(self, value):
        """k cos(x - loc) - log(2 pi) - log I_0(k)."""
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.concentration * minitorch.cos(value - self.loc)
        return log_prob - math.log(2 * math.pi) - _log_modified_bessel_fn(self.concentration, order=0)

    @lazy_property
    def _loc(self):
        return self.loc.to(minitorch.float64)

    @lazy_property
    def _concentration(self):
        return self.concentration.to(minitorch.float64)

    @lazy_property
    def _proposal_r(self):
        kappa = self._concentration
        tau = 1 + (1 + 4 * kappa**2).sqrt()
        rho = (tau - (2 * tau).sqrt()) / (2 * kappa)
        proposal_r = (1 + rho**2) / (2 * rho)
        return minitorch.where(kappa < 1e-5, 1 / kappa + kappa, proposal_r)  # Taylor expansion for small kappa

    def sample(self, sample_shape=Size()):
        """Float64 rejection sampling (a host sync per round, to test for completion), cast back."""
        shape = tuple(self._extended_shape(sample_shape))
        with minitorch.no_grad():
            x = minitorch.zeros(shape, dtype=minitorch.float64, device=self.loc.device)
            return _rejection_sample(self._loc.detach(), self._concentration.detach(), self._proposal_r.detach(),
                                     x).to(self.loc.dtype)

    def expand(self, batch_shape, _instance=None):
        batch_shape = tuple(as_size(batch_shape))
        return type(self)(self.loc.expand(batch_shape), self.concentration.expand(batch_shape),
                          validate_args=self.__dict__.get("_validate_args"))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @lazy_property
    def variance(self):
        """Circular variance 1 - I_1(k) / I_0(k)."""
        return 1 - (_log_modified_bessel_fn(self.concentration, order=1) -
                    _log_modified_bessel_fn(self.concentration, order=0)).exp()
