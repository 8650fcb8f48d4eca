"""``minitorch.special``: the functions of ``torch.special``, under its names.

Most are the ops of the op families, re-exported (``gammaln`` is ``lgamma``, ``expit`` is ``sigmoid``,
``psi`` is ``digamma``, ``multigammaln`` is ``mvlgamma``); ``ndtr`` is a one-line composite of ``erfc``.
"""
from __future__ import annotations

import math

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
]

gammaln = lgamma
psi = digamma
_MINUS_SQRT_HALF = -math.sqrt(0.5)


def ndtr(input):
    """The standard normal CDF Phi(x) = erfc(-x/sqrt(2))/2 (accurate in the left tail)."""
    return erfc(input * _MINUS_SQRT_HALF) * 0.5
