"""Tensor attributes torch scripts read (stride, is_contiguous, nbytes, ...) and the index_* family
(index_add / index_copy / index_fill / masked_scatter) outside the op table: errors, in-place forms,
integer dtypes, each compared with torch."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch

from .helpers import assert_close, devices, raises_like_torch, require_torch

torch = require_torch()


def _pair(fn):
    return fn(minitorch), fn(torch)


@pytest.mark.parametrize("make", [
    lambda L: L.zeros(3, 4),
    lambda L: L.zeros(3, 4).t(),
    lambda L: L.zeros(2, 3, 4).permute(2, 0, 1),
    lambda L: L.zeros(5, 6)[::2, 1:],
    lambda L: L.zeros(4, dtype=L.int64),
    lambda L: L.zeros(()),
    lambda L: L.zeros(3, 1, 4).expand(3, 5, 4),
])
def test_layout_attributes_match_torch(make):
    m, t = _pair(make)
    assert m.stride() == t.stride()
    for d in range(-m.dim(), m.dim()):
        assert m.stride(d) == t.stride(d)
    assert m.is_contiguous() == t.is_contiguous()
    assert m.nbytes == t.nbytes and m.itemsize == t.itemsize
    assert m.ndimension() == t.ndimension() and m.is_complex() == t.is_complex()


def test_stride_of_a_bad_dim_raises_like_torch():
    raises_like_torch(lambda: torch.zeros(2, 3).stride(2), lambda: minitorch.zeros(2, 3).stride(2))


@pytest.mark.parametrize("device", devices())
def test_type_as_char_short(device):
    x = minitorch.tensor([1.7, -2.2], device=device)
    other = minitorch.tensor([1, 2], dtype=minitorch.int16, device=device)
    assert x.type_as(other).dtype == minitorch.int16 and x.type_as(other).tolist() == [1, -2]
    assert x.char().dtype == minitorch.int8 and x.short().dtype == minitorch.int16
    assert x.type_as(other).device.type == device
    if device == "cuda":
        assert minitorch.tensor([1.0]).type_as(x).device.type == "cuda", "type_as follows other's device"


@pytest.mark.parametrize("call", [
    lambda L: L.zeros(3, 4).index_add(1, L.tensor([0, 2]), L.ones(3, 3)),  # index count != source.size(dim)
    lambda L: L.zeros(3, 4).index_add(1, L.tensor([0, 2]), L.ones(2, 2)),  # other dims differ
    lambda L: L.zeros(3, 4).index_add(1, L.tensor([[0, 2]]), L.ones(3, 2)),  # 2-D index
    lambda L: L.zeros(3, 4).index_add(1, L.tensor([0.0, 2.0]), L.ones(3, 2)),  # float index
    lambda L: L.zeros(3, 4).index_add(1, L.tensor([0, 5]), L.ones(3, 2)),  # out of range
    lambda L: L.zeros(4).index_add(0, L.tensor([-1]), L.ones(1)),  # negative: torch rejects
    lambda L: L.zeros(3, 4).index_add(1, L.tensor([0, 2]), L.ones(3, 2, dtype=L.float64)),  # dtype
    lambda L: L.zeros(3, 4).index_add(2, L.tensor([0]), L.ones(3, 1)),  # dim out of range
    lambda L: L.zeros(3, 4).index_copy(1, L.tensor([0, 2]), L.ones(3, 3)),
    lambda L: L.zeros(4).index_copy(0, L.tensor([5]), L.ones(1)),
    lambda L: L.zeros(3, 4).index_fill(1, L.tensor([0, 5]), 2.0),
    lambda L: L.zeros(3, 4).index_fill(1, L.tensor([0, 2]), L.tensor([1.0, 2.0])),
    lambda L: L.zeros(3, 4).masked_scatter(L.ones(3, 4, dtype=L.bool), L.ones(5)),  # source too small
    lambda L: L.zeros(3, 4).masked_scatter(L.ones(3, 4), L.ones(15)),  # float mask
    lambda L: L.zeros(3, dtype=L.int64).masked_scatter(L.tensor([True, False, True]), L.arange(10.0)),
    lambda L: L.zeros(3, 4).masked_scatter(L.ones(2, 4, dtype=L.bool), L.ones(15)),  # no broadcast
])
def test_index_family_errors_like_torch(call):
    raises_like_torch(lambda: call(torch), lambda: call(minitorch))


@pytest.mark.parametrize("device", devices())
def test_in_place_index_family_matches_torch(device):
    def run(L, dev):
        x = L.arange(12.0).reshape(3, 4)
        if dev:
            x = x.to(dev)
        x.index_add_(1, L.tensor([0, 0, 3], device=dev), L.ones(3, 3, device=dev), alpha=2)
        x.index_copy_(0, L.tensor([2], device=dev), L.full((1, 4), -1.0, device=dev))
        x.index_fill_(1, L.tensor([-1], device=dev), 7.0)
        x.masked_scatter_(L.tensor([True, False, False, True], device=dev), L.arange(100.0, 106.0, device=dev))
        return x

    assert_close(run(minitorch, device), run(torch, None))


def test_index_family_on_integer_tensors_matches_torch():
    for fn in [
        lambda L: L.zeros(3, 4, dtype=L.int64).index_add(1, L.tensor([0, 2]), L.ones(3, 2, dtype=L.int64), alpha=3),
        lambda L: L.arange(6).reshape(2, 3).index_fill(1, L.tensor([1]), 2.7),  # value cast to int like torch
        lambda L: L.arange(6).reshape(2, 3).index_copy(0, L.tensor([1]), L.tensor([[9, 9, 9]])),
        lambda L: L.zeros(2, 3, dtype=L.int32).masked_scatter(L.tensor([True, False, True]),
                                                             L.arange(1, 9, dtype=L.int32).reshape(2, 4)),
        lambda L: L.argwhere(L.tensor([[0, 3], [2, 0]])),
    ]:
        m, t = _pair(fn)
        assert str(m.dtype).rsplit(".")[-1] == str(t.dtype).rsplit(".")[-1]
        assert np.array_equal(m.numpy(), t.numpy())


def test_in_place_index_add_on_a_leaf_that_requires_grad_raises_like_torch():
    def call(L):
        x = L.zeros(3, requires_grad=True)
        x.index_add_(0, L.tensor([1]), L.ones(1))

    raises_like_torch(lambda: call(torch), lambda: call(minitorch))


def test_index_fill_value_gradient_counts_each_position_once():
    """index_fill with repeated indices fills a position once, so the value's gradient sums each position once."""
    g = np.arange(4.0, dtype=np.float32)

    def run(L):
        x = L.zeros(4, requires_grad=True)
        v = L.tensor(2.0, requires_grad=True)
        x.index_fill(0, L.tensor([1, 1, 2]), v).backward(L.tensor(g))
        return x.grad, v.grad

    (mx, mv), (tx, tv) = _pair(run)
    assert_close(mx, tx)
    assert_close(mv, tv)


@pytest.mark.parametrize("call", [
    lambda x: x.unsqueeze_(1), lambda x: x.unsqueeze_(-1).squeeze_(), lambda x: x.t_(),
    lambda x: x.transpose_(0, 1), lambda x: x.swapdims_(1, 0), lambda x: x.swapaxes_(0, 1),
    lambda x: x.unsqueeze_(0).squeeze_(0),
])
@pytest.mark.parametrize("device", devices())
def test_in_place_shape_methods_match_torch(call, device):
    def run(L, dev):
        x = L.arange(6.0, device=dev).reshape(2, 3).requires_grad_(True)
        y = x * 2
        out = call(y)
        assert out is y, "an in-place method returns the tensor itself"
        (y * L.arange(6.0, device=dev).reshape(y.shape)).sum().backward()
        return y, x.grad

    (my, mg), (ty, tg) = run(minitorch, device), run(torch, None)
    assert tuple(my.shape) == tuple(ty.shape) and my.stride() == ty.stride()
    assert_close(my, ty)
    assert_close(mg, tg)


def test_in_place_shape_method_on_a_leaf_that_requires_grad_raises_like_torch():
    raises_like_torch(lambda: torch.zeros(3, requires_grad=True).unsqueeze_(0),
                      lambda: minitorch.zeros(3, requires_grad=True).unsqueeze_(0))


@pytest.mark.parametrize("call", [
    lambda L: L.zeros(2, 3).put(L.tensor([6]), L.ones(1)),  # past the end
    lambda L: L.zeros(2, 3).put(L.tensor([0, 1]), L.ones(3)),  # source/index counts differ
    lambda L: L.zeros(2, 3).sum_to_size(2),
    lambda L: L.zeros(2, 3, 4).H,
    lambda L: L.zeros(3).H,
])
def test_put_sum_to_size_and_H_errors_like_torch(call):
    raises_like_torch(lambda: call(torch), lambda: call(minitorch))


def test_apply_and_map_call_python_per_element_like_torch():
    def run(L):
        x = L.arange(6.0).reshape(2, 3)
        y = x.clone().apply_(lambda v: v * v - 1)
        z = y.clone().map_(L.tensor([1.0, 2.0, 3.0]), lambda a, b: a / b)
        return y, z

    for m, t in zip(run(minitorch), run(torch)):
        assert_close(m, t)
    with pytest.raises(RuntimeError):
        minitorch.zeros(3, requires_grad=True).apply_(lambda v: v)
