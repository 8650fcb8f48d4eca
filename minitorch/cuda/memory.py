"""``minitorch.cuda.memory``: GPU memory statistics and limits over CuPy's memory pool (``torch.cuda.memory``).

CuPy's default memory pool plays the part of torch's caching allocator: ``used_bytes()`` is torch's
"allocated" memory (blocks held by live arrays), ``total_bytes()`` its "reserved" memory (used plus the
cached free blocks that ``empty_cache()`` gives back to the driver).

CuPy keeps no peak or cumulative counters, so minitorch wraps CuPy's current allocator
(``cupy.cuda.set_allocator``) as soon as the GPU module becomes active: every allocation goes through
``_tracked_malloc``, which reads the pool's used/total bytes right after the block is handed out and raises
the peaks. Both only grow inside an allocation, so the peaks are exact. The cost is one Python call and two
counter reads per allocation (O(1) in CuPy >= 14, whose pool keeps atomic byte counters; CuPy 13 sums its
live blocks instead), next to CuPy's own few microseconds per allocation. The same wrapper turns CuPy's
``OutOfMemoryError`` into minitorch's (a ``RuntimeError``, as torch's is), in the one place where every
GPU allocation passes, so creation functions, ``.to('cuda')`` and every op raise it alike.
If a program installs its own CuPy allocator afterwards, the peaks and the OOM translation stop following
it (``memory_stats`` then reports only the pool's current numbers).
"""
from __future__ import annotations

import warnings

from ..backend import cupy_module
from ..backend.arrays import on_gpu_module
from ._utils import device_index, lazy_init

__all__ = [
    "OutOfMemoryError", "empty_cache", "memory_allocated", "memory_reserved", "max_memory_allocated",
    "max_memory_reserved", "reset_peak_memory_stats", "reset_max_memory_allocated",
    "reset_accumulated_memory_stats", "memory_stats", "memory_stats_as_nested_dict", "memory_summary",
    "mem_get_info", "set_per_process_memory_fraction", "get_per_process_memory_fraction", "memory_cached",
    "max_memory_cached", "reset_max_memory_cached",
]


class OutOfMemoryError(RuntimeError):
    """``torch.cuda.OutOfMemoryError``: a GPU allocation failed (a ``RuntimeError``, as in torch)."""


_stats = {
    "peak_allocated": 0, "peak_reserved": 0,  # highest pool used / total bytes seen after an allocation
    "allocated": 0, "requested": 0, "allocations": 0, "num_ooms": 0,  # cumulative since the last reset
    "baseline": 0,  # pool used bytes when the cumulative counters were last reset (for "freed")
}
_hook = {"malloc": None, "inner": None, "error": None, "module": None}


def _install(cp) -> None:
    """Wrap CuPy's current allocator with the peak-tracking, OOM-translating one (once per GPU module)."""
    try:
        if _hook["module"] is cp and cp.cuda.get_allocator() is _hook["malloc"]:
            return
        inner = cp.cuda.get_allocator()
        pool = cp.get_default_memory_pool()
        cupy_oom = cp.cuda.memory.OutOfMemoryError

        class _GpuOutOfMemoryError(OutOfMemoryError, cupy_oom):  # caught as either, like CuPy's own
            def __init__(self, message: str):
                RuntimeError.__init__(self, message)

        _GpuOutOfMemoryError.__name__ = _GpuOutOfMemoryError.__qualname__ = "OutOfMemoryError"
        _GpuOutOfMemoryError.__module__ = __name__
        stats = _stats

        def _tracked_malloc(size):
            try:
                pointer = inner(size)
            except cupy_oom as exc:
                stats["num_ooms"] += 1
                raise _GpuOutOfMemoryError(_oom_message(cp, pool, size, exc)) from exc
            used, total = pool.used_bytes(), pool.total_bytes()
            if used > stats["peak_allocated"]:
                stats["peak_allocated"] = used
            if total > stats["peak_reserved"]:
                stats["peak_reserved"] = total
            stats["allocations"] += 1
            stats["requested"] += size
            stats["allocated"] += getattr(getattr(pointer, "mem", None), "size", size)
            return pointer

        cp.cuda.set_allocator(_tracked_malloc)
        _hook.update(malloc=_tracked_malloc, inner=inner, error=_GpuOutOfMemoryError, module=cp)
        _stats.update(peak_allocated=pool.used_bytes(), peak_reserved=pool.total_bytes(), baseline=pool.used_bytes())
    except Exception as exc:  # never break GPU detection over statistics
        warnings.warn(f"minitorch.cuda: GPU memory tracking is off ({type(exc).__name__}: {exc})", RuntimeWarning,
                      stacklevel=2)


def _format_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.2f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
    return f"{n:.2f} GiB"  # pragma: no cover


def _oom_message(cp, pool, size: int, exc) -> str:
    """torch's wording: what was asked for, what the GPU has, what minitorch holds; then CuPy's own text."""
    try:
        free, total = cp.cuda.runtime.memGetInfo()
        capacity = f"GPU 0 has a total capacity of {_format_bytes(total)} of which {_format_bytes(free)} is free. "
    except Exception:
        capacity = ""
    used, reserved = pool.used_bytes(), pool.total_bytes()
    limit = pool.get_limit()
    limit_text = (f" The memory pool's limit (set_per_process_memory_fraction) is {_format_bytes(limit)}."
                  if limit else "")
    return (f"CUDA out of memory. Tried to allocate {_format_bytes(int(size))}. {capacity}Of the allocated memory "
            f"{_format_bytes(used)} is allocated by minitorch (CuPy's memory pool), and "
            f"{_format_bytes(reserved - used)} is reserved but unallocated.{limit_text} ({exc})")


on_gpu_module(_install)


def _pool():
    return cupy_module().get_default_memory_pool()


def _tracking() -> bool:
    cp = cupy_module()
    return cp is not None and _hook["module"] is cp and cp.cuda.get_allocator() is _hook["malloc"]


def empty_cache() -> None:
    """Give the cached blocks of CuPy's memory pool back to the driver (``torch.cuda.empty_cache``)."""
    cp = cupy_module()
    if cp is not None:
        cp.get_default_memory_pool().free_all_blocks()


def memory_allocated(device=None) -> int:
    """Bytes held by live GPU arrays (CuPy's memory pool ``used_bytes``); 0 without a GPU."""
    device_index(device)
    cp = cupy_module()
    return int(cp.get_default_memory_pool().used_bytes()) if cp is not None else 0


def memory_reserved(device=None) -> int:
    """Bytes the memory pool holds from the driver, used or cached (``total_bytes``); 0 without a GPU."""
    device_index(device)
    cp = cupy_module()
    return int(cp.get_default_memory_pool().total_bytes()) if cp is not None else 0


def max_memory_allocated(device=None) -> int:
    """The highest ``memory_allocated()`` since the program started or ``reset_peak_memory_stats()``;
    0 without a GPU."""
    return int(memory_stats(device).get("allocated_bytes.all.peak", 0))


def max_memory_reserved(device=None) -> int:
    """The highest ``memory_reserved()`` since the program started or ``reset_peak_memory_stats()``;
    0 without a GPU."""
    return int(memory_stats(device).get("reserved_bytes.all.peak", 0))


def reset_peak_memory_stats(device=None) -> None:
    """Start the peaks (``max_memory_allocated/reserved``) again from the current usage."""
    device_index(device)
    lazy_init()
    pool = _pool()
    _stats.update(peak_allocated=pool.used_bytes(), peak_reserved=pool.total_bytes())


def reset_max_memory_allocated(device=None) -> None:
    """Deprecated in torch: calls ``reset_peak_memory_stats`` (which resets every peak)."""
    warnings.warn("torch.cuda.reset_max_memory_allocated now calls torch.cuda.reset_peak_memory_stats, which "
                  "resets /all/ peak memory stats.", FutureWarning, stacklevel=2)
    reset_peak_memory_stats(device)


def reset_max_memory_cached(device=None) -> None:
    """Deprecated in torch: calls ``reset_peak_memory_stats`` (which resets every peak)."""
    warnings.warn("torch.cuda.reset_max_memory_cached now calls torch.cuda.reset_peak_memory_stats, which "
                  "resets /all/ peak memory stats.", FutureWarning, stacklevel=2)
    reset_peak_memory_stats(device)


def reset_accumulated_memory_stats(device=None) -> None:
    """Zero the cumulative counters (bytes and number of allocations, bytes freed, OOMs)."""
    device_index(device)
    lazy_init()
    _stats.update(allocated=0, requested=0, allocations=0, num_ooms=0, baseline=_pool().used_bytes())


def memory_stats(device=None) -> dict:
    """torch's statistics, under torch's key names, for what CuPy's pool can tell (sorted by key):
    ``allocated_bytes.all.{current,peak,allocated,freed}``, ``reserved_bytes.all.{current,peak}``,
    ``requested_bytes.all.allocated``, ``allocation.all.allocated``, ``num_ooms``. Torch's per-pool
    (large/small), segment, split and retry counters have no CuPy counterpart and are absent.
    Empty without a GPU, as torch's is before CUDA is initialised."""
    device_index(device)
    cp = cupy_module()
    if cp is None:
        return {}
    pool = cp.get_default_memory_pool()
    used, total = int(pool.used_bytes()), int(pool.total_bytes())
    stats = {"allocated_bytes.all.current": used, "reserved_bytes.all.current": total}
    if _tracking():
        _stats["peak_allocated"] = max(_stats["peak_allocated"], used)
        _stats["peak_reserved"] = max(_stats["peak_reserved"], total)
        stats.update({
            "allocated_bytes.all.peak": _stats["peak_allocated"],
            "allocated_bytes.all.allocated": _stats["allocated"],
            "allocated_bytes.all.freed": max(0, _stats["allocated"] + _stats["baseline"] - used),
            "reserved_bytes.all.peak": _stats["peak_reserved"],
            "requested_bytes.all.allocated": _stats["requested"],
            "allocation.all.allocated": _stats["allocations"],
            "num_ooms": _stats["num_ooms"],
        })
    return dict(sorted(stats.items()))


def memory_stats_as_nested_dict(device=None) -> dict:
    """``memory_stats`` with its dotted keys as nested dicts (``{'allocated_bytes': {'all': {...}}}``)."""
    nested: dict = {}
    for key, value in memory_stats(device).items():
        *parents, leaf = key.split(".")
        node = nested
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return nested


def memory_summary(device=None, abbreviated: bool = False) -> str:
    """A table of ``memory_stats`` in the layout of torch's (Cur Usage, Peak Usage, Tot Alloc, Tot Freed);
    '-' where CuPy's pool has no counter. Without a GPU it raises ``KeyError``, as torch's does."""
    stats = memory_stats(device)
    if "allocated_bytes.all.current" not in stats:
        raise KeyError("allocated_bytes.all.current")

    def size(key: str) -> str:
        if key not in stats:
            return f"{'-':>10}"
        n, unit = float(stats[key]), "B  "
        for bigger in ("KiB", "MiB", "GiB", "TiB"):
            if n < 768 * 1024:
                break
            n, unit = n / 1024, bigger
        return f"{int(n):6d} {unit}"

    rule, thick = "-" * 75, "=" * 75
    lines = [thick, f" {'':16} minitorch CUDA memory summary, device ID {device_index(device):<15d} ", rule,
             f"  {'':9} CUDA OOMs: {stats.get('num_ooms', 0):<12d} | {'':6} allocator: CuPy's memory pool    ",
             thick, "        Metric         | Cur Usage  | Peak Usage | Tot Alloc  | Tot Freed  "]
    for key, name in (("allocated_bytes", "Allocated memory"), ("requested_bytes", "Requested memory"),
                      ("reserved_bytes", "GPU reserved memory")):
        row = [size(f"{key}.all.{col}") for col in ("current", "peak", "allocated", "freed")]
        lines += [rule, f" {name:<21} | " + " | ".join(row) + " "]
    if not abbreviated:
        count = stats.get("allocation.all.allocated")
        lines += [rule, f" {'Allocations':<21} | {'-':>10} | {'-':>10} | "
                        f"{(f'{count:7d}   ' if count is not None else '-'):>10} | {'-':>10} "]
    lines.append(thick)
    return "|" + "|\n|".join(lines) + "|\n"


def mem_get_info(device=None) -> tuple[int, int]:
    """(free, total) bytes of GPU memory, from ``cudaMemGetInfo`` (other processes' use counts too)."""
    device_index(device)
    free, total = lazy_init().cuda.runtime.memGetInfo()
    return int(free), int(total)


def set_per_process_memory_fraction(fraction: float, device=None) -> None:
    """Cap this process's GPU memory at ``fraction`` of the device's (CuPy's ``MemoryPool.set_limit``); an
    allocation past it raises ``OutOfMemoryError``."""
    device_index(device)
    cp = lazy_init()
    if not isinstance(fraction, float):
        raise TypeError("Invalid type for fraction argument, must be `float`")
    if fraction < 0 or fraction > 1:
        raise ValueError(f"Invalid fraction value: {fraction}. Allowed range: 0~1")
    cp.get_default_memory_pool().set_limit(fraction=fraction)


def get_per_process_memory_fraction(device=None) -> float:
    """The fraction set by ``set_per_process_memory_fraction`` (1.0 when no limit is set)."""
    device_index(device)
    cp = lazy_init()
    limit = cp.get_default_memory_pool().get_limit()
    if not limit:
        return 1.0
    return limit / cp.cuda.runtime.memGetInfo()[1]


def memory_cached(device=None) -> int:
    """Deprecated name of ``memory_reserved``."""
    warnings.warn("`torch.cuda.memory_cached` has been renamed to `torch.cuda.memory_reserved`", FutureWarning,
                  stacklevel=2)
    return memory_reserved(device)


def max_memory_cached(device=None) -> int:
    """Deprecated name of ``max_memory_reserved``."""
    warnings.warn("`torch.cuda.max_memory_cached` has been renamed to `torch.cuda.max_memory_reserved`",
                  FutureWarning, stacklevel=2)
    return max_memory_reserved(device)
