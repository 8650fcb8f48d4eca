"""Workload 6: LeNet-style CNN, one training epoch on the bundled Digits (8x8), batch 32.

The model, optimizer (Adam, lr 3e-3) and input normalisation are those of the main job's
default (``python -m minitorch train``): conv 1->16 3x3 p1, ReLU, maxpool2; conv 16->32 3x3 p1,
ReLU, maxpool2; fc 128->64, ReLU, fc 64->10. The data comes from ``minitorch.datasets.Digits``
(torch reads the very same arrays). One iteration is one epoch over the training split in a
fixed shuffled order, batches taken by index tensors. Separately, ``accuracy`` trains both
frameworks for 10 epochs and reports held-out accuracy.
"""
from __future__ import annotations

import numpy as np

from ..frameworks import Framework, Missing
from .base import Case, Config, Workload

BATCH = 32
LR = 3e-3
MEAN, STD = 0.3, 0.4  # the main job's normalisation of [0, 1] pixels
NEEDS = ("nn.Sequential", "nn.Conv2d", "nn.ReLU", "nn.MaxPool2d", "nn.Flatten", "nn.Linear",
         "nn.functional.cross_entropy", "optim.Adam")
_CACHE: dict = {}


def _to_arrays(ds) -> tuple[np.ndarray, np.ndarray]:
    """(N, 1, 8, 8) float32 images in [0, 1] and int64 labels from a Digits dataset object."""
    if hasattr(ds, "tensors"):
        xs, ys = ds.tensors()
        return _to_arrays_plain(xs.numpy(), ys.numpy())
    xs, ys = getattr(ds, "data", None), getattr(ds, "targets", None)
    if xs is None or ys is None:
        pairs = [ds[i] for i in range(len(ds))]
        xs = [p[0] for p in pairs]
        ys = [p[1] for p in pairs]
        xs = np.stack([np.asarray(x.numpy() if hasattr(x, "numpy") else x) for x in xs])
        ys = np.array([int(y) for y in ys])
    else:
        xs = xs.numpy() if hasattr(xs, "numpy") else np.asarray(xs)
        ys = ys.numpy() if hasattr(ys, "numpy") else np.asarray(ys)
    return _to_arrays_plain(xs, ys)


def _to_arrays_plain(xs, ys) -> tuple[np.ndarray, np.ndarray]:
    xs = np.asarray(xs, np.float32).reshape(-1, 1, 8, 8)
    if xs.max() > 1.5:  # raw 0..16 pixel counts: scale to [0, 1]
        xs = xs / np.float32(16.0)
    return np.ascontiguousarray(xs, np.float32), np.asarray(ys, np.int64)


def load(quick: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train and held-out arrays from minitorch's bundled Digits (quick: a 256-sample subset)."""
    if quick not in _CACHE:
        import minitorch

        try:
            Digits = minitorch.datasets.Digits  # noqa: N806
        except (AttributeError, ImportError) as e:
            raise Missing("minitorch.datasets.Digits") from e
        xtr, ytr = _to_arrays(Digits(train=True))
        xte, yte = _to_arrays(Digits(train=False))
        xtr, xte = (xtr - MEAN) / np.float32(STD), (xte - MEAN) / np.float32(STD)
        if quick:
            xtr, ytr, xte, yte = xtr[:256], ytr[:256], xte[:128], yte[:128]
        _CACHE[quick] = (xtr, ytr, xte, yte)
    return _CACHE[quick]


def make_model(fw: Framework, seed: int):
    nn = fw.nn
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, 64), nn.ReLU(), nn.Linear(64, 10),
    )
    model.to(fw.device)
    fw.load_params(model, seed)
    return model


def _batches(fw: Framework, n: int, rng: np.random.Generator) -> list:
    perm = rng.permutation(n)
    return [fw.tensor(perm[i:i + BATCH]) for i in range(0, n, BATCH)]


def build(fw: Framework, cfg: Config) -> Case:
    fw.require(*NEEDS)
    xtr, ytr, _, _ = load(cfg.quick)
    model = make_model(fw, cfg.seed)
    X, Y = fw.tensor(xtr), fw.tensor(ytr)
    order = _batches(fw, len(xtr), np.random.default_rng(cfg.seed))
    opt = fw.optim.Adam(model.parameters(), lr=LR)
    F = fw.F

    def epoch():
        loss = None
        for idx in order:
            opt.zero_grad()
            loss = F.cross_entropy(model(X[idx]), Y[idx])
            loss.backward()
            opt.step()
        return loss

    def probe():
        opt.zero_grad()
        loss = F.cross_entropy(model(X[order[0]]), Y[order[0]])
        loss.backward()
        out = {"loss": fw.numpy(loss)}
        out.update(fw.grads(model))
        opt.zero_grad()
        return out

    return Case(epoch, probe, fw.sync)


def accuracy(fw: Framework, cfg: Config, epochs: int) -> dict:
    """Train ``epochs`` epochs (fresh model, reshuffled each epoch) and score the held-out split."""
    fw.require(*NEEDS)
    xtr, ytr, xte, yte = load(cfg.quick)
    model = make_model(fw, cfg.seed)
    X, Y, Xte = fw.tensor(xtr), fw.tensor(ytr), fw.tensor(xte)
    opt = fw.optim.Adam(model.parameters(), lr=LR)
    F = fw.F
    rng = np.random.default_rng(cfg.seed + 1)
    loss = None
    for _ in range(epochs):
        model.train()
        for idx in _batches(fw, len(xtr), rng):
            opt.zero_grad()
            loss = F.cross_entropy(model(X[idx]), Y[idx])
            loss.backward()
            opt.step()
    model.eval()
    with fw.mod.no_grad():
        pred = fw.numpy(model(Xte)).argmax(axis=1)
    return {"epochs": epochs, "accuracy": float((pred == yte).mean()), "final_loss": float(fw.numpy(loss)),
            "train": len(xtr), "test": len(xte)}


WORKLOAD = Workload(
    name="digits",
    title="LeNet-style CNN, 1 epoch on Digits, batch 32, Adam",
    build=build,
    target=1.0,
    extra={"accuracy": accuracy},
)
