"""nn.functional vision ops: pad, interpolate (nearest, linear/bilinear), unfold, fold.

Each is a linear map of its input; its backward is its adjoint, written as another Function
whose own backward is the original op, so gradients of gradients work.
"""
from __future__ import annotations

import math

import numpy as np

from ...autograd.function import BuiltinOp
from ...backend import xp_of
from ...tensor import Tensor
from ..kernels.im2col import ConvGeom, fold_nchw, unfold_nchw
from .conv import check_positive, pair, shape_str

__all__ = ["pad", "interpolate", "upsample", "unfold", "fold"]


# ----------------------------------------------------------------------------- linear maps along an axis
class AxisLinear(BuiltinOp):
    """y = A x along one axis (A: (L_out, L_in)); used by interpolate and adaptive_avg_pool."""

    @staticmethod
    def forward(ctx, x, a, axis):
        ctx.a, ctx.axis = a, axis
        arr = x.array
        if axis == -1:
            return arr @ a.T
        return a @ arr  # axis == -2: (L_out, L_in) @ (..., L_in, W) broadcasts over the batch dims

    @staticmethod
    def backward(ctx, g):
        """dx = A^T g along the same axis."""
        return AxisLinear.apply(g, xp_of(ctx.a).ascontiguousarray(ctx.a.T), ctx.axis), None, None


def axis_linear(x: Tensor, a, axis: int) -> Tensor:
    return AxisLinear.apply(x, a, axis)


class ConstantPad(BuiltinOp):
    complex_autograd = True  # linear with real coefficients: the backward holds for complex data

    @staticmethod
    def forward(ctx, x, widths, value):
        """widths: one (before, after) per dim; negative entries crop."""
        ctx.widths = widths
        arr = x.array
        crop = tuple(slice(-b if b < 0 else 0, arr.shape[d] + a if a < 0 else None)
                     for d, (b, a) in enumerate(widths))
        arr = arr[crop]
        pos = [(max(b, 0), max(a, 0)) for b, a in widths]
        if not any(b or a for b, a in pos):
            return arr.copy()
        return xp_of(arr).pad(arr, pos, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        """The adjoint of padding is cropping (and of cropping, zero padding): pad by the negated widths."""
        return ConstantPad.apply(g, tuple((-b, -a) for b, a in ctx.widths), 0), None, None


class AxisGather(BuiltinOp):
    """y = x[..., src, ...] along each (axis, src) in turn (reflect / replicate / circular padding)."""
    complex_autograd = True  # linear with real coefficients: the backward holds for complex data


    @staticmethod
    def forward(ctx, x, maps):
        ctx.maps = maps
        ctx.sizes = []
        arr = x.array
        xp = xp_of(arr)
        for axis, src in maps:
            ctx.sizes.append(arr.shape[axis])
            arr = xp.take(arr, xp.asarray(src), axis=axis)
        return arr

    @staticmethod
    def backward(ctx, g):
        """dx[i] = sum of g[j] over the positions j that read x[i]."""
        return AxisGatherAdjoint.apply(g, ctx.maps, tuple(ctx.sizes)), None


class AxisGatherAdjoint(BuiltinOp):
    complex_autograd = True  # linear with real coefficients: the backward holds for complex data

    @staticmethod
    def forward(ctx, g, maps, sizes):
        ctx.maps = maps
        arr = g.array
        xp = xp_of(arr)
        for (axis, src), size in reversed(list(zip(maps, sizes))):
            arr = _scatter_axis(xp, arr, axis, src, size)
        return arr

    @staticmethod
    def backward(ctx, h):
        """The adjoint of a scatter-add is the gather it undoes."""
        return AxisGather.apply(h, ctx.maps), None, None


def _scatter_axis(xp, arr, axis: int, src, size: int):
    """out[i] = sum_{j: src[j] == i} arr[j] along ``axis``: one slice add for the identity run, then the border."""
    arr = xp.moveaxis(arr, axis, 0)
    out = xp.zeros((size,) + arr.shape[1:], dtype=arr.dtype)
    src = np.asarray(src)
    # the central run where src[j] = j - start is added in one slice
    start = int(np.argmax(src == 0)) if (src == 0).any() else 0
    run = 0
    while start + run < len(src) and run < size and src[start + run] == run:
        run += 1
    out[:run] += arr[start:start + run]
    for j in list(range(start)) + list(range(start + run, len(src))):
        out[int(src[j])] += arr[j]
    return xp.moveaxis(out, 0, axis)


_NONCONST = {"reflect", "replicate", "circular"}


def pad(input: Tensor, pad: tuple, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad)//2 dims; ``pad`` = (last_left, last_right, 2nd_last_left, ...), as torch."""
    pad = tuple(int(p) for p in pad)
    nd = input.array.ndim
    if len(pad) % 2:
        raise RuntimeError(f"pad: Padding length must be divisible by 2 (got pad={list(pad)})")
    k = len(pad) // 2
    if k > nd:
        raise RuntimeError(f"pad: Padding length {len(pad)} too large for {nd}-D input {shape_str(input)}")
    if mode == "constant":
        widths = [(0, 0)] * (nd - k) + [(pad[2 * i], pad[2 * i + 1]) for i in range(k - 1, -1, -1)]
        for d, (b, a) in enumerate(widths):
            if input.array.shape[d] + b + a < 0:
                raise RuntimeError(
                    f"pad: resulting padded dimension {d} of input {shape_str(input)} would be negative"
                )
        return ConstantPad.apply(input, tuple(widths), 0 if value is None else value)
    if mode not in _NONCONST:
        raise NotImplementedError(f"pad: Unrecognised padding mode {mode}")
    if k > 3 or nd not in (k + 1, k + 2):
        raise NotImplementedError(
            f"pad: Padding size {len(pad)} is not supported for {nd}D input tensor {shape_str(input)} in "
            f"mode '{mode}' (supported: 2 for 2D/3D, 4 for 3D/4D, 6 for 4D/5D input)"
        )
    maps = []
    for i in range(k):
        axis = nd - 1 - i
        size = input.array.shape[axis]
        before, after = pad[2 * i], pad[2 * i + 1]
        if mode == "reflect" and (before >= size or after >= size):
            raise RuntimeError(
                f"pad: Padding size should be less than the corresponding input dimension, but got: "
                f"padding ({before}, {after}) at dimension {axis} of input {shape_str(input)}"
            )
        if mode == "circular" and (before > size or after > size):
            raise RuntimeError(
                f"pad: Padding value causes wrapping around more than once (padding ({before}, {after}) at "
                f"dimension {axis} of input {shape_str(input)})"
            )
        if size == 0:
            raise RuntimeError(f"pad: input {shape_str(input)} has an empty dimension {axis}")
        j = np.arange(-before, size + after)
        if mode == "reflect":
            src = np.abs(j)
            src = np.where(src >= size, 2 * (size - 1) - src, src)
        elif mode == "replicate":
            src = np.clip(j, 0, size - 1)
        else:
            src = j % size
        maps.append((axis, src.astype(np.int64)))
    return AxisGather.apply(input, tuple(maps))


# ----------------------------------------------------------------------------- interpolate
def _interp_matrix(mode: str, size_in: int, size_out: int, scale, align_corners, dtype) -> np.ndarray:
    """The (out, in) matrix of 1-D interpolation, computed in the input's precision as torch does."""
    ft = np.dtype(dtype).type
    a = np.zeros((size_out, size_in), dtype=np.dtype(dtype))
    dst = np.arange(size_out)
    if mode in ("nearest", "nearest-exact"):
        s = ft(1.0 / scale) if scale else ft(size_in) / ft(size_out)
        pos = dst.astype(dtype) + ft(0.5) if mode == "nearest-exact" else dst.astype(dtype)
        src = np.minimum(np.floor(pos * s).astype(np.int64), size_in - 1)
        a[dst, src] = 1
        return a
    if align_corners:
        s = ft(size_in - 1) / ft(size_out - 1) if size_out > 1 else ft(0)
        src = dst.astype(dtype) * s
    else:
        s = ft(1.0 / scale) if scale else ft(size_in) / ft(size_out)
        src = np.maximum((dst.astype(dtype) + ft(0.5)) * s - ft(0.5), ft(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), size_in - 1)
    i1 = np.minimum(i0 + 1, size_in - 1)
    l1 = (src - i0.astype(dtype)).astype(dtype)
    l0 = (ft(1) - l1).astype(dtype)
    np.add.at(a, (dst, i0), l0)  # a few entries per row of a small matrix, not per tensor element
    np.add.at(a, (dst, i1), l1)
    return a


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize the spatial dims: nearest / nearest-exact / linear (3-D) / bilinear (4-D), as torch."""
    nd = input.array.ndim
    spatial = nd - 2
    if spatial not in (1, 2):
        raise NotImplementedError(
            f"interpolate: input {shape_str(input)} must be 3-D (N, C, L) or 4-D (N, C, H, W)"
        )
    valid = {1: ("nearest", "nearest-exact", "linear"), 2: ("nearest", "nearest-exact", "bilinear")}[spatial]
    if mode not in valid:
        if mode in ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area"):
            raise NotImplementedError(
                f"interpolate: mode '{mode}' is not supported for {nd}-D input {shape_str(input)} "
                f"(supported here: {', '.join(valid)})"
            )
        raise ValueError(f"interpolate: unknown mode '{mode}'")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if mode.startswith("nearest"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: linear | bilinear | "
                "bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    in_sizes = input.array.shape[2:]
    if size is not None:
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * spatial
        if len(sizes) != spatial:
            raise ValueError(
                f"interpolate: Input and output must have the same number of spatial dimensions, but got input "
                f"with spatial dimensions of {list(in_sizes)} and output size of {list(sizes)}."
            )
        sizes = tuple(int(s) for s in sizes)
        scales = (None,) * spatial
    else:
        scales = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * spatial
        if len(scales) != spatial:
            raise ValueError(
                f"interpolate: Input and scale_factor must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(in_sizes)} and scale_factor of shape {list(scales)}."
            )
        sizes = tuple(int(math.floor(float(i) * float(s))) for i, s in zip(in_sizes, scales))
        if recompute_scale_factor:
            scales = (None,) * spatial
    if any(s <= 0 for s in sizes):
        raise RuntimeError(f"interpolate: output size {list(sizes)} must be positive (input {shape_str(input)})")
    xp = xp_of(input.array)
    out = input
    for k in range(spatial):
        axis = -1 - k
        i = spatial - 1 - k
        a = _interp_matrix(mode, in_sizes[i], sizes[i], scales[i], align_corners, input.array.dtype)
        if a.shape[0] == a.shape[1] and np.array_equal(a, np.eye(a.shape[0], dtype=a.dtype)):
            continue  # this axis is unchanged
        out = AxisLinear.apply(out, xp.asarray(a), axis)
    if out is input:  # a fresh tensor, as torch returns
        out = ConstantPad.apply(input, ((0, 0),) * nd, 0)
    return out


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners: bool | None = None
             ) -> Tensor:
    """Deprecated alias of ``interpolate`` (kept because torch still has it)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


# ----------------------------------------------------------------------------- unfold / fold
class Unfold(BuiltinOp):
    @staticmethod
    def forward(ctx, x, geo, oh, ow):
        ctx.geo, ctx.hw, ctx.ohw = geo, x.array.shape[2:], (oh, ow)
        return unfold_nchw(x.array, geo, oh, ow)

    @staticmethod
    def backward(ctx, g):
        """The adjoint of im2col is col2im: sum every patch entry back onto its pixel."""
        return Fold.apply(g, ctx.geo, ctx.hw, ctx.ohw), None, None, None


class Fold(BuiltinOp):
    @staticmethod
    def forward(ctx, cols, geo, hw, ohw):
        ctx.geo, ctx.ohw = geo, ohw
        c = cols.array.shape[1] // (geo.kh * geo.kw)
        return fold_nchw(cols.array, geo, c, hw[0], hw[1], ohw[0], ohw[1])

    @staticmethod
    def backward(ctx, g):
        """The adjoint of col2im is im2col."""
        return Unfold.apply(g, ctx.geo, *ctx.ohw), None, None, None


def _fold_geom(op, kernel_size, dilation, padding, stride) -> ConvGeom:
    kh, kw = pair(kernel_size, op, "kernel_size")
    dh, dw = pair(dilation, op, "dilation")
    ph, pw = pair(padding, op, "padding")
    sh, sw = pair(stride, op, "stride")
    check_positive(op, "kernel_size", (kh, kw))
    check_positive(op, "stride", (sh, sw))
    check_positive(op, "dilation", (dh, dw))
    if ph < 0 or pw < 0:
        raise RuntimeError(f"{op}: padding should be non-negative, but got padding={padding}")
    return ConvGeom(kh, kw, sh, sw, dh, dw, ph, ph, pw, pw, 1)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """im2col: (N, C, H, W) -> (N, C*KH*KW, L), each column one sliding-window patch (torch's layout)."""
    if input.array.ndim not in (3, 4):
        raise RuntimeError(
            f"unfold: Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
            f"got: {shape_str(input)}"
        )
    batched = input.array.ndim == 4
    x = input if batched else input.unsqueeze(0)
    geo = _fold_geom("unfold", kernel_size, dilation, padding, stride)
    oh, ow = geo.out_size(*x.array.shape[2:])
    if oh < 1 or ow < 1:
        raise RuntimeError(
            f"unfold: Given input with spatial size {list(x.array.shape[2:])}, kernel_size={kernel_size}, "
            f"dilation={dilation}, padding={padding}, calculated shape of the array of sliding blocks as "
            f"[{oh}, {ow}], but its components must be at least one."
        )
    y = Unfold.apply(x, geo, oh, ow)
    return y if batched else y.squeeze(0)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """col2im: (N, C*KH*KW, L) -> (N, C, H, W), summing overlapping patch entries (torch's fold)."""
    if input.array.ndim not in (2, 3):
        raise RuntimeError(
            f"fold: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got: "
            f"{shape_str(input)}"
        )
    batched = input.array.ndim == 3
    x = input if batched else input.unsqueeze(0)
    geo = _fold_geom("fold", kernel_size, dilation, padding, stride)
    h, w = pair(output_size, "fold", "output_size")
    oh, ow = geo.out_size(h, w)
    kk = geo.kh * geo.kw
    if x.array.shape[1] % kk:
        raise RuntimeError(
            f"fold: Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
            f"got input.size(1)={x.array.shape[1]} and kernel_size={kernel_size}"
        )
    if oh < 1 or ow < 1 or x.array.shape[2] != oh * ow:
        raise RuntimeError(
            f"fold: Given output_size={output_size}, kernel_size={kernel_size}, dilation={dilation}, "
            f"padding={padding}, stride={stride}, expected size of input's dimension 2 to match the calculated "
            f"number of sliding blocks {oh} * {ow} = {oh * ow}, but got input.size(2)={x.array.shape[2]}."
        )
    y = Fold.apply(x, geo, (h, w), (oh, ow))
    return y if batched else y.squeeze(0)
