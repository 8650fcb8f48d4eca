"""Padding layers over ``F.pad``: Zero/Constant/Reflection/Replication/CircularPad 1d, 2d and 3d."""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]


def _widths(padding, n: int) -> tuple:
    """An int pads all 2n sides; a tuple is (last_left, last_right, 2nd_last_left, ...) as F.pad."""
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    padding = tuple(padding)
    if len(padding) != 2 * n:
        raise ValueError(f"padding must be an int or a tuple of {2 * n} ints, got {padding}")
    return padding


class _PadNd(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _widths(padding, self.dims)

    def _check_input_dim(self, input: Tensor) -> None:
        pass

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    mode = "circular"

    def _check_input_dim(self, input: Tensor) -> None:
        d = self.dims
        if input.ndim not in (d + 1, d + 2):
            raise ValueError(f"expected {d + 1}D or {d + 2}D input (got {input.ndim}D input)")


class _ReflectionPadNd(_PadNd):
    mode = "reflect"


class _ReplicationPadNd(_PadNd):
    mode = "replicate"


def _classes(base, stem: str, doc: str) -> list:
    made = []
    for d in (1, 2, 3):
        cls = type(f"{stem}{d}d", (base,), {"dims": d, "__doc__": f"{doc} the last {d} dim(s) (F.pad, as torch).",
                                            "__module__": __name__})
        made.append(cls)
    return made


ZeroPad1d, ZeroPad2d, ZeroPad3d = _classes(_ZeroPadNd, "ZeroPad", "Pad with zeros")
ConstantPad1d, ConstantPad2d, ConstantPad3d = _classes(_ConstantPadNd, "ConstantPad", "Pad with ``value``")
ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = _classes(_ReflectionPadNd, "ReflectionPad",
                                                             "Pad with the reflection (edge excluded) of")
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = _classes(_ReplicationPadNd, "ReplicationPad",
                                                                "Pad by repeating the edge values of")
CircularPad1d, CircularPad2d, CircularPad3d = _classes(_CircularPadNd, "CircularPad",
                                                       "Pad with values wrapped around from the other end of")
