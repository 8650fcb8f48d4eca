"""``nn.Parameter``: a Tensor that a Module registers as a learnable weight."""
from __future__ import annotations

from ..backend.dtype import get_default_dtype
from ..creation import as_array, empty
from ..tensor import Tensor, _init_fields

__all__ = ["Parameter", "UninitializedParameter", "UninitializedBuffer", "is_lazy", "Buffer"]


class Parameter(Tensor):
    """A leaf Tensor that requires grad by default and is registered when assigned to a Module.

    ``Parameter(t)`` shares ``t``'s memory (no copy), as in PyTorch.
    """

    __slots__ = ()  # same layout as Tensor, so ``t.__class__ = Parameter`` (deepcopy) works

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            arr = as_array([], dtype=get_default_dtype())
        elif isinstance(data, Tensor):
            arr = data.array
        else:
            arr = as_array(data)
        _init_fields(self, arr)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.array.copy(), self._requires_grad))


def _rebuild_parameter(data, requires_grad: bool) -> Parameter:
    return Parameter(Tensor._wrap(data), requires_grad)


_UNINIT_SHAPE = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
    "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
    "`forward` to initialize the parameters before accessing their attributes."
)


class _UninitializedTensorMixin:
    """A placeholder whose shape is not known yet: a lazy module ``materialize``s it on its first forward.

    It holds an empty array only to carry its device and dtype (``Module.to`` moves/casts it as usual).
    ``materialize`` gives *this same object* its array and turns it into ``cls_to_become``, so an
    optimizer built before the first forward holds the materialised parameter.
    """

    __slots__ = ()
    cls_to_become: type = Tensor

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give this object a fresh uninitialised array of ``shape`` (on its device/dtype unless given)."""
        arr = empty(tuple(shape), device=self.device if device is None else device,
                    dtype=self.dtype if dtype is None else dtype).array
        self.array = arr
        self._version += 1
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(_UNINIT_SHAPE)

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
                           "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, protocol):
        return (type(self), (self._requires_grad,))


class UninitializedParameter(_UninitializedTensorMixin, Parameter):
    """A Parameter whose shape is inferred later (by a ``Lazy*`` module's first forward)."""

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device=None, dtype=None):
        _init_fields(self, empty(0, device=device, dtype=dtype).array)
        if requires_grad:
            self.requires_grad_(True)


class UninitializedBuffer(_UninitializedTensorMixin, Tensor):
    """A buffer (e.g. LazyBatchNorm's running_mean) whose shape is inferred later."""

    __slots__ = ()
    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device=None, dtype=None):
        _init_fields(self, empty(0, device=device, dtype=dtype).array)
        if requires_grad:
            self.requires_grad_(True)


def is_lazy(param) -> bool:
    """True for an ``UninitializedParameter`` / ``UninitializedBuffer`` not materialised yet."""
    return isinstance(param, _UninitializedTensorMixin)


class Buffer(Tensor):
    """``nn.Buffer(data=None, *, persistent=True)``: a Tensor that, assigned to a Module attribute, is
    registered as a buffer (in ``state_dict`` unless ``persistent=False``), as ``torch.nn.Buffer``.

    ``Buffer(t)`` shares ``t``'s memory and keeps its ``requires_grad`` (``t.detach()``); ``None`` gives an
    empty float tensor. ``persistent`` is stored in the class (``Buffer`` / a private non-persistent
    subclass: minitorch Tensors have no per-instance attribute dict), so ``isinstance(b, Buffer)`` holds
    for both and ``b.persistent`` can be read and set.
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            data = empty(0)
        t = data.detach()
        if data.requires_grad:
            t.requires_grad_(True)
        t.__class__ = Buffer if persistent else _NonPersistentBuffer
        return t

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True) -> None:
        pass  # everything happened in __new__

    @property
    def persistent(self) -> bool:
        return not isinstance(self, _NonPersistentBuffer)

    @persistent.setter
    def persistent(self, value: bool) -> None:
        self.__class__ = Buffer if value else _NonPersistentBuffer


class _NonPersistentBuffer(Buffer):
    __slots__ = ()
