"""``get_worker_info()`` and ``WorkerInfo``: what a DataLoader worker knows about itself.

minitorch builds every batch in the main process (``num_workers`` spawns no workers), so
``get_worker_info()`` returns None while batches are built: an ``IterableDataset`` that shards itself by
worker then yields all of its data once, as torch's workers would together. The one exception is
``worker_init_fn``: ``DataLoader(num_workers=n, worker_init_fn=f)`` calls ``f(0)``, ..., ``f(n - 1)`` in the
main process when iteration starts, and inside each call ``get_worker_info()`` gives that worker's
``WorkerInfo`` (its ``dataset`` is a shallow copy, as each torch worker has its own copy).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["WorkerInfo", "get_worker_info"]


@dataclass(frozen=True)
class WorkerInfo:
    """A worker's id (0 .. num_workers - 1), the number of workers, its seed and its dataset copy."""

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None
    worker_method: str | None = "multiprocessing"


_current: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The current worker's ``WorkerInfo``; None in the main process (where minitorch builds batches)."""
    return _current


@contextlib.contextmanager
def _as_worker(info: WorkerInfo) -> Iterator[None]:
    global _current
    previous, _current = _current, info
    try:
        yield
    finally:
        _current = previous
