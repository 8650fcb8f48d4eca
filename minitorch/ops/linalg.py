"""Linear algebra: matmul (1-D, 2-D, batched with broadcasting), and composites on top of it."""
from __future__ import annotations

import numpy as np

from ..amp.autocast_mode import _AutocastState, autocast_args
from ..autograd.function import BuiltinOp
from ..backend import is_cupy_array
from ..tensor import Tensor
from ._util import unbroadcast
from .complex import conj_of


def matmul_arrays(x, y):
    """``x @ y`` on arrays. float16 NumPy operands are multiplied in float32 and rounded back: NumPy has no
    float16 BLAS (its own loop is ~100x slower than float32 BLAS), and float32 accumulation is what torch does."""
    if x.dtype == np.float16 and not is_cupy_array(x):
        return np.matmul(x, y, dtype=np.float32).astype(np.float16)
    return x @ y


class MatMul(BuiltinOp):
    @staticmethod
    def forward(ctx, a, b):
        x, y = a.array, b.array
        if x.ndim == 0 or y.ndim == 0:
            raise RuntimeError(
                f"matmul: both arguments to matmul need to be at least 1D, but they are {x.ndim}D and {y.ndim}D"
            )
        if x.shape[-1] != y.shape[-2 if y.ndim > 1 else 0]:
            k2 = y.shape[-2 if y.ndim > 1 else 0]
            raise RuntimeError(
                f"matmul: {tuple(x.shape)} @ {tuple(y.shape)}: inner dims {x.shape[-1]} != {k2} "
                f"(mat1 and mat2 shapes cannot be multiplied ({'x'.join(map(str, x.shape))} and "
                f"{'x'.join(map(str, y.shape))}))"
            )
        if type(x) is not type(y):
            raise RuntimeError(
                f"matmul: Expected all tensors to be on the same device, but found at least two devices, "
                f"{a.device} and {b.device}!"
            )
        if x.dtype != y.dtype:
            raise RuntimeError(
                f"matmul: expected both operands to have the same dtype, but got {a.dtype} and {b.dtype}"
            )
        try:
            out = matmul_arrays(x, y)
        except ValueError as e:
            raise RuntimeError(f"matmul: {tuple(x.shape)} @ {tuple(y.shape)}: {e}") from None
        ctx.save_for_backward(a, b)
        return out

    @staticmethod
    def backward(ctx, g):
        """d(A@B) = g@B^T, A^T@g (complex: g@B^H, A^H@g; 1-D operands promoted to matrices, batch dims summed)."""
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        if g.array.dtype != a.array.dtype:  # a float32 grad into a float16 product (mixed precision): as torch,
            g = g.to(a.dtype)  # the gradient takes the dtype of the output it belongs to
        if g.array.dtype.kind == "c":
            a, b = conj_of(a), conj_of(b)
        a_shape, b_shape = a.array.shape, b.array.shape
        if len(a_shape) == 1 and len(b_shape) == 1:
            return (g * b if na else None, g * a if nb else None)
        a2 = a if len(a_shape) > 1 else a.reshape((1, a_shape[0]))
        b2 = b if len(b_shape) > 1 else b.reshape((b_shape[0], 1))
        g2 = g
        if len(a_shape) == 1:
            g2 = g2.unsqueeze(-2)
        if len(b_shape) == 1:
            g2 = g2.unsqueeze(-1)
        ga = gb = None
        if na:
            ga = unbroadcast(g2 @ b2.mT, a2.array.shape)
            if len(a_shape) == 1:
                ga = ga.reshape(a_shape)
        if nb:
            gb = unbroadcast(a2.mT @ g2, b2.array.shape)
            if len(b_shape) == 1:
                gb = gb.reshape(b_shape)
        return ga, gb


def matmul(a: Tensor, b: Tensor) -> Tensor:
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        a, b = autocast_args("matmul", a, b)
    return MatMul.apply(a, b)


def mm(a: Tensor, b: Tensor) -> Tensor:
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        a, b = autocast_args("mm", a, b)
    if a.array.ndim != 2 or b.array.ndim != 2:
        raise RuntimeError(f"mm: expected 2D tensors, got {a.array.ndim}D and {b.array.ndim}D")
    return MatMul.apply(a, b)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        a, b = autocast_args("bmm", a, b)
    if a.array.ndim != 3 or b.array.ndim != 3:
        raise RuntimeError(f"bmm: expected 3D tensors, got {a.array.ndim}D and {b.array.ndim}D")
    if a.array.shape[0] != b.array.shape[0]:
        raise RuntimeError(f"bmm: batch sizes differ: {list(a.shape)} and {list(b.shape)}")
    return MatMul.apply(a, b)


def mv(a: Tensor, v: Tensor) -> Tensor:
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        a, v = autocast_args("mv", a, v)
    return MatMul.apply(a, v)


def dot(a: Tensor, b: Tensor) -> Tensor:
    if a.array.ndim != 1 or b.array.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.array.ndim}D and {b.array.ndim}D tensors")
    return MatMul.apply(a, b)


def outer(a: Tensor, b: Tensor) -> Tensor:
    return a.reshape((-1, 1)) * b.reshape((1, -1))


def addmm(bias: Tensor, a: Tensor, b: Tensor, *, beta=1, alpha=1) -> Tensor:
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        bias, a, b = autocast_args("addmm", bias, a, b)
    prod = MatMul.apply(a, b)
    return (bias * beta if beta != 1 else bias) + (prod * alpha if alpha != 1 else prod)

