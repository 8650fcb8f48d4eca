"""``DataLoader``: iterate a dataset in (shuffled) batches, collated into tensors, like torch's.

``num_workers`` is accepted for compatibility but batches are always built in-process: for the
in-memory datasets minitorch targets, worker processes would cost more than they save. With
``num_workers > 0``, ``worker_init_fn`` is called as ``f(0) ... f(num_workers - 1)`` when iteration starts
(once per ``iter()``, or only the first time with ``persistent_workers``), with ``get_worker_info()`` giving
that worker's ``WorkerInfo`` inside the call; while batches are built ``get_worker_info()`` is None.
A ``TensorDataset`` (or a ``Subset`` of one) with the default collation takes a fast path: each
batch is one fancy-indexing of the underlying arrays instead of ``batch_size`` item lookups.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from ...backend import xp_of
from ...backend.random import Generator
from ...tensor import Tensor
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
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self._auto_collation = batch_sampler is not None
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation or isinstance(dataset, IterableDataset) \
                and batch_size is not None else default_convert
        self.collate_fn = collate_fn

    # ---- iteration -------------------------------------------------------------------------------
    def __iter__(self):
        if self.num_workers > 0 and self.worker_init_fn is not None and not (
                self.persistent_workers and getattr(self, "_workers_initialised", False)):
            self._init_workers()
        if isinstance(self.dataset, IterableDataset):
            return self._iter_iterable()
        if not self._auto_collation:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        fast = _fast_source(self.dataset) if self.collate_fn is default_collate else None
        if fast is not None:
            return self._iter_fast(*fast)
        return (self.collate_fn(self._fetch(batch)) for batch in self.batch_sampler)

    def _init_workers(self) -> None:
        """Call ``worker_init_fn(i)`` for each worker id, as torch's workers do on start (here in-process)."""
        import copy

        from ...backend.device import CPU
        from ...backend.random import rng_for
        from .worker import WorkerInfo, _as_worker

        base_seed = int(rng_for(CPU, self.generator).integers(0, 2**62))
        for wid in range(self.num_workers):
            info = WorkerInfo(id=wid, num_workers=self.num_workers, seed=base_seed + wid,
                              dataset=copy.copy(self.dataset))
            with _as_worker(info):
                self.worker_init_fn(wid)
        self._workers_initialised = True

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
        arrays = [t.array for t in tensors]
        for idx in self._batches_of_indices():
            if indices is not None:
                idx = indices[idx]
            out = []
            for arr in arrays:
                xp = xp_of(arr)
                out.append(Tensor._wrap(arr[idx if xp is np else xp.asarray(idx)]))
            yield out

    def _iter_iterable(self):
        it = iter(self.dataset)
        if self.batch_size is None:
            for sample in it:
                yield self.collate_fn(sample)
            return
        batch = []
        for sample in it:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self._auto_collation:
            return len(self.batch_sampler)
        return len(self.sampler)
