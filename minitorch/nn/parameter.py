"""``nn.Parameter``: a Tensor that a Module registers as a learnable weight."""
from __future__ import annotations

from ..backend.dtype import get_default_dtype
from ..creation import as_array
from ..tensor import Tensor, _init_fields

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A leaf Tensor that requires grad by default and is registered when assigned to a Module.

    ``Parameter(t)`` shares ``t``'s memory (no copy), as in PyTorch.
    """

    __slots__ = ()  # same layout as Tensor, so ``t.__class__ = Parameter`` (deepcopy) works

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            arr = as_array([], dtype=get_default_dtype())
        elif isinstance(data, Tensor):
            arr = data.data
        else:
            arr = as_array(data)
        _init_fields(self, arr)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.data.copy(), self._requires_grad))


def _rebuild_parameter(data, requires_grad: bool) -> Parameter:
    return Parameter(Tensor._wrap(data), requires_grad)
