"""``TaskSpec`` (what was timed) and ``Measurement`` (the times), as ``torch.utils.benchmark.utils.common``.

Statistics follow torch's definitions exactly: each raw time is divided by ``number_per_run``
(``Measurement.times``); median, 25th and 75th percentiles are linear-interpolation quantiles of those
(``numpy.quantile`` = ``torch.quantile``) in float64; ``iqr = p75 - p25``. The display helpers
(``significant_figures``, ``trim_sigfig``, ``select_unit``) do their arithmetic in float32 as torch's do,
so tables come out digit for digit the same.
"""
from __future__ import annotations

import collections
import contextlib
import dataclasses
import math
import textwrap
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

__all__ = ["TaskSpec", "Measurement", "select_unit", "unit_to_english", "trim_sigfig", "ordered_unique",
           "set_torch_threads"]

_MAX_SIGNIFICANT_FIGURES = 4
_MIN_CONFIDENCE_INTERVAL = 25e-9  # 25 ns
# A Measurement warns when its spread is suspect: IQR above these fractions of the median.
_IQR_WARN_THRESHOLD = 0.1
_IQR_GROSS_WARN_THRESHOLD = 0.25

_f32 = np.float32


@dataclasses.dataclass(init=True, repr=False, eq=True, frozen=True)
class TaskSpec:
    """What a Timer runs and how it is labelled (everything but its globals)."""

    stmt: str
    setup: str
    global_setup: str = ""
    label: str | None = None
    sub_label: str | None = None
    description: str | None = None
    env: str | None = None
    num_threads: int = 1

    @property
    def title(self) -> str:
        """The label (and sub-label), else the one-line stmt, else the indented stmt."""
        if self.label is not None:
            return self.label + (f": {self.sub_label}" if self.sub_label else "")
        if "\n" not in self.stmt:
            return self.stmt + (f": {self.sub_label}" if self.sub_label else "")
        sub = f" ({self.sub_label})" if self.sub_label else ""
        return f"stmt:{sub}\n{textwrap.indent(self.stmt, '  ')}"

    def setup_str(self) -> str:
        if self.setup == "pass" or not self.setup:
            return ""
        if "\n" in self.setup:
            return f"setup:\n{textwrap.indent(self.setup, '  ')}"
        return f"setup: {self.setup}"

    def summarize(self) -> str:
        """The TaskSpec part of a Measurement's repr."""
        sections = [self.title, self.description or "", self.setup_str()]
        return "\n".join(f"{s}\n" if "\n" in s else s for s in sections if s)


_TASKSPEC_FIELDS = tuple(f.name for f in dataclasses.fields(TaskSpec))


@dataclasses.dataclass(init=True, repr=False)
class Measurement:
    """The result of a Timer run: ``raw_times[i]`` is the time of one block of ``number_per_run`` calls.

    TaskSpec fields (``label``, ``stmt``, ``num_threads``, ...) read through, as in torch.
    """

    number_per_run: int
    raw_times: list[float]
    task_spec: TaskSpec
    metadata: dict[Any, Any] | None = None  # the user's payload

    def __post_init__(self) -> None:
        self._sorted_times: tuple[float, ...] = ()
        self._warnings: tuple[str, ...] = ()
        self._median = self._mean = self._p25 = self._p75 = -1.0

    def __getattr__(self, name: str) -> Any:
        if name in _TASKSPEC_FIELDS:
            return getattr(self.task_spec, name)
        return super().__getattribute__(name)

    @property
    def times(self) -> list[float]:
        """Per-call times: each raw (block) time divided by ``number_per_run``."""
        return [t / self.number_per_run for t in self.raw_times]

    @property
    def median(self) -> float:
        self._lazy_init()
        return self._median

    @property
    def mean(self) -> float:
        self._lazy_init()
        return self._mean

    @property
    def iqr(self) -> float:
        """Interquartile range of ``times``: 75th minus 25th percentile (linear interpolation)."""
        self._lazy_init()
        return self._p75 - self._p25

    @property
    def significant_figures(self) -> int:
        """A rough number of trustworthy digits (1 to 4) from the spread of the interquartile times
        (z = 1.645 confidence interval of their mean, relative to the median); used by ``Compare``."""
        self._lazy_init()
        n_total = len(self._sorted_times)
        lower = n_total // 4
        upper = int(math.ceil(_f32(3 * n_total / 4)))
        points = np.asarray(self._sorted_times[lower:upper], dtype=np.float32)
        std = float(points.std()) if len(points) else float("nan")
        sqrt_n = float(np.sqrt(_f32(len(points))))
        ci = max(1.645 * std / sqrt_n, _MIN_CONFIDENCE_INTERVAL) if sqrt_n else _MIN_CONFIDENCE_INTERVAL
        relative_ci = float(np.log10(_f32(self._median / ci)))
        return min(max(int(np.floor(_f32(relative_ci))), 1), _MAX_SIGNIFICANT_FIGURES)

    @property
    def has_warnings(self) -> bool:
        self._lazy_init()
        return bool(self._warnings)

    def _lazy_init(self) -> None:
        if self.raw_times and not self._sorted_times:
            self._sorted_times = tuple(sorted(self.times))
            arr = np.asarray(self._sorted_times, dtype=np.float64)
            self._median = float(np.quantile(arr, 0.5))
            self._mean = float(arr.mean())
            self._p25 = float(np.quantile(arr, 0.25))
            self._p75 = float(np.quantile(arr, 0.75))

            def add_warning(msg: str) -> None:
                rel_iqr = self.iqr / self.median * 100
                self._warnings += (
                    f"  WARNING: Interquartile range is {rel_iqr:.1f}% of the median measurement.\n"
                    f"           {msg}",
                )

            if not self.meets_confidence(_IQR_GROSS_WARN_THRESHOLD):
                add_warning("This suggests significant environmental influence.")
            elif not self.meets_confidence(_IQR_WARN_THRESHOLD):
                add_warning("This could indicate system fluctuation.")

    def meets_confidence(self, threshold: float = _IQR_WARN_THRESHOLD) -> bool:
        """Whether ``iqr / median < threshold``."""
        return self.iqr / self.median < threshold

    @property
    def title(self) -> str:
        return self.task_spec.title

    @property
    def env(self) -> str | None:
        return self.task_spec.env

    @property
    def as_row_name(self) -> str:
        return self.sub_label or self.stmt or "[Unknown]"

    def __repr__(self) -> str:
        self._lazy_init()
        n = len(self._sorted_times)
        unit, scale = select_unit(self._median)
        skip = "MEASUREMENT_REPR_SKIP_LINE"
        iqr_line = (f"{'' if n >= 4 else skip}IQR:    {self.iqr / scale:.2f} {unit} "
                    f"({self._p25 / scale:.2f} to {self._p75 / scale:.2f})")
        per = "per measurement," if n > 1 else ","
        threads = f"{self.num_threads} thread{'s' if self.num_threads > 1 else ''}"
        text = "\n".join([
            "", object.__repr__(self), self.task_spec.summarize(),
            f"  {'Median: ' if n > 1 else ''}{self._median / scale:.2f} {unit}",
            f"  {iqr_line}",
            f"  {n} measurement{'s' if n > 1 else ''}, {self.number_per_run} runs {per} {threads}",
            "\n".join(self._warnings),
        ]).strip()
        return "\n".join(line for line in text.splitlines() if skip not in line)

    @staticmethod
    def merge(measurements: Iterable[Measurement]) -> list[Measurement]:
        """Pool replicates of the same TaskSpec into one Measurement per spec (``number_per_run=1``)."""
        groups: dict[TaskSpec, list[Measurement]] = collections.defaultdict(list)
        for m in measurements:
            groups[m.task_spec].append(m)
        return [Measurement(number_per_run=1, raw_times=[t for m in g for t in m.times], task_spec=spec)
                for spec, g in groups.items()]


def select_unit(t: float) -> tuple[str, float]:
    """The unit (ns, us, ms or s) that puts ``t`` seconds in [1, 1000), and its scale."""
    unit = {-3: "ns", -2: "us", -1: "ms"}.get(int(float(np.log10(_f32(t))) // 3), "s")
    return unit, {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}[unit]


def unit_to_english(u: str) -> str:
    return {"ns": "nanosecond", "us": "microsecond", "ms": "millisecond", "s": "second"}[u]


def trim_sigfig(x: float, n: int) -> float:
    """``x`` rounded to ``n`` significant figures (3.14159, 2 -> 3.1)."""
    if n != int(n):
        raise AssertionError("Number of significant figures must be an integer")
    magnitude = int(np.ceil(np.log10(np.abs(_f32(x)))))
    scale = 10 ** (magnitude - n)
    return float(np.round(_f32(x / scale)) * _f32(scale))


def ordered_unique(elements: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(elements))


@contextlib.contextmanager
def set_torch_threads(n: int) -> Iterator[None]:
    """Run the block with ``minitorch.set_num_threads(n)`` (the BLAS threads); restore the count after."""
    from ...settings import get_num_threads, set_num_threads

    prior = get_num_threads()
    try:
        set_num_threads(n)
        yield
    finally:
        set_num_threads(prior)
