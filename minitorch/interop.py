"""DLPack interop: exchange arrays zero-copy with torch, CuPy, NumPy and JAX."""
from __future__ import annotations

import numpy as np

from .backend import cupy_module
from .tensor import Tensor


def from_dlpack(ext) -> Tensor:
    """A Tensor sharing memory with any object that implements ``__dlpack__`` (torch, CuPy, NumPy).

    CPU producers give a NumPy-backed tensor; CUDA producers give a CuPy-backed tensor.
    """
    if isinstance(ext, Tensor):
        return ext
    if not hasattr(ext, "__dlpack_device__"):
        raise TypeError(f"from_dlpack: expected an object with __dlpack__/__dlpack_device__, got {type(ext).__name__}")
    device_type, _ = ext.__dlpack_device__()
    if int(device_type) == 1:  # kDLCPU
        return Tensor._wrap(np.from_dlpack(ext))
    cp = cupy_module()
    if cp is None:
        raise RuntimeError("from_dlpack: the array lives on a GPU but CuPy/CUDA is not available here")
    return Tensor._wrap(cp.from_dlpack(ext))


def _dlpack(self, *args, **kwargs):
    """Export this tensor's memory through DLPack (the array's own protocol)."""
    if self.requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    return self.array.__dlpack__(*args, **kwargs)


def _dlpack_device(self):
    return self.array.__dlpack_device__()


Tensor.__dlpack__ = _dlpack
Tensor.__dlpack_device__ = _dlpack_device
