"""``default_collate``: turn a list of samples into a batch, with torch's rules."""
from __future__ import annotations

import collections.abc as abc
from typing import Any

import numpy as np

from ...tensor import Tensor

_ERR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _stack(tensors: list[Tensor]) -> Tensor:
    from ...ops.shape import stack

    return stack(tensors, 0)


def default_collate(batch: abc.Sequence) -> Any:
    """Stack a list of samples into a batch: tensors and arrays stacked along a new dim 0, Python floats
    to float64, ints to int64, bools to bool, strings kept as a sequence, tuples/lists transposed and
    collated per position (as a list), dicts collated per key."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(list(batch))
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "OSU":
            raise TypeError(_ERR.format(elem.dtype))
        return Tensor._wrap(np.stack(batch))
    if isinstance(elem, np.generic):
        if elem.dtype.kind in "OSU":
            raise TypeError(_ERR.format(elem.dtype))
        return Tensor._wrap(np.array(batch))
    if isinstance(elem, bool):
        return Tensor._wrap(np.array(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return Tensor._wrap(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor._wrap(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(s) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns
        try:
            return type(elem)(columns)
        except TypeError:
            return columns
    raise TypeError(_ERR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """What the loader applies per sample when batching is off: arrays become tensors, containers recurse."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray) and data.dtype.kind not in "OSU":
        return Tensor._wrap(data)
    if isinstance(data, np.generic) and data.dtype.kind not in "OSU":
        return Tensor._wrap(np.asarray(data))
    if isinstance(data, abc.Mapping):
        return type(data)({k: default_convert(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (list, tuple)):
        return type(data)(default_convert(d) for d in data)
    return data
