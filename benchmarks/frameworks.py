"""A thin adapter so one workload definition builds the same model in minitorch and torch.

Both frameworks share PyTorch's API, so a workload writes ``fw.nn.Linear(...)`` once; the
adapter only hides where the tensors live and how to wait for a GPU.
"""
from __future__ import annotations

import importlib
import zlib
from typing import Any

import numpy as np


class Missing(Exception):
    """A workload needs a piece of a framework that does not exist (yet)."""


class Framework:
    """``minitorch`` or ``torch`` on ``cpu`` or ``cuda``, imported on first use."""

    def __init__(self, name: str, device: str = "cpu") -> None:
        self.name = name
        self.device = device
        self.mod = importlib.import_module(name)

    def require(self, *paths: str) -> None:
        """Raise ``Missing`` naming every dotted attribute (e.g. ``nn.Conv2d``) that is absent."""
        missing = []
        for path in paths:
            obj: Any = self.mod
            try:
                for part in path.split("."):
                    obj = getattr(obj, part)
            except (AttributeError, ImportError):
                missing.append(f"{self.name}.{path}")
        if missing:
            raise Missing(", ".join(missing))

    @property
    def nn(self):
        return importlib.import_module(f"{self.name}.nn")

    @property
    def F(self):  # noqa: N802 - PyTorch's spelling
        return importlib.import_module(f"{self.name}.nn.functional")

    @property
    def optim(self):
        return importlib.import_module(f"{self.name}.optim")

    def tensor(self, arr: np.ndarray, requires_grad: bool = False):
        """The array as a tensor of this framework on its device (a copy)."""
        t = self.mod.tensor(np.array(arr, copy=True), device=self.device)
        if requires_grad:
            t.requires_grad_(True)
        return t

    def numpy(self, t) -> np.ndarray:
        return t.detach().cpu().numpy().copy()

    def sync(self) -> None:
        """Wait for queued GPU work so a timer reads the real elapsed time."""
        if self.device == "cuda":
            self.mod.cuda.synchronize()

    def load_params(self, module, seed: int) -> None:
        """Overwrite every parameter of ``module`` with the shared deterministic values."""
        with self.mod.no_grad():
            for name, p in module.named_parameters():
                p.copy_(self.tensor(param_values(name, tuple(p.shape), seed)))

    def grads(self, module) -> dict[str, np.ndarray]:
        return {f"grad {n}": self.numpy(p.grad) for n, p in module.named_parameters() if p.grad is not None}


def param_values(name: str, shape: tuple, seed: int) -> np.ndarray:
    """Deterministic float32 values for the parameter ``name`` (same in every framework).

    Weights are U(-1/sqrt(fan_in), 1/sqrt(fan_in)) like PyTorch's default; 1-D parameters
    (biases) U(-0.1, 0.1).
    """
    rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 100
    k = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-k, k, size=shape).astype(np.float32)


def data(seed: int, *shape: int, kind: str = "normal", high: int = 10) -> np.ndarray:
    """Deterministic input data: float32 normals, or int64 class labels in [0, high)."""
    rng = np.random.default_rng(seed)
    if kind == "labels":
        return rng.integers(0, high, size=shape).astype(np.int64)
    return rng.standard_normal(shape).astype(np.float32)
