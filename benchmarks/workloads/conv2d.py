"""Workload 4: conv2d forward + backward (input, weight and bias grads), batch 32, 64->64, 32x32, 3x3 p1."""
from __future__ import annotations

import numpy as np

from ..frameworks import Framework, data, param_values
from .base import Case, Config, Workload


def sizes(cfg: Config) -> tuple[int, int, int, int]:
    """(batch, in channels, out channels, height=width)."""
    return (2, 8, 8, 16) if cfg.quick else (32, 64, 64, 32)


def arrays(cfg: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n, c, o, hw = sizes(cfg)
    x = data(cfg.seed, n, c, hw, hw)
    w = param_values("weight", (o, c, 3, 3), cfg.seed)
    b = param_values("bias", (o,), cfg.seed)
    g = data(cfg.seed + 1, n, o, hw, hw)
    return x, w, b, g


def build(fw: Framework, cfg: Config) -> Case:
    fw.require("nn.functional.conv2d")
    xa, wa, ba, ga = arrays(cfg)
    x, w, b = (fw.tensor(a, requires_grad=True) for a in (xa, wa, ba))
    g = fw.tensor(ga)
    conv2d = fw.F.conv2d

    def step():
        x.grad = w.grad = b.grad = None
        y = conv2d(x, w, b, padding=1)
        y.backward(g)
        return y

    def probe():
        y = step()
        return {"y": fw.numpy(y), "grad x": fw.numpy(x.grad), "grad w": fw.numpy(w.grad),
                "grad b": fw.numpy(b.grad)}

    return Case(step, probe, fw.sync)


def build_numpy(cfg: Config) -> Case:
    from ..numpy_ref import conv2d_case

    return conv2d_case(*arrays(cfg))


WORKLOAD = Workload(
    name="conv2d",
    title="conv2d fwd+bwd, 32x64x32x32, 64->64, 3x3 p1",
    build=build,
    build_numpy=build_numpy,
    target=1.8,
)
