"""minitorch.utils.data against torch.utils.data: ordering, shuffling, drop_last, collation, errors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch
from minitorch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    default_collate,
    random_split,
)
from tests.helpers import assert_close, devices, require_torch

torch = require_torch()
tud = torch.utils.data


def _np(x):
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def assert_same_batch(mt_batch, torch_batch):
    """Same structure, dtypes and values (minitorch vs torch collation)."""
    if isinstance(torch_batch, torch.Tensor):
        assert isinstance(mt_batch, minitorch.Tensor), type(mt_batch)
        assert mt_batch.dtype.name == str(torch_batch.dtype).split(".")[-1]
        assert_close(mt_batch, torch_batch, rtol=0, atol=0)
    elif isinstance(torch_batch, dict):
        assert type(mt_batch) is type(torch_batch) and list(mt_batch) == list(torch_batch)
        for k in torch_batch:
            assert_same_batch(mt_batch[k], torch_batch[k])
    elif isinstance(torch_batch, (list, tuple)):
        assert type(mt_batch) is type(torch_batch) and len(mt_batch) == len(torch_batch)
        for a, b in zip(mt_batch, torch_batch):
            assert_same_batch(a, b)
    else:
        assert mt_batch == torch_batch


class ListDataset(Dataset):
    """A plain map-style dataset (takes the generic, per-item path of the DataLoader)."""

    def __init__(self, items):
        self.items = items

    def __getitem__(self, i):
        return self.items[i]

    def __len__(self):
        return len(self.items)


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


# ---- datasets --------------------------------------------------------------------------------------------
def test_tensor_dataset_items_and_length():
    x, y = minitorch.randn(5, 3), minitorch.arange(5)
    ds = TensorDataset(x, y)
    assert len(ds) == 5
    xi, yi = ds[2]
    assert_close(xi, x.numpy()[2])
    assert int(yi) == 2


def test_tensor_dataset_size_mismatch_is_torchs_assertion():
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(minitorch.zeros(3), minitorch.zeros(4))
    with pytest.raises(ValueError, match=r"\[3, 4\]"):
        TensorDataset(minitorch.zeros(3), minitorch.zeros(4))
    with pytest.raises(TypeError, match="expected Tensors"):
        TensorDataset(minitorch.zeros(3), [1, 2, 3])


def test_concat_dataset_matches_torch():
    parts = [list(range(3)), list(range(10, 14)), list(range(20, 22))]
    ours = ConcatDataset([ListDataset(p) for p in parts])
    ref = tud.ConcatDataset([p for p in parts])
    assert len(ours) == len(ref) and ours.cumulative_sizes == ref.cumulative_sizes
    assert [ours[i] for i in range(-len(ref), len(ref))] == [ref[i] for i in range(-len(ref), len(ref))]
    with pytest.raises(IndexError):
        ours[len(ref)]
    assert [x for x in (ListDataset([1]) + ListDataset([2]))] == [1, 2]


def test_subset_indexing():
    ds = Subset(ListDataset(list("abcdef")), [5, 0, 3])
    assert len(ds) == 3 and [ds[i] for i in range(3)] == ["f", "a", "d"]


@pytest.mark.parametrize("lengths", [[3, 3, 4], [0.25, 0.25, 0.5], [0.33, 0.33, 0.34], [1.0], [10, 0]])
def test_random_split_lengths_match_torch_and_partition(lengths):
    ref = [len(s) for s in tud.random_split(range(10), lengths)]
    parts = random_split(ListDataset(list(range(10))), lengths, generator=minitorch.Generator(seed=1))
    assert [len(p) for p in parts] == ref
    seen = sorted(i for p in parts for i in p.indices)
    assert seen == list(range(10))


def test_random_split_is_reproducible_and_checks_lengths():
    ds = ListDataset(list(range(20)))
    a = random_split(ds, [10, 10], generator=minitorch.Generator(seed=3))
    b = random_split(ds, [10, 10], generator=minitorch.Generator(seed=3))
    c = random_split(ds, [10, 10], generator=minitorch.Generator(seed=4))
    assert a[0].indices == b[0].indices and a[0].indices != c[0].indices
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset"):
        random_split(ds, [3, 3])
    with pytest.raises(ValueError, match="fraction at index 0"):
        random_split(ds, [1.5, -0.5])


# ---- samplers -----------------------------------------------------------------------------------------------
@given(n=st.integers(0, 40), bs=st.integers(1, 9), drop_last=st.booleans())
def test_batch_sampler_matches_torch(n, bs, drop_last):
    ours = BatchSampler(SequentialSampler(range(n)), bs, drop_last)
    ref = tud.BatchSampler(tud.SequentialSampler(range(n)), bs, drop_last)
    assert list(ours) == list(ref) and len(ours) == len(ref)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_batch_sampler_rejects_bad_batch_size_like_torch(bad):
    with pytest.raises(ValueError) as ref:
        tud.BatchSampler(range(3), bad, False)
    with pytest.raises(ValueError) as ours:
        BatchSampler(range(3), bad, False)
    assert str(ours.value) == str(ref.value)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        BatchSampler(range(3), 2, 1)


def test_random_sampler_permutation_replacement_and_errors():
    g = minitorch.Generator(seed=0)
    s = RandomSampler(range(50), generator=g)
    first, second = list(s), list(s)
    assert sorted(first) == list(range(50)) and first != second  # a new order every epoch
    s2 = RandomSampler(range(50), generator=minitorch.Generator(seed=0))
    assert list(s2) == first  # same seed, same order
    rep = list(RandomSampler(range(5), replacement=True, num_samples=100, generator=g))
    assert len(rep) == 100 and set(rep) <= set(range(5))
    more = list(RandomSampler(range(4), num_samples=10, generator=g))
    assert len(more) == 10 and sorted(more[:4]) == list(range(4))
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(range(5), num_samples=0)
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        RandomSampler(range(5), replacement=1)
    sub = list(SubsetRandomSampler([7, 8, 9], generator=g))
    assert sorted(sub) == [7, 8, 9]


# ---- DataLoader ---------------------------------------------------------------------------------------------
@given(n=st.integers(1, 30), bs=st.integers(1, 8), drop_last=st.booleans())
def test_sequential_loader_matches_torch(n, bs, drop_last):
    x = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    y = np.arange(n, dtype=np.int64)
    ours = DataLoader(TensorDataset(minitorch.tensor(x), minitorch.tensor(y)), batch_size=bs, drop_last=drop_last)
    ref = tud.DataLoader(tud.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=bs, drop_last=drop_last)
    assert len(ours) == len(ref)
    got, want = list(ours), list(ref)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert_same_batch(a, b)


@pytest.mark.parametrize("drop_last", [False, True])
def test_shuffle_covers_every_sample_once_and_is_seedable(drop_last):
    n, bs = 23, 5
    ds = TensorDataset(minitorch.arange(n))

    def epoch(loader):
        return [int(v) for (b,) in loader for v in b.tolist()]

    loader = DataLoader(ds, batch_size=bs, shuffle=True, drop_last=drop_last, generator=minitorch.Generator(seed=7))
    e1, e2 = epoch(loader), epoch(loader)
    if drop_last:
        assert len(e1) == n - n % bs and len(set(e1)) == len(e1)
    else:
        assert sorted(e1) == list(range(n))
    assert e1 != e2 and sorted(e1) != e1
    again = DataLoader(ds, batch_size=bs, shuffle=True, drop_last=drop_last, generator=minitorch.Generator(seed=7))
    assert epoch(again) == e1
    minitorch.manual_seed(11)
    g1 = epoch(DataLoader(ds, batch_size=bs, shuffle=True))
    minitorch.manual_seed(11)
    assert epoch(DataLoader(ds, batch_size=bs, shuffle=True)) == g1  # global seed drives the default


@pytest.mark.parametrize("subset", [False, True])
def test_tensor_dataset_fast_path_equals_generic_path(subset):
    x = minitorch.randn(17, 2, 3)
    y = minitorch.randint(0, 10, (17,))
    fast_ds = TensorDataset(x, y)
    slow_ds = ListDataset([(x[i], y[i]) for i in range(17)])
    if subset:
        idx = [16, 3, 5, 0, 9, 9, 2, 11, 12, 1]
        fast_ds, slow_ds = Subset(fast_ds, idx), Subset(slow_ds, idx)
    for shuffle in (False, True):
        fast = list(DataLoader(fast_ds, batch_size=4, shuffle=shuffle, generator=minitorch.Generator(seed=2)))
        slow = list(DataLoader(slow_ds, batch_size=4, shuffle=shuffle, generator=minitorch.Generator(seed=2)))
        assert len(fast) == len(slow)
        for (fx, fy), (sx, sy) in zip(fast, slow):
            assert fx.dtype == sx.dtype and fy.dtype == sy.dtype
            np.testing.assert_array_equal(fx.numpy(), sx.numpy())
            np.testing.assert_array_equal(fy.numpy(), sy.numpy())


def test_loader_keeps_graph_for_tensors_that_require_grad():
    w = minitorch.randn(6, 2, requires_grad=True)
    (batch,) = next(iter(DataLoader(TensorDataset(w), batch_size=6)))
    batch.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.ones((6, 2), np.float32))


@pytest.mark.parametrize("device", devices())
def test_fast_path_on_device(device):
    x = minitorch.arange(10.0).to(device)
    batches = list(DataLoader(TensorDataset(x), batch_size=4, shuffle=True, generator=minitorch.Generator(seed=0)))
    assert all(b.device.type == device for (b,) in batches)
    assert sorted(v for (b,) in batches for v in b.cpu().tolist()) == list(range(10))


def test_custom_sampler_batch_sampler_and_collate_fn():
    ds = ListDataset(list(range(10)))
    assert [b.tolist() for b in DataLoader(ds, batch_size=3, sampler=[9, 8, 7, 6])] == [[9, 8, 7], [6]]
    assert [b.tolist() for b in DataLoader(ds, batch_sampler=[[1, 2], [5]])] == [[1, 2], [5]]
    assert list(DataLoader(ds, batch_size=4, collate_fn=sum)) == [6, 22, 17]
    assert len(DataLoader(ds, batch_sampler=[[1, 2], [5]])) == 2


def test_no_auto_batching_converts_samples():
    ds = ListDataset([np.arange(3), 5, "s"])
    ours = list(DataLoader(ds, batch_size=None))
    ref = list(tud.DataLoader([np.arange(3), 5, "s"], batch_size=None))
    for a, b in zip(ours, ref):
        assert_same_batch(a, b)


def test_iterable_dataset_batches_and_len():
    loader = DataLoader(Stream(7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]] and len(loader) == 3
    dl = DataLoader(Stream(7), batch_size=3, drop_last=True)
    assert [b.tolist() for b in dl] == [[0, 1, 2], [3, 4, 5]] and len(dl) == 2
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Stream(3), shuffle=True)


@pytest.mark.parametrize("kwargs", [
    dict(batch_sampler=[[0]], batch_size=2), dict(batch_sampler=[[0]], shuffle=True),
    dict(batch_sampler=[[0]], drop_last=True), dict(batch_sampler=[[0]], sampler=[0]),
    dict(sampler=[0], shuffle=True), dict(batch_size=None, drop_last=True), dict(num_workers=-1),
])
def test_mutually_exclusive_options_raise_torchs_error(kwargs):
    with pytest.raises(ValueError) as ref:
        tud.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(ValueError) as ours:
        DataLoader(ListDataset(list(range(4))), **kwargs)
    assert str(ours.value) == str(ref.value)


def test_worker_processes_give_the_same_batches_as_in_process_loading():
    out = list(DataLoader(ListDataset(list(range(5))), batch_size=2, num_workers=2, pin_memory=True))
    assert [b.tolist() for b in out] == [[0, 1], [2, 3], [4]]


# ---- default_collate ----------------------------------------------------------------------------------------
SAMPLES = [
    [1.5, 2.5],
    [1, 2],
    [True, False],
    [np.float32(1), np.float32(2)],
    [np.arange(3, dtype=np.float64), np.ones(3)],
    [(1, "a"), (2, "b")],
    [{"x": 1, "y": [1.0, 2.0]}, {"x": 2, "y": [3.0, 4.0]}],
    [[1, 2], [3, 4]],
    ["p", "q"],
]


@pytest.mark.parametrize("batch", SAMPLES, ids=lambda b: type(b[0]).__name__)
def test_default_collate_matches_torch(batch):
    assert_same_batch(default_collate(batch), tud.default_collate(batch))


def test_default_collate_stacks_tensors_and_named_tuples():
    from collections import namedtuple

    P = namedtuple("P", "a b")
    ours = default_collate([P(minitorch.ones(2), 1), P(minitorch.zeros(2), 2)])
    ref = tud.default_collate([P(torch.ones(2), 1), P(torch.zeros(2), 2)])
    assert type(ours) is P
    assert_same_batch(ours.a, ref.a)
    assert_same_batch(ours.b, ref.b)


def test_default_collate_errors_match_torch():
    for batch, exc in (([object(), object()], TypeError), ([[1, 2], [3]], RuntimeError)):
        with pytest.raises(exc) as ref:
            tud.default_collate(batch)
        with pytest.raises(exc) as ours:
            default_collate(batch)
        assert str(ours.value) == str(ref.value)
