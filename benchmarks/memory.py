"""Workload 8 helper: peak RSS of the CNN training step, one fresh process per framework.

``python -m benchmarks.memory minitorch cpu [--quick] [--threads N]`` prints one JSON line:
RSS after imports + model build (baseline) and the peak after a few steps (VmHWM / ru_maxrss).
Only the framework being measured is imported.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

STEPS = 3


def _rss_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    Linux's ``ru_maxrss`` survives ``execve``, so a child started by a large parent (one that
    imported torch) would report the parent's peak; ``VmHWM`` belongs to the new address
    space, so it is read first and ``ru_maxrss`` is the fallback elsewhere.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def measure_here(framework: str, device: str, quick: bool, threads: int | None) -> dict:
    """Build the CNN step in this process and report its peak RSS (MB)."""
    from .frameworks import Framework
    from .workloads.base import Config
    from .workloads.cnn import build

    fw = Framework(framework, device)
    if threads:
        from .machine import set_threads

        set_threads(threads, fw.mod if framework == "torch" else None)
    case = build(fw, Config(device=device, quick=quick))
    base = _rss_mb()
    for _ in range(STEPS):
        case.step()
    case.sync()
    peak = _rss_mb()
    return {"framework": framework, "baseline_mb": round(base, 1), "peak_mb": round(peak, 1),
            "step_mb": round(peak - base, 1), "steps": STEPS}


def measure(framework: str, device: str, quick: bool, threads: int | None, timeout: float = 300) -> dict:
    """Run ``measure_here`` in a fresh interpreter so earlier work cannot inflate the peak."""
    root = str(Path(__file__).resolve().parent.parent)
    cmd = [sys.executable, "-m", "benchmarks.memory", framework, device]
    if quick:
        cmd.append("--quick")
    if threads:
        cmd += ["--threads", str(threads)]
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=root, env=env, timeout=timeout)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"framework": framework, "error": tail[0]}
    return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("framework", choices=["minitorch", "torch"])
    ap.add_argument("device", nargs="?", default="cpu")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=None)
    a = ap.parse_args(argv)
    from .frameworks import Missing

    try:
        out = measure_here(a.framework, a.device, a.quick, a.threads)
    except Missing as e:
        out = {"framework": a.framework, "error": f"missing: {e}"}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
