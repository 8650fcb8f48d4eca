"""``minitorch.cuda.streams``: CUDA streams and events over CuPy's (``torch.cuda.Stream`` / ``Event``).

A minitorch ``Stream`` wraps a ``cupy.cuda.Stream``; making it current (``with minitorch.cuda.stream(s):``,
``set_stream(s)``) makes it CuPy's current stream, so every kernel minitorch launches through CuPy in that
block is queued on it. As in torch, a new stream does not synchronise with the default (null) stream: order
work across streams with ``wait_stream`` / ``wait_event``.
"""
from __future__ import annotations

from ..backend import cupy_module
from ..backend.checks import raise_pending
from ._utils import device_index, lazy_init


def _require_gpu(what: str):
    """CuPy, or torch's RuntimeError for a stream/event object where no GPU is usable."""
    if cupy_module() is None:
        raise RuntimeError(f"minitorch.cuda.{what} requires CUDA support (CuPy with an NVIDIA GPU; none is usable)")
    return lazy_init(what)

__all__ = ["Stream", "ExternalStream", "Event", "StreamContext", "stream", "current_stream", "default_stream",
           "set_stream"]


class Stream:
    """``torch.cuda.Stream(device=None, priority=0)``: an independent queue of GPU work (a new, non-blocking
    ``cupy.cuda.Stream``). A lower ``priority`` runs first, as in CUDA."""

    def __init__(self, device=None, priority: int = 0, **kwargs):
        device_index(device)
        cp = _require_gpu("Stream")
        self._stream = kwargs.pop("_cupy_stream", None)
        if kwargs:
            raise TypeError(f"Stream() got unexpected keyword arguments {sorted(kwargs)}")
        if self._stream is None:
            self._stream = cp.cuda.Stream(non_blocking=True, priority=int(priority) if priority else None)

    @classmethod
    def _wrap(cls, cupy_stream) -> Stream:
        return cls(_cupy_stream=cupy_stream)

    @property
    def cuda_stream(self) -> int:
        """The raw ``cudaStream_t`` handle, as an int (0 for the default stream)."""
        return int(self._stream.ptr)

    @property
    def device(self):
        from ..backend.device import CUDA

        return CUDA

    @property
    def device_index(self) -> int:
        return 0

    @property
    def priority(self) -> int:
        return int(getattr(self._stream, "priority", 0) or 0)

    def wait_event(self, event: Event) -> None:
        """Future work on this stream waits for ``event`` (returns at once)."""
        event.wait(self)

    def wait_stream(self, stream: Stream) -> None:
        """Future work on this stream waits for the work queued on ``stream`` so far (returns at once)."""
        self.wait_event(stream.record_event())

    def record_event(self, event: Event | None = None) -> Event:
        """Record ``event`` (a new one when None) on this stream and return it."""
        if event is None:
            event = Event()
        event.record(self)
        return event

    def query(self) -> bool:
        """True when all work queued on this stream has finished."""
        return bool(self._stream.done)

    def synchronize(self) -> None:
        """Wait for the work queued on this stream; raises a failed GPU-side check."""
        self._stream.synchronize()
        raise_pending()

    def __enter__(self) -> Stream:
        self._previous = getattr(self, "_previous", [])
        self._previous.append(current_stream())
        set_stream(self)
        return self

    def __exit__(self, *exc) -> bool:
        set_stream(self._previous.pop())
        return False

    def __cuda_stream__(self) -> tuple[int, int]:
        """The CUDA Stream Protocol: (version, handle)."""
        return (0, self.cuda_stream)

    def __eq__(self, other) -> bool:
        return isinstance(other, Stream) and other.cuda_stream == self.cuda_stream

    def __hash__(self) -> int:
        return hash((self.cuda_stream, "cuda:0"))

    def __repr__(self) -> str:
        return f"<minitorch.cuda.Stream device=cuda:0 cuda_stream={self.cuda_stream:#x}>"


class ExternalStream(Stream):
    """``torch.cuda.ExternalStream(stream_ptr)``: a stream created elsewhere (e.g. by another library), used
    through CuPy's ``ExternalStream``; minitorch never destroys it."""

    def __init__(self, stream_ptr: int, device=None, **kwargs):
        device_index(device)
        cp = _require_gpu("ExternalStream")
        super().__init__(_cupy_stream=cp.cuda.ExternalStream(int(stream_ptr)))


class Event:
    """A CUDA event for timing GPU work and ordering streams, as ``torch.cuda.Event(enable_timing=True)``:
    ``start.record(); ...; end.record(); end.synchronize(); start.elapsed_time(end)`` in milliseconds."""

    def __init__(self, enable_timing: bool = False, blocking: bool = False, interprocess: bool = False,
                 external: bool = False):
        self._cp = _require_gpu("Event")
        self._event = self._cp.cuda.Event(block=blocking, disable_timing=not enable_timing,
                                          interprocess=interprocess)
        self._recorded = False

    @property
    def cuda_event(self) -> int:
        return int(getattr(self._event, "ptr", 0) or 0)

    def record(self, stream: Stream | None = None) -> None:
        """Record the event on ``stream`` (the current stream when None)."""
        if stream is None:
            stream = current_stream()
        self._event.record(stream._stream)
        self._recorded = True

    def wait(self, stream: Stream | None = None) -> None:
        """Future work on ``stream`` (the current stream when None) waits for this event (returns at once)."""
        if stream is None:
            stream = current_stream()
        stream._stream.wait_event(self._event)

    def synchronize(self) -> None:
        """Wait until the work captured by the event is done; raises a failed GPU-side check."""
        self._event.synchronize()
        raise_pending()

    def query(self) -> bool:
        return bool(self._event.done)

    def elapsed_time(self, end_event: Event) -> float:
        """Milliseconds between this event's recording and ``end_event``'s (both with enable_timing=True)."""
        if not (self._recorded and end_event._recorded):
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        return float(self._cp.cuda.get_elapsed_time(self._event, end_event._event))

    def ipc_handle(self):
        """Not supported: minitorch does not share GPU events (or tensors) between processes."""
        raise NotImplementedError("minitorch.cuda.Event.ipc_handle: sharing CUDA events between processes is "
                                  "not supported by minitorch")

    @classmethod
    def from_ipc_handle(cls, device, handle):
        raise NotImplementedError("minitorch.cuda.Event.from_ipc_handle: sharing CUDA events between processes "
                                  "is not supported by minitorch")

    def __repr__(self) -> str:
        return f"<minitorch.cuda.Event {self.cuda_event:#x}>" if self.cuda_event else "<minitorch.cuda.Event>"


def current_stream(device=None) -> Stream:
    """The stream GPU work is queued on now (CuPy's current stream; the default stream unless changed)."""
    device_index(device)
    return Stream._wrap(lazy_init("current_stream").cuda.get_current_stream())


def default_stream(device=None) -> Stream:
    """The default (null) stream."""
    device_index(device)
    return Stream._wrap(lazy_init("default_stream").cuda.Stream.null)


def set_stream(stream: Stream | None) -> None:
    """Make ``stream`` the current stream (prefer the ``stream()`` context manager); None does nothing."""
    if stream is None:
        return
    stream._stream.use()


class StreamContext:
    """``with StreamContext(s):`` queues the block's GPU work on ``s`` and restores the previous stream after;
    a no-op for ``None`` (and, as in torch, where no GPU is usable)."""

    def __init__(self, stream: Stream | None):
        self.stream = stream
        self._previous: Stream | None = None

    def __enter__(self):
        if self.stream is None:
            return None
        self._previous = current_stream()
        set_stream(self.stream)
        return None

    def __exit__(self, *exc) -> bool:
        if self.stream is not None:
            set_stream(self._previous)
        return False


def stream(stream: Stream | None) -> StreamContext:
    """``with minitorch.cuda.stream(s):`` runs the block's GPU work on ``s`` (``torch.cuda.stream``)."""
    return StreamContext(stream)
