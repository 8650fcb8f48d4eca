"""nn.functional: spatial transformers in 2-D: ``affine_grid`` and ``grid_sample``.

Both are composites of differentiable ops. ``affine_grid`` is one batched matmul of a fixed base grid
with theta. ``grid_sample`` turns the normalised grid into pixel coordinates (with the padding mode's
clamping or reflection written as Tensor ops), gathers the four neighbouring pixels and blends them
with the bilinear weights, so gradients flow to the input (through the gather) and to the grid
(through the weights).
"""
from __future__ import annotations

import warnings

import numpy as np

from ...backend import xp_of
from ...ops.elementwise import where
from ...ops.indexing import Gather
from ...tensor import Tensor

__all__ = ["affine_grid", "grid_sample"]

_ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. Please specify "
    "align_corners=True if the old behavior is desired. See the documentation of grid_sample for details."
)


def _linspace_from_neg_one(xp, steps: int, align_corners: bool, dtype):
    if steps <= 1:
        return xp.zeros(max(steps, 0), dtype=dtype)
    r = xp.linspace(-1.0, 1.0, steps, dtype=dtype)
    if not align_corners:
        r = r * dtype.type((steps - 1) / steps)
    return r


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """grid[n, h, w] = theta[n] @ (x_w, y_h, 1): the sampling grid (N, H, W, 2) of a batch of 2-D affine maps."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    if theta.data.dtype.kind != "f":
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
    arr = theta.data
    xp = xp_of(arr)
    base = xp.empty((h, w, 3), dtype=arr.dtype)
    base[..., 0] = _linspace_from_neg_one(xp, w, align_corners, arr.dtype)[None, :] if w > 1 else 0
    base[..., 1] = _linspace_from_neg_one(xp, h, align_corners, arr.dtype)[:, None] if h > 1 else 0
    base[..., 2] = 1
    grid = Tensor._wrap(base.reshape(1, h * w, 3)) @ theta.transpose(1, 2)  # (N, H*W, 2)
    return grid.reshape((n, h, w, 2))


def _unnormalize(coord: Tensor, size: int, align_corners: bool) -> Tensor:
    """[-1, 1] -> pixel index: the corner pixels' centres (align_corners) or their outer edges."""
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """Reflect ``coord`` into [twice_low / 2, twice_high / 2] as many times as needed."""
    if twice_low == twice_high:
        return coord * 0
    lo = twice_low / 2
    span = (twice_high - twice_low) / 2
    d = (coord - lo).abs()
    flips = xp_of(d.data).floor(d.data / span)
    extra = d - Tensor._wrap((flips * span).astype(d.data.dtype, copy=False))
    even = flips % 2 == 0
    return where(even, extra + lo, (span + lo) - extra)


def _source_index(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    c = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        c = c.clamp(0, size - 1)
    elif padding_mode == "reflection":
        c = _reflect(c, 0, 2 * (size - 1)) if align_corners else _reflect(c, -1, 2 * size - 1)
        c = c.clamp(0, size - 1)
    return c


def _gather_pixels(flat: Tensor, yy, xx, h: int, w: int):
    """flat (N, C, H*W); yy, xx (N, P) integer arrays -> values (N, C, P) (0 where out of bounds), validity (N, P)."""
    xp = xp_of(yy)
    valid = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
    idx = xp.clip(yy, 0, h - 1) * w + xp.clip(xx, 0, w - 1)
    n, c = flat.shape[:2]
    idx = xp.ascontiguousarray(xp.broadcast_to(idx[:, None, :], (n, c, idx.shape[1])))
    return Gather.apply(flat, 2, idx), valid


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
    if input.data.dtype != grid.data.dtype:
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
    ho, wo = grid.shape[1:3]
    flat = input.reshape((n, c, h * w))
    g = grid.reshape((n, ho * wo, 2))
    ix = _source_index(g[..., 0], w, padding_mode, align_corners)  # (N, P)
    iy = _source_index(g[..., 1], h, padding_mode, align_corners)
    xp = xp_of(ix.data)
    if mode == "nearest":
        xx = xp.rint(ix.data).astype(np.int64)
        yy = xp.rint(iy.data).astype(np.int64)
        vals, valid = _gather_pixels(flat, yy, xx, h, w)
        out = where(valid[:, None, :], vals, 0.0)
        return out.reshape((n, c, ho, wo))
    x0 = xp.floor(ix.data)
    y0 = xp.floor(iy.data)
    fx = ix - Tensor._wrap(x0)  # weights of the right / lower neighbours
    fy = iy - Tensor._wrap(y0)
    x0 = x0.astype(np.int64)
    y0 = y0.astype(np.int64)
    out = None
    for dy, dx, wgt in ((0, 0, (1 - fx) * (1 - fy)), (0, 1, fx * (1 - fy)), (1, 0, (1 - fx) * fy), (1, 1, fx * fy)):
        vals, valid = _gather_pixels(flat, y0 + dy, x0 + dx, h, w)
        term = vals * where(valid, wgt, 0.0).unsqueeze(1)
        out = term if out is None else out + term
    return out.reshape((n, c, ho, wo))
