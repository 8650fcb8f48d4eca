"""``minitorch.backends``: the switches PyTorch scripts set, accepted so those scripts run.

minitorch calls no cuDNN (convolutions are im2col + a cuBLAS GEMM through CuPy) and has no MPS
device, so the cuDNN flags change nothing and ``mps.is_available()`` is False.
"""
from __future__ import annotations

from types import SimpleNamespace

cudnn = SimpleNamespace(
    enabled=True, benchmark=False, deterministic=False, allow_tf32=True,
    is_available=lambda: False, version=lambda: None,
)
mps = SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
