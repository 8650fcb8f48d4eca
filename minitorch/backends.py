"""``minitorch.backends``: the switches PyTorch scripts set, accepted so those scripts run.

minitorch calls no cuDNN (convolutions are im2col + a cuBLAS GEMM through CuPy), has no fused attention
kernels (``scaled_dot_product_attention`` is always the math path) and no MPS device. So the flags below are
real settable attributes that keep what is written into them, with torch's defaults, but change nothing:
``cudnn.*``, ``cuda.matmul.allow_tf32`` (CuPy's matmul follows CuPy's own TF32 setting), the ``*_sdp``
switches, ``sdp_kernel(...)``. ``cudnn.is_available()`` and ``mps.is_available()`` are False.
"""
from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

__all__ = ["cpu", "cuda", "cudnn", "mps", "mkldnn", "openmp"]


class _Flags:
    """A namespace whose known flags can be read and set; an unknown name raises AttributeError."""

    def __init__(self, name: str, **flags) -> None:
        object.__setattr__(self, "_name", name)
        for k, v in flags.items():
            object.__setattr__(self, k, v)

    def __setattr__(self, key: str, value) -> None:
        if not hasattr(self, key):
            raise AttributeError(f"Unknown attribute {key}")
        object.__setattr__(self, key, value)

    def __repr__(self) -> str:
        return f"<minitorch.backends.{self._name}>"


class _CudnnModule(_Flags):
    def is_available(self) -> bool:
        return False

    def version(self) -> None:
        return None

    @contextlib.contextmanager
    def flags(self, enabled: bool = False, benchmark: bool = False, benchmark_limit: int = 10,
              deterministic: bool = False, allow_tf32: bool = True, fp32_precision: str = "none",
              depthwise_kernel: str = "auto") -> Iterator[None]:
        """Set the flags inside a ``with`` block and restore them after, as torch's ``cudnn.flags``."""
        names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")
        old = {k: getattr(self, k) for k in names}
        new = (enabled, benchmark, benchmark_limit, deterministic, allow_tf32)
        for k, v in zip(names, new):
            setattr(self, k, v)
        try:
            yield
        finally:
            for k, v in old.items():
                setattr(self, k, v)


cudnn = _CudnnModule("cudnn", enabled=True, benchmark=False, benchmark_limit=10, deterministic=False,
                     allow_tf32=True)

_SDP = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


class _CudaModule(_Flags):
    """``torch.backends.cuda``: matmul precision flags and the scaled-dot-product-attention backend switches."""

    def is_built(self) -> bool:
        from . import cuda as _cuda

        return _cuda.is_available()

    def enable_flash_sdp(self, enabled: bool) -> None:
        _SDP["flash"] = bool(enabled)

    def flash_sdp_enabled(self) -> bool:
        return _SDP["flash"]

    def enable_mem_efficient_sdp(self, enabled: bool) -> None:
        _SDP["mem_efficient"] = bool(enabled)

    def mem_efficient_sdp_enabled(self) -> bool:
        return _SDP["mem_efficient"]

    def enable_math_sdp(self, enabled: bool) -> None:
        _SDP["math"] = bool(enabled)

    def math_sdp_enabled(self) -> bool:
        return _SDP["math"]

    def enable_cudnn_sdp(self, enabled: bool) -> None:
        _SDP["cudnn"] = bool(enabled)

    def cudnn_sdp_enabled(self) -> bool:
        return _SDP["cudnn"]

    def is_flash_attention_available(self) -> bool:
        return False

    @contextlib.contextmanager
    def sdp_kernel(self, enable_flash: bool = True, enable_math: bool = True, enable_mem_efficient: bool = True,
                   enable_cudnn: bool = True) -> Iterator[None]:
        """Deprecated in torch (use ``torch.nn.attention.sdpa_kernel``): set the SDP switches for a block."""
        warnings.warn("`torch.backends.cuda.sdp_kernel()` is deprecated. In the future, this context manager will "
                      "be removed. Please see `torch.nn.attention.sdpa_kernel()` for the new context manager, "
                      "with updated signature.", FutureWarning, stacklevel=3)
        old = dict(_SDP)
        _SDP.update(flash=bool(enable_flash), math=bool(enable_math), mem_efficient=bool(enable_mem_efficient),
                    cudnn=bool(enable_cudnn))
        try:
            yield
        finally:
            _SDP.update(old)

    def preferred_linalg_library(self, backend=None):
        return backend

    def preferred_blas_library(self, backend=None):
        return backend


cuda = _CudaModule("cuda", matmul=_Flags("cuda.matmul", allow_tf32=False,
                                         allow_fp16_reduced_precision_reduction=True,
                                         allow_bf16_reduced_precision_reduction=True))


class _Available(_Flags):
    def __init__(self, name: str, available: bool, **flags) -> None:
        super().__init__(name, **flags)
        object.__setattr__(self, "_available", available)

    def is_available(self) -> bool:
        return self._available

    def is_built(self) -> bool:
        return self._available


mps = _Available("mps", False)
mkldnn = _Available("mkldnn", False, enabled=True)
openmp = _Available("openmp", False)
cpu = _Flags("cpu")
