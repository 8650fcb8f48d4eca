"""``minitorch.cuda.amp``: the deprecated ``torch.cuda.amp`` names. Each warns (FutureWarning, as torch)
and forwards to ``minitorch.amp`` with ``device_type='cuda'``."""
from __future__ import annotations

import functools
import warnings

from .. import amp as _amp
from ..amp.grad_scaler import OptState  # noqa: F401  (torch.cuda.amp keeps this name too)
from ..backend.dtype import float16

__all__ = ["amp_definitely_not_available", "autocast", "custom_bwd", "custom_fwd", "GradScaler"]


def amp_definitely_not_available() -> bool:
    """True when no GPU is usable (cuda autocast and GradScaler disable themselves then)."""
    from . import is_available

    return not is_available()


def _warn(old: str, new: str) -> None:
    warnings.warn(f"`torch.cuda.amp.{old}(args...)` is deprecated. Please use `{new}` instead.", FutureWarning,
                  stacklevel=3)


class autocast(_amp.autocast):
    """``torch.cuda.amp.autocast(enabled=True, dtype=float16, cache_enabled=True)``: deprecated alias of
    ``minitorch.autocast('cuda', ...)``."""

    def __init__(self, enabled: bool = True, dtype=float16, cache_enabled: bool = True):
        _warn("autocast", "torch.amp.autocast('cuda', args...)")
        super().__init__("cuda", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """``torch.cuda.amp.GradScaler(...)``: deprecated alias of ``minitorch.amp.GradScaler('cuda', ...)``."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        _warn("GradScaler", "torch.amp.GradScaler('cuda', args...)")
        super().__init__("cuda", init_scale=init_scale, growth_factor=growth_factor, backoff_factor=backoff_factor,
                         growth_interval=growth_interval, enabled=enabled)


def custom_fwd(fwd=None, *, cast_inputs=None):
    """Deprecated: ``minitorch.amp.custom_fwd(..., device_type='cuda')``."""
    _warn("custom_fwd", "torch.amp.custom_fwd(args..., device_type='cuda')")
    return functools.partial(_amp.custom_fwd, device_type="cuda")(fwd=fwd, cast_inputs=cast_inputs)


def custom_bwd(bwd):
    """Deprecated: ``minitorch.amp.custom_bwd(..., device_type='cuda')``."""
    _warn("custom_bwd", "torch.amp.custom_bwd(args..., device_type='cuda')")
    return functools.partial(_amp.custom_bwd, device_type="cuda")(bwd)
