"""nn.EmbeddingBag / F.embedding_bag against torch: every mode, offsets or 2-D input, per_sample_weights,
padding_idx, include_last_offset; outputs and gradients on each device; errors; init; from_pretrained."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
from tests.helpers import assert_close, devices, raises_like_torch, require_torch

torch = require_torch()

WEIGHT = np.random.default_rng(0).standard_normal((7, 3)).astype(np.float32)
BAGS = [  # (name, input, offsets, include_last_offset)
    ("offsets", [1, 2, 4, 4, 3, 0, 5, 6], [0, 2, 2, 5], False),
    ("offsets-last", [1, 2, 4, 4, 3, 0, 5, 6], [0, 2, 2, 5, 8], True),
    ("2d", [[1, 2, 3], [4, 4, 0], [6, 6, 6]], None, False),
    ("empty-tail", [3, 1], [0, 2, 2], False),
]


def _run(lib, weight, inp, offsets, device="cpu", psw=None, **kw):
    as_t = (lambda a, **k: torch.tensor(a, **k)) if lib is torch else (
        lambda a, **k: minitorch.tensor(a, device=device, **k))
    off = None if offsets is None else as_t(offsets)
    return lib.nn.functional.embedding_bag(as_t(inp), weight, off, per_sample_weights=psw, **kw)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("padding_idx", [None, 4], ids=["no-pad", "pad4"])
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("name,inp,offsets,last", BAGS, ids=[b[0] for b in BAGS])
def test_embedding_bag_matches_torch_with_gradients(name, inp, offsets, last, mode, padding_idx, device):
    tw = torch.tensor(WEIGHT, requires_grad=True)
    mw = minitorch.tensor(WEIGHT, requires_grad=True, device=device)
    kw = {"mode": mode, "padding_idx": padding_idx, "include_last_offset": last}
    t = _run(torch, tw, inp, offsets, **kw)
    m = _run(minitorch, mw, inp, offsets, device, **kw)
    assert_close(m, t)
    assert m.device.type == device
    g = np.random.default_rng(1).standard_normal(tuple(t.shape)).astype(np.float32)
    (t * torch.tensor(g)).sum().backward()
    (m * minitorch.tensor(g, device=device)).sum().backward()
    assert_close(mw.grad, tw.grad)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("padding_idx", [None, 4], ids=["no-pad", "pad4"])
@pytest.mark.parametrize("name,inp,offsets,last", BAGS, ids=[b[0] for b in BAGS])
def test_per_sample_weights_in_sum_mode(name, inp, offsets, last, padding_idx, device):
    psw = np.random.default_rng(2).standard_normal(np.shape(inp)).astype(np.float32)
    tw, tp = torch.tensor(WEIGHT, requires_grad=True), torch.tensor(psw, requires_grad=True)
    mw = minitorch.tensor(WEIGHT, requires_grad=True, device=device)
    mp = minitorch.tensor(psw, requires_grad=True, device=device)
    kw = {"mode": "sum", "padding_idx": padding_idx, "include_last_offset": last}
    t = _run(torch, tw, inp, offsets, psw=tp, **kw)
    m = _run(minitorch, mw, inp, offsets, device, psw=mp, **kw)
    assert_close(m, t)
    g = np.random.default_rng(3).standard_normal(tuple(t.shape)).astype(np.float32)
    (t * torch.tensor(g)).sum().backward()
    (m * minitorch.tensor(g, device=device)).sum().backward()
    assert_close(mw.grad, tw.grad)
    assert_close(mp.grad, tp.grad)


def test_scale_grad_by_freq_max_norm_and_float64():
    """scale_grad_by_freq divides each row's gradient by its count in the batch, as torch's F.embedding
    does (torch's CPU embedding_bag kernel gives other values for repeated indices: compared with
    embedding + sum / mean over the bag instead)."""
    inp = [[1, 1, 2], [1, 3, 3]]
    for mode in ("sum", "mean"):
        tw = torch.tensor(WEIGHT.astype(np.float64), requires_grad=True)
        mw = minitorch.tensor(WEIGHT.astype(np.float64), requires_grad=True)
        rows = torch.nn.functional.embedding(torch.tensor(inp), tw, scale_grad_by_freq=True)
        t = rows.sum(1) if mode == "sum" else rows.mean(1)
        m = _run(minitorch, mw, inp, None, mode=mode, scale_grad_by_freq=True)
        assert_close(m, t)
        assert m.dtype == minitorch.float64
        t.sum().backward()
        m.sum().backward()
        assert_close(mw.grad, tw.grad)
    tw, mw = torch.tensor(WEIGHT * 3), minitorch.tensor(WEIGHT * 3)
    t = _run(torch, tw, [0, 1, 2, 5], [0, 1], max_norm=1.0)
    m = _run(minitorch, mw, [0, 1, 2, 5], [0, 1], max_norm=1.0)
    assert_close(m, t, rtol=1e-5, atol=1e-6)
    assert_close(mw, tw, rtol=1e-5, atol=1e-6)  # the looked-up rows renormalised in place, as torch


def test_max_mode_ties_send_the_gradient_to_the_first_row():
    w = [[1.0, 2.0], [1.0, 2.0], [0.0, 5.0]]
    tw, mw = torch.tensor(w, requires_grad=True), minitorch.tensor(w, requires_grad=True)
    _run(torch, tw, [0, 1, 2], [0], mode="max").sum().backward()
    _run(minitorch, mw, [0, 1, 2], [0], mode="max").sum().backward()
    assert_close(mw.grad, tw.grad)


@pytest.mark.parametrize("device", devices())
def test_embedding_bag_module_matches_torch(device):
    from tests.test_nn_layers import compare_module

    for mode in ("sum", "mean", "max"):
        compare_module(lambda L, mode=mode: L.nn.EmbeddingBag(7, 3, mode=mode, padding_idx=2),
                       [np.array([[1, 2, 3], [4, 2, 0]])], device=device)
    psw = np.random.default_rng(4).standard_normal(5).astype(np.float32)
    compare_module(lambda L: L.nn.EmbeddingBag(7, 3, mode="sum", include_last_offset=True),
                   [np.array([1, 2, 4, 4, 3]), np.array([0, 2, 5]), psw], device=device)


def test_module_repr_state_dict_init_and_padding_row():
    for kw in ({}, {"mode": "max", "padding_idx": -2, "max_norm": 1.0}):
        tm, mm = torch.nn.EmbeddingBag(10, 4, **kw), minitorch.nn.EmbeddingBag(10, 4, **kw)
        assert repr(mm) == repr(tm)
        assert list(mm.state_dict()) == list(tm.state_dict())
    minitorch.manual_seed(0)
    mm = minitorch.nn.EmbeddingBag(400, 50, padding_idx=3)
    w = mm.weight.detach().numpy()
    assert not w[3].any()
    rest = np.delete(w, 3, axis=0)
    assert abs(rest.mean()) < 0.02 and abs(rest.std() - 1) < 0.02  # N(0, 1), as torch


def test_from_pretrained():
    w = minitorch.tensor(WEIGHT)
    bag = minitorch.nn.EmbeddingBag.from_pretrained(w, mode="sum")
    assert not bag.weight.requires_grad
    tbag = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(WEIGHT), mode="sum")
    assert_close(bag(minitorch.tensor([[0, 1], [2, 2]])), tbag(torch.tensor([[0, 1], [2, 2]])))
    assert minitorch.nn.EmbeddingBag.from_pretrained(w, freeze=False).weight.requires_grad
    emb = minitorch.nn.Embedding.from_pretrained(w, padding_idx=1)
    assert emb.padding_idx == 1 and not emb.weight.requires_grad
    assert_close(emb(minitorch.tensor([2, 0])), WEIGHT[[2, 0]])


BAD = [
    ("2d with offsets", lambda L: L.nn.functional.embedding_bag(L.tensor([[1, 2]]), L.ones(5, 2), L.tensor([0]))),
    ("1d without offsets", lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.ones(5, 2))),
    ("2d offsets", lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.ones(5, 2), L.tensor([[0]]))),
    ("3d input", lambda L: L.nn.functional.embedding_bag(L.tensor([[[1]]]), L.ones(5, 2))),
    ("mode", lambda L: L.nn.functional.embedding_bag(L.tensor([[1]]), L.ones(5, 2), mode="median")),
    ("psw mean", lambda L: L.nn.functional.embedding_bag(L.tensor([[1]]), L.ones(5, 2), mode="mean",
                                                         per_sample_weights=L.ones(1, 1))),
    ("psw shape", lambda L: L.nn.functional.embedding_bag(L.tensor([[1, 2]]), L.ones(5, 2), mode="sum",
                                                          per_sample_weights=L.ones(2))),
    ("weight 1-d", lambda L: L.nn.functional.embedding_bag(L.tensor([[1]]), L.ones(5))),
    ("max scale_grad", lambda L: L.nn.functional.embedding_bag(L.tensor([[1]]), L.ones(5, 2), mode="max",
                                                               scale_grad_by_freq=True)),
    ("float indices", lambda L: L.nn.functional.embedding_bag(L.tensor([1.0, 2.0]), L.ones(5, 2), L.tensor([0]))),
    ("index range", lambda L: L.nn.functional.embedding_bag(L.tensor([1, 9]), L.ones(5, 2), L.tensor([0]))),
    ("offsets[0]", lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.ones(5, 2), L.tensor([1]))),
    ("offsets[-1]", lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.ones(5, 2), L.tensor([0, 7]))),
    ("padding_idx range", lambda L: L.nn.EmbeddingBag(5, 2, padding_idx=5)),
]


@pytest.mark.parametrize("name,fn", BAD, ids=[b[0] for b in BAD])
def test_bad_embedding_bag_raises_torch_type(name, fn):
    raises_like_torch(lambda: fn(torch), lambda: fn(minitorch))
