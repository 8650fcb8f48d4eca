"""``Timer``: time a Python statement the way ``torch.utils.benchmark.Timer`` does.

It builds on ``timeit.Timer`` (the statement runs in a compiled loop, garbage collection off), runs
the statement with ``minitorch.set_num_threads(num_threads)`` (1 by default, as torch: single-thread
numbers are the comparable ones), and the default ``timer`` waits for queued GPU work
(``minitorch.cuda.synchronize``) before reading the clock when a GPU is in use, so CuPy's
asynchronous kernels are counted. ``globals`` gets ``torch`` bound to ``minitorch`` unless given.
"""
from __future__ import annotations

import enum
import textwrap
import timeit
from collections.abc import Callable
from typing import Any

import numpy as np

from . import common

__all__ = ["Timer", "timer", "Language"]


def timer() -> float:
    """``timeit.default_timer()`` after waiting for the GPU (when CuPy sees one), as torch's default timer."""
    from ...backend import cupy_module

    if cupy_module() is not None:
        from ... import cuda

        cuda.synchronize()
    return timeit.default_timer()


class Language(enum.Enum):
    PYTHON = 0
    CPP = 1


class Timer:
    """Measure the execution time of ``stmt`` (a string of Python code), as ``torch.utils.benchmark.Timer``.

    ``setup`` runs once before timing; ``globals`` provides the names ``stmt`` uses; ``label``,
    ``sub_label``, ``description`` and ``env`` name the result for ``Compare`` (rows: sub_label or
    stmt; columns: description; tables: label; blocks: num_threads). Only ``language='python'`` is
    supported (torch's C++ timing needs its JIT-compiled C++ harness).
    """

    _timer_cls = timeit.Timer

    def __init__(
        self,
        stmt: str = "pass",
        setup: str = "pass",
        global_setup: str = "",
        timer: Callable[[], float] = timer,
        globals: dict[str, Any] | None = None,
        label: str | None = None,
        sub_label: str | None = None,
        description: str | None = None,
        env: str | None = None,
        num_threads: int = 1,
        language: Language | str = Language.PYTHON,
    ) -> None:
        if not isinstance(stmt, str):
            raise ValueError("Currently only a `str` stmt is supported.")
        if language in (Language.CPP, "cpp", "c++"):
            raise NotImplementedError("minitorch's Timer times Python statements only (language='python'); "
                                      "C++ timing needs torch's C++ extension harness.")
        if language not in (Language.PYTHON, "py", "python"):
            raise ValueError(f"Invalid language `{language}`.")
        if global_setup:
            raise ValueError(f"global_setup is C++ only, got `{global_setup}`. Most likely this code can "
                             "simply be moved to `setup`.")
        self._language = Language.PYTHON
        self._globals = dict(globals or {})
        import minitorch

        self._globals.setdefault("torch", minitorch)

        stmt = textwrap.dedent(stmt)
        stmt = (stmt[1:] if stmt and stmt[0] == "\n" else stmt).rstrip()
        setup = textwrap.dedent(setup)
        setup = (setup[1:] if setup and setup[0] == "\n" else setup).rstrip()
        self._timer = self._timer_cls(stmt=stmt, setup=setup, timer=timer, globals=self._globals)
        self._task_spec = common.TaskSpec(
            stmt=stmt, setup=setup, global_setup=global_setup, label=label, sub_label=sub_label,
            description=description, env=env, num_threads=num_threads,
        )

    def _timeit(self, number: int) -> float:
        # Even a no-op takes some time; a 0 would break the statistics (log of the median).
        return max(self._timer.timeit(number), 1e-9)

    def timeit(self, number: int = 1000000) -> common.Measurement:
        """Run ``stmt`` ``number`` times (after a warm-up of ``number // 100``) and return one measurement."""
        with common.set_torch_threads(self._task_spec.num_threads):
            self._timeit(number=max(int(number // 100), 2))  # warm-up
            return common.Measurement(number_per_run=number, raw_times=[self._timeit(number=number)],
                                      task_spec=self._task_spec)

    def repeat(self, repeat: int = -1, number: int = -1) -> None:
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def autorange(self, callback: Callable[[int, float], None] | None = None) -> None:
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def _threaded_measurement_loop(self, number: int, time_hook: Callable[[], float],
                                   stop_hook: Callable[[list[float]], bool], min_run_time: float,
                                   max_run_time: float | None = None,
                                   callback: Callable[[int, float], None] | None = None) -> list[float]:
        total_time = 0.0
        can_stop = False
        times: list[float] = []
        with common.set_torch_threads(self._task_spec.num_threads):
            while total_time < min_run_time or not can_stop:
                time_spent = time_hook()
                times.append(time_spent)
                total_time += time_spent
                if callback:
                    callback(number, time_spent)
                can_stop = stop_hook(times)
                if max_run_time and total_time > max_run_time:
                    break
        return times

    def _estimate_block_size(self, min_run_time: float) -> int:
        """Grow the block (x10) until the timer's own overhead is <= 0.01% of a block and a block takes
        >= min_run_time / 1000 (or one block already exceeds min_run_time)."""
        with common.set_torch_threads(self._task_spec.num_threads):
            overhead = float(np.median([self._timeit(0) for _ in range(5)]))
            number = 1
            while True:
                time_taken = self._timeit(number)
                if overhead / time_taken <= 1e-4 and time_taken >= min_run_time / 1000:
                    break
                if time_taken > min_run_time:
                    break
                if number * 10 > 2147483647:  # an int32 count, as torch's loop
                    break
                number *= 10
        return number

    def blocked_autorange(self, callback: Callable[[int, float], None] | None = None,
                          min_run_time: float = 0.2) -> common.Measurement:
        """Time blocks of ``number_per_run`` calls (block size chosen so timer overhead is negligible)
        until at least ``min_run_time`` seconds were spent; ``callback(number, time)`` after each block."""
        number = self._estimate_block_size(min_run_time)
        times = self._threaded_measurement_loop(number, lambda: self._timeit(number), lambda times: True,
                                                min_run_time=min_run_time, callback=callback)
        return common.Measurement(number_per_run=number, raw_times=times, task_spec=self._task_spec)

    def adaptive_autorange(self, threshold: float = 0.1, *, min_run_time: float = 0.01,
                           max_run_time: float = 10.0,
                           callback: Callable[[int, float], None] | None = None) -> common.Measurement:
        """Like ``blocked_autorange``, but keep measuring (more than 3 blocks, at least ``min_run_time``)
        until ``iqr / median < threshold`` or ``max_run_time`` seconds have been spent."""
        number = self._estimate_block_size(min_run_time=0.05)

        def stop_hook(times: list[float]) -> bool:
            if len(times) > 3:
                return common.Measurement(number_per_run=number, raw_times=times,
                                          task_spec=self._task_spec).meets_confidence(threshold=threshold)
            return False

        times = self._threaded_measurement_loop(number, lambda: self._timeit(number), stop_hook, min_run_time,
                                                max_run_time, callback=callback)
        return common.Measurement(number_per_run=number, raw_times=times, task_spec=self._task_spec)
