"""nn.functional pooling: max_pool1d/2d, avg_pool1d/2d, adaptive_avg_pool1d/2d, adaptive_max_pool1d/2d.

1-D pools are 2-D pools with H = 1. Window kernels (a loop over kernel offsets, strided slices)
live in ``minitorch/nn/kernels/pool.py``. Max-pool sends each window's gradient to its FIRST
maximum (as torch does), never to every tied maximum.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import BuiltinOp
from ...backend import xp_of
from ...tensor import Tensor
from ..kernels import pool as K
from ..kernels.im2col import ConvGeom
from .conv import check_positive, pair, shape_str
from .vision import AxisLinear

__all__ = [
    "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
]


# ----------------------------------------------------------------------------- max pool
class MaxPool2d(BuiltinOp):
    @staticmethod
    def forward(ctx, x, geo, oh, ow, want_indices):
        out, arg = K.max_pool_forward(x.array, geo, oh, ow)
        ctx.geo, ctx.arg, ctx.hw = geo, arg, x.array.shape[2:]
        if want_indices:
            idx = K.flat_indices(arg, geo, x.array.shape[3])
            ctx.mark_non_differentiable(idx)
            return out, idx
        return out

    @staticmethod
    def backward(ctx, g, *_):
        """dx[first argmax of window] += g[window]; zero elsewhere."""
        return MaxPoolScatter.apply(g, ctx.arg, ctx.geo, ctx.hw), None, None, None, None


class MaxPoolScatter(BuiltinOp):
    """Route each window's value to its recorded maximum (the transpose of max-pool's selection)."""

    @staticmethod
    def forward(ctx, g, arg, geo, hw):
        ctx.arg, ctx.geo = arg, geo
        return K.max_pool_scatter(g.array, arg, geo, hw[0], hw[1])

    @staticmethod
    def backward(ctx, h):
        """The adjoint of scattering to the argmax is gathering at the argmax."""
        return MaxPoolGather.apply(h, ctx.arg, ctx.geo), None, None, None


class MaxPoolGather(BuiltinOp):
    @staticmethod
    def forward(ctx, x, arg, geo):
        ctx.arg, ctx.geo, ctx.hw = arg, geo, x.array.shape[2:]
        return K.max_pool_gather(x.array, arg, geo)

    @staticmethod
    def backward(ctx, g):
        """The adjoint of gathering at the argmax is scattering to it."""
        return MaxPoolScatter.apply(g, ctx.arg, ctx.geo, ctx.hw), None, None


# ----------------------------------------------------------------------------- avg pool
class AvgPool2d(BuiltinOp):
    @staticmethod
    def forward(ctx, x, geo, oh, ow, div):
        ctx.geo, ctx.div, ctx.hw = geo, div, x.array.shape[2:]
        out = K.window_sum(x.array, geo, oh, ow)
        out /= div
        return out

    @staticmethod
    def backward(ctx, g):
        """dx[p] = sum over windows w containing p of g[w] / divisor[w]."""
        return AvgPoolAdjoint.apply(g, ctx.geo, ctx.div, ctx.hw), None, None, None, None


class AvgPoolAdjoint(BuiltinOp):
    @staticmethod
    def forward(ctx, g, geo, div, hw):
        ctx.geo, ctx.div = geo, div
        return K.window_spread(g.array / div, geo, hw[0], hw[1])

    @staticmethod
    def backward(ctx, h):
        """The adjoint of spreading window values is averaging over windows."""
        oh, ow = ctx.div.shape
        return AvgPool2d.apply(h, ctx.geo, oh, ow, ctx.div), None, None, None


# ----------------------------------------------------------------------------- argument handling
def _pool_out(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """torch's pooling_output_shape: floor/ceil division, and no window starting in the right padding."""
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _as4d(op: str, x: Tensor, spatial: int):
    nd = x.array.ndim
    if nd == spatial + 2 and all(s > 0 for s in x.array.shape[1:]):
        return (x if spatial == 2 else x.unsqueeze(2)), True
    if nd == spatial + 1 and all(s > 0 for s in x.array.shape):
        x = x.unsqueeze(0)
        return (x if spatial == 2 else x.unsqueeze(2)), False
    raise RuntimeError(
        f"{op}: non-empty {spatial + 1}D or {spatial + 2}D (batch mode) tensor expected for input, but got "
        f"input of size {shape_str(x)}"
    )


def _pool_geom(op, x4, kernel_size, stride, padding, dilation, ceil_mode, is_max):
    kh, kw = pair(kernel_size, op, "kernel_size")
    sh, sw = (kh, kw) if stride is None or (isinstance(stride, (tuple, list)) and not stride) else \
        pair(stride, op, "stride")
    ph, pw = pair(padding, op, "padding")
    dh, dw = pair(dilation, op, "dilation")
    check_positive(op, "kernel_size", (kh, kw))
    check_positive(op, "stride", (sh, sw))
    check_positive(op, "dilation", (dh, dw))
    if ph < 0 or pw < 0:
        raise RuntimeError(f"{op}: pad must be non-negative, but got padding={padding}")
    eh, ew = (dh * (kh - 1) + 1, dw * (kw - 1) + 1) if is_max else (kh, kw)
    if 2 * ph > eh or 2 * pw > ew:
        raise RuntimeError(
            f"{op}: pad should be at most half of effective kernel size, but got pad={padding}, "
            f"kernel_size={kernel_size} and dilation={dilation}"
        )
    n, c, h, w = x4.array.shape
    oh = _pool_out(h, kh, sh, ph, dh, ceil_mode)
    ow = _pool_out(w, kw, sw, pw, dw, ceil_mode)
    if oh < 1 or ow < 1:
        raise RuntimeError(
            f"{op}: Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{oh}x{ow}). Output size is "
            f"too small"
        )
    return ConvGeom(kh, kw, sh, sw, dh, dw, ph, ph, pw, pw, 1), oh, ow


def _one(v, op, name):
    if v is None:
        return None
    if isinstance(v, (tuple, list)):
        if len(v) == 0:
            return None
        if len(v) != 1:
            raise RuntimeError(f"{op}: {name} must be an int or a 1-tuple, got {v}")
        v = v[0]
    return (1, int(v))


# ----------------------------------------------------------------------------- functional API
def _max_pool(op, input, spatial, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x, batched = _as4d(op, input, spatial)
    if spatial == 1:
        kernel_size, stride = _one(kernel_size, op, "kernel_size"), _one(stride, op, "stride")
        padding, dilation = (0, _one(padding, op, "padding")[1]), _one(dilation, op, "dilation")
    geo, oh, ow = _pool_geom(op, x, kernel_size, stride, padding, dilation, ceil_mode, True)
    res = MaxPool2d.apply(x, geo, oh, ow, bool(return_indices))
    out, idx = res if return_indices else (res, None)
    if spatial == 1:
        out = out.squeeze(2)
        idx = idx.squeeze(2) if idx is not None else None
    if not batched:
        out = out.squeeze(0)
        idx = idx.squeeze(0) if idx is not None else None
    return (out, idx) if return_indices else out


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Max over KHxKW windows of an (N, C, H, W) or (C, H, W) input; indices are flat per plane (h*W + w)."""
    return _max_pool("max_pool2d", input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Max over length-K windows of an (N, C, L) or (C, L) input."""
    return _max_pool("max_pool1d", input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_pool(op, input, spatial, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    x, batched = _as4d(op, input, spatial)
    if spatial == 1:
        kernel_size, stride = _one(kernel_size, op, "kernel_size"), _one(stride, op, "stride")
        padding = (0, _one(padding, op, "padding")[1])
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError(f"{op}: divisor must be not zero")
    geo, oh, ow = _pool_geom(op, x, kernel_size, stride, padding, 1, ceil_mode, False)
    h, w = x.array.shape[2:]
    div = K.avg_divisor(xp_of(x.array), geo, oh, ow, h, w, count_include_pad, divisor_override, x.array.dtype)
    out = AvgPool2d.apply(x, geo, oh, ow, div)
    if spatial == 1:
        out = out.squeeze(2)
    return out if batched else out.squeeze(0)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """Mean over KHxKW windows (zero padding counted when ``count_include_pad``), as torch."""
    return _avg_pool("avg_pool2d", input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over length-K windows of an (N, C, L) or (C, L) input."""
    return _avg_pool("avg_pool1d", input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


# ----------------------------------------------------------------------------- adaptive pools
def _adaptive_bounds(size_in: int, size_out: int):
    """torch's adaptive windows: [floor(i*L/O), ceil((i+1)*L/O))."""
    i = np.arange(size_out)
    start = (i * size_in) // size_out
    end = -((-(i + 1) * size_in) // size_out)
    return start, end


def _adaptive_sizes(op, x4, output_size, spatial):
    h, w = x4.array.shape[2:]
    if spatial == 1:
        o = output_size[0] if isinstance(output_size, (tuple, list)) else output_size
        return (1, w if o is None else int(o))
    oh, ow = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    oh, ow = (h if oh is None else int(oh)), (w if ow is None else int(ow))
    if oh < 0 or ow < 0:
        raise RuntimeError(f"{op}: output_size must be non-negative, got {output_size}")
    return oh, ow


def _avg_matrix(size_in: int, size_out: int, dtype):
    start, end = _adaptive_bounds(size_in, size_out)
    a = np.zeros((size_out, size_in), dtype=dtype)
    for i in range(size_out):
        a[i, start[i]:end[i]] = 1.0 / (end[i] - start[i])
    return a


def _adaptive_avg(op, input, output_size, spatial):
    x, batched = _as4d(op, input, spatial)
    oh, ow = _adaptive_sizes(op, x, output_size, spatial)
    h, w = x.array.shape[2:]
    xp = xp_of(x.array)
    out = x
    if ow != w:
        out = AxisLinear.apply(out, xp.asarray(_avg_matrix(w, ow, x.array.dtype)), -1)
    if oh != h:
        out = AxisLinear.apply(out, xp.asarray(_avg_matrix(h, oh, x.array.dtype)), -2)
    if out is x:
        out = AxisLinear.apply(x, xp.eye(w, dtype=x.array.dtype), -1)
    if spatial == 1:
        out = out.squeeze(2)
    return out if batched else out.squeeze(0)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average over torch's adaptive windows so the output is ``output_size`` (None keeps a dim)."""
    return _adaptive_avg("adaptive_avg_pool2d", input, output_size, 2)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average over adaptive windows of an (N, C, L) input."""
    return _adaptive_avg("adaptive_avg_pool1d", input, output_size, 1)


class AdaptiveMaxPool2d(BuiltinOp):
    @staticmethod
    def forward(ctx, x, oh, ow):
        arr = x.array
        xp = xp_of(arr)
        n, c, h, w = arr.shape
        hs, he = _adaptive_bounds(h, oh)
        ws, we = _adaptive_bounds(w, ow)
        best = idx = None
        for i in range(int((he - hs).max())):
            rows = xp.asarray(np.minimum(hs + i, he - 1)).reshape(-1, 1)
            for j in range(int((we - ws).max())):
                cols = xp.asarray(np.minimum(ws + j, we - 1)).reshape(1, -1)
                v = arr[:, :, rows, cols]
                flat = xp.broadcast_to(rows * w + cols, v.shape)
                if best is None:
                    best, idx = v, flat.copy()
                    continue
                m = v > best
                m |= v != v
                xp.copyto(best, v, where=m)
                xp.copyto(idx, flat, where=m)
        ctx.idx, ctx.hw = idx, h * w
        ctx.in_shape = arr.shape
        ctx.mark_non_differentiable(idx)
        return best, idx

    @staticmethod
    def backward(ctx, g, *_):
        """dx[argmax of window] += g[window] (windows may overlap: duplicates are summed)."""
        return PlaneScatter.apply(g, ctx.idx, ctx.in_shape), None, None


class PlaneScatter(BuiltinOp):
    @staticmethod
    def forward(ctx, g, idx, in_shape):
        ctx.idx = idx
        n, c, h, w = in_shape
        return K.plane_scatter(g.array, idx, h * w).reshape(in_shape)

    @staticmethod
    def backward(ctx, h):
        """The adjoint of scatter-add at flat indices is the gather at them."""
        return PlaneGather.apply(h, ctx.idx), None, None


class PlaneGather(BuiltinOp):
    @staticmethod
    def forward(ctx, x, idx):
        ctx.idx, ctx.in_shape = idx, x.array.shape
        n, c = x.array.shape[:2]
        return K.plane_gather(x.array.reshape(n, c, -1), idx)

    @staticmethod
    def backward(ctx, g):
        """The adjoint of a gather is the scatter-add."""
        return PlaneScatter.apply(g, ctx.idx, ctx.in_shape), None


def _adaptive_max(op, input, output_size, return_indices, spatial):
    x, batched = _as4d(op, input, spatial)
    oh, ow = _adaptive_sizes(op, x, output_size, spatial)
    if oh <= 0 or ow <= 0:
        raise RuntimeError(f"{op}: output_size must be positive, got {output_size} for input {shape_str(input)}")
    out, idx = AdaptiveMaxPool2d.apply(x, oh, ow)
    if spatial == 1:
        out, idx = out.squeeze(2), idx.squeeze(2)
    if not batched:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return (out, idx) if return_indices else out


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max over torch's adaptive windows; indices flat per plane (h*W + w) as torch."""
    return _adaptive_max("adaptive_max_pool2d", input, output_size, return_indices, 2)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max over adaptive windows of an (N, C, L) input."""
    return _adaptive_max("adaptive_max_pool1d", input, output_size, return_indices, 1)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    return adaptive_max_pool1d(input, output_size, True)

