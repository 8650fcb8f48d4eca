"""Per-parameter scalar state that stays on the host (``mu_product`` in NAdam, ``eta`` / ``mu`` in ASGD).

torch's non-capturable path keeps these as 0-d float32 CPU tensors and reads them with ``.item()``; keeping
them on the CPU here too means a step on the GPU never waits for a device -> host copy. (torch's own
``load_state_dict`` moves them to the parameter's device and dtype; here they stay 0-d float32 CPU tensors,
like ``step``.)
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer


def host_scalar(value: float) -> Tensor:
    """A 0-d float32 CPU tensor holding ``value``."""
    return Tensor._wrap(np.array(value, dtype=np.float32))


def cast_state_keeping_host_scalars(keys: tuple[str, ...]):
    """A ``_cast_state`` for ``Optimizer`` subclasses: the state named in ``keys`` stays a float32 CPU copy."""

    def _cast_state(param: Tensor, index, value, key=None):
        if isinstance(value, dict):  # one parameter's whole state
            return {k: _cast_state(param, index, v, k) for k, v in value.items()}
        if key in keys and isinstance(value, Tensor):
            return host_scalar(float(value.detach().cpu().array))
        if key in keys and isinstance(value, (int, float)):
            return host_scalar(float(value))
        return Optimizer._cast_state(param, index, value, key)

    return staticmethod(_cast_state)
