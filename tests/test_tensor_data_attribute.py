"""``Tensor.data`` as in torch: a Tensor sharing the array, outside the graph; ``Tensor.array`` is the raw array.

The idioms below come from PyTorch's own tutorials (CIFAR-10, DCGAN, word language model) and from
common training code; each is run in torch and in minitorch and the results compared.
"""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
from tests.helpers import assert_close, require_torch

torch = require_torch()


def _pair(values, requires_grad=False):
    arr = np.asarray(values, dtype=np.float32)
    return torch.tensor(arr, requires_grad=requires_grad), minitorch.tensor(arr, requires_grad=requires_grad)


def test_data_is_a_detached_tensor_sharing_the_array():
    x = minitorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = x.data
    assert isinstance(d, minitorch.Tensor) and not d.requires_grad and d.grad_fn is None
    assert d.array is x.array  # no copy
    d[0] = 10.0
    assert x.tolist() == [10.0, 2.0, 3.0]
    assert isinstance(x.array, np.ndarray)


def test_max_of_outputs_data_gives_the_argmax_like_the_cifar_tutorial():
    t, m = _pair([[0.1, 0.9, 0.0], [0.7, 0.2, 0.1]], requires_grad=True)
    tv, ti = torch.max(t.data, 1)
    mv, mi = minitorch.max(m.data, 1)
    assert_close(mv, tv)
    assert mi.tolist() == ti.tolist()
    assert m.data.max(1)[1].tolist() == t.data.max(1)[1].tolist()  # the old `pred = out.data.max(1)[1]`


def test_init_through_data_and_in_place_updates_reach_the_parameter():
    lin = minitorch.nn.Linear(4, 3)
    minitorch.nn.init.normal_(lin.weight.data, 0.0, 0.02)  # DCGAN's weights_init
    lin.bias.data.fill_(0.5)
    assert lin.bias.tolist() == [0.5, 0.5, 0.5]
    w_before = lin.weight.detach().clone()
    lin(minitorch.ones(2, 4)).sum().backward()
    lin.weight.data.add_(lin.weight.grad, alpha=-0.1)  # word_language_model's manual SGD
    assert_close(lin.weight, w_before - 0.1 * lin.weight.grad)
    lin.weight.grad.data.zero_()
    assert float(lin.weight.grad.abs().sum()) == 0.0


@pytest.mark.parametrize("name", ["norm", "clone", "cpu_numpy", "ema", "copy"])
def test_common_data_idioms_match_torch(name):
    tp, mp = _pair([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    te, me = _pair([[0.0, 1.0], [1.0, 0.0]])
    (tp * tp).sum().backward()
    (mp * mp).sum().backward()
    if name == "norm":
        assert_close(mp.grad.data.norm(2), tp.grad.data.norm(2))
    elif name == "clone":
        assert_close(mp.data.clone(), tp.data.clone())
    elif name == "cpu_numpy":
        np.testing.assert_array_equal(mp.data.cpu().numpy(), tp.data.cpu().numpy())
    elif name == "ema":
        te.data.mul_(0.9).add_(tp.data, alpha=0.1)
        me.data.mul_(0.9).add_(mp.data, alpha=0.1)
        assert_close(me, te)
    else:
        te.data.copy_(tp.data)
        me.data.copy_(mp.data)
        assert_close(me, te)


def test_assigning_data_replaces_the_array_shape_and_dtype_included():
    for lib in (torch, minitorch):
        p = lib.nn.Parameter(lib.zeros(2, 3))
        p.data = lib.ones(4, dtype=lib.float64)
        assert tuple(p.shape) == (4,) and p.dtype == lib.float64 and p.requires_grad
        assert p.tolist() == [1.0, 1.0, 1.0, 1.0]


def test_in_place_change_through_data_is_not_tracked_like_torch():
    """torch: writes through .data bypass the version counter, so backward uses the changed values silently."""
    results = []
    for lib in (torch, minitorch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        z = (y * y).sum()
        y.data.mul_(2)  # no error at backward: .data is outside autograd's bookkeeping
        z.backward()
        results.append(x.grad.tolist())
    assert results[0] == results[1]


def test_data_of_a_non_leaf_is_a_leaf_without_grad():
    for lib in (torch, minitorch):
        x = lib.ones(2, requires_grad=True)
        y = (x * 2).data
        assert y.is_leaf and not y.requires_grad
        with pytest.raises(RuntimeError):
            y.sum().backward()
