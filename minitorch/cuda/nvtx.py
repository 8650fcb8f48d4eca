"""``minitorch.cuda.nvtx``: NVTX ranges and marks for Nsight Systems, through ``cupy.cuda.nvtx``.

CuPy's ``RangePush``/``RangePop`` return nothing, so minitorch keeps the nesting depth itself (per thread) and
returns it as torch does (the zero-based level of the range started or ended; -1 for a pop with no open range).
Where CuPy was built without NVTX (``cupy.cuda.nvtx.available`` is False) the calls only keep that count.
Without a GPU they raise, as torch's do without CUDA.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..backend import cupy_module

__all__ = ["range_push", "range_pop", "range_start", "range_end", "mark", "range"]

_local = threading.local()
_NO_NVTX = "NVTX functions not installed. Are you sure you have a CUDA build?"


def _nvtx():
    """CuPy's nvtx module when it can annotate, None when only the depth is kept; RuntimeError without a GPU."""
    cp = cupy_module()
    if cp is None:
        raise RuntimeError(_NO_NVTX)
    nvtx = cp.cuda.nvtx
    return nvtx if getattr(nvtx, "available", False) else None


def range_push(msg: str) -> int:
    """Open a nested range called ``msg``; returns its zero-based depth."""
    nvtx = _nvtx()
    if nvtx is not None:
        nvtx.RangePush(str(msg))
    depth = getattr(_local, "depth", 0)
    _local.depth = depth + 1
    return depth


def range_pop() -> int:
    """Close the innermost open range; returns its depth (-1 when none is open)."""
    nvtx = _nvtx()
    depth = getattr(_local, "depth", 0)
    if depth == 0:
        return -1
    if nvtx is not None:
        nvtx.RangePop()
    _local.depth = depth - 1
    return depth - 1


def range_start(msg: str) -> int:
    """Start a range that may end on another thread; returns its id for ``range_end``."""
    nvtx = _nvtx()
    if nvtx is None:
        return 0
    return int(nvtx.RangeStart(str(msg)))


def range_end(range_id: int) -> None:
    """End the range ``range_start`` returned ``range_id`` for."""
    nvtx = _nvtx()
    if nvtx is not None:
        nvtx.RangeEnd(int(range_id))


def mark(msg: str) -> None:
    """An instantaneous event called ``msg``."""
    nvtx = _nvtx()
    if nvtx is not None:
        nvtx.Mark(str(msg))


@contextmanager
def range(msg: str, *args, **kwargs) -> Iterator[None]:  # noqa: A001 - torch's name
    """``with nvtx.range("epoch {}", n):`` wraps the block in a range named ``msg.format(*args, **kwargs)``."""
    range_push(msg.format(*args, **kwargs))
    try:
        yield
    finally:
        range_pop()
