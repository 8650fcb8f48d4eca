"""Random generators owned by minitorch (never NumPy's or CuPy's global state)."""
from __future__ import annotations

import numpy as np

from .arrays import cupy_module


class Generator:
    """A seedable source of random numbers for one device, like ``torch.Generator``."""

    def __init__(self, device: str = "cpu", seed: int | None = None):
        self.device = str(device).partition(":")[0]  # 'cpu' or 'cuda'
        if self.device not in ("cpu", "cuda"):
            raise RuntimeError(f"Generator: device must be 'cpu' or 'cuda', got {device!r}")
        self._seed = seed if seed is not None else int(np.random.SeedSequence().entropy % (2**63))
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
        self._seed = int(seed)
        self._rng = None
        return self

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        self._require_cpu("get_state")
        return {"seed": self._seed, "state": self.rng.bit_generator.state}

    def set_state(self, state: dict) -> None:
        self._require_cpu("set_state")
        self._seed = state["seed"]
        self.rng.bit_generator.state = state["state"]

    def _require_cpu(self, what: str) -> None:
        if self.device != "cpu":
            raise RuntimeError(
                f"Generator.{what}: the cuda generator (CuPy's) cannot export its state; re-seed it with "
                "manual_seed(seed) instead"
            )


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
