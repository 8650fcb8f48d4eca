"""``DataLoader``: iterate a dataset in (shuffled) batches, collated into tensors, like torch's.

``num_workers=0`` builds every batch in the main process. A ``TensorDataset`` (or a ``Subset`` of one) with the
default collation takes a fast path there: each batch is one fancy-indexing of the underlying arrays instead of
``batch_size`` item lookups.

``num_workers > 0`` starts that many worker processes (``multiprocessing_context``, default: Python's default
start method, fork on Linux up to Python 3.13, as torch), each with its own copy of the dataset, as torch does:

- the main process draws the index batches from the sampler and sends them round-robin to the workers, at most
  ``prefetch_factor`` (default 2) batches in flight per worker; each worker fetches and collates its batches
  (always on the CPU: CUDA must not be used in forked workers) and sends them back pickled;
- batches come out in sampler order (a reorder buffer), or as they arrive with ``in_order=False``;
- each worker is seeded: ``seed = base_seed + worker_id``, with ``base_seed`` drawn from the loader's
  ``generator`` (else minitorch's global generator) when the iterator is created (also with
  ``num_workers=0``, as torch, so the shuffled order does not depend on ``num_workers``);
  ``random.seed(seed)``, minitorch's generator ``manual_seed(seed)`` and NumPy's global RNG seeded from
  ``(base_seed, worker_id)`` in every worker; then ``worker_init_fn(worker_id)`` runs in the worker, where
  ``get_worker_info()`` returns its ``WorkerInfo`` (None in the main process);
- an exception in a worker is raised again in the main process with the same type and the message
  ``Caught ValueError in DataLoader worker process 0.`` followed by the worker's traceback;
- ``timeout > 0``: RuntimeError ``DataLoader timed out after {timeout} seconds`` if a batch takes longer;
- workers exit when the epoch ends, when the iterator is deleted (``break`` then dropping it) or at
  interpreter exit; with ``persistent_workers=True`` they are kept and reused for every epoch;
- an ``IterableDataset`` is iterated in full by every worker (duplicates, unless it shards itself with
  ``get_worker_info()``), each worker's last batch is short (or dropped with ``drop_last``).

``pin_memory`` is accepted and does nothing (no page-locked host memory); without a GPU it warns as torch does.
"""
from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import queue
import warnings
from collections.abc import Callable, Iterable

import numpy as np

from ...backend import xp_of
from ...backend.device import CPU
from ...backend.random import Generator, rng_for
from ...tensor import Tensor
from ._worker_loop import (
    MP_STATUS_CHECK_INTERVAL,
    ExceptionWrapper,
    _IterableDatasetStopIteration,
    _ResumeIteration,
    _worker_loop,
)
from .collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler


def _fast_source(dataset) -> tuple[tuple[Tensor, ...], np.ndarray | None] | None:
    """The tensors (and the index map, for a Subset) of an in-memory TensorDataset, else None."""
    indices = None
    while isinstance(dataset, Subset):
        idx = np.asarray(dataset.indices, dtype=np.int64)
        indices = idx if indices is None else idx[indices]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:  # a subclass may override __getitem__
        return None
    if any(t.requires_grad for t in dataset.tensors):  # keep the graph: go through stack()
        return None
    return dataset.tensors, indices


def _index_tensors(tensors, indices: np.ndarray | None, idx: np.ndarray) -> list[Tensor]:
    """One batch of a TensorDataset: each tensor's rows ``idx`` (mapped through a Subset's ``indices``)."""
    if indices is not None:
        idx = indices[idx]
    out = []
    for t in tensors:
        arr = t.array
        xp = xp_of(arr)
        out.append(Tensor._wrap(arr[idx if xp is np else xp.asarray(idx)]))
    return out


def _draw_base_seed(generator: Generator | None) -> int:
    """A 63-bit seed from the loader's generator (else the global one), drawn once per iterator, as torch."""
    return int(rng_for(CPU, generator).bit_generator.random_raw()) >> 1  # = integers(0, 2**63), 5x cheaper


def _warn_if_longer(dataset, expected: int, num_yielded: int, num_workers: int, stacklevel: int) -> None:
    """torch's warning when an IterableDataset yields more batches than the ``len()`` it reported (torch compares
    the batches yielded with the dataset's length in samples, and so does this)."""
    if num_yielded > expected:
        msg = (f"Length of IterableDataset {dataset} was reported to be {expected}(when accessing "
               f"len(dataloader)), but {num_yielded} samples have been fetched. ")
        if num_workers > 0:
            msg += ("For multiprocessing data-loading, this could be caused by not properly configuring the "
                    "IterableDataset replica at each worker. Please see "
                    "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset for examples.")
        warnings.warn(msg, stacklevel=stacklevel)


_python_exit_status = False
"""Set at interpreter exit: iterators then leave their (daemonic) workers to multiprocessing's own clean-up."""


def _set_python_exit_flag() -> None:
    global _python_exit_status
    _python_exit_status = True


import atexit  # noqa: E402  (registered here, next to the flag it sets)

atexit.register(_set_python_exit_flag)


class DataLoader:
    """Batches of ``dataset`` samples: ``for x, y in DataLoader(ds, batch_size=32, shuffle=True): ...``."""

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Iterable | None = None, batch_sampler: Iterable | None = None,
                 num_workers: int = 0, collate_fn: Callable | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn: Callable | None = None,
                 multiprocessing_context=None, generator: Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers "
                             "> 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if isinstance(dataset, IterableDataset):
            if shuffle not in (None, False):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle option, "
                                 f"but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler option, "
                                 f"but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler "
                                 f"option, but got batch_sampler={batch_sampler}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive "
                             "with drop_last")
        if sampler is None and not isinstance(dataset, IterableDataset):
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not isinstance(dataset, IterableDataset):
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._auto_collation = batch_sampler is not None
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation or isinstance(dataset, IterableDataset) \
                and batch_size is not None else default_convert
        self.collate_fn = collate_fn
        self._IterableDataset_len_called: int | None = None
        self._iterator: _MultiProcessingDataLoaderIter | None = None
        self.check_worker_number_rationality()

    @property
    def multiprocessing_context(self):
        """The multiprocessing context (``fork``, ``spawn``, ``forkserver``) workers start with; None: default."""
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context) -> None:
        if context is not None:
            if self.num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process loading "
                                 f"(num_workers > 0), but got num_workers={self.num_workers}")
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError(f"multiprocessing_context option should specify a valid start method in "
                                     f"{methods!r}, but got multiprocessing_context={context!r}")
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError("multiprocessing_context option should be a valid context object or a string "
                                f"specifying the start method, but got multiprocessing_context={context}")
        self._multiprocessing_context = context

    def check_worker_number_rationality(self) -> None:
        """Warn, as torch does, when ``num_workers`` exceeds the CPUs this process may use."""
        if not self.num_workers:
            return
        cpuset_checked = hasattr(os, "sched_getaffinity")
        suggest = len(os.sched_getaffinity(0)) if cpuset_checked else os.cpu_count()
        if suggest is None or self.num_workers > suggest:
            if suggest is not None:
                hint = (f"Our suggested max number of worker in current system is {suggest}"
                        f"{'' if cpuset_checked else ' (`cpuset` is not taken into account)'}, which is smaller "
                        "than what this DataLoader is going to create.")
            else:
                hint = "DataLoader is not able to compute a suggested max number of worker in current system."
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in total. {hint} "
                          "Please be aware that excessive worker creation might get DataLoader running slow or "
                          "even freeze, lower the worker number to avoid potential slowness/freeze if necessary.",
                          stacklevel=3)

    # ---- iteration -------------------------------------------------------------------------------
    def __iter__(self):
        if self.pin_memory:
            _warn_pin_memory_without_gpu()
        if self.num_workers > 0:
            if not self.persistent_workers:
                return _MultiProcessingDataLoaderIter(self)
            if self._iterator is None:
                self._iterator = _MultiProcessingDataLoaderIter(self)
            else:
                self._iterator._reset(self)
            return self._iterator
        _draw_base_seed(self.generator)  # as torch's iterators do: the shuffled order is the same for any workers
        if isinstance(self.dataset, IterableDataset):
            return self._iter_iterable()
        if not self._auto_collation:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        fast = _fast_source(self.dataset) if self.collate_fn is default_collate else None
        if fast is not None:
            return self._iter_fast(*fast)
        return (self.collate_fn(self._fetch(batch)) for batch in self.batch_sampler)

    def _fetch(self, batch: list[int]) -> list:
        getitems = getattr(self.dataset, "__getitems__", None)
        if getitems is not None:
            return getitems(batch)
        return [self.dataset[i] for i in batch]

    def _batches_of_indices(self):
        """Index arrays per batch; the built-in samplers are sliced without a per-index Python loop."""
        bs = self.batch_sampler
        if type(bs) is BatchSampler and type(bs.sampler) in (RandomSampler, SequentialSampler):
            order = (bs.sampler._indices() if isinstance(bs.sampler, RandomSampler)
                     else np.arange(len(bs.sampler)))
            n, size = len(order), bs.batch_size
            stop = n - n % size if bs.drop_last else n
            for start in range(0, stop, size):
                yield order[start:start + size]
        else:
            for batch in bs:
                yield np.asarray(batch, dtype=np.int64)

    def _iter_fast(self, tensors: tuple[Tensor, ...], indices: np.ndarray | None):
        for idx in self._batches_of_indices():
            yield _index_tensors(tensors, indices, idx)

    def _iter_iterable(self):
        it = iter(self.dataset)
        if self.batch_size is None:
            for n, sample in enumerate(it, 1):
                self._check_iterable_len(n)
                yield self.collate_fn(sample)
            return
        batch = []
        n = 0
        for sample in it:
            batch.append(sample)
            if len(batch) == self.batch_size:
                n += 1
                self._check_iterable_len(n)
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            self._check_iterable_len(n + 1)
            yield self.collate_fn(batch)

    def _check_iterable_len(self, num_yielded: int) -> None:
        if self._IterableDataset_len_called is not None:
            _warn_if_longer(self.dataset, self._IterableDataset_len_called, num_yielded, 0, stacklevel=4)

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        if self._auto_collation:
            return len(self.batch_sampler)
        return len(self.sampler)


def _warn_pin_memory_without_gpu() -> None:
    """torch's warning when ``pin_memory=True`` finds no accelerator (the batches are then left unpinned)."""
    from ... import cuda  # noqa: PLC0415 - minitorch.cuda imports the tensor layer

    if not cuda.is_available():
        warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device pinned "
                      "memory won't be used.", stacklevel=3)


class _MultiProcessingDataLoaderIter:
    """One pass over a DataLoader with worker processes (kept across passes with ``persistent_workers``).

    Task bookkeeping, as torch's: ``_send_idx`` numbers the tasks sent, ``_rcvd_idx`` the next one to yield;
    ``_task_info[i]`` is ``(worker_id,)`` while task ``i`` is in flight and ``(worker_id, data)`` once it has
    arrived out of order.
    """

    def __init__(self, loader: DataLoader):
        self._dataset = loader.dataset
        self._iterable = isinstance(loader.dataset, IterableDataset)
        self._num_workers = loader.num_workers
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        self._timeout = loader.timeout
        self._persistent_workers = loader.persistent_workers
        self._index_sampler = loader.batch_sampler if loader._auto_collation else loader.sampler
        self._len_called = loader._IterableDataset_len_called  # no reference to the loader: no cycle
        if self._prefetch_factor <= 0:
            raise AssertionError("prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter")
        self._base_seed = _draw_base_seed(loader.generator)  # before the sampler draws its permutation, as torch
        self._sampler_iter = self._index_iter(loader)
        ctx = loader.multiprocessing_context or multiprocessing
        self._shutdown = False
        self._workers_status = [True] * self._num_workers
        self._worker_result_queue = ctx.Queue()
        self._workers_done_event = ctx.Event()
        self._index_queues = []
        self._workers = []
        for wid in range(self._num_workers):
            index_queue = ctx.Queue()
            index_queue.cancel_join_thread()
            w = ctx.Process(target=_worker_loop, args=(
                self._iterable, self._dataset, index_queue, self._worker_result_queue, self._workers_done_event,
                loader._auto_collation, loader.collate_fn, loader.drop_last, self._base_seed,
                loader.worker_init_fn, wid, self._num_workers, self._persistent_workers))
            w.daemon = True  # killed by multiprocessing at interpreter exit if still running
            w.start()
            self._index_queues.append(index_queue)
            self._workers.append(w)
        self._data_queue = self._worker_result_queue
        self._reset(loader, first_iter=True)

    @staticmethod
    def _index_iter(loader: DataLoader):
        """What is sent to the workers: index batches (lists), single indices, or the batch size for an
        IterableDataset (its workers just take the next ``batch_size`` items)."""
        if isinstance(loader.dataset, IterableDataset):
            return itertools.repeat(loader.batch_size)
        return iter(loader.batch_sampler if loader._auto_collation else loader.sampler)

    def __iter__(self):
        return self

    def __len__(self) -> int:
        return len(self._index_sampler)

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        if not first_iter:
            self._sampler_iter = self._index_iter(loader)
        self._len_called = loader._IterableDataset_len_called
        self._num_yielded = 0
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info: dict[int, tuple] = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:  # persistent workers: start a new epoch, dropping what the last one left in flight
            for q in self._index_queues:
                q.put(_ResumeIteration())
            pending = self._num_workers
            while pending > 0:
                idx, _ = self._get_data()
                if isinstance(idx, _ResumeIteration):
                    pending -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    # ---- receiving ------------------------------------------------------------------------------------------
    def _try_get_data(self, timeout: float):
        try:
            return True, self._data_queue.get(timeout=timeout)
        except Exception as e:
            failed = [w for wid, w in enumerate(self._workers) if self._workers_status[wid] and not w.is_alive()]
            for w in failed:
                self._mark_worker_as_unavailable(self._workers.index(w))
            if failed:
                pids = ", ".join(str(w.pid) for w in failed)
                raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly") from e
            if isinstance(e, queue.Empty):
                return False, None
            raise

    def _get_data(self):
        if self._timeout > 0:
            ok, data = self._try_get_data(self._timeout)
            if ok:
                return data
            raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
        while True:
            ok, data = self._try_get_data(MP_STATUS_CHECK_INTERVAL)
            if ok:
                return data

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if self._iterable and self._len_called is not None:
            _warn_if_longer(self._dataset, self._len_called, self._num_yielded, self._num_workers, stacklevel=3)
        return data

    def _next_data(self):
        while True:
            # skip tasks whose worker has stopped (an exhausted IterableDataset copy) without a result
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info:
                    if len(info) == 2 or self._workers_status[info[0]]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:  # arrived earlier, out of order
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if self._iterable and isinstance(data, _IterableDatasetStopIteration):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    worker_id = self._task_info.pop(idx)[0]
                    return self._process_data(data, worker_id)
                self._task_info[idx] += (data,)  # keep it until its turn
            else:
                worker_id = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _process_data(self, data, worker_id: int):
        self._workers_num_tasks[worker_id] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    # ---- sending --------------------------------------------------------------------------------------------
    def _try_put_index(self) -> None:
        max_tasks = self._prefetch_factor * self._num_workers
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        for _ in range(self._num_workers):  # the next active worker (with room, when out of order is allowed)
            wid = next(self._worker_queue_idx_cycle)
            if self._workers_status[wid]:
                if self._in_order or self._workers_num_tasks[wid] < max_tasks // sum(self._workers_status):
                    break
        else:
            return  # no active worker left
        self._index_queues[wid].put((self._send_idx, index))
        self._task_info[self._send_idx] = (wid,)
        self._workers_num_tasks[wid] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    # ---- shutting down --------------------------------------------------------------------------------------
    def _mark_worker_as_unavailable(self, worker_id: int, shutdown: bool = False) -> None:
        """Tell worker ``worker_id`` to exit (it finishes nothing more) and stop sending it tasks."""
        self._index_queues[worker_id].put(None)
        self._workers_status[worker_id] = False

    def _shutdown_workers(self) -> None:
        """Stop and join every worker (terminate those that do not exit in time); safe to call twice."""
        if _python_exit_status is not False or self._shutdown:  # None: module globals already torn down
            return  # at exit, multiprocessing terminates the daemonic workers itself
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for wid in range(len(self._workers)):
                if self._persistent_workers or self._workers_status[wid]:
                    self._mark_worker_as_unavailable(wid, shutdown=True)
            for w in self._workers:
                w.join(timeout=MP_STATUS_CHECK_INTERVAL)
            for q in self._index_queues:
                q.cancel_join_thread()
                q.close()
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=MP_STATUS_CHECK_INTERVAL)

    def __getstate__(self):
        raise NotImplementedError(f"{type(self).__name__} cannot be pickled")

    def __del__(self) -> None:
        if getattr(self, "_workers", None) is not None:
            self._shutdown_workers()
