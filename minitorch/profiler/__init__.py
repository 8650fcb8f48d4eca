"""``minitorch.profiler``: torch.profiler's ``profile``, ``schedule``, ``record_function`` on minitorch's events.

    from minitorch.profiler import profile, record_function, ProfilerActivity
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        with record_function("model_inference"):
            model(x)
    print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))

The events and the zero-cost-when-off mechanics are those of ``minitorch.autograd.profiler`` (see its
docstring: what is recorded, how ops are named, host times only). ``ProfilerActivity.CUDA`` is accepted
and labels the device, but minitorch does not time GPU kernels (no ``Self CUDA`` columns).
"""
from __future__ import annotations

import enum
import os
import socket
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from ..autograd import profiler as _legacy
from ..autograd.profiler import DeviceType, EventList, FunctionEvent, FunctionEventAvg, record_function

__all__ = ["profile", "schedule", "ProfilerAction", "ProfilerActivity", "record_function", "supported_activities",
           "tensorboard_trace_handler", "DeviceType", "EventList", "FunctionEvent", "FunctionEventAvg"]


class ProfilerActivity(enum.Enum):
    CPU = 0
    CUDA = 2
    XPU = 3
    MTIA = 4
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What a schedule asks for at a step: nothing, warm up, record, or record and hand the trace over."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def supported_activities() -> set:
    """CPU, plus CUDA when CuPy sees a GPU."""
    from ..backend import cupy_module

    acts = {ProfilerActivity.CPU}
    if cupy_module() is not None:
        acts.add(ProfilerActivity.CUDA)
    return acts


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0,
             skip_first_wait: int = 0) -> Callable[[int], ProfilerAction]:
    """torch.profiler.schedule: skip ``skip_first`` steps, then cycles of ``wait`` idle, ``warmup`` and
    ``active`` recorded steps (the last one RECORD_AND_SAVE), ``repeat`` times (0: until the end)."""

    def schedule_fn(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        num_steps = wait + warmup + active
        if repeat > 0 and step / num_steps >= repeat:
            return ProfilerAction.NONE
        mod_step = step % num_steps
        if mod_step < wait:
            return ProfilerAction.NONE
        if mod_step < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if mod_step < num_steps - 1 else ProfilerAction.RECORD_AND_SAVE

    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), warmup={warmup} (need >= 0), "
            f"active={active} (need > 0), repeat={repeat} (need >= 0), skip_first={skip_first} (need >= 0).")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results", stacklevel=2)
    return schedule_fn


def _default_schedule_fn(_: int) -> ProfilerAction:
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name: str, worker_name: str | None = None, use_gzip: bool = False):
    """An ``on_trace_ready`` that writes each trace as ``<dir>/<worker>.<ns>.pt.trace.json[.gz]`` (Chrome
    trace JSON; TensorBoard's profiler plugin expects torch's Kineto fields and may show less)."""

    def handler_fn(prof) -> None:
        nonlocal worker_name
        os.makedirs(dir_name, exist_ok=True)
        if not worker_name:
            worker_name = f"{socket.gethostname()}_{os.getpid()}"
        file_name = f"{worker_name}.{time.time_ns()}.pt.trace.json" + (".gz" if use_gzip else "")
        prof.export_chrome_trace(os.path.join(dir_name, file_name))

    return handler_fn


class profile:
    """torch.profiler.profile: a context manager (or ``start()``/``stop()``) that records minitorch's ops,
    backward nodes and ``record_function`` ranges; with a ``schedule``, call ``step()`` once per iteration
    (each step is a ``ProfilerStep#N`` range) and ``on_trace_ready(prof)`` runs at the end of each active
    cycle (and at exit while recording). ``with_flops``, ``with_modules`` and ``experimental_config`` are
    accepted and do nothing. A second profile while one is open raises ``RuntimeError``.
    """

    def __init__(self, *, activities: Iterable[ProfilerActivity] | None = None,
                 schedule: Callable[[int], ProfilerAction] | None = None,
                 on_trace_ready: Callable[..., Any] | None = None, record_shapes: bool = False,
                 profile_memory: bool = False, with_stack: bool = False, with_flops: bool = False,
                 with_modules: bool = False, experimental_config=None, execution_trace_observer=None,
                 acc_events: bool = False, use_cuda: bool | None = None, custom_trace_id_callback=None,
                 **kwargs) -> None:
        acts = set(activities) if activities is not None else supported_activities()
        if use_cuda is not None:
            warnings.warn("`use_cuda` is deprecated, use `activities` argument instead", FutureWarning,
                          stacklevel=2)
            if use_cuda:
                acts.add(ProfilerActivity.CUDA)
            else:
                acts.discard(ProfilerActivity.CUDA)
        if not acts:
            raise AssertionError("No valid profiler activities found")
        self.activities = acts
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_flops = with_flops
        self.with_modules = with_modules
        self.acc_events = acc_events
        self.use_device = "cuda" if ProfilerActivity.CUDA in acts else None
        if schedule:
            self.schedule, self.record_steps = schedule, True
        else:
            self.schedule, self.record_steps = _default_schedule_fn, False
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self.step_rec_fn: record_function | None = None
        self.current_action = self.schedule(self.step_num)
        self.profiler: _legacy.profile | None = None
        self._open = False

    # -- the legacy profile that does the recording, one per active cycle --
    def prepare_trace(self) -> None:
        previous = self.profiler.function_events if self.profiler is not None and self.acc_events else None
        self.profiler = _legacy.profile(use_device=self.use_device, record_shapes=self.record_shapes,
                                        profile_memory=self.profile_memory, with_stack=self.with_stack,
                                        acc_events=self.acc_events)
        self.profiler._owner = self
        self.profiler.function_events = previous

    def start_trace(self) -> None:
        if self.profiler is None:
            raise AssertionError("Profiler must be initialized before starting trace")
        self.profiler.__enter__()

    def stop_trace(self) -> None:
        if self.profiler is None:
            raise AssertionError("Profiler must be initialized before stopping trace")
        self.profiler.__exit__(None, None, None)

    def _trace_ready(self) -> None:
        if self.on_trace_ready:
            self.on_trace_ready(self)

    def _transit_action(self, prev, current) -> None:
        A = ProfilerAction
        recording = (A.RECORD, A.RECORD_AND_SAVE)
        if prev == A.NONE and current in (A.WARMUP, *recording):
            self.prepare_trace()
            if current in recording:
                self.start_trace()
        elif prev == A.WARMUP and current in recording:
            self.start_trace()
        elif prev == A.WARMUP and current == A.NONE:
            warnings.warn("Incorrect schedule: WARMUP followed by NONE", stacklevel=3)
        elif prev == A.RECORD and current in (A.NONE, A.WARMUP):
            warnings.warn(f"Incorrect schedule: RECORD followed by {current.name}", stacklevel=3)
            self.stop_trace()
        elif prev == A.RECORD_AND_SAVE and current in (A.NONE, A.WARMUP, *recording):
            self.stop_trace()
            self._trace_ready()
            if current != A.NONE:
                self.prepare_trace()
                if current in recording:
                    self.start_trace()
        elif prev == A.WARMUP and current is None:  # ends before recording anything: an empty trace
            self.start_trace()
            self.stop_trace()
        elif prev in recording and current is None:  # the profile ends
            self.stop_trace()
            self._trace_ready()

    def start(self) -> None:
        _legacy._claim(self)
        self._open = True
        try:
            self._transit_action(ProfilerAction.NONE, self.current_action)
        except BaseException:
            self._open = False
            _legacy._release(self)
            raise
        if self.record_steps:
            self.step_rec_fn = record_function("ProfilerStep#" + str(self.step_num))
            self.step_rec_fn.__enter__()

    def stop(self) -> None:
        if not self._open:
            return
        try:
            if self.record_steps and self.step_rec_fn:
                self.step_rec_fn.__exit__(None, None, None)
                self.step_rec_fn = None
            self._transit_action(self.current_action, None)
        finally:
            self._open = False
            _legacy._release(self)

    def step(self) -> None:
        """Mark the start of the next iteration (moves the schedule on)."""
        if self.record_steps and self.step_rec_fn:
            self.step_rec_fn.__exit__(None, None, None)
            self.step_rec_fn = None
        prev = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        self._transit_action(prev, self.current_action)
        if self.record_steps:
            self.step_rec_fn = record_function("ProfilerStep#" + str(self.step_num))
            self.step_rec_fn.__enter__()

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        self.stop()

    # -- results --
    def events(self) -> EventList:
        """The recorded ``FunctionEvent`` list (of the last finished cycle)."""
        if self.profiler is None:
            raise AssertionError("Profiler must be initialized before accessing events")
        return self.profiler.function_events

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        """Events grouped by name (and input shapes / stack): an EventList of ``FunctionEventAvg``;
        ``.table(sort_by=..., row_limit=...)`` prints it as torch does."""
        if self.profiler is None:
            raise AssertionError("Profiler must be initialized before getting key averages")
        return self.profiler.key_averages(group_by_input_shape, group_by_stack_n, group_by_overload_name)

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as Chrome trace JSON (chrome://tracing, Perfetto)."""
        if self.profiler is None:
            raise AssertionError("Profiler must be initialized before exporting chrome trace")
        if path.endswith(".gz"):
            import gzip
            import json

            with gzip.open(path, "wt") as f:
                json.dump(_legacy._chrome_trace(self.profiler.function_events), f)
            return
        self.profiler.export_chrome_trace(path)
