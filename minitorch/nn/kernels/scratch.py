"""Reusable scratch buffers for the big temporaries of conv/pool kernels (CPU only).

Freeing and re-allocating a large block every step costs page faults (glibc returns big
blocks to the OS): a 64x576 GEMM over 32,768 rows measured 43 ms with fresh buffers vs 14 ms
with a reused one. A pooled buffer is handed out again only when nothing else refers to it:
every view of a buffer holds a reference to it, so its reference count tells whether it is free.
"""
from __future__ import annotations

import sys

import numpy as np

_MIN_BYTES = 1 << 20  # smaller blocks come from malloc's free lists anyway
_PER_TAG = 3
_pool: dict = {}


def scratch(xp, shape: tuple, dtype, tag: str):
    """An uninitialised array of ``shape``/``dtype``, reusing a free pooled buffer when possible."""
    dtype = np.dtype(dtype)
    n = dtype.itemsize
    for s in shape:
        n *= s
    if xp is not np or n < _MIN_BYTES:
        return xp.empty(shape, dtype=dtype)
    bufs = _pool.setdefault(tag, [])
    for i in range(len(bufs)):
        # references: the list slot and getrefcount's argument: nothing else uses it
        if sys.getrefcount(bufs[i]) == 2 and bufs[i].nbytes >= n:
            return bufs[i][:n].view(dtype).reshape(shape)
    buf = np.empty(n, dtype=np.uint8)
    if len(bufs) >= _PER_TAG:  # all busy (or too small): replace the smallest free one, else don't pool
        free = [i for i in range(len(bufs)) if sys.getrefcount(bufs[i]) == 2]
        if not free:
            return buf.view(dtype).reshape(shape)
        bufs.pop(min(free, key=lambda i: bufs[i].nbytes))
    bufs.append(buf)
    return buf.view(dtype).reshape(shape)


def scratch_zeros(xp, shape: tuple, dtype, tag: str):
    """Like ``scratch`` but filled with zeros."""
    out = scratch(xp, shape, dtype, tag)
    out.fill(0)
    return out
