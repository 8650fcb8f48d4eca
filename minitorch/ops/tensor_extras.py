"""The rest of torch.Tensor's surface: in-place variants of existing ops (``cos_``, ``eq_``, ``cumsum_``...),
comparison aliases, the ``is_*`` predicates and device properties, ``output_nr``, ``dim_order``,
``resize``/``resize_as``, ``share_memory_``, and the ``hardshrink``/``prelu`` methods.

``METHODS`` entries may be properties (bound as such); ``INPLACE_METHODS`` go through tensor_methods'
generic in-place wrapper (compute out of place, write into the tensor's memory, adopt the graph).
"""
from __future__ import annotations

import warnings

from ..backend.dtype import can_cast, result_type
from ..tensor import Tensor
from . import bitwise as bw
from . import comparison as cmp
from . import elementwise as ew
from . import reduction as red
from . import shape as sh
from ._util import torch_type_name

__all__: list = []  # everything here is a Tensor method


def _casting(name: str, fn):
    """``fn`` for an in-place method: torch refuses a result type the tensor cannot hold (int into bool...)."""
    def checked(self, other, *args, **kwargs):
        if isinstance(other, (Tensor, bool, int, float)):
            out = result_type(self, other)
            if not can_cast(out, self.dtype):
                raise RuntimeError(f"result type {torch_type_name(out.np)} can't be cast to the desired output "
                                   f"type {torch_type_name(self.array.dtype)}")
        return fn(self, other, *args, **kwargs)

    checked.__name__ = name
    return checked


_FALSE = property(lambda self: False)


def is_signed(self: Tensor) -> bool:
    """True for signed integer and floating dtypes; False for uint8 and bool."""
    return self.array.dtype.kind in "if"


def is_nonzero(self: Tensor) -> bool:
    """The truth of a one-element tensor (torch's errors for empty or several elements)."""
    n = self.array.size
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(self.array.reshape(()))


def is_same_size(self: Tensor, other: Tensor) -> bool:
    """Whether both tensors have the same shape."""
    return tuple(self.array.shape) == tuple(other.array.shape)


def is_inference(self: Tensor) -> bool:
    """False: minitorch has no inference tensors (``inference_mode`` is ``no_grad``), so no tensor is one."""
    return False


def is_neg(self: Tensor) -> bool:
    """False: minitorch never carries a lazy negation bit (torch's is set only by conj views of complex)."""
    return False


def is_shared(self: Tensor) -> bool:
    """True for GPU tensors (as torch: CUDA memory counts as shared); CPU NumPy memory is process-private."""
    return self.device.type == "cuda"


def is_distributed(self: Tensor) -> bool:
    """False: minitorch has no distributed tensors."""
    return False


def share_memory_(self: Tensor) -> Tensor:
    """Returns this tensor, as torch does. torch moves CPU storage to shared memory for multiprocessing;
    minitorch's NumPy memory stays process-private (child processes get copies), so this is a no-op here."""
    return self


def resolve_neg(self: Tensor) -> Tensor:
    """This tensor (minitorch has no negative-bit views to materialise)."""
    return self


def dim_order(self: Tensor, *, ambiguity_check: bool = False) -> tuple:
    """The dims from outermost to innermost in memory (by decreasing stride, ties in dim order)."""
    strides = self.stride()
    return tuple(sorted(range(self.array.ndim), key=lambda d: -strides[d]))


def resize(self: Tensor, *sizes) -> Tensor:
    """Deprecated out-of-place resize: a reshaped copy (same number of elements; differentiable), warning
    as torch does."""
    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    shape = tuple(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], int) else tuple(sizes)
    n = 1
    for s in shape:
        n *= int(s)
    if n != self.array.size:
        raise RuntimeError(
            f"requested resize to {'x'.join(map(str, shape))} ({n} elements in total), but the given tensor has a "
            f"size of {'x'.join(map(str, self.array.shape))} ({self.array.size} elements). autograd's resize can "
            "only change the shape of a given tensor, while preserving the number of elements. ")
    return sh.reshape(self, shape).clone()


def resize_as(self: Tensor, tensor: Tensor) -> Tensor:
    """Deprecated: ``resize(tensor.size())``."""
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    shape = tuple(tensor.array.shape)
    if self.array.size != tensor.array.size:
        raise RuntimeError(f"requested resize to {'x'.join(map(str, shape))} ({tensor.array.size} elements in "
                           f"total), but the given tensor has a size of {'x'.join(map(str, self.array.shape))} "
                           f"({self.array.size} elements). autograd's resize can only change the shape of a given "
                           "tensor, while preserving the number of elements. ")
    return sh.reshape(self, shape).clone()


def hardshrink(self: Tensor, lambd: float = 0.5) -> Tensor:
    """``nn.functional.hardshrink(self, lambd)``."""
    from ..nn.functional.activation import hardshrink as f

    return f(self, lambd)


def prelu(self: Tensor, weight: Tensor) -> Tensor:
    """``nn.functional.prelu(self, weight)``."""
    from ..nn.functional.extras import prelu as f

    return f(self, weight)


def const_data_ptr(self: Tensor) -> int:
    """The address of the first element (as ``data_ptr``; minitorch has no read-only pointer type)."""
    return self.data_ptr()


def is_set_to(self: Tensor, tensor: Tensor) -> bool:
    """True when both tensors view the same memory with the same offset, shape and strides."""
    from .strided import _storage

    a, b = self.array, tensor.array
    if type(a) is not type(b) or a.shape != b.shape or a.strides != b.strides or a.dtype != b.dtype:
        return False
    (sa, oa), (sb, ob) = _storage(a), _storage(b)
    return oa == ob and self.data_ptr() == tensor.data_ptr() and sa.shape == sb.shape


def _top_level(name: str):
    """``x.name(...)`` = ``minitorch.name(x, ...)``, looked up at call time (those live in the package)."""
    def method(self, *args, **kwargs):
        import minitorch

        return getattr(minitorch, name)(self, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"``minitorch.{name}(self, ...)``."
    return method


def _output_nr(self: Tensor) -> int:
    """This tensor's index among its grad_fn's outputs (0 for leaves)."""
    return int(getattr(self, "_out_index", 0) or 0) if self._grad_fn is not None else 0


METHODS: dict = {
    "is_signed": is_signed, "is_nonzero": is_nonzero, "is_same_size": is_same_size, "is_inference": is_inference,
    "is_neg": is_neg, "is_shared": is_shared, "is_distributed": is_distributed, "share_memory_": share_memory_,
    "resolve_neg": resolve_neg, "dim_order": dim_order, "resize": resize, "resize_as": resize_as,
    "hardshrink": hardshrink, "prelu": prelu, "const_data_ptr": const_data_ptr, "is_set_to": is_set_to,
    **{name: _top_level(name) for name in ("eig", "lstsq", "solve", "symeig", "nonzero_static")},
    "output_nr": property(_output_nr),
    "is_cpu": property(lambda self: self.device.type == "cpu"),
    **{name: _FALSE for name in ("is_meta", "is_quantized", "is_sparse", "is_sparse_csr", "is_nested",
                                 "is_mkldnn", "is_xla", "is_mps", "is_ipu", "is_xpu", "is_mtia", "is_maia",
                                 "is_vulkan")},
    # bitwise operators (and their in-place forms)
    **bw.OPERATORS,
    "__iand__": lambda self, other: self.bitwise_and_(other),
    "__ior__": lambda self, other: self.bitwise_or_(other),
    "__ixor__": lambda self, other: self.bitwise_xor_(other),
    "__ilshift__": lambda self, other: self.bitwise_left_shift_(other),
    "__irshift__": lambda self, other: self.bitwise_right_shift_(other),
}

_COMPARISONS = {
    "eq_": cmp.eq, "ne_": cmp.ne, "lt_": cmp.lt, "le_": cmp.le, "gt_": cmp.gt, "ge_": cmp.ge,
    "greater_": cmp.gt, "greater_equal_": cmp.ge, "less_": cmp.lt, "less_equal_": cmp.le, "not_equal_": cmp.ne,
    "logical_and_": cmp.logical_and, "logical_or_": cmp.logical_or, "logical_xor_": cmp.logical_xor,
}

INPLACE_METHODS: dict = {
    "cos_": ew.cos, "sin_": ew.sin, "ceil_": cmp.ceil, "floor_": cmp.floor, "round_": cmp.round,
    "trunc_": cmp.trunc, "log1p_": ew.log1p, "log2_": ew.log2, "log10_": ew.log10, "sign_": ew.sign,
    "rsqrt_": ew.rsqrt, "reciprocal_": ew.reciprocal, "square_": ew.square, "cumsum_": red.cumsum,
    "remainder_": ew.remainder, "divide_": ew.div, "multiply_": ew.mul, "subtract_": ew.sub,
    "true_divide_": ew.div, "floor_divide_": cmp.floor_divide, "negative_": ew.neg, "absolute_": ew.abs,
    "logical_not_": cmp.logical_not,
    **_COMPARISONS,
    **{name + "_": _casting(name + "_", fn) for name, fn in (
        ("bitwise_and", bw.bitwise_and), ("bitwise_or", bw.bitwise_or), ("bitwise_xor", bw.bitwise_xor),
        ("bitwise_left_shift", bw.bitwise_left_shift), ("bitwise_right_shift", bw.bitwise_right_shift))},
    "bitwise_not_": bw.bitwise_not,
}
