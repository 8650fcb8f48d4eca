"""Fractional max pooling (Graham, 2015): ``fractional_max_pool2d/3d`` and their ``_with_indices`` forms.

Each (batch, channel) plane draws one sample ``u`` per spatial dim (``_random_samples``, shape (N, C, 2) or
(N, C, 3), in the input's dtype; drawn with ``minitorch.rand`` when not given). The window starts along a
dim of input size ``L``, output size ``O`` and kernel ``k`` are torch's (ATen's ``generate_intervals``)::

    alpha = (L - k) / (O - 1)            # in the input's dtype (float32 math for float32, as ATen)
    start[i] = trunc((i + u) * alpha) - trunc(u * alpha)   for i < O - 1
    start[O - 1] = L - k

and each output is the max over the k-wide window at its starts; the index is the flat position in the plane
(``h * W + w``, ``(t * H + h) * W + w``). On ties the FIRST maximum wins, and a NaN always wins (the last
NaN in the window's row-major order), exactly as ATen's ``val > maxVal || isnan(val)`` loop. The starts are
computed on the device (NumPy or CuPy) from the samples: no host sync.
"""
from __future__ import annotations

import math

from ...autograd.function import BuiltinOp
from ...backend import xp_of
from ...backend.checks import fail_if
from ...tensor import Tensor
from .pooling import PlaneScatter

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]

def _intervals(xp, samples, in_size: int, out_size: int, k: int):
    """Window starts (..., out_size) along one dim from the per-plane samples (...,), in their dtype."""
    dt = samples.dtype
    lead = samples.shape
    if out_size <= 0:
        return xp.zeros((*lead, 0), dtype=xp.int64)
    last = xp.full((*lead, 1), in_size - k, dtype=xp.int64)
    if out_size == 1:
        return last
    alpha = dt.type(in_size - k) / dt.type(out_size - 1)  # a scalar of the samples' dtype, as scalar_t
    i = xp.arange(out_size - 1, dtype=dt)
    s = samples[..., None]
    starts = ((i + s) * alpha).astype(xp.int64) - (s * alpha).astype(xp.int64)
    return xp.concatenate([starts, last], axis=-1)


class FractionalMaxPool(BuiltinOp):
    """out[n, c, o] = max of x[n, c] over the window at torch's fractional starts; idx = its flat position."""

    @staticmethod
    def forward(ctx, x, samples, kernel, out_size, op):
        arr = x.array
        xp = xp_of(arr)
        n, c = arr.shape[:2]
        spatial = arr.shape[2:]
        nd = len(spatial)
        smp = samples[:n]
        # starts per dim, broadcast to (N, C, O_0, ..., O_{nd-1}); flat offset = sum start_d * stride_d
        strides = [math.prod(spatial[d + 1:]) for d in range(nd)]
        base = xp.zeros((n, c) + (1,) * nd, dtype=xp.int64)
        # ATen pairs sample 0 with W, 1 with H for 2-D; 0 with T, 1 with H, 2 with W for 3-D
        sample_of = [1, 0] if nd == 2 else [0, 1, 2]
        for d in range(nd):
            st = _intervals(xp, smp[:, :, sample_of[d]], spatial[d], out_size[d], kernel[d])
            if st.size:
                fail_if((st < 0).any() | (st + kernel[d] > spatial[d]).any(), RuntimeError,
                        f"{op}(): a random sample gives a pooling window outside the input")
            shape = [n, c] + [1] * nd
            shape[2 + d] = out_size[d]
            base = base + st.reshape(shape) * strides[d]
        out_shape = (n, c) + tuple(out_size)
        base = xp.broadcast_to(base, out_shape)
        planes = arr.reshape(n, c, -1)
        best = xp.full(out_shape, -xp.inf, dtype=arr.dtype)
        idx = base.copy()
        # window offsets in row-major order (t outer, w inner), as ATen's nested loops
        offsets = [0]
        for d in range(nd):
            offsets = [o + j * strides[d] for o in offsets for j in range(kernel[d])]
        for off in offsets:
            cur = base + off
            v = xp.take_along_axis(planes, cur.reshape(n, c, -1), axis=2).reshape(out_shape)
            m = (v > best) | (v != v)
            best = xp.where(m, v, best)
            idx = xp.where(m, cur, idx)
        ctx.idx = idx
        ctx.in_shape = arr.shape
        ctx.mark_non_differentiable(idx)
        return best, idx

    @staticmethod
    def backward(ctx, g, *_):
        """dx[n, c].flat[idx[n, c, o]] += g[n, c, o] (overlapping windows sum), the adjoint of the gather."""
        n, c = ctx.in_shape[:2]
        plane = math.prod(ctx.in_shape[2:])
        gx = PlaneScatter.apply(g, ctx.idx, (n, c, plane, 1))
        return gx.reshape(ctx.in_shape), None, None, None, None


def _expand(v, nd: int, what: str, op: str, three: str) -> tuple:
    vals = tuple(v) if isinstance(v, (tuple, list)) else (v,)
    if len(vals) == 1:
        vals = vals * nd
    if len(vals) != nd:
        raise RuntimeError(f"{op}: {what} must either be a single Int or tuple of {three}Ints")
    return tuple(int(a) for a in vals)


def _fractional(op: str, nd: int, input: Tensor, kernel_size, output_size, output_ratio, return_indices,
                _random_samples):
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if nd == 2:
            if len(output_ratio) > 2:
                raise ValueError(f"{op} requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * nd
        output_size = [int(input.size(-nd + d) * ratio[d]) for d in range(nd)]
    if _random_samples is None:
        from ...creation import rand

        n_batch = 1 if input.dim() == nd + 1 else input.size(0)
        _random_samples = rand(n_batch, input.size(-nd - 1), nd, dtype=input.dtype, device=input.device)
    three = "" if nd == 2 else "three "
    kernel = _expand(kernel_size, nd, "kernel_size", op, three)
    out_size = _expand(output_size, nd, "output_size", op, three)
    name = f"{op}()" if nd == 2 else f"{op}_out()"
    shape = list(input.shape)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D tensor, but got: {shape}")
    first = 1 if input.dim() == nd + 2 else 0
    for d in range(first, input.dim()):
        if shape[d] == 0:
            raise RuntimeError(f"{name}: Expected input to have non-zero size for non-batch dimensions, but got"
                               f"{shape} with dimension {d} being empty.")
    if min(kernel) <= 0:  # ATen returns -inf with out-of-plane indices here; refuse instead
        raise RuntimeError(f"{name}: kernel_size must be greater than zero, but got {kernel}")
    names = ("height", "width") if nd == 2 else ("time", "height", "width")
    for d in range(nd):
        limit = shape[-nd + d] - (nd == 3)  # ATen's 3-D check is strict (outputT + kT - 1 < inputT)
        if out_size[d] + kernel[d] - 1 > limit:
            raise RuntimeError(f"{name}: pool {names[d]} {kernel[d]} too large relative to input {names[d]} "
                               f"{shape[-nd + d]}")
    lead = shape[:-nd]
    if any(o < 0 for o in out_size):
        bad = next(o for o in out_size if o < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {lead + list(out_size)}")
    smp = _random_samples
    if smp.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if smp.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {smp.dim()}")
    batch = shape[0] if first else 1
    channels = shape[first]
    if smp.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if smp.shape[1] != channels:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if smp.shape[2] != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {smp.shape[2]}.")
    if not input.dtype.is_floating_point or input.is_complex():
        tname = str(input.dtype).split(".")[-1]
        raise RuntimeError(f'"{op}_out_frame" not implemented for \'{tname}\'')
    if input.device != smp.device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{input.device} and {smp.device}!")
    x = input if first else input.unsqueeze(0)
    out, idx = FractionalMaxPool.apply(x, smp.array, kernel, out_size, op)
    if not first:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return (out, idx) if return_indices else out


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                                       return_indices: bool = False, _random_samples: Tensor | None = None):
    """2-D fractional max pooling of an (N, C, H, W) or (C, H, W) input; returns (output, indices)."""
    return _fractional("fractional_max_pool2d", 2, input, kernel_size, output_size, output_ratio, True,
                       _random_samples)


def fractional_max_pool2d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):
    """2-D fractional max pooling with torch's pseudo-random windows (see the module docstring)."""
    return _fractional("fractional_max_pool2d", 2, input, kernel_size, output_size, output_ratio,
                       return_indices, _random_samples)


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                                       return_indices: bool = False, _random_samples: Tensor | None = None):
    """3-D fractional max pooling of an (N, C, T, H, W) or (C, T, H, W) input; returns (output, indices)."""
    return _fractional("fractional_max_pool3d", 3, input, kernel_size, output_size, output_ratio, True,
                       _random_samples)


def fractional_max_pool3d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):
    """3-D fractional max pooling with torch's pseudo-random windows (see the module docstring)."""
    return _fractional("fractional_max_pool3d", 3, input, kernel_size, output_size, output_ratio,
                       return_indices, _random_samples)
