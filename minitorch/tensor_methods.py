"""Bind the op families onto Tensor as methods and operators (``x.exp()``, ``a @ b``, ``x[0] = 1``)."""
from __future__ import annotations

import numpy as np

from . import creation, sampling
from .autograd.grad_mode import _GradState
from .backend import xp_of
from .ops import comparison as cmp
from .ops import elementwise as ew
from .ops import indexing as ix
from .ops import linalg as la
from .ops import reduction as red
from .ops import shape as sh
from .ops._util import unbroadcast
from .ops.conversion import clone
from .ops.elementwise import Add, Div, Mul, Neg, Pow, Sub
from .tensor import Tensor


def _r(fn):
    """Reflected operator: ``2 - x`` calls ``x.__rsub__(2)``."""
    return lambda self, other: fn(other, self)


# operators (hot path: call the Function directly)
Tensor.__add__ = lambda self, other: Add.apply(self, other)
Tensor.__radd__ = lambda self, other: Add.apply(other, self)
Tensor.__sub__ = lambda self, other: Sub.apply(self, other)
Tensor.__rsub__ = lambda self, other: Sub.apply(other, self)
Tensor.__mul__ = lambda self, other: Mul.apply(self, other)
Tensor.__rmul__ = lambda self, other: Mul.apply(other, self)
Tensor.__truediv__ = lambda self, other: Div.apply(self, other)
Tensor.__rtruediv__ = lambda self, other: Div.apply(other, self)
Tensor.__neg__ = lambda self: Neg.apply(self)
Tensor.__pos__ = lambda self: self
Tensor.__pow__ = lambda self, other: Pow.apply(self, other)
Tensor.__rpow__ = lambda self, other: Pow.apply(other, self)
Tensor.__matmul__ = lambda self, other: la.matmul(self, other)
Tensor.__rmatmul__ = lambda self, other: la.matmul(other, self)
Tensor.__mod__ = lambda self, other: ew.remainder(self, other)
Tensor.__rmod__ = _r(ew.remainder)
Tensor.__floordiv__ = lambda self, other: cmp.floor_divide(self, other)
Tensor.__rfloordiv__ = _r(cmp.floor_divide)
Tensor.__abs__ = lambda self: ew.abs(self)
Tensor.__eq__ = lambda self, other: False if other is None else cmp.eq(self, other)  # `t == None`, as torch
Tensor.__ne__ = lambda self, other: True if other is None else cmp.ne(self, other)
Tensor.__lt__ = cmp.lt
Tensor.__le__ = cmp.le
Tensor.__gt__ = cmp.gt
Tensor.__ge__ = cmp.ge
Tensor.__and__ = cmp.bitwise_and
Tensor.__or__ = cmp.bitwise_or
Tensor.__xor__ = cmp.bitwise_xor
Tensor.__invert__ = cmp.bitwise_not
Tensor.__rand__ = _r(cmp.bitwise_and)
Tensor.__ror__ = _r(cmp.bitwise_or)
Tensor.__getitem__ = ix.getitem
Tensor.__hash__ = object.__hash__

_METHODS = {
    # elementwise
    "add": ew.add, "sub": ew.sub, "subtract": ew.sub, "mul": ew.mul, "multiply": ew.mul, "div": ew.div,
    "divide": ew.div, "true_divide": ew.div, "neg": ew.neg, "negative": ew.neg, "pow": ew.pow,
    "remainder": ew.remainder,
    "exp": ew.exp, "log": ew.log, "log1p": ew.log1p, "log2": ew.log2, "log10": ew.log10, "sqrt": ew.sqrt,
    "rsqrt": ew.rsqrt, "abs": ew.abs, "absolute": ew.abs, "sign": ew.sign, "sin": ew.sin, "cos": ew.cos,
    "tanh": ew.tanh, "sigmoid": ew.sigmoid, "relu": ew.relu, "clamp": ew.clamp, "clip": ew.clamp,
    "clamp_min": ew.clamp_min, "clamp_max": ew.clamp_max,
    "maximum": ew.maximum, "minimum": ew.minimum, "masked_fill": ew.masked_fill, "square": ew.square,
    "reciprocal": ew.reciprocal, "where": lambda self, cond, other: ew.where(cond, self, other),
    # reductions
    "sum": red.sum, "mean": red.mean, "var": red.var, "std": red.std, "prod": red.prod, "max": red.max,
    "min": red.min, "amax": red.amax, "amin": red.amin, "argmax": red.argmax, "argmin": red.argmin,
    "logsumexp": red.logsumexp, "softmax": red.softmax, "log_softmax": red.log_softmax,
    "cumsum": red.cumsum, "norm": red.norm,
    # shape
    "reshape": sh.reshape, "view": sh.view, "flatten": sh.flatten, "unflatten": sh.unflatten,
    "squeeze": sh.squeeze, "unsqueeze": sh.unsqueeze, "permute": sh.permute, "transpose": sh.transpose,
    "swapaxes": sh.transpose, "t": sh.t, "expand": sh.expand, "expand_as": sh.expand_as,
    "broadcast_to": sh.broadcast_to, "repeat": sh.repeat, "flip": sh.flip, "narrow": sh.narrow,
    "split": sh.split, "chunk": sh.chunk, "unbind": sh.unbind, "movedim": sh.movedim,
    # "contiguous" (with memory_format=) is defined in tensor.py
    # indexing
    "gather": ix.gather, "scatter_add": ix.scatter_add, "scatter": ix.scatter, "index_select": ix.index_select,
    "masked_select": ix.masked_select, "index_put": ix.index_put, "take_along_dim": ix.take_along_dim,
    "index_add": ix.index_add, "index_copy": ix.index_copy, "index_fill": ix.index_fill,
    "masked_scatter": ix.masked_scatter, "argwhere": ix.argwhere, "put": ix.put,
    # linalg
    "matmul": la.matmul, "mm": la.mm, "bmm": la.bmm, "mv": la.mv, "dot": la.dot, "outer": la.outer,
    # no-grad
    "eq": cmp.eq, "ne": cmp.ne, "lt": cmp.lt, "le": cmp.le, "gt": cmp.gt, "ge": cmp.ge,
    "logical_and": cmp.logical_and, "logical_or": cmp.logical_or, "logical_not": cmp.logical_not,
    "logical_xor": cmp.logical_xor, "isnan": cmp.isnan, "isinf": cmp.isinf, "isfinite": cmp.isfinite,
    "floor": cmp.floor, "ceil": cmp.ceil, "trunc": cmp.trunc, "round": cmp.round, "allclose": cmp.allclose,
    "isclose": cmp.isclose, "equal": cmp.equal, "any": cmp.any, "all": cmp.all, "nonzero": cmp.nonzero,
    "argsort": cmp.argsort, "sort": cmp.sort, "topk": cmp.topk, "unique": cmp.unique,
    "count_nonzero": cmp.count_nonzero, "floor_divide": cmp.floor_divide,
    "clone": clone,
}
for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)

Tensor.T = property(lambda self: sh.permute(self, tuple(range(self.array.ndim - 1, -1, -1))))
def _mT(self: Tensor) -> Tensor:
    if self.array.ndim < 2:
        raise RuntimeError(
            f"tensor.mT is only supported on matrices or batches of matrices. Got {self.array.ndim}-D tensor."
        )
    return sh.transpose(self, -2, -1)


Tensor.mT = property(_mT)
Tensor.mH = Tensor.mT  # real dtypes only: the conjugate transpose is the transpose


def _H(self: Tensor) -> Tensor:
    if self.array.ndim != 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self.array.ndim}-D tensor."
                           + (" For batches of matrices, consider using tensor.mH" if self.array.ndim > 2 else ""))
    return sh.transpose(self, 0, 1)


Tensor.H = property(_H)


def _sum_to_size(self: Tensor, *size) -> Tensor:
    """Sum over the dims that broadcasting ``size`` up to this tensor's shape would stretch or add."""
    shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)
    try:
        expandable = np.broadcast_shapes(shape, self.array.shape) == self.array.shape
    except ValueError:
        expandable = False
    if not expandable:
        raise RuntimeError(f"sum_to_size: size {list(shape)} is not expandable to size {list(self.array.shape)}.")
    return unbroadcast(self, shape)


Tensor.sum_to_size = _sum_to_size


def _elementwise_python(self: Tensor, fn, *others) -> Tensor:
    """``apply_``/``map_``: call a Python function per element (CPU only, no graph), as torch does."""
    _check_inplace_leaf(self, "apply_" if not others else "map_")
    if self.device.type != "cpu" or any(o.device.type != "cpu" for o in others):
        raise TypeError("apply_ and map_ are only implemented on CPU tensors")
    arrays = [np.broadcast_to(o.array, self.array.shape) for o in others]
    self.array[...] = np.vectorize(fn, otypes=[self.array.dtype])(self.array, *arrays)
    self._version += 1
    return self


Tensor.apply_ = lambda self, callable: _elementwise_python(self, callable)
Tensor.map_ = lambda self, tensor, callable: _elementwise_python(self, callable, tensor)


# ---------------------------------------------------------------- in-place ops -------------------
def _check_inplace_leaf(t: Tensor, op: str) -> None:
    if t._requires_grad and t._grad_fn is None and _GradState.enabled:
        raise RuntimeError(
            f"{op}: a leaf Variable that requires grad is being used in an in-place operation. "
            "Wrap the update in `with minitorch.no_grad():` (as optimizers do)."
        )


def _write_back(t: Tensor, result: Tensor, op: str) -> Tensor:
    """Store ``result`` into ``t``'s memory (views see it), bump the version, adopt the graph."""
    arr = result.array
    if arr.shape != t.array.shape:
        raise RuntimeError(
            f"{op}: output with shape {list(t.array.shape)} doesn't match the broadcast shape {list(arr.shape)}"
        )
    if arr.dtype != t.array.dtype:
        if arr.dtype.kind == "f" and t.array.dtype.kind in "iub":
            raise RuntimeError(
                f"{op}: result type {result.dtype} can't be cast to the desired output type {t.dtype}"
            )
        arr = arr.astype(t.array.dtype)
    if 0 in t.array.strides or not sh.writeable(t.array):
        sh.check_no_overlap(t.array, op)  # an expand()-ed tensor: torch's error
    if sh.writeable(t.array):
        xp_of(t.array).copyto(t.array, arr)
    else:
        t.array = arr.copy()
    t._version += 1
    if result._grad_fn is not None:
        t._grad_fn = result._grad_fn
        t._out_index = result._out_index
        t._requires_grad = True
    return t


def _inplace(name, fn):
    def method(self, *args, **kwargs):
        _check_inplace_leaf(self, name)
        if not _GradState.enabled or not (self._requires_grad or any(
            isinstance(a, Tensor) and a._requires_grad for a in args
        )):
            with _NoGraph():
                result = fn(self, *args, **kwargs)
            return _write_back(self, result, name)
        # the op may save its input for backward: give it the value before the write, not ``self``
        return _write_back(self, fn(_old_value(self), *args, **kwargs), name)

    method.__name__ = name
    method.__doc__ = f"In-place {name[:-1]}: computes out of place, writes into this tensor's memory."
    return method


def _old_value(t: Tensor) -> Tensor:
    """A copy of ``t``'s data standing at ``t``'s place in the graph (what an in-place op reads)."""
    old = Tensor._wrap(t.array.copy())
    old._requires_grad = t._requires_grad
    old._grad_fn = t._grad_fn
    old._out_index = t._out_index
    return old


class _NoGraph:
    def __enter__(self):
        self.prev = _GradState.enabled
        _GradState.enabled = False

    def __exit__(self, *exc):
        _GradState.enabled = self.prev


for _name, _fn in {
    "add_": ew.add, "sub_": ew.sub, "mul_": ew.mul, "div_": ew.div, "pow_": ew.pow, "clamp_": ew.clamp,
    "clip_": ew.clamp, "clamp_min_": ew.clamp_min, "clamp_max_": ew.clamp_max,
    "exp_": ew.exp, "log_": ew.log, "sqrt_": ew.sqrt, "neg_": ew.neg, "abs_": ew.abs,
    "relu_": ew.relu, "sigmoid_": ew.sigmoid, "tanh_": ew.tanh, "masked_fill_": ew.masked_fill,
    "scatter_add_": ix.scatter_add, "scatter_": ix.scatter, "index_put_": ix.index_put,
    "index_add_": ix.index_add, "index_copy_": ix.index_copy, "index_fill_": ix.index_fill,
    "masked_scatter_": ix.masked_scatter, "put_": ix.put,
}.items():
    setattr(Tensor, _name, _inplace(_name, _fn))

from .ops import (  # noqa: E402
    arrange,
    contraction,
    decomposition,
    diagonal,
    gamma,
    order,
    scan,
    special,
    statistics,
    trig,
)

for _family in (trig, special, gamma, diagonal, arrange, contraction, decomposition, scan, order, statistics):
    for _name, _fn in _family.METHODS.items():
        setattr(Tensor, _name, _fn)
    for _name, _fn in _family.INPLACE_METHODS.items():
        setattr(Tensor, _name, _inplace(_name, _fn))

from .ops import bitwise, numeric_more, strided, tensor_extras, windows  # noqa: E402

for _family in (bitwise, windows, numeric_more, strided, tensor_extras):  # bitwise ops/operators, API fill
    for _name, _fn in _family.METHODS.items():
        setattr(Tensor, _name, _fn)
    for _name, _fn in _family.INPLACE_METHODS.items():
        setattr(Tensor, _name, _inplace(_name, _fn))

from .ops import complex as _complex_ops  # noqa: E402  (complex tensors: real/imag/conj/angle..., complex autograd)

for _name, _fn in _complex_ops.METHODS.items():
    setattr(Tensor, _name, _fn)
for _name, _fn in _complex_ops.INPLACE_METHODS.items():
    setattr(Tensor, _name, _inplace(_name, _fn))
Tensor.real = property(_complex_ops.real)
Tensor.imag = property(_complex_ops.imag)
Tensor.mH = property(lambda self: _complex_ops.conj(self.mT))  # the conjugate transpose
Tensor.H = property(lambda self: _complex_ops.conj(_H(self)))
_complex_ops._mark_complex_aware()
from .ops import spectral as _spectral  # noqa: E402  (stft / istft)

for _name, _fn in _spectral.METHODS.items():
    setattr(Tensor, _name, _fn)

def _reshape_in_place(name, fn):
    """``x.unsqueeze_(0)``, ``x.t_()``...: the tensor becomes the out-of-place result (a view of the same
    memory, so nothing is copied), taking its place in the graph; a leaf that requires grad refuses."""
    def method(self, *args, **kwargs):
        _check_inplace_leaf(self, name)
        result = fn(self, *args, **kwargs)
        self.array = result.array
        if result._grad_fn is not None:
            self._grad_fn, self._out_index = result._grad_fn, result._out_index
        return self

    method.__name__ = name
    method.__doc__ = f"In-place {name[:-1]}: this tensor takes the result's shape (same memory)."
    return method


for _name, _fn in {"squeeze_": sh.squeeze, "unsqueeze_": sh.unsqueeze, "t_": sh.t, "transpose_": sh.transpose,
                   "swapdims_": sh.transpose, "swapaxes_": sh.transpose}.items():
    setattr(Tensor, _name, _reshape_in_place(_name, _fn))

Tensor.__iadd__ = Tensor.add_
Tensor.__isub__ = Tensor.sub_
Tensor.__imul__ = Tensor.mul_
Tensor.__itruediv__ = Tensor.div_


def _zero_(self: Tensor) -> Tensor:
    _check_inplace_leaf(self, "zero_")
    return _fill(self, 0)


def _fill_(self: Tensor, value) -> Tensor:
    _check_inplace_leaf(self, "fill_")
    return _fill(self, value.item() if isinstance(value, Tensor) else value)


def _fill(self: Tensor, value) -> Tensor:
    if sh.writeable(self.array):
        self.array.fill(value)
    else:
        self.array = xp_of(self.array).full(self.array.shape, value, dtype=self.array.dtype)
    self._version += 1
    if self._grad_fn is not None:  # the result no longer depends on the graph
        self._grad_fn = None
        self._requires_grad = False
    return self


def _copy_(self: Tensor, src, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast, converted to this dtype/device) into this tensor."""
    _check_inplace_leaf(self, "copy_")
    if not isinstance(src, Tensor):
        from .creation import tensor

        src = tensor(src)
    moved = src.to(self.device, self.dtype) if (src.device != self.device or src.dtype != self.dtype) else src
    if tuple(src.shape) != tuple(self.shape):
        moved = sh.expand(moved, self.array.shape)
    result = moved + 0 if moved._requires_grad and _GradState.enabled else Tensor._wrap(moved.array)
    if result is moved:
        result = Tensor._wrap(moved.array)
    return _write_back(self, result, "copy_")


def _setitem(self: Tensor, idx, value) -> None:
    index, advanced = ix.convert_index(idx, self.array)
    needs_graph = _GradState.enabled and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad))
    if not needs_graph:
        val = value.array if isinstance(value, Tensor) else value
        if isinstance(value, Tensor) and type(val) is not type(self.array):
            raise RuntimeError(
                f"setitem: value is on {value.device} but the tensor is on {self.device}"
            )
        if 0 in self.array.strides or not sh.writeable(self.array):  # an expand()-ed tensor: torch's error
            if not advanced:  # where the written region shares memory (advanced indexing: torch only warns)
                sh.check_no_overlap(self.array, "setitem", self.array[index])
            if not sh.writeable(self.array):
                self.array = self.array.copy()  # a read-only broadcast: the write lands in a copy
        try:
            ix.write_at(self.array, index, val)
        except ValueError as e:
            raise RuntimeError(
                f"setitem: shape mismatch: value of shape {list(getattr(val, 'shape', ()))} cannot be "
                f"broadcast to indexing result of shape {list(ix.read_at(self.array, index).shape)} ({e})"
            ) from None
        self._version += 1
        return
    _check_inplace_leaf(self, "setitem")
    if isinstance(value, Tensor) and value.dtype != self.dtype:
        value = value.to(self.dtype)
    _write_back(self, ix.IndexPut.apply(self, index, value), "setitem")


Tensor.zero_ = _zero_
Tensor.fill_ = _fill_
Tensor.copy_ = _copy_
Tensor.__setitem__ = _setitem


for _name, _fn in {**sampling.INPLACE_SAMPLERS, **sampling.SAMPLING_METHODS}.items():
    setattr(Tensor, _name, _fn)


def _new_factory(factory):
    def method(self, *args, dtype=None, device=None, requires_grad=False, **kwargs):
        return factory(*args, dtype=dtype or self.dtype, device=device or self.device,
                       requires_grad=requires_grad, **kwargs)

    method.__name__ = "new_" + factory.__name__
    return method


Tensor.new_zeros = _new_factory(creation.zeros)
Tensor.new_ones = _new_factory(creation.ones)
Tensor.new_empty = _new_factory(creation.empty)
Tensor.new_full = _new_factory(creation.full)
Tensor.new_tensor = _new_factory(creation.tensor)
