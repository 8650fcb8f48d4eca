"""``minitorch.utils.benchmark``: ``Timer``, ``Measurement`` and ``Compare``, as ``torch.utils.benchmark``.

    from minitorch.utils import benchmark
    t = benchmark.Timer("x @ x", globals={"x": x}, label="matmul", description="64x64")
    m = t.blocked_autorange(min_run_time=0.2)   # a Measurement: m.median, m.iqr, m.times
    benchmark.Compare([m, ...]).print()

Not here (torch has them): C++ statements (``language='cpp'``), ``collect_callgrind``, and the
input fuzzers (``Fuzzer``, ``FuzzedTensor``).
"""
from .common import (
    Measurement,
    TaskSpec,
    ordered_unique,
    select_unit,
    set_torch_threads,
    trim_sigfig,
    unit_to_english,
)
from .compare import Colorize, Compare
from .timer import Language, Timer, timer

__all__ = ["Timer", "timer", "Language", "Measurement", "TaskSpec", "Compare", "Colorize", "select_unit",
           "unit_to_english", "trim_sigfig", "ordered_unique", "set_torch_threads"]
