"""WeightedRandomSampler, ChainDataset and StackDataset against torch.utils.data."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
from minitorch.utils.data import (
    ChainDataset,
    DataLoader,
    IterableDataset,
    StackDataset,
    TensorDataset,
    WeightedRandomSampler,
)
from tests.helpers import raises_like_torch, require_torch

torch = require_torch()
tud = torch.utils.data

WEIGHTS = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6, 0.0, 1.3]


# ---- WeightedRandomSampler -----------------------------------------------------------------------------------
@pytest.mark.parametrize("replacement", [True, False])
def test_weighted_sampler_is_reproducible_with_a_seeded_generator(replacement):
    def draw(seed):
        return list(WeightedRandomSampler(WEIGHTS, 6, replacement, generator=minitorch.Generator(seed=seed)))

    assert draw(5) == draw(5)
    assert any(draw(5) != draw(s) for s in (6, 7, 8))
    minitorch.manual_seed(11)
    a = list(WeightedRandomSampler(WEIGHTS, 6, replacement))
    minitorch.manual_seed(11)
    assert a == list(WeightedRandomSampler(WEIGHTS, 6, replacement))
    s = WeightedRandomSampler(WEIGHTS, 6, replacement, generator=minitorch.Generator(seed=1))
    assert list(s) != list(s) or replacement is False  # a fresh draw every epoch


def test_weighted_sampler_frequencies_follow_the_weights():
    n = 200_000
    drawn = list(WeightedRandomSampler(WEIGHTS, n, generator=minitorch.Generator(seed=0)))
    assert len(drawn) == n and all(isinstance(i, int) for i in drawn[:10])
    freq = np.bincount(drawn, minlength=len(WEIGHTS)) / n
    expected = np.array(WEIGHTS) / sum(WEIGHTS)
    np.testing.assert_allclose(freq, expected, atol=4e-3)
    assert freq[6] == 0  # a zero weight is never drawn


def test_weighted_sampler_without_replacement_draws_zero_weights_last_like_torch():
    drawn = list(WeightedRandomSampler(WEIGHTS, 8, replacement=False, generator=minitorch.Generator(seed=0)))
    assert sorted(drawn) == list(range(8)) and drawn[-1] == 6
    assert list(tud.WeightedRandomSampler(WEIGHTS, 8, replacement=False))[-1] == 6


def test_weighted_sampler_without_replacement_draws_distinct_indices_heaviest_first():
    firsts = []
    g = minitorch.Generator(seed=2)
    for _ in range(2000):
        drawn = list(WeightedRandomSampler(WEIGHTS, 7, replacement=False, generator=g))
        assert len(set(drawn)) == 7 and 6 not in drawn  # the zero-weight index is never needed
        firsts.append(drawn[0])
    freq = np.bincount(firsts, minlength=len(WEIGHTS)) / len(firsts)
    np.testing.assert_allclose(freq, np.array(WEIGHTS) / sum(WEIGHTS), atol=0.03)  # first draw ~ weights


def test_weighted_sampler_accepts_tensors_and_drives_a_dataloader():
    w = minitorch.tensor([0.0, 1.0, 0.0, 2.0])
    s = WeightedRandomSampler(w, 10, generator=minitorch.Generator(seed=0))
    assert len(s) == 10 and s.weights.dtype == minitorch.float64 and set(s) <= {1, 3}
    ds = TensorDataset(minitorch.arange(4.0) * 10)
    seen = [x for (b,) in DataLoader(ds, batch_size=3, sampler=s) for x in b.tolist()]
    assert len(seen) == 10 and set(seen) <= {10.0, 30.0}


BAD_SAMPLERS = {
    "num_samples_zero": lambda m: m.WeightedRandomSampler(WEIGHTS, 0),
    "num_samples_float": lambda m: m.WeightedRandomSampler(WEIGHTS, 2.0),
    "num_samples_bool": lambda m: m.WeightedRandomSampler(WEIGHTS, True),
    "replacement_not_bool": lambda m: m.WeightedRandomSampler(WEIGHTS, 3, replacement=1),
    "weights_2d": lambda m: m.WeightedRandomSampler([[0.1, 0.2], [0.3, 0.4]], 3),
    "too_many_without_replacement": lambda m: list(m.WeightedRandomSampler(WEIGHTS, 9, replacement=False)),
    "negative_weight": lambda m: list(m.WeightedRandomSampler([0.5, -0.1], 2)),
    "all_zero": lambda m: list(m.WeightedRandomSampler([0.0, 0.0], 2)),
}


@pytest.mark.parametrize("case", sorted(BAD_SAMPLERS))
def test_weighted_sampler_errors_like_torch(case):
    import minitorch.utils.data as mud

    raises_like_torch(lambda: BAD_SAMPLERS[case](tud), lambda: BAD_SAMPLERS[case](mud))


# ---- ChainDataset ----------------------------------------------------------------------------------------------
def _streams(lib_data):
    class Stream(lib_data.IterableDataset):
        def __init__(self, start, n):
            self.start, self.n = start, n

        def __iter__(self):
            return iter(range(self.start, self.start + self.n))

        def __len__(self):
            return self.n

    return Stream


def test_chain_dataset_matches_torch():
    import minitorch.utils.data as mud

    mt = ChainDataset([_streams(mud)(0, 3), _streams(mud)(10, 2), _streams(mud)(20, 4)])
    th = tud.ChainDataset([_streams(tud)(0, 3), _streams(tud)(10, 2), _streams(tud)(20, 4)])
    assert list(mt) == list(th) == [0, 1, 2, 10, 11, 20, 21, 22, 23]
    assert len(mt) == len(th) == 9
    assert list(mt) == list(th)  # iterable again
    assert isinstance(mt, IterableDataset)
    assert [b.tolist() for b in DataLoader(mt, batch_size=4)] == [[0, 1, 2, 10], [11, 20, 21, 22], [23]]


def test_chain_dataset_refuses_map_style_parts_like_torch():
    import minitorch.utils.data as mud

    def make(lib_data, tensor):
        return lib_data.ChainDataset([_streams(lib_data)(0, 2), lib_data.TensorDataset(tensor)])

    raises_like_torch(lambda: list(make(tud, torch.zeros(3))), lambda: list(make(mud, minitorch.zeros(3))))
    raises_like_torch(lambda: len(make(tud, torch.zeros(3))), lambda: len(make(mud, minitorch.zeros(3))))


# ---- StackDataset ----------------------------------------------------------------------------------------------
def test_stack_dataset_tuple_and_dict_samples_match_torch():
    import minitorch.utils.data as mud

    x, y = np.arange(12.0).reshape(6, 2), np.arange(6)
    words = ["a", "b", "c", "d", "e", "f"]
    mt = mud.StackDataset(mud.TensorDataset(minitorch.tensor(x)), words)
    th = tud.StackDataset(tud.TensorDataset(torch.tensor(x)), words)
    assert len(mt) == len(th) == 6
    (xm,), wm = mt[4]
    (xt,), wt = th[4]
    assert xm.tolist() == xt.tolist() and wm == wt == "e"

    md = StackDataset(image=TensorDataset(minitorch.tensor(x)), label=list(y))
    td = tud.StackDataset(image=tud.TensorDataset(torch.tensor(x)), label=list(y))
    assert list(md[2]) == list(td[2]) == ["image", "label"]
    assert md[2]["label"] == td[2]["label"] == 2
    batch = md.__getitems__([0, 5])
    assert [b["label"] for b in batch] == [0, 5] and batch[1]["image"][0].tolist() == [10.0, 11.0]
    loaded = list(DataLoader(md, batch_size=4))
    assert loaded[0]["label"].tolist() == [0, 1, 2, 3] and tuple(loaded[0]["image"][0].shape) == (4, 2)
    tloaded = list(tud.DataLoader(td, batch_size=4))
    assert tloaded[1]["label"].tolist() == loaded[1]["label"].tolist()


BAD_STACKS = {
    "nothing": lambda m: m.StackDataset(),
    "both_kinds": lambda m: m.StackDataset([1, 2], b=[3, 4]),
    "sizes": lambda m: m.StackDataset([1, 2], [3, 4, 5]),
    "named_sizes": lambda m: m.StackDataset(a=[1, 2], b=[3]),
}


@pytest.mark.parametrize("case", sorted(BAD_STACKS))
def test_stack_dataset_errors_like_torch(case):
    import minitorch.utils.data as mud

    raises_like_torch(lambda: BAD_STACKS[case](tud), lambda: BAD_STACKS[case](mud))
