"""``minitorch.special``: the functions of ``torch.special``, under its names.

Most are the ops of the op families, re-exported (``gammaln`` is ``lgamma``, ``expit`` is ``sigmoid``,
``psi`` is ``digamma``, ``multigammaln`` is ``mvlgamma``); ``ndtr`` is a one-line composite of ``erfc``.
"""
from __future__ import annotations

import math

from .ops.bessel import (
    airy_ai,
    bessel_j0,
    bessel_j1,
    bessel_y0,
    bessel_y1,
    chebyshev_polynomial_t,
    chebyshev_polynomial_u,
    chebyshev_polynomial_v,
    chebyshev_polynomial_w,
    hermite_polynomial_h,
    hermite_polynomial_he,
    laguerre_polynomial_l,
    legendre_polynomial_p,
    modified_bessel_i0,
    modified_bessel_i1,
    modified_bessel_k0,
    modified_bessel_k1,
    scaled_modified_bessel_k0,
    scaled_modified_bessel_k1,
    shifted_chebyshev_polynomial_t,
    shifted_chebyshev_polynomial_u,
    shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w,
    spherical_bessel_j0,
)
from .ops.comparison import round
from .ops.elementwise import log1p
from .ops.elementwise import sigmoid as expit
from .ops.gamma import (
    digamma,
    entr,
    erfcx,
    i0,
    i0e,
    i1,
    i1e,
    lgamma,
    log_ndtr,
    ndtri,
    polygamma,
    xlog1py,
    zeta,
)
from .ops.gamma import mvlgamma as multigammaln
from .ops.numeric_more import igamma as gammainc
from .ops.numeric_more import igammac as gammaincc
from .ops.reduction import log_softmax, logsumexp, softmax
from .ops.special import erf, erfc, erfinv, exp2, expm1, logit, sinc, xlogy

__all__ = [
    "erf", "erfc", "erfcx", "erfinv", "expit", "logit", "exp2", "expm1", "log1p", "gammaln", "digamma", "psi",
    "polygamma", "multigammaln", "xlogy", "xlog1py", "entr", "sinc", "round", "log_softmax", "softmax",
    "logsumexp", "ndtr", "ndtri", "log_ndtr", "i0", "i0e", "i1", "i1e", "zeta",
    "gammainc", "gammaincc",
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0", "modified_bessel_i1",
    "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
    "spherical_bessel_j0", "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
    "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
    "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p",
]

gammaln = lgamma
psi = digamma
_MINUS_SQRT_HALF = -math.sqrt(0.5)


def ndtr(input):
    """The standard normal CDF Phi(x) = erfc(-x/sqrt(2))/2 (accurate in the left tail)."""
    return erfc(input * _MINUS_SQRT_HALF) * 0.5
