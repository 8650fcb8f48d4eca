"""DataLoader(num_workers > 0): real worker processes, checked against num_workers=0 and torch's DataLoader."""
from __future__ import annotations

import gc
import multiprocessing
import os
import random
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import minitorch
from minitorch.utils.data import (
    DataLoader,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    get_worker_info,
)
from tests.helpers import require_torch

torch = require_torch()
tud = torch.utils.data

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses fork-started workers")


class Squares(Dataset):
    """Item i: (float32 array [i, i*i], int i); works for both libraries (NumPy in, tensors out)."""

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float32), int(i)


class WhoAmI(Dataset):
    """Item i: what the process that fetched it sees (worker info, pid, its random streams)."""

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        info = get_worker_info()
        if info is None:
            return {"i": i, "id": -1, "nw": 0, "seed": -1, "pid": os.getpid(), "init_pid": -1}
        return {"i": i, "id": info.id, "nw": info.num_workers, "seed": info.seed, "pid": os.getpid(),
                "init_pid": getattr(info.dataset, "init_pid", -1), "same_ds": info.dataset is self}


class Failing(Dataset):
    def __len__(self) -> int:
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise ValueError(f"bad sample {i}")
        if i == 6:
            raise KeyError("missing")
        return i


class Slow(Dataset):
    def __init__(self, n: int, delay: float, slow_index: int | None = None):
        self.n, self.delay, self.slow_index = n, delay, slow_index

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if self.slow_index is None or i == self.slow_index:
            time.sleep(self.delay)
        return i


class Stream(IterableDataset):
    def __init__(self, n: int):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self) -> int:
        return self.n


class TorchStream(tud.IterableDataset):
    def __init__(self, n: int):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


def _sharded(lib):
    class Sharded(lib.utils.data.IterableDataset):
        def __iter__(self):
            info = lib.utils.data.get_worker_info()
            if info is None:
                return iter(range(10))
            return iter(range(info.id, 10, info.num_workers))
    return Sharded()


def _plain(batch):
    """Batches of either library as nested Python lists (for equality checks)."""
    if hasattr(batch, "tolist"):
        return batch.tolist()
    if isinstance(batch, dict):
        return {k: _plain(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return [_plain(b) for b in batch]
    return batch


def _epoch(loader):
    return [_plain(b) for b in loader]


# ---- same batches as num_workers=0 (and as torch) ------------------------------------------------------------
@pytest.mark.parametrize("kind", ["map", "tensor", "subset", "unbatched"])
def test_same_batches_as_single_process_with_seeded_shuffle(kind):
    if kind == "map":
        ds, kw = Squares(11), dict(batch_size=3)
    elif kind == "tensor":  # the TensorDataset fast path runs inside the workers
        ds, kw = TensorDataset(minitorch.arange(11), minitorch.randn(11, 2)), dict(batch_size=4, drop_last=True)
    elif kind == "subset":
        ds, kw = Subset(TensorDataset(minitorch.arange(20) * 10), [3, 1, 4, 15, 9, 2, 6]), dict(batch_size=2)
    else:
        ds, kw = Squares(5), dict(batch_size=None)

    def loader(workers):
        return DataLoader(ds, shuffle=True, generator=minitorch.Generator(seed=7), num_workers=workers, **kw)

    single, multi = loader(0), loader(2)
    epochs = [_epoch(single), _epoch(single)]
    assert epochs[0] != epochs[1] or kind == "tensor"  # a new order every epoch...
    assert [_epoch(multi), _epoch(multi)] == epochs  # ...and the same orders with workers (one seed per iterator)


def test_sequential_batches_match_torch_with_workers():
    ours = _epoch(DataLoader(Squares(10), batch_size=4, num_workers=2))
    ref = _epoch(tud.DataLoader(Squares(10), batch_size=4, num_workers=2))
    assert ours == ref
    out = list(DataLoader(Squares(3), batch_size=2, num_workers=2))
    assert isinstance(out[0][0], minitorch.Tensor) and out[0][0].dtype == minitorch.float32
    assert out[0][1].dtype == minitorch.int64 and not out[0][0].requires_grad


# ---- worker identity, seeds, worker_init_fn ---------------------------------------------------------------------
def _init_record_pid(worker_id):
    info = get_worker_info()
    assert info.id == worker_id
    info.dataset.init_pid = os.getpid()  # the worker's own copy of the dataset


def test_worker_info_seeds_and_init_fn_run_in_the_workers():
    ds = WhoAmI(8)
    g = minitorch.Generator(seed=5)
    base_seed = int(minitorch.Generator(seed=5).rng.integers(0, 2**63))  # the iterator's first draw
    items = [b for b in DataLoader(ds, batch_size=2, num_workers=2, generator=g,
                                   worker_init_fn=_init_record_pid)]
    ids = [int(b["id"][0]) for b in items]
    assert ids == [0, 1, 0, 1]  # batches go round-robin to the workers
    assert {int(b["nw"][0]) for b in items} == {2}
    assert all(int(b["seed"][0]) == base_seed + i for b, i in zip(items, ids))  # seed = base_seed + worker_id
    pids = {i: int(b["pid"][0]) for b, i in zip(items, ids)}
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
    assert all(int(b["init_pid"][0]) == int(b["pid"][0]) for b in items)  # worker_init_fn ran in that worker
    assert all(bool(b["same_ds"][0]) for b in items)  # get_worker_info().dataset is the worker's dataset
    assert not hasattr(ds, "init_pid") and get_worker_info() is None  # the main process saw none of it


def test_worker_init_fn_runs_once_per_worker_start_with_frozen_info():
    calls = multiprocessing.get_context("fork").SimpleQueue()

    def init(worker_id):
        info = get_worker_info()
        try:
            info.id = 5
            frozen = False
        except Exception:  # dataclasses.FrozenInstanceError, as torch's WorkerInfo
            frozen = True
        calls.put((worker_id, info.id, info.num_workers, frozen))

    def drain():
        out = []
        while not calls.empty():
            out.append(calls.get())
        return sorted(out)

    ds = TensorDataset(minitorch.arange(6))
    loader = DataLoader(ds, batch_size=4, num_workers=2, worker_init_fn=init)
    assert [b[0].tolist() for b in loader] == [[0, 1, 2, 3], [4, 5]]
    list(loader)
    assert drain() == [(0, 0, 2, True), (0, 0, 2, True), (1, 1, 2, True), (1, 1, 2, True)]  # new workers per epoch
    persistent = DataLoader(ds, batch_size=4, num_workers=2, worker_init_fn=init, persistent_workers=True)
    list(persistent)
    list(persistent)
    assert drain() == [(0, 0, 2, True), (1, 1, 2, True)]
    list(DataLoader(ds, batch_size=4, num_workers=0, worker_init_fn=init))
    assert drain() == [] and get_worker_info() is None


class RandomDraws(Dataset):
    def __len__(self) -> int:
        return 2

    def __getitem__(self, i):
        info = get_worker_info() or tud.get_worker_info()  # minitorch's workers, or torch's for the reference
        return {"seed": info.seed, "py": random.random(), "mt": float(minitorch.rand(1).item()),
                "np": float(np.random.rand())}


def test_workers_seed_python_minitorch_and_numpy_like_torch():
    b0, b1 = list(DataLoader(RandomDraws(), batch_size=1, num_workers=2))
    for b in (b0, b1):
        seed = int(b["seed"][0])
        assert float(b["py"][0]) == random.Random(seed).random()
        assert float(b["mt"][0]) == float(minitorch.rand(1, generator=minitorch.Generator(seed=seed)).item())
    # NumPy's global RNG is seeded per worker (torch does it too), so forked workers do not repeat each other
    assert float(b0["np"][0]) != float(b1["np"][0])
    ref0, ref1 = list(tud.DataLoader(RandomDraws(), batch_size=1, num_workers=2))
    assert float(ref0["np"][0]) != float(ref1["np"][0])


# ---- errors -------------------------------------------------------------------------------------------------------
def _torch_wrapped(exc: Exception, worker_id: int) -> Exception:
    """What torch's ExceptionWrapper makes of ``exc`` raised in worker ``worker_id`` (no processes needed)."""
    try:
        raise exc
    except Exception:
        wrapper = torch._utils.ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
    try:
        wrapper.reraise()
    except Exception as e:
        return e


def test_worker_exception_is_reraised_with_torchs_wrapping():
    it = iter(DataLoader(Failing(), batch_size=1, num_workers=2))
    assert [int(next(it)) for _ in range(5)] == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError) as ours:
        next(it)  # index 5 went to worker 1
    msg = str(ours.value)
    ref = _torch_wrapped(ValueError("bad sample 5"), 1)
    assert type(ref) is ValueError
    assert msg.splitlines()[0] == str(ref).splitlines()[0] == "Caught ValueError in DataLoader worker process 1."
    assert msg.splitlines()[1] == str(ref).splitlines()[1] == "Original Traceback (most recent call last):"
    assert msg.splitlines()[-1] == str(ref).splitlines()[-1] == "ValueError: bad sample 5"
    assert "in __getitem__" in msg
    with pytest.raises(KeyError) as key_error:  # torch keeps KeyError's message readable (no repr quoting)
        next(it)
    assert str(key_error.value) == str(key_error.value.args[0])
    assert str(key_error.value).startswith("Caught KeyError in DataLoader worker process 0.\nOriginal Traceback")
    assert str(key_error.value).splitlines()[-1] == str(_torch_wrapped(KeyError("missing"), 0)).splitlines()[-1]
    assert [int(b) for b in it] == [7]  # the workers go on after an exception, as torch's
    workers = it._workers
    del it, ours, key_error
    gc.collect()
    assert not any(w.is_alive() for w in workers)


def _bad_init(worker_id):
    raise RuntimeError(f"init failed in {worker_id}")


def test_worker_init_fn_exception_is_reraised():
    with pytest.raises(RuntimeError, match=r"(?s)Caught RuntimeError in DataLoader worker process 0.*init "
                                           r"failed in 0"):
        list(DataLoader(Squares(4), batch_size=2, num_workers=2, worker_init_fn=_bad_init))


def test_timeout_raises_torchs_error():
    loader = DataLoader(Slow(2, 1.0), batch_size=1, num_workers=1, timeout=0.2)
    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0.2 seconds$"):
        next(iter(loader))


def test_option_errors_match_torch():
    cases = [dict(num_workers=0, prefetch_factor=2), dict(num_workers=0, persistent_workers=True),
             dict(num_workers=2, prefetch_factor=-1), dict(num_workers=0, multiprocessing_context="fork"),
             dict(num_workers=2, multiprocessing_context="nope")]
    for kw in cases:
        with pytest.raises(ValueError) as ref:
            tud.DataLoader(list(range(4)), **kw)
        with pytest.raises(ValueError) as ours:
            DataLoader(Squares(4), **kw)
        assert str(ours.value) == str(ref.value), kw
    with pytest.raises(TypeError, match="multiprocessing_context option should be a valid context"):
        DataLoader(Squares(4), num_workers=1, multiprocessing_context=3)


# ---- lifetime: persistent workers, break, exit --------------------------------------------------------------------
def test_persistent_workers_are_reused_across_epochs_and_after_break():
    def pids(loader):
        return {int(p) for b in loader for p in b["pid"]}

    ds = WhoAmI(6)
    persistent = DataLoader(ds, batch_size=2, num_workers=2, persistent_workers=True)
    first = pids(persistent)
    assert len(first) == 2 and pids(persistent) == first
    for _ in persistent:  # leave an epoch half-way: the next one starts clean
        break
    assert [b["i"].tolist() for b in persistent] == [[0, 1], [2, 3], [4, 5]]
    assert pids(persistent) == first
    workers = persistent._iterator._workers
    del persistent
    gc.collect()
    assert not any(w.is_alive() for w in workers)
    fresh = DataLoader(ds, batch_size=2, num_workers=2)
    assert pids(fresh).isdisjoint(pids(fresh))  # without persistence: new workers every epoch


def test_break_shuts_workers_down():
    it = iter(DataLoader(Squares(100), batch_size=2, num_workers=2))
    next(it)
    workers = it._workers
    assert all(w.is_alive() for w in workers)
    del it
    gc.collect()
    assert not any(w.is_alive() for w in workers)


def test_interpreter_exits_after_break_without_hanging():
    script = textwrap.dedent("""
        import os, sys, time
        sys.path.insert(0, {root!r})
        from minitorch.utils.data import DataLoader, Dataset

        class Slow(Dataset):
            def __len__(self):
                return 1000
            def __getitem__(self, i):
                time.sleep(0.01)
                return i

        keep = iter(DataLoader(Slow(), batch_size=2, num_workers=2))
        next(keep)
        persistent = DataLoader(Slow(), batch_size=2, num_workers=2, persistent_workers=True)
        for _ in persistent:
            break
        for b in DataLoader(Slow(), batch_size=2, num_workers=2):
            break
        print(" ".join(str(w.pid) for w in keep._workers + persistent._iterator._workers))
    """).format(root=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    for pid in map(int, proc.stdout.split()):
        deadline = time.time() + 5
        while time.time() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"worker {pid} outlived the interpreter")


# ---- ordering -----------------------------------------------------------------------------------------------------
def test_in_order_false_yields_batches_as_they_arrive():
    ds = Slow(6, 0.5, slow_index=0)
    unordered = [int(b) for b in DataLoader(ds, batch_size=1, num_workers=2, in_order=False)]
    assert sorted(unordered) == list(range(6)) and unordered[0] != 0
    assert [int(b) for b in DataLoader(ds, batch_size=1, num_workers=2)] == list(range(6))


def test_spawn_context_is_honoured():
    loader = DataLoader(Squares(6), batch_size=4, num_workers=1, multiprocessing_context="spawn")
    assert loader.multiprocessing_context.get_start_method() == "spawn"
    assert _epoch(loader) == _epoch(DataLoader(Squares(6), batch_size=4))


# ---- IterableDataset ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kw", [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None)])
def test_iterable_dataset_is_duplicated_per_worker_like_torch(kw):
    ours = _epoch(DataLoader(Stream(7), num_workers=2, **kw))
    ref = _epoch(tud.DataLoader(TorchStream(7), num_workers=2, **kw))
    assert ours == ref


@pytest.mark.filterwarnings("ignore:This DataLoader will create 3 worker processes")
@pytest.mark.parametrize("workers", [2, 3])
def test_sharded_iterable_dataset_matches_torch(workers):
    ours = _epoch(DataLoader(_sharded(minitorch), batch_size=3, num_workers=workers))
    ref = _epoch(tud.DataLoader(_sharded(torch), batch_size=3, num_workers=workers))
    assert ours == ref and sorted(sum(ours, [])) == list(range(10))


def test_iterable_len_warning_like_torch():
    loader = DataLoader(Stream(3), batch_size=1, num_workers=2)
    assert len(loader) == 3
    with pytest.warns(UserWarning, match=r"reported to be 3\(when accessing len\(dataloader\)\), but [456] "
                                         r"samples have been fetched\. For multiprocessing") as record:
        assert len(list(loader)) == 6
    assert [str(w.message).split(", but ")[1][0] for w in record] == ["4", "5", "6"]  # once per extra batch
