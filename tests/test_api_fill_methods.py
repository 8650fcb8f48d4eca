"""The Tensor-method side of the API fill against torch: the in-place variants (values, dtype rules, graph),
comparison aliases, ``is_*`` predicates and device properties, output_nr, dim_order, resize, share_memory_."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitorch

from .helpers import raises_like_torch, require_torch

torch = require_torch()

RNG = np.random.default_rng(1)


def _pair(a):
    return minitorch.tensor(np.array(a, copy=True)), torch.from_numpy(np.array(a, copy=True))


def _np(t):
    return t.detach().cpu().numpy()


POS = RNG.uniform(0.2, 3.0, (3, 4)).astype(np.float32)
ANY = RNG.uniform(-3.0, 3.0, (3, 4)).astype(np.float32)
OTHER = RNG.uniform(0.5, 2.0, (4,)).astype(np.float32)

UNARY = ["cos_", "sin_", "ceil_", "floor_", "round_", "trunc_", "log1p_", "log2_", "log10_", "sign_", "rsqrt_",
         "reciprocal_", "square_", "negative_", "absolute_", "fix_", "logical_not_", "bitwise_not_"]
BINARY = ["remainder_", "divide_", "multiply_", "subtract_", "true_divide_", "floor_divide_", "eq_", "ne_", "lt_",
          "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_", "less_equal_", "not_equal_", "logical_and_",
          "logical_or_", "logical_xor_", "fmax", "fmin"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_in_place(name):
    src = (POS * 3).astype(np.int32) if name == "bitwise_not_" else POS
    m, t = _pair(src)
    r = getattr(m, name)()
    getattr(t, name)()
    assert r is m
    assert str(m.dtype).replace("minitorch", "torch") == str(t.dtype)
    np.testing.assert_allclose(_np(m), _np(t), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", BINARY)
def test_binary_in_place(name):
    m, t = _pair(ANY)
    mo, to = _pair(OTHER)
    r = getattr(m, name)(mo)
    rt = getattr(t, name)(to)
    if name.endswith("_"):
        assert r is m
        np.testing.assert_allclose(_np(m), _np(t), rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(_np(r), _np(rt), rtol=1e-5, atol=1e-6)
    m, t = _pair(ANY)
    if name.endswith("_") and not name.startswith("logical"):  # torch's logical_*_ take tensors only
        getattr(m, name)(1.5)
        getattr(t, name)(1.5)
        np.testing.assert_allclose(_np(m), _np(t), rtol=1e-5, atol=1e-6)


def test_in_place_with_arguments_and_graph():
    m, t = _pair(ANY)
    m.cumsum_(1)
    t.cumsum_(1)
    np.testing.assert_allclose(_np(m), _np(t), rtol=1e-5)
    m, t = _pair(ANY)
    m.divide_(2.0, rounding_mode="floor")
    t.divide_(2.0, rounding_mode="floor")
    np.testing.assert_allclose(_np(m), _np(t))
    m, t = _pair(ANY)
    m.round_(decimals=1)
    t.round_(decimals=1)
    np.testing.assert_allclose(_np(m), _np(t), rtol=1e-5)
    # gradient through an in-place op on a non-leaf
    a, b = _pair(POS)
    a.requires_grad_(True)
    b.requires_grad_(True)
    ya, yb = a * 2, b * 2
    ya.log1p_()
    yb.log1p_()
    ya.sum().backward()
    yb.sum().backward()
    np.testing.assert_allclose(_np(a.grad), _np(b.grad), rtol=1e-5)
    leaf = minitorch.ones(2, requires_grad=True)
    raises_like_torch(lambda: torch.ones(2, requires_grad=True).cos_(), lambda: leaf.cos_())


def test_in_place_dtype_rules():
    raises_like_torch(lambda: torch.tensor([1, 2]).log1p_(), lambda: minitorch.tensor([1, 2]).log1p_())
    m, t = _pair(np.array([True, False]))
    raises_like_torch(lambda: t.bitwise_or_(torch.tensor([3, 1])), lambda: m.bitwise_or_(minitorch.tensor([3, 1])))
    m, t = _pair(np.array([1.0, 2.0]))
    m.eq_(minitorch.tensor([1.0, 3.0]))
    t.eq_(torch.tensor([1.0, 3.0]))
    assert str(m.dtype).replace("minitorch", "torch") == str(t.dtype) and _np(m).tolist() == _np(t).tolist()
    m, t = _pair(np.array([5, -3], np.int64))
    m.lcm_(minitorch.tensor([3, 4]))
    t.lcm_(torch.tensor([3, 4]))
    np.testing.assert_array_equal(_np(m), _np(t))
    m, t = _pair(np.array([1.0, 2.0]))
    m.ldexp_(minitorch.tensor([1, 2]))
    t.ldexp_(torch.tensor([1, 2]))
    np.testing.assert_array_equal(_np(m), _np(t))
    for name in ("nextafter_", "igamma_", "igammac_"):
        m, t = _pair(POS)
        getattr(m, name)(minitorch.tensor(OTHER))
        getattr(t, name)(torch.from_numpy(OTHER.copy()))
        np.testing.assert_allclose(_np(m), _np(t), rtol=1e-5)


def test_comparison_aliases():
    for name in ("greater", "greater_equal", "less", "less_equal", "not_equal"):
        m, t = _pair(ANY)
        np.testing.assert_array_equal(_np(getattr(m, name)(0.5)), _np(getattr(t, name)(0.5)))
        np.testing.assert_array_equal(_np(getattr(minitorch, name)(m, 0.5)), _np(getattr(torch, name)(t, 0.5)))


PROPERTIES = ["is_cpu", "is_meta", "is_quantized", "is_sparse", "is_sparse_csr", "is_nested", "is_mkldnn",
              "is_xla", "is_mps", "is_ipu", "is_xpu", "is_mtia", "is_maia", "is_vulkan"]


@pytest.mark.parametrize("name", PROPERTIES)
def test_device_properties(name):
    m, t = _pair(ANY)
    assert getattr(m, name) == getattr(t, name)
    assert isinstance(getattr(m, name), bool)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"])
def test_is_signed(dtype):
    assert minitorch.ones(2, dtype=getattr(minitorch, dtype)).is_signed() == \
        torch.ones(2, dtype=getattr(torch, dtype)).is_signed()


def test_predicates():
    for vals in ([0.0], [2.0], [[3]]):
        m, t = _pair(np.array(vals))
        assert m.is_nonzero() == t.is_nonzero()
    for vals in ([], [1.0, 2.0]):
        m, t = _pair(np.array(vals))
        raises_like_torch(t.is_nonzero, m.is_nonzero)
    m, t = _pair(ANY)
    assert m.is_same_size(minitorch.ones(3, 4)) and not m.is_same_size(minitorch.ones(4, 3))
    assert m.is_inference() is t.is_inference() is False
    assert m.is_neg() is t.is_neg() is False
    assert m.is_shared() is t.is_shared() is False
    assert m.is_distributed() is t.is_distributed() is False
    assert m.share_memory_() is m
    assert m.resolve_neg() is m
    assert m.is_set_to(m) and not m.is_set_to(m.view(12)) and not m.is_set_to(m.clone())
    assert m.const_data_ptr() == m.data_ptr()


def test_output_nr():
    a = minitorch.ones(3, 2, requires_grad=True)
    b = torch.ones(3, 2, requires_grad=True)
    assert a.output_nr == b.output_nr == 0
    assert (a * 2).output_nr == (b * 2).output_nr == 0
    for i in range(3):
        assert minitorch.unbind(a * 1)[i].output_nr == torch.unbind(b * 1)[i].output_nr == i
    assert minitorch.ones(2).output_nr == 0


@pytest.mark.parametrize("make", [lambda lib: lib.ones(2, 3, 4), lambda lib: lib.ones(2, 3, 4).permute(2, 0, 1),
                                  lambda lib: lib.ones(3, 4).t(), lambda lib: lib.ones(2, 1, 4)])
def test_dim_order(make):
    assert make(minitorch).dim_order() == make(torch).dim_order()


def test_resize_and_resize_as():
    m, t = _pair(ANY)
    m.requires_grad_(True)
    t.requires_grad_(True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        rm = m.resize(4, 3)
        assert any("deprecated" in str(x.message) for x in w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rt = t.resize(4, 3)
        raises_like_torch(lambda: t.resize(5, 3), lambda: m.resize(5, 3))
        rm2, rt2 = m.resize_as(minitorch.ones(2, 6)), t.resize_as(torch.ones(2, 6))
    np.testing.assert_array_equal(_np(rm), _np(rt))
    np.testing.assert_array_equal(_np(rm2), _np(rt2))
    (rm * rm).sum().backward()
    (rt * rt).sum().backward()
    np.testing.assert_allclose(_np(m.grad), _np(t.grad))


def test_hardshrink_prelu_methods():
    m, t = _pair(ANY)
    np.testing.assert_allclose(_np(m.hardshrink(1.0)), _np(t.hardshrink(1.0)))
    w = np.array([0.25], np.float32)
    np.testing.assert_allclose(_np(m.prelu(minitorch.tensor(w))), _np(t.prelu(torch.from_numpy(w))))


def test_removed_functions_raise_like_torch():
    m, t = _pair(np.eye(2, dtype=np.float32))
    for name in ("eig", "symeig"):
        raises_like_torch(getattr(t, name), getattr(m, name))
    for name in ("lstsq", "solve"):
        raises_like_torch(lambda n=name: getattr(t, n)(t), lambda n=name: getattr(m, n)(m))


def test_storage_offset_and_new_empty_strided():
    m, t = _pair(ANY)
    for idx in ((1,), (slice(1, None), 2), (slice(None), slice(1, 3))):
        assert m[idx].storage_offset() == t[idx].storage_offset()
    assert m.t()[2].storage_offset() == t.t()[2].storage_offset()
