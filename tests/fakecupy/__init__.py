"""A CPU stand-in for CuPy that keeps CuPy's rules, so minitorch's cuda code paths run (and fail the way
they would on a GPU) on machines without one.

It is NumPy underneath, but it behaves like CuPy where CuPy differs from NumPy:

* its arrays are their own type (``fakecupy.ndarray``), not NumPy arrays;
* mixing one with a NumPy array in an op raises ``TypeError`` (CuPy: "Unsupported type"), and
  ``numpy.asarray(gpu_array)`` raises (CuPy: "Implicit conversion to a NumPy array is not allowed");
* only names real CuPy has exist (the lists in ``cupy_api.json`` come from CuPy itself, see
  ``dump_cupy_api.py``); ufunc ``reduce``/``accumulate``/``at`` exist only where CuPy implements them,
  and ``scatter_add`` keeps CuPy's dtype limits (no int64);
* reductions and scalar indexing return 0-d arrays, never NumPy scalars;
* every device-to-host transfer (``.get()``, ``.item()``, ``.tolist()``, ``float()``, ``bool()``...)
  is counted in ``SYNCS`` so tests can assert that a training step does not stall on the host;
* ``random.default_rng`` gives a Generator with CuPy's (smaller) method set.
* the CUDA runtime minitorch.cuda uses is simulated with CuPy's names: a memory pool that counts the bytes
  of every array owning its data (through ``cuda.set_allocator``'s allocator), caches freed blocks and
  raises CuPy's ``OutOfMemoryError`` past ``set_limit``; streams (ops count in ``LAUNCHES`` under the current
  stream), events, device properties, NVTX (calls logged in ``NVTX``), and a bit-generator ``_state``.

Install it with ``minitorch.backend.use_gpu_module(fakecupy, fakecupy.cupyx)``; tests/conftest.py does
so when ``MINITORCH_FAKE_GPU=1``. It is a test double: results are NumPy's, speed is NumPy's.
"""
from __future__ import annotations

import json
import os
import sys
import time
import types
from contextlib import contextmanager

import numpy as _np

_API = json.load(open(os.path.join(os.path.dirname(__file__), "cupy_api.json")))
_NAMES = set(_API["cupy"])
_UFUNCS = set(_API["ufuncs"]) | {"matmul"}
_METHODS = set(_API["ndarray"])
_REDUCIBLE = {"add", "multiply"}  # CuPy's ufunc.reduce/accumulate implement only these
_SCATTER = {"add": "add", "maximum": "max", "minimum": "min"}  # ufunc.at -> scatter op
_SCATTER_DTYPES = {
    "add": {"int32", "float16", "float32", "float64", "uint32", "uint64"},
    "max": {"int32", "float32", "float64", "uint32", "uint64"},
    "min": {"int32", "float32", "float64", "uint32", "uint64"},
}
_HOST_INPUT_OK = {"asarray", "array", "asanyarray"}  # the explicit host -> device copies
_SIGNATURES = _API["signatures"]
_UFUNC_KWARGS = {"out", "casting", "dtype"}  # CuPy's ufuncs take no where=, order=, subok=...


def _check_kwargs(where: str, name: str, kwargs) -> None:
    """Refuse keyword arguments the CuPy function does not have (e.g. ``cupy.indices(sparse=True)``)."""
    if not kwargs:
        return
    allowed = _SIGNATURES.get(where, {}).get(name)
    if allowed is None:
        return
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        prefix = "cupy." if where == "cupy" else f"cupy.{where}."
        raise TypeError(f"{prefix}{name}() got an unexpected keyword argument {unknown[0]!r}")

SYNCS = {"count": 0, "where": None, "allowed": True}  # "where": a list to record each sync's caller


class DeviceSynchronized(RuntimeError):
    """Raised by a sync inside ``cupyx.allow_synchronize(False)``, as CuPy does."""


@contextmanager
def allow_synchronize(allow: bool):
    """``cupyx.allow_synchronize``: with ``False``, any device -> host sync raises DeviceSynchronized."""
    before = SYNCS["allowed"]
    SYNCS["allowed"] = allow
    try:
        yield
    finally:
        SYNCS["allowed"] = before


def _sync() -> None:
    if not SYNCS["allowed"]:
        raise DeviceSynchronized("Device synchronization was detected while disallowed.")
    SYNCS["count"] += 1
    if SYNCS["where"] is not None:
        import traceback  # noqa: PLC0415

        frames = [f for f in traceback.extract_stack()[:-2] if "fakecupy" not in f.filename]
        SYNCS["where"].append(f"{frames[-1].filename}:{frames[-1].lineno} {frames[-1].line}" if frames else "?")


@contextmanager
def count_syncs():
    """``with count_syncs() as n: ...`` then ``n["count"]`` is the number of device->host transfers."""
    before = SYNCS["count"]
    box = {"count": 0}
    try:
        yield box
    finally:
        box["count"] = SYNCS["count"] - before


def _unsupported(x):
    return TypeError(f"Unsupported type {type(x)}")


def _raw(x, host_ok: bool = False):
    """The NumPy array behind a fake array; refuses NumPy arrays as CuPy does (unless ``host_ok``)."""
    if isinstance(x, ndarray):
        return x._a
    if isinstance(x, _np.ndarray) and not host_ok:
        raise _unsupported(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_raw(v, host_ok) for v in x)
    return x


def _wrap(r):
    if isinstance(r, _np.ndarray):
        return ndarray(r)
    if isinstance(r, _np.generic):
        return ndarray(_np.asarray(r))
    if isinstance(r, tuple):
        return tuple(_wrap(v) for v in r)
    if isinstance(r, list):
        return [_wrap(v) for v in r]
    return r


def _unwrap_kwargs(kwargs, host_ok=False):
    return {k: _raw(v, host_ok) for k, v in kwargs.items()}


def _check_ufunc_input(x):
    if isinstance(x, ndarray) or x is None:
        return
    if isinstance(x, (bool, int, float, complex, _np.generic)):
        return
    raise _unsupported(x)


def _apply_ufunc(ufunc, method, inputs, kwargs):
    name = ufunc.__name__
    if name not in _UFUNCS:
        raise TypeError(f"fakecupy: CuPy has no ufunc {name!r}")
    if method == "at":
        return _ufunc_at(ufunc, *inputs)
    for x in inputs:
        _check_ufunc_input(x)
    unknown = sorted(set(kwargs) - _UFUNC_KWARGS - ({"axis", "keepdims"} if method != "__call__" else set()))
    if unknown:
        raise TypeError(f"cupy.{name}: unexpected keyword argument {unknown[0]!r}")
    out = kwargs.get("out")
    if out is not None:
        outs = out if isinstance(out, tuple) else (out,)
        for o in outs:
            if not isinstance(o, ndarray):
                raise TypeError(f"fakecupy: out must be a cupy array, got {type(o)}")
    if method in ("reduce", "accumulate") and name not in _REDUCIBLE:
        raise NotImplementedError(f"`cupy_{name}.{method}` is not supported yet")
    if method == "reduceat" and name != "add":
        raise NotImplementedError(f"`cupy_{name}.reduceat` is not supported yet")
    _launch()
    raw_inputs = [_raw(x) for x in inputs]
    raw_kwargs = dict(kwargs)
    if out is not None:
        raw_kwargs["out"] = tuple(o._a for o in (out if isinstance(out, tuple) else (out,)))
    result = getattr(ufunc, method)(*raw_inputs, **raw_kwargs)
    if out is not None:
        return out
    return _wrap(result)


def _ufunc_at(ufunc, target, indices, value=None):
    """``ufunc.at``: CuPy has it only for add/maximum/minimum, as a scatter op (wrapping indices)."""
    op = _SCATTER.get(ufunc.__name__)
    if op is None:
        raise NotImplementedError(f"`cupy_{ufunc.__name__}.at` is not supported yet")
    if not isinstance(target, ndarray):
        raise _unsupported(target)
    _check_ufunc_input(value)
    _check_scatter_dtype(op, target.dtype)
    ufunc.at(target._a, _index(indices, target._a.shape), _raw(value))


def _check_scatter_dtype(op: str, dtype) -> None:
    if _np.dtype(dtype).name not in _SCATTER_DTYPES[op]:
        raise TypeError(f"scatter_{op} only supports {', '.join(sorted(_SCATTER_DTYPES[op]))} as data type")


_SUBMODULE_OF = {"numpy.linalg": "linalg", "numpy.fft": "fft"}


def _cupy_name_of(func) -> str:
    module = getattr(func, "__module__", "") or ""
    for prefix, sub in _SUBMODULE_OF.items():
        if module.startswith(prefix):
            return f"{sub}.{func.__name__}"
    if "stride_tricks" in module:
        return f"lib.stride_tricks.{func.__name__}"
    return func.__name__


def _has_name(qualified: str) -> bool:
    if "." not in qualified:
        return qualified in _NAMES
    sub, _, name = qualified.rpartition(".")
    return name in _API.get(sub, ())


class _Flags:
    """CuPy's ``ndarray.flags``: only C_CONTIGUOUS, F_CONTIGUOUS and OWNDATA (no WRITEABLE: CuPy arrays are
    always writable)."""

    def __init__(self, np_flags):
        self.c_contiguous = np_flags.c_contiguous
        self.f_contiguous = np_flags.f_contiguous
        self.owndata = np_flags.owndata

    def __getitem__(self, key):
        return {"C_CONTIGUOUS": self.c_contiguous, "F_CONTIGUOUS": self.f_contiguous, "OWNDATA": self.owndata}[key]


class ndarray:
    """A device array: NumPy data behind CuPy's interface and rules."""

    __slots__ = ("_a",)
    __array_priority__ = 100
    __hash__ = None

    def __init__(self, array):
        if not isinstance(array, _np.ndarray):
            raise TypeError("fakecupy.ndarray wraps a numpy array; use fakecupy.asarray/empty/zeros")
        if array.base is None and array.nbytes:  # new memory (not a view): allocated on the device
            _allocate(array)
        self._a = array

    # NumPy protocols --------------------------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct a "
            "NumPy array explicitly."
        )

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _apply_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types_, args, kwargs):
        name = _cupy_name_of(func)
        if not _has_name(name):
            return NotImplemented
        where, _, short = name.rpartition(".")
        _check_kwargs(where or "cupy", short, kwargs)
        if name in _DATA_SHAPED or (name == "where" and len(args) + len(kwargs) == 1):
            _sync()  # the output's size is read back from the device
        _launch()
        if name in ("take", "take_along_axis"):  # CuPy's take kernels wrap out-of-range indices
            return _wrap(_wrapped_take(func, *_raw(args), **_unwrap_kwargs(kwargs)))
        return _wrap(func(*_raw(args), **_unwrap_kwargs(kwargs)))

    # attributes -------------------------------------------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: _Flags(self._a.flags))
    T = property(lambda self: ndarray(self._a.T))
    mT = property(lambda self: ndarray(_np.swapaxes(self._a, -1, -2)))
    real = property(lambda self: ndarray(self._a.real))
    imag = property(lambda self: ndarray(self._a.imag))
    device = property(lambda self: cuda.Device(0))

    @property
    def base(self):
        return None if self._a.base is None else ndarray(_np.asarray(self._a.base))

    def __getattr__(self, name):
        if name not in _METHODS or not hasattr(self._a, name):
            raise AttributeError(f"'cupy.ndarray' object has no attribute {name!r}")
        method = getattr(self._a, name)
        if name in _DATA_SHAPED:
            _sync()

        def call(*args, **kwargs):
            _check_kwargs("ndarray", name, kwargs)
            return _wrap(method(*_raw(args), **_unwrap_kwargs(kwargs)))

        return call

    # transfers (each one a sync) --------------------------------------------------------------
    def get(self, stream=None, order="C", out=None):
        _sync()
        return _np.array(self._a, copy=True, order=order)

    def item(self, *args):
        _sync()
        return self._a.item(*args)

    def tolist(self):
        _sync()
        return self._a.tolist()

    def tobytes(self, order="C"):
        _sync()
        return self._a.tobytes(order)

    def __float__(self):
        _sync()
        return float(self._a)

    def __int__(self):
        _sync()
        return int(self._a)

    def __complex__(self):
        _sync()
        return complex(self._a)

    def __bool__(self):
        _sync()
        return bool(self._a)

    def __index__(self):
        _sync()
        return self._a.__index__()

    def __repr__(self):
        return repr(self._a)

    def __str__(self):
        return str(self._a)

    def __format__(self, spec):
        _sync()
        return format(self._a.item() if self._a.ndim == 0 else self._a, spec)

    # containers -------------------------------------------------------------------------------
    def __len__(self):
        return len(self._a)

    def __iter__(self):
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (ndarray(_np.asarray(self._a[i])) if self._a.ndim == 1 else ndarray(self._a[i])
                for i in range(len(self._a)))

    def __getitem__(self, key):
        index = _index(key, self._a.shape)
        _sync_if_masked(index)
        r = self._a[index]
        if isinstance(r, _np.generic):  # CuPy gives a 0-d view of the element, not a copy
            r = self._a[(index if isinstance(index, tuple) else (index,)) + (Ellipsis,)]
        return _wrap(r)

    def __setitem__(self, key, value):
        if isinstance(value, _np.ndarray):
            raise _unsupported(value)  # CuPy's basic-slice update calls fill(value), which needs a scalar
        index = _index(key, self._a.shape)
        _sync_if_masked(index)
        self._a[index] = _raw(value)

    def __dlpack__(self, *args, **kwargs):
        return self._a.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._a.__dlpack_device__()

    def copy(self, order="C"):
        return ndarray(self._a.copy(order=order))

    def astype(self, dtype, order="K", casting=None, subok=None, copy=True):
        return ndarray(self._a.astype(dtype, order=order, copy=copy))

    def view(self, dtype=None):
        return ndarray(self._a.view() if dtype is None else self._a.view(dtype))

    def fill(self, value):
        self._a.fill(_raw(value) if not isinstance(value, ndarray) else value._a)

    def reshape(self, *shape, order="C"):
        return ndarray(self._a.reshape(*shape, order=order))


def _index(key, shape=None):
    """Index arrays may be fake arrays, NumPy arrays or lists (CuPy copies the latter to the device).
    Given the indexed ``shape``, integer index arrays wrap around as in CuPy (NumPy would raise)."""
    entries = key if isinstance(key, tuple) else (key,)
    raw = [k._a if isinstance(k, ndarray) else _np.asarray(k) if isinstance(k, list) else k for k in entries]
    if shape is not None:
        width = [0 if k is None or isinstance(k, (bool, _np.bool_)) else k.ndim
                 if isinstance(k, _np.ndarray) and k.dtype.kind == "b" else 1 for k in raw]
        rest = len(shape) - sum(w for k, w in zip(raw, width) if k is not Ellipsis)
        axis = 0
        for n, k in enumerate(raw):
            if k is Ellipsis:
                axis += rest
                continue
            if isinstance(k, _np.ndarray) and k.dtype.kind in "iu" and axis < len(shape) and shape[axis]:
                raw[n] = k % shape[axis]
            axis += width[n]
    return tuple(raw) if isinstance(key, tuple) else raw[0]


_DATA_SHAPED = {"nonzero", "argwhere", "flatnonzero", "unique", "compress", "extract"}


def _sync_if_masked(index) -> None:
    """A boolean-array index makes CuPy count the selected elements on the host (one sync)."""
    for k in index if isinstance(index, tuple) else (index,):
        if isinstance(k, _np.ndarray) and k.dtype.kind == "b" and k.ndim:
            _sync()
            return


def _wrapped_take(func, a, indices, axis=None, **kwargs):
    if func.__name__ == "take":
        kwargs.setdefault("mode", "wrap")
        return func(a, indices, axis, **kwargs)
    n = a.size if axis is None else a.shape[axis]
    return func(a, indices % n if n else indices, axis, **kwargs)


def _defers_to(other) -> bool:
    """CuPy returns NotImplemented (Python then tries ``other``'s reflected op) when ``other`` is not a
    CuPy array and has a higher ``__array_priority__`` (minitorch's Tensor does: 1000)."""
    return not isinstance(other, ndarray) and getattr(other, "__array_priority__", 0) > ndarray.__array_priority__


def _make_operator(ufunc, reflected: bool = False, inplace: bool = False):
    if not reflected and not inplace:
        def op(self, other):
            if _defers_to(other):
                return NotImplemented
            return _apply_ufunc(ufunc, "__call__", (self, other), {})
        return op
    if inplace:
        def op(self, other):
            return _apply_ufunc(ufunc, "__call__", (self, other), {"out": self})
    elif reflected:
        def op(self, other):
            return _apply_ufunc(ufunc, "__call__", (other, self), {})
    else:
        def op(self, other):
            return _apply_ufunc(ufunc, "__call__", (self, other), {})
    return op


for _name, _uf in {
    "add": _np.add, "sub": _np.subtract, "mul": _np.multiply, "truediv": _np.true_divide,
    "floordiv": _np.floor_divide, "mod": _np.remainder, "pow": _np.power, "matmul": _np.matmul,
    "and": _np.bitwise_and, "or": _np.bitwise_or, "xor": _np.bitwise_xor,
    "lshift": _np.left_shift, "rshift": _np.right_shift,
}.items():
    setattr(ndarray, f"__{_name}__", _make_operator(_uf))
    setattr(ndarray, f"__r{_name}__", _make_operator(_uf, reflected=True))
    setattr(ndarray, f"__i{_name}__", _make_operator(_uf, inplace=True))
for _name, _uf in {"eq": _np.equal, "ne": _np.not_equal, "lt": _np.less, "le": _np.less_equal,
                   "gt": _np.greater, "ge": _np.greater_equal}.items():
    setattr(ndarray, f"__{_name}__", _make_operator(_uf))
for _name, _uf in {"neg": _np.negative, "pos": _np.positive, "abs": _np.absolute, "invert": _np.invert}.items():
    setattr(ndarray, f"__{_name}__", (lambda uf: lambda self: _apply_ufunc(uf, "__call__", (self,), {}))(_uf))


# module-level functions ---------------------------------------------------------------------------
def _function(name: str, target, where: str = "cupy"):
    if name in _HOST_INPUT_OK:
        def call(obj, *args, **kwargs):  # a host -> device copy: the result never aliases host memory
            _check_kwargs(where, name, kwargs)
            if isinstance(obj, ndarray):
                return _wrap(target(obj._a, *args, **kwargs))
            return ndarray(_np.array(_raw(obj, host_ok=True), *args, **kwargs))
    else:
        def call(*args, **kwargs):
            _check_kwargs(where, name, kwargs)
            _launch()
            if name in _DATA_SHAPED or (name == "where" and len(args) + len(kwargs) == 1):
                _sync()  # the output's size is read back from the device
            return _wrap(target(*_raw(args), **_unwrap_kwargs(kwargs)))

    call.__name__ = name
    return call


class _Ufunc:
    """A CuPy-style ufunc: calls accept fake arrays and Python/NumPy scalars only."""

    def __init__(self, ufunc):
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__
        self.nin, self.nout = ufunc.nin, ufunc.nout

    def __call__(self, *inputs, **kwargs):
        return _apply_ufunc(self._ufunc, "__call__", inputs, kwargs)

    def __getattr__(self, method):
        if method not in ("reduce", "accumulate", "reduceat", "at", "outer"):
            raise AttributeError(method)
        return lambda *inputs, **kwargs: _apply_ufunc(self._ufunc, method, inputs, kwargs)


def asnumpy(a, stream=None, order="C", out=None):
    return a.get() if isinstance(a, ndarray) else _np.asarray(a, order=order)


def get_array_module(*args):
    return _this if any(isinstance(a, ndarray) for a in args) else _np


def from_dlpack(obj, *, device=None, copy=None):
    return ndarray(_np.from_dlpack(obj))


class _Submodule(types.ModuleType):
    """``fakecupy.linalg`` and friends: NumPy's functions, filtered to the names CuPy's submodule has."""

    def __init__(self, name: str, numpy_module, extra: dict | None = None):
        super().__init__(f"fakecupy.{name}")
        self._key, self._numpy_module = name, numpy_module
        self.__dict__.update(extra or {})

    def __getattr__(self, name):
        if name.startswith("__") or name not in _API.get(self._key, ()):
            raise AttributeError(f"module 'cupy.{self._key}' has no attribute {name!r}")
        return _function(name, getattr(self._numpy_module, name), self._key)


linalg = _Submodule("linalg", _np.linalg)
fft = _Submodule("fft", _np.fft)
lib = types.SimpleNamespace(stride_tricks=_Submodule("lib.stride_tricks", _np.lib.stride_tricks))


class _BitGenerator:
    """``Generator.bit_generator``: CuPy's cuRAND bit generators keep their whole state in one device array,
    ``_state`` (int8 bytes); here it packs NumPy's PCG64 state, and assigning it restores that state."""

    def __init__(self, numpy_generator):
        self._bg = numpy_generator.bit_generator

    @property
    def _state(self):
        st = self._bg.state
        raw = (st["state"]["state"].to_bytes(16, "little") + st["state"]["inc"].to_bytes(16, "little")
               + int(st["has_uint32"]).to_bytes(4, "little") + int(st["uinteger"]).to_bytes(4, "little"))
        return ndarray(_np.frombuffer(raw, dtype=_np.int8).copy())

    @_state.setter
    def _state(self, value):
        raw = _raw(value).tobytes()
        if len(raw) != 40:
            raise ValueError(f"fakecupy: a bit-generator state has 40 bytes, got {len(raw)}")
        self._bg.state = {"bit_generator": "PCG64",
                          "state": {"state": int.from_bytes(raw[:16], "little"),
                                    "inc": int.from_bytes(raw[16:32], "little")},
                          "has_uint32": int.from_bytes(raw[32:36], "little"),
                          "uinteger": int.from_bytes(raw[36:40], "little")}


class _Generator:
    """``cupy.random.Generator``: only the methods CuPy's has (no normal/permutation/choice/shuffle)."""

    def __init__(self, seed):
        self._g = _np.random.default_rng(seed)
        self.bit_generator = _BitGenerator(self._g)

    def __getattr__(self, name):
        if name not in _API["random.Generator"]:
            raise AttributeError(f"'cupy.random.Generator' object has no attribute {name!r}")
        method = getattr(self._g, name)

        def call(*args, **kwargs):
            _check_kwargs("random.Generator", name, kwargs)
            return _wrap(_np.asarray(method(*_raw(args), **_unwrap_kwargs(kwargs))))

        return call


random = types.SimpleNamespace(default_rng=lambda seed=None: _Generator(seed), Generator=_Generator)

# ---- the CUDA runtime, as far as minitorch.cuda uses it (CuPy's names and signatures) ---------------------
TOTAL_MEMORY = 16 * 2**30  # the fake device's memory: what memGetInfo / getDeviceProperties report
_PROPERTIES = {  # cupy.cuda.runtime.getDeviceProperties keys (a CUDA 13 build: no clockRate/memoryClockRate)
    "name": b"fakecupy (NumPy on the CPU)", "totalGlobalMem": TOTAL_MEMORY, "major": 8, "minor": 0,
    "multiProcessorCount": 108, "integrated": 0, "isMultiGpuBoard": 0, "l2CacheSize": 40 * 2**20,
    "maxThreadsPerMultiProcessor": 2048, "warpSize": 32, "regsPerMultiprocessor": 65536,
    "sharedMemPerBlock": 49152, "sharedMemPerBlockOptin": 166912, "sharedMemPerMultiprocessor": 167936,
    "memoryBusWidth": 5120, "uuid": bytes(range(16)), "pciBusID": 7, "pciDeviceID": 0, "pciDomainID": 0,
}
_ATTRIBUTES = {13: 1410000, 36: 1215000, 16: 108, 37: 5120}  # cudaDevAttr ClockRate, MemoryClockRate, SMs, bus


def _device_attribute(attrib, device):
    if attrib not in _ATTRIBUTES:
        raise ValueError(f"fakecupy: device attribute {attrib} is not simulated")
    return _ATTRIBUTES[attrib]


class _Device:
    def __init__(self, device=None):
        self.id = 0 if device is None else int(device)

    compute_capability = property(lambda self: f"{_PROPERTIES['major']}{_PROPERTIES['minor']}")
    mem_info = property(lambda self: (TOTAL_MEMORY - _POOL.total_bytes(), TOTAL_MEMORY))
    pci_bus_id = property(lambda self: "0000:07:00.0")

    def synchronize(self):
        _sync()

    def use(self):
        return None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


LAUNCHES: dict = {}  # stream ptr -> number of kernels (ops) launched on it: what tests read to see the routing
NVTX: list = []  # ("push"|"pop"|"mark"|"start"|"end", message or id): the NVTX calls made, for tests
_STREAM_LOCAL = __import__("threading").local()


class _Stream:
    """``cupy.cuda.Stream``: ``with s:`` / ``s.use()`` make it current (per thread); ops count as launched on
    the current stream (``LAUNCHES``). Work is done at once, so ``done`` is always True."""

    _next_ptr = [0x1000]

    def __init__(self, null=False, non_blocking=False, ptds=False, priority=None):
        if null:
            self.ptr = 0
        else:
            self.ptr = _Stream._next_ptr[0]
            _Stream._next_ptr[0] += 0x10
        self.device_id = -1 if null else 0
        self.priority = 0 if priority is None else int(priority)
        self.is_non_blocking = bool(non_blocking)
        self._previous = []

    @property
    def done(self):
        return True

    def synchronize(self):
        _sync()

    def use(self):
        _STREAM_LOCAL.current = self
        return self

    def record(self, event=None):
        event = _Event() if event is None else event
        event.record(self)
        return event

    def wait_event(self, event):
        if not isinstance(event, _Event):
            raise TypeError(f"fakecupy: wait_event expects a cupy.cuda.Event, got {type(event).__name__}")

    def __enter__(self):
        self._previous.append(get_current_stream())
        return self.use()

    def __exit__(self, *exc):
        self._previous.pop().use()
        return False

    def __eq__(self, other):
        return isinstance(other, _Stream) and other.ptr == self.ptr

    def __hash__(self):
        return hash(self.ptr)

    def __repr__(self):
        return f"<Stream {self.ptr} (device {self.device_id})>"


_Stream.null = _Stream(null=True)


class _ExternalStream(_Stream):
    """``cupy.cuda.ExternalStream(ptr, device_id=-1)``: a stream created elsewhere, used by its handle."""

    def __init__(self, ptr, device_id=-1):
        super().__init__()
        self.ptr, self.device_id = int(ptr), device_id


def get_current_stream(device_id=-1):
    return getattr(_STREAM_LOCAL, "current", _Stream.null)


def _launch() -> None:
    ptr = get_current_stream().ptr
    LAUNCHES[ptr] = LAUNCHES.get(ptr, 0) + 1


class _Event:
    """``cupy.cuda.Event``: host time stands in for device time."""

    def __init__(self, block=False, disable_timing=False, interprocess=False):
        self.time = None
        self.stream = None  # fake-only: the stream the event was last recorded on
        self.disable_timing = disable_timing

    def record(self, stream=None):
        self.stream = get_current_stream() if stream is None else stream
        self.time = time.perf_counter()

    def synchronize(self):
        _sync()

    @property
    def done(self):
        return True


def _elapsed_time(start, end):
    if start.disable_timing or end.disable_timing:
        raise RuntimeError("cudaErrorInvalidResourceHandle: invalid resource handle")
    if start.time is None or end.time is None:
        raise RuntimeError("cudaErrorInvalidResourceHandle: invalid resource handle")
    return (end.time - start.time) * 1000.0


class OutOfMemoryError(MemoryError):
    """``cupy.cuda.memory.OutOfMemoryError``: the same constructor and message as CuPy's."""

    def __init__(self, size, total, limit=0):
        self._size, self._total, self._limit = size, total, limit
        if limit == 0:
            msg = f"Out of memory allocating {size:,} bytes (allocated so far: {total:,} bytes)."
        else:
            msg = (f"Out of memory allocating {size:,} bytes (allocated so far: {total:,} bytes, "
                   f"limit set to: {limit:,} bytes).")
        super().__init__(msg)


class _Memory:
    """A block of device memory (``cupy.cuda.memory.BaseMemory``): ``size`` bytes; a pooled block goes back
    to its pool's cache when the last pointer to it is dropped, as CuPy's ``PooledMemory`` does."""

    def __init__(self, size, pool=None):
        self.size, self.ptr, self.device_id, self._pool = size, id(self), 0, pool

    def __del__(self):
        if self._pool is not None:
            self._pool._release(self.size)


class _MemoryPointer:
    def __init__(self, mem, offset=0):
        self.mem, self.device_id = mem, 0
        self.ptr = mem.ptr + offset


_UNIT = 512  # CuPy rounds every pool allocation up to a multiple of 512 bytes


class _MemoryPool:
    """``cupy.cuda.MemoryPool``: counts what the fake arrays hold (each array that owns its data allocates
    ``nbytes`` through the current allocator), caches freed blocks until ``free_all_blocks``, and raises
    CuPy's ``OutOfMemoryError`` past ``set_limit`` (or the device's memory), as CuPy's pool does."""

    def __init__(self, allocator=None):
        self._used = self._total = self._limit = 0

    def malloc(self, size):
        size = int(size)
        rounded = -(-size // _UNIT) * _UNIT
        if rounded > self._total - self._used:  # not enough cached: grow
            limit = self._limit or TOTAL_MEMORY
            grow = rounded - (self._total - self._used)
            if self._total + grow > limit:
                self.free_all_blocks()
                grow = rounded - (self._total - self._used)
                if self._total + grow > limit:
                    raise OutOfMemoryError(size, self._total, self._limit)
            self._total += grow
        self._used += rounded
        return _MemoryPointer(_Memory(rounded, self))

    def _release(self, size):
        self._used -= size

    def used_bytes(self):
        return self._used

    def free_bytes(self):
        return self._total - self._used

    def total_bytes(self):
        return self._total

    def n_free_blocks(self):
        return 1 if self._total > self._used else 0

    def free_all_blocks(self, stream=None):
        self._total = self._used

    def set_limit(self, size=None, fraction=None):
        if size is not None and fraction is not None:
            raise ValueError("size and fraction cannot be specified at one time")
        if fraction is not None:
            if not 0 <= fraction <= 1:
                raise ValueError(f"memory limit fraction out of range: {fraction}")
            size = int(TOTAL_MEMORY * fraction)
        self._limit = int(size or 0)

    def get_limit(self):
        return self._limit


_POOL = _MemoryPool()
_ALLOCATOR = [_POOL.malloc]


def get_default_memory_pool():
    return _POOL


def _raw_malloc(size):
    """``set_allocator(None)``: the memory pool disabled, each block straight from the device."""
    return _MemoryPointer(_Memory(int(size)))


def set_allocator(allocator=None):
    _ALLOCATOR[0] = _raw_malloc if allocator is None else allocator


def get_allocator():
    return _ALLOCATOR[0]


def _keep_alive(pointer):
    return None


def _allocate(array) -> None:
    """Charge a new fake array's bytes to the current allocator; the block is freed with the NumPy array."""
    pointer = _ALLOCATOR[0](array.nbytes)
    __import__("weakref").finalize(array, _keep_alive, pointer)


def _nvtx(kind):
    def call(message=None, id_color=-1):
        NVTX.append((kind, message))
        return len(NVTX) if kind == "start" else None
    return call


cuda = types.SimpleNamespace(
    is_available=lambda: True,
    Device=_Device,
    Event=_Event,
    Stream=_Stream,
    ExternalStream=_ExternalStream,
    MemoryPool=_MemoryPool,
    get_current_stream=get_current_stream,
    get_elapsed_time=_elapsed_time,
    get_cublas_handle=lambda: 0xB1A5,
    set_allocator=set_allocator,
    get_allocator=get_allocator,
    memory=types.SimpleNamespace(OutOfMemoryError=OutOfMemoryError, MemoryPool=_MemoryPool,
                                 MemoryPointer=_MemoryPointer, set_allocator=set_allocator,
                                 get_allocator=get_allocator),
    runtime=types.SimpleNamespace(
        getDeviceCount=lambda: 1,
        getDeviceProperties=lambda i: dict(_PROPERTIES),
        deviceGetAttribute=_device_attribute,
        cudaDevAttrClockRate=13, cudaDevAttrMemoryClockRate=36, cudaDevAttrMultiProcessorCount=16,
        cudaDevAttrGlobalMemoryBusWidth=37,
        memGetInfo=lambda: (TOTAL_MEMORY - _POOL.total_bytes(), TOTAL_MEMORY),
        runtimeGetVersion=lambda: 13000,
        driverGetVersion=lambda: 13000,
    ),
    nvrtc=types.SimpleNamespace(getSupportedArchs=lambda: (75, 80, 86, 89, 90, 100, 120),
                                getVersion=lambda: (13, 0)),
    nvtx=types.SimpleNamespace(available=True, RangePush=_nvtx("push"), Mark=_nvtx("mark"),
                               RangePop=lambda: NVTX.append(("pop", None)), RangeStart=_nvtx("start"),
                               RangeEnd=lambda range_id: NVTX.append(("end", range_id))),
)

def _scatter_add(a, slices, value):
    if not isinstance(a, ndarray):
        raise _unsupported(a)
    _check_scatter_dtype("add", a.dtype)
    if isinstance(value, _np.ndarray):
        raise _unsupported(value)
    _np.add.at(a._a, _index(slices, a._a.shape), _raw(value))


def broadcast_to(array, shape):
    """CuPy's broadcast views are writable (CuPy has no read-only arrays): a write lands in the shared memory."""
    a = _raw(array)
    b = _np.broadcast_to(a, shape)
    return _wrap(_np.lib.stride_tricks.as_strided(a, shape=b.shape, strides=b.strides))


def _special(name):
    import scipy.special  # noqa: PLC0415 - only when a test asks for it

    return _function(name, getattr(scipy.special, name))


cupyx = types.SimpleNamespace(
    scatter_add=_scatter_add,
    allow_synchronize=allow_synchronize,
    DeviceSynchronized=DeviceSynchronized,
    scipy=types.SimpleNamespace(special=types.SimpleNamespace(
        **{n: _special(n) for n in ("erf", "erfc", "erfinv") if _has_name(f"cupyx.scipy.special.{n}")}
    )) if __import__("importlib").util.find_spec("scipy") else types.SimpleNamespace(),
)


_this = sys.modules[__name__]


def __getattr__(name):
    """Everything else: NumPy's object of that name, if CuPy has the name too."""
    if name.startswith("__") or name not in _NAMES:
        raise AttributeError(f"module 'cupy' has no attribute {name!r}")
    target = getattr(_np, name)
    if isinstance(target, _np.ufunc):
        value = _Ufunc(target)
    elif callable(target) and not isinstance(target, type):
        value = _function(name, target)
    else:
        value = target  # dtypes (cupy.float32 is numpy.float32), constants (inf, pi, newaxis)
    globals()[name] = value
    return value


ndarray.__module__ = "cupy"
