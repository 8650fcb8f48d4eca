"""Creation functions: tensor, zeros, ones, rand, arange, ... with ``dtype=``, ``device=``, ``requires_grad=``,
``out=`` and the rest of torch's keywords; the default device (``set_default_device``)."""
from __future__ import annotations

import operator

import numpy as np

from .backend import is_cupy_array, numpy_of, xp_for_device, xp_of
from .backend.device import device, device_of, parse_device
from .backend.dtype import bool_, default_complex, from_numpy_dtype, get_default_dtype, int64, promote_types, to_dtype
from .backend.random import permutation_array, rng_for
from .tensor import (
    Tensor,
    _memory_order,
    channels_last,
    channels_last_3d,
    check_layout,
    contiguous_format,
    preserve_format,
)

# ---------------------------------------------------------------- the default device ---------------
_default_device: list = [None]


def set_default_device(device) -> None:
    """Make ``device`` where creation functions put new tensors when no ``device=`` is given
    (``None`` restores the CPU), as ``torch.set_default_device``."""
    _default_device[0] = None if device is None else parse_device(device)


def get_default_device() -> device:
    """The device new tensors go to (cpu unless ``set_default_device`` changed it)."""
    return _default_device[0] or parse_device(None)


def _device(dev) -> device:
    return parse_device(dev) if dev is not None else get_default_device()


# ---------------------------------------------------------------- sizes ----------------------------
def _size(size, size_kw=None, op: str = "zeros") -> tuple:
    """The shape from ``f(2, 3)``, ``f((2, 3))``, ``f(Size)`` or ``f(size=(2, 3))``, with torch's errors."""
    if size_kw is not None:
        if size:
            raise TypeError(f"{op}() got multiple values for argument 'size'")
        size = (size_kw,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    shape = []
    for i, s in enumerate(size):
        try:
            shape.append(operator.index(s))
        except TypeError:
            raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__} at pos {i}") from None
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {shape}")
    return tuple(shape)


# ---------------------------------------------------------------- data -> array --------------------
_PY_SCALARS = {bool, int, float}
_CONVERT = "tensors or device arrays inside the data"  # marker: the data needs _to_host_values


def _leaf_dtype(obj):
    """The dtype torch infers for one element of nested data."""
    t = type(obj)
    if t is float:
        return get_default_dtype()
    if t is int:
        return int64
    if t is bool:
        return bool_
    if isinstance(obj, np.generic):
        return from_numpy_dtype(obj.dtype)
    if isinstance(obj, Tensor):
        if obj.array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return obj.dtype
    if isinstance(obj, float):
        return get_default_dtype()
    if isinstance(obj, int):
        return int64
    if isinstance(obj, complex):  # complex64 under a float32 default, as torch
        return default_complex()
    if isinstance(obj, str):
        raise ValueError(f"too many dimensions '{t.__name__}'")
    raise RuntimeError(f"Could not infer dtype of {t.__name__}")


def _first_shape(data) -> list:
    """The shape torch reads down the first elements: lists/tuples give a dim, arrays their shape."""
    shape, obj = [], data
    while True:
        if isinstance(obj, (list, tuple)):
            shape.append(len(obj))
            if not obj:
                return shape
            obj = obj[0]
        elif isinstance(obj, np.ndarray) or is_cupy_array(obj):
            return shape + list(obj.shape)
        else:
            return shape


def _scan(obj, depth: int, shape: list, found: set) -> None:
    """Check that ``obj`` fills ``shape[depth:]`` (torch's ragged-list errors) and collect leaf dtypes."""
    if isinstance(obj, (list, tuple)):
        if depth == len(shape):
            raise ValueError(f"expected a number at dim {depth - 1} (got a sequence of length {len(obj)})")
        if len(obj) != shape[depth]:
            raise ValueError(f"expected sequence of length {shape[depth]} at dim {depth} (got {len(obj)})")
        if depth == len(shape) - 1:
            types = set(map(type, obj))
            if types <= _PY_SCALARS:  # the common case: a row of Python numbers
                found.update(types)
                return
        for item in obj:
            _scan(item, depth + 1, shape, found)
    elif isinstance(obj, np.ndarray) or is_cupy_array(obj):
        if tuple(obj.shape) != tuple(shape[depth:]):
            got = obj.shape[0] if obj.ndim else 0
            raise ValueError(f"expected sequence of length {shape[depth] if depth < len(shape) else 0} at dim "
                             f"{depth} (got {got})")
        found.add(from_numpy_dtype(obj.dtype))
        if not isinstance(obj, np.ndarray):
            found.add(_CONVERT)
    else:
        if depth != len(shape):
            raise TypeError("not a sequence")
        found.add(_leaf_dtype(obj))
        if isinstance(obj, Tensor):
            found.add(_CONVERT)


def _infer_dtype(found: set):
    """Promote the leaf dtypes as torch does (Python float -> default float, int -> int64, bool -> bool)."""
    result = None
    for d in found:
        if d is _CONVERT:
            continue
        d = {float: get_default_dtype(), int: int64, bool: bool_}.get(d, d)
        result = d if result is None else promote_types(result, d)
    return result if result is not None else get_default_dtype()


def _to_host_values(data):
    """Nested data with Tensors replaced by their value and CuPy arrays moved to the host (for np.asarray)."""
    if isinstance(data, (list, tuple)):
        return [_to_host_values(d) for d in data]
    if isinstance(data, Tensor):
        return numpy_of(data.array).reshape(()).item()
    if is_cupy_array(data):
        return numpy_of(data)
    return data


def as_array(data, dtype=None, device=None):
    """The array for ``data`` on ``device`` with PyTorch's dtype inference (copies, like torch.tensor)."""
    if isinstance(data, Tensor):
        data = data.array
    if isinstance(data, np.ndarray) or is_cupy_array(data):
        np_dtype = to_dtype(dtype).np if dtype is not None else from_numpy_dtype(data.dtype).np
        dev = parse_device(device) if device is not None else device_of(data)
        arr = data
    else:
        shape = _first_shape(data)
        found: set = set()
        _scan(data, 0, shape, found)
        np_dtype = to_dtype(dtype).np if dtype is not None else _infer_dtype(found).np
        dev = _device(device)
        values = _to_host_values(data) if _CONVERT in found else data
        try:
            arr = np.asarray(values, dtype=np_dtype)
        except OverflowError:
            raise RuntimeError(f"value cannot be converted to type {np_dtype} without overflow") from None
    xp = xp_for_device(dev)
    if xp is np:
        arr = numpy_of(arr)
    return xp.array(arr, dtype=np_dtype, copy=True, order="C")


# ---------------------------------------------------------------- results and out= ---------------
_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                 "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
                 "complex128": "ComplexDouble", "bfloat16": "BFloat16"}


def _scalar_name(np_dtype) -> str:
    return _SCALAR_NAMES[from_numpy_dtype(np.dtype(np_dtype)).name]


def _finish(arr, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _out_dtype(dtype, out):
    """``dtype=`` if given, else ``out``'s dtype (torch fills ``out`` in its own dtype)."""
    if dtype is None and out is not None:
        if not isinstance(out, Tensor):
            raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
        return out.dtype
    return dtype


def _result(arr, out, requires_grad: bool, op: str) -> Tensor:
    """A new tensor around ``arr``, or ``arr`` written into ``out`` (resized when its shape differs)."""
    if out is None:
        return _finish(arr, requires_grad)
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    from .autograd.grad_mode import is_grad_enabled

    if arr.dtype != out.array.dtype:
        raise RuntimeError(f"dtype {_scalar_name(arr.dtype)} does not match dtype of out parameter "
                           f"({_scalar_name(out.array.dtype)})")
    if type(arr) is not type(out.array):
        raise RuntimeError(f"{op}(): Expected out tensor to be on {device_of(arr)} but got {out.device}")
    if (out._requires_grad or requires_grad) and is_grad_enabled():
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    if out.array.shape == arr.shape and getattr(out.array.flags, "writeable", True):  # CuPy's flags have none
        xp_of(arr).copyto(out.array, arr)
    else:  # resize, as torch does for an out tensor of another shape
        out.array = arr
    out._version += 1
    return out


def _check_float(dt, op: str, kernel: str) -> None:
    if np.dtype(dt).kind not in "fc":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_name(dt)}'")


def _random_floats(gen, method: str, shape: tuple, dt):
    """``gen.random``/``gen.standard_normal`` samples in dtype ``dt``; a complex dtype draws the real and
    imaginary parts as independent reals (N(0, 1/2) each for randn, unit total variance, as torch)."""
    dt = np.dtype(dt)
    if dt.kind == "c":
        real = np.float64 if dt == np.complex128 else np.float32
        pairs = getattr(gen, method)(tuple(shape) + (2,), dtype=real)
        if method == "standard_normal":
            pairs *= real(0.5 ** 0.5)
        return pairs.view(dt)[..., 0]
    arr = getattr(gen, method)(shape, dtype=np.float64 if dt == np.float64 else np.float32)
    return arr.astype(dt, copy=False)


def _with_format(arr, fmt, op: str):
    """``arr`` laid out in memory as ``fmt`` asks (channels_last: NHWC memory behind the NCHW shape)."""
    if fmt is None or fmt is contiguous_format or fmt is preserve_format:
        return arr
    order = _memory_order(fmt, arr.ndim, op)
    inverse = tuple(sorted(range(len(order)), key=order.__getitem__))
    return xp_of(arr).ascontiguousarray(arr.transpose(order)).transpose(inverse)


def _like_format(x: Tensor, fmt):
    """``preserve_format`` keeps a channels-last input channels-last, as torch's ``*_like`` do."""
    if fmt is not preserve_format or x.array.flags.c_contiguous:
        return None if fmt is preserve_format else fmt
    for cand in (channels_last, channels_last_3d):
        if x.array.ndim == (4 if cand is channels_last else 5) and x.is_contiguous(memory_format=cand):
            return cand
    return None


def _xp_dtype(dtype, device, default=None):
    dev = _device(device)
    dt = to_dtype(dtype).np if dtype is not None else (default or get_default_dtype().np)
    return xp_for_device(dev), dt, dev


def _pin(pin_memory: bool, dev) -> None:
    if pin_memory and dev.type != "cpu":
        raise RuntimeError(f"only dense CPU tensors can be pinned (got device {dev})")


# ---------------------------------------------------------------- from data ----------------------
def tensor(data, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, scalars, NumPy/CuPy arrays, Tensors)."""
    return _finish(as_array(data, dtype, device), requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, sharing memory when no conversion is needed (Tensors, NumPy arrays)."""
    dev = parse_device(device) if device is not None else None
    if isinstance(data, Tensor):
        if (dtype is None or to_dtype(dtype).np == data.array.dtype) and (dev is None or dev == data.device):
            return data
        return data.to(dev if dev is not None else data.device, dtype if dtype is not None else data.dtype)
    if isinstance(data, np.ndarray) and dtype is None and (dev or get_default_device()).type == "cpu":
        from_numpy_dtype(data.dtype)
        return Tensor._wrap(data)
    return tensor(data, dtype, device)


def from_numpy(array: np.ndarray) -> Tensor:
    """Wrap a NumPy array without copying (they share memory, as in torch)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    from_numpy_dtype(array.dtype)  # TypeError for dtypes minitorch has no name for (float128, object, ...)
    return Tensor._wrap(array)


# ---------------------------------------------------------------- filled -------------------------
def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
          **kwargs) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``."""
    shape = _size(size, _only_size(kwargs, "zeros"), "zeros")
    check_layout(layout, "zeros")
    xp, dt, _ = _xp_dtype(_out_dtype(dtype, out), device)
    return _result(xp.zeros(shape, dtype=dt), out, requires_grad, "zeros")


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False, **kwargs) -> Tensor:
    """A tensor of ones: ``ones(2, 3)``, ``ones((2, 3))`` or ``ones(size=(2, 3))``."""
    shape = _size(size, _only_size(kwargs, "ones"), "ones")
    check_layout(layout, "ones")
    xp, dt, _ = _xp_dtype(_out_dtype(dtype, out), device)
    return _result(xp.ones(shape, dtype=dt), out, requires_grad, "ones")


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
          pin_memory: bool = False, memory_format=contiguous_format, **kwargs) -> Tensor:
    """An uninitialised tensor (``memory_format=channels_last`` lays it out NHWC)."""
    shape = _size(size, _only_size(kwargs, "empty"), "empty")
    check_layout(layout, "empty")
    xp, dt, dev = _xp_dtype(_out_dtype(dtype, out), device)
    _pin(pin_memory, dev)
    return _result(_with_format(xp.empty(shape, dtype=dt), memory_format, "empty"), out, requires_grad, "empty")


def _only_size(kwargs: dict, op: str):
    """``size=`` passed by keyword; any other unknown keyword is torch's TypeError."""
    size = kwargs.pop("size", None)
    if kwargs:
        raise TypeError(f"{op}() got an unexpected keyword argument '{next(iter(kwargs))}'")
    return size


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value`` (dtype from the value: bool, int64 or the default float)."""
    check_layout(layout, "full")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dtype = _out_dtype(dtype, out)
    if dtype is None:
        dtype = "bool" if isinstance(fill_value, bool) else "int64" if isinstance(fill_value, int) else None
    xp, dt, _ = _xp_dtype(dtype, device)
    return _result(xp.full(_size((size,), None, "full"), fill_value, dtype=dt), out, requires_grad, "full")


# ---------------------------------------------------------------- random -------------------------
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
         pin_memory: bool = False, **kwargs) -> Tensor:
    """Samples of U[0, 1) in a tensor of the given size."""
    shape = _size(size, _only_size(kwargs, "rand"), "rand")
    check_layout(layout, "rand")
    xp, dt, dev = _xp_dtype(_out_dtype(dtype, out), device)
    _check_float(dt, "rand", "check_uniform_bounds")
    _pin(pin_memory, dev)
    arr = _random_floats(rng_for(dev, generator), "random", shape, dt)
    return _result(arr, out, requires_grad, "rand")


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
          pin_memory: bool = False, **kwargs) -> Tensor:
    """Samples of N(0, 1) in a tensor of the given size."""
    shape = _size(size, _only_size(kwargs, "randn"), "randn")
    check_layout(layout, "randn")
    xp, dt, dev = _xp_dtype(_out_dtype(dtype, out), device)
    _check_float(dt, "randn", "normal_kernel_cpu")
    _pin(pin_memory, dev)
    arr = _random_floats(rng_for(dev, generator), "standard_normal", shape, dt)
    return _result(arr, out, requires_grad, "randn")


def _int_arg(v):
    return v.item() if isinstance(v, Tensor) else v


def randint(*args, low=None, high=None, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """Integers drawn uniformly from [low, high): ``randint(high, size)``, ``randint(low, high, size)``."""
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if len(args) > 2:
        raise TypeError(f"randint() takes at most 3 positional arguments ({len(args) + 1} given)")
    if len(args) == 2:
        if low is not None or high is not None:
            raise TypeError("randint() got multiple values for argument 'low' or 'high'")
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        elif low is None:
            low = args[0]
        else:
            raise TypeError("randint() got multiple values for argument 'low'")
    low = 0 if low is None else _int_arg(low)
    if high is None:
        raise TypeError("randint() missing required argument 'high'")
    high = _int_arg(high)
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    check_layout(layout, "randint")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    xp, dt, dev = _xp_dtype(_out_dtype(dtype, out), device, default=np.dtype(np.int64))
    if np.dtype(dt).kind == "c":
        raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean types")
    arr = rng_for(dev, generator).integers(low, high, size=_size((size,), None, "randint"), dtype=np.int64)
    return _result(arr.astype(dt, copy=False), out, requires_grad, "randint")


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
             pin_memory: bool = False) -> Tensor:
    """A random permutation of 0..n-1 (int64)."""
    check_layout(layout, "randperm")
    xp, dt, dev = _xp_dtype(_out_dtype(dtype, out), device, default=np.dtype(np.int64))
    _pin(pin_memory, dev)
    return _result(permutation_array(rng_for(dev, generator), int(n)).astype(dt), out, requires_grad, "randperm")


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Samples of N(mean, std^2): tensor ``mean``/``std`` (broadcast) or a ``size`` with float mean/std."""
    check_layout(layout, "normal")
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        shape = np.broadcast_shapes(getattr(mean, "shape", ()), getattr(std, "shape", ()))
        like = mean if isinstance(mean, Tensor) else std
        r = randn(*shape, generator=generator, dtype=like.dtype, device=like.device) * std + mean
    else:
        r = randn(*_size((size,), None, "normal"), generator=generator, dtype=_out_dtype(dtype, out),
                  device=device) * std + mean
    if out is not None:
        return _result(r.array, out, False, "normal")
    if requires_grad:
        r = r.detach().requires_grad_(True)
    return r


# ---------------------------------------------------------------- ranges -------------------------
def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``: int64 when all are integers (0-d int
    tensors count as integers), else the default float dtype."""
    start, end, step = _int_arg(start), _int_arg(end), _int_arg(step)
    if end is None:
        start, end = 0, start
    check_layout(layout, "arange")
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError(
            f"arange: upper bound and larger bound inconsistent with step sign (start={start}, end={end}, step={step})"
        )
    is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    default = np.dtype(np.int64) if is_int else get_default_dtype().np
    xp, dt, _ = _xp_dtype(_out_dtype(dtype, out), device, default=default)
    return _result(xp.arange(start, end, step).astype(dt, copy=False), out, requires_grad, "arange")


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` (inclusive)."""
    check_layout(layout, "linspace")
    xp, dt, _ = _xp_dtype(_out_dtype(dtype, out), device)
    arr = xp.linspace(_int_arg(start), _int_arg(end), _int_arg(steps)).astype(dt)
    return _result(arr, out, requires_grad, "linspace")


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` values ``base ** x`` for x evenly spaced from ``start`` to ``end``."""
    check_layout(layout, "logspace")
    xp, dt, _ = _xp_dtype(_out_dtype(dtype, out), device)
    arr = xp.logspace(_int_arg(start), _int_arg(end), _int_arg(steps), base=base).astype(dt)
    return _result(arr, out, requires_grad, "logspace")


def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m)."""
    check_layout(layout, "eye")
    xp, dt, _ = _xp_dtype(_out_dtype(dtype, out), device)
    return _result(xp.eye(n, m, dtype=dt), out, requires_grad, "eye")


# ---------------------------------------------------------------- *_like -------------------------
def _like(x: Tensor, dtype, device, layout, op: str):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    check_layout(layout, op)
    return (dtype if dtype is not None else x.dtype), (device if device is not None else x.device)


def _shaped_like(t: Tensor, x: Tensor, fmt, op: str) -> Tensor:
    fmt = _like_format(x, fmt)
    if fmt is not None and fmt is not contiguous_format:
        t.array = _with_format(t.array, fmt, op)
    return t


def zeros_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
               memory_format=preserve_format) -> Tensor:
    dt, dev = _like(input, dtype, device, layout, "zeros_like")
    return _shaped_like(zeros(input.shape, dtype=dt, device=dev, requires_grad=requires_grad), input,
                        memory_format, "zeros_like")


def ones_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
              memory_format=preserve_format) -> Tensor:
    dt, dev = _like(input, dtype, device, layout, "ones_like")
    return _shaped_like(ones(input.shape, dtype=dt, device=dev, requires_grad=requires_grad), input,
                        memory_format, "ones_like")


def empty_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
               memory_format=preserve_format, pin_memory: bool = False) -> Tensor:
    dt, dev = _like(input, dtype, device, layout, "empty_like")
    return _shaped_like(empty(input.shape, dtype=dt, device=dev, requires_grad=requires_grad), input,
                        memory_format, "empty_like")


def full_like(input: Tensor, fill_value, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
              memory_format=preserve_format) -> Tensor:
    dt, dev = _like(input, dtype, device, layout, "full_like")
    return _shaped_like(full(input.shape, fill_value, dtype=dt, device=dev, requires_grad=requires_grad), input,
                        memory_format, "full_like")


def rand_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
              memory_format=preserve_format) -> Tensor:
    dt, dev = _like(input, dtype, device, layout, "rand_like")
    return _shaped_like(rand(input.shape, generator=generator, dtype=dt, device=dev, requires_grad=requires_grad),
                        input, memory_format, "rand_like")


def randn_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
               memory_format=preserve_format) -> Tensor:
    dt, dev = _like(input, dtype, device, layout, "randn_like")
    return _shaped_like(randn(input.shape, generator=generator, dtype=dt, device=dev, requires_grad=requires_grad),
                        input, memory_format, "randn_like")


def randint_like(input: Tensor, low=0, high=None, *, generator=None, dtype=None, layout=None, device=None,
                 requires_grad: bool = False, memory_format=preserve_format) -> Tensor:
    """Integers from [low, high) in ``input``'s shape and dtype (``randint_like(x, high)`` starts at 0)."""
    dt, dev = _like(input, dtype, device, layout, "randint_like")
    if high is None:
        low, high = 0, low
    return _shaped_like(randint(low, high, tuple(input.shape), generator=generator, dtype=dt, device=dev,
                                requires_grad=requires_grad), input, memory_format, "randint_like")

