"""torch's legacy ``CrossMapLRN2d`` kernel (Lua-torch's SpatialCrossMapLRN), window quirks included."""
from __future__ import annotations

import numpy as np

from ...autograd.function import BuiltinOp
from ...backend import xp_of
from ...tensor import Tensor

__all__: list[str] = []


def _forward_window(channels: int, size: int) -> np.ndarray:
    """W[c, j] = 1 when torch's running-sum recurrence counts x[j]^2 in scale[c] (so ``x[0]^2`` stays in
    every window past the first ``pre_pad`` channels, as torch's loop leaves it)."""
    pre_pad = int((size - 1) / 2 + 1)
    w = np.zeros((channels, channels))
    w[0, :min(pre_pad, channels)] = 1
    for c in range(1, channels):
        w[c] = w[c - 1]
        if c < channels - pre_pad + 1:
            w[c, c + pre_pad - 1] += 1
        if c > pre_pad:
            w[c, c - pre_pad] -= 1
    return w


def _backward_window(channels: int, size: int) -> np.ndarray:
    """M[c, j] = 1 for c - p <= j <= c + size - 1 - p, p = int(size - (size - 1) / 2): torch's backward sum."""
    p = int(size - (size - 1) / 2)
    if p + channels > channels + size - 1:
        raise RuntimeError(f"start ({p}) + length ({channels}) exceeds dimension size ({channels + size - 1}).")
    c = np.arange(channels)[:, None]
    j = np.arange(channels)[None, :]
    return ((j >= c - p) & (j <= c + size - 1 - p)).astype(np.float64)


class CrossMapLRN2dFn(BuiltinOp):
    """out = x * scale^-beta, scale = k + alpha/size * W x^2 (W: torch's channel window)."""

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        a = x.array
        xp = xp_of(a)
        w = xp.asarray(_forward_window(a.shape[1], size), dtype=a.dtype)
        scale = xp.einsum("cj,njhw->nchw", w, a * a) * a.dtype.type(alpha / size) + a.dtype.type(k)
        out = a * scale ** a.dtype.type(-beta)
        ctx.save_for_backward(x)
        ctx.scale, ctx.out, ctx.args = scale, out, (size, alpha, beta, k)
        return Tensor._wrap(out)

    @staticmethod
    def backward(ctx, g):
        """torch's (not the exact) gradient: dx = scale^-beta g - 2 alpha beta/size * x * M (g out / scale)."""
        (x,) = ctx.saved_tensors
        size, alpha, beta, k = ctx.args
        xp = xp_of(ctx.scale)
        m = Tensor._wrap(xp.asarray(_backward_window(x.shape[1], size), dtype=ctx.scale.dtype))
        scale = Tensor._wrap(ctx.scale)
        ratio = g * Tensor._wrap(ctx.out) / scale
        from ...ops.contraction import einsum

        acc = einsum("cj,njhw->nchw", m, ratio)
        return scale.pow(-beta) * g - x * acc * (2 * alpha * beta / size), None, None, None, None


def cross_map_lrn2d(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1) -> Tensor:
    """The function behind ``nn.CrossMapLRN2d`` (4-D input)."""
    if input.dim() != 4:
        raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
    return CrossMapLRN2dFn.apply(input, size, alpha, beta, k)
