"""``minitorch.distributions``: probability distributions with PyTorch's ``torch.distributions`` API.

Written with minitorch Tensor ops, so ``log_prob``, ``entropy``, ``kl_divergence`` and reparameterised
draws (``rsample``) are differentiable with respect to the parameters; all randomness comes from
minitorch's generators (``minitorch.manual_seed`` makes draws repeatable).
"""
from . import constraints, transforms
from .binomial import Binomial, NegativeBinomial
from .constraints import Constraint
from .continuous import Cauchy, Exponential, Laplace, Normal, Uniform
from .dirichlet import Beta, Dirichlet
from .discrete import Bernoulli, Categorical, Geometric, OneHotCategorical, Poisson
from .distribution import Distribution
from .gamma import Chi2, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .studentt import StudentT
from .transformed_distribution import LogNormal, TransformedDistribution
from .transforms import AffineTransform, ExpTransform, Transform

__all__ = [
    "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "Constraint", "Dirichlet",
    "Distribution", "ExpTransform", "Exponential", "Gamma", "Geometric", "Independent", "Laplace", "LogNormal",
    "MultivariateNormal", "NegativeBinomial", "Normal", "OneHotCategorical", "Poisson", "StudentT", "Transform",
    "TransformedDistribution", "Uniform", "constraints", "kl_divergence", "register_kl", "transforms",
]
