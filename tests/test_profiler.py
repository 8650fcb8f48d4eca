"""minitorch.profiler / minitorch.autograd.profiler: what is recorded, how it nests, the table, the trace,
and that profiling leaves nothing behind when it is off. No test asserts on speed."""
from __future__ import annotations

import json
import re
import warnings
from collections import Counter

import pytest

import minitorch
import minitorch.profiler as mprof
from minitorch.autograd import engine
from minitorch.autograd import profiler as legacy
from minitorch.autograd.function import Function
from tests.helpers import require_torch

torch = require_torch()

EVAL = "autograd::engine::evaluate_function: "


def _leaves(lib):
    g = lib.Generator().manual_seed(0) if lib is torch else None
    if lib is torch:
        return [torch.randn(3, 4, generator=g, requires_grad=True) for _ in range(3)]
    return [minitorch.randn(3, 4, requires_grad=True) for _ in range(3)]


def _run_graph(lib, **kw):
    a, b, c = _leaves(lib)
    with lib.profiler.profile(activities=[lib.profiler.ProfilerActivity.CPU], **kw) as prof:
        with lib.profiler.record_function("model"):
            y = (a * b + c).relu().sum()
        y.backward()
    return prof


def test_records_the_ops_of_a_known_graph():
    prof = _run_graph(minitorch)
    events = prof.events()
    model = [e for e in events if e.name == "model"]
    assert len(model) == 1
    # forward: one event per Function.apply, in order, all inside the user range
    assert [e.name for e in model[0].cpu_children] == ["aten::mul", "aten::add", "aten::relu", "aten::sum"]
    counts = Counter(e.name for e in events)
    for node in ("MulBackward0", "AddBackward0", "ReluBackward0", "SumBackward0"):
        assert counts[node] == 1 and counts[EVAL + node] == 1
    # the backward nodes torch runs for the same graph (torch also has AccumulateGrad nodes)
    tprof = _run_graph(torch)
    t_nodes = {e.name for e in tprof.events() if e.name.startswith(EVAL) and e.name.endswith("Backward0")}
    m_nodes = {e.name for e in events if e.name.startswith(EVAL)}
    assert m_nodes == t_nodes
    # each node's own event sits inside its evaluate_function event; its formula's ops inside it
    for e in events:
        if e.name.startswith(EVAL):
            assert [c.name for c in e.cpu_children] == [e.name[len(EVAL):]]
            assert e.scope == 1
    mul_bw = next(e for e in events if e.name == "MulBackward0")
    assert [c.name for c in mul_bw.cpu_children] == ["aten::mul", "aten::mul"]
    # key_averages counts calls per name: mul 1 forward + 2 in MulBackward0 (+ relu's backward mask)
    avg = {e.key: e for e in prof.key_averages()}
    assert avg["aten::mul"].count == counts["aten::mul"] >= 3
    assert avg["aten::add"].count == 1 and avg["aten::relu"].count == 1 and avg["aten::sum"].count == 1


def test_times_nest_and_self_time_excludes_children():
    prof = _run_graph(minitorch)
    events = prof.events()
    assert events == sorted(events, key=lambda e: e.time_range.start)
    for e in events:
        assert e.time_range.end >= e.time_range.start
        assert 0 <= e.self_cpu_time_total <= e.cpu_time_total
        assert e.self_cpu_time_total == pytest.approx(e.cpu_time_total - sum(c.cpu_time_total for c in e.cpu_children))
        for c in e.cpu_children:
            assert c.cpu_parent is e
            assert e.time_range.start <= c.time_range.start <= c.time_range.end <= e.time_range.end
    for avg in prof.key_averages():
        assert avg.self_cpu_time_total <= avg.cpu_time_total + 1e-9
        assert avg.cpu_time == pytest.approx(avg.cpu_time_total / avg.count)


def test_record_function_nests_and_works_as_decorator():
    x = minitorch.ones(2, 2, requires_grad=True)

    @mprof.record_function("inner_fn")
    def inner(t):
        return t * 2

    with mprof.profile() as prof:
        with mprof.record_function("outer"):
            with legacy.record_function("middle"):
                y = inner(x)
            z = y + 1
    outer = next(e for e in prof.events() if e.name == "outer")
    assert [c.name for c in outer.cpu_children] == ["middle", "aten::add"]
    middle = outer.cpu_children[0]
    assert [c.name for c in middle.cpu_children] == ["inner_fn"]
    assert [c.name for c in middle.cpu_children[0].cpu_children] == ["aten::mul"]
    assert all(e.is_user_annotation == (e.name in ("outer", "middle", "inner_fn")) for e in prof.events())
    assert outer.self_cpu_time_total <= outer.cpu_time_total
    assert z.shape == (2, 2)
    # off: a range records nothing and costs nothing
    with mprof.record_function("nobody_listens") as rf:
        assert rf._event is None


def _rows(table: str) -> list[list[str]]:
    lines = table.splitlines()
    rules = [i for i, line in enumerate(lines) if line.startswith("---")]
    return [re.split(r"\s{2,}", line.strip()) for line in lines[rules[1] + 1:rules[2]]]


def _header(table: str) -> list[str]:
    return re.split(r"\s{2,}", table.splitlines()[1].strip())


@pytest.mark.parametrize("kw,group", [({}, False), ({"record_shapes": True}, True),
                                      ({"profile_memory": True}, False)])
def test_table_has_torchs_columns(kw, group):
    m = _run_graph(minitorch, **kw).key_averages(group_by_input_shape=group).table(sort_by="cpu_time_total")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = _run_graph(torch, **kw).key_averages(group_by_input_shape=group).table(sort_by="cpu_time_total")
    assert _header(m) == _header(t)
    assert m.splitlines()[-1].startswith("Self CPU time total: ")
    names = [r[0] for r in _rows(m)]
    assert {"model", "aten::mul", "aten::add", "aten::relu", "aten::sum", "MulBackward0"} <= set(names)
    if group:
        mul_shapes = [r[-1] for r in _rows(m) if r[0] == "aten::add"]
        assert mul_shapes == ["[[3, 4], [3, 4]]"]


@pytest.mark.parametrize("key", ["cpu_time", "cpu_time_total", "self_cpu_time_total", "count", "cpu_memory_usage",
                                 "self_cpu_memory_usage", "self_cuda_time_total"])
def test_table_sorts_by_each_key(key):
    prof = _run_graph(minitorch, profile_memory=True)
    avgs = prof.key_averages()
    table = avgs.table(sort_by=key, row_limit=100)
    attr = key.replace("cuda", "device")
    expected = [e.key for e in sorted(avgs, key=lambda e: getattr(e, attr), reverse=True)]
    assert [r[0] for r in _rows(table)] == [n if len(n) < 52 else n[:52] + "..." for n in expected]
    assert len(_rows(avgs.table(sort_by=key, row_limit=3))) == 3


def test_memory_counts_output_bytes():
    prof = _run_graph(minitorch, profile_memory=True)
    add = next(e for e in prof.events() if e.name == "aten::add")
    assert add.cpu_memory_usage == 3 * 4 * 4 == add.self_cpu_memory_usage  # one float32 (3, 4) output
    model = next(e for e in prof.events() if e.name == "model")
    assert model.cpu_memory_usage == sum(c.cpu_memory_usage for c in model.cpu_children)


def test_chrome_trace_is_valid_json(tmp_path):
    prof = _run_graph(minitorch, record_shapes=True)
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    data = json.loads(path.read_text())
    spans = [e for e in data["traceEvents"] if e["ph"] == "X"]
    assert [e["name"] for e in spans] == [e.name for e in prof.events()]
    for span, ev in zip(spans, prof.events()):
        assert span["dur"] == pytest.approx(ev.cpu_time_total) and span["dur"] >= 0
        assert span["cat"] == ("user_annotation" if ev.name == "model" else "cpu_op")
    assert next(e for e in spans if e["name"] == "aten::mul")["args"]["Input Dims"] == [[3, 4], [3, 4]]


def test_profiler_off_restores_everything():
    opt_mod = pytest.importorskip("minitorch.optim")
    apply_before = Function.__dict__["apply"]
    step_before = opt_mod.SGD.__dict__["step"]
    with mprof.profile():
        assert Function.__dict__["apply"] is not apply_before
        assert len(engine._tracers) == 1
    assert Function.__dict__["apply"] is apply_before
    assert opt_mod.SGD.__dict__["step"] is step_before
    assert engine._tracers == [] and legacy._collector is None
    with pytest.raises(ValueError), legacy.profile():  # an exception inside still restores
        raise ValueError("boom")
    assert Function.__dict__["apply"] is apply_before and engine._tracers == []


def test_nested_profile_raises():
    with mprof.profile() as outer:
        with pytest.raises(RuntimeError, match="already enabled"), mprof.profile():
            pass
        with pytest.raises(RuntimeError, match="already enabled"), legacy.profile():
            pass
        y = minitorch.ones(2) * 2
    assert [e.name for e in outer.events()] == ["aten::mul"] and y.shape == (2,)
    assert Function.__dict__["apply"].__func__.__name__ == "apply" and legacy._session == [None]


def test_optimizer_step_and_zero_grad_are_recorded_like_torch():
    names = {}
    for lib in (torch, minitorch):
        p = lib.nn.Parameter(lib.ones(3))
        opt = lib.optim.SGD([p], lr=0.1, momentum=0.9)
        with lib.profiler.profile() as prof:
            opt.zero_grad()
            (p * 2).sum().backward()
            opt.step()
        names[lib] = {e.name for e in prof.events() if e.name.startswith("Optimizer.")}
    assert names[minitorch] == names[torch] == {"Optimizer.step#SGD.step", "Optimizer.zero_grad#SGD.zero_grad"}


def test_user_function_is_named_by_its_class():
    class Twice(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = minitorch.ones(2, requires_grad=True)
    with mprof.profile() as prof:
        Twice.apply(x).sum().backward()
    names = [e.name for e in prof.events()]
    assert "Twice" in names and "TwiceBackward" in names and EVAL + "TwiceBackward" in names
    twice = next(e for e in prof.events() if e.name == "Twice")
    assert [c.name for c in twice.cpu_children] == ["aten::mul"]  # the Tensor op inside its forward


def test_op_names_follow_aten():
    x = minitorch.randn(2, 3, requires_grad=True)
    w = minitorch.randn(3, 3, requires_grad=True)
    with mprof.profile() as prof:
        minitorch.matmul(x, w)
        minitorch.nn.functional.leaky_relu(x)
        minitorch.nn.functional.linear(x, w)
    names = [e.name for e in prof.events()]
    assert names == ["aten::matmul", "aten::leaky_relu", "aten::linear"]


def test_schedule_matches_torch():
    for kw in (dict(wait=1, warmup=1, active=2), dict(wait=0, warmup=2, active=1, repeat=2, skip_first=3),
               dict(wait=2, warmup=1, active=3, repeat=1, skip_first=1, skip_first_wait=1)):
        ours, theirs = mprof.schedule(**kw), torch.profiler.schedule(**kw)
        assert [ours(i).name for i in range(20)] == [theirs(i).name for i in range(20)]


def test_schedule_cycles_steps_and_trace_ready():
    ready = []
    x = minitorch.ones(2, requires_grad=True)
    with mprof.profile(schedule=mprof.schedule(wait=1, warmup=1, active=2, repeat=2),
                       on_trace_ready=lambda p: ready.append(Counter(e.name for e in p.events()))) as prof:
        for _ in range(10):
            (x * 3).sum().backward()
            prof.step()
    assert len(ready) == 2  # one per active cycle
    for counts in ready:
        assert counts["ProfilerStep*"] == 2 and counts["aten::mul"] == 2 * 2  # 2 active steps x (fwd + bwd)
    assert prof.step_num == 10 and Function.__dict__["apply"].__func__.__name__ == "apply"


def test_no_schedule_calls_trace_ready_at_exit_and_with_stack():
    ready = []
    with mprof.profile(on_trace_ready=ready.append, with_stack=True) as prof:
        minitorch.ones(2, requires_grad=True) * 2
    assert ready == [prof]
    mul = prof.events()[0]
    assert any("test_profiler.py" in frame for frame in mul.stack)
    assert "Source Location" in prof.events().table()


def test_legacy_profile_api():
    x = minitorch.ones(3, requires_grad=True)
    with legacy.profile(record_shapes=True) as prof:
        (x * 2).sum()
    assert [e.name for e in prof.function_events] == ["aten::mul", "aten::sum"]
    assert "aten::mul" in prof.table() and "Input Shapes" in prof.table()
    assert prof.total_average().count == 2
    assert prof.self_cpu_time_total == pytest.approx(sum(e.self_cpu_time_total for e in prof.function_events))
    with legacy.profile(enabled=False) as off:
        x * 2
    assert off.function_events is None
    with pytest.raises(RuntimeError, match="didn't finish"):
        off.key_averages()


def test_reachable_as_torch_profiler():
    assert minitorch.profiler.profile is mprof.profile
    assert minitorch.autograd.profiler.profile is legacy.profile


def test_cuda_ops_are_recorded_with_device_bytes():
    if not minitorch.cuda.is_available():
        pytest.skip("no GPU (run with MINITORCH_FAKE_GPU=1 for the fake CuPy)")
    x = minitorch.ones(4, 4, device="cuda", requires_grad=True)
    with mprof.profile(activities=[mprof.ProfilerActivity.CPU, mprof.ProfilerActivity.CUDA],
                       profile_memory=True, record_shapes=True) as prof:
        (x * 2).sum().backward()
    mul = next(e for e in prof.events() if e.name == "aten::mul")
    assert mul.device_memory_usage == 4 * 4 * 4 and mul.cpu_memory_usage == 0 and mul.use_device == "cuda"
    table = prof.key_averages().table()
    assert "CUDA Mem" in table and "Self CUDA Mem" in table
    m = benchmark_timer_on_cuda(x)
    assert m.number_per_run == 3


def benchmark_timer_on_cuda(x):
    from minitorch.utils import benchmark

    return benchmark.Timer("x * 2", globals={"x": x}).timeit(number=3)
