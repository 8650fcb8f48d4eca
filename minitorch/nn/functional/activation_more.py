"""nn.functional: randomized leaky ReLU, the in-place ``F.*_`` activations, and gumbel_softmax.

All are composites of existing differentiable ops: ``rrelu`` multiplies by a drawn slope array,
``gumbel_softmax`` is a softmax of Gumbel-perturbed logits (hard: one-hot forward, soft gradient).
Random draws come from minitorch's generators, so ``manual_seed`` makes them reproducible.
"""
from __future__ import annotations

from ...backend import xp_of
from ...backend.random import rng_for
from ...ops.reduction import softmax
from ...tensor import Tensor, _wrap_dim
from .activation import celu, elu, hardtanh, leaky_relu, selu
from .activation import threshold as _threshold

__all__ = [
    "rrelu", "rrelu_", "elu_", "leaky_relu_", "hardtanh_", "threshold_", "selu_", "celu_", "gumbel_softmax",
]


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """x for x > 0, a x otherwise, a ~ U(lower, upper) per element when training, a = (lower + upper) / 2 in eval."""
    if lower > upper:
        raise RuntimeError(
            f"Lower bound should be less than or equal to the upper bound (rrelu: lower={lower}, upper={upper})"
        )
    if inplace:
        return _in_place(input, rrelu, lower, upper, training)
    if not training:
        return leaky_relu(input, (lower + upper) / 2)
    arr = input.array
    xp = xp_of(arr)
    draws = rng_for(input.device).uniform(lower, upper, arr.shape)
    slopes = xp.where(arr > 0, 1, draws).astype(arr.dtype, copy=False)  # torch: x <= 0 gets the random slope
    return input * Tensor._wrap(slopes)


def _in_place(input: Tensor, fn, *args) -> Tensor:
    """Compute ``fn(input, *args)`` out of place and write it into ``input``'s memory (PyTorch's ``F.*_``).

    When a graph is recorded, ``fn`` reads a copy standing at ``input``'s place in the graph, so an op that
    saves its input for backward (elu) still sees the value from before the write.
    """
    from ...autograd.grad_mode import _GradState
    from ...tensor_methods import _check_inplace_leaf, _old_value, _write_back

    _check_inplace_leaf(input, "inplace activation")
    source = _old_value(input) if _GradState.enabled and input.requires_grad else input
    return _write_back(input, fn(source, *args), "inplace activation")


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:
    """In-place ``rrelu``."""
    return _in_place(input, rrelu, lower, upper, training)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``elu``."""
    return _in_place(input, elu, alpha)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place ``leaky_relu``."""
    return _in_place(input, leaky_relu, negative_slope)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place ``hardtanh``."""
    return _in_place(input, hardtanh, min_val, max_val)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place ``threshold``."""
    return _in_place(input, _threshold, threshold, value)


def selu_(input: Tensor) -> Tensor:
    """In-place ``selu``."""
    return _in_place(input, selu)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``celu``."""
    return _in_place(input, celu, alpha)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1) -> Tensor:
    """softmax((logits + g) / tau) with g ~ Gumbel(0, 1); ``hard``: the one-hot argmax in value, the soft
    sample's gradient (straight-through)."""
    import warnings

    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    arr = logits.array
    xp = xp_of(arr)
    expo = rng_for(logits.device).exponential(1.0, arr.shape)
    gumbels = Tensor._wrap((-xp.log(expo)).astype(arr.dtype, copy=False))
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    d = _wrap_dim(dim, arr.ndim, "gumbel_softmax") if arr.ndim else 0
    ys = y_soft.array
    index = xp.argmax(ys, axis=d, keepdims=True) if ys.ndim else xp.zeros((), dtype=int)
    if ys.ndim:
        pos = xp.arange(ys.shape[d]).reshape((-1,) + (1,) * (ys.ndim - 1 - d))
        one_hot = (pos == index).astype(ys.dtype)
    else:
        one_hot = xp.ones((), dtype=ys.dtype)
    return Tensor._wrap(one_hot) - y_soft.detach() + y_soft
