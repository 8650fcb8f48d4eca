"""nn.functional 3-D convolutions: conv3d, conv_transpose3d.

As for conv2d, three Functions carry all the calculus, each the adjoint of the others, so
gradients of gradients work (``create_graph=True``):

- ``Conv3d(x, w, b)``: y = x (*) w + b. dx = ConvTranspose3d(g, w); dw = Conv3dWeightGrad(x, g).
- ``ConvTranspose3d(g, w)``: the adjoint of conv3d in x. dg = Conv3d(h, w); dw = Conv3dWeightGrad(h, g).
- ``Conv3dWeightGrad(x, g)``: the adjoint of conv3d in w. dx = ConvTranspose3d(g, k); dg = Conv3d(x, k).

Kernels (channels-last im2col over (kd, kh, kw) + one GEMM) live in ``minitorch/nn/kernels/conv3d.py``.
"""
from __future__ import annotations

from ...amp.autocast_mode import _AutocastState, autocast_args
from ...autograd.function import BuiltinOp
from ...tensor import Tensor
from ..kernels.conv3d import Conv3dGeom, conv3d_forward, conv3d_input_grad, conv3d_weight_grad
from .conv import _batched, _check_weight, check_positive, shape_str

__all__ = ["conv3d", "conv_transpose3d"]


class Conv3d(BuiltinOp):
    @staticmethod
    def forward(ctx, x, w, b, geo):
        ctx.geo = geo
        ctx.has_bias = b is not None
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            ctx.save_for_backward(x, w)
        return conv3d_forward(x.array, w.array, None if b is None else b.array, geo)

    @staticmethod
    def backward(ctx, g):
        """dx = conv_transpose3d(g, w); dw = sum_voxels patch(x)^T g; db = sum_{n,d,h,w} g."""
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad[:3]
        dx = ConvTranspose3d.apply(g, w, ctx.geo, x.array.shape[2:]) if nx else None
        dw = Conv3dWeightGrad.apply(x, g, ctx.geo, w.array.shape) if nw else None
        db = g.sum(dim=(0, 2, 3, 4)) if nb and ctx.has_bias else None
        return dx, dw, db, None


class ConvTranspose3d(BuiltinOp):
    """The adjoint of conv3d in its input: maps (N, O, OD, OH, OW) to (N, C, D, H, W) for a given (D, H, W)."""

    @staticmethod
    def forward(ctx, g, w, geo, size):
        ctx.geo = geo
        ctx.save_for_backward(g, w)
        return conv3d_input_grad(g.array, w.array, geo, tuple(size))

    @staticmethod
    def backward(ctx, h):
        """d/dg <h, conv3d^T(g, w)> = conv3d(h, w); d/dw = conv3d weight-grad of (h, g)."""
        g, w = ctx.saved_tensors
        ng, nw = ctx.needs_input_grad[:2]
        dg = _conv_cropped(h, w, ctx.geo, g.array.shape[2:]) if ng else None
        dw = Conv3dWeightGrad.apply(h, g, ctx.geo, w.array.shape) if nw else None
        return dg, dw, None, None


class Conv3dWeightGrad(BuiltinOp):
    """The adjoint of conv3d in its weight: (x, g) -> dw = sum over voxels of patch(x) g^T."""

    @staticmethod
    def forward(ctx, x, g, geo, w_shape):
        ctx.geo = geo
        ctx.save_for_backward(x, g)
        return conv3d_weight_grad(x.array, g.array, geo, tuple(w_shape))

    @staticmethod
    def backward(ctx, k):
        """d/dx <k, wgrad(x, g)> = conv_transpose3d(g, k); d/dg = conv3d(x, k)."""
        x, g = ctx.saved_tensors
        nx, ng = ctx.needs_input_grad[:2]
        dx = ConvTranspose3d.apply(g, k, ctx.geo, x.array.shape[2:]) if nx else None
        dg = _conv_cropped(x, k, ctx.geo, g.array.shape[2:]) if ng else None
        return dx, dg, None, None


def _conv_cropped(x: Tensor, w: Tensor, geo: Conv3dGeom, osz: tuple) -> Tensor:
    """conv3d(x, w) cut to ``osz``: with output_padding, the conv of a transposed conv's output can
    reach one voxel further than any input of the transposed conv."""
    y = Conv3d.apply(x, w, None, geo)
    if tuple(y.array.shape[2:]) != tuple(osz):
        y = y[:, :, :osz[0], :osz[1], :osz[2]]
    return y


# ----------------------------------------------------------------------------- argument checks
def triple(v, op: str, name: str) -> tuple:
    """An int or a 1/3-sequence as a (d, h, w) triple of ints, as torch's ``_triple``."""
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return (int(v[0]),) * 3
        if len(v) != 3:
            raise RuntimeError(f"{op}: expected {name} to be a single integer value or a list of 3 values, got {v}")
        return tuple(int(a) for a in v)
    return (int(v),) * 3


def _geom3d(op: str, x: Tensor, w: Tensor, stride, padding, dilation, groups: int) -> Conv3dGeom:
    k = tuple(w.array.shape[2:])
    s = triple(stride, op, "stride")
    d = triple(dilation, op, "dilation")
    check_positive(op, "stride", s)
    check_positive(op, "dilation", d)
    if isinstance(padding, str):
        if padding == "valid":
            lo = hi = (0, 0, 0)
        elif padding == "same":
            if any(v != 1 for v in s):
                raise RuntimeError(f"{op}: padding='same' is not supported for strided convolutions")
            tot = [dd * (kk - 1) for dd, kk in zip(d, k)]
            lo = tuple(t // 2 for t in tot)
            hi = tuple(t - t // 2 for t in tot)
        else:
            raise RuntimeError(f"{op}: Invalid padding string: '{padding}'")
    else:
        lo = hi = triple(padding, op, "padding")
        if any(p < 0 for p in lo):
            raise RuntimeError(f"{op}: negative padding is not supported (got padding={padding})")
    padded = [m + a + b for m, a, b in zip(x.array.shape[2:], lo, hi)]
    ext = [dd * (kk - 1) + 1 for dd, kk in zip(d, k)]
    if any(p < e for p, e in zip(padded, ext)):
        raise RuntimeError(
            f"{op}: Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
            f"({' x '.join(map(str, ext))}). Kernel size can't be greater than actual input size "
            f"(input {shape_str(x)}, weight {shape_str(w)})"
        )
    return Conv3dGeom(k, s, d, lo, hi, groups)


# ----------------------------------------------------------------------------- functional API
def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """3-D cross-correlation over an (N, C, D, H, W) or (C, D, H, W) input, as ``torch.nn.functional.conv3d``."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, weight, bias = autocast_args("conv3d", input, weight, bias)
    batched = _batched("conv3d", input, 3)
    x = input if batched else input.unsqueeze(0)
    _check_weight("conv3d", x, weight, bias, groups, transposed=False)
    geo = _geom3d("conv3d", x, weight, stride, padding, dilation, groups)
    y = Conv3d.apply(x, weight, bias, geo)
    return y if batched else y.squeeze(0)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 3-D convolution (the gradient of conv3d w.r.t. its input), as torch's."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, weight, bias = autocast_args("conv_transpose3d", input, weight, bias)
    op = "conv_transpose3d"
    batched = _batched(op, input, 3)
    x = input if batched else input.unsqueeze(0)
    _check_weight(op, x, weight, bias, groups, transposed=True)
    s = triple(stride, op, "stride")
    d = triple(dilation, op, "dilation")
    p = triple(padding, op, "padding")
    opad = triple(output_padding, op, "output_padding")
    check_positive(op, "stride", s)
    check_positive(op, "dilation", d)
    if any(v < 0 for v in p + opad):
        raise RuntimeError(
            f"{op}: negative padding is not supported (padding={padding}, output_padding={output_padding})"
        )
    if any(o >= max(ss, dd) for o, ss, dd in zip(opad, s, d)):
        raise RuntimeError(
            f"{op}: output padding must be smaller than either stride or dilation, but got "
            f"output_padding={opad}, stride={s}, dilation={d}"
        )
    k = weight.array.shape[2:]
    size = tuple((m - 1) * ss - 2 * pp + dd * (kk - 1) + oo + 1
                 for m, ss, pp, dd, kk, oo in zip(x.array.shape[2:], s, p, d, k, opad))
    if any(v <= 0 for v in size):
        raise RuntimeError(
            f"{op}: Given input size {shape_str(x)}, calculated output size ({' x '.join(map(str, size))}) "
            f"is too small"
        )
    geo = Conv3dGeom(tuple(k), s, d, p, p, groups)
    y = ConvTranspose3d.apply(x, weight, geo, size)
    if bias is not None:
        y = y + bias.reshape((1, -1, 1, 1, 1))
    return y if batched else y.squeeze(0)
