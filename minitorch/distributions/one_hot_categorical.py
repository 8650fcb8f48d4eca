"""OneHotCategorical and OneHotCategoricalStraightThrough (torch.distributions.one_hot_categorical)."""
from __future__ import annotations

from minitorch.tensor import Size

from .discrete import OneHotCategorical

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough"]


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """A OneHotCategorical with the straight-through gradient estimator (Bengio et al., 2013): the draw is
    one-hot, its gradient that of ``probs`` (d rsample / d probs = identity)."""

    has_rsample = True

    def rsample(self, sample_shape=Size()):
        samples = self.sample(sample_shape)
        probs = self._categorical.probs
        return samples + (probs - probs.detach())
