"""The workloads, in report order. Each module defines ``WORKLOAD``."""
from __future__ import annotations

from . import cnn, conv2d, digits, lstm, matmul, mlp, overhead
from .base import Case, Config, Workload

MEMORY = Workload(
    name="memory",
    title="peak RSS of the CNN step (fresh process each)",
    build=lambda fw, cfg: None,  # measured by benchmarks.memory in subprocesses
    kind="memory",
)

WORKLOADS: list[Workload] = [
    overhead.WORKLOAD, mlp.WORKLOAD, cnn.WORKLOAD, conv2d.WORKLOAD, matmul.WORKLOAD,
    digits.WORKLOAD, lstm.WORKLOAD, MEMORY,
]
BY_NAME = {w.name: w for w in WORKLOADS}

__all__ = ["WORKLOADS", "BY_NAME", "Case", "Config", "Workload"]
