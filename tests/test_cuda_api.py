"""``minitorch.cuda`` beyond tensors: memory statistics and limits, OOM errors, device properties, streams and
events, the CUDA generator's state, NVTX, legacy typed constructors.

Without a GPU each call is compared with torch's without CUDA. With a GPU (or tests/fakecupy under
``MINITORCH_FAKE_GPU=1``) the GPU cases run; they skip cleanly otherwise.
"""
from __future__ import annotations

import importlib.util
import warnings

import numpy as np
import pytest

import minitorch
from minitorch import cuda
from tests.helpers import cuda_is_fake, raises_like_torch, require_torch, requires_cuda

torch = require_torch()

no_cuda = pytest.mark.skipif(cuda.is_available(), reason="checks the behaviour without a GPU")
MiB = 2**20


# ---------------------------------------------------------------- without a GPU: as torch without CUDA ---------
ANSWERS = {  # name -> call; both libraries must return equal values
    "is_available": lambda c: c.is_available(),
    "device_count": lambda c: c.device_count(),
    "is_initialized": lambda c: c.is_initialized(),
    "memory_allocated": lambda c: c.memory_allocated(),
    "memory_reserved": lambda c: c.memory_reserved(),
    "max_memory_allocated": lambda c: c.max_memory_allocated(),
    "max_memory_reserved": lambda c: c.max_memory_reserved(),
    "memory_stats": lambda c: dict(c.memory_stats()),
    "memory_stats_as_nested_dict": lambda c: c.memory_stats_as_nested_dict(),
    "get_arch_list": lambda c: c.get_arch_list(),
    "get_rng_state_all": lambda c: c.get_rng_state_all(),
    "seed": lambda c: c.seed(),
    "seed_all": lambda c: c.seed_all(),
    "set_rng_state_all": lambda c: c.set_rng_state_all([]),
    "set_stream_none": lambda c: c.set_stream(None),
    "stream_none": lambda c: c.stream(None).__enter__(),
    "empty_cache": lambda c: c.empty_cache(),
    "device_of_cpu_tensor": lambda c: c.device_of(c._test_lib.ones(1)).idx,
    "isinstance_legacy": lambda c: isinstance(c._test_lib.ones(1), c.FloatTensor),
    "legacy_repr": lambda c: repr(c.FloatTensor),
}


@no_cuda
@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_without_gpu_match_torch(name, monkeypatch):
    monkeypatch.setattr(torch.cuda, "_test_lib", torch, raising=False)
    monkeypatch.setattr(cuda, "_test_lib", minitorch, raising=False)
    assert ANSWERS[name](cuda) == ANSWERS[name](torch.cuda)


RAISES = {  # name -> call; minitorch must raise torch's exception type
    "init": lambda c: c.init(),
    "synchronize": lambda c: c.synchronize(),
    "current_device": lambda c: c.current_device(),
    "get_device_name": lambda c: c.get_device_name(),
    "get_device_properties": lambda c: c.get_device_properties(0),
    "get_device_capability": lambda c: c.get_device_capability(),
    "current_blas_handle": lambda c: c.current_blas_handle(),
    "mem_get_info": lambda c: c.mem_get_info(),
    "set_per_process_memory_fraction": lambda c: c.set_per_process_memory_fraction(0.5),
    "get_per_process_memory_fraction": lambda c: c.get_per_process_memory_fraction(),
    "memory_summary": lambda c: c.memory_summary(),
    "initial_seed": lambda c: c.initial_seed(),
    "get_rng_state": lambda c: c.get_rng_state(),
    "current_stream": lambda c: c.current_stream(),
    "default_stream": lambda c: c.default_stream(),
    "Stream": lambda c: c.Stream(),
    "Event": lambda c: c.Event(enable_timing=True),
    "nvtx.range_push": lambda c: c.nvtx.range_push("x"),
    "nvtx.range_pop": lambda c: c.nvtx.range_pop(),
    "nvtx.mark": lambda c: c.nvtx.mark("x"),
    "nvtx.range": lambda c: c.nvtx.range("x").__enter__(),
    "FloatTensor(sizes)": lambda c: c.FloatTensor(2, 3),
    "LongTensor(data)": lambda c: c.LongTensor([1, 2]),
}
if importlib.util.find_spec("pynvml") is None:
    RAISES.update({"utilization": lambda c: c.utilization(), "temperature": lambda c: c.temperature()})


@no_cuda
@pytest.mark.parametrize("name", sorted(RAISES))
def test_errors_without_gpu_match_torch(name):
    raises_like_torch(lambda: RAISES[name](torch.cuda), lambda: RAISES[name](cuda))


@no_cuda
def test_no_gpu_messages_and_the_calls_torch_cpu_builds_lack():
    """torch's CPU build fails these with an AttributeError from a missing binding; minitorch raises its
    usual no-CUDA AssertionError (torch's own for every other such call)."""
    for call in (cuda.reset_peak_memory_stats, cuda.reset_accumulated_memory_stats):
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            call()
    with pytest.raises(AssertionError, match="CuPy"):
        cuda.synchronize()
    cuda.set_rng_state(minitorch.ones(3))  # queued in torch, dropped here: no GPU ever comes
    torch.cuda.set_rng_state(torch.ones(3, dtype=torch.uint8))


@no_cuda
def test_deprecated_memory_aliases_warn_like_torch():
    for name in ("memory_cached", "max_memory_cached"):
        with pytest.warns(FutureWarning, match="renamed"):
            ours = getattr(cuda, name)()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert ours == getattr(torch.cuda, name)() == 0


def test_out_of_memory_error_is_a_runtime_error_like_torchs():
    assert issubclass(cuda.OutOfMemoryError, RuntimeError)
    assert issubclass(torch.cuda.OutOfMemoryError, RuntimeError)


# ---------------------------------------------------------------- with a GPU (or the fake) ---------------------
@pytest.fixture
def gpu_state():
    """Leave the pool limit, the current stream and the CUDA generator as they were."""
    cp = minitorch.backend.cupy_module()
    pool = cp.get_default_memory_pool()
    limit, current = pool.get_limit(), cp.cuda.get_current_stream()
    yield cp
    pool.set_limit(size=limit)
    current.use()


@requires_cuda
def test_cuda_allocator_is_minitorchs_tracking_one(gpu_state):
    assert gpu_state.cuda.get_allocator() is minitorch.cuda.memory._hook["malloc"]


@requires_cuda
def test_cuda_peak_memory_rises_with_a_big_allocation_and_resets(gpu_state):
    cuda.empty_cache()
    cuda.reset_peak_memory_stats()
    base = cuda.memory_allocated()
    assert cuda.max_memory_allocated() == base
    x = minitorch.zeros(4 * MiB, device="cuda")  # 16 MiB
    assert cuda.memory_allocated() >= base + 16 * MiB
    assert cuda.max_memory_allocated() >= base + 16 * MiB
    assert cuda.max_memory_reserved() >= cuda.memory_reserved() >= cuda.memory_allocated()
    peak = cuda.max_memory_allocated()
    del x
    assert cuda.memory_allocated() < base + 16 * MiB  # freed back to the pool ...
    assert cuda.max_memory_allocated() == peak  # ... the peak stays
    assert cuda.memory_reserved() >= 16 * MiB  # cached by the pool until empty_cache
    cuda.empty_cache()
    cuda.reset_peak_memory_stats()
    assert cuda.max_memory_allocated() == cuda.memory_allocated() < peak
    assert cuda.max_memory_reserved() == cuda.memory_reserved()
    with pytest.warns(FutureWarning, match="reset_peak_memory_stats"):
        cuda.reset_max_memory_allocated()


@requires_cuda
def test_cuda_peak_catches_a_temporary_inside_an_op(gpu_state):
    """The peak is read at every allocation, so a temporary that is gone before the next call still counts."""
    x = minitorch.ones(1 * MiB, device="cuda")
    cuda.reset_peak_memory_stats()
    base = cuda.memory_allocated()
    (x * 2.0).sum()  # the 4 MiB product lives only inside this line
    assert cuda.memory_allocated() < base + 4 * MiB
    assert cuda.max_memory_allocated() >= base + 4 * MiB


@requires_cuda
def test_cuda_memory_stats_keys_and_counters(gpu_state):
    cuda.reset_accumulated_memory_stats()
    stats = cuda.memory_stats()
    assert set(stats) == {
        "allocated_bytes.all.current", "allocated_bytes.all.peak", "allocated_bytes.all.allocated",
        "allocated_bytes.all.freed", "reserved_bytes.all.current", "reserved_bytes.all.peak",
        "requested_bytes.all.allocated", "allocation.all.allocated", "num_ooms",
    }
    assert list(stats) == sorted(stats)
    assert stats["allocated_bytes.all.allocated"] == stats["allocated_bytes.all.freed"] == 0
    x = minitorch.empty(1000, 1000, device="cuda")  # 4,000,000 bytes: rounded up by the pool
    after = cuda.memory_stats()
    assert after["requested_bytes.all.allocated"] >= 4_000_000
    assert after["allocated_bytes.all.allocated"] >= after["requested_bytes.all.allocated"]
    assert after["allocation.all.allocated"] >= 1
    del x
    freed = cuda.memory_stats()
    assert freed["allocated_bytes.all.freed"] >= 4_000_000
    released = freed["allocated_bytes.all.freed"] - after["allocated_bytes.all.freed"]
    assert freed["allocated_bytes.all.current"] == after["allocated_bytes.all.current"] - released
    nested = cuda.memory_stats_as_nested_dict()
    assert nested["allocated_bytes"]["all"]["current"] == freed["allocated_bytes.all.current"]
    summary = cuda.memory_summary()
    for row in ("Allocated memory", "GPU reserved memory", "Cur Usage", "Peak Usage", "Tot Alloc", "Tot Freed"):
        assert row in summary
    assert all(line.startswith("|") and line.endswith("|") for line in summary.splitlines())
    assert len(cuda.memory_summary(abbreviated=True).splitlines()) < len(summary.splitlines())


@requires_cuda
def test_cuda_mem_get_info_and_memory_fraction(gpu_state):
    free, total = cuda.mem_get_info()
    assert 0 <= free <= total == cuda.get_device_properties(0).total_memory
    assert cuda.get_per_process_memory_fraction() == 1.0
    cuda.set_per_process_memory_fraction(0.5)
    assert cuda.get_per_process_memory_fraction() == pytest.approx(0.5, rel=1e-6)
    with pytest.raises(ValueError, match="Allowed range"):
        cuda.set_per_process_memory_fraction(1.5)
    with pytest.raises(TypeError, match="float"):
        cuda.set_per_process_memory_fraction(1)


OOM_CASES = {  # each asks for 32 MiB on the GPU
    "creation": lambda x: minitorch.zeros(8 * MiB, device="cuda"),
    "to_cuda": lambda x: minitorch.zeros(8 * MiB).to("cuda"),
    "op": lambda x: x.expand(4, 2 * MiB) * 2.0,
}


@requires_cuda
@pytest.mark.parametrize("where", sorted(OOM_CASES))
def test_cuda_out_of_memory_is_minitorchs_runtime_error(where, gpu_state):
    x = minitorch.ones(2 * MiB, device="cuda")  # an op's input, allocated before the limit
    cuda.empty_cache()
    total = cuda.mem_get_info()[1]
    cuda.set_per_process_memory_fraction((cuda.memory_reserved() + 4 * MiB) / total)
    ooms = cuda.memory_stats()["num_ooms"]
    with pytest.raises(cuda.OutOfMemoryError, match="CUDA out of memory. Tried to allocate") as err:
        OOM_CASES[where](x)
    assert isinstance(err.value, RuntimeError)
    assert isinstance(err.value, gpu_state.cuda.memory.OutOfMemoryError)  # CuPy code that catches its own still does
    assert cuda.memory_stats()["num_ooms"] == ooms + 1
    gpu_state.get_default_memory_pool().set_limit(size=0)
    assert OOM_CASES[where](x).device.type == "cuda"  # fine again without the limit


@requires_cuda
def test_cuda_device_properties_have_torchs_names():
    props = cuda.get_device_properties(0)
    for name in ("name", "total_memory", "major", "minor", "multi_processor_count", "is_integrated",
                 "is_multi_gpu_board", "L2_cache_size", "warp_size", "max_threads_per_multi_processor",
                 "clock_rate", "memory_clock_rate", "memory_bus_width", "uuid"):
        assert hasattr(props, name), name
    assert isinstance(props.name, str) and props.name == cuda.get_device_name()
    assert props.total_memory > 0 and props.multi_processor_count > 0 and props.clock_rate > 0
    assert cuda.get_device_capability() == (props.major, props.minor)
    assert all(a.startswith("sm_") for a in cuda.get_arch_list()) and cuda.get_arch_list()
    assert repr(props).startswith("_CudaDeviceProperties(name=")
    assert cuda.get_device_properties("cuda:0") is props
    with pytest.raises(ValueError, match="one GPU"):
        cuda.get_device_properties(1)
    assert isinstance(cuda.current_blas_handle(), int)


@requires_cuda
def test_cuda_init_device_of_and_synchronize():
    cuda.init()
    assert cuda.is_initialized() and cuda.current_device() == 0
    with cuda.device_of(minitorch.ones(1, device="cuda")) as ctx:
        assert ctx.idx == 0
    with cuda.device_of(minitorch.ones(1)) as ctx:
        assert ctx.idx == -1
    cuda.synchronize("cuda:0")


# ---- RNG ----------------------------------------------------------------------------------------------------------
def _draws():
    return np.concatenate([minitorch.rand(7, device="cuda").cpu().numpy(),
                           minitorch.randn(5, device="cuda").cpu().numpy(),
                           minitorch.randint(0, 1000, (4,), device="cuda").cpu().numpy().astype(np.float32)])


@requires_cuda
def test_cuda_rng_state_round_trips_exactly():
    cuda.manual_seed(123)
    _draws()
    state = cuda.get_rng_state()
    assert state.device.type == "cpu" and state.dtype == minitorch.uint8 and state.dim() == 1
    first = _draws()
    second = _draws()
    assert not np.array_equal(first, second)
    cuda.set_rng_state(state)
    np.testing.assert_array_equal(_draws(), first)
    np.testing.assert_array_equal(_draws(), second)
    states = cuda.get_rng_state_all()
    assert len(states) == 1
    third = _draws()
    cuda.set_rng_state_all(states)
    np.testing.assert_array_equal(_draws(), third)
    assert cuda.initial_seed() == 123


@requires_cuda
def test_cuda_rng_state_keeps_the_seed_and_refuses_foreign_bytes():
    cuda.manual_seed(7)
    state = cuda.get_rng_state()
    cuda.manual_seed(8)
    cuda.set_rng_state(state)
    assert cuda.initial_seed() == 7
    with pytest.raises(RuntimeError, match="not a minitorch CUDA generator state"):
        cuda.set_rng_state(minitorch.get_rng_state())  # the CPU generator's
    with pytest.raises(TypeError, match="ByteTensor"):
        cuda.set_rng_state(minitorch.ones(3))
    with pytest.raises(RuntimeError, match="bytes"):
        cuda.set_rng_state(state[:-8])


@requires_cuda
def test_cuda_manual_seed_seeds_only_the_cuda_generator():
    """As torch.cuda.manual_seed: the CPU generator goes on undisturbed."""
    minitorch.manual_seed(0)
    expected = minitorch.rand(3).numpy()
    minitorch.manual_seed(0)
    cuda.manual_seed(99)
    np.testing.assert_array_equal(minitorch.rand(3).numpy(), expected)
    cuda.manual_seed(5)
    a = _draws()
    cuda.manual_seed_all(5)
    np.testing.assert_array_equal(_draws(), a)
    cuda.seed()
    fresh = cuda.initial_seed()
    cuda.seed_all()
    assert cuda.initial_seed() != fresh  # a new non-deterministic seed each time


# ---- streams and events -------------------------------------------------------------------------------------------
@requires_cuda
def test_cuda_stream_context_routes_ops_and_restores(gpu_state):
    s = cuda.Stream()
    default = cuda.default_stream()
    assert cuda.current_stream() == default and default.cuda_stream == 0 and s.cuda_stream != 0
    launches = getattr(gpu_state, "LAUNCHES", None)
    before = dict(launches) if launches is not None else None
    with cuda.stream(s):
        assert cuda.current_stream() == s
        y = minitorch.ones(4, device="cuda") * 3.0 + 1.0
    assert cuda.current_stream() == default
    if cuda_is_fake():  # the fake counts kernel launches per stream
        assert launches.get(s.cuda_stream, 0) - before.get(s.cuda_stream, 0) >= 2
    s.synchronize()
    assert s.query() and y.cpu().tolist() == [4.0] * 4
    cuda.set_stream(s)
    assert cuda.current_stream() == s
    cuda.set_stream(default)
    with s:
        assert cuda.current_stream() == s
    assert cuda.current_stream() == default
    with cuda.StreamContext(None):
        assert cuda.current_stream() == default
    assert hash(s) == hash(cuda.Stream._wrap(s._stream)) and "cuda_stream=" in repr(s)
    assert s.__cuda_stream__() == (0, s.cuda_stream)


@requires_cuda
def test_cuda_stream_ordering_calls(gpu_state):
    s1, s2 = cuda.Stream(), cuda.Stream(priority=-1)
    with cuda.stream(s1):
        a = minitorch.ones(8, device="cuda") * 2.0
    s2.wait_stream(s1)
    with cuda.stream(s2):
        b = a + 1.0
    ev = s2.record_event()
    assert isinstance(ev, cuda.Event)
    s1.wait_event(ev)
    ev.wait()  # the current stream waits
    ev.synchronize()
    assert ev.query() and b.cpu().tolist() == [3.0] * 8


@requires_cuda
def test_cuda_event_timing_returns_float_ms(gpu_state):
    start, end = cuda.Event(enable_timing=True), cuda.Event(enable_timing=True)
    with pytest.raises(RuntimeError, match="recorded"):
        start.elapsed_time(end)
    s = cuda.Stream()
    start.record()
    with cuda.stream(s):
        (minitorch.randn(64, 64, device="cuda") @ minitorch.randn(64, 64, device="cuda")).sum()
    end.record(s)
    end.synchronize()
    start.synchronize()  # on another stream than end: both must be done before timing
    ms = start.elapsed_time(end)
    assert isinstance(ms, float) and ms >= 0.0
    if cuda_is_fake():
        assert end._event.stream is s._stream and start._event.stream is cuda.default_stream()._stream
    with pytest.raises(NotImplementedError, match="processes"):
        start.ipc_handle()


# ---- NVTX and legacy constructors ---------------------------------------------------------------------------------
@requires_cuda
def test_cuda_nvtx_ranges_report_depth_like_torch():
    nvtx = cuda.nvtx
    log = getattr(minitorch.backend.cupy_module(), "NVTX", [])
    start = len(log)
    assert nvtx.range_push("outer") == 0
    assert nvtx.range_push("inner") == 1
    nvtx.mark("here")
    assert nvtx.range_pop() == 1
    assert nvtx.range_pop() == 0
    assert nvtx.range_pop() == -1  # nothing open
    with nvtx.range("epoch {}", 3):
        pass
    nvtx.range_end(nvtx.range_start("async"))
    if cuda_is_fake():  # the fake logs the NVTX calls that reached CuPy
        assert log[start:start + 8] == [("push", "outer"), ("push", "inner"), ("mark", "here"), ("pop", None),
                                        ("pop", None), ("push", "epoch 3"), ("pop", None), ("start", "async")]


@requires_cuda
def test_cuda_legacy_typed_constructors():
    x = cuda.FloatTensor(2, 3)
    assert x.device.type == "cuda" and x.dtype == minitorch.float32 and tuple(x.shape) == (2, 3)
    y = cuda.LongTensor([1, 2])
    assert y.device.type == "cuda" and y.dtype == minitorch.int64 and y.cpu().tolist() == [1, 2]
    assert isinstance(y, cuda.LongTensor) and not isinstance(y.cpu(), cuda.LongTensor)
    assert not isinstance(y, minitorch.LongTensor)
    assert y.type() == "torch.cuda.LongTensor"
    assert repr(cuda.DoubleTensor) == "<class 'torch.cuda.DoubleTensor'>"
