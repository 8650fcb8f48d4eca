"""vmap's ``randomness=`` flag ('error' | 'different' | 'same') on minitorch's own generators.

Every random op draws from ``backend.random.rng_for(device)``, i.e. from the ``_rng`` of the default
CPU generator or of the CUDA generator. 'error' swaps those for an object that raises torch's error on
first use; 'same' replays one saved generator state for every batch element; 'different' (what a
per-element loop does anyway) changes nothing. Random ops given an explicit ``generator=`` are not seen.
"""
from __future__ import annotations

import contextlib
import copy

from ..backend import random as _random
from ..backend.arrays import cupy_module

_ERROR = ("vmap: called random operation while in randomness error mode. Please either use the 'same' or "
          "'different' randomness flags on vmap or perform the randomness operation out of vmap")


def check_randomness(randomness: str) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}"
        )


class _RaisingRng:
    """Stands in for a generator's NumPy/CuPy Generator: any use raises torch's randomness error."""

    def __getattr__(self, name):
        raise RuntimeError(_ERROR)


def _generators() -> list:
    gens = [_random.default_generator]
    if _random._cuda_generator is None and cupy_module() is not None:
        _random._cuda_generator = _random.Generator("cuda", _random.default_generator.initial_seed())
    if _random._cuda_generator is not None:
        gens.append(_random._cuda_generator)
    return gens


@contextlib.contextmanager
def forbid_randomness():
    """Random ops on the default generators raise inside this block (vmap's randomness='error')."""
    gens = _generators()
    saved = [g._rng for g in gens]
    raising = _RaisingRng()
    for g in gens:
        g._rng = raising
    try:
        yield
    finally:
        for g, s in zip(gens, saved):
            if g._rng is raising:  # untouched (a manual_seed inside resets it: keep that)
                g._rng = s


class SameRandomness:
    """randomness='same': ``replay()`` before each batch element restores one saved state."""

    def __init__(self):
        self.gens = _generators()
        self.saved = [copy.deepcopy(g.rng) for g in self.gens]

    def replay(self) -> None:
        for g, s in zip(self.gens, self.saved):
            g._rng = copy.deepcopy(s)
