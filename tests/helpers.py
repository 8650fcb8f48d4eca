"""Shared test helpers: the one place tests import torch from, and conversions to/from it."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch


def require_torch():
    """Import torch, or skip the calling test module with a clear reason."""
    return pytest.importorskip("torch", reason="torch is not installed: comparisons against PyTorch skipped")


def to_torch(x, requires_grad: bool | None = None):
    """A torch tensor with the same values (float64 stays float64)."""
    torch = require_torch()
    arr = x.detach().cpu().numpy() if isinstance(x, minitorch.Tensor) else np.asarray(x)
    t = torch.from_numpy(np.array(arr, copy=True))
    if requires_grad if requires_grad is not None else getattr(x, "requires_grad", False):
        t.requires_grad_(True)
    return t


def to_mt(t, requires_grad: bool | None = None):
    """A minitorch tensor with the same values as a torch tensor."""
    mt = minitorch.tensor(t.detach().cpu().numpy().copy())
    if requires_grad if requires_grad is not None else t.requires_grad:
        mt.requires_grad_(True)
    return mt


def assert_close(actual, expected, rtol: float = 1e-5, atol: float = 1e-6, msg: str = ""):
    """Compare a minitorch/NumPy value with a torch/NumPy value elementwise (shapes must match)."""
    a = actual.detach().cpu().numpy() if isinstance(actual, minitorch.Tensor) else np.asarray(actual)
    e = expected.detach().cpu().numpy() if hasattr(expected, "detach") else np.asarray(expected)
    assert a.shape == e.shape, f"{msg} shape {a.shape} != expected {e.shape}"
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=msg, equal_nan=True)


def devices():
    """The devices to parametrise over: cpu always, cuda when a GPU is usable (skipped otherwise)."""
    return [
        "cpu",
        pytest.param(
            "cuda",
            marks=pytest.mark.skipif(
                not minitorch.cuda.is_available(), reason="no CUDA GPU / cupy here: cuda cases skipped"
            ),
        ),
    ]


requires_cuda = pytest.mark.skipif(
    not minitorch.cuda.is_available(), reason="no CUDA GPU / cupy here: cuda cases skipped"
)


def cuda_is_fake() -> bool:
    """True when the cuda device is tests/fakecupy (MINITORCH_FAKE_GPU=1), not a real GPU."""
    module = minitorch.backend.cupy_module()
    return module is not None and module.__name__.endswith("fakecupy")


def no_host_sync():
    """A context in which any GPU -> host sync raises (CuPy's ``cupyx.allow_synchronize(False)``)."""
    return minitorch.backend.cupyx_module().allow_synchronize(False)


def raises_like_torch(torch_call, minitorch_call) -> BaseException:
    """Both calls must raise, minitorch's exception an instance of torch's exception type (of its builtin
    base when torch raises one of its own classes). Returns minitorch's exception."""
    with pytest.raises(Exception) as torch_err:
        torch_call()
    expected = type(torch_err.value)
    if expected.__module__.startswith("torch"):
        expected = next(b for b in expected.__mro__ if b.__module__ == "builtins")
    with pytest.raises(Exception) as mt_err:
        minitorch_call()
    assert isinstance(mt_err.value, expected), (
        f"minitorch raised {type(mt_err.value).__name__}: {mt_err.value}; torch raises {expected.__name__}"
    )
    return mt_err.value
