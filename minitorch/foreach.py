"""``torch._foreach_*``: one op over a list of tensors (``_foreach_lerp_(ema_params, params, 1 - decay)``).

torch fuses these into few kernels; here each is a loop over the Tensor methods of the same name, with the
same argument forms: the second operand may be a scalar, a list of scalars or tensors, or one tensor.
Out-of-place forms return a tuple, in-place forms update the tensors of the first list.
"""
from __future__ import annotations

from .tensor import Tensor

_UNARY = ("abs acos asin atan ceil cos cosh erf erfc exp expm1 floor frac lgamma log log10 log1p log2 neg reciprocal "
          "round rsqrt sigmoid sign sin sinh sqrt tan tanh trunc").split()
_BINARY = "add sub mul div pow maximum minimum clamp_max clamp_min".split()

__all__: list = []


def _seconds(tensors, other) -> list:
    """``other`` spread over ``tensors``: a list stays (lengths must match), a scalar or single tensor repeats."""
    if isinstance(other, (list, tuple)):
        if len(other) != len(tensors):
            raise RuntimeError(
                f"Tensor lists must have the same number of tensors, got {len(tensors)} and {len(other)}")
        return list(other)
    return [other] * len(tensors)


def _method(name: str):
    return lambda t, *a, **k: getattr(t, name)(*a, **k)


def _register(name: str, fn) -> None:
    fn.__name__ = name
    globals()[name] = fn
    __all__.append(name)


def _make_unary(op: str) -> None:
    if not hasattr(Tensor, op):
        return
    _register(f"_foreach_{op}", lambda tensors, _m=_method(op): tuple(_m(t) for t in tensors))
    if hasattr(Tensor, op + "_"):
        def inplace(tensors, _m=_method(op + "_")):
            for t in tensors:
                _m(t)
        _register(f"_foreach_{op}_", inplace)


def _make_binary(op: str) -> None:
    if not hasattr(Tensor, op):
        return

    def out_of_place(tensors, other, **kw):
        return tuple(getattr(t, op)(o, **kw) for t, o in zip(tensors, _seconds(tensors, other)))

    def in_place(tensors, other, **kw):
        for t, o in zip(tensors, _seconds(tensors, other)):
            getattr(t, op + "_")(o, **kw)

    _register(f"_foreach_{op}", out_of_place)
    if hasattr(Tensor, op + "_"):
        _register(f"_foreach_{op}_", in_place)


for _op in _UNARY:
    _make_unary(_op)
for _op in _BINARY:
    _make_binary(_op)


def _foreach_lerp(tensors, ends, weight) -> tuple:
    """t + weight (end - t) per pair; ``weight`` a scalar or a list."""
    return tuple(t.lerp(e, w) for t, e, w in zip(tensors, ends, _seconds(tensors, weight)))


def _foreach_lerp_(tensors, ends, weight) -> None:
    for t, e, w in zip(tensors, ends, _seconds(tensors, weight)):
        t.lerp_(e, w)


def _foreach_addcmul(tensors, tensors1, tensors2, value=1) -> tuple:
    return tuple(t.addcmul(a, b, value=v) for t, a, b, v in zip(tensors, tensors1, tensors2, _seconds(tensors, value)))


def _foreach_addcmul_(tensors, tensors1, tensors2, value=1) -> None:
    for t, a, b, v in zip(tensors, tensors1, tensors2, _seconds(tensors, value)):
        t.addcmul_(a, b, value=v)


def _foreach_addcdiv(tensors, tensors1, tensors2, value=1) -> tuple:
    return tuple(t.addcdiv(a, b, value=v) for t, a, b, v in zip(tensors, tensors1, tensors2, _seconds(tensors, value)))


def _foreach_addcdiv_(tensors, tensors1, tensors2, value=1) -> None:
    for t, a, b, v in zip(tensors, tensors1, tensors2, _seconds(tensors, value)):
        t.addcdiv_(a, b, value=v)


def _foreach_copy_(tensors, sources, non_blocking: bool = False) -> None:
    for t, s in zip(tensors, sources):
        t.copy_(s)


def _foreach_zero_(tensors) -> None:
    for t in tensors:
        t.zero_()


def _foreach_clone(tensors) -> tuple:
    return tuple(t.clone() for t in tensors)


def _foreach_norm(tensors, ord=2, dtype=None) -> tuple:
    """The ``ord``-norm of each tensor (as one vector)."""
    return tuple(t.norm(ord) if dtype is None else t.to(dtype).norm(ord) for t in tensors)


def _foreach_max(tensors) -> tuple:
    return tuple(t.max() for t in tensors)


for _fn in (_foreach_lerp, _foreach_lerp_, _foreach_addcmul, _foreach_addcmul_, _foreach_addcdiv, _foreach_addcdiv_,
            _foreach_copy_, _foreach_zero_, _foreach_clone, _foreach_norm, _foreach_max):
    __all__.append(_fn.__name__)
