"""nn.functional 3-D pooling: max_pool3d, avg_pool3d, adaptive_avg_pool3d, adaptive_max_pool3d.

Window kernels (a loop over the KD*KH*KW kernel offsets, strided slices) live in
``minitorch/nn/kernels/conv3d.py``. Max-pool sends each window's gradient to its FIRST maximum
(as torch does). Each op's backward is itself a Function whose adjoint is the forward's local
linear map, so gradients of gradients work.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import BuiltinOp
from ...backend import xp_of
from ...tensor import Tensor
from ..kernels import conv3d as K
from ..kernels.conv3d import Conv3dGeom
from .conv import check_positive, shape_str
from .conv3d import triple
from .pooling import PlaneScatter, _adaptive_bounds, _avg_matrix, _pool_out
from .vision import AxisLinear

__all__ = ["max_pool3d", "max_pool3d_with_indices", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d",
           "adaptive_max_pool3d_with_indices"]


# ----------------------------------------------------------------------------- max pool
class MaxPool3d(BuiltinOp):
    @staticmethod
    def forward(ctx, x, geo, osz, want_indices):
        out, arg = K.max_pool3d_forward(x.array, geo, osz)
        ctx.geo, ctx.arg, ctx.size = geo, arg, x.array.shape[2:]
        if want_indices:
            idx = K.max_pool3d_indices(arg, geo, x.array.shape[2:])
            ctx.mark_non_differentiable(idx)
            return out, idx
        return out

    @staticmethod
    def backward(ctx, g, *_):
        """dx[first argmax of window] += g[window]; zero elsewhere."""
        return MaxPool3dScatter.apply(g, ctx.arg, ctx.geo, ctx.size), None, None, None


class MaxPool3dScatter(BuiltinOp):
    """Route each window's value to its recorded maximum (the transpose of max-pool's selection)."""

    @staticmethod
    def forward(ctx, g, arg, geo, size):
        ctx.arg, ctx.geo = arg, geo
        return K.max_pool3d_scatter(g.array, arg, geo, size)

    @staticmethod
    def backward(ctx, h):
        """The adjoint of scattering to the argmax is gathering at the argmax."""
        return MaxPool3dGather.apply(h, ctx.arg, ctx.geo), None, None, None


class MaxPool3dGather(BuiltinOp):
    @staticmethod
    def forward(ctx, x, arg, geo):
        ctx.arg, ctx.geo, ctx.size = arg, geo, x.array.shape[2:]
        return K.max_pool3d_gather(x.array, arg, geo)

    @staticmethod
    def backward(ctx, g):
        """The adjoint of gathering at the argmax is scattering to it."""
        return MaxPool3dScatter.apply(g, ctx.arg, ctx.geo, ctx.size), None, None


# ----------------------------------------------------------------------------- avg pool
class AvgPool3d(BuiltinOp):
    @staticmethod
    def forward(ctx, x, geo, osz, div):
        ctx.geo, ctx.div, ctx.size = geo, div, x.array.shape[2:]
        out = K.window_sum3d(x.array, geo, osz)
        out /= div
        return out

    @staticmethod
    def backward(ctx, g):
        """dx[p] = sum over windows w containing p of g[w] / divisor[w]."""
        return AvgPool3dAdjoint.apply(g, ctx.geo, ctx.div, ctx.size), None, None, None


class AvgPool3dAdjoint(BuiltinOp):
    @staticmethod
    def forward(ctx, g, geo, div, size):
        ctx.geo, ctx.div = geo, div
        return K.window_spread3d(g.array / div, geo, size)

    @staticmethod
    def backward(ctx, h):
        """The adjoint of spreading window values is averaging over windows."""
        return AvgPool3d.apply(h, ctx.geo, ctx.div.shape, ctx.div), None, None, None


# ----------------------------------------------------------------------------- argument handling
def _as5d(op: str, x: Tensor):
    nd = x.array.ndim
    if nd == 5 and all(s > 0 for s in x.array.shape[1:]):
        return x, True
    if nd == 4 and all(s > 0 for s in x.array.shape):
        return x.unsqueeze(0), False
    raise RuntimeError(
        f"{op}: non-empty 4D or 5D (batch mode) tensor expected for input, but got input of size {shape_str(x)}"
    )


def _pool_geom3d(op, x, kernel_size, stride, padding, dilation, ceil_mode, is_max):
    k = triple(kernel_size, op, "kernel_size")
    s = k if stride is None or (isinstance(stride, (tuple, list)) and not stride) else triple(stride, op, "stride")
    p = triple(padding, op, "padding")
    d = triple(dilation, op, "dilation")
    check_positive(op, "kernel_size", k)
    check_positive(op, "stride", s)
    check_positive(op, "dilation", d)
    if any(v < 0 for v in p):
        raise RuntimeError(f"{op}: pad must be non-negative, but got padding={padding}")
    ext = [dd * (kk - 1) + 1 for dd, kk in zip(d, k)] if is_max else k
    if any(2 * pp > e for pp, e in zip(p, ext)):
        raise RuntimeError(
            f"{op}: pad should be at most half of effective kernel size, but got pad={padding}, "
            f"kernel_size={kernel_size} and dilation={dilation}"
        )
    size = x.array.shape[2:]
    osz = tuple(_pool_out(m, kk, ss, pp, dd, ceil_mode) for m, kk, ss, pp, dd in zip(size, k, s, p, d))
    if any(o < 1 for o in osz):
        c = x.array.shape[1]
        raise RuntimeError(
            f"{op}: Given input size: ({'x'.join(map(str, (c, *size)))}). Calculated output size: "
            f"({'x'.join(map(str, (c, *osz)))}). Output size is too small"
        )
    return Conv3dGeom(k, s, d, p, p, 1), osz


# ----------------------------------------------------------------------------- functional API
def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Max over KDxKHxKW windows of an (N, C, D, H, W) or (C, D, H, W) input; indices flat per volume."""
    op = "max_pool3d"
    x, batched = _as5d(op, input)
    geo, osz = _pool_geom3d(op, x, kernel_size, stride, padding, dilation, ceil_mode, True)
    res = MaxPool3d.apply(x, geo, osz, bool(return_indices))
    out, idx = res if return_indices else (res, None)
    if not batched:
        out = out.squeeze(0)
        idx = idx.squeeze(0) if idx is not None else None
    return (out, idx) if return_indices else out


def max_pool3d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """Mean over KDxKHxKW windows (zero padding counted when ``count_include_pad``), as torch."""
    op = "avg_pool3d"
    x, batched = _as5d(op, input)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError(f"{op}: divisor must be not zero")
    geo, osz = _pool_geom3d(op, x, kernel_size, stride, padding, 1, ceil_mode, False)
    div = K.avg_divisor3d(xp_of(x.array), geo, osz, x.array.shape[2:], count_include_pad, divisor_override,
                          x.array.dtype)
    out = AvgPool3d.apply(x, geo, osz, div)
    return out if batched else out.squeeze(0)


# ----------------------------------------------------------------------------- adaptive pools
def _adaptive_sizes3d(op, x, output_size):
    size = x.array.shape[2:]
    o = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * 3
    if len(o) != 3:
        raise ValueError(f"{op}: output_size must be an int or a 3-tuple, got {output_size}")
    o = tuple(m if v is None else int(v) for m, v in zip(size, o))
    if any(v <= 0 for v in o):
        raise RuntimeError(f"{op}: output_size must be positive, got {output_size} for input {shape_str(x)}")
    return o


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """Average over torch's adaptive windows so the output is ``output_size`` (None keeps a dim)."""
    op = "adaptive_avg_pool3d"
    x, batched = _as5d(op, input)
    od, oh, ow = _adaptive_sizes3d(op, x, output_size)
    d, h, w = x.array.shape[2:]
    xp = xp_of(x.array)
    dt = x.array.dtype
    out = x
    if ow != w:
        out = AxisLinear.apply(out, xp.asarray(_avg_matrix(w, ow, dt)), -1)
    if oh != h:
        out = AxisLinear.apply(out, xp.asarray(_avg_matrix(h, oh, dt)), -2)
    if od != d:
        out = AxisLinear.apply(out.transpose(2, 3), xp.asarray(_avg_matrix(d, od, dt)), -2).transpose(2, 3)
    if out is x:
        out = AxisLinear.apply(x, xp.eye(w, dtype=dt), -1)
    return out if batched else out.squeeze(0)


class AdaptiveMaxPool3d(BuiltinOp):
    """Max over adaptive windows of x viewed as (N, C, D*H*W, 1); returns (max, flat index per volume)."""

    @staticmethod
    def forward(ctx, x, size, osz):
        xp = xp_of(x.array)
        n, c = x.array.shape[:2]
        d, h, w = size
        arr = x.array.reshape(n, c, d, h, w)
        bounds = [_adaptive_bounds(m, o) for m, o in zip(size, osz)]
        lens = [int((e - s).max()) for s, e in bounds]
        best = idx = None
        for i in range(lens[0]):
            dd = xp.asarray(np.minimum(bounds[0][0] + i, bounds[0][1] - 1)).reshape(-1, 1, 1)
            for j in range(lens[1]):
                hh = xp.asarray(np.minimum(bounds[1][0] + j, bounds[1][1] - 1)).reshape(1, -1, 1)
                for k in range(lens[2]):
                    ww = xp.asarray(np.minimum(bounds[2][0] + k, bounds[2][1] - 1)).reshape(1, 1, -1)
                    v = arr[:, :, dd, hh, ww]
                    flat = xp.broadcast_to((dd * h + hh) * w + ww, v.shape)
                    if best is None:
                        best, idx = v, flat.copy()
                        continue
                    m = v > best
                    m |= v != v
                    xp.copyto(best, v, where=m)
                    xp.copyto(idx, flat, where=m)
        ctx.idx, ctx.in_shape = idx, x.array.shape
        ctx.mark_non_differentiable(idx)
        return best, idx

    @staticmethod
    def backward(ctx, g, *_):
        """dx[argmax of window] += g[window] (windows may overlap: duplicates are summed)."""
        return PlaneScatter.apply(g, ctx.idx, ctx.in_shape), None, None


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    """Max over torch's adaptive windows; indices flat per volume ((d*H + h)*W + w) as torch."""
    op = "adaptive_max_pool3d"
    x, batched = _as5d(op, input)
    osz = _adaptive_sizes3d(op, x, output_size)
    n, c, d, h, w = x.array.shape
    out, idx = AdaptiveMaxPool3d.apply(x.reshape((n, c, d * h * w, 1)), (d, h, w), osz)
    if not batched:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return (out, idx) if return_indices else out


def adaptive_max_pool3d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    return adaptive_max_pool3d(input, output_size, True)
