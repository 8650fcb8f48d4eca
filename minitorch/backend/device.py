"""Devices: ``cpu`` (NumPy arrays) and ``cuda[:index]`` (CuPy arrays)."""
from __future__ import annotations

from .arrays import is_cupy_array


class device:
    """Where a tensor's data lives, as in ``torch.device('cuda:0')``."""

    __slots__ = ("type", "index")

    def __init__(self, type: str | device, index: int | None = None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string like 'cpu' or 'cuda:0', got {type!r}")
        name, _, idx = type.partition(":")
        if name not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type}"
            )
        if idx:
            if index is not None:
                raise RuntimeError(f"device(): index given twice in {type!r} and index={index}")
            index = int(idx)
        self.type = name
        self.index = index

    def __repr__(self) -> str:
        return f"device(type='{self.type}'" + (f", index={self.index})" if self.index is not None else ")")

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and (
            self.index == other.index or self.index is None or other.index is None
        )

    def __hash__(self) -> int:
        return hash(self.type)


CPU = device("cpu")
CUDA = device("cuda", 0)


def device_of(array) -> device:
    """The device an array lives on."""
    if is_cupy_array(array):
        return CUDA
    return CPU


_parameter_moves = [0]


def note_parameter_move() -> None:
    """Record that a Parameter's array changed device (Module.to): optimizers then move their state."""
    _parameter_moves[0] += 1


def parameter_moves() -> int:
    """How many Parameter device moves have happened so far (a cheap 'anything moved?' check)."""
    return _parameter_moves[0]


def parse_device(dev) -> device:
    """Accept ``None`` (cpu), a string, or a device."""
    if dev is None:
        return CPU
    if isinstance(dev, device):
        return dev
    if isinstance(dev, int):
        return device("cuda", dev)
    return device(dev)
