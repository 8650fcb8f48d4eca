"""Workload 2: MLP training step, 784-128-64-10 with ReLU, batch 64, cross-entropy, SGD(lr=0.01)."""
from __future__ import annotations

from ..frameworks import Framework, data
from .base import Case, Config, Workload, train_case

SIZES = (784, 128, 64, 10)


def batch(cfg: Config) -> int:
    return 8 if cfg.quick else 64


def build(fw: Framework, cfg: Config) -> Case:
    fw.require("nn.Sequential", "nn.Linear", "nn.ReLU", "nn.functional.cross_entropy", "optim.SGD")
    nn = fw.nn
    d0, d1, d2, d3 = SIZES
    model = nn.Sequential(nn.Linear(d0, d1), nn.ReLU(), nn.Linear(d1, d2), nn.ReLU(), nn.Linear(d2, d3))
    model.to(fw.device)
    fw.load_params(model, cfg.seed)
    x = fw.tensor(data(cfg.seed, batch(cfg), d0))
    y = fw.tensor(data(cfg.seed + 1, batch(cfg), kind="labels", high=d3))
    return train_case(fw, model, x, y)


def build_numpy(cfg: Config) -> Case:
    from ..numpy_ref import mlp_case

    return mlp_case(cfg, SIZES, batch(cfg))


WORKLOAD = Workload(
    name="mlp",
    title="MLP step 784-128-64-10, batch 64, SGD",
    build=build,
    build_numpy=build_numpy,
    target=1.0,
)
