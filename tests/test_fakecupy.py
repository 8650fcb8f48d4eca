"""tests/fakecupy keeps CuPy's rules (so cuda-path tests that pass on it mean something), and the backend
seam routes the cuda device to whatever module ``use_gpu_module`` installs."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
from minitorch.backend import arrays
from tests import fakecupy as cp


def test_mixing_with_numpy_arrays_raises_like_cupy():
    a = cp.arange(3.0)
    with pytest.raises(TypeError, match="Unsupported type"):
        a + np.ones(3)
    with pytest.raises(TypeError, match="Unsupported type"):
        cp.maximum(np.ones(3), a)
    with pytest.raises(TypeError, match="Unsupported type"):
        cp.concatenate([a, np.ones(3)])
    with pytest.raises(TypeError, match="Unsupported type"):
        a[...] = np.ones(3)
    assert (a + np.float32(2)).dtype == np.float64  # NumPy scalars are fine


def test_implicit_host_conversion_raises_and_explicit_copies_are_counted():
    a = cp.arange(4.0)
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(a)
    with cp.count_syncs() as n:
        a.get()
        float(a.sum())
        a.tolist()
        bool(a[0] == 0)
    assert n["count"] == 4
    with cp.allow_synchronize(False), pytest.raises(cp.DeviceSynchronized):
        a.sum().item()


def test_only_names_cupy_has_exist():
    assert cp.zeros is not None and cp.linalg.qr is not None
    with pytest.raises(AttributeError):
        cp.errstate  # noqa: B018 - CuPy has no errstate
    with pytest.raises(AttributeError):
        cp.random.default_rng(0).permutation(3)  # CuPy's Generator has no permutation (nor normal)
    with pytest.raises(AttributeError):
        cp.arange(3).resize  # noqa: B018
    with pytest.raises(TypeError, match="no implementation found"):
        np.insert(cp.ones(3), 0, 1.0)  # CuPy has no insert


def test_ufunc_methods_and_scatter_dtypes_follow_cupy():
    a = cp.arange(6.0).reshape(2, 3)
    assert np.add.reduce(a, axis=0).shape == (3,)
    with pytest.raises(NotImplementedError):
        np.maximum.reduce(a, axis=0)
    with pytest.raises(NotImplementedError):
        np.multiply.at(a, (cp.asarray(np.array([0])),), 2.0)
    with pytest.raises(TypeError, match="scatter_add only supports"):
        cp.cupyx.scatter_add(cp.zeros(3, dtype=np.int64), cp.asarray(np.array([0, 0])), 1)
    out = cp.zeros(3)
    cp.cupyx.scatter_add(out, cp.asarray(np.array([0, 0, 2])), 1.0)
    np.testing.assert_array_equal(out.get(), [2.0, 0.0, 1.0])


def test_reductions_give_0d_arrays_and_out_of_range_indices_wrap():
    a = cp.arange(4.0)
    assert isinstance(a.sum(), cp.ndarray) and a.sum().shape == ()
    assert isinstance(a[1], cp.ndarray)
    np.testing.assert_array_equal(a[cp.asarray(np.array([5, -1]))].get(), [1.0, 3.0])


def test_asarray_copies_host_memory():
    host = np.zeros(3)
    dev = cp.asarray(host)
    host[0] = 5
    assert dev.get()[0] == 0


def test_use_gpu_module_routes_the_cuda_device(monkeypatch):
    monkeypatch.setattr(arrays, "_cupy_checked", True)
    monkeypatch.setattr(arrays, "_cupy", None)
    monkeypatch.setattr(arrays, "_cupyx", None)
    minitorch.backend.use_gpu_module(cp, cp.cupyx)
    assert minitorch.cuda.is_available() and minitorch.backend.cupyx_module() is cp.cupyx
    t = minitorch.ones(2, device="cuda")
    assert isinstance(t.array, cp.ndarray) and t.device.type == "cuda"
    assert minitorch.backend.xp_of(t.array) is cp
    minitorch.backend.use_gpu_module(None, None)
    assert not minitorch.cuda.is_available()
    with pytest.raises(RuntimeError, match="cuda"):
        minitorch.ones(2, device="cuda")


def test_api_lists_come_from_a_real_cupy_dump():
    assert cp._API["cupy_version"].split(".")[0].isdigit()
    assert {"add", "exp", "maximum"} <= set(cp._API["ufuncs"])
    assert "standard_normal" in cp._API["random.Generator"] and "normal" not in cp._API["random.Generator"]


def test_keyword_arguments_cupy_lacks_are_refused():
    with pytest.raises(TypeError, match="sparse"):
        cp.indices((2, 3), sparse=True)
    a = cp.ones(3)
    with pytest.raises(TypeError, match="where"):
        np.add(a, a, where=cp.ones(3, dtype=bool))
    with pytest.raises(TypeError, match="initial"):
        a.max(initial=0.0)
    assert a.sum(axis=0, keepdims=True).shape == (1,)


def test_arrays_defer_to_tensors_like_cupy():
    """``gpu_array * tensor`` runs Tensor.__rmul__ (Tensor's __array_priority__ is higher), as with CuPy."""
    import minitorch

    a = cp.ones(2)

    class Tensorish:
        __array_priority__ = 1000

        def __rmul__(self, other):
            return "tensor"

    assert a * Tensorish() == "tensor"
    assert minitorch.Tensor.__array_priority__ > cp.ndarray.__array_priority__
