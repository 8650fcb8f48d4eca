"""Workload 3: CNN training step, batch 64x3x28x28, SGD(lr=0.01).

conv 3->32 3x3 p1, ReLU, maxpool2; conv 32->64 3x3 p1, ReLU, maxpool2; fc 3136->128, ReLU, fc 128->10.
"""
from __future__ import annotations

from ..frameworks import Framework, data
from .base import Case, Config, Workload, train_case

NEEDS = ("nn.Sequential", "nn.Conv2d", "nn.ReLU", "nn.MaxPool2d", "nn.Flatten", "nn.Linear",
         "nn.functional.cross_entropy", "optim.SGD")


def batch(cfg: Config) -> int:
    return 4 if cfg.quick else 64


def make_model(fw: Framework):
    nn = fw.nn
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def build(fw: Framework, cfg: Config) -> Case:
    fw.require(*NEEDS)
    model = make_model(fw)
    model.to(fw.device)
    fw.load_params(model, cfg.seed)
    x = fw.tensor(data(cfg.seed, batch(cfg), 3, 28, 28))
    y = fw.tensor(data(cfg.seed + 1, batch(cfg), kind="labels", high=10))
    return train_case(fw, model, x, y)


def build_numpy(cfg: Config) -> Case:
    from ..numpy_ref import cnn_case

    return cnn_case(cfg, batch(cfg))


WORKLOAD = Workload(
    name="cnn",
    title="CNN step, batch 64x3x28x28, SGD",
    build=build,
    build_numpy=build_numpy,
    target=2.5,
)
