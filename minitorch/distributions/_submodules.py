"""torch.distributions' per-family module names (``torch.distributions.normal``, ``.bernoulli``, ...) as
aliases of the minitorch files that define those families, so ``from minitorch.distributions.normal import
Normal`` and ``import minitorch.distributions.beta`` work as in torch."""
from __future__ import annotations

import importlib
import sys

# torch's module name -> the minitorch module (in this package) that defines its distribution
ALIASES = {
    "bernoulli": "discrete", "beta": "dirichlet", "categorical": "discrete", "cauchy": "continuous",
    "chi2": "gamma", "exponential": "continuous", "geometric": "discrete", "gumbel": "transformed_families",
    "half_cauchy": "half", "half_normal": "half", "kumaraswamy": "transformed_families",
    "laplace": "continuous", "log_normal": "transformed_distribution",
    "logistic_normal": "transformed_families", "negative_binomial": "binomial", "normal": "continuous",
    "pareto": "transformed_families", "poisson": "discrete", "relaxed_bernoulli": "relaxed",
    "relaxed_categorical": "relaxed", "studentT": "studentt", "uniform": "continuous",
    "weibull": "transformed_families",
}


def install(package) -> None:
    """Bind each alias as an attribute of ``package`` and in ``sys.modules`` (for ``import a.b.c``)."""
    for alias, target in ALIASES.items():
        module = importlib.import_module(f"{package.__name__}.{target}")
        setattr(package, alias, module)
        sys.modules[f"{package.__name__}.{alias}"] = module
