"""Turn results into a Markdown table, a JSON file and a bar chart of ratios."""
from __future__ import annotations

import json
from pathlib import Path

from .machine import machine_line


def _fmt(v: float | None) -> str:
    if v is None:
        return "n/a"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}" if v >= 1 else f"{v:.3f}"


def _cell(summary: dict | None) -> str:
    """``median (±half-IQR%)``."""
    if not summary:
        return "n/a"
    med = summary["median"]
    spread = 50.0 * (summary["q3"] - summary["q1"]) / med if med else 0.0
    return f"{_fmt(med)} (±{spread:.0f}%)"


def _peers(r: dict) -> str:
    peers = r.get("peers") or {}
    return ", ".join(f"{n} {_fmt(p['median'])} ({_ratio(p.get('ratio'))})" for n, p in peers.items()) or "—"


def timing_table(results: list[dict]) -> str:
    with_peers = any(r.get("peers") for r in results)
    head = "| workload | unit | minitorch | torch | minitorch/torch | numpy-ref | numpy/torch |"
    head += " peers (ratio vs torch) |" if with_peers else ""
    head += " target | met? |"
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        if r["kind"] != "timing":
            continue
        target = f"≤ {r['target']}×" if r.get("target") else "—"
        peers = f" {_peers(r)} |" if with_peers else ""
        if r["status"] != "ok":
            rows.append(f"| {r['title']} | {r['unit']} | n/a ({r['reason']}) | {_cell(r.get('torch'))} "
                        f"| n/a | {_cell(r.get('numpy'))} | {_ratio(r.get('numpy_ratio'))} |{peers} {target} | — |")
            continue
        met = "—" if r.get("met") is None else ("yes" if r["met"] else "**no**")
        rows.append(
            f"| {r['title']} | {r['unit']} | {_cell(r['minitorch'])} | {_cell(r.get('torch'))} "
            f"| {_ratio(r.get('ratio'))} | {_cell(r.get('numpy'))} | {_ratio(r.get('numpy_ratio'))} "
            f"|{peers} {target} | {met} |"
        )
    return "\n".join(rows)


def _ratio(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.2f}×"


def accuracy_table(results: list[dict]) -> str:
    rows = []
    for r in results:
        acc = r.get("accuracy")
        if not acc:
            continue
        rows.append("| framework | epochs | held-out accuracy | final train loss |")
        rows.append("|---|---|---|---|")
        for fw in ("minitorch", "torch"):
            a = acc.get(fw)
            if a is None:
                continue
            if "error" in a:
                rows.append(f"| {fw} | — | n/a ({a['error']}) | — |")
            else:
                rows.append(f"| {fw} | {a['epochs']} | {100 * a['accuracy']:.1f}% "
                            f"({a['test']} held-out) | {a['final_loss']:.4f} |")
    return "\n".join(rows)


def memory_table(results: list[dict]) -> str:
    r = next((r for r in results if r["kind"] == "memory"), None)
    if r is None:
        return ""
    rows = ["| framework | peak RSS (MB) | after imports + build (MB) | step adds (MB) |", "|---|---|---|---|"]
    for fw in ("minitorch", "torch"):
        m = (r.get("memory") or {}).get(fw)
        if m is None:
            continue
        if "error" in m:
            rows.append(f"| {fw} | n/a ({m['error']}) | — | — |")
        else:
            rows.append(f"| {fw} | {m['peak_mb']:.0f} | {m['baseline_mb']:.0f} | {m['step_mb']:.0f} |")
    if r.get("status") != "ok":
        rows.append(f"\nmemory: n/a ({r.get('reason')})")
    return "\n".join(rows)


def markdown(report: dict) -> str:
    """The whole report: machine line, timing table, accuracy and memory tables, notes."""
    parts = [
        f"Machine: {machine_line(report['machine'])}",
        f"Run: {report['date']}, device {report['config']['device']}, threads {report['config']['threads']}, "
        f"{'quick' if report['config']['quick'] else 'full'} sizes, median of {report['config']['repeats']} "
        "repeats after warm-up (± is half the inter-quartile range).",
        _load_line(report),
        "",
        timing_table(report["results"]),
    ]
    acc = accuracy_table(report["results"])
    if acc:
        parts += ["", "Held-out accuracy on Digits (same initial weights and batch order):", "", acc]
    mem = memory_table(report["results"])
    if mem:
        title = "Peak memory of the CNN step (peak RSS: VmHWM, else ru_maxrss; fresh process per framework):"
        parts += ["", title, "", mem]
    checks = [f"- {r['name']}: {r['check']}" for r in report["results"] if r.get("check")]
    if checks:
        parts += ["", "First-step agreement with torch (outputs and gradients):", "", *checks]
    return "\n".join(parts) + "\n"


def _load_line(report: dict) -> str:
    la = report.get("load_average") or {}
    if not la.get("before"):
        return ""
    cores = report["machine"]["cores"]
    busy = max(la["before"][0], (la.get("after") or [0])[0])
    note = " (other processes were probably competing for the cores: prefer the ratios)" if busy > 0.5 * cores else ""
    return f"Load average (1/5/15 min) before {la['before']}, after {la.get('after')}{note}."


def write_json(report: dict, path: str) -> None:
    Path(path).write_text(json.dumps(report, indent=2, default=str) + "\n")


def plot(report: dict, path: str) -> str | None:
    """Bar chart of minitorch/torch per workload with each target marked. Returns an error or None."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: pip install matplotlib (or the [bench] extra) to get --plot"
    rows = [r for r in report["results"] if r["kind"] == "timing" and r.get("ratio") is not None]
    if not rows:
        return "no ratios to plot"
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(rows)), 4))
    xs = range(len(rows))
    colors = [{True: "tab:green", False: "tab:red"}.get(r.get("met"), "tab:gray") for r in rows]
    ax.bar(xs, [r["ratio"] for r in rows], color=colors, label="minitorch / torch")
    np_rows = [(i, r["numpy_ratio"]) for i, r in enumerate(rows) if r.get("numpy_ratio")]
    if np_rows:
        ax.scatter([i for i, _ in np_rows], [v for _, v in np_rows], marker="D", color="tab:blue",
                   zorder=3, label="hand-written NumPy / torch")
    for i, r in enumerate(rows):
        if r.get("target"):
            ax.hlines(r["target"], i - 0.4, i + 0.4, colors="black", linestyles="dashed",
                      label="target" if i == 0 or not any(q.get("target") for q in rows[:i]) else None)
    ax.axhline(1.0, color="gray", linewidth=0.8)
    ax.set_xticks(list(xs))
    ax.set_xticklabels([r["name"] for r in rows])
    ax.set_ylabel("time ratio vs torch (lower is better)")
    ax.set_title(f"minitorch vs torch {report['machine']['torch'].get('version')} "
                 f"({report['config']['device']}, {report['config']['threads']} threads)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None
