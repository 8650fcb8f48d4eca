"""nn.functional: rms_norm, local_response_norm, pixel_shuffle, pixel_unshuffle, prelu.

Each is a composition of differentiable Tensor ops (reshape/permute, pad, mean, pow, where), so its
gradient (and gradient of gradient) comes from those ops; none needs a Function of its own.
"""
from __future__ import annotations

from ...amp.autocast_mode import _AutocastState, autocast_args
from ...backend.dtype import finfo
from ...ops.elementwise import where
from ...tensor import Tensor
from .vision import pad

__all__ = ["rms_norm", "local_response_norm", "pixel_shuffle", "pixel_unshuffle", "prelu"]


def _shape(t: Tensor) -> list:
    return list(t.shape)


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """y = x / sqrt(mean(x^2) + eps) * weight, the mean over the last len(normalized_shape) dims.

    ``eps=None`` uses the machine epsilon of the input's dtype, as torch.
    """
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(int(s) for s in normalized_shape)
    k = len(normalized_shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != normalized_shape:
        raise RuntimeError(
            f"rms_norm: Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{_shape(input)}"
        )
    if weight is not None and tuple(weight.shape) != normalized_shape:
        raise RuntimeError(
            f"rms_norm: Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{_shape(weight)} and normalized_shape = {list(normalized_shape)}"
        )
    if eps is None:
        eps = finfo(input.dtype).eps
    dims = tuple(range(input.ndim - k, input.ndim))
    y = input * ((input * input).mean(dim=dims, keepdim=True) + eps).rsqrt()
    return y if weight is None else y * weight


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """b_c = a_c / (k + alpha/n * sum_{c' in window(c)} a_{c'}^2)^beta over a window of ``size`` channels.

    The window around channel c runs from c - size//2 to c + (size-1)//2 (zero outside), as torch.
    """
    if input.ndim < 3:
        raise ValueError(f"local_response_norm: Expected 3D or higher dimensionality input (got {input.ndim} "
                         f"dimensions)")
    if size <= 0:
        raise RuntimeError(f"local_response_norm: kernel size should be greater than zero, but got size={size}")
    if input.numel() == 0:
        return input
    channels = input.shape[1]
    sq = pad(input * input, (0, 0) * (input.ndim - 2) + (size // 2, (size - 1) // 2))
    window = sq.narrow(1, 0, channels)
    for i in range(1, size):
        window = window + sq.narrow(1, i, channels)
    div = (window * (alpha / size) + k).pow(beta)
    return input / div


def _check_factor(op: str, name: str, factor) -> int:
    factor = int(factor)
    if factor <= 0:
        raise RuntimeError(f"{op}: {name} must be greater than 0, but got: {factor}")
    return factor


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C*r^2, H, W) -> (*, C, H*r, W*r): out[c, h*r+i, w*r+j] = in[c*r^2 + i*r + j, h, w]."""
    op = "pixel_shuffle"
    r = _check_factor(op, "upscale_factor", upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"{op} expects input to have at least 3 dimensions, but got input with {input.ndim} "
                           f"dimension(s)")
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"{op} expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    nb = len(batch)
    x = input.reshape(*batch, c // (r * r), r, r, h, w)
    x = x.permute(*range(nb), nb, nb + 3, nb + 1, nb + 4, nb + 2)
    return x.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H*r, W*r) -> (*, C*r^2, H, W), the inverse of pixel_shuffle."""
    op = "pixel_unshuffle"
    r = _check_factor(op, "downscale_factor", downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"{op} expects input to have at least 3 dimensions, but got input with {input.ndim} "
                           f"dimension(s)")
    *batch, c, h, w = input.shape
    if h % r:
        raise RuntimeError(f"{op} expects height to be divisible by downscale_factor, but input.size(-2)={h} is "
                           f"not divisible by {r}")
    if w % r:
        raise RuntimeError(f"{op} expects width to be divisible by downscale_factor, but input.size(-1)={w} is "
                           f"not divisible by {r}")
    nb = len(batch)
    x = input.reshape(*batch, c, h // r, r, w // r, r)
    x = x.permute(*range(nb), nb, nb + 2, nb + 4, nb + 1, nb + 3)
    return x.reshape(*batch, c * r * r, h // r, w // r)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x if x > 0 else weight * x, ``weight`` one value or one per channel (dim 1; dim 0 of 1-D has one channel)."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, weight = autocast_args("prelu", input, weight)
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    n = weight.numel()
    channels = input.shape[1] if input.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError(f"prelu: Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{n} and channel size = {channels}.")
    w = weight
    if n != 1:
        w = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    elif input.ndim == 0:
        w = weight.reshape(())
    return where(input > 0, input, w * input)
