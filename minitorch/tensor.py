"""The Tensor: an array (NumPy or CuPy) plus what autograd needs to differentiate through it.

Only attributes, conversions and autograd entry points live here. The math methods
(``x.exp()``, ``a @ b``, ``x.sum(dim)``...) are attached in ``tensor_methods.py`` from the
op families in ``ops/``, so each op's forward and backward stay together in one place.
"""
from __future__ import annotations

import weakref

import numpy as np

from .backend import cupy_module, device_of, numpy_of, xp_of
from .backend.device import parse_device
from .backend.dtype import from_numpy_dtype, get_default_dtype, to_dtype


class Tensor:
    """An n-dimensional array that records the ops applied to it for reverse-mode autograd.

    ``.array`` is the raw NumPy/CuPy array every op computes on; ``.data`` is, as in torch, a Tensor
    sharing that array but cut from the graph (so ``.data.add_(...)`` on a parameter updates it untracked).
    """

    __slots__ = (
        "array", "_requires_grad", "grad", "_grad_fn", "_out_index", "_version",
        "_hooks", "_post_hooks", "name", "__weakref__",
    )
    __array_priority__ = 1000  # make `ndarray * Tensor` call Tensor.__rmul__

    def __init__(self, *args, device=None):
        """The legacy constructor, as ``torch.Tensor``: ``Tensor(2, 3)`` / ``Tensor(Size)`` is an
        uninitialised tensor of that shape, ``Tensor(list or array)`` copies the data into the default
        float dtype, ``Tensor(tensor)`` shares that tensor's memory and ``Tensor()`` is empty.
        Use ``minitorch.tensor(data, dtype=..., requires_grad=...)`` for anything else."""
        _init_fields(self, legacy_array(None, args, device, "new"))

    @staticmethod
    def _wrap(array) -> Tensor:
        """Wrap an existing array without copying (the hot path: every op result comes here)."""
        return _wrap_array(array)

    # ---- attributes ------------------------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """A Tensor sharing this one's array, outside the graph (in-place changes to it are not tracked)."""
        return _wrap_array(self.array)

    @data.setter
    def data(self, value) -> None:
        """Assigning ``.data = other`` makes this tensor use ``other``'s array (shape and dtype too), as torch does."""
        self.array = value.array if isinstance(value, Tensor) else value

    @property
    def shape(self) -> tuple:
        return Size(self.array.shape)

    @property
    def dtype(self):
        return from_numpy_dtype(self.array.dtype)

    @property
    def device(self):
        return device_of(self.array)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    def is_floating_point(self) -> bool:
        return self.array.dtype.kind == "f"

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self.array.shape)
        return self.array.shape[_wrap_dim(dim, self.array.ndim, "size")]

    def dim(self) -> int:
        return self.array.ndim

    def numel(self) -> int:
        return int(self.array.size)

    nelement = numel

    def element_size(self) -> int:
        return self.array.dtype.itemsize

    ndimension = dim

    @property
    def itemsize(self) -> int:
        return self.array.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return int(self.array.nbytes)

    def is_complex(self) -> bool:
        return self.array.dtype.kind == "c"

    def stride(self, dim: int | None = None):
        """Steps in elements (not bytes) between neighbours along each dim, as torch reports them."""
        steps = tuple(s // self.array.dtype.itemsize for s in self.array.strides)
        if dim is None:
            return steps
        return steps[_wrap_dim(dim, self.array.ndim, "stride")]

    def is_contiguous(self, memory_format=None) -> bool:
        """Row-major with no gaps (``memory_format=channels_last``: NHWC memory behind the NCHW shape).
        Conv/pool outputs are channels-last in memory (see nn/kernels), so they answer False where torch's
        NCHW outputs answer True; ``.contiguous()`` makes either one row-major."""
        if memory_format is None or memory_format is contiguous_format:
            return bool(self.array.flags.c_contiguous)
        order = _memory_order(memory_format, self.array.ndim, "is_contiguous")
        return _strides_follow(self.array.shape, self.stride(), order)

    @property
    def layout(self):
        return strided

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    # ---- conversions -------------------------------------------------------------------------------
    def item(self):
        if self.array.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.array.size} elements cannot be converted to Scalar"
            )
        return numpy_of(self.array.reshape(())).item()

    def tolist(self):
        return numpy_of(self.array).tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self.device.type != "cpu":
            if not force:
                raise TypeError(
                    f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to "
                    "copy the tensor to host memory first."
                )
            return numpy_of(self.array)
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        return self.array

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy(force=True)
        return arr if dtype is None else arr.astype(dtype)

    def __array_wrap__(self, array, context=None, return_scalar: bool = False):
        """A NumPy ufunc's result on a tensor comes back as a Tensor (``np.exp(t)``), a bool result as uint8
        (torch's workaround, kept for parity); 0-d results stay 0-d tensors, as in torch."""
        if array.dtype == np.bool_:
            array = array.astype(np.uint8)
        return Tensor._wrap(array)

    def __float__(self) -> float:
        if self.array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        v = self.item()
        if isinstance(v, complex):  # torch: a complex with a nonzero imaginary part does not fit a double
            if v.imag:
                raise RuntimeError("value cannot be converted to type double without overflow")
            v = v.real
        return float(v)

    def __int__(self) -> int:
        if self.array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        v = self.item()
        if isinstance(v, complex):
            if v.imag:
                raise RuntimeError("value cannot be converted to type int64_t without overflow")
            v = v.real
        return int(v)

    def __bool__(self) -> bool:
        if self.array.size != 1:
            how = "no values" if self.array.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {how} is ambiguous")
        return bool(self.item())

    def __index__(self) -> int:
        if self.array.dtype.kind not in "iub" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __hash__(self) -> int:
        return id(self)

    def __format__(self, spec: str) -> str:
        """``f"{t:.4f}"`` formats a 0-d tensor's value, as torch does; other tensors take no format spec."""
        if self.array.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __iter__(self):
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    def __repr__(self) -> str:
        from .printing import tensor_repr

        return tensor_repr(self)

    def __reduce_ex__(self, protocol):  # copy.deepcopy / pickle keep data and requires_grad
        return (_rebuild_tensor, (self.array.copy(), self._requires_grad))

    def __deepcopy__(self, memo):
        t = Tensor._wrap(self.array.copy())
        t.__class__ = self.__class__
        t._requires_grad = self._requires_grad
        if self.grad is not None:
            t.grad = Tensor._wrap(self.grad.array.copy())
        memo[id(self)] = t
        return t

    # ---- dtype / device moves --------------------------------------------------------------------
    def to(self, *args, **kwargs) -> Tensor:
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(other_tensor)``, like torch."""
        from .ops.conversion import to_device_dtype

        dev = kwargs.pop("device", None)
        dt = kwargs.pop("dtype", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        fmt = kwargs.pop("memory_format", preserve_format)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dev, dt = a.device, a.dtype
            elif a is None:
                continue
            elif isinstance(a, str) and a.partition(":")[0] not in ("cpu", "cuda"):
                dt = a  # a dtype name ("float32"), as float()/double()/... pass it
            elif isinstance(a, str) or type(a).__name__ == "device" or isinstance(a, int):
                dev = a
            else:
                dt = a
        out = to_device_dtype(
            self, parse_device(dev) if dev is not None else None,
            to_dtype(dt) if dt is not None else None, copy,
        )
        if fmt is preserve_format:
            return out
        return out.contiguous(memory_format=fmt)

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device=None, non_blocking: bool = False) -> Tensor:
        """A copy on the GPU (``self`` when already there); without a usable GPU torch's errors: AssertionError
        'Torch not compiled with CUDA enabled', or for an explicit device its accelerator RuntimeError."""
        if device is not None:
            dev = parse_device(f"cuda:{device}" if isinstance(device, int) else device)
            if dev.type != "cuda":
                raise RuntimeError("Invalid device, must be cuda device")
        if cupy_module() is None:
            from .cuda._utils import NO_CUDA  # noqa: PLC0415 - minitorch.cuda imports this module
            if device is None:
                raise AssertionError(NO_CUDA)
            raise RuntimeError("Cannot access accelerator device when none is available.")
        return self.to("cuda" if device is None else dev)

    def pin_memory(self) -> Tensor:
        """Accepted for PyTorch scripts: CPU arrays are copied to the GPU as they are (no pinned memory);
        without a usable GPU torch's RuntimeError (there is no accelerator to pin for)."""
        if cupy_module() is None:
            raise RuntimeError("Cannot access accelerator device when none is available.")
        if self.device.type != "cpu":
            raise RuntimeError(f"cannot pin '{self.device}' memory: only CPU tensors can be pinned")
        return self

    def resize_(self, *sizes, memory_format=None) -> Tensor:
        """Give this tensor shape ``sizes`` in place, as torch: the first elements (in row-major order) are kept,
        new ones are uninitialised; a tensor that requires grad cannot be resized."""
        if self._requires_grad:
            raise RuntimeError("cannot resize variables that require grad")
        shape = tuple(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], int) else tuple(sizes)
        if any(not isinstance(s, int) or s < 0 for s in shape):
            raise RuntimeError(f"resize_: sizes must be non-negative integers, got {list(shape)}")
        n = 1
        for s in shape:
            n *= s
        flat = self.array.reshape(-1)
        if n <= flat.size:
            new = flat[:n].reshape(shape)
        else:
            new = xp_of(flat).empty(n, dtype=flat.dtype)
            new[:flat.size] = flat
            new = new.reshape(shape)
        self.array = new
        self._version += 1
        return self

    def resize_as_(self, other: Tensor, memory_format=None) -> Tensor:
        """``resize_(other.shape)``."""
        return self.resize_(tuple(other.shape))

    def is_pinned(self, device=None) -> bool:
        """False: minitorch never pins host memory (``pin_memory()`` returns the tensor as it is)."""
        return False


    def type(self, dtype=None, non_blocking: bool = False, **kwargs):
        """``x.type()`` names the tensor type ('torch.FloatTensor', 'torch.cuda.LongTensor');
        ``x.type(t)`` converts to a dtype, a legacy type (``minitorch.LongTensor``) or such a name
        (returns ``x`` itself when nothing changes)."""
        if dtype is None:
            return type_name(self)
        dev = None
        if isinstance(dtype, str):
            dtype, dev = _parse_type_name(dtype)
        elif isinstance(dtype, _LegacyTensorType):
            dtype, dev = dtype.dtype, dtype._device
        dt = to_dtype(dtype)
        if dt.np == self.array.dtype and (dev is None or dev == self.device.type):
            return self
        return self.to(dev, dt) if dev is not None else self.to(dt)

    def new(self, *args, device=None) -> Tensor:
        """The legacy constructor with this tensor's dtype and device: ``x.new(2, 3)`` (uninitialised),
        ``x.new([1, 2])`` (data), ``x.new()`` (empty), ``x.new(other)`` (shares ``other``'s memory)."""
        return _wrap_array(legacy_array(self.dtype, args, device if device is not None else self.device, "new"))

    def float(self) -> Tensor:
        return self.to("float32")

    def double(self) -> Tensor:
        return self.to("float64")

    def half(self) -> Tensor:
        return self.to("float16")

    def long(self) -> Tensor:
        return self.to("int64")

    def int(self) -> Tensor:
        return self.to("int32")

    def bool(self) -> Tensor:
        return self.to("bool")

    def byte(self) -> Tensor:
        return self.to("uint8")

    def char(self) -> Tensor:
        return self.to("int8")

    def short(self) -> Tensor:
        return self.to("int16")

    def type_as(self, other: Tensor) -> Tensor:
        """This tensor with ``other``'s dtype and device."""
        return self.to(other)

    # ---- autograd ------------------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not requires_grad and self._grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if requires_grad and self.array.dtype.kind not in "fc":
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients (got {self.dtype})"
            )
        self._requires_grad = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """A tensor sharing this one's data, cut from the graph."""
        return Tensor._wrap(self.array)

    def detach_(self) -> Tensor:
        self._grad_fn = None
        self._requires_grad = False
        return self

    def backward(self, gradient=None, retain_graph=None, create_graph: bool = False, inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (seeded with ``gradient``)."""
        if _engine is None:
            _load_engine()
        if gradient is None and inputs is None:  # the common case, without the general argument handling
            _engine.backward_scalar(self, retain_graph, create_graph)
        else:
            _engine.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new grad."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            hooks, item = self._hooks, hook
        else:
            self._grad_fn.register_hook(self._out_index, hook)
            hooks, item = self._grad_fn._hooks[self._out_index], hook
        return _RemovableHandle(hooks, item)

    def register_post_accumulate_grad_hook(self, hook):
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(hook)
        return _RemovableHandle(self._post_hooks, hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None:
            return
        fn = self._grad_fn
        if fn._retained is None:
            fn._retained = {}
        fn._retained[self._out_index] = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        fn = self._grad_fn
        return bool(fn is not None and fn._retained and self._out_index in fn._retained)

    @property
    def _base(self):
        return None

    def data_ptr(self) -> int:
        if isinstance(self.array, np.ndarray):
            return self.array.__array_interface__["data"][0]
        return self.array.data.ptr

    def get_device(self) -> int:
        return -1 if self.device.type == "cpu" else (self.device.index or 0)


def _init_fields(t: Tensor, array) -> None:
    """Give ``t`` the array ``array`` and every autograd field its default (constructors use this)."""
    t.array = array
    t._requires_grad = False
    t.grad = None
    t._grad_fn = None
    t._out_index = 0
    t._version = 0
    t._hooks = None
    t._post_hooks = None
    t.name = None


_engine = None  # minitorch.autograd.engine, bound on the first backward (it imports this module)


def _load_engine() -> None:
    global _engine
    from .autograd import engine

    _engine = engine


def _wrap_array(array) -> Tensor:
    """A new Tensor around ``array`` (no copy); all autograd fields at their defaults.

    The same fields as ``_init_fields``, set inline: this runs once per op and a call costs more.
    """
    t = _new_object(Tensor)
    t.array = array
    t._requires_grad = False
    t.grad = None
    t._grad_fn = None
    t._out_index = 0
    t._version = 0
    t._hooks = None
    t._post_hooks = None
    t.name = None
    return t


_new_object = object.__new__


class Size(tuple):
    """``torch.Size``: a tuple of dimension sizes with ``numel()``."""

    __slots__ = ()

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    # torch.Size arithmetic and slicing give a Size (tuple's would give a plain tuple)
    def __getitem__(self, index):
        out = tuple.__getitem__(self, index)
        return Size(out) if type(index) is slice else out

    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) to torch.Size")
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__


class _RemovableHandle:
    def __init__(self, container, item):
        self._container, self._item = container, item

    def remove(self) -> None:
        try:
            self._container.remove(self._item)
        except ValueError:
            pass


def _rebuild_tensor(data, requires_grad):
    t = Tensor._wrap(data)
    t._requires_grad = requires_grad
    return t


def _wrap_dim(dim: int, ndim: int, op: str) -> int:
    """Normalise a possibly negative dim, raising torch's IndexError when out of range."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


# ---------------------------------------------------------------- layouts and memory formats -----
class _NamedConstant:
    """A singleton option object printed as torch prints it (``torch.channels_last``); pickles by name."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (getattr, (_this_module(), self.name))


class memory_format(_NamedConstant):
    """How a tensor's elements are ordered in memory (``torch.channels_last`` ...)."""

    __slots__ = ()


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


class layout(_NamedConstant):
    """A tensor's storage layout: minitorch has only ``strided`` (dense arrays)."""

    __slots__ = ()


strided = layout("strided")


def _this_module():
    import sys

    return sys.modules[__name__]


def check_layout(value, op: str) -> None:
    """``layout=`` as creation functions take it: None or ``strided`` (sparse layouts do not exist here)."""
    if value is not None and value is not strided:
        raise RuntimeError(f"{op}: minitorch supports only the strided layout, got {value!r}")


def _memory_order(fmt, ndim: int, op: str) -> tuple:
    """Dims from outermost to innermost in memory for ``fmt`` (channels_last: N, H, W, C)."""
    if fmt is channels_last:
        if ndim != 4:
            raise RuntimeError(f"{op}: required rank 4 tensor to use channels_last format (got {ndim}-D)")
        return (0, 2, 3, 1)
    if fmt is channels_last_3d:
        if ndim != 5:
            raise RuntimeError(f"{op}: required rank 5 tensor to use channels_last_3d format (got {ndim}-D)")
        return (0, 2, 3, 4, 1)
    if fmt is contiguous_format:
        return tuple(range(ndim))
    raise RuntimeError(f"{op}: unsupported memory format {fmt!r}")


def _strides_follow(shape, strides, order) -> bool:
    """Whether ``strides`` lay the dims out densely in ``order`` (size-1 dims may have any stride)."""
    expected = 1
    for d in reversed(order):
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True


def _contiguous(self: Tensor, memory_format=contiguous_format) -> Tensor:
    """This tensor with dense memory in ``memory_format``: row-major (default), or ``channels_last``,
    an NCHW view of NHWC memory (same values and gradients). Returns ``self`` when already so."""
    from .ops import shape as sh

    if memory_format is contiguous_format:
        return sh.contiguous(self)
    if memory_format is preserve_format:
        if self.array.flags.c_contiguous:
            return self
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    order = _memory_order(memory_format, self.array.ndim, "contiguous")
    if _strides_follow(self.array.shape, self.stride(), order):
        return self
    inverse = tuple(sorted(range(len(order)), key=order.__getitem__))
    return sh.contiguous(sh.permute(self, order)).permute(inverse)


Tensor.contiguous = _contiguous


# ---------------------------------------------------------------- legacy constructors -------------
def legacy_array(dtype, args: tuple, device, op: str):
    """The array for ``Tensor(*args)`` / ``x.new(*args)`` / ``LongTensor(*args)``: sizes, data or a tensor."""
    from .backend import xp_for_device
    from .creation import as_array, get_default_device

    dev = parse_device(device) if device is not None else None
    if len(args) == 1 and isinstance(args[0], Tensor):
        src = args[0]
        if dtype is not None and src.array.dtype != dtype.np:
            raise TypeError(f"{op}(): expected a {dtype} tensor (got {src.dtype})")
        if dev is not None and dev.type != src.device.type:
            raise RuntimeError(f"{op}(): expected a tensor on {dev} (got {src.device})")
        return src.array
    np_dtype = (dtype or get_default_dtype()).np
    if len(args) == 1 and isinstance(args[0], Size):
        args = tuple(args[0])
    if not args or all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
        shape = tuple(int(a) for a in args) if args else (0,)
        for s in shape:
            if s < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(shape)}")
        return xp_for_device(dev or get_default_device()).empty(shape, dtype=np_dtype)
    if len(args) == 1:
        data = args[0]
        if isinstance(data, (list, tuple)) or (hasattr(data, "__array__") and hasattr(data, "ndim")):
            return as_array(data, dtype or get_default_dtype(), dev or get_default_device())
        raise TypeError(f"{op}(): data must be a sequence (got {type(data).__name__})")
    raise TypeError(f"{op}(): expected sizes as ints or one sequence of data, got "
                    f"({', '.join(type(a).__name__ for a in args)})")


class _LegacyTensorType(type):
    """``minitorch.LongTensor`` & co.: calling one builds a Tensor of that dtype (sizes or data);
    ``isinstance(x, LongTensor)`` asks whether ``x`` is a CPU int64 tensor, as in torch."""

    def __call__(cls, *args, device=None):
        if device is not None and parse_device(device).type != cls._device:
            raise RuntimeError(f"legacy constructor expects device type: {cls._device} but device type: "
                               f"{parse_device(device).type} was passed")
        return _wrap_array(legacy_array(cls.dtype, args, cls._device, "new"))

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.array.dtype == cls.dtype.np and obj.device.type == cls._device

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


_LEGACY_NAMES = {"Float": "float32", "Double": "float64", "Half": "float16", "Long": "int64", "Int": "int32",
                 "Short": "int16", "Char": "int8", "Byte": "uint8", "Bool": "bool"}
_LEGACY_BY_DTYPE = {v: k + "Tensor" for k, v in _LEGACY_NAMES.items()}


def _legacy_type(name: str) -> _LegacyTensorType:
    return _LegacyTensorType(name + "Tensor", (), {"dtype": to_dtype(_LEGACY_NAMES[name]), "_device": "cpu",
                                                   "is_cuda": False, "__module__": "minitorch"})


FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor = (
    _legacy_type(n) for n in _LEGACY_NAMES)


def type_name(t: Tensor) -> str:
    """torch's name for the tensor type: 'torch.FloatTensor', 'torch.cuda.LongTensor'."""
    cls = _LEGACY_BY_DTYPE[t.array.dtype.name if t.array.dtype.kind != "b" else "bool"]
    return f"torch.cuda.{cls}" if t.device.type == "cuda" else f"torch.{cls}"


def _parse_type_name(name: str) -> tuple:
    """'torch.FloatTensor' / 'torch.cuda.LongTensor' (or 'minitorch.*') -> (dtype, device type)."""
    rest = name.partition(".")[2] if name.startswith(("torch.", "minitorch.")) else ""
    dev = "cpu"
    if rest.startswith("cuda."):
        dev, rest = "cuda", rest[5:]
    if rest.endswith("Tensor") and rest[:-6] in _LEGACY_NAMES:
        return to_dtype(_LEGACY_NAMES[rest[:-6]]), dev
    raise ValueError(f"invalid type: {name!r}")


def zeros_like_tensor(t: Tensor) -> Tensor:
    return Tensor._wrap(xp_of(t.array).zeros_like(t.array))


__all__ = [
    "Tensor", "Size", "to_dtype", "memory_format", "contiguous_format", "preserve_format", "channels_last",
    "channels_last_3d", "layout", "strided", "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor",
    "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor",
]
