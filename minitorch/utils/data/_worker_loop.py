"""What runs inside a ``DataLoader`` worker process, and the messages it exchanges with the main process.

The main process (``dataloader._MultiProcessingDataLoaderIter``) puts ``(task_idx, index)`` on a worker's own
index queue; the worker fetches and collates that batch and puts ``(task_idx, batch)`` on the result queue
shared by all workers. Special messages: ``None`` (exit), ``_ResumeIteration`` (a new epoch with persistent
workers: rebuild the fetcher and acknowledge), and, going back, ``_IterableDatasetStopIteration`` (this worker's
copy of an ``IterableDataset`` is exhausted) and ``ExceptionWrapper`` (the fetch raised: the main process
re-raises it).

Batches cross the process boundary pickled through the result queue. Tensors travel as their NumPy array (see
``_reduce_tensor``): pickling a 64x3x32x32 float32 batch through the queue measured about as fast as copying
it through a ``multiprocessing.shared_memory`` block (about 1 ms a batch either way), without shared memory's
segment lifetime and resource-tracker bookkeeping.
"""
from __future__ import annotations

import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

MP_STATUS_CHECK_INTERVAL = 5.0
"""Seconds between checks that the other side is still alive while waiting on a queue (torch's value)."""

_WORKER_POLL_INTERVAL = 0.1
"""Seconds an idle worker waits for a task before checking that it should go on (shutdown, main process gone).
Short, unlike torch's 5 s: when a DataLoader iterator is freed by the garbage collector, its index queues may
be finalized before the iterator, so the final ``None`` never arrives and the worker sees only ``done_event``."""


class _KeyErrorMessage(str):
    """A str whose repr is itself: ``KeyError(msg)`` then prints the traceback text readably."""

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """An exception caught in a worker, kept as its type and formatted traceback (tracebacks don't pickle)."""

    def __init__(self, exc_info=None, where: str = "in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the same exception type in this process: ``Caught ValueError in DataLoader worker process 0.``
        followed by ``Original Traceback (most recent call last): ...``, as torch does."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:  # an exception class that takes other arguments
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            exception = None  # no frame -> traceback -> exception cycle keeping the DataLoader iterator alive


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an IterableDataset has no more batches."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to persistent workers when a new epoch starts; echoed back as the acknowledgement."""


# ---- fetching --------------------------------------------------------------------------------------------------
class _MapFetcher:
    """``fetch(indices)``: the collated batch of ``dataset[i]`` (one index when auto-collation is off)."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        self.fast = None
        if auto_collation:
            from .collate import default_collate
            from .dataloader import _fast_source

            if collate_fn is default_collate:
                self.fast = _fast_source(dataset)

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.fast is not None:  # an in-memory TensorDataset: one fancy-indexing per tensor
            from .dataloader import _index_tensors

            return _index_tensors(self.fast[0], self.fast[1], np.asarray(index, dtype=np.int64))
        getitems = getattr(self.dataset, "__getitems__", None)
        data = getitems(index) if getitems else [self.dataset[i] for i in index]
        return self.collate_fn(data)


class _IterableFetcher:
    """``fetch(batch_size)``: the next ``batch_size`` items of this worker's iterator, collated (the next single
    item when ``batch_size`` is None); StopIteration when empty, or short with ``drop_last``."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool):
        self.it = iter(dataset)
        self.collate_fn, self.drop_last = collate_fn, drop_last
        self.ended = False

    def fetch(self, batch_size):
        if self.ended:
            raise StopIteration
        if batch_size is None:
            return self.collate_fn(next(self.it))
        data = []
        for _ in range(batch_size):
            try:
                data.append(next(self.it))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < batch_size):
            raise StopIteration
        return self.collate_fn(data)


# ---- sending tensors -------------------------------------------------------------------------------------------
def _rebuild_tensor(array, requires_grad: bool):
    from ...tensor import Tensor

    t = Tensor._wrap(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _reduce_tensor(t):
    """Pickle a Tensor as its array (no copy first, unlike ``Tensor.__reduce_ex__``); a batch arrives as a leaf."""
    return _rebuild_tensor, (t.array, t.requires_grad)


def _numpy_seed(base_seed: int, worker_id: int) -> np.ndarray:
    """The seed for NumPy's global RNG in a worker: four 32-bit words mixed from (worker_id, base_seed), so that
    NumPy's stream differs from Python's ``random`` (seeded with ``base_seed + worker_id``), as torch does."""
    return np.random.SeedSequence([worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32]).generate_state(4)


def _seed_worker(seed: int, base_seed: int, worker_id: int) -> None:
    """Seed Python's ``random``, minitorch's generators and NumPy's global RNG in a fresh worker."""
    from ...backend import random as mt_random

    random.seed(seed)
    mt_random.default_generator.manual_seed(seed)
    mt_random._cuda_generator = None  # a CUDA generator, if ever used, derives from the CPU seed (no CUDA here)
    np.random.seed(_numpy_seed(base_seed, worker_id))


def _worker_loop(iterable: bool, dataset, index_queue, data_queue, done_event, auto_collation: bool,
                 collate_fn, drop_last: bool, base_seed: int, init_fn, worker_id: int, num_workers: int,
                 persistent_workers: bool) -> None:
    """The body of worker ``worker_id``: seed, set ``get_worker_info()``, run ``init_fn``, then serve tasks."""
    try:
        from multiprocessing.reduction import ForkingPickler

        from ... import settings
        from ...tensor import Tensor
        from . import worker as worker_mod

        ForkingPickler.register(Tensor, _reduce_tensor)
        try:
            settings.set_num_threads(1)  # as torch: workers do not fight over the BLAS's threads
        except Exception:  # pragma: no cover - threadpoolctl trouble must not kill the worker
            pass
        seed = base_seed + worker_id
        _seed_worker(seed, base_seed, worker_id)
        worker_mod._current = worker_mod.WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                                    dataset=dataset)
        fetcher_cls = _IterableFetcher if iterable else _MapFetcher
        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = fetcher_cls(dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        iteration_end = False
        parent = os.getppid()
        while os.getppid() == parent:  # the main process died: stop (its daemon children are not killed then)
            try:
                r = index_queue.get(timeout=_WORKER_POLL_INTERVAL)
            except queue.Empty:
                if done_event.is_set():
                    break
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                try:
                    fetcher = fetcher_cls(dataset, auto_collation, collate_fn, drop_last)
                except Exception:
                    init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue  # shutting down, or exhausted: wait for the final None without working
            idx, index = r
            data: Any
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not iterable:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                    else:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                except Exception:
                    data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass  # the main process gets its own KeyboardInterrupt
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
