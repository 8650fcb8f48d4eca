"""Checks on data values (index ranges, probabilities in [0, 1]) that never stall the GPU.

On the CPU a failed check raises at once. On a GPU, reading the answer back would make the host
wait for the device in the middle of every op that checks, so the flag stays on the device and is
read at the next point where the host waits anyway: ``.item()``, ``.tolist()``, ``.cpu()``,
``print(tensor)``, ``minitorch.cuda.synchronize()``. The error is raised there, with the op's message.
This is how PyTorch reports CUDA device-side asserts: the error surfaces at a later sync.
"""
from __future__ import annotations

from collections.abc import Callable

from .arrays import is_cupy_array, xp_of

Message = str | Callable[[], str]
_pending: list[tuple[object, type[Exception], Message]] = []
_MAX_PENDING = 1024  # read the flags back (one sync) once this many are queued


def _text(message: Message) -> str:
    return message() if callable(message) else message


def fail_if(bad, exc_type: type[Exception], message: Message) -> None:
    """Raise ``exc_type(message)`` when the 0-d boolean array ``bad`` is true: now on the CPU, at the
    next host sync on the GPU. ``message`` may be a callable, built only when the check fails."""
    if not is_cupy_array(bad):
        if bad:
            raise exc_type(_text(message))
        return
    _pending.append((bad, exc_type, message))
    if len(_pending) >= _MAX_PENDING:
        raise_pending()


def out_of_range(indices, low: int, high: int):
    """A 0-d flag: is any integer index outside ``[low, high)``?"""
    return ((indices < low) | (indices >= high)).any()


def raise_pending() -> None:
    """Read back the queued GPU checks (one transfer for all) and raise the first that failed."""
    if not _pending:
        return
    queued = list(_pending)
    _pending.clear()
    xp = xp_of(queued[0][0])
    failed = xp.stack([flag.reshape(()) for flag, _, _ in queued]).get()
    for hit, (_, exc_type, message) in zip(failed, queued):
        if hit:
            raise exc_type(f"{_text(message)} [checked on the GPU, reported at the next sync]")


def discard_pending() -> None:
    """Forget queued checks (tests that provoke an error on purpose call this to start clean)."""
    _pending.clear()
