"""The backend seam: array-module lookup, devices, dtypes, RNG ownership, DLPack, cuda fallbacks."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
from minitorch import backend
from minitorch.backend import arrays

from .helpers import require_torch


def test_xp_of_numpy_array_is_numpy():
    assert backend.xp_of(np.zeros(3)) is np
    assert backend.xp_of(minitorch.zeros(3).array) is np


def test_xp_of_routes_cupy_arrays_to_the_cupy_module(monkeypatch):
    """Without a GPU, a stand-in class from a 'cupy' module proves the seam picks cupy for it."""
    sentinel = object()
    fake_array_type = type("ndarray", (), {"__module__": "cupy._core.core"})
    monkeypatch.setattr(arrays, "cupy_module", lambda: sentinel)
    assert arrays.xp_of(fake_array_type()) is sentinel
    assert arrays.is_cupy_array(fake_array_type())
    assert not arrays.is_cupy_array(np.zeros(1))


def test_cuda_unavailable_is_false_not_an_error():
    assert isinstance(minitorch.cuda.is_available(), bool)
    if not minitorch.cuda.is_available():
        assert minitorch.cuda.device_count() == 0
        with pytest.raises(RuntimeError, match="CUDA is not available|cuda"):
            minitorch.zeros(2, device="cuda")
        with pytest.raises(RuntimeError, match="cuda"):
            minitorch.ones(3).to("cuda")


def test_cupy_import_failure_means_no_gpu(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_cupy(name, *args, **kwargs):
        if name == "cupy":
            raise ImportError("no cupy here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_cupy)
    monkeypatch.setattr(arrays, "_cupy_checked", False)
    monkeypatch.setattr(arrays, "_cupy", None)
    monkeypatch.setattr(arrays, "_cupyx", None)
    assert arrays.cupy_module() is None
    assert minitorch.cuda.is_available() is False


def test_device_parsing_and_equality():
    assert str(minitorch.device("cuda:1")) == "cuda:1"
    assert minitorch.device("cpu") == minitorch.device("cpu")
    assert minitorch.device("cpu").type == "cpu"
    assert minitorch.ones(2).device == minitorch.device("cpu")
    with pytest.raises(RuntimeError, match="device type"):
        minitorch.device("tpu")


def test_dtype_names_and_conversion():
    assert repr(minitorch.float32) == "torch.float32"  # as torch prints it (tests/test_construction_compat.py)
    assert minitorch.ones(2).dtype is minitorch.float32
    assert minitorch.ones(2, dtype=minitorch.float64).dtype is minitorch.float64
    assert minitorch.arange(3).dtype is minitorch.int64
    assert minitorch.tensor([True]).dtype is minitorch.bool
    assert backend.to_dtype("float64") is minitorch.float64
    assert backend.to_dtype(np.int32) is minitorch.int32


def test_rng_is_owned_by_minitorch_not_numpy_global():
    minitorch.manual_seed(123)
    a = minitorch.rand(5).numpy().copy()
    np.random.seed(0)
    np.random.rand(100)  # touching NumPy's global state changes nothing
    minitorch.manual_seed(123)
    b = minitorch.rand(5).numpy()
    np.testing.assert_array_equal(a, b)
    g = minitorch.Generator().manual_seed(7)
    c = minitorch.randn(4, generator=g).numpy()
    d = minitorch.randn(4, generator=minitorch.Generator().manual_seed(7)).numpy()
    np.testing.assert_array_equal(c, d)


def test_numpy_on_a_grad_tensor_raises_like_torch():
    x = minitorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0, 1.0]


def test_dlpack_roundtrip_with_torch_is_zero_copy():
    torch = require_torch()
    t = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    m = minitorch.from_dlpack(t)
    assert m.shape == (2, 3) and m.dtype is minitorch.float32
    t[0, 0] = 42.0
    assert m[0, 0].item() == 42.0  # shares memory
    back = torch.from_dlpack(m)
    m.array[1, 2] = -1.0
    assert back[1, 2].item() == -1.0
    with pytest.raises(RuntimeError, match="require"):
        minitorch.ones(2, requires_grad=True).__dlpack__()


def test_dlpack_from_numpy():
    a = np.arange(4.0)
    m = minitorch.from_dlpack(a)
    a[0] = 9
    assert m[0].item() == 9


@pytest.mark.skipif(not minitorch.cuda.is_available(), reason="no CUDA GPU / cupy here: cuda cases skipped")
def test_cuda_tensor_roundtrip_and_numpy_error():
    x = minitorch.arange(4.0).cuda()
    assert x.device.type == "cuda"
    with pytest.raises(TypeError, match="cpu"):
        x.numpy()
    assert x.cpu().tolist() == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(RuntimeError, match="cuda.*cpu|cpu.*cuda"):
        x + minitorch.ones(4)
