"""nn.functional convolutions: conv1d, conv2d, conv_transpose1d, conv_transpose2d.

Three Functions carry all of conv2d's calculus, each the adjoint of the others, so gradients
of gradients work (``create_graph=True``):

- ``Conv2d(x, w, b)``: y = x (*) w + b. dx = ConvTranspose2d(g, w); dw = Conv2dWeightGrad(x, g).
- ``ConvTranspose2d(g, w)``: the adjoint of conv2d in x. dg = Conv2d(h, w); dw = Conv2dWeightGrad(h, g).
- ``Conv2dWeightGrad(x, g)``: the adjoint of conv2d in w. dx = ConvTranspose2d(g, k); dg = Conv2d(x, k).

Kernels (im2col + one GEMM, col2im by offset slices) live in ``minitorch/nn/kernels``.
"""
from __future__ import annotations

from ...amp.autocast_mode import _AutocastState, autocast_args
from ...autograd.function import BuiltinOp
from ...tensor import Tensor
from ..kernels.conv import as_channels_last, conv2d_forward, conv2d_input_grad, conv2d_weight_grad
from ..kernels.im2col import ConvGeom

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]


class Conv2d(BuiltinOp):
    @staticmethod
    def forward(ctx, x, w, b, geo):
        keep = ctx.needs_input_grad[1]
        y, cache = conv2d_forward(x.array, w.array, None if b is None else b.array, geo, keep)
        ctx.geo = geo
        ctx.has_bias = b is not None
        if ctx.needs_input_grad[0] or keep:
            ctx.save_for_backward(x, w, cache)
        return y

    @staticmethod
    def backward(ctx, g):
        """dx = conv_transpose2d(g, w); dw = sum_pixels patch(x)^T g; db = sum_{n,h,w} g."""
        x, w, cache = ctx.saved_tensors
        geo = ctx.geo
        nx, nw, nb = ctx.needs_input_grad[:3]
        if nx and nw and not g._requires_grad:  # both read g as NHWC rows: transpose it once, not twice
            g = Tensor._wrap(as_channels_last(g.array))
        dx = ConvTranspose2d.apply(g, w, geo, x.array.shape[2:]) if nx else None
        dw = Conv2dWeightGrad.apply(x, g, geo, w.array.shape, cache) if nw else None
        db = g.sum(dim=(0, 2, 3)) if nb and ctx.has_bias else None
        return dx, dw, db, None


class ConvTranspose2d(BuiltinOp):
    """The adjoint of conv2d in its input: maps (N, O, OH, OW) to (N, C, H, W) for a given (H, W)."""

    @staticmethod
    def forward(ctx, g, w, geo, hw):
        ctx.geo, ctx.hw = geo, hw
        ctx.save_for_backward(g, w)
        return conv2d_input_grad(g.array, w.array, geo, hw[0], hw[1])

    @staticmethod
    def backward(ctx, h):
        """d/dg <h, conv2d^T(g, w)> = conv2d(h, w); d/dw = conv2d weight-grad of (h, g)."""
        g, w = ctx.saved_tensors
        ng, nw = ctx.needs_input_grad[:2]
        dg = _conv_cropped(h, w, ctx.geo, g.array.shape[2:]) if ng else None
        dw = Conv2dWeightGrad.apply(h, g, ctx.geo, w.array.shape, None) if nw else None
        return dg, dw, None, None


class Conv2dWeightGrad(BuiltinOp):
    """The adjoint of conv2d in its weight: (x, g) -> dw = sum over pixels of patch(x) g^T."""

    @staticmethod
    def forward(ctx, x, g, geo, w_shape, cache):
        ctx.geo = geo
        ctx.save_for_backward(x, g)
        return conv2d_weight_grad(x.array, g.array, geo, w_shape, cache)

    @staticmethod
    def backward(ctx, k):
        """d/dx <k, wgrad(x, g)> = conv_transpose2d(g, k); d/dg = conv2d(x, k)."""
        x, g = ctx.saved_tensors
        nx, ng = ctx.needs_input_grad[:2]
        dx = ConvTranspose2d.apply(g, k, ctx.geo, x.array.shape[2:]) if nx else None
        dg = _conv_cropped(x, k, ctx.geo, g.array.shape[2:]) if ng else None
        return dx, dg, None, None, None


def _conv_cropped(x: Tensor, w: Tensor, geo: ConvGeom, ohw: tuple) -> Tensor:
    """conv2d(x, w) cut to (OH, OW): with output_padding >= stride, conv of the transposed conv's
    output has an extra row/column that no input of the transposed conv touched."""
    y = Conv2d.apply(x, w, None, geo)
    if tuple(y.array.shape[2:]) != tuple(ohw):
        y = y[:, :, :ohw[0], :ohw[1]]
    return y


# ----------------------------------------------------------------------------- argument checks

def pair(v, op: str, name: str) -> tuple:
    """An int or a 1/2-sequence as an (h, w) pair of ints, as torch's ``_pair``."""
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return (int(v[0]), int(v[0]))
        if len(v) != 2:
            raise RuntimeError(f"{op}: expected {name} to be a single integer value or a list of 2 values, got {v}")
        return (int(v[0]), int(v[1]))
    return (int(v), int(v))


def check_positive(op: str, name: str, values: tuple) -> None:
    if any(v <= 0 for v in values):
        raise RuntimeError(f"{op}: non-positive {name} is not supported (got {name}={values})")


def shape_str(t) -> str:
    return str(list(t.array.shape))


def _batched(op: str, x: Tensor, spatial: int) -> bool:
    nd = x.array.ndim
    if nd == spatial + 2:
        return True
    if nd == spatial + 1:
        return False
    raise RuntimeError(
        f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) input to {op}, but got input of "
        f"size: {list(x.array.shape)}"
    )


def _check_weight(op: str, x: Tensor, w: Tensor, b, groups: int, transposed: bool) -> None:
    if w.array.ndim != x.array.ndim:
        raise RuntimeError(
            f"{op}: Expected {x.array.ndim}-dimensional weight for {x.array.ndim}-dimensional input "
            f"{shape_str(x)}, but got {w.array.ndim}-dimensional weight of size {shape_str(w)} instead"
        )
    if groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported (got groups={groups})")
    c = x.array.shape[1]
    if transposed:
        if c != w.array.shape[0]:
            raise RuntimeError(
                f"{op}: Given transposed=1, weight of size {shape_str(w)}, expected input{shape_str(x)} to have "
                f"{w.array.shape[0]} channels, but got {c} channels instead"
            )
        if c % groups:
            raise RuntimeError(f"{op}: input channels {c} must be divisible by groups={groups}")
        n_out = w.array.shape[1] * groups
    else:
        if w.array.shape[0] % groups:
            raise RuntimeError(
                f"{op}: Given groups={groups}, expected weight {shape_str(w)} to be divisible by {groups} at "
                f"dimension 0 (out_channels)"
            )
        if c != w.array.shape[1] * groups:
            raise RuntimeError(
                f"{op}: Given groups={groups}, weight of size {shape_str(w)}, expected input{shape_str(x)} to have "
                f"{w.array.shape[1] * groups} channels, but got {c} channels instead"
            )
        n_out = w.array.shape[0]
    if b is not None and (b.array.ndim != 1 or b.array.shape[0] != n_out):
        raise RuntimeError(
            f"{op}: Given weight of size {shape_str(w)}, expected bias to be 1-dimensional with {n_out} "
            f"elements, but got bias of size {shape_str(b)} instead"
        )
    if w.array.dtype != x.array.dtype or (b is not None and b.array.dtype != x.array.dtype):
        raise RuntimeError(
            f"{op}: Input type ({x.dtype}) and weight type ({w.dtype}) should be the same"
            + ("" if b is None else f" (bias type {b.dtype})")
        )
    if type(w.array) is not type(x.array):
        raise RuntimeError(
            f"{op}: Expected all tensors to be on the same device, but found at least two devices, "
            f"{x.device} and {w.device}!"
        )


def _conv_geom(op: str, x4: Tensor, w4: Tensor, stride, padding, dilation, groups: int) -> ConvGeom:
    kh, kw = w4.array.shape[2:]
    sh, sw = pair(stride, op, "stride")
    dh, dw = pair(dilation, op, "dilation")
    check_positive(op, "stride", (sh, sw))
    check_positive(op, "dilation", (dh, dw))
    if isinstance(padding, str):
        if padding == "valid":
            pads = (0, 0, 0, 0)
        elif padding == "same":
            if sh != 1 or sw != 1:
                raise RuntimeError(f"{op}: padding='same' is not supported for strided convolutions")
            th, tw = dh * (kh - 1), dw * (kw - 1)
            pads = (th // 2, th - th // 2, tw // 2, tw - tw // 2)
        else:
            raise RuntimeError(f"{op}: Invalid padding string: '{padding}'")
    else:
        ph, pw = pair(padding, op, "padding")
        if ph < 0 or pw < 0:
            raise RuntimeError(f"{op}: negative padding is not supported (got padding={padding})")
        pads = (ph, ph, pw, pw)
    geo = ConvGeom(kh, kw, sh, sw, dh, dw, *pads, groups)
    h, wd = x4.array.shape[2:]
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    if h + pads[0] + pads[1] < eh or wd + pads[2] + pads[3] < ew:
        raise RuntimeError(
            f"{op}: Calculated padded input size per channel: ({h + pads[0] + pads[1]} x "
            f"{wd + pads[2] + pads[3]}). Kernel size: ({eh} x {ew}). Kernel size can't be greater than "
            f"actual input size (input {shape_str(x4)}, weight {shape_str(w4)})"
        )
    return geo


# ----------------------------------------------------------------------------- functional API
def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """2-D cross-correlation over an (N, C, H, W) or (C, H, W) input, as ``torch.nn.functional.conv2d``."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, weight, bias = autocast_args("conv2d", input, weight, bias)
    batched = _batched("conv2d", input, 2)
    x = input if batched else input.unsqueeze(0)
    _check_weight("conv2d", x, weight, bias, groups, transposed=False)
    geo = _conv_geom("conv2d", x, weight, stride, padding, dilation, groups)
    y = Conv2d.apply(x, weight, bias, geo)
    return y if batched else y.squeeze(0)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """1-D cross-correlation over an (N, C, L) or (C, L) input (a conv2d with H = 1)."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, weight, bias = autocast_args("conv1d", input, weight, bias)
    batched = _batched("conv1d", input, 1)
    x = input if batched else input.unsqueeze(0)
    if weight.array.ndim != 3:
        raise RuntimeError(
            f"conv1d: Expected 3-dimensional weight for 3-dimensional input {shape_str(x)}, but got "
            f"{weight.array.ndim}-dimensional weight of size {shape_str(weight)} instead"
        )
    (s,) = _single(stride, "conv1d", "stride")
    (d,) = _single(dilation, "conv1d", "dilation")
    p = padding if isinstance(padding, str) else (0, _single(padding, "conv1d", "padding")[0])
    x4, w4 = x.unsqueeze(2), weight.unsqueeze(2)
    _check_weight("conv1d", x4, w4, bias, groups, transposed=False)
    geo = _conv_geom("conv1d", x4, w4, (1, s), p, (1, d), groups)
    y = Conv2d.apply(x4, w4, bias, geo).squeeze(2)
    return y if batched else y.squeeze(0)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 2-D convolution (the gradient of conv2d w.r.t. its input), as torch's."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, weight, bias = autocast_args("conv_transpose2d", input, weight, bias)
    op = "conv_transpose2d"
    batched = _batched(op, input, 2)
    x = input if batched else input.unsqueeze(0)
    _check_weight(op, x, weight, bias, groups, transposed=True)
    sh, sw = pair(stride, op, "stride")
    dh, dw = pair(dilation, op, "dilation")
    ph, pw = pair(padding, op, "padding")
    oph, opw = pair(output_padding, op, "output_padding")
    check_positive(op, "stride", (sh, sw))
    check_positive(op, "dilation", (dh, dw))
    if ph < 0 or pw < 0 or oph < 0 or opw < 0:
        raise RuntimeError(
            f"{op}: negative padding is not supported (padding={padding}, output_padding={output_padding})"
        )
    if not (oph < max(sh, dh) and opw < max(sw, dw)):
        raise RuntimeError(
            f"{op}: output padding must be smaller than either stride or dilation, but got "
            f"output_padding_height: {oph} output_padding_width: {opw} stride_height: {sh} stride_width: {sw} "
            f"dilation_height: {dh} dilation_width: {dw}"
        )
    kh, kw = weight.array.shape[2:]
    hin, win = x.array.shape[2:]
    h = (hin - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    w = (win - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    if h <= 0 or w <= 0:
        raise RuntimeError(f"{op}: Given input size {shape_str(x)}, calculated output size ({h} x {w}) is too small")
    geo = ConvGeom(kh, kw, sh, sw, dh, dw, ph, ph, pw, pw, groups)
    y = ConvTranspose2d.apply(x, weight, geo, (h, w))
    if bias is not None:
        y = y + bias.reshape((1, -1, 1, 1))
    return y if batched else y.squeeze(0)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 1-D convolution (a conv_transpose2d with H = 1)."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, weight, bias = autocast_args("conv_transpose1d", input, weight, bias)
    batched = _batched("conv_transpose1d", input, 1)
    x = input if batched else input.unsqueeze(0)
    if weight.array.ndim != 3:
        raise RuntimeError(f"conv_transpose1d: expected a 3-D weight, got {shape_str(weight)}")
    (s,) = _single(stride, "conv_transpose1d", "stride")
    (p,) = _single(padding, "conv_transpose1d", "padding")
    (op_,) = _single(output_padding, "conv_transpose1d", "output_padding")
    (d,) = _single(dilation, "conv_transpose1d", "dilation")
    y = conv_transpose2d(x.unsqueeze(2), weight.unsqueeze(2), bias, (1, s), (0, p), (0, op_), groups, (1, d))
    y = y.squeeze(2)
    return y if batched else y.squeeze(0)


def _single(v, op: str, name: str) -> tuple:
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise RuntimeError(f"{op}: expected {name} to be a single integer or a 1-element tuple, got {v}")
        return (int(v[0]),)
    return (int(v),)

