"""Workload 1: per-op overhead on (4,)-tensors, ``((a*b + c).relu() * a).sum().backward()``.

Five ops forward (mul, add, relu, mul, sum) plus their backward; reported per op.
"""
from __future__ import annotations

import numpy as np

from ..frameworks import Framework, data
from .base import Case, Config, Workload


def build(fw: Framework, cfg: Config) -> Case:
    a = fw.tensor(data(cfg.seed, 4), requires_grad=True)
    b = fw.tensor(data(cfg.seed + 1, 4), requires_grad=True)
    c = fw.tensor(data(cfg.seed + 2, 4), requires_grad=True)

    def step():
        a.grad = b.grad = c.grad = None
        y = ((a * b + c).relu() * a).sum()
        y.backward()
        return y

    def probe() -> dict[str, np.ndarray]:
        y = step()
        return {"y": fw.numpy(y), "grad a": fw.numpy(a.grad), "grad b": fw.numpy(b.grad),
                "grad c": fw.numpy(c.grad)}

    return Case(step, probe, fw.sync)


def build_numpy(cfg: Config) -> Case:
    """The same math by hand in NumPy: the floor for a NumPy engine (no graph at all)."""
    a, b, c = data(cfg.seed, 4), data(cfg.seed + 1, 4), data(cfg.seed + 2, 4)
    out = {}

    def step():
        t = a * b + c
        r = np.maximum(t, 0)
        y = (r * a).sum()
        g_r = a  # d y / d r = a (upstream grad 1)
        g_t = g_r * (t > 0)
        out["grad a"] = g_t * b + r
        out["grad b"] = g_t * a
        out["grad c"] = g_t
        out["y"] = y
        return y

    def probe():
        step()
        return {k: np.asarray(v) for k, v in out.items()}

    return Case(step, probe)


WORKLOAD = Workload(
    name="overhead",
    title="per-op overhead, (4,) tensors",
    build=build,
    build_numpy=build_numpy,
    target=0.7,
    unit="us/op",
    ops_per_iter=5,
    rtol=1e-5,
)
