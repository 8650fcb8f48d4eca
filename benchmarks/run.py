"""Run the benchmark suite: minitorch vs torch in one process, interleaved, with ratios.

``python -m benchmarks [--quick] [--only NAME] [--threads N] [--json out.json] [--plot out.png]``
(also ``python benchmarks/run.py ...``). See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
import traceback
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import report as rep  # noqa: E402
from benchmarks.frameworks import Framework, Missing  # noqa: E402
from benchmarks.harness import TimingPlan, time_interleaved  # noqa: E402
from benchmarks.machine import available_cores, machine_info, set_threads  # noqa: E402
from benchmarks.workloads import BY_NAME, WORKLOADS, Config, Workload  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                    help="cpu: NumPy vs torch CPU; cuda: CuPy vs torch CUDA eager")
    ap.add_argument("--quick", action="store_true", help="tiny sizes and few repeats (CI smoke test)")
    ap.add_argument("--only", action="append", default=None, metavar="NAME",
                    help=f"run only these workloads (repeatable or comma list): {', '.join(BY_NAME)}")
    ap.add_argument("--threads", type=int, default=None,
                    help="threads for torch and NumPy's BLAS (default: all cores of this process)")
    ap.add_argument("--repeats", type=int, default=None, help="timed repeats per case (default 11, quick 3)")
    ap.add_argument("--epochs", type=int, default=None,
                    help="epochs for the Digits accuracy table (default 10, quick 1)")
    ap.add_argument("--no-numpy", action="store_true",
                    help="skip the hand-written NumPy column and the optional peers (MyGrad)")
    ap.add_argument("--json", default=None, metavar="PATH", help="write the full results as JSON")
    ap.add_argument("--plot", default=None, metavar="PATH", help="bar chart of ratios (needs matplotlib)")
    ap.add_argument("--markdown", default=None, metavar="PATH", help="also write the printed table here")
    return ap.parse_args(argv)


def select(only: list[str] | None) -> list[Workload]:
    if not only:
        return list(WORKLOADS)
    names = [n.strip() for item in only for n in item.split(",") if n.strip()]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise SystemExit(f"unknown workload(s) {unknown}; choose from {list(BY_NAME)}")
    return [w for w in WORKLOADS if w.name in names]


def _build(wl: Workload, fw: Framework, cfg: Config):
    """(case, None) or (None, reason)."""
    try:
        return wl.build(fw, cfg), None
    except Missing as e:
        return None, f"missing: {e}"
    except Exception as e:  # noqa: BLE001 - a broken piece must not stop the suite
        return None, f"error in build: {type(e).__name__}: {e}"


def run_timing(wl: Workload, cfg: Config, plan: TimingPlan, fws: dict[str, Framework | None],
               numpy_ref: bool, epochs: int) -> dict:
    from benchmarks.workloads.base import compare

    res: dict = {"name": wl.name, "title": wl.title, "unit": wl.unit, "target": wl.target,
                 "kind": "timing", "status": "ok", "reason": None}
    scale = (1e6 if wl.unit == "us/op" else 1e3) / wl.ops_per_iter
    cases: dict = {}
    probes: dict = {}
    reasons: dict = {}
    for name, fw in fws.items():
        if fw is None:
            reasons[name] = f"{name} not installed"
            continue
        case, why = _build(wl, fw, cfg)
        if case is None:
            reasons[name] = why
            continue
        try:
            probes[name] = case.probe()
            cases[name] = case
        except Exception as e:  # noqa: BLE001
            reasons[name] = f"error in first step: {type(e).__name__}: {e}"
            if "--debug" in sys.argv:
                traceback.print_exc()
    if numpy_ref and wl.build_numpy is not None and cfg.device == "cpu":
        try:
            case = wl.build_numpy(cfg)
            probes["numpy"] = case.probe()
            cases["numpy"] = case
        except Exception as e:  # noqa: BLE001
            reasons["numpy"] = f"error: {type(e).__name__}: {e}"
    if numpy_ref and cfg.device == "cpu":
        from benchmarks.peers import PEERS

        for peer, builder in PEERS.get(wl.name, {}).items():
            try:
                case = builder(cfg)
            except ImportError:
                continue  # optional peer not installed
            try:
                probes[peer] = case.probe()
                cases[peer] = case
            except Exception as e:  # noqa: BLE001
                reasons[peer] = f"error: {type(e).__name__}: {e}"
    # never time different math: each framework must agree with torch at the first step
    if "torch" in probes:
        for name in [n for n in probes if n != "torch"]:
            ok, msg, _ = compare(probes[name], probes["torch"], wl.rtol)
            if name == "minitorch":
                res["check"] = ("ok, " if ok else "MISMATCH, ") + msg
            if not ok:
                reasons[name] = f"mismatch vs torch: {msg}"
                cases.pop(name, None)
    if "minitorch" not in cases:
        res["status"], res["reason"] = "n/a", reasons.get("minitorch", "not run")
    if cases:
        timings = time_interleaved(cases, plan)
        for name, t in timings.items():
            res[name] = t.summary(scale)
    t_med = res.get("torch", {}).get("median") if res.get("torch") else None
    if t_med:
        if res.get("minitorch"):
            res["ratio"] = res["minitorch"]["median"] / t_med
            res["met"] = None if wl.target is None else res["ratio"] <= wl.target
        if res.get("numpy"):
            res["numpy_ratio"] = res["numpy"]["median"] / t_med
    elif res["status"] == "ok":
        res["ratio_reason"] = reasons.get("torch", "torch not run")
    for name in [n for n in cases if n not in ("minitorch", "torch", "numpy")]:
        res.setdefault("peers", {})[name] = res.pop(name)
        if t_med:
            res["peers"][name]["ratio"] = res["peers"][name]["median"] / t_med
    if reasons:
        res["reasons"] = reasons
    acc_fn = wl.extra.get("accuracy")
    if acc_fn is not None:
        res["accuracy"] = {}
        for name, fw in fws.items():
            if fw is None:
                continue
            try:
                res["accuracy"][name] = acc_fn(fw, cfg, epochs)
            except Missing as e:
                res["accuracy"][name] = {"error": f"missing: {e}"}
            except Exception as e:  # noqa: BLE001
                res["accuracy"][name] = {"error": f"{type(e).__name__}: {e}"}
    return res


def run_memory(cfg: Config, threads: int, have_torch: bool) -> dict:
    from benchmarks.memory import measure

    res: dict = {"name": "memory", "title": BY_NAME["memory"].title, "unit": "MB", "target": None,
                 "kind": "memory", "status": "ok", "reason": None, "memory": {}}
    for fw in ("minitorch", "torch") if have_torch else ("minitorch",):
        res["memory"][fw] = measure(fw, cfg.device, cfg.quick, threads)
    mt, th = res["memory"].get("minitorch", {}), res["memory"].get("torch", {})
    if "error" in mt:
        res["status"], res["reason"] = "n/a", mt["error"]
    elif th and "error" not in th:
        res["ratio"] = mt["peak_mb"] / th["peak_mb"]
    return res


def _loadavg() -> list[float] | None:
    """1/5/15-minute load averages: other processes on the machine skew every timing."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workloads = select(args.only)
    if args.device == "cuda":
        import minitorch

        if not minitorch.cuda.is_available():
            print("--device cuda: no usable GPU / CuPy here (minitorch.cuda.is_available() is False); skipped.")
            return 0
    try:
        import torch
    except ImportError:
        torch = None
        print("torch is not installed: minitorch runs alone, ratios are n/a (pip install '.[bench]').")
    if args.device == "cuda" and (torch is None or not torch.cuda.is_available()):
        print("--device cuda: torch has no CUDA here; skipped.")
        return 0
    threads = args.threads or available_cores()
    set_threads(threads, torch)
    quick = args.quick
    cfg = Config(device=args.device, quick=quick)
    repeats = args.repeats or (3 if quick else 11)
    plan = TimingPlan(repeats=repeats, warmup_s=0.02 if quick else 0.2, min_repeat_s=0.005 if quick else 0.1)
    epochs = args.epochs or (1 if quick else 10)
    fws = {"minitorch": Framework("minitorch", args.device),
           "torch": Framework("torch", args.device) if torch is not None else None}
    load_before = _loadavg()
    results = []
    for wl in workloads:
        print(f"... {wl.name}", file=sys.stderr, flush=True)
        if wl.kind == "memory":
            results.append(run_memory(cfg, threads, torch is not None))
        else:
            results.append(run_timing(wl, cfg, plan, fws, not args.no_numpy, epochs))
    report = {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_info(torch, args.device),
        "config": {"device": args.device, "quick": quick, "threads": threads, "repeats": repeats,
                   "min_repeat_s": plan.min_repeat_s, "warmup_s": plan.warmup_s, "epochs": epochs,
                   "workloads": [w.name for w in workloads]},
        "load_average": {"before": load_before, "after": _loadavg()},
        "results": results,
    }
    text = rep.markdown(report)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)
    if args.json:
        rep.write_json(report, args.json)
    if args.plot:
        err = rep.plot(report, args.plot)
        if err:
            print(f"--plot: {err}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
