"""minitorch.utils.benchmark against torch.utils.benchmark: same statistics, same reprs, same Compare tables.

No test asserts on speed: statistics are checked on given raw times, and real timing runs only check
their bookkeeping (block counts, per-call division, thread restore).
"""
from __future__ import annotations

import math
import random

import numpy as np
import pytest

import minitorch
from minitorch.utils import benchmark
from tests.helpers import require_torch

torch = require_torch()
from torch.utils import benchmark as tbench  # noqa: E402


def _pairs(seed=0, n=40):
    """(torch Measurement, minitorch Measurement) built from the same raw times and task fields."""
    rng = random.Random(seed)
    out = []
    for label in ("add", "mul"):
        for threads in (1, 4):
            for sub in ("float", "double"):
                for desc in ("n=1", "n=100", "n=10000"):
                    for env in ((None,) if label == "add" else ("A", "B")):
                        base = rng.uniform(1e-7, 5e-3)
                        raw = [base * rng.uniform(0.8, 1.6) * 100 for _ in range(rng.randint(1, 12))]
                        kw = dict(stmt="x + y", setup="pass", label=label, sub_label=sub, description=desc,
                                  num_threads=threads, env=env)
                        out.append((tbench.Measurement(100, raw, tbench.TaskSpec(**kw)),
                                    benchmark.Measurement(100, raw, benchmark.TaskSpec(**kw))))
    return out


def test_measurement_statistics_are_torchs_definitions():
    for t, m in _pairs():
        times = np.array(m.raw_times) / m.number_per_run
        assert m.times == pytest.approx(list(times), rel=1e-15)
        assert m.median == np.quantile(times, 0.5) == t.median
        assert m.iqr == np.quantile(times, 0.75) - np.quantile(times, 0.25) == t.iqr
        assert math.isclose(m.mean, times.mean(), rel_tol=1e-12) and math.isclose(m.mean, t.mean, rel_tol=1e-12)
        assert m.significant_figures == t.significant_figures
        assert m.has_warnings == t.has_warnings
        assert m.meets_confidence(0.2) == t.meets_confidence(0.2)
        assert (m.title, m.label, m.sub_label, m.description, m.num_threads) == (
            t.title, t.label, t.sub_label, t.description, t.num_threads)


def _body(r: str) -> str:
    return r.split("\n", 1)[1]  # drop the "<... object at 0x...>" line


def test_measurement_repr_matches_torch():
    for t, m in _pairs(seed=1):
        assert _body(repr(m)) == _body(repr(t))
    kw = dict(stmt="a = 1\nb = 2", setup="x = 1\ny = 2", description="multi")
    t = tbench.Measurement(10, [1e-3], tbench.TaskSpec(**kw))
    m = benchmark.Measurement(10, [1e-3], benchmark.TaskSpec(**kw))
    assert _body(repr(m)) == _body(repr(t))
    assert "1 measurement, 10 runs , 1 thread" in repr(m)


def test_merge_pools_replicates_per_task_spec():
    spec = benchmark.TaskSpec("x", "pass", label="L")
    a = benchmark.Measurement(10, [1.0, 2.0], spec)
    b = benchmark.Measurement(5, [1.0], spec)
    other = benchmark.Measurement(1, [3.0], benchmark.TaskSpec("y", "pass", label="L"))
    merged = benchmark.Measurement.merge([a, b, other])
    assert len(merged) == 2
    assert merged[0].number_per_run == 1 and merged[0].raw_times == [0.1, 0.2, 0.2]


@pytest.mark.parametrize("style", ["plain", "trim", "colorize", "rowwise", "warnings"])
def test_compare_renders_like_torch(style):
    pairs = _pairs(seed=2)
    tc = tbench.Compare([t for t, _ in pairs])
    mc = benchmark.Compare([m for _, m in pairs])
    for c in (tc, mc):
        if style == "trim":
            c.trim_significant_figures()
        elif style == "colorize":
            c.colorize()
        elif style == "rowwise":
            c.colorize(rowwise=True)
        elif style == "warnings":
            c.highlight_warnings()
            c.trim_significant_figures()
    assert str(mc) == str(tc)
    text = str(mc)
    assert "[" in text and " add " in text and " mul " in text  # one table per label
    assert "1 threads: " in text and "4 threads: " in text  # blocks per num_threads
    assert "(A)" in text and "(B)" in text  # env tags where envs differ
    for desc in ("n=1", "n=100", "n=10000"):  # columns from description
        assert desc in text


def test_compare_print_and_rejects_non_measurements(capsys):
    _, m = _pairs()[0]
    benchmark.Compare([m]).print()
    assert "Times are in" in capsys.readouterr().out
    with pytest.raises(ValueError, match="Expected an instance of `Measurement`"):
        benchmark.Compare([1.0])


def test_helpers_match_torch():
    for t in (3e-10, 2e-8, 4.2e-6, 7e-4, 0.5, 12.0):
        assert benchmark.select_unit(t) == tbench.select_unit(t)
    for x, n in ((3.14159, 2), (123.456, 1), (0.0123456, 3), (98765.0, 4)):
        assert benchmark.trim_sigfig(x, n) == tbench.trim_sigfig(x, n)
    assert benchmark.ordered_unique([3, 1, 3, 2, 1]) == [3, 1, 2]


def test_timer_measures_a_minitorch_statement_and_restores_threads():
    x = minitorch.randn(16, 16)
    before = minitorch.get_num_threads()
    seen = []
    t = benchmark.Timer("torch.mm(x, x)", globals={"x": x}, label="mm", sub_label="16", description="f32",
                        num_threads=1)
    m = t.blocked_autorange(callback=lambda number, time: seen.append((number, time)), min_run_time=0.02)
    assert isinstance(m, benchmark.Measurement)
    assert m.number_per_run >= 1 and len(m.raw_times) >= 1
    assert sum(m.raw_times) >= 0.02  # ran at least min_run_time in total
    assert seen == [(m.number_per_run, r) for r in m.raw_times]
    assert m.times == [r / m.number_per_run for r in m.raw_times]
    assert (m.label, m.sub_label, m.description, m.num_threads) == ("mm", "16", "f32", 1)
    assert minitorch.get_num_threads() == before

    m = t.timeit(number=7)
    assert m.number_per_run == 7 and len(m.raw_times) == 1 and m.raw_times[0] > 0

    m = t.adaptive_autorange(threshold=0.5, min_run_time=0.01, max_run_time=0.1)
    assert len(m.raw_times) >= 1 and m.number_per_run >= 1
    assert minitorch.get_num_threads() == before


def test_timer_sets_num_threads_during_the_run():
    seen = []
    t = benchmark.Timer("seen.append(torch.get_num_threads())", globals={"seen": seen}, num_threads=2)
    t.timeit(number=3)
    assert set(seen) == {2}


def test_timer_setup_and_multiline_stmt():
    t = benchmark.Timer("""
        y = x * 2
        z = y + 1
    """, setup="x = torch.ones(3)")
    m = t.timeit(number=5)
    assert m.stmt == "y = x * 2\nz = y + 1" and m.setup == "x = torch.ones(3)"
    assert m.title.startswith("stmt:\n")


def test_timer_errors_like_torch():
    for mod in (tbench, benchmark):
        with pytest.raises(ValueError, match="only a `str` stmt"):
            mod.Timer(stmt=lambda: None)
        with pytest.raises(NotImplementedError, match="blocked_autorange"):
            mod.Timer().repeat()
        with pytest.raises(NotImplementedError, match="blocked_autorange"):
            mod.Timer().autorange()
        with pytest.raises(ValueError, match="Invalid language"):
            mod.Timer(language="fortran")
        with pytest.raises(ValueError, match="global_setup is C\\+\\+ only"):
            mod.Timer(global_setup="#include <x>")
    with pytest.raises(NotImplementedError, match="Python statements only"):
        benchmark.Timer(language="cpp")


def test_default_timer_synchronizes_when_a_gpu_is_in_use(monkeypatch):
    import minitorch.backend as backend

    calls = []
    monkeypatch.setattr(minitorch.cuda, "synchronize", lambda device=None: calls.append(1))
    monkeypatch.setattr(backend, "cupy_module", lambda: object())
    benchmark.timer()
    assert calls == [1]
    monkeypatch.setattr(backend, "cupy_module", lambda: None)
    benchmark.timer()
    assert calls == [1]


def test_reachable_as_torch_utils_benchmark():
    assert minitorch.utils.benchmark.Timer is benchmark.Timer
