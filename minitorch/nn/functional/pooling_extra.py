"""Max-unpooling, power-average (Lp) pooling, channel shuffle and the deprecated upsample wrappers.

``max_unpool{1,2,3}d`` put each input value at the flat position its ``max_pool*(return_indices=True)`` index
names in a zero output plane (one Function, forward and backward side by side); ``lp_pool*``,
``channel_shuffle`` and ``upsample_*`` are compositions of differentiable ops, written as torch writes them.
"""
from __future__ import annotations

import math
import warnings

from ...autograd.function import BuiltinOp
from ...backend import xp_of
from ...backend.checks import fail_if, out_of_range
from ...ops.elementwise import relu
from ...tensor import Tensor
from .pooling import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from .pooling3d import avg_pool3d, max_pool3d
from .vision import interpolate

__all__ = ["max_unpool1d", "max_unpool2d", "max_unpool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d",
           "channel_shuffle", "upsample_nearest", "upsample_bilinear"]

_TORCH_SCALAR_NAMES = {"int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                       "float16": "Half", "float32": "Float", "float64": "Double"}


class MaxUnpool(BuiltinOp):
    """out[b, c].flat[indices[b, c, k]] = x[b, c, k]; every other output element is 0."""

    @staticmethod
    def forward(ctx, x, indices, out_spatial):
        arr, idx = x.array, indices.array
        xp = xp_of(arr)
        rows = arr.shape[0] * arr.shape[1]
        size = math.prod(out_spatial)
        flat_idx = idx.reshape(rows, -1)
        fail_if(out_of_range(flat_idx, 0, size), RuntimeError, lambda: _bad_index_msg(flat_idx, size, out_spatial))
        out = xp.zeros((rows, size), dtype=arr.dtype)
        if flat_idx.size:
            out[xp.arange(rows)[:, None], flat_idx] = arr.reshape(rows, -1)
        ctx.save_for_backward(indices)
        ctx.in_shape = arr.shape
        return out.reshape(*arr.shape[:2], *out_spatial)

    @staticmethod
    def backward(ctx, g):
        """dx[b, c, k] = g[b, c].flat[indices[b, c, k]] (a gather of the output gradient)."""
        (indices,) = ctx.saved_tensors
        b, c = ctx.in_shape[:2]
        gx = g.reshape(b, c, -1).gather(2, indices.reshape(b, c, -1)).reshape(ctx.in_shape)
        return gx, None, None


def _bad_index_msg(flat_idx, size: int, out_spatial) -> str:
    bad = flat_idx[(flat_idx < 0) | (flat_idx >= size)]
    first = int(bad.reshape(-1)[0]) if bad.size else -1
    return f"Found an invalid max index: {first} (output volumes are of size {'x'.join(map(str, out_spatial))})"


def _tuple(v, n: int) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _unpool_output_size(input: Tensor, kernel_size, stride, padding, output_size) -> list:
    """The spatial output size: (in - 1) * stride - 2 * padding + kernel, or a checked ``output_size``."""
    n = len(kernel_size)
    default = [(input.shape[-n + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d] for d in range(n)]
    if output_size is None:
        ret = default
    else:
        output_size = list(output_size)
        if len(output_size) == n + 2:
            output_size = output_size[2:]
        if len(output_size) != n:
            raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} elements, but it has a "
                             f"length of '{len(output_size)}'")
        for d in range(n):
            lo, hi = default[d] - stride[d], default[d] + stride[d]
            if not lo < output_size[d] < hi:
                raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim {d} must be between {lo} and '
                                 f"{hi})")
        ret = output_size
    for d in range(n):
        if ret[d] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial dimensions, "
                             f"but got output_size[{d}]={ret[d]}")
    return [int(s) for s in ret]


def _max_unpool(input: Tensor, indices: Tensor, out_spatial: list, spatial: int) -> Tensor:
    name = f"max_unpooling{spatial}d"
    if input.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"Input to {name} should be a {spatial + 1}d or {spatial + 2}d Tensor, but got a tensor "
                           f"with {input.ndim} dimensions.")
    if indices.dtype.name != "int64":
        raise RuntimeError("elements in indices should be type int64 but got: "
                           f"{_TORCH_SCALAR_NAMES.get(indices.dtype.name, indices.dtype.name)}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}) "
                           f"but got indices tensor with shape: {list(indices.shape)}")
    if input.device != indices.device:
        raise RuntimeError(f"{name}: expected input and indices on the same device, got {input.device} and "
                           f"{indices.device}")
    if input.ndim == spatial + 1:
        return MaxUnpool.apply(input.unsqueeze(0), indices.unsqueeze(0), tuple(out_spatial)).squeeze(0)
    return MaxUnpool.apply(input, indices, tuple(out_spatial))


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Partial inverse of ``max_pool1d``: each value back at its index, zeros elsewhere; (N, C, L) or (C, L)."""
    k = _tuple(kernel_size, 1)
    s = _tuple(stride, 1) if stride is not None else k
    size = _unpool_output_size(input, k, s, _tuple(padding, 1), output_size)
    return _max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), size + [1], 2).squeeze(-1)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Partial inverse of ``max_pool2d``: each value back at its index, zeros elsewhere; (N, C, H, W) or (C, H, W)."""
    k = _tuple(kernel_size, 2)
    s = _tuple(stride, 2) if stride is not None else k
    size = _unpool_output_size(input, k, s, _tuple(padding, 2), output_size)
    return _max_unpool(input, indices, size, 2)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Partial inverse of ``max_pool3d``: each value back at its index, zeros elsewhere; (N, C, D, H, W) or 4-D."""
    k = _tuple(kernel_size, 3)
    s = _tuple(stride, 3) if stride is not None else k
    size = _unpool_output_size(input, k, s, _tuple(padding, 3), output_size)
    return _max_unpool(input, indices, size, 3)


def _lp_pool(input: Tensor, norm_type, kernel_size, stride, ceil_mode: bool, n: int, avg, mx) -> Tensor:
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return mx(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -mx(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = avg(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    window = math.prod(_tuple(kernel_size, n))
    return (out.sign() * relu(out.abs())).mul(window).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """(sum over each window of x^p)^(1/p): ``avg_pool1d(x^p) * k`` to the power 1/p (max of |x| for p = inf)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1, avg_pool1d, max_pool1d)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """(sum over each kH x kW window of x^p)^(1/p), as torch computes it through ``avg_pool2d``."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2, avg_pool2d, max_pool2d)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """(sum over each kD x kH x kW window of x^p)^(1/p), through ``avg_pool3d``."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3, avg_pool3d, max_pool3d)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *) -> view as (N, g, C/g, *), swap the two channel dims, back to (N, C, *) (ShuffleNet)."""
    if input.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    c = input.shape[1]
    if c % groups != 0:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape(input.shape[0], groups, c // groups, *rest).transpose(1, 2).reshape(input.shape)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated (as in torch): ``interpolate(input, size, scale_factor, mode='nearest')``."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated (as in torch): ``interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)``."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
