"""What every ``minitorch.cuda`` function needs: the GPU module or torch's no-CUDA error, and a device index."""
from __future__ import annotations

from ..backend import cupy_module

#: torch's message where CUDA is missing ("Torch not compiled with CUDA enabled"), in minitorch's words
NO_CUDA = "Torch not compiled with CUDA enabled (minitorch: CUDA needs CuPy and an NVIDIA GPU, none is usable here)"

_state = {"initialized": False}


def lazy_init(what: str = ""):
    """The CuPy module, or torch's ``AssertionError`` when no GPU is usable (as ``torch.cuda._lazy_init``)."""
    cp = cupy_module()
    if cp is None:
        raise AssertionError(NO_CUDA)
    _state["initialized"] = True
    return cp


def is_initialized() -> bool:
    """Whether minitorch has started using the GPU (``torch.cuda.is_initialized``): a ``minitorch.cuda`` call
    that needs it, or a GPU allocation, has happened."""
    from .memory import _stats  # noqa: PLC0415 - memory imports this module

    if cupy_module() is None:
        return False
    return _state["initialized"] or _stats["allocations"] > 0


def device_index(device=None, optional: bool = True) -> int:
    """The GPU index of ``device`` (None / int / 'cuda[:i]' / minitorch.device): minitorch has one GPU, 0."""
    if device is None:
        return 0
    if isinstance(device, bool):
        raise ValueError(f"Expected a cuda device, but got: {device!r}")
    if isinstance(device, int):
        index = device
    else:
        text = str(device)
        kind, _, idx = text.partition(":")
        if kind != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {text}")
        index = int(idx) if idx else 0
    if index < 0:
        return 0
    if index != 0:
        raise ValueError(f"minitorch uses one GPU (cuda:0); device {device!r} is not supported")
    return index
