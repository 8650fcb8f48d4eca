"""``minitorch.cuda.random``: seeding and saving minitorch's CUDA generator (``torch.cuda.random``).

The CUDA generator draws through CuPy's ``Generator`` (cuRAND XORWOW), whose whole state is one device
array of per-thread cuRAND states (``bit_generator._state``, about 1.5 MB). ``get_rng_state`` copies it to a
CPU ``uint8`` tensor (with a header: a tag and the seed), ``set_rng_state`` copies it back, so the draws after a
``set_rng_state`` are exactly those that followed the ``get_rng_state``. That array is a private attribute
of CuPy's bit generator (CuPy offers no public state API); minitorch checks its size and dtype on restore.
Without a GPU these behave as torch's do without CUDA: seeding is a silent no-op, reading raises.
"""
from __future__ import annotations

import struct

import numpy as np

from ..backend import cupy_module
from ..backend import random as _random
from ..backend.device import CUDA
from ._utils import device_index, lazy_init

__all__ = ["manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed", "get_rng_state", "set_rng_state",
           "get_rng_state_all", "set_rng_state_all"]

_HEADER = struct.Struct("<QQ")  # tag, seed
_TAG = 0x4355_5241_4E44_3031  # "CURAND01"


def _generator():
    """minitorch's CUDA generator (created, as ``rng_for`` does, on first use)."""
    if _random._cuda_generator is None:
        _random.rng_for(CUDA)
    return _random._cuda_generator


def manual_seed(seed: int) -> None:
    """Seed the CUDA generator (only it: the CPU one is ``minitorch.manual_seed``'s); no-op without a GPU."""
    seed = int(seed)
    if cupy_module() is not None:
        _random._cuda_generator = _random.Generator("cuda", seed)


def manual_seed_all(seed: int) -> None:
    """``manual_seed`` for every GPU (minitorch uses one)."""
    manual_seed(seed)


def seed() -> None:
    """Seed the CUDA generator with a fresh non-deterministic number; no-op without a GPU."""
    if cupy_module() is not None:
        _generator().seed()


def seed_all() -> None:
    seed()


def initial_seed() -> int:
    """The seed the CUDA generator was last seeded with."""
    lazy_init("initial_seed")
    return _generator().initial_seed()


def _bit_generator():
    bit_generator = _generator().rng.bit_generator
    if not hasattr(bit_generator, "_state"):
        raise RuntimeError("minitorch.cuda RNG state: this CuPy's bit generator keeps its state elsewhere (no "
                           "`_state` array); re-seed with minitorch.cuda.manual_seed instead")
    return bit_generator


def get_rng_state(device="cuda"):
    """The CUDA generator's state as a CPU uint8 tensor (``torch.ByteTensor``) for ``set_rng_state``."""
    from ..tensor import Tensor

    device_index(device)
    lazy_init("get_rng_state")
    gen = _generator()
    raw = _bit_generator()._state.get().view(np.uint8)
    header = np.frombuffer(_HEADER.pack(_TAG, gen.initial_seed()), dtype=np.uint8)
    return Tensor._wrap(np.concatenate([header, raw]))


def set_rng_state(new_state, device="cuda") -> None:
    """Restore a state from ``get_rng_state``: the CUDA draws go on from there. Without a GPU, a no-op (torch
    queues it for a CUDA initialisation that never comes)."""
    device_index(device)
    cp = cupy_module()
    if cp is None:
        return
    data = getattr(new_state, "array", None)
    if data is None or getattr(data, "dtype", None) != np.uint8 or data.ndim != 1:
        got = getattr(new_state, "dtype", type(new_state).__name__)
        raise TypeError(f"expected a torch.ByteTensor (a 1-D uint8 tensor from get_rng_state()), but got {got}")
    host = data if isinstance(data, np.ndarray) else data.get()
    if host.size < _HEADER.size:
        raise RuntimeError("set_rng_state: these bytes are not a minitorch CUDA generator state")
    tag, seed = _HEADER.unpack(host[:_HEADER.size].tobytes())
    if tag != _TAG:
        raise RuntimeError("set_rng_state: these bytes are not a minitorch CUDA generator state "
                           "(a CPU state belongs to minitorch.set_rng_state)")
    bit_generator = _bit_generator()
    current = bit_generator._state
    payload = host[_HEADER.size:]
    if payload.size != current.size * current.itemsize:
        raise RuntimeError(f"set_rng_state: the state has {payload.size} bytes, this GPU's generator "
                           f"{current.size * current.itemsize} (a state from another GPU model cannot be loaded)")
    bit_generator._state = cp.asarray(np.ascontiguousarray(payload).view(current.dtype))
    _generator()._seed = seed


def get_rng_state_all() -> list:
    """``[get_rng_state()]`` for the one GPU; ``[]`` without one."""
    return [get_rng_state()] if cupy_module() is not None else []


def set_rng_state_all(new_states) -> None:
    """Restore the states from ``get_rng_state_all``."""
    for i, state in enumerate(new_states):
        set_rng_state(state, i)
