"""Moving tensors between dtypes and devices (differentiable), and clone."""
from __future__ import annotations

from ..autograd.function import BuiltinOp
from ..backend import numpy_of, xp_for_device
from ..backend.device import device_of


def _move(array, device, dtype_np):
    """``array`` on ``device`` with dtype ``dtype_np`` (either may be None = keep)."""
    if device is not None and device_of(array).type != device.type:
        array = xp_for_device(device).asarray(array) if device.type == "cuda" else numpy_of(array)
        if dtype_np is not None and array.dtype != dtype_np:
            array = array.astype(dtype_np)
        return array
    if dtype_np is not None and array.dtype != dtype_np:
        return array.astype(dtype_np)
    return array.copy()


class ToCopy(BuiltinOp):
    @staticmethod
    def forward(ctx, x, device, dtype_np):
        ctx.src_device, ctx.src_dtype = device_of(x.array), x.array.dtype
        return _move(x.array, device, dtype_np)

    @staticmethod
    def backward(ctx, g):
        """The gradient goes back to the source device and dtype (a real source keeps Re of a complex grad)."""
        if g.array.dtype.kind == "c" and ctx.src_dtype.kind != "c":
            g = g.real
        return g.to(ctx.src_device, ctx.src_dtype.name if ctx.src_dtype.kind in "fc" else None), None, None


def to_device_dtype(x, device, dtype, copy: bool = False):
    same_device = device is None or device_of(x.array).type == device.type
    same_dtype = dtype is None or dtype.np == x.array.dtype
    if same_device and same_dtype and not copy:
        return x
    out = ToCopy.apply(x, device, None if dtype is None else dtype.np)
    return out


def clone(x, *, memory_format=None):
    return ToCopy.apply(x, None, None)
