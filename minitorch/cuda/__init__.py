"""``minitorch.cuda``: the GPU (through CuPy), with torch.cuda's names.

Is a GPU usable, which one, what it is (``get_device_properties``); memory statistics and limits (``memory``);
streams and events (``streams``); the CUDA generator's seed and state (``random``); NVTX ranges (``nvtx``);
the legacy typed constructors (``minitorch.cuda.FloatTensor``...); ``minitorch.cuda.amp`` (deprecated AMP names).
Without a GPU every function behaves as torch's does without CUDA: the queries answer (``is_available()`` is
False, ``device_count()`` 0, ``memory_allocated()`` 0), the rest raise torch's
``AssertionError("Torch not compiled with CUDA enabled")``.
"""
from __future__ import annotations

from ..backend import cupy_module
from ..backend.checks import raise_pending
from . import nvtx  # noqa: F401  (minitorch.cuda.nvtx)
from ._utils import NO_CUDA, device_index, is_initialized, lazy_init
from .memory import (  # noqa: F401  (re-exported: torch.cuda's memory API)
    OutOfMemoryError,
    empty_cache,
    get_per_process_memory_fraction,
    max_memory_allocated,
    max_memory_cached,
    max_memory_reserved,
    mem_get_info,
    memory_allocated,
    memory_cached,
    memory_reserved,
    memory_stats,
    memory_stats_as_nested_dict,
    memory_summary,
    reset_accumulated_memory_stats,
    reset_max_memory_allocated,
    reset_max_memory_cached,
    reset_peak_memory_stats,
    set_per_process_memory_fraction,
)
from .properties import (  # noqa: F401
    clock_rate,
    current_blas_handle,
    get_arch_list,
    get_device_capability,
    get_device_name,
    get_device_properties,
    memory_usage,
    power_draw,
    temperature,
    utilization,
)
from .random import (  # noqa: F401
    get_rng_state,
    get_rng_state_all,
    initial_seed,
    manual_seed,
    manual_seed_all,
    seed,
    seed_all,
    set_rng_state,
    set_rng_state_all,
)
from .streams import (  # noqa: F401
    Event,
    ExternalStream,
    Stream,
    StreamContext,
    current_stream,
    default_stream,
    set_stream,
    stream,
)


def is_available() -> bool:
    """True when cupy is installed and sees a GPU; never raises."""
    return cupy_module() is not None


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: minitorch has no bfloat16 (NumPy and CuPy have no such type)."""
    return False


def device_count() -> int:
    cp = cupy_module()
    return cp.cuda.runtime.getDeviceCount() if cp is not None else 0


def init() -> None:
    """Initialise the GPU now rather than on first use (``torch.cuda.init``); raises without one."""
    lazy_init("init")


def synchronize(device=None) -> None:
    """Wait for all queued GPU work (needed before reading a timer); raises a failed GPU-side check."""
    device_index(device)
    lazy_init("synchronize").cuda.Device().synchronize()
    raise_pending()


def current_device() -> int:
    return lazy_init("current_device").cuda.Device().id


def _single_device(device) -> None:
    index = device if isinstance(device, int) else getattr(device, "index", None)
    if isinstance(device, str):
        index = int(device.partition(":")[2] or 0)
    if index not in (None, 0, -1):
        raise ValueError(f"minitorch uses one GPU (cuda:0); device {device!r} is not supported")


def _set_device_index(device) -> int:
    """The index ``set_device`` selects, validated as torch's ``_get_device_index(device)`` (no default)."""
    if isinstance(device, int):  # bool included, as torch
        return int(device)
    if isinstance(device, str) or type(device).__name__ == "device":
        kind, _, idx = str(device).partition(":")
        if kind != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {device}")
        if idx:
            return int(idx)
    raise ValueError(f"Expected a torch.device with a specified index or an integer, but got:{device}")


def set_device(device) -> None:
    """Select the GPU: only ``0`` / ``'cuda:0'`` exists for minitorch; a negative index is a no-op; without a
    usable GPU torch's no-CUDA ``AssertionError``."""
    index = _set_device_index(device)
    if index < 0:
        return
    lazy_init()
    _single_device(index)


class device:
    """``with minitorch.cuda.device(0):`` selects the GPU for a block (minitorch has one: cuda:0); a no-op for
    ``None`` or a negative index; entering it for a GPU when none is usable raises torch's RuntimeError."""

    def __init__(self, device):
        if isinstance(device, str) or type(device).__name__ == "device":
            if str(device).partition(":")[0] != "cuda":
                raise ValueError(f"Expected a cuda device, but got: {device}")
        _single_device(device)
        self.idx = -1 if device is None or (isinstance(device, int) and device < 0) else 0

    def __enter__(self):
        if self.idx >= 0 and cupy_module() is None:
            raise RuntimeError("PyTorch was compiled without CUDA support (minitorch: CUDA needs CuPy and an "
                               "NVIDIA GPU, none is usable here)")
        return self

    def __exit__(self, *exc) -> bool:
        return False


class device_of(device):
    """``with minitorch.cuda.device_of(t):`` selects ``t``'s GPU for a block; a no-op for a CPU tensor."""

    def __init__(self, obj):
        idx = obj.get_device() if getattr(obj, "is_cuda", False) else -1
        super().__init__(idx)
        self.idx = idx


# ---- legacy typed constructors: minitorch.cuda.FloatTensor(2, 3) is a float32 tensor on the GPU --------------
def _legacy_cuda_types():
    from ..tensor import _LEGACY_NAMES, _LegacyTensorType, to_dtype

    class _CudaLegacyTensorType(_LegacyTensorType):
        def __call__(cls, *args, device=None):
            if cupy_module() is None:
                raise TypeError(f"type torch.cuda.{cls.__name__} not available. {NO_CUDA}.")
            return super().__call__(*args, device=device)

        def __repr__(cls) -> str:
            return f"<class 'torch.cuda.{cls.__name__}'>"

    return tuple(_CudaLegacyTensorType(name + "Tensor", (), {"dtype": to_dtype(_LEGACY_NAMES[name]), "_device": "cuda",
                                                             "is_cuda": True, "__module__": __name__})
                 for name in _LEGACY_NAMES)


FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor = (
    _legacy_cuda_types())

__all__ = [
    "is_available", "is_bf16_supported", "is_initialized", "init", "device_count", "current_device", "set_device",
    "device", "device_of", "synchronize", "get_device_name", "get_device_properties", "get_device_capability",
    "get_arch_list", "current_blas_handle", "utilization", "temperature", "power_draw", "clock_rate", "memory_usage",
    "OutOfMemoryError", "empty_cache", "memory_allocated", "memory_reserved", "max_memory_allocated",
    "max_memory_reserved", "reset_peak_memory_stats", "reset_max_memory_allocated", "reset_max_memory_cached",
    "reset_accumulated_memory_stats", "memory_stats", "memory_stats_as_nested_dict", "memory_summary",
    "mem_get_info", "set_per_process_memory_fraction", "get_per_process_memory_fraction", "memory_cached",
    "max_memory_cached", "Stream", "ExternalStream", "Event", "StreamContext", "stream", "current_stream",
    "default_stream", "set_stream", "manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed",
    "get_rng_state", "set_rng_state", "get_rng_state_all", "set_rng_state_all", "FloatTensor", "DoubleTensor",
    "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor", "nvtx",
]

from . import amp  # noqa: E402  (torch.cuda.amp: the deprecated autocast / GradScaler names)
