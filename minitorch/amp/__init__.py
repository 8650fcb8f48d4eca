"""``minitorch.amp``: automatic mixed precision, as ``torch.amp``.

``autocast`` runs matmul / linear / conv in float16 and losses in float32 inside a region;
``GradScaler`` scales the loss so float16 gradients do not underflow, and skips optimizer steps
whose gradients overflowed. See ``autocast_mode.py`` for the op policies.
"""
from .autocast_mode import autocast, custom_bwd, custom_fwd, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available", "GradScaler"]
