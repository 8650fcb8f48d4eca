"""``get_worker_info()`` and ``WorkerInfo``: what a DataLoader worker process knows about itself.

In a worker started by ``DataLoader(num_workers=n)``, ``get_worker_info()`` returns that worker's
``WorkerInfo``: its ``id`` (0 .. n - 1), ``num_workers``, ``seed`` (``base_seed + id``, already used to seed
Python's ``random``, minitorch's generator and NumPy's global RNG in the worker) and ``dataset``, the worker's
own copy of the dataset. It is set before ``worker_init_fn`` runs, so both ``worker_init_fn`` and the dataset's
``__getitem__`` / ``__iter__`` can use it (for instance to shard an ``IterableDataset``). In the main process
it returns None.
"""
from __future__ import annotations

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


_current: WorkerInfo | None = None  # set by the worker loop (_worker_loop.py) in each worker process


def get_worker_info() -> WorkerInfo | None:
    """The current worker's ``WorkerInfo`` inside a DataLoader worker process; None in the main process."""
    return _current
