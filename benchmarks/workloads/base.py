"""What a workload is: a builder of ``Case`` objects, one per framework."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..frameworks import Framework


@dataclass
class Config:
    """Run-wide settings every workload sees."""

    device: str = "cpu"
    quick: bool = False
    seed: int = 0


@dataclass
class Case:
    """One framework's version of a workload.

    ``step()`` is one timed iteration. ``probe()`` runs the workload's math once and returns
    named NumPy arrays (outputs, gradients) that must agree across frameworks before any
    timing happens.
    """

    step: Callable[[], object]
    probe: Callable[[], dict[str, np.ndarray]]
    sync: Callable[[], None] = lambda: None


@dataclass
class Workload:
    """A named benchmark: how to build it per framework, its unit and its target ratio."""

    name: str
    title: str
    build: Callable[[Framework, Config], Case]
    target: float | None = None
    unit: str = "ms"  # "ms" per iteration, or "us/op"
    ops_per_iter: int = 1  # divide an iteration's time by this (per-op overhead)
    build_numpy: Callable[[Config], Case] | None = None
    kind: str = "timing"  # timing | memory
    rtol: float = 2e-3  # max |a - b| / max |b| allowed at the first step
    notes: str = ""
    extra: dict = field(default_factory=dict)


def compare(a: dict[str, np.ndarray], b: dict[str, np.ndarray], rtol: float) -> tuple[bool, str, float]:
    """Do two probes agree? Returns (ok, message, worst relative error)."""
    if set(a) != set(b):
        return False, f"different outputs: {sorted(a)} vs {sorted(b)}", float("inf")
    worst, worst_name = 0.0, ""
    for k in a:
        x, y = np.asarray(a[k], dtype=np.float64), np.asarray(b[k], dtype=np.float64)
        if x.shape != y.shape:
            return False, f"{k}: shape {x.shape} vs {y.shape}", float("inf")
        scale = max(float(np.max(np.abs(y))) if y.size else 0.0, 1e-6)
        err = float(np.max(np.abs(x - y))) / scale if x.size else 0.0
        if not np.isfinite(err):
            err = float("inf")
        if err > worst or worst_name == "":
            worst, worst_name = err, k
    ok = worst <= rtol
    return ok, f"max rel err {worst:.2e} ({worst_name})", worst


def train_case(fw: Framework, model, x, y, lr: float = 0.01, loss_fn=None) -> Case:
    """A training step: zero_grad, forward, loss, backward, SGD step (the user's loop)."""
    F = fw.F
    opt = fw.optim.SGD(model.parameters(), lr=lr)
    if loss_fn is None:
        loss_fn = F.cross_entropy

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    def probe():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        out = {"loss": fw.numpy(loss)}
        out.update(fw.grads(model))
        opt.zero_grad()
        return out

    return Case(step, probe, fw.sync)
