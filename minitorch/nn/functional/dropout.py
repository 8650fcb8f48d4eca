"""nn.functional: dropout (elementwise) and feature dropout (whole channels), seeded by minitorch's RNG.

Kept elements are scaled by 1/(1-p) so the expected value is unchanged; in eval mode
(``training=False``) or with p = 0 the input is returned unchanged.
"""
from __future__ import annotations

import warnings

from ...backend import xp_of
from ...backend.random import rng_for
from ...tensor import Tensor

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout", "alpha_dropout"]


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply_mask(input: Tensor, mask_shape: tuple, p: float, inplace: bool, generator=None) -> Tensor:
    """input * (keep / (1 - p)), keep ~ Bernoulli(1 - p) drawn with ``mask_shape`` (broadcast)."""
    arr = input.array
    if p == 1.0:  # everything dropped (no draw needed, and no division by zero)
        scaled = xp_of(arr).zeros(mask_shape, dtype=arr.dtype)
    else:
        keep = rng_for(input.device, generator).random(mask_shape) >= p
        scaled = keep.astype(arr.dtype) * arr.dtype.type(1.0 / (1.0 - p))
    mask_t = Tensor._wrap(scaled)
    if inplace:
        return input.mul_(mask_t)
    return input * mask_t


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p (training only) and scale the rest by 1/(1-p)."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _apply_mask(input, tuple(input.shape), p, inplace)


def _feature_dropout(op: str, input: Tensor, p: float, training: bool, inplace: bool, spatial: int) -> Tensor:
    """Drop whole channels: the mask has shape (N, C, 1, ...) (or (C, 1, ...) without a batch dim)."""
    _check_p(p)
    nd = input.ndim
    if nd not in (spatial + 1, spatial + 2):
        if op == "dropout3d" and nd >= 1:
            warnings.warn(
                f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and will result in an "
                "error in a future release. To retain the behavior and silence this warning, please use "
                "dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs "
                "with 3 spatial dimensions, a channel dimension, and an optional batch dimension "
                "(i.e. 4D or 5D inputs).", UserWarning, stacklevel=3,
            )
        elif op == "dropout2d" and nd == 2:
            warnings.warn(
                "dropout2d: Received a 2-D input to dropout2d, which is deprecated and will result in an "
                "error in a future release. To retain the behavior and silence this warning, please use "
                "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs "
                "with 2 spatial dimensions, a channel dimension, and an optional batch dimension "
                "(i.e. 3D or 4D inputs).", UserWarning, stacklevel=3,
            )
        else:
            raise RuntimeError(
                f"{op}: Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) input, but received "
                f"input of size {list(input.shape)}"
            )
    if op == "dropout2d" and nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
            "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior "
            "will change in a future release to interpret the input as one without a batch dimension, i.e. "
            "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using "
            "dropout1d instead.", UserWarning, stacklevel=3,
        )
    if not training or p == 0.0:
        return input
    shape = tuple(input.shape)
    if op == "dropout2d" and nd in (2, 3):  # PyTorch's legacy reading: (N, C) or (N, C, L)
        mask_shape = shape[:2] + (1,) * (nd - 2)
    elif nd != spatial + 2:  # unbatched (C, ...) (dropout3d reads any other rank so, as torch does)
        mask_shape = shape[:1] + (1,) * (nd - 1)
    else:
        mask_shape = shape[:2] + (1,) * spatial
    return _apply_mask(input, mask_shape, p, inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) / (C, L) inputs with probability p."""
    return _feature_dropout("dropout1d", input, p, training, inplace, 1)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) / (C, H, W) inputs with probability p."""
    return _feature_dropout("dropout2d", input, p, training, inplace, 2)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) / (C, D, H, W) inputs with probability p."""
    return _feature_dropout("dropout3d", input, p, training, inplace, 3)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _alpha_dropout(input: Tensor, p: float, training: bool, mask_shape: tuple) -> Tensor:
    """Dropped units are set to SELU's negative saturation value, then an affine map keeps mean and var."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    arr = input.array
    if p == 1.0:
        return input * 0
    alpha_p = -_SELU_ALPHA * _SELU_SCALE
    a = ((1 - p) * (1 + p * alpha_p**2)) ** -0.5
    keep = (rng_for(input.device).random(mask_shape) >= p).astype(arr.dtype)
    # y = a * (x * keep + alpha' * (1 - keep)) + b, with b = -a * alpha' * p
    drop_value = Tensor._wrap(((1 - keep) * (a * alpha_p) - a * alpha_p * p).astype(arr.dtype))
    return input * Tensor._wrap((keep * a).astype(arr.dtype)) + drop_value


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout that keeps SELU's self-normalising mean and variance."""
    return _alpha_dropout(input, p, training, tuple(input.shape))


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """alpha_dropout on whole channels."""
    shape = tuple(input.shape)
    return _alpha_dropout(input, p, training, shape[:2] + (1,) * (len(shape) - 2))
