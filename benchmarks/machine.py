"""The machine line: CPU, cores, thread counts, BLAS library and kernel, versions.

Also the one place that sets thread counts (torch and NumPy's BLAS via threadpoolctl).
"""
from __future__ import annotations

import os
import platform
import re
import sys
from typing import Any

_LIMITER: Any = None  # keeps the threadpoolctl limiter alive for the whole process


def available_cores() -> int:
    """Cores this process may run on (affinity-aware)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or platform's guess elsewhere)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def set_threads(n: int, torch_mod: Any = None) -> dict:
    """Limit torch's intra-op threads and NumPy's BLAS / OpenMP pools to ``n`` threads."""
    global _LIMITER
    notes = {}
    try:
        from threadpoolctl import threadpool_limits

        _LIMITER = threadpool_limits(limits=n)
        notes["threadpoolctl"] = True
    except ImportError:
        notes["threadpoolctl"] = False
    if torch_mod is not None:
        torch_mod.set_num_threads(n)
    return notes


def _numpy_blas() -> dict:
    """NumPy's BLAS: library, version, kernel (architecture) and threads, from threadpoolctl."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {"library": "unknown (pip install threadpoolctl)"}
    blas = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    for p in blas:  # prefer the one NumPy loaded
        if "numpy" in (p.get("filepath") or ""):
            blas = [p]
            break
    if not blas:
        return {"library": "none found"}
    p = blas[0]
    return {
        "library": p.get("internal_api"),
        "version": p.get("version"),
        "kernel": p.get("architecture"),
        "threads": p.get("num_threads"),
        "threading_layer": p.get("threading_layer"),
    }


def _torch_info(torch_mod: Any) -> dict:
    if torch_mod is None:
        return {"version": None}
    cfg = ""
    try:
        cfg = torch_mod.__config__.show()
    except Exception:  # noqa: BLE001 - informational only
        pass
    m = re.search(r"BLAS_INFO=(\w+)", cfg)
    return {
        "version": torch_mod.__version__,
        "threads": torch_mod.get_num_threads(),
        "blas": m.group(1) if m else "unknown",
        "cuda": bool(torch_mod.cuda.is_available()),
    }


def machine_info(torch_mod: Any = None, device: str = "cpu") -> dict:
    """Everything needed to compare two results tables fairly."""
    import numpy as np

    info = {
        "cpu": cpu_model(),
        "cores": available_cores(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_blas": _numpy_blas(),
        "torch": _torch_info(torch_mod),
        "platform": platform.platform(),
        "device": device,
    }
    try:
        import minitorch

        info["minitorch"] = getattr(minitorch, "__version__", "?")
    except ImportError:
        info["minitorch"] = None
    if device == "cuda":
        try:
            import cupy

            info["cupy"] = cupy.__version__
            props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
            info["gpu"] = props["name"].decode()
        except Exception as e:  # noqa: BLE001
            info["gpu"] = f"unavailable ({e})"
    return info


def machine_line(info: dict) -> str:
    """One Markdown line describing the machine."""
    b = info.get("numpy_blas", {})
    t = info.get("torch", {})
    parts = [
        f"CPU: {info['cpu']} ({info['cores']} cores)",
        f"NumPy {info['numpy']} BLAS: {b.get('library')} {b.get('version') or ''}"
        f" kernel {b.get('kernel')}, {b.get('threads')} threads".replace("  ", " "),
        f"torch {t.get('version')} ({t.get('blas')}, {t.get('threads')} threads)",
        f"Python {info['python']}",
    ]
    if info.get("device") == "cuda":
        parts.append(f"GPU: {info.get('gpu')} (CuPy {info.get('cupy')})")
    return " · ".join(parts)


if __name__ == "__main__":  # quick look: python -m benchmarks.machine
    print(machine_line(machine_info(sys.modules.get("torch"))))
