"""``torch.random``: the global generator's seed and state, and ``fork_rng`` to draw without disturbing it."""
from __future__ import annotations

import contextlib
import copy
import warnings

from .backend import random as _backend_random
from .backend.random import Generator, default_generator, manual_seed
from .sampling import get_rng_state, initial_seed, seed, set_rng_state

__all__ = ["Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed",
           "set_rng_state"]


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller: str = "fork_rng", _devices_kw: str = "devices",
             device_type: str = "cuda"):
    """Inside the block, draw random numbers freely; on exit the CPU generator (and the cuda one, when
    ``devices`` asks for it or a GPU is in use) is back in the state it had on entry, as ``torch.random.fork_rng``."""
    if not enabled:
        yield
        return
    cpu_state = default_generator.get_state()
    fork_cuda = _backend_random._cuda_generator is not None and (devices is None or len(list(devices)) > 0)
    saved_cuda = None
    if fork_cuda:
        saved_cuda = _backend_random._cuda_generator
        try:  # CuPy's generator cannot export its state; a copy stands in for it inside the block
            _backend_random._cuda_generator = copy.deepcopy(saved_cuda)
        except Exception:  # pragma: no cover - depends on the CuPy version
            warnings.warn("fork_rng: the cuda generator could not be copied; draws inside the block advance it",
                          stacklevel=3)
            saved_cuda, fork_cuda = None, False
    try:
        yield
    finally:
        default_generator.set_state(cpu_state)
        if fork_cuda:
            _backend_random._cuda_generator = saved_cuda
