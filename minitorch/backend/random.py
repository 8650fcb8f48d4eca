"""Random generators owned by minitorch (never NumPy's or CuPy's global state)."""
from __future__ import annotations

import struct

import numpy as np

from .arrays import cupy_module


class Generator:
    """A seedable source of random numbers for one device, like ``torch.Generator``."""

    def __init__(self, device: str = "cpu", seed: int | None = None):
        self.device = str(device).partition(":")[0]  # 'cpu' or 'cuda'
        if self.device not in ("cpu", "cuda"):
            raise RuntimeError(f"Generator: device must be 'cpu' or 'cuda', got {device!r}")
        self._seed = int(seed) & _MASK64 if seed is not None else int(np.random.SeedSequence().entropy % (2**63))
        self._rng = None

    @property
    def rng(self):
        """The underlying NumPy (or CuPy) Generator, created lazily."""
        if self._rng is None:
            if self.device == "cpu":
                self._rng = np.random.default_rng(self._seed)
            else:
                self._rng = cupy_module().random.default_rng(self._seed)
        return self._rng

    def manual_seed(self, seed: int) -> Generator:
        """Re-seed: the same seed gives the same stream of numbers."""
        self._seed = int(seed) & _MASK64  # negative seeds wrap around, as torch's do
        self._rng = None
        return self

    def seed(self) -> int:
        """Re-seed with a fresh non-deterministic seed and return it."""
        s = int(np.random.SeedSequence().entropy % (2**63))
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 Tensor (``torch.ByteTensor``) that ``set_state`` restores."""
        from ..tensor import Tensor

        self._require_cpu("get_state")
        return Tensor._wrap(pack_state(self._seed, self.rng.bit_generator.state))

    def set_state(self, new_state) -> Generator:
        """Restore a state from ``get_state()`` (or ``minitorch.get_rng_state()``): the stream goes on from there."""
        self._require_cpu("set_state")
        data = getattr(new_state, "array", None)
        if data is None or getattr(data, "dtype", None) != np.uint8 or data.ndim != 1:
            got = getattr(new_state, "dtype", type(new_state).__name__)
            raise TypeError(f"expected a torch.ByteTensor (a 1-D uint8 tensor from get_state()), but got {got}")
        seed, state = unpack_state(data.tobytes() if isinstance(data, np.ndarray) else data.get().tobytes())
        self._seed = seed
        self.rng.bit_generator.state = state
        return self

    def __repr__(self) -> str:
        return f"<minitorch.Generator object on {self.device}>"

    def _require_cpu(self, what: str) -> None:
        if self.device != "cpu":
            raise RuntimeError(
                f"Generator.{what}: the cuda generator (CuPy's) cannot export its state; re-seed it with "
                "manual_seed(seed) instead"
            )


_MASK64 = (1 << 64) - 1
_STATE_FORMAT = "<QQQQQIIQ"  # seed, state (hi, lo), inc (hi, lo), uinteger, has_uint32, bit-generator tag
_TAG = 0x50434736  # "PCG6"


def pack_state(seed: int, state: dict) -> np.ndarray:
    """A PCG64 bit-generator state (NumPy's dict) and its seed as a uint8 array of 48 bytes."""
    if state["bit_generator"] != "PCG64":  # pragma: no cover - minitorch only creates PCG64 generators
        raise RuntimeError(f"get_state: unsupported bit generator {state['bit_generator']}")
    st, inc = state["state"]["state"], state["state"]["inc"]
    packed = struct.pack(_STATE_FORMAT, seed & _MASK64, st >> 64, st & _MASK64, inc >> 64, inc & _MASK64,
                         state["uinteger"], state["has_uint32"], _TAG)
    return np.frombuffer(packed, dtype=np.uint8).copy()


def unpack_state(raw: bytes) -> tuple:
    """(seed, NumPy PCG64 state dict) from ``pack_state``'s bytes; RuntimeError for anything else."""
    if len(raw) != struct.calcsize(_STATE_FORMAT):
        raise RuntimeError(f"set_state: expected {struct.calcsize(_STATE_FORMAT)} bytes from get_state(), got "
                           f"{len(raw)} (a state from another library or generator kind cannot be loaded)")
    seed, s_hi, s_lo, i_hi, i_lo, uinteger, has_uint32, tag = struct.unpack(_STATE_FORMAT, raw)
    if tag != _TAG:
        raise RuntimeError("set_state: these bytes are not a minitorch generator state")
    return seed, {"bit_generator": "PCG64", "state": {"state": (s_hi << 64) | s_lo, "inc": (i_hi << 64) | i_lo},
                  "has_uint32": has_uint32, "uinteger": uinteger}


def normal_array(rng, mean, std, shape):
    """N(mean, std^2) samples; CuPy's Generator has only ``standard_normal``, so scale that on both."""
    return mean + std * rng.standard_normal(shape)


def permutation_array(rng, n: int):
    """A random permutation of 0..n-1 (CuPy's Generator has no ``permutation``: argsort of uniforms)."""
    if isinstance(rng, np.random.Generator):
        return rng.permutation(n)
    return rng.random(n).argsort()


default_generator = Generator("cpu", seed=0x5EED)
_cuda_generator: Generator | None = None


def manual_seed(seed: int) -> Generator:
    """Seed minitorch's CPU generator and, when a GPU is present, its CUDA generator."""
    global _cuda_generator
    default_generator.manual_seed(seed)
    if cupy_module() is not None:
        _cuda_generator = Generator("cuda", seed)
    return default_generator


def rng_for(device, generator: Generator | None = None):
    """The random Generator to draw from for ``device``."""
    global _cuda_generator
    if generator is not None:
        if generator.device != device.type:
            raise RuntimeError(
                f"Expected a '{device.type}' device type for generator but found '{generator.device}'"
            )
        return generator.rng
    if device.type == "cpu":
        return default_generator.rng
    if _cuda_generator is None:
        _cuda_generator = Generator("cuda", default_generator.initial_seed())
    return _cuda_generator.rng
