"""Array-module lookup: NumPy always, CuPy only when installed and a GPU is present."""
from __future__ import annotations

import numpy as np

_cupy = None
_cupyx = None
_cupy_checked = False
_gpu_hooks: list = []  # called with the array module when a GPU module becomes active (see on_gpu_module)


def on_gpu_module(hook) -> None:
    """Call ``hook(module)`` when a GPU array module becomes active, at once if one already is
    (``minitorch.cuda`` installs its memory-tracking allocator this way, before any GPU allocation)."""
    _gpu_hooks.append(hook)
    if _cupy_checked and _cupy is not None:
        hook(_cupy)


def _gpu_module_ready() -> None:
    for hook in _gpu_hooks:
        hook(_cupy)


def cupy_module():
    """Return the cupy module if it is importable and a GPU is usable, else None (checked once)."""
    global _cupy, _cupyx, _cupy_checked
    if not _cupy_checked:
        _cupy_checked = True
        try:
            import cupy  # noqa: PLC0415 - lazy on purpose: minitorch imports without cupy

            if cupy.cuda.is_available():  # `import cupy` succeeds on machines with no GPU
                import cupyx  # noqa: PLC0415

                _cupy, _cupyx = cupy, cupyx
                try:  # erf and friends on the GPU; optional (a fallback series exists)
                    import cupyx.scipy.special  # noqa: F401, PLC0415
                except Exception:
                    pass
        except Exception:  # ImportError, or a broken CUDA install: no GPU backend
            _cupy = _cupyx = None
        if _cupy is not None:
            _gpu_module_ready()
    return _cupy


def cupyx_module():
    """CuPy's companion package ``cupyx`` (scatter_add, scipy.special), or None without a GPU."""
    cupy_module()
    return _cupyx


def use_gpu_module(module, extras) -> None:
    """Route the cuda device to ``module`` (a CuPy-compatible array module) and ``extras`` (its
    ``cupyx``). For tests: ``tests/fakecupy`` runs the cuda code paths on the CPU with CuPy's rules.
    ``use_gpu_module(None, None)`` turns the cuda device off."""
    global _cupy, _cupyx, _cupy_checked
    _cupy, _cupyx, _cupy_checked = module, extras, True
    if module is not None:
        _gpu_module_ready()


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
    """A NumPy copy/view of ``array`` (copies from the GPU, after raising any failed GPU check)."""
    if is_cupy_array(array):
        from .checks import raise_pending  # noqa: PLC0415 - checks imports this module

        raise_pending()
        return array.get()
    return np.asarray(array)


def add_at(out, index, values) -> None:
    """``out[index] += values`` with repeated indices accumulated (NumPy ``add.at``; on CuPy,
    ``cupyx.scatter_add``, its atomic-add equivalent)."""
    if is_cupy_array(out):
        _gpu_scatter_add(out, index, values)
    else:
        np.add.at(out, index, values)


#: dtypes CuPy's atomic scatter-add supports directly
_GPU_SCATTER_DTYPES = {"float16", "float32", "float64", "int32", "uint32", "uint64"}


def _gpu_scatter_add(out, index, values) -> None:
    """``cupyx.scatter_add`` for every dtype: int64 adds as uint64 (the same two's-complement sums),
    the small integer types and bool through an int32 copy."""
    scatter = cupyx_module().scatter_add
    name = out.dtype.name
    if name in _GPU_SCATTER_DTYPES:
        scatter(out, index, values)
    elif name == "int64":
        as_array = cupy_module().asarray(values, dtype=np.int64)
        scatter(out.view(np.uint64), index, as_array.view(np.uint64))
    else:
        wide = out.astype(np.int32)
        scatter(wide, index, cupy_module().asarray(values).astype(np.int32))
        out[...] = wide.astype(out.dtype) if name != "bool" else wide != 0
