"""nn.functional: linear layers. ``linear`` is one fused op (x @ W^T + b, one BLAS call per pass)."""
from __future__ import annotations

import numpy as np

from ...amp.autocast_mode import _AutocastState, autocast_args
from ...autograd.function import BuiltinOp
from ...autograd.grad_mode import _GradState
from ...ops.complex import conj_of
from ...ops.linalg import matmul_arrays
from ...tensor import Tensor

__all__ = ["linear", "bilinear"]


def _sum_rows(ga):
    """Column sums (the bias gradient); float16 accumulates in float32, as torch does."""
    if ga.dtype == np.float16:
        return ga.sum(axis=0, dtype=np.float32).astype(np.float16)
    return ga.sum(axis=0)


class Linear(BuiltinOp):
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, x, w, b):
        xa, wa = x.array, w.array
        ctx.save_for_backward(x, w)
        ctx.has_bias = b is not None
        if xa.ndim == 2:
            out = matmul_arrays(xa, wa.T)
        else:  # fold the batch dims into one so the product is a single matrix-matrix call
            out = matmul_arrays(xa.reshape(-1, xa.shape[-1]), wa.T).reshape(xa.shape[:-1] + (wa.shape[0],))
        if b is not None:
            out += b.array
        return out

    @staticmethod
    def backward(ctx, g):
        """dx = g @ W; dW = g^T @ x (batch dims folded; complex: conj(W), conj(x)); db = g summed over batch dims."""
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad
        out_f, in_f = w.array.shape
        if not _GradState.enabled:  # plain backward: three BLAS-backed array ops, no graph
            ga = g.array.reshape(-1, out_f)
            xa = x.array.reshape(-1, in_f)
            wa = w.array
            if wa.dtype.kind == "c":  # complex data: the conjugated operands (real arrays untouched)
                wa = wa.conj()
            if xa.dtype.kind == "c":
                xa = xa.conj()
            return (
                Tensor._wrap(matmul_arrays(ga, wa).reshape(x.array.shape)) if nx else None,
                Tensor._wrap(matmul_arrays(ga.T, xa)) if nw else None,
                Tensor._wrap(_sum_rows(ga)) if nb else None,
            )
        g2 = g if g.ndim == 2 else g.reshape((-1, out_f))
        gx = gw = gb = None
        if nx:
            gx = g2 @ conj_of(w)
            if x.ndim != 2:
                gx = gx.reshape(x.array.shape)
        if nw:
            x2 = x if x.ndim == 2 else x.reshape((-1, in_f))
            gw = g2.t() @ conj_of(x2)
        if nb:
            gb = g2.sum(0)
        return gx, gw, gb


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b over the last dim of ``input`` (any number of leading batch dims)."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, weight, bias = autocast_args("linear", input, weight, bias)
    if weight.ndim != 2:
        if weight.ndim == 1:  # torch allows a vector weight: a dot product over the last dim
            out = input @ weight
            return out + bias if bias is not None else out
        raise RuntimeError(f"linear: weight must be 1-D or 2-D, got shape {list(weight.shape)}")
    if input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        lead = 1
        for s in input.shape[:-1]:
            lead *= s
        raise RuntimeError(
            f"linear: mat1 and mat2 shapes cannot be multiplied ({lead}x{input.shape[-1] if input.ndim else 1} "
            f"and {weight.shape[1]}x{weight.shape[0]}) (input {list(input.shape)}, weight "
            f"{list(weight.shape)})"
        )
    if bias is not None and bias.shape not in ((weight.shape[0],), (), (1,)):
        raise RuntimeError(
            f"linear: bias of shape {list(bias.shape)} does not match out_features {weight.shape[0]}"
        )
    if input.array.dtype != weight.array.dtype:
        raise RuntimeError(
            f"linear: expected input and weight to have the same dtype, got {input.dtype} and {weight.dtype}"
        )
    if input.ndim == 1:
        return Linear.apply(input.reshape((1, -1)), weight, bias).reshape((weight.shape[0],))
    if bias is not None and bias.shape != (weight.shape[0],):
        out = Linear.apply(input, weight, None)
        return out + bias
    return Linear.apply(input, weight, bias)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = x1^T W_k x2 + b_k; weight (out, in1, in2); inputs (..., in1) and (..., in2)."""
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D (out, in1, in2), got shape {list(weight.shape)}")
    out_f, in1, in2 = weight.shape
    if input1.shape[-1] != in1 or input2.shape[-1] != in2 or input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            f"bilinear(): input1 {list(input1.shape)} and input2 {list(input2.shape)} do not match weight "
            f"{list(weight.shape)} (expected (..., {in1}) and (..., {in2}) with equal batch dims)"
        )
    lead = input1.shape[:-1]
    x1 = input1.reshape((-1, in1))
    x2 = input2.reshape((-1, in2))
    # (M, in1) @ (in1, out*in2) -> (M, out, in2), then contract in2 with x2
    t = (x1 @ weight.permute(1, 0, 2).reshape((in1, out_f * in2))).reshape((-1, out_f, in2))
    out = (t @ x2.unsqueeze(-1)).squeeze(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(tuple(lead) + (out_f,))
