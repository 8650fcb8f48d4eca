"""``DistributedSampler``: the slice of a dataset's indices one replica (rank) reads, as torch's.

The split is torch's: pad (repeat from the start) or, with ``drop_last``, trim the index list to a multiple
of ``num_replicas``, then take every ``num_replicas``-th index from ``rank``. The shuffled order is torch's
too: torch shuffles with ``randperm`` on a CPU ``Generator`` seeded ``seed + epoch`` (a Mersenne Twister and a
Fisher-Yates pass), which this file reproduces with NumPy's MT19937, so the same seed gives the same indices.
minitorch has no ``torch.distributed``: ``num_replicas`` and ``rank`` must be given.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Sized

import numpy as np

from .sampler import Sampler

__all__ = ["DistributedSampler"]


def _torch_randperm(n: int, seed: int) -> list[int]:
    """``torch.randperm(n, generator=torch.Generator().manual_seed(seed))`` on the CPU, value for value."""
    bits = np.random.RandomState(seed & 0xFFFFFFFF)._bit_generator  # MT19937, torch's init_genrand seeding
    steps = np.arange(max(n - 1, 0), dtype=np.uint64)
    swap_with = (steps + bits.random_raw(len(steps)).astype(np.uint64) % (np.uint64(n) - steps)).tolist()
    out = list(range(n))
    for i, z in enumerate(swap_with):
        out[i], out[z] = out[z], out[i]
    return out


class DistributedSampler(Sampler):
    """Indices ``rank, rank + num_replicas, ...`` of the (shuffled with ``seed + epoch``) padded index list."""

    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            raise RuntimeError("Requires distributed package to be available (minitorch has no "
                               "torch.distributed: pass num_replicas and rank)")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        indices = _torch_randperm(n, self.seed + self.epoch) if self.shuffle else list(range(n))
        if not self.drop_last:
            padding_size = self.total_size - len(indices)
            if padding_size <= len(indices):
                indices += indices[:padding_size]
            else:
                indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size]
        else:
            indices = indices[:self.total_size]
        if len(indices) != self.total_size:
            raise AssertionError(f"Number of indices ({len(indices)}) does not match total_size ({self.total_size})")
        indices = indices[self.rank:self.total_size:self.num_replicas]
        if len(indices) != self.num_samples:
            raise AssertionError(f"Number of subsampled indices ({len(indices)}) does not match num_samples "
                                 f"({self.num_samples})")
        return iter(indices)

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Reshuffle differently next epoch: the order is seeded with ``seed + epoch``."""
        self.epoch = epoch
