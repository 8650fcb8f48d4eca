"""Workload 5: matmul forward + backward, (512x1024) @ (1024x1024), fixed upstream gradient."""
from __future__ import annotations

import numpy as np

from ..frameworks import Framework, data
from .base import Case, Config, Workload


def _sizes(cfg: Config) -> tuple[int, int, int]:
    return (64, 128, 128) if cfg.quick else (512, 1024, 1024)


def build(fw: Framework, cfg: Config) -> Case:
    m, k, n = _sizes(cfg)
    a = fw.tensor(data(cfg.seed, m, k), requires_grad=True)
    w = fw.tensor(data(cfg.seed + 1, k, n) / np.float32(np.sqrt(k)), requires_grad=True)
    g = fw.tensor(data(cfg.seed + 2, m, n))

    def step():
        a.grad = w.grad = None
        y = a @ w
        y.backward(g)
        return y

    def probe():
        y = step()
        return {"y": fw.numpy(y), "grad a": fw.numpy(a.grad), "grad w": fw.numpy(w.grad)}

    return Case(step, probe, fw.sync)


def build_numpy(cfg: Config) -> Case:
    m, k, n = _sizes(cfg)
    a = data(cfg.seed, m, k)
    w = data(cfg.seed + 1, k, n) / np.float32(np.sqrt(k))
    g = data(cfg.seed + 2, m, n)
    out = {}

    def step():
        out["y"] = a @ w
        out["grad a"] = g @ w.T
        out["grad w"] = a.T @ g

    def probe():
        step()
        return dict(out)

    return Case(step, probe)


WORKLOAD = Workload(
    name="matmul",
    title="matmul fwd+bwd (512x1024)@(1024x1024)",
    build=build,
    build_numpy=build_numpy,
    target=1.05,
)
