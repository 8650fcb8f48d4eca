"""Smoke test of the benchmark suite: `python -m benchmarks --quick` runs and reports every workload.

Structure only: no timing is asserted (speed is measured, never tested).
"""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("torch", reason="torch is not installed: the benchmark compares against it")

from benchmarks.run import select  # noqa: E402
from benchmarks.workloads import BY_NAME, WORKLOADS  # noqa: E402
from benchmarks.workloads.base import compare  # noqa: E402


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    js, png = out / "tmp.json", out / "ratios.png"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--repeats", "2", "--json", str(js), "--plot", str(png)],
        cwd=ROOT, capture_output=True, text=True, timeout=170,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout, json.loads(js.read_text()), png


def _positive(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


def test_json_has_every_workload_with_ratio_or_reason(quick_run):
    _, report, _ = quick_run
    names = [r["name"] for r in report["results"]]
    assert names == [w.name for w in WORKLOADS]
    for r in report["results"]:
        if r["status"] != "ok":
            assert isinstance(r["reason"], str) and r["reason"], r
            continue
        if r["kind"] == "timing":
            for key in ("median", "q1", "q3", "min", "max"):
                assert _positive(r["minitorch"][key]), (r["name"], key)
            assert r["minitorch"]["q1"] <= r["minitorch"]["median"] <= r["minitorch"]["q3"]
            assert _positive(r.get("ratio")) or r.get("ratio_reason"), r
            if r.get("target") is not None and "ratio" in r:
                assert r["met"] == (r["ratio"] <= r["target"])
            assert r["check"].startswith("ok"), r["check"]
        else:
            assert _positive(r["memory"]["minitorch"]["peak_mb"]), r


def test_json_records_machine_and_config(quick_run):
    _, report, _ = quick_run
    m = report["machine"]
    assert m["cores"] >= 1 and m["cpu"] and m["numpy"] and m["torch"]["version"]
    assert report["config"]["quick"] is True and report["config"]["threads"] >= 1
    assert m["torch"]["threads"] == report["config"]["threads"]


def test_markdown_table_lists_every_timing_workload(quick_run):
    stdout, report, _ = quick_run
    assert "| workload | unit | minitorch | torch | minitorch/torch |" in stdout
    assert stdout.startswith("Machine: CPU:")
    for r in report["results"]:
        if r["kind"] == "timing":
            assert f"| {r['title']} |" in stdout
    if any(r.get("accuracy") for r in report["results"]):
        assert "held-out accuracy" in stdout


def test_plot_written_when_matplotlib_present(quick_run):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed: --plot prints a message instead")
    _, _, png = quick_run
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_flags_different_math():
    a = {"y": np.ones(3, np.float32)}
    ok, _, err = compare(a, {"y": np.ones(3, np.float32)}, 1e-6)
    assert ok and err == 0
    ok, msg, err = compare(a, {"y": np.array([1, 1, 1.1], np.float32)}, 1e-3)
    assert not ok and "y" in msg and err > 1e-3
    ok, msg, _ = compare(a, {"z": np.ones(3)}, 1e-3)
    assert not ok and "different outputs" in msg


def test_only_accepts_comma_lists_and_rejects_unknown_names():
    assert [w.name for w in select(["mlp,matmul", "overhead"])] == ["overhead", "mlp", "matmul"]
    assert select(None) == WORKLOADS and set(BY_NAME) >= {"memory", "lstm", "digits"}
    with pytest.raises(SystemExit, match="unknown workload"):
        select(["nope"])
