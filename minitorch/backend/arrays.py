"""Array-module lookup: NumPy always, CuPy only when installed and a GPU is present."""
from __future__ import annotations

import numpy as np

_cupy = None
_cupy_checked = False


def cupy_module():
    """Return the cupy module if it is importable and a GPU is usable, else None (checked once)."""
    global _cupy, _cupy_checked
    if not _cupy_checked:
        _cupy_checked = True
        try:
            import cupy  # noqa: PLC0415 - lazy on purpose: minitorch imports without cupy

            if cupy.cuda.is_available():  # `import cupy` succeeds on machines with no GPU
                _cupy = cupy
        except Exception:  # ImportError, or a broken CUDA install: no GPU backend
            _cupy = None
    return _cupy


def is_cupy_array(array) -> bool:
    """True when ``array`` is a CuPy ndarray (without importing cupy if it was never used)."""
    return type(array).__module__.startswith("cupy")


def xp_of(array):
    """The array module (numpy or cupy) that owns ``array``."""
    if type(array).__module__.startswith("cupy"):
        return cupy_module()
    return np


def xp_for_device(device) -> object:
    """The array module for a ``minitorch.device`` (cpu -> numpy, cuda -> cupy)."""
    if device.type == "cpu":
        return np
    cp = cupy_module()
    if cp is None:
        raise RuntimeError(
            "cuda device requested but CUDA is not available: install cupy (pip install "
            "'minitorch[gpu]') on a machine with an NVIDIA GPU"
        )
    return cp


def numpy_of(array) -> np.ndarray:
    """A NumPy copy/view of ``array`` (copies from the GPU)."""
    if is_cupy_array(array):
        return array.get()
    return np.asarray(array)


def add_at(out, index, values) -> None:
    """``out[index] += values`` with repeated indices accumulated (NumPy ``add.at``; on CuPy,
    ``cupyx.scatter_add``, its atomic-add equivalent)."""
    if is_cupy_array(out):
        import cupyx  # noqa: PLC0415 - only reached with cupy arrays

        cupyx.scatter_add(out, index, values)
    else:
        np.add.at(out, index, values)
