"""Profile the minitorch side of one workload with cProfile.

``python -m benchmarks.profile NAME [--quick] [--iters N] [--top K] [--sort cumulative|tottime]``
prints the top functions of N timed iterations (after one warm-up step), so the engine's hot
spots for a missed target can be read off directly.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats

from .frameworks import Framework
from .machine import available_cores, set_threads
from .workloads import BY_NAME, Config


def profile(name: str, quick: bool = False, iters: int | None = None, top: int = 25,
            sort: str = "cumulative", threads: int | None = None, device: str = "cpu") -> str:
    """The pstats listing for ``iters`` steps of the minitorch case of workload ``name``."""
    wl = BY_NAME[name]
    if wl.kind != "timing":
        raise SystemExit(f"{name} is not a timing workload")
    set_threads(threads or available_cores())
    fw = Framework("minitorch", device)
    case = wl.build(fw, Config(device=device, quick=quick))
    case.step()  # warm-up
    if iters is None:
        import time

        t0 = time.perf_counter()
        case.step()
        per = time.perf_counter() - t0
        iters = max(1, int(1.0 / max(per, 1e-6)))
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(iters):
        case.step()
    case.sync()
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs().sort_stats(sort)
    out.write(f"minitorch / {name}: {iters} iterations\n")
    stats.print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    ap.add_argument("name", choices=[w for w, v in BY_NAME.items() if v.kind == "timing"])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--iters", type=int, default=None, help="default: about one second of steps")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime", "ncalls"])
    ap.add_argument("--threads", type=int, default=None)
    a = ap.parse_args(argv)
    print(profile(a.name, a.quick, a.iters, a.top, a.sort, a.threads))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
