"""``minitorch.distributions``: probability distributions with PyTorch's ``torch.distributions`` API.

Written with minitorch Tensor ops, so ``log_prob``, ``entropy``, ``kl_divergence`` and reparameterised
draws (``rsample``) are differentiable with respect to the parameters; all randomness comes from
minitorch's generators (``minitorch.manual_seed`` makes draws repeatable).
"""
import sys

from . import _submodules, constraint_registry, constraints, kl_more, transforms
from .binomial import Binomial, NegativeBinomial
from .constraint_registry import biject_to, transform_to
from .constraints import Constraint
from .continuous import Cauchy, Exponential, Laplace, Normal, Uniform
from .continuous_bernoulli import ContinuousBernoulli
from .dirichlet import Beta, Dirichlet
from .discrete import Bernoulli, Categorical, Geometric, OneHotCategorical, Poisson
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .fishersnedecor import FisherSnedecor
from .gamma import Chi2, Gamma
from .generalized_pareto import GeneralizedPareto
from .half import HalfCauchy, HalfNormal
from .independent import Independent
from .inverse_gamma import InverseGamma
from .kl import kl_divergence, register_kl
from .lkj_cholesky import LKJCholesky
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .mixture_same_family import MixtureSameFamily
from .multinomial import Multinomial
from .multivariate_normal import MultivariateNormal
from .one_hot_categorical import OneHotCategoricalStraightThrough
from .relaxed import RelaxedBernoulli, RelaxedOneHotCategorical
from .studentt import StudentT
from .transformed_distribution import LogNormal, TransformedDistribution
from .transformed_families import Gumbel, Kumaraswamy, LogisticNormal, Pareto, Weibull
from .transforms import (
    AbsTransform,
    AffineTransform,
    CatTransform,
    ComposeTransform,
    CorrCholeskyTransform,
    CumulativeDistributionTransform,
    ExpTransform,
    IndependentTransform,
    LowerCholeskyTransform,
    PositiveDefiniteTransform,
    PowerTransform,
    ReshapeTransform,
    SigmoidTransform,
    SoftmaxTransform,
    SoftplusTransform,
    StackTransform,
    StickBreakingTransform,
    TanhTransform,
    Transform,
    identity_transform,
)
from .von_mises import VonMises
from .wishart import Wishart

# kl_more: the KL pairs of ContinuousBernoulli and ExponentialFamily register themselves on import
_submodules.install(sys.modules[__name__])  # torch's per-family module names (distributions.normal, ...)

__all__ = [
    "AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "CatTransform", "Categorical", "Cauchy", "Chi2",
    "ComposeTransform", "Constraint", "CorrCholeskyTransform", "CumulativeDistributionTransform", "Dirichlet",
    "Distribution", "ExpTransform", "Exponential", "Gamma", "Geometric", "Gumbel", "HalfCauchy", "HalfNormal",
    "Independent", "IndependentTransform", "Kumaraswamy", "LKJCholesky", "Laplace", "LogNormal", "LogisticNormal",
    "LowRankMultivariateNormal", "LowerCholeskyTransform", "MixtureSameFamily", "MultivariateNormal",
    "NegativeBinomial", "Normal", "OneHotCategorical", "Pareto", "Poisson", "PositiveDefiniteTransform",
    "PowerTransform", "RelaxedBernoulli", "RelaxedOneHotCategorical", "ReshapeTransform", "SigmoidTransform",
    "SoftmaxTransform", "SoftplusTransform", "StackTransform", "StickBreakingTransform", "StudentT", "TanhTransform",
    "Transform", "TransformedDistribution", "Uniform", "VonMises", "Weibull", "Wishart", "biject_to",
    "constraint_registry", "constraints", "identity_transform", "kl_divergence", "register_kl", "transform_to",
    "transforms",
    # torch 2.13's remaining families
    "ContinuousBernoulli", "ExponentialFamily", "FisherSnedecor", "GeneralizedPareto", "InverseGamma", "Multinomial",
    "OneHotCategoricalStraightThrough",
]
