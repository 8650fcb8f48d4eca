"""Timing: warm-up, auto-calibrated inner loops, interleaved repeats, median and spread."""
from __future__ import annotations

import gc
import math
import time
from dataclasses import dataclass, field

import numpy as np

from .workloads.base import Case


@dataclass
class TimingPlan:
    """How long and how often to time."""

    repeats: int = 11
    warmup_s: float = 0.2  # at least this long (and >= 2 iterations) of warm-up per case
    min_repeat_s: float = 0.1  # each repeat runs enough iterations to last this long


@dataclass
class Timing:
    """Seconds per iteration for each repeat of one case."""

    per_iter_s: list[float] = field(default_factory=list)
    inner: int = 1

    def summary(self, scale: float) -> dict:
        """Median, quartiles and min/max of the repeats, multiplied by ``scale`` (unit change)."""
        x = np.asarray(self.per_iter_s) * scale
        q1, med, q3 = np.percentile(x, [25, 50, 75])
        return {
            "median": float(med), "q1": float(q1), "q3": float(q3), "min": float(x.min()),
            "max": float(x.max()), "repeats": int(x.size), "inner": self.inner,
        }


def _run(case: Case, n: int) -> float:
    """Run ``n`` iterations and return the elapsed wall time (GPU work synchronised)."""
    step, sync = case.step, case.sync
    sync()
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    sync()
    return time.perf_counter() - t0


def calibrate(case: Case, plan: TimingPlan) -> int:
    """Warm up, then pick an inner iteration count so one repeat lasts ``plan.min_repeat_s``."""
    n, spent, done = 1, 0.0, 0
    while done < 2 or spent < plan.warmup_s:
        dt = _run(case, n)
        spent += dt
        done += n
        if dt < plan.warmup_s / 4:
            n *= 2
    per = min(_run(case, 1) for _ in range(3))
    return max(1, math.ceil(plan.min_repeat_s / max(per, 1e-9)))


def time_interleaved(cases: dict[str, Case], plan: TimingPlan) -> dict[str, Timing]:
    """Time every case in turn (a, b, c, a, b, c, ...) so drifts in machine load hit all alike."""
    timings = {name: Timing(inner=calibrate(case, plan)) for name, case in cases.items()}
    for _ in range(plan.repeats):
        for name, case in cases.items():
            t = timings[name]
            gc.collect()
            t.per_iter_s.append(_run(case, t.inner) / t.inner)
    return timings
