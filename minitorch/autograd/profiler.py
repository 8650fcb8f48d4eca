"""``minitorch.autograd.profiler``: where the time goes, op by op (torch.autograd.profiler, legacy API).

    with minitorch.autograd.profiler.profile(record_shapes=True) as prof:
        with minitorch.autograd.profiler.record_function("model"):
            loss = model(x).sum()
        loss.backward()
    print(prof.key_averages().table(sort_by="self_cpu_time_total"))

What is recorded (one ``FunctionEvent`` each, nested by time into parents and children):

- every op's forward: one event per ``Function.apply``, named like torch's ATen op: the Function
  class name in snake_case behind ``aten::`` (``Mul`` -> ``aten::mul``, ``MaxPool2d`` ->
  ``aten::max_pool2d``), with ``_TORCH_NAMES`` fixing the cases where torch's name differs
  (``MatMul`` -> ``aten::matmul``, ``GetItem`` -> ``aten::index``, ``SVD`` -> ``aten::linalg_svd``);
  a user's ``autograd.Function`` keeps its class name, as in torch;
- every backward node the engine runs: ``autograd::engine::evaluate_function: MulBackward0`` with
  ``MulBackward0`` inside it (the ops its backward formula calls nest inside that);
- ``record_function`` ranges, ``ProfilerStep#N`` (``minitorch.profiler`` with a schedule), and
  ``Optimizer.step#SGD.step`` / ``Optimizer.zero_grad#SGD.zero_grad``.

Zero cost when off: nothing checks a flag on the hot path. Entering a profile swaps a timing wrapper
in for the classmethod ``Function.apply`` (and for the optimizers' ``step``/``zero_grad``) and registers
a tracer with the backward engine (``engine._tracers``, the hook ``autograd.trace`` uses); leaving it
puts the original objects back. Times are host (CPU) times from ``time.perf_counter_ns``; on the GPU,
CuPy kernels run asynchronously, so an op's time there is its launch time (no kernel timing).
``profile_memory`` counts the bytes of the tensors each op returns (a backward node: the gradients it
returns), not allocator traffic: temporaries and frees are not seen.
"""
from __future__ import annotations

import enum
import functools
import itertools
import json
import os
import re
import sys
import threading
import time
from collections import defaultdict
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import engine
from .function import Function

__all__ = ["profile", "record_function", "EventList", "FunctionEvent", "FunctionEventAvg", "DeviceType",
           "Interval"]

_now_us = lambda: time.perf_counter_ns() / 1000.0  # noqa: E731


class DeviceType(enum.Enum):
    """Where an event ran (every minitorch event is a host-side CPU event)."""

    CPU = 0
    CUDA = 1


class Interval:
    """``[start, end]`` in microseconds."""

    __slots__ = ("start", "end")

    def __init__(self, start: float, end: float):
        self.start = start
        self.end = end

    def elapsed_us(self) -> float:
        return self.end - self.start

    def __repr__(self) -> str:
        return f"Interval(start={self.start}, end={self.end})"


def _format_time(time_us: float) -> str:
    if time_us >= 1e6:
        return f"{time_us / 1e6:.3f}s"
    if time_us >= 1e3:
        return f"{time_us / 1e3:.3f}ms"
    return f"{time_us:.3f}us"


def _format_time_share(time_us: float, total_us: float) -> str:
    if total_us == 0:
        return "NaN"
    return f"{time_us * 100.0 / total_us:.2f}%"


def _format_memory(nbytes: int) -> str:
    kb, mb, gb = 1024, 1024 ** 2, 1024 ** 3
    if abs(nbytes) >= gb:
        return f"{nbytes / gb:.2f} GB"
    if abs(nbytes) >= mb:
        return f"{nbytes / mb:.2f} MB"
    if abs(nbytes) >= kb:
        return f"{nbytes / kb:.2f} KB"
    return f"{nbytes} B"


class _FormattedTimes:
    """``*_str`` views and per-call averages (``cpu_time`` = ``cpu_time_total / count``)."""

    @property
    def cpu_time(self) -> float:
        return 0.0 if self.count == 0 else self.cpu_time_total / self.count

    @property
    def device_time(self) -> float:
        return 0.0 if self.count == 0 else self.device_time_total / self.count

    cuda_time = device_time

    cpu_time_str = property(lambda self: _format_time(self.cpu_time))
    cpu_time_total_str = property(lambda self: _format_time(self.cpu_time_total))
    self_cpu_time_total_str = property(lambda self: _format_time(self.self_cpu_time_total))
    device_time_str = property(lambda self: _format_time(self.device_time))
    device_time_total_str = property(lambda self: _format_time(self.device_time_total))
    self_device_time_total_str = property(lambda self: _format_time(self.self_device_time_total))


class FunctionEvent(_FormattedTimes):
    """One recorded range: an op's forward, a backward node, or a ``record_function`` range.

    ``time_range`` is in microseconds; ``self_cpu_time_total`` is the total minus the totals of the
    direct ``cpu_children`` (events that started and ended inside it on the same thread).
    """

    def __init__(self, id: int, name: str, thread: int, start_us: float, end_us: float, input_shapes=None,
                 stack=None, scope: int = 0, use_device: str | None = None, is_user_annotation: bool = False,
                 sequence_nr: int = -1):
        self.id = id
        self.node_id = -1
        self.name = name
        self.trace_name = name
        self.overload_name = ""
        self.time_range = Interval(start_us, end_us)
        self.thread = thread
        self.fwd_thread = thread
        self.count = 1
        self.cpu_children: list[FunctionEvent] = []
        self.cpu_parent: FunctionEvent | None = None
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.stack = stack if stack is not None else []
        self.scope = scope  # 0 forward, 1 backward (at::RecordScope)
        self.use_device = use_device
        self.cpu_memory_usage = 0
        self.device_memory_usage = 0
        self.is_async = False
        self.is_remote = False
        self.is_legacy = False
        self.sequence_nr = sequence_nr
        self.device_type = DeviceType.CPU
        self.device_index = 0
        self.is_user_annotation = is_user_annotation
        self.flops = 0
        self.kernels: list = []
        self.self_cpu_percent = -1
        self.total_cpu_percent = -1
        self._own_cpu_mem = 0
        self._own_device_mem = 0

    @property
    def key(self) -> str:
        return self.name

    def append_cpu_child(self, child: FunctionEvent) -> None:
        self.cpu_children.append(child)

    def set_cpu_parent(self, parent: FunctionEvent) -> None:
        self.cpu_parent = parent

    @property
    def cpu_time_total(self) -> float:
        return self.time_range.elapsed_us()

    @property
    def self_cpu_time_total(self) -> float:
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    device_time_total = 0.0  # no kernel timing (see the module docstring)
    self_device_time_total = 0.0
    cuda_time_total = 0.0
    self_cuda_time_total = 0.0

    @property
    def self_cpu_memory_usage(self) -> int:
        return self.cpu_memory_usage - sum(c.cpu_memory_usage for c in self.cpu_children)

    @property
    def self_device_memory_usage(self) -> int:
        return self.device_memory_usage - sum(c.device_memory_usage for c in self.cpu_children)

    self_cuda_memory_usage = self_device_memory_usage

    def __repr__(self) -> str:
        return (f"<FunctionEvent id={self.id} name={self.name} device_type={self.device_type} "
                f"cpu_time={self.cpu_time_str} start_us={self.time_range.start} end_us={self.time_range.end} "
                f"cpu_children={[c.id for c in self.cpu_children]} thread={self.thread} "
                f"input_shapes={self.input_shapes} cpu_memory_usage={self.cpu_memory_usage}>")


class FunctionEventAvg(_FormattedTimes):
    """Totals over the events sharing a key (name, and input shapes / stack when grouped by them)."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.count = 0
        self.node_id = 0
        self.is_async = False
        self.is_remote = False
        self.use_device: str | None = None
        self.cpu_time_total = 0.0
        self.device_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.self_device_time_total = 0.0
        self.input_shapes = None
        self.overload_name = None
        self.stack = None
        self.scope = None
        self.cpu_memory_usage = 0
        self.device_memory_usage = 0
        self.self_cpu_memory_usage = 0
        self.self_device_memory_usage = 0
        self.cpu_children = None
        self.cpu_parent = None
        self.device_type = DeviceType.CPU
        self.is_legacy = False
        self.is_user_annotation = False
        self.flops = 0

    cuda_time_total = property(lambda self: self.device_time_total)
    self_cuda_time_total = property(lambda self: self.self_device_time_total)
    self_cuda_memory_usage = property(lambda self: self.self_device_memory_usage)

    def add(self, other) -> FunctionEventAvg:
        if self.key is None:
            self.key = other.key
            self.node_id = other.node_id
            self.is_async = other.is_async
            self.is_remote = other.is_remote
            self.cpu_parent = other.cpu_parent
            self.cpu_children = other.cpu_children
            self.overload_name = other.overload_name
            self.input_shapes = other.input_shapes
            self.stack = other.stack
            self.scope = other.scope
            self.device_type = other.device_type
            self.is_legacy = other.is_legacy
            self.use_device = other.use_device
            self.is_user_annotation = other.is_user_annotation
        if other.key != self.key:
            raise AssertionError(f"Expected keys to match, but got {other.key} vs {self.key}")
        self.cpu_time_total += other.cpu_time_total
        self.device_time_total += other.device_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.self_device_time_total += other.self_device_time_total
        self.cpu_memory_usage += other.cpu_memory_usage
        self.device_memory_usage += other.device_memory_usage
        self.self_cpu_memory_usage += other.self_cpu_memory_usage
        self.self_device_memory_usage += other.self_device_memory_usage
        self.count += other.count
        self.flops += other.flops or 0
        return self

    __iadd__ = add

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str} "
                f"cpu_time={self.cpu_time_str} input_shapes={self.input_shapes} "
                f"cpu_memory_usage={self.cpu_memory_usage}>")


class EventList(list):
    """A list of ``FunctionEvent`` (or of ``FunctionEventAvg`` from ``key_averages``) with torch's views."""

    def __init__(self, *args, use_device: str | None = None, profile_memory: bool = False,
                 with_flops: bool = False):
        super().__init__(*args)
        self._use_device = use_device
        self._profile_memory = profile_memory
        self._with_flops = with_flops

    def __str__(self) -> str:
        return self.table()

    @property
    def self_cpu_time_total(self) -> float:
        return sum(e.self_cpu_time_total for e in self)

    def table(self, sort_by: str | None = None, row_limit: int = 100, max_src_column_width: int = 75,
              max_name_column_width: int = 55, max_shapes_column_width: int = 80, header: str | None = None,
              top_level_events_only: bool = False, time_unit: str | None = None) -> str:
        """torch's table: Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU time avg, [CPU Mem,
        Self CPU Mem,] # of Calls[, Input Shapes][, Source Location]; ``sort_by`` any numeric attribute
        (``self_cpu_time_total``, ``cpu_time_total``, ``cpu_time``, ``count``, ``cpu_memory_usage``,
        ``self_cpu_memory_usage``; ``cuda`` in a key reads as ``device``), largest first."""
        return _build_table(self, sort_by=sort_by, row_limit=row_limit, max_src_column_width=max_src_column_width,
                            max_name_column_width=max_name_column_width,
                            max_shapes_column_width=max_shapes_column_width, header=header,
                            profile_memory=self._profile_memory, top_level_events_only=top_level_events_only,
                            time_unit=time_unit)

    def key_averages(self, group_by_input_shapes: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        """One ``FunctionEventAvg`` per event name (and input shapes / top ``n`` stack frames if asked),
        in order of first appearance."""
        stats: dict[tuple, FunctionEventAvg] = defaultdict(FunctionEventAvg)
        for evt in self:
            key = (evt.key, evt.node_id, evt.device_type, evt.is_legacy, evt.is_user_annotation)
            if group_by_input_shapes:
                key += (str(evt.input_shapes),)
            if group_by_stack_n > 0:
                key += tuple(evt.stack[:group_by_stack_n])
            stats[key].add(evt)
        out = EventList(stats.values(), use_device=self._use_device, profile_memory=self._profile_memory,
                        with_flops=self._with_flops)
        for avg in out:
            avg.stack = (avg.stack or [])[:group_by_stack_n]
            if not group_by_input_shapes:
                avg.input_shapes = ""
        return out

    def total_average(self) -> FunctionEventAvg:
        """All events summed into one ``FunctionEventAvg`` with key ``"Total"``."""
        total = FunctionEventAvg()
        for evt in self:
            total.key = evt.key  # add() requires equal keys
            total.add(evt)
        total.key = "Total"
        return total

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as Chrome trace JSON (``{"traceEvents": [...]}``; open in chrome://tracing or
        https://ui.perfetto.dev). Complete events (``"ph": "X"``), times in microseconds."""
        with open(path, "w") as f:
            json.dump(_chrome_trace(self), f)

    def _remove_dup_nodes(self) -> None:  # torch's name; minitorch never records duplicates
        pass


def _chrome_trace(events) -> dict:
    pid = os.getpid()
    threads = sorted({e.thread for e in events})
    trace: list[dict] = [{"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": "python"}},
                         {"ph": "M", "name": "process_labels", "pid": pid, "tid": 0, "args": {"labels": "CPU"}}]
    for tid in threads:
        trace.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
                      "args": {"name": f"thread {tid} (python)"}})
    for e in events:
        args: dict[str, Any] = {"External id": e.id}
        if e.input_shapes:
            args["Input Dims"] = e.input_shapes
        if e.sequence_nr >= 0:
            args["Sequence number"] = e.sequence_nr
        if e.cpu_memory_usage or e.device_memory_usage:
            args["Bytes"] = e.cpu_memory_usage + e.device_memory_usage
        if e.stack:
            args["Call stack"] = ";".join(e.stack)
        trace.append({"ph": "X", "cat": "user_annotation" if e.is_user_annotation else "cpu_op",
                      "name": getattr(e, "trace_name", e.name),
                      "pid": pid, "tid": e.thread, "ts": e.time_range.start, "dur": e.time_range.elapsed_us(),
                      "args": args})
    return {"schemaVersion": 1, "deviceProperties": [], "displayTimeUnit": "ms", "traceEvents": trace}


def _build_table(events, sort_by=None, header=None, row_limit=100, max_src_column_width=75,
                 max_name_column_width=55, max_shapes_column_width=80, profile_memory=False,
                 top_level_events_only=False, time_unit=None) -> str:
    """torch's ``_build_table`` layout (columns 12 wide, two spaces between, a dashed rule around the header)."""
    if len(events) == 0:
        return ""
    use_device = events[0].use_device
    has_device_mem = any(e.self_device_memory_usage > 0 for e in events)
    has_input_shapes = any(e.input_shapes is not None and len(e.input_shapes) > 0 for e in events)
    if sort_by is not None:
        attr = sort_by.replace("cuda", "device").replace("xpu", "device").replace("privateuse1", "device")
        events = sorted(events, key=lambda e: getattr(e, attr), reverse=True)

    name_width = max(len(e.key) for e in events) + 4
    if max_name_column_width is not None:
        name_width = min(name_width, max_name_column_width)
    shapes_width = max(len(str(e.input_shapes)) for e in events) + 4
    if max_shapes_column_width is not None:
        shapes_width = min(shapes_width, max_shapes_column_width)
    stacks = [e.stack for e in events if e.stack]
    src_width = None
    if stacks:
        src_width = max(len(entry) for s in stacks for entry in s) + 4
        if max_src_column_width is not None:
            src_width = min(src_width, max_src_column_width)

    headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
    device_name = use_device.upper() if use_device is not None else "None"
    if profile_memory:
        headers += ["CPU Mem", "Self CPU Mem"]
        if use_device and has_device_mem:
            headers += [f"{device_name} Mem", f"Self {device_name} Mem"]
    headers.append("# of Calls")

    fmt, rule, width = [""], [""], [-2]

    def add_column(padding, text_dir=">"):
        fmt[0] += "{: " + text_dir + str(padding) + "}  "
        rule[0] += "-" * padding + "  "
        width[0] += padding + 2

    add_column(name_width)
    for _ in headers[1:]:
        add_column(12)
    if has_input_shapes:
        headers.append("Input Shapes")
        add_column(shapes_width)
    if stacks:
        headers.append("Source Location")
        add_column(src_width, text_dir="<")
    row_format, header_sep, line_length = fmt[0], rule[0], width[0]

    def unit(t_us, default):
        if time_unit == "s":
            return f"{t_us / 1e6:.3f}s"
        if time_unit == "ms":
            return f"{t_us / 1e3:.3f}ms"
        if time_unit == "us":
            return f"{t_us:.3f}us"
        return default

    def trim_path(path):
        if len(path) > src_width:
            path = path[len(path) - src_width:]
            if len(path) > 3:
                path = "..." + path[3:]
        return path

    total_self = sum(e.self_cpu_time_total for e in events)
    out: list[str] = []
    if header is not None:
        out += ["=" * line_length, header]
    if top_level_events_only:
        out += ["=" * line_length, "This report only display top-level ops statistics"]
    out += [header_sep, row_format.format(*headers), header_sep]
    shown = 0
    for evt in events:
        if shown == row_limit:
            break
        if top_level_events_only and evt.cpu_parent is not None:
            continue
        shown += 1
        name = evt.key
        if max_name_column_width is not None and len(name) >= max_name_column_width - 3:
            name = name[: max_name_column_width - 3] + "..."
        evt.self_cpu_percent = _format_time_share(evt.self_cpu_time_total, total_self)
        evt.total_cpu_percent = _format_time_share(evt.cpu_time_total, total_self)
        row = [name, evt.self_cpu_percent, unit(evt.self_cpu_time_total, evt.self_cpu_time_total_str),
               evt.total_cpu_percent, unit(evt.cpu_time_total, evt.cpu_time_total_str),
               unit(evt.cpu_time, evt.cpu_time_str)]
        if profile_memory:
            row += [_format_memory(evt.cpu_memory_usage), _format_memory(evt.self_cpu_memory_usage)]
            if use_device and has_device_mem:
                row += [_format_memory(evt.device_memory_usage), _format_memory(evt.self_device_memory_usage)]
        row.append(evt.count)
        if has_input_shapes:
            row.append(str(evt.input_shapes)[:shapes_width])
        if stacks:
            row.append(trim_path(evt.stack[0]) if evt.stack else "")
        out.append(row_format.format(*row))
        if stacks:
            empty = [""] * (len(headers) - 1)
            for entry in evt.stack[1:]:
                out.append(row_format.format(*(empty + [trim_path(entry)])))
            out.append(row_format.format(*(empty + [""])))
    out.append(header_sep)
    out.append(f"Self CPU time total: {unit(total_self, _format_time(total_self))}")
    return "".join(line + "\n" for line in out)


# ---- naming ---------------------------------------------------------------------------------------
#: Where torch's ATen name is not the snake_case of minitorch's Function class name.
_TORCH_NAMES = {
    "MatMul": "aten::matmul", "GetItem": "aten::index", "ToCopy": "aten::_to_copy",
    "CrossEntropy": "aten::cross_entropy_loss", "Norm2": "aten::linalg_vector_norm",
    "Inv": "aten::linalg_inv", "Det": "aten::linalg_det", "Slogdet": "aten::linalg_slogdet",
    "Solve": "aten::linalg_solve", "SVD": "aten::linalg_svd", "QR": "aten::linalg_qr", "Eigh": "aten::linalg_eigh",
    "Cholesky": "aten::linalg_cholesky", "CholeskyEx": "aten::linalg_cholesky_ex", "Pinv": "aten::linalg_pinv",
    "MatrixExp": "aten::linalg_matrix_exp", "LUFactor": "aten::linalg_lu_factor", "Conv2d": "aten::conv2d",
    "Conv3d": "aten::conv3d", "Linear": "aten::linear", "AmaxAmin": "aten::amax", "MaxMinDim": "aten::max",
    "Clamp": "aten::clamp", "Split": "aten::split_with_sizes", "Cat": "aten::cat", "NllLoss": "aten::nll_loss",
}
_SNAKE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_names: dict = {}


def _op_name(cls) -> str:
    """``aten::<snake_case>`` for minitorch's ops; a user's Function is named by its class, as in torch."""
    name = _names.get(cls)
    if name is None:
        n = cls.__name__
        if not cls.__module__.startswith("minitorch."):
            name = n
        else:
            name = _TORCH_NAMES.get(n) or "aten::" + _SNAKE.sub("_", n).lower()
        _names[cls] = name
    return name


def _shapes(args) -> list:
    """torch's ``Input Shapes``: a Tensor's shape, ``[]`` for anything else (scalars, dims, lists)."""
    return [list(a.shape) if isinstance(a, Tensor) else [] for a in args]


def _out_bytes(out) -> tuple[int, int]:
    """(cpu bytes, device bytes) of the tensors in ``out``."""
    cpu = dev = 0
    for t in out if isinstance(out, (tuple, list)) else (out,):
        arr = getattr(t, "array", None)
        if arr is None:
            continue
        if type(arr) is np.ndarray:
            cpu += arr.nbytes
        else:
            dev += int(getattr(arr, "nbytes", 0))
    return cpu, dev


_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _user_stack() -> list[str]:
    """``file(line): function`` frames outside minitorch, innermost first (torch's with_stack format)."""
    frames = []
    f = sys._getframe(2)
    while f is not None:
        filename = f.f_code.co_filename
        if not os.path.abspath(filename).startswith(_PKG_DIR):
            frames.append(f"{filename}({f.f_lineno}): {f.f_code.co_name}")
        f = f.f_back
    return frames


# ---- the collector: installs the wrappers, records the events -------------------------------------
#: The recording session, or None. Nothing on the hot path reads it: the wrappers exist only while it is set.
_collector: _Collector | None = None
#: The profile object (legacy or ``minitorch.profiler.profile``) that has the profiler open.
_session: list = [None]


class _Collector:
    def __init__(self, record_shapes=False, profile_memory=False, with_stack=False, use_device=None):
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.use_device = use_device
        self.events: list[FunctionEvent] = []
        self._stacks: dict[int, list] = {}
        self._ids = itertools.count()
        self._saved: list = []
        self._in_optim: set = set()
        self._backward: dict = {}

    # events
    def begin(self, name, args=None, user=False, scope=0, sequence_nr=-1) -> FunctionEvent:
        tid = threading.get_ident()
        stack = self._stacks.get(tid)
        if stack is None:
            stack = self._stacks[tid] = []
        ev = FunctionEvent(next(self._ids), name, tid, 0.0, 0.0,
                           input_shapes=_shapes(args) if args is not None and self.record_shapes else None,
                           stack=_user_stack() if self.with_stack else None, scope=scope,
                           use_device=self.use_device, is_user_annotation=user, sequence_nr=sequence_nr)
        if stack:
            parent = stack[-1]
            ev.cpu_parent = parent
            parent.cpu_children.append(ev)
        stack.append(ev)
        self.events.append(ev)
        ev.time_range.start = _now_us()
        return ev

    def end(self, ev: FunctionEvent) -> None:
        t = _now_us()
        stack = self._stacks.get(ev.thread)
        if not stack or ev not in stack:
            return
        while stack:  # ranges left open by an exception inside this one end with it
            top = stack.pop()
            top.time_range.end = t
            if top is ev:
                break

    def finish(self) -> EventList:
        t = _now_us()
        for stack in self._stacks.values():
            for ev in stack:
                ev.time_range.end = t
            stack.clear()
        for ev in self.events:  # torch's key for the schedule's steps; the trace keeps the number
            if ev.is_user_annotation and ev.name.startswith("ProfilerStep#"):
                ev.name = "ProfilerStep*"
        if self.profile_memory:
            for ev in reversed(self.events):  # children after parents: sum bottom-up
                ev.cpu_memory_usage = ev._own_cpu_mem + sum(c.cpu_memory_usage for c in ev.cpu_children)
                ev.device_memory_usage = ev._own_device_mem + sum(c.device_memory_usage for c in ev.cpu_children)
        return EventList(self.events, use_device=self.use_device, profile_memory=self.profile_memory)

    # wrappers
    def install(self) -> None:
        global _collector
        orig = Function.__dict__["apply"]
        func = orig.__func__
        begin, end = self.begin, self.end
        memory = self.profile_memory

        @functools.wraps(func)
        def apply(cls, *args):
            ev = begin(_op_name(cls), args)
            try:
                out = func(cls, *args)
            finally:
                end(ev)
            if memory:
                ev._own_cpu_mem, ev._own_device_mem = _out_bytes(out)
            return out

        self._saved.append((Function, "apply", orig))
        Function.apply = classmethod(apply)
        self._wrap_optimizers()
        engine._tracers.append(self)
        _collector = self

    def uninstall(self) -> None:
        global _collector
        for i in range(len(engine._tracers) - 1, -1, -1):
            if engine._tracers[i] is self:
                del engine._tracers[i]
        for owner, attr, orig in reversed(self._saved):
            setattr(owner, attr, orig)
        self._saved.clear()
        if _collector is self:
            _collector = None

    def _wrap_optimizers(self) -> None:
        mod = sys.modules.get("minitorch.optim.optimizer")
        if mod is None:
            return
        classes, todo = [], [mod.Optimizer]
        while todo:
            c = todo.pop()
            classes.append(c)
            todo.extend(c.__subclasses__())
        for cls in classes:
            for attr in ("step", "zero_grad"):
                orig = cls.__dict__.get(attr)
                if callable(orig):
                    self._saved.append((cls, attr, orig))
                    setattr(cls, attr, self._optim_wrapper(orig, attr))

    def _optim_wrapper(self, orig, attr):
        begin, end, busy = self.begin, self.end, self._in_optim

        @functools.wraps(orig)
        def wrapper(opt, *args, **kwargs):
            key = (id(opt), attr)
            if key in busy:  # a subclass's step calling super().step(): one event
                return orig(opt, *args, **kwargs)
            busy.add(key)
            ev = begin(f"Optimizer.{attr}#{type(opt).__name__}.{attr}")
            try:
                return orig(opt, *args, **kwargs)
            finally:
                end(ev)
                busy.discard(key)

        return wrapper

    # the engine's tracer protocol: around each node's backward
    def _before(self, fn, grads) -> None:
        name = fn.name()
        outer = self.begin("autograd::engine::evaluate_function: " + name, scope=1)
        inner = self.begin(name, grads, scope=1)
        self._backward[id(fn)] = (outer, inner)

    def _after(self, fn, results) -> None:
        pair = self._backward.pop(id(fn), None)
        if pair is None:
            return
        outer, inner = pair
        self.end(outer)  # ends the node's own range with it
        if self.profile_memory:
            inner._own_cpu_mem, inner._own_device_mem = _out_bytes([r for r in results if r is not None])


class record_function:
    """A named range in the profile: ``with record_function("forward"): ...`` or ``@record_function("f")``.

    Ranges nest; an op or range inside is its child, and the range's self time excludes its children.
    Costs one global read when no profiler is on.
    """

    def __init__(self, name: str, args: str | None = None):
        self.name = name
        self.args = args
        self._event = None

    def __enter__(self) -> record_function:
        c = _collector
        self._event = c.begin(self.name, [] if c.record_shapes else None, user=True) if c is not None else None
        return self

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        ev, self._event = self._event, None
        c = _collector
        if ev is not None and c is not None:
            c.end(ev)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with record_function(self.name, self.args):
                return fn(*args, **kwargs)

        return wrapped


def _claim(owner) -> None:
    if _session[0] is not None:
        raise RuntimeError("Profiler is already enabled on this thread")
    _session[0] = owner


def _release(owner) -> None:
    if _session[0] is owner:
        _session[0] = None


class profile:
    """torch.autograd.profiler.profile (the legacy API): record while inside ``with``; then
    ``function_events``, ``key_averages()``, ``table()``, ``export_chrome_trace(path)``.

    ``use_cuda``/``use_device`` only label the device (host times; see the module docstring).
    ``with_flops``, ``with_modules``, ``use_kineto`` and ``experimental_config`` are accepted and do
    nothing. A second profile while one is open raises ``RuntimeError``.
    """

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False, use_device: str | None = None,
                 record_shapes: bool = False, with_flops: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_modules: bool = False, use_kineto: bool = False,
                 use_cpu: bool = True, experimental_config=None, acc_events: bool = False,
                 custom_trace_id_callback=None, **kwargs):
        self.enabled = enabled
        self.use_device = use_device or ("cuda" if use_cuda else None)
        self.use_cuda = use_cuda
        self.record_shapes = record_shapes
        self.with_flops = with_flops
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_modules = with_modules
        self.use_cpu = use_cpu
        self.acc_events = acc_events
        self.entered = False
        self.function_events: EventList | None = None
        self._collector: _Collector | None = None
        self._owner = self  # minitorch.profiler.profile sets itself here: it holds the session

    def __enter__(self) -> profile:
        if not self.enabled:
            return self
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        if self._owner is self:
            _claim(self)
        if _collector is not None:
            if self._owner is self:
                _release(self)
            raise RuntimeError("Profiler is already enabled on this thread")
        self.entered = True
        self._collector = _Collector(self.record_shapes, self.profile_memory, self.with_stack, self.use_device)
        self._collector.install()
        return self

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        if not self.enabled or self._collector is None:
            return
        try:
            if self.use_device == "cuda":  # the GPU work launched inside belongs to this profile's window
                from ..backend import cupy_module

                if cupy_module() is not None:
                    from .. import cuda

                    cuda.synchronize()
        finally:
            self._collector.uninstall()
            events = self._collector.finish()
            if self.acc_events and self.function_events is not None:
                events = EventList(list(self.function_events) + list(events), use_device=self.use_device,
                                   profile_memory=self.profile_memory)
            self.function_events = events
            self.entered = False
            if self._owner is self:
                _release(self)

    def _check_finish(self) -> None:
        if self.function_events is None:
            raise RuntimeError("Profiler didn't finish running")

    def __repr__(self) -> str:
        if self.function_events is None:
            return "<unfinished torch.autograd.profile>"
        return repr(self.function_events)

    def __str__(self) -> str:
        if self.function_events is None:
            return "<unfinished torch.autograd.profile>"
        return str(self.function_events)

    def table(self, sort_by: str | None = None, row_limit: int = 100, max_src_column_width: int = 75,
              max_name_column_width: int = 55, max_shapes_column_width: int = 80, header: str | None = None,
              top_level_events_only: bool = False, time_unit: str | None = None) -> str:
        self._check_finish()
        return self.function_events.table(sort_by=sort_by, row_limit=row_limit,
                                          max_src_column_width=max_src_column_width,
                                          max_name_column_width=max_name_column_width,
                                          max_shapes_column_width=max_shapes_column_width, header=header,
                                          top_level_events_only=top_level_events_only, time_unit=time_unit)

    table.__doc__ = EventList.table.__doc__

    def export_chrome_trace(self, path: str) -> None:
        self._check_finish()
        self.function_events.export_chrome_trace(path)

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        self._check_finish()
        return self.function_events.key_averages(group_by_input_shape, group_by_stack_n, group_by_overload_name)

    def total_average(self) -> FunctionEventAvg:
        self._check_finish()
        return self.function_events.total_average()

    @property
    def self_cpu_time_total(self) -> float:
        self._check_finish()
        return self.function_events.self_cpu_time_total
