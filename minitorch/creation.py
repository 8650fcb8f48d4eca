"""Creation functions: tensor, zeros, ones, rand, arange, ... with ``dtype=``, ``device=``, ``requires_grad=``."""
from __future__ import annotations

import numpy as np

from .backend import is_cupy_array, numpy_of, xp_for_device
from .backend.device import device_of, parse_device
from .backend.dtype import from_numpy_dtype, get_default_dtype, to_dtype
from .backend.random import permutation_array, rng_for
from .tensor import Tensor


def _size(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    try:
        shape = tuple(int(s) for s in size)
    except TypeError:
        raise TypeError(f"size must be a sequence of ints, got {size!r}") from None
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    return shape


def _infer_numpy_dtype(arr: np.ndarray, data) -> np.dtype:
    """PyTorch's inference: Python floats -> the default float dtype, ints -> int64, arrays keep their dtype."""
    if isinstance(data, (np.ndarray, np.generic)) or is_cupy_array(data):
        return arr.dtype
    if arr.dtype.kind == "f":
        return get_default_dtype().np
    if arr.dtype.kind in "iu":
        return np.dtype(np.int64)
    return arr.dtype


def _flatten_tensors(data):
    """Lists of 0-d Tensors (e.g. [t1, t2]) become plain values."""
    if isinstance(data, (list, tuple)):
        return [_flatten_tensors(d) for d in data]
    if isinstance(data, Tensor):
        return numpy_of(data.data)
    return data


def as_array(data, dtype=None, device=None):
    """The array for ``data`` on ``device`` with PyTorch's dtype inference (copies, like torch.tensor)."""
    dev = parse_device(device) if device is not None else None
    if isinstance(data, Tensor):
        data = data.data
    if is_cupy_array(data):
        arr = data
    else:
        if isinstance(data, (list, tuple)):
            data = _flatten_tensors(data)
        arr = np.asarray(data)
        if arr.dtype == object:
            raise TypeError(f"tensor(): could not convert {type(data).__name__} with ragged or non-numeric values")
    np_dtype = to_dtype(dtype).np if dtype is not None else _infer_numpy_dtype(arr, data)
    if dev is None:
        dev = device_of(arr)
    xp = xp_for_device(dev)
    if xp is np:
        arr = numpy_of(arr)
    return xp.array(arr, dtype=np_dtype, copy=True, order="C")


def _finish(arr, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, scalars, NumPy/CuPy arrays, Tensors)."""
    return _finish(as_array(data, dtype, device), requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    if isinstance(data, np.ndarray) and dtype is None and device is None:
        return Tensor._wrap(data)
    return tensor(data, dtype, device)


def from_numpy(array: np.ndarray) -> Tensor:
    """Wrap a NumPy array without copying (they share memory, as in torch)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    from_numpy_dtype(array.dtype)  # TypeError for dtypes minitorch has no name for (float128, object, ...)
    return Tensor._wrap(array)


def _xp_dtype(dtype, device, default=None):
    dev = parse_device(device)
    dt = to_dtype(dtype).np if dtype is not None else (default or get_default_dtype().np)
    return xp_for_device(dev), dt, dev


def zeros(*size, dtype=None, device=None, requires_grad: bool = False, out=None) -> Tensor:
    xp, dt, _ = _xp_dtype(dtype, device)
    return _finish(xp.zeros(_size(size), dtype=dt), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False, out=None) -> Tensor:
    xp, dt, _ = _xp_dtype(dtype, device)
    return _finish(xp.ones(_size(size), dtype=dt), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False, **_) -> Tensor:
    xp, dt, _ = _xp_dtype(dtype, device)
    return _finish(xp.empty(_size(size), dtype=dt), requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = "bool" if isinstance(fill_value, bool) else "int64" if isinstance(fill_value, int) else None
    xp, dt, _ = _xp_dtype(dtype, device)
    return _finish(xp.full(_size((size,)), fill_value, dtype=dt), requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    xp, dt, dev = _xp_dtype(dtype, device)
    arr = rng_for(dev, generator).random(_size(size), dtype=np.float64 if dt == np.float64 else np.float32)
    return _finish(arr.astype(dt, copy=False), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    xp, dt, dev = _xp_dtype(dtype, device)
    arr = rng_for(dev, generator).standard_normal(_size(size), dtype=np.float64 if dt == np.float64 else np.float32)
    return _finish(arr.astype(dt, copy=False), requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    xp, dt, dev = _xp_dtype(dtype, device, default=np.dtype(np.int64))
    arr = rng_for(dev, generator).integers(low, high, size=_size((size,)), dtype=np.int64)
    return _finish(arr.astype(dt, copy=False), requires_grad)


def randperm(n: int, *, generator=None, dtype=None, device=None) -> Tensor:
    xp, dt, dev = _xp_dtype(dtype, device, default=np.dtype(np.int64))
    return Tensor._wrap(permutation_array(rng_for(dev, generator), n).astype(dt))


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None) -> Tensor:
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        shape = np.broadcast_shapes(getattr(mean, "shape", ()), getattr(std, "shape", ()))
        like = mean if isinstance(mean, Tensor) else std
        return randn(*shape, generator=generator, dtype=like.dtype, device=like.device) * std + mean
    return randn(*_size((size,)), generator=generator, dtype=dtype, device=device) * std + mean


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError(
            f"arange: upper bound and larger bound inconsistent with step sign (start={start}, end={end}, step={step})"
        )
    is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    default = np.dtype(np.int64) if is_int else get_default_dtype().np
    xp, dt, _ = _xp_dtype(dtype, device, default=default)
    return _finish(xp.arange(start, end, step).astype(dt, copy=False), requires_grad)


def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    xp, dt, _ = _xp_dtype(dtype, device)
    return _finish(xp.linspace(start, end, steps).astype(dt), requires_grad)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None) -> Tensor:
    xp, dt, _ = _xp_dtype(dtype, device)
    return Tensor._wrap(xp.logspace(start, end, steps, base=base).astype(dt))


def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    xp, dt, _ = _xp_dtype(dtype, device)
    return _finish(xp.eye(n, m, dtype=dt), requires_grad)


def _like(x: Tensor, dtype, device):
    return (dtype if dtype is not None else x.dtype), (device if device is not None else x.device)


def zeros_like(x: Tensor, *, dtype=None, device=None, requires_grad: bool = False, **_) -> Tensor:
    dt, dev = _like(x, dtype, device)
    return zeros(x.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def ones_like(x: Tensor, *, dtype=None, device=None, requires_grad: bool = False, **_) -> Tensor:
    dt, dev = _like(x, dtype, device)
    return ones(x.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def empty_like(x: Tensor, *, dtype=None, device=None, requires_grad: bool = False, **_) -> Tensor:
    dt, dev = _like(x, dtype, device)
    return empty(x.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def full_like(x: Tensor, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dt, dev = _like(x, dtype, device)
    return full(x.shape, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


def rand_like(x: Tensor, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dt, dev = _like(x, dtype, device)
    return rand(x.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randn_like(x: Tensor, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dt, dev = _like(x, dtype, device)
    return randn(x.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randint_like(x: Tensor, low, high=None, *, dtype=None, device=None) -> Tensor:
    dt, dev = _like(x, dtype, device)
    return randint(low, high, tuple(x.shape), dtype=dt, device=dev)
