"""Bad input to the core raises torch's exception type, with a message naming the op and the shapes."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch

from .helpers import raises_like_torch, require_torch

torch = require_torch()


def _z(L, *shape, dtype=None):
    return L.zeros(*shape) if dtype is None else L.zeros(*shape, dtype=getattr(L, dtype))


# (id, fn(L), words the minitorch message must contain)
CASES = [
    ("add_broadcast", lambda L: _z(L, 2, 3) + _z(L, 4), ["add", "3", "4"]),
    ("mul_broadcast", lambda L: _z(L, 2, 3) * _z(L, 3, 2), ["mul", "[2, 3]", "[3, 2]"]),
    ("sub_broadcast", lambda L: L.sub(_z(L, 5), _z(L, 2)), ["sub", "5", "2"]),
    ("div_broadcast", lambda L: _z(L, 2, 1, 3) / _z(L, 4, 2), ["div", "3", "2"]),
    ("pow_broadcast", lambda L: _z(L, 3) ** _z(L, 2), ["pow", "3", "2"]),
    ("maximum_broadcast", lambda L: L.maximum(_z(L, 3), _z(L, 2)), ["maximum", "3", "2"]),
    ("where_broadcast", lambda L: L.where(_z(L, 3) > 0, _z(L, 3), _z(L, 2)), ["where", "3", "2"]),
    ("matmul_inner", lambda L: _z(L, 2, 3) @ _z(L, 4, 5), ["matmul", "(2, 3)", "(4, 5)"]),
    ("matmul_1d", lambda L: _z(L, 3) @ _z(L, 4), ["matmul", "3", "4"]),
    ("matmul_0d", lambda L: L.matmul(L.zeros(()), _z(L, 3)), ["matmul", "0D"]),
    ("matmul_batched", lambda L: _z(L, 2, 2, 3) @ _z(L, 3, 3, 4), ["matmul", "(2, 2, 3)", "(3, 3, 4)"]),
    ("mm_not_2d", lambda L: L.mm(_z(L, 2, 3, 4), _z(L, 4, 2)), ["mm", "3D"]),
    ("cat_sizes", lambda L: L.cat([_z(L, 2, 3), _z(L, 2, 4)]), ["cat", "[2, 3]", "[2, 4]"]),
    ("cat_ndim", lambda L: L.cat([_z(L, 2, 3), _z(L, 3)]), ["cat", "2", "1"]),
    ("cat_empty_list", lambda L: L.cat([]), ["cat"]),
    ("cat_bad_dim", lambda L: L.cat([_z(L, 2), _z(L, 2)], dim=1), ["cat", "1"]),
    ("stack_sizes", lambda L: L.stack([_z(L, 2), _z(L, 3)]), ["stack", "[2]", "[3]"]),
    ("view_wrong_size", lambda L: _z(L, 2, 3).view(4, 2), ["[4, 2]", "6"]),
    ("reshape_wrong_size", lambda L: _z(L, 2, 3).reshape(5), ["[5]", "6"]),
    ("expand_bad", lambda L: _z(L, 2, 3).expand(4, 3), ["expand", "[4, 3]", "[2, 3]"]),
    ("expand_fewer_dims", lambda L: _z(L, 2, 3).expand(3), ["expand", "[3]", "[2, 3]"]),
    ("repeat_fewer_dims", lambda L: _z(L, 2, 3).repeat(2), ["repeat"]),
    ("permute_len", lambda L: _z(L, 2, 3).permute(0, 1, 2), ["permute", "2", "3"]),
    ("permute_dup", lambda L: _z(L, 2, 3).permute(0, 0), ["permute"]),
    ("sum_bad_dim", lambda L: _z(L, 2, 3).sum(dim=2), ["sum", "[-2, 1]", "2"]),
    ("mean_bad_dim", lambda L: _z(L, 2, 3).mean(-3), ["mean", "-3"]),
    ("softmax_bad_dim", lambda L: _z(L, 2, 3).softmax(dim=5), ["softmax", "5"]),
    ("max_bad_dim", lambda L: _z(L, 2, 3).max(dim=2), ["max", "2"]),
    ("transpose_bad_dim", lambda L: _z(L, 2, 3).transpose(0, 3), ["transpose", "3"]),
    ("unsqueeze_bad_dim", lambda L: _z(L, 2, 3).unsqueeze(4), ["unsqueeze", "4"]),
    ("squeeze_bad_dim", lambda L: _z(L, 2, 3).squeeze(2), ["squeeze", "2"]),
    ("flatten_bad_dim", lambda L: _z(L, 2, 3).flatten(3), ["flatten", "3"]),
    ("cumsum_bad_dim", lambda L: _z(L, 2, 3).cumsum(2), ["cumsum", "2"]),
    ("gather_bad_dim", lambda L: _z(L, 2, 3).gather(2, L.zeros(2, 3, dtype=L.int64)), ["gather", "2"]),
    ("split_bad_sizes", lambda L: _z(L, 5).split([2, 2]), ["split", "5", "[2, 2]"]),
    ("mean_of_int", lambda L: L.tensor([1, 2]).mean(), ["mean", "int64"]),
    ("getitem_float_index", lambda L: _z(L, 3)[L.tensor([0.0, 1.0])], ["indices", "float32"]),
    ("getitem_out_of_range", lambda L: _z(L, 3)[5], ["index", "5", "[3]"]),
    ("getitem_too_many", lambda L: _z(L, 3)[0, 0], ["index", "[3]"]),
    ("gather_float_index", lambda L: _z(L, 2, 3).gather(1, L.zeros(2, 3)), ["gather", "int64", "float32"]),
    ("index_select_float_index", lambda L: _z(L, 2, 3).index_select(0, L.zeros(2)), ["index_select", "float32"]),
    ("index_select_2d_index", lambda L: _z(L, 2, 3).index_select(0, L.zeros(2, 2, dtype=L.int64)),
     ["index_select", "vector"]),
    ("index_select_out_of_range", lambda L: _z(L, 2, 3).index_select(1, L.tensor([0, 3])), ["index_select", "3"]),
    ("scatter_add_float_index", lambda L: _z(L, 2, 3).scatter_add(0, L.zeros(2, 3), _z(L, 2, 3)),
     ["scatter_add", "float32"]),
    ("gather_ndim", lambda L: _z(L, 2, 3).gather(1, L.zeros(2, dtype=L.int64)), ["gather", "[2]", "[2, 3]"]),
    ("masked_fill_float_mask", lambda L: _z(L, 2).masked_fill(_z(L, 2), 1.0), ["masked_fill", "float32"]),
    ("where_float_cond", lambda L: L.where(_z(L, 2), _z(L, 2), _z(L, 2)), ["where", "float32"]),
    ("requires_grad_int", lambda L: L.tensor([1, 2]).requires_grad_(), ["int64"]),
    ("item_many", lambda L: _z(L, 2).item(), ["2"]),
    ("clamp_no_bounds", lambda L: _z(L, 2).clamp(), ["clamp"]),
    ("sub_bool", lambda L: L.tensor([True]) - L.tensor([False]), ["sub", "bool"]),
    ("neg_bool", lambda L: -L.tensor([True]), ["neg", "bool"]),
    ("setitem_shape", lambda L: _setitem(_z(L, 2, 3), L), ["[2]", "[3]"]),
    ("backward_non_scalar", lambda L: (L.ones(3, requires_grad=True) * 2).backward(), ["scalar", "[3]"]),
    ("backward_no_grad", lambda L: L.ones(3).sum().backward(), ["does not require grad"]),
    ("grad_of_tensor_without_grad",
     lambda L: L.autograd.grad((L.ones(2, requires_grad=True) * 2).sum(), L.ones(2)), ["does not require grad"]),
    ("backward_gradient_shape",
     lambda L: (L.ones(3, requires_grad=True) * 2).backward(L.ones(2)), ["shape", "[2]", "[3]"]),
    ("zeros_negative", lambda L: L.zeros(2, -1), ["negative", "-1"]),
    ("randint_empty_range", lambda L: L.randint(3, 3, (2,)), ["3"]),
    ("arange_zero_step", lambda L: L.arange(0, 3, 0), ["step"]),
    ("chunk_zero", lambda L: _z(L, 4).chunk(0), ["chunk", "0"]),
    ("device_bad", lambda L: L.zeros(2, device="tpu"), ["tpu"]),
]


def _setitem(x, L):
    x[0] = L.zeros(2)


@pytest.mark.parametrize("fn,words", [pytest.param(fn, words, id=name) for name, fn, words in CASES])
def test_bad_input_raises_torch_exception_type_with_clear_message(fn, words):
    msg = str(raises_like_torch(lambda: fn(torch), lambda: fn(minitorch)))
    missing = [w for w in words if w not in msg]
    assert not missing, f"message {msg!r} should mention {missing}"


def test_mixed_device_error_names_both_devices():
    if not minitorch.cuda.is_available():
        pytest.skip("needs a GPU to mix devices")
    with pytest.raises(RuntimeError, match="cpu.*cuda|cuda.*cpu"):
        minitorch.zeros(2) + minitorch.zeros(2, device="cuda")


def test_numpy_index_of_floats_raises_index_error():
    with pytest.raises(IndexError, match="float"):
        minitorch.zeros(3)[np.array([0.5])]
