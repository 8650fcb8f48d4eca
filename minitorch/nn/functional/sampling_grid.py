"""nn.functional: spatial transformers in 2-D: ``affine_grid`` and ``grid_sample``.

``affine_grid`` is one batched matmul of a fixed base grid with theta. ``grid_sample`` maps the
normalised grid to pixel coordinates (``_SourceIndex``: clipping/reflection with torch's gradient
convention: zero slope on clipped parts and on the borders themselves), builds the bilinear tap weights
with Tensor ops, and samples with ``_Sample`` (kernels in ``nn/kernels/sample.py``): a weighted gather
whose adjoints (scatter-add into the input, gather-dot into the weights) are Functions too, so double
backward works.
"""
from __future__ import annotations

import warnings

import numpy as np

from ...autograd.function import BuiltinOp
from ...backend import xp_of
from ...ops.shape import stack
from ...tensor import Tensor
from ..kernels.sample import gather_dot, sample_adjoint, sample_forward

__all__ = ["affine_grid", "grid_sample"]

_ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. Please specify "
    "align_corners=True if the old behavior is desired. See the documentation of grid_sample for details."
)


def _linspace_from_neg_one(xp, steps: int, align_corners: bool, dtype):
    """torch's ``linspace(-1, 1, steps)`` bit for bit (its kernel: start + step*i on the first half, end -
    step*(steps-1-i) on the second, each a fused multiply-add: emulated in a wider float), times
    (steps - 1) / steps without align_corners. Exact grid values matter: a sample exactly on a pixel centre
    takes the gradient of the pixel pair to its right, one ulp lower that of the pair to its left."""
    dtype = np.dtype(dtype)
    if steps <= 1:
        return xp.zeros(max(steps, 0), dtype=dtype)
    wide = np.float64 if dtype.itemsize < 8 else np.longdouble
    step = dtype.type(dtype.type(2.0) / dtype.type(steps - 1))
    i = np.arange(steps)
    first = i < steps // 2
    k = np.where(first, i, steps - 1 - i).astype(wide) * wide(step)
    r = np.where(first, wide(-1.0) + k, wide(1.0) - k).astype(dtype)
    if not align_corners:
        r = (r * dtype.type(steps - 1)) / dtype.type(steps)
    return r if xp is np else xp.asarray(r)


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """grid[n, h, w] = theta[n] @ (x_w, y_h, 1): the sampling grid (N, H, W, 2) of a batch of 2-D affine maps."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    if theta.array.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = [int(s) for s in size]
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(
                f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got {list(theta.shape)}."
            )
    elif len(size) == 5:
        raise NotImplementedError(f"affine_grid: 3-D affine grids (size {size}) are not supported in minitorch")
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. "
            f"Got size {size}."
        )
    if align_corners and min(size[-2:]) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when align_corners=True. "
            "This is not an intended use case of affine_grid. See the documentation of affine_grid for details.",
            UserWarning, stacklevel=2,
        )
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    n, _, h, w = size
    if theta.shape[0] != n:
        raise RuntimeError(
            f"affine_grid: theta of shape {list(theta.shape)} has batch {theta.shape[0]}, size asks for {n}"
        )
    arr = theta.array
    xp = xp_of(arr)
    base = xp.empty((h, w, 3), dtype=arr.dtype)
    base[..., 0] = _linspace_from_neg_one(xp, w, align_corners, arr.dtype)[None, :] if w > 1 else 0
    base[..., 1] = _linspace_from_neg_one(xp, h, align_corners, arr.dtype)[:, None] if h > 1 else 0
    base[..., 2] = 1
    grid = Tensor._wrap(base.reshape(1, h * w, 3)) @ theta.transpose(1, 2)  # (N, H*W, 2)
    return grid.reshape((n, h, w, 2))


class _SourceIndex(BuiltinOp):
    """Normalised grid coordinate -> pixel coordinate, with the padding mode's clipping/reflection."""

    @staticmethod
    def forward(ctx, coord, size, padding_mode, align_corners):
        with np.errstate(invalid="ignore"):
            ix, mult = source_index(coord.array, size, padding_mode, align_corners)
        ctx.mult = mult
        return ix

    @staticmethod
    def backward(ctx, g):
        """d ix = g * scale * (+-1 per reflection) * (0 where clipped, borders included), as torch's kernel."""
        return g * Tensor._wrap(ctx.mult), None, None, None


def source_index(coord, size: int, padding_mode: str, align_corners: bool):
    """Pixel coordinates of normalised ``coord`` and their derivative, with torch's CPU kernel semantics.

    Unnormalise; reflection folds into [low, low + span] (sign of the slope flips with each fold); border
    and reflection then clip to [0, size - 1], where the slope is 0 on the clipped part AND on the borders
    themselves (torch counts the borders as out of bounds for the gradient). NaN clips to 0.
    """
    xp = xp_of(coord)
    if align_corners:
        scale = (size - 1) / 2
        c = (coord + 1) * scale
    elif xp is np:  # torch's kernel fuses (coord + 1) * scale - 0.5 into one multiply-add: emulate it
        wide = np.float64 if coord.dtype.itemsize < 8 else np.longdouble
        scale = size / 2
        c = (coord + 1).astype(wide) * wide(scale) - wide(0.5)
    else:
        scale = size / 2
        c = (coord + 1) * scale - 0.5
    c = c.astype(coord.dtype, copy=False)
    mult = xp.full(c.shape, scale, dtype=c.dtype)
    if padding_mode == "zeros":
        return c, mult
    if padding_mode == "reflection":
        if align_corners and size <= 1:
            return xp.zeros_like(c), xp.zeros_like(c)
        low, twice_span = (0.0, 2.0 * (size - 1)) if align_corners else (-0.5, 2.0 * size)
        shifted = c - low
        a = xp.abs(shifted)
        extra = a - xp.trunc(a / twice_span) * twice_span
        reflected = twice_span - extra
        flip = extra > reflected
        c = (xp.where(flip, reflected, extra) + low).astype(coord.dtype, copy=False)
        mult = xp.where(flip ^ (shifted < 0), -mult, mult)
    lo = xp.fmax(c, 0)
    res = xp.fmin(lo, size - 1).astype(coord.dtype, copy=False)
    inside = (lo != 0) & (res != size - 1)
    return res, xp.where(inside, mult, 0).astype(coord.dtype, copy=False)


class _Sample(BuiltinOp):
    """out[n, c, p] = sum_k wts[n, k, p] x[n, c, idx[n, k, p]] (fixed integer taps ``idx``)."""

    @staticmethod
    def forward(ctx, x, wts, idx):
        ctx.idx = idx
        ctx.save_for_backward(x, wts)
        return sample_forward(x.array, wts.array, idx)

    @staticmethod
    def backward(ctx, g):
        """dx = S(wts)^T g (scatter-add); dwts[n, k, p] = sum_c g[n, c, p] x[n, c, idx[n, k, p]]."""
        x, wts = ctx.saved_tensors
        nx, nw = ctx.needs_input_grad[:2]
        h, w = x.array.shape[2:]
        dx = _SampleT.apply(g, wts, ctx.idx, h, w) if nx else None
        dw = _GatherDot.apply(x, g, ctx.idx) if nw else None
        return dx, dw, None


class _SampleT(BuiltinOp):
    """The adjoint of ``_Sample`` in x: dx[n, c, j] = sum over taps (k, p) hitting j of wts[n, k, p] g[n, c, p]."""

    @staticmethod
    def forward(ctx, g, wts, idx, h, w):
        ctx.idx = idx
        ctx.save_for_backward(g, wts)
        return sample_adjoint(g.array, wts.array, idx, h, w)

    @staticmethod
    def backward(ctx, k):
        """d/dg <k, S^T g> = S(wts) k; d/dwts = sum_c k[n, c, idx] g[n, c, p]."""
        g, wts = ctx.saved_tensors
        ng, nw = ctx.needs_input_grad[:2]
        dg = _Sample.apply(k, wts, ctx.idx) if ng else None
        dw = _GatherDot.apply(k, g, ctx.idx) if nw else None
        return dg, dw, None, None, None


class _GatherDot(BuiltinOp):
    """The adjoint of ``_Sample`` in wts: r[n, k, p] = sum_c g[n, c, p] x[n, c, idx[n, k, p]]."""

    @staticmethod
    def forward(ctx, x, g, idx):
        ctx.idx = idx
        ctx.save_for_backward(x, g)
        return gather_dot(x.array, g.array, idx)

    @staticmethod
    def backward(ctx, r):
        """d/dx <r, .> = S(r)^T g; d/dg = S(r) x."""
        x, g = ctx.saved_tensors
        nx, ng = ctx.needs_input_grad[:2]
        h, w = x.array.shape[2:]
        dx = _SampleT.apply(g, r, ctx.idx, h, w) if nx else None
        dg = _Sample.apply(x, r, ctx.idx) if ng else None
        return dx, dg, None


def _taps(xp, yy, xx, h: int, w: int, base):
    """Integer-valued float pixel coordinates -> (validity, flat index into (N*H*W) clipped to a valid pixel)."""
    valid = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)  # False for NaN
    flat = xp.where(valid, yy, 0).astype(np.int64) * w + xp.where(valid, xx, 0).astype(np.int64)
    return valid, flat + base


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """out[n, c, h, w] = input[n, c] sampled at grid[n, h, w] = (x, y) in [-1, 1] (bilinear or nearest)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', "
            f"but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    if mode == "bicubic":
        raise NotImplementedError("grid_sample: mode='bicubic' is not supported in minitorch (bilinear, nearest)")
    if input.ndim == 5 and grid.ndim == 5:
        raise NotImplementedError("grid_sample: 3-D (5-D input) sampling is not supported in minitorch")
    if input.ndim != 4 or grid.ndim != 4:
        raise RuntimeError(
            f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but got input with "
            f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            f"grid_sampler(): expected grid and input to have same batch size, but got input with sizes "
            f"{list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    if grid.shape[-1] != 2:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size 2 in last dimension, but got grid with sizes "
            f"{list(grid.shape)}"
        )
    if input.array.dtype != grid.array.dtype:
        raise RuntimeError(
            f"grid_sampler(): expected input and grid to have the same dtype, but input has {input.dtype} and "
            f"grid has {grid.dtype}"
        )
    if any(s == 0 for s in input.shape[2:]):
        raise RuntimeError(
            f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes "
            f"{list(input.shape)} with dimension 2 or 3 being empty"
        )
    n, c, h, w = input.shape
    ix = _SourceIndex.apply(grid[..., 0], w, padding_mode, align_corners)  # (N, OH, OW) pixel coordinates
    iy = _SourceIndex.apply(grid[..., 1], h, padding_mode, align_corners)
    xp = xp_of(ix.array)
    base = xp.arange(n, dtype=np.int64).reshape(n, 1, 1) * (h * w)
    dtype = ix.array.dtype
    if mode == "nearest":
        valid, idx = _taps(xp, xp.rint(iy.array), xp.rint(ix.array), h, w, base)
        wts = (ix * 0 + Tensor._wrap(valid.astype(dtype))).unsqueeze(1)  # grid gets torch's zero gradient
        return _Sample.apply(input, wts, idx[:, None])
    x0 = xp.floor(ix.array)
    y0 = xp.floor(iy.array)
    fx = ix - Tensor._wrap(x0)  # weights of the right / lower neighbours
    fy = iy - Tensor._wrap(y0)
    gx, gy = 1 - fx, 1 - fy
    valids, idxs = [], []
    for dy, dx in ((0, 0), (0, 1), (1, 0), (1, 1)):
        v, i = _taps(xp, y0 + dy, x0 + dx, h, w, base)
        valids.append(v)
        idxs.append(i)
    mask = xp.stack(valids, axis=1).astype(dtype)
    wts = stack([gx * gy, fx * gy, gx * fy, fx * fy], dim=1) * Tensor._wrap(mask)
    return _Sample.apply(input, wts, xp.stack(idxs, axis=1))
