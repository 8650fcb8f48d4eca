"""The backend seam: which array module (NumPy or CuPy) holds a tensor's data.

Every op asks ``xp_of(array)`` for the module to call, so the same op code runs on the
CPU (NumPy) and on an NVIDIA GPU (CuPy). Only this package imports cupy, and lazily.
"""
from .arrays import cupy_module, cupyx_module, is_cupy_array, numpy_of, use_gpu_module, xp_for_device, xp_of
from .device import device, device_of, parse_device
from .dtype import (
    bool_,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    to_dtype,
    to_numpy_dtype,
    uint8,
)
from .random import default_generator, manual_seed, rng_for

__all__ = [
    "xp_of", "xp_for_device", "cupy_module", "cupyx_module", "use_gpu_module", "is_cupy_array", "numpy_of",
    "device", "device_of", "parse_device",
    "dtype", "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool_",
    "get_default_dtype", "to_dtype", "to_numpy_dtype",
    "manual_seed", "rng_for", "default_generator",
]
