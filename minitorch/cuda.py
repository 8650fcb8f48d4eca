"""``minitorch.cuda``: is a GPU usable (through CuPy)?"""
from __future__ import annotations

from .backend import cupy_module
from .backend.checks import raise_pending


def is_available() -> bool:
    """True when cupy is installed and sees a GPU; never raises."""
    return cupy_module() is not None


def device_count() -> int:
    cp = cupy_module()
    return cp.cuda.runtime.getDeviceCount() if cp is not None else 0


def synchronize(device=None) -> None:
    """Wait for all queued GPU work (needed before reading a timer); raises a failed GPU-side check."""
    cp = cupy_module()
    if cp is not None:
        cp.cuda.Device().synchronize()
        raise_pending()


def manual_seed(seed: int) -> None:
    from .backend.random import manual_seed as seed_all

    seed_all(seed)


manual_seed_all = manual_seed


def current_device() -> int:
    cp = cupy_module()
    return cp.cuda.Device().id if cp is not None else 0


def get_device_name(device=None) -> str:
    cp = cupy_module()
    if cp is None:
        raise RuntimeError("CUDA is not available")
    return cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id)["name"].decode()
