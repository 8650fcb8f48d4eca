"""Gamma(concentration, rate) and Chi2(df), with a sampler that runs as array ops on the device and a
reparameterised draw whose gradient with respect to the concentration is the *implicit* one.

Sampling (Marsaglia & Tsang, 2000). For a >= 1 let d = a - 1/3, c = 1 / sqrt(9 d); draw z ~ N(0, 1),
u ~ U(0, 1), v = (1 + c z)^3 and accept d v when v > 0 and log u < z^2 / 2 + d - d v + d log v. The
acceptance rate is >= 95% for every a >= 1, so K = 12 candidates per element all fail with probability
< 0.05^12 ~ 2e-16: all K are drawn at once and the first accepted one is picked with ``argmax`` over the
accept mask (no per-element loop, nothing read back to the host); an element with no accepted candidate
(never seen in practice) gets d, the distribution's approximate median, by ``where``. For a < 1, the
"boost": Gamma(a) = Gamma(a + 1) * U^(1/a).

Gradient (implicit reparameterisation, Figurnov et al. 2018). A draw x = F^-1(u; a) of the unit-rate
Gamma, with F(x; a) = P(a, x) the regularised lower incomplete gamma function, moves with a at fixed u as

    dx/da = -(dF/da) / (dF/dx) = -(dP(a, x)/da) / p(x; a),    p the density.

For a <= 8 it is summed from the series P(a, x) = sum_n x^(a+n) e^-x / Gamma(a+n+1): each term, divided by
the density, is r_n = x^(n+1) / (a (a+1) ... (a+n)), and d/da of the term is the term times
(log x - digamma(a+n+1)), so dx/da = -sum_n r_n (log x - digamma(a+n+1)) with both factors updated by
recurrences (r_n = r_{n-1} x / (a+n), digamma(z+1) = digamma(z) + 1/z). A fixed number of terms (96)
covers every x below about a + 40, i.e. all but draws of probability < 1e-12. For a > 8 it is the
leading terms of the saddle-point (Temme) asymptotic expansion of P in powers of 1/a, with a Taylor form
near x = a where that expansion's terms cancel (relative error < 1e-3, as torch's).
"""
from __future__ import annotations

from numbers import Number

import minitorch
from minitorch.autograd.function import Function
from minitorch.tensor import Size

from . import constraints
from .continuous import expand_params
from .distribution import Distribution
from .utils import as_size, broadcast_all, standard_normal, uniform

__all__ = ["Chi2", "Gamma", "standard_gamma", "standard_gamma_grad"]

_CANDIDATES = 12  # Marsaglia-Tsang proposals per element: all rejected with probability < 2e-16
_SERIES_TERMS = 96  # terms of the series for dP/da (a <= 8)
_SERIES_MAX_ALPHA = 8.0


def _tiny(dtype) -> float:
    return minitorch.finfo(dtype).tiny


def _sample_standard_gamma(alpha):
    """Gamma(alpha, 1) draws of alpha's shape, dtype and device (no graph)."""
    with minitorch.no_grad():
        boost = alpha < 1
        a = minitorch.where(boost, alpha + 1, alpha)
        d = a - 1.0 / 3.0
        c = (9 * d).rsqrt()
        shape = (_CANDIDATES,) + tuple(alpha.shape)
        z = standard_normal(shape, alpha.dtype, alpha.device)
        log_u = uniform(shape, alpha.dtype, alpha.device).log()
        v = (1 + c * z) ** 3
        log_v = v.clamp(min=_tiny(alpha.dtype)).log()
        accept = (v > 0) & (log_u < 0.5 * z * z + d - d * v + d * log_v)
        first = accept.long().argmax(0, keepdim=True)  # the first accepted candidate (0 when none is)
        chosen = v.gather(0, first).squeeze(0)
        x = d * minitorch.where(accept.any(0), chosen, 1.0)
        u = uniform(tuple(alpha.shape), alpha.dtype, alpha.device)
        x = minitorch.where(boost, x * u.pow(alpha.reciprocal()), x)
        return x.clamp(min=_tiny(alpha.dtype))


def _series_grad(alpha, x):
    """-sum_n r_n (log x - digamma(alpha + n + 1)) (see the module docstring); alpha, x float64."""
    log_x = x.log()
    r = x / alpha
    psi = minitorch.digamma(alpha + 1)
    total = r * (log_x - psi)
    for n in range(1, _SERIES_TERMS):
        psi = psi + 1 / (alpha + n)
        r = r * x / (alpha + n)
        total = total + r * (log_x - psi)
    return -total


def _saddle_point_grad(alpha, x):
    """dx/da for a > 8 from the saddle-point expansion of P(a, x) (float64)."""
    a2 = alpha * alpha
    # near x = a: the expansion's two leading terms cancel; its Taylor series in (x - a) instead
    near = (1 + 24 * alpha * (1 + 12 * alpha)) * (
        1440 * a2 + 6 * x * (53 - 120 * x) - 65 * x * x / alpha + alpha * (107 + 3600 * x)) / (1244160 * a2 * a2)
    root = (8 * alpha).sqrt()
    diff = alpha - x
    safe_diff = minitorch.where(diff == 0, 1.0, diff)
    log_ratio = (x / alpha).log()
    t2 = root / safe_diff
    t3 = (x - alpha - alpha * log_ratio).clamp(min=1e-3).pow(-1.5)  # >= 0.0047 a where used
    t23 = minitorch.where(x < alpha, t2 - t3, t2 + t3)
    t1 = log_ratio * t23 - (2 / alpha).sqrt() * (alpha + x) / (safe_diff * safe_diff)
    stirling = 1 + (1 + 1 / (24 * alpha)) / (12 * alpha)
    far = -stirling * x * t1 / root
    return minitorch.where((x >= 0.9 * alpha) & (x <= 1.1 * alpha), near, far)


def standard_gamma_grad(alpha, x):
    """d x / d alpha of a Gamma(alpha, 1) draw x at fixed cdf value (torch's ``_standard_gamma_grad``)."""
    with minitorch.no_grad():
        a, xx = alpha.double(), x.double()
        small = a <= _SERIES_MAX_ALPHA
        a_series = minitorch.where(small, a, 1.0)  # keep each branch's inputs in its own domain
        x_series = minitorch.where(small, xx, 1.0)
        a_saddle = minitorch.where(small, 16.0, a)
        x_saddle = minitorch.where(small, 16.0, xx)
        grad = minitorch.where(small, _series_grad(a_series, x_series), _saddle_point_grad(a_saddle, x_saddle))
        grad = minitorch.where(grad.isnan(), 0.0, grad)
        return grad.to(alpha.dtype)


class _StandardGamma(Function):
    """x ~ Gamma(alpha, 1); backward: grad * dx/dalpha (the implicit reparameterisation gradient)."""

    @staticmethod
    def forward(ctx, alpha):
        x = _sample_standard_gamma(alpha)
        ctx.save_for_backward(alpha, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        """grad_alpha = grad * dx/dalpha = -grad * (dP(alpha, x)/dalpha) / p(x; alpha)."""
        alpha, x = ctx.saved_tensors
        return grad * standard_gamma_grad(alpha.detach(), x.detach())


def standard_gamma(alpha):
    """A Gamma(alpha, 1) draw for each element of ``alpha``, differentiable with respect to ``alpha``."""
    return _StandardGamma.apply(alpha)


def _keep_grad_clamp(value, low: float):
    """``value`` clamped below at ``low`` with the gradient of the unclamped value (torch clamps the
    draw's data in place, outside the graph)."""
    data = value.detach()
    return value + (data.clamp(min=low) - data)


class Gamma(Distribution):
    """Gamma(concentration a, rate b): density b^a x^(a-1) e^(-b x) / Gamma(a) on x > 0.
    rsample: a standard Gamma(a) draw (implicit gradient in a) divided by b."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        batch_shape = Size() if isinstance(concentration, Number) and isinstance(rate, Number) \
            else self.concentration.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return expand_params(self, Gamma, batch_shape, _instance, ("concentration", "rate"))

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        return _keep_grad_clamp(value, _tiny(value.dtype))

    def log_prob(self, value):
        """a log b + (a - 1) log x - b x - lgamma(a)."""
        if self._validate_args:
            self._validate_sample(value)
        return (minitorch.xlogy(self.concentration, self.rate) + minitorch.xlogy(self.concentration - 1, value)
                - self.rate * value - minitorch.lgamma(self.concentration))

    def cdf(self, value):
        """P(a, b x): the regularized lower incomplete gamma function."""
        if self._validate_args:
            self._validate_sample(value)
        return minitorch.special.gammainc(self.concentration, self.rate * value)

    def entropy(self):
        """a - log b + lgamma(a) + (1 - a) digamma(a)."""
        a = self.concentration
        return a - self.rate.log() + minitorch.lgamma(a) + (1.0 - a) * minitorch.digamma(a)


class Chi2(Gamma):
    """Chi-squared with ``df`` degrees of freedom: Gamma(df / 2, 1 / 2)."""

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(as_size(batch_shape), new)

    @property
    def df(self):
        return self.concentration * 2

