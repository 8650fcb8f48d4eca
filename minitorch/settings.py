"""Global switches PyTorch scripts set: threads, determinism, matmul precision, inference mode, constants.

What each one does here (NumPy/CuPy have no separate inter-op pool, TF32 or non-deterministic kernels to turn
off) is said in its docstring; none of them pretends: the value set is the value read back.
"""
from __future__ import annotations

import math
import os
import warnings

__all__ = [
    "are_deterministic_algorithms_enabled", "e", "get_float32_matmul_precision", "get_num_interop_threads",
    "get_num_threads", "inf", "is_deterministic_algorithms_warn_only_enabled", "is_inference_mode_enabled", "nan",
    "newaxis", "pi", "set_float32_matmul_precision", "set_num_interop_threads", "set_num_threads",
    "use_deterministic_algorithms",
]

pi = math.pi
e = math.e
inf = math.inf
nan = math.nan
newaxis = None

_state = {"threads": None, "interop": None, "deterministic": False, "warn_only": False, "precision": "highest",
          "limiter": None}


def _blas_threads() -> int | None:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    counts = [pool["num_threads"] for pool in threadpool_info() if pool.get("user_api") == "blas"]
    return max(counts) if counts else None


def set_num_threads(num: int) -> None:
    """Use ``num`` threads in the BLAS behind NumPy (matmul, conv's GEMMs) through threadpoolctl when it is
    installed (``pip install threadpoolctl``; without it the number is only recorded). CuPy is unaffected."""
    num = int(num)
    if num <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        pass
    else:
        _state["limiter"] = threadpool_limits(limits=num, user_api="blas")
    _state["threads"] = num


def get_num_threads() -> int:
    """The threads set by ``set_num_threads``, else the BLAS's own count (else the number of CPUs)."""
    if _state["threads"] is not None:
        return _state["threads"]
    return _blas_threads() or os.cpu_count() or 1


def set_num_interop_threads(num: int) -> None:
    """Recorded only: NumPy runs one op at a time, so there is no inter-op thread pool to size."""
    num = int(num)
    if num <= 0:
        raise RuntimeError("Expected positive number of threads")
    if _state["interop"] is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has started or "
                           "set_num_interop_threads called")
    _state["interop"] = num


def get_num_interop_threads() -> int:
    """The number given to ``set_num_interop_threads`` (default: the number of CPUs, as torch)."""
    return _state["interop"] if _state["interop"] is not None else (os.cpu_count() or 1)


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Recorded and read back. minitorch's CPU kernels are deterministic already; on the GPU, gradients that
    scatter-add in float (index_add, embedding backward) may sum in a different order run to run."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'mode' must be bool, not {type(mode).__name__}")
    _state["deterministic"], _state["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _state["deterministic"] and _state["warn_only"]


def set_float32_matmul_precision(precision: str) -> None:
    """'highest', 'high' or 'medium', recorded: NumPy and CuPy's default GEMMs are full float32 (no TF32),
    which is what 'highest' asks for; the others allow a faster, less precise path that minitorch does not take."""
    if precision not in ("highest", "high", "medium"):  # torch warns and keeps the old value
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "set_float32_matmul_precision call has no effect.", UserWarning, stacklevel=2)
        return
    _state["precision"] = precision


def get_float32_matmul_precision() -> str:
    return _state["precision"]


def is_inference_mode_enabled() -> bool:
    """Whether the code runs inside ``inference_mode()`` (mode=True)."""
    from .autograd.grad_mode import _GradState

    return _GradState.inference
