"""``minitorch.cuda``: is a GPU usable (through CuPy)? Also ``minitorch.cuda.amp`` (deprecated AMP names)."""
from __future__ import annotations

from ..backend import cupy_module
from ..backend.checks import raise_pending


def is_available() -> bool:
    """True when cupy is installed and sees a GPU; never raises."""
    return cupy_module() is not None


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: minitorch has no bfloat16 (NumPy and CuPy have no such type)."""
    return False


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
    from ..backend.random import manual_seed as seed_all

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


def _require_gpu(what: str):
    cp = cupy_module()
    if cp is None:
        raise RuntimeError(f"minitorch.cuda.{what}: CUDA is not available (CuPy with a GPU is needed)")
    return cp


def _single_device(device) -> None:
    index = device if isinstance(device, int) else getattr(device, "index", None)
    if isinstance(device, str):
        index = int(device.partition(":")[2] or 0)
    if index not in (None, 0):
        raise ValueError(f"minitorch uses one GPU (cuda:0); device {device!r} is not supported")


def set_device(device) -> None:
    """Select the GPU: only ``0`` / ``'cuda:0'`` exists for minitorch."""
    _single_device(device)


class device:
    """``with minitorch.cuda.device(0):`` selects the GPU for a block (minitorch has one: cuda:0)."""

    def __init__(self, device):
        _single_device(device)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False


def empty_cache() -> None:
    """Give the cached blocks of CuPy's memory pool back to the driver (``torch.cuda.empty_cache``)."""
    cp = cupy_module()
    if cp is not None:
        cp.get_default_memory_pool().free_all_blocks()


def memory_allocated(device=None) -> int:
    """Bytes held by live GPU arrays (CuPy's memory pool ``used_bytes``); 0 without a GPU."""
    cp = cupy_module()
    return int(cp.get_default_memory_pool().used_bytes()) if cp is not None else 0


def memory_reserved(device=None) -> int:
    """Bytes the memory pool holds from the driver, used or cached (``total_bytes``); 0 without a GPU."""
    cp = cupy_module()
    return int(cp.get_default_memory_pool().total_bytes()) if cp is not None else 0


class Event:
    """A CUDA event for timing GPU work, as ``torch.cuda.Event(enable_timing=True)``:
    ``start.record(); ...; end.record(); end.synchronize(); start.elapsed_time(end)`` in milliseconds."""

    def __init__(self, enable_timing: bool = False, blocking: bool = False, interprocess: bool = False):
        self._cp = _require_gpu("Event")
        self._event = self._cp.cuda.Event(disable_timing=not enable_timing)

    def record(self, stream=None) -> None:
        self._event.record()

    def synchronize(self) -> None:
        self._event.synchronize()
        raise_pending()

    def query(self) -> bool:
        return bool(self._event.done)

    def elapsed_time(self, end_event: Event) -> float:
        return float(self._cp.cuda.get_elapsed_time(self._event, end_event._event))


from . import amp  # noqa: E402  (torch.cuda.amp: the deprecated autocast / GradScaler names)
