"""Samplers: which indices a DataLoader visits, and in which batches."""
from __future__ import annotations

from collections.abc import Iterator, Sequence, Sized

import numpy as np

from ...backend.device import CPU
from ...backend.random import Generator, rng_for


class Sampler:
    """Yields dataset indices; ``__len__`` is their number when known."""

    def __init__(self, data_source: Sized | None = None):
        pass

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source: Sized):
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh random permutation every epoch (or ``num_samples`` draws with replacement)."""

    def __init__(self, data_source: Sized, replacement: bool = False, num_samples: int | None = None,
                 generator: Generator | None = None):
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        if num_samples is not None and (not isinstance(num_samples, int) or num_samples <= 0):
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _indices(self):
        """The epoch's indices as a NumPy array (the DataLoader slices it without a Python loop)."""
        rng = rng_for(CPU, self.generator)
        n = len(self.data_source)
        if self.replacement:
            return rng.integers(0, n, size=self.num_samples)
        reps = -(-self.num_samples // n) if n else 0
        perm = [rng.permutation(n) for _ in range(reps)]
        if not perm:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate(perm)[: self.num_samples]

    def __iter__(self) -> Iterator[int]:
        return iter(self._indices().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order each epoch."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None):
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        perm = rng_for(CPU, self.generator).permutation(len(self.indices)).tolist()
        return (self.indices[i] for i in perm)

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of ``batch_size`` (the last one shorter unless ``drop_last``)."""

    def __init__(self, sampler, batch_size: int, drop_last: bool):
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn from ``[0, len(weights))`` with probabilities proportional to ``weights``
    (with replacement by default; without it, each index at most once)."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Generator | None = None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        from ...tensor import Tensor

        if isinstance(weights, Tensor):
            weights = weights.detach().cpu().numpy()
        arr = np.asarray(weights, dtype=np.float64)
        if arr.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(arr.shape)}")
        self.weights = Tensor._wrap(arr.copy())  # a float64 CPU tensor, as torch keeps it
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        from ...sampling import multinomial

        drawn = multinomial(self.weights, self.num_samples, self.replacement, generator=self.generator)
        yield from drawn.array.tolist()

    def __len__(self) -> int:
        return self.num_samples
