"""nn.functional: batch_norm, layer_norm, group_norm.

All three normalise with one fused Function, ``Normalize`` ((x - mean) / sqrt(var + eps) over
some axes, with an analytic backward), then apply the per-channel affine with Tensor ops.
"""
from __future__ import annotations

from ...amp.autocast_mode import _AutocastState, autocast_args
from ...autograd.function import BuiltinOp
from ...autograd.grad_mode import _GradState, no_grad
from ...backend import xp_of
from ...tensor import Tensor

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "normalize"]


class Normalize(BuiltinOp):
    """xhat = (x - mean) / sqrt(var + eps), mean and biased var over ``axes``."""

    @staticmethod
    def forward(ctx, x, axes, eps, stats_sink=None):
        arr = x.array
        xp = xp_of(arr)
        mean = arr.mean(axis=axes, keepdims=True)
        centered = arr - mean
        var = (centered * centered).mean(axis=axes, keepdims=True)
        invstd = 1.0 / xp.sqrt(var + eps)
        xhat = centered * invstd
        ctx.save_for_backward(x)
        ctx.axes, ctx.eps = axes, eps
        ctx.xhat, ctx.invstd = xhat, invstd
        if stats_sink is not None:  # batch_norm reads the batch statistics for its running averages
            stats_sink.append((mean, var))
        return xhat.astype(arr.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        """dx = invstd * (g - mean(g) - xhat * mean(g * xhat)), means over the normalised axes."""
        axes = ctx.axes
        if _GradState.enabled:  # create_graph: rebuild xhat and invstd from x so they are differentiable
            (x,) = ctx.saved_tensors
            centered = x - x.mean(dim=axes, keepdim=True)
            invstd = ((centered * centered).mean(dim=axes, keepdim=True) + ctx.eps).rsqrt()
            xhat = centered * invstd
        else:
            xhat, invstd = Tensor._wrap(ctx.xhat), Tensor._wrap(ctx.invstd)
        gm = g.mean(dim=axes, keepdim=True)
        gxm = (g * xhat).mean(dim=axes, keepdim=True)
        return (g - gm - xhat * gxm) * invstd, None, None, None


def _affine(y: Tensor, weight, bias, shape: tuple) -> Tensor:
    if weight is not None:
        y = y * (weight.reshape(shape) if tuple(weight.shape) != shape else weight)
    if bias is not None:
        y = y + (bias.reshape(shape) if tuple(bias.shape) != shape else bias)
    return y


def _check_channels(op: str, name: str, t, channels: int) -> None:
    if t is not None and t.numel() != channels:
        raise RuntimeError(f"{op}: {name} should contain {channels} elements not {t.numel()}")


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) over the batch and spatial dims; update running stats in training.

    running_mean <- (1 - momentum) running_mean + momentum * batch mean;
    running_var  <- (1 - momentum) running_var + momentum * unbiased batch var (as PyTorch).
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected 2D or higher input (N, C, ...), got {input.ndim}D "
                         f"{list(input.shape)}")
    channels = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        _check_channels("batch_norm", name, t, channels)
    shape = (1, channels) + (1,) * (input.ndim - 2)
    axes = (0,) + tuple(range(2, input.ndim))
    count = input.numel() // max(channels, 1)
    if training:
        if count <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {input.shape}"
            )
        sink: list = []
        y = Normalize.apply(input, axes, eps, sink)
        mean, var = sink[0]
        if running_mean is not None or running_var is not None:
            m = 0.0 if momentum is None else momentum
            if running_mean is not None:
                rm = running_mean.array
                rm *= 1 - m
                rm += (m * mean.reshape(-1)).astype(rm.dtype, copy=False)
                running_mean._version += 1
            if running_var is not None:
                rv = running_var.array
                rv *= 1 - m
                rv += (m * var.reshape(-1) * (count / (count - 1))).astype(rv.dtype, copy=False)
                running_var._version += 1
        return _affine(y, weight, bias, shape)
    if running_mean is None or running_var is None:
        missing = "running_mean" if running_mean is None else "running_var"
        raise RuntimeError(f"{missing} must be defined in evaluation mode")
    # eval: y = x * scale + shift with per-channel scale = w / sqrt(rv + eps), shift = b - rm * scale
    xp = xp_of(input.array)
    inv = (1.0 / xp.sqrt(running_var.array.reshape(shape) + eps)).astype(input.array.dtype, copy=False)
    rm = running_mean.array.reshape(shape).astype(input.array.dtype, copy=False)
    scale = Tensor._wrap(inv) if weight is None else weight.reshape(shape) * inv
    shift = Tensor._wrap(-rm * inv) if weight is None else scale * (-rm)
    if bias is not None:
        shift = shift + bias.reshape(shape)
    return input * scale + shift


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each (sample, channel) over its spatial dims, then scale and shift per channel.

    With running statistics and ``use_input_stats``, they move by ``momentum`` towards the batch average
    of the per-instance means and unbiased variances (torch's rule); without ``use_input_stats`` the
    running statistics normalise instead (batch_norm's eval path).
    """
    channels = input.shape[1]
    axes = tuple(range(2, input.ndim))
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
        return batch_norm(input, running_mean, running_var, weight, bias, False, 0.0, eps)
    count = 1
    for s in input.shape[2:]:
        count *= s
    if count <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {list(input.shape)}")
    with no_grad():
        xd = input.detach()
        for stat, value in ((running_mean, lambda: xd.mean(dim=axes).mean(dim=0)),
                            (running_var, lambda: xd.var(dim=axes, correction=1).mean(dim=0))):
            if stat is not None:
                stat.mul_(1 - momentum).add_(value().to(stat.dtype) * momentum)
    y = Normalize.apply(input, axes, eps)
    return _affine(y, weight, bias, (1, channels) + (1,) * (input.ndim - 2))


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the last len(normalized_shape) dims, then scale by weight and shift by bias."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, weight, bias = autocast_args("layer_norm", input, weight, bias)
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(int(s) for s in normalized_shape)
    k = len(normalized_shape)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != normalized_shape or input.ndim < k:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{list(input.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(
                f"layer_norm: Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {list(normalized_shape)}"
            )
    axes = tuple(range(input.ndim - k, input.ndim))
    y = Normalize.apply(input, axes, eps)
    return _affine(y, weight, bias, normalized_shape)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Split channels into ``num_groups`` groups and normalise each (sample, group) over its elements."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, weight, bias = autocast_args("group_norm", input, weight, bias)
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: expected input of at least 2 dims (N, C, ...), got {list(input.shape)}")
    n, channels = input.shape[0], input.shape[1]
    if num_groups <= 0 or channels % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input of shape "
            f"{list(input.shape)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (channels,):
            raise RuntimeError(
                f"group_norm: Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t.shape)} and input of shape {list(input.shape)}"
            )
    grouped = input.reshape((n, num_groups, -1))
    y = Normalize.apply(grouped, (2,), eps).reshape(tuple(input.shape))
    return _affine(y, weight, bias, (1, channels) + (1,) * (input.ndim - 2))


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``."""
    n = input.norm(p, dim=dim, keepdim=True)
    return input / n.clamp(min=eps).expand_as(input)

