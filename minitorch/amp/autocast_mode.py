"""Autocast: run chosen ops in a lower precision (float16) inside ``with minitorch.autocast(...)``.

How it works (the whole mechanism is in this file):

* ``_AutocastState.on`` is one class attribute, True while autocast is enabled for any device type.
  Every hooked op starts with ``if _AutocastState.on: args = autocast_args("op", *args)``: when
  autocast is off that is the only cost.
* ``autocast_args`` looks up the op in the policy table of the device type of its first Tensor
  argument, as torch's per-device autocast op lists do:
  ``LOWER`` ops (matmul, linear, conv, ...) cast floating inputs to the autocast dtype,
  ``FP32`` ops (losses, softmax on cuda, ...) cast float16 inputs up to float32,
  ``BANNED`` ops raise (``binary_cross_entropy`` on cuda). Other ops follow normal type promotion.
* The casts are ``ToCopy`` graph nodes, so gradients flow back in each input's own dtype
  (a float32 parameter gets a float32 ``.grad``). float64 and integer tensors are never cast.
* Casts of leaf parameters (float32, ``requires_grad``) are cached until the outermost autocast
  region exits (``cache_enabled``), so a weight used many times in one forward is cast once.
"""
from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..autograd.grad_mode import _GradState
from ..backend.device import device_of
from ..backend.dtype import dtype as _dtype_cls
from ..backend.dtype import float16, float32, float64, to_dtype
from ..ops.conversion import ToCopy
from ..tensor import Tensor

__all__ = [
    "autocast",
    "custom_bwd",
    "custom_fwd",
    "is_autocast_available",
    "is_autocast_enabled",
    "get_autocast_dtype",
    "set_autocast_dtype",
    "set_autocast_enabled",
    "is_autocast_cache_enabled",
    "set_autocast_cache_enabled",
    "clear_autocast_cache",
    "autocast_increment_nesting",
    "autocast_decrement_nesting",
    "get_autocast_gpu_dtype",
    "get_autocast_cpu_dtype",
    "is_autocast_cpu_enabled",
    "set_autocast_gpu_dtype",
    "set_autocast_cpu_dtype",
]

_DEVICE_TYPES = ("cpu", "cuda")


class _AutocastState:
    """The global autocast switches (per device type), read by every hooked op."""

    #: True while autocast is enabled for any device type: the one flag the hooks check
    on = False
    enabled = {"cpu": False, "cuda": False}
    #: lower-precision dtype per device type; torch's CPU default is bfloat16, which NumPy lacks
    dtype = {"cpu": float16, "cuda": float16}
    cache_enabled = True
    nesting = 0
    #: id(leaf parameter) -> (parameter, its cast): cleared when the outermost region exits
    cache: dict = {}


def _refresh_on() -> None:
    _AutocastState.on = any(_AutocastState.enabled.values())


# ---- op policies (torch's autocast op lists, per device type) ------------------------------------
LOWER, FP32, BANNED = "lower", "fp32", "banned"

_LOWER_COMMON = (
    "linear", "matmul", "mm", "bmm", "addmm", "baddbmm", "addbmm", "einsum",
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "prelu", "scaled_dot_product_attention",
)
_FP32_LOSSES = (
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss", "cosine_embedding_loss",
    "hinge_embedding_loss", "margin_ranking_loss", "multilabel_margin_loss", "soft_margin_loss",
    "triplet_margin_loss", "multi_margin_loss", "cdist",
)
#: torch's CPU lists: only the losses (and cdist, binary_cross_entropy) are forced to float32;
#: softmax, layer_norm, logsumexp, ... keep their input dtype.
_CPU_POLICY = {
    **dict.fromkeys(_LOWER_COMMON, LOWER),
    **dict.fromkeys(_FP32_LOSSES + ("binary_cross_entropy",), FP32),
}
#: torch's CUDA lists: more lower-precision ops (mv, addmv, addr) and more float32 ops
#: (softmax, log_softmax, layer_norm, group_norm, logsumexp, norm, normalize, softplus, ...).
_CUDA_POLICY = {
    **dict.fromkeys(_LOWER_COMMON + ("mv", "addmv", "addr"), LOWER),
    **dict.fromkeys(_FP32_LOSSES + (
        "softmax", "log_softmax", "layer_norm", "group_norm", "logsumexp", "norm", "normalize",
        "softplus", "cosine_similarity",
    ), FP32),
    "binary_cross_entropy": BANNED,
}
_POLICY = {"cpu": _CPU_POLICY, "cuda": _CUDA_POLICY}

_BANNED_MESSAGE = (
    "torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.\n"
    "Many models use a sigmoid layer right before the binary cross entropy layer.\n"
    "In this case, combine the two layers using torch.nn.functional.binary_cross_entropy_with_logits\n"
    "or torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and BCEWithLogits are\n"
    "safe to autocast."
)


def _cast_tensor(t, target_np, device_type: str):
    """``t`` cast to ``target_np`` when autocast may cast it (floating, not float64, on the device)."""
    if not isinstance(t, Tensor):
        return t
    arr = t.array
    if arr.dtype == target_np or arr.dtype.kind != "f" or arr.dtype == np.float64:
        return t
    if device_of(arr).type != device_type:
        return t
    st = _AutocastState
    cacheable = (st.cache_enabled and t._requires_grad and t._grad_fn is None and arr.dtype == np.float32
                 and target_np == st.dtype[device_type].np and _GradState.enabled)
    if cacheable:
        hit = st.cache.get(id(t))
        if hit is not None and hit[0] is t:
            return hit[1]
    out = ToCopy.apply(t, None, target_np)
    if cacheable:
        st.cache[id(t)] = (t, out)
    return out


def autocast_args(op: str, *args):
    """The hook every autocast-aware op calls (only when ``_AutocastState.on``): its arguments cast
    according to ``op``'s policy on the device type of the first Tensor argument."""
    device_type = None
    for a in args:
        if isinstance(a, Tensor):
            device_type = device_of(a.array).type
            break
    if device_type is None or not _AutocastState.enabled[device_type]:
        return args
    policy = _POLICY[device_type].get(op)
    if policy is None:
        return args
    if policy is BANNED:
        raise RuntimeError(_BANNED_MESSAGE)
    target = (_AutocastState.dtype[device_type] if policy is LOWER else float32).np
    return tuple(_cast_tensor(a, target, device_type) for a in args)


def autocast_call(op: str, fn, *args, **kwargs):
    """The hook of an op whose body calls other hooked ops (``cdist`` uses matmul): its Tensor arguments
    cast by ``op``'s policy, then ``fn`` run with autocast excluded, as torch runs an autocast op's
    internals (so a float32 op stays float32 inside)."""
    names = list(kwargs)
    cast = autocast_args(op, *args, *kwargs.values())
    st = _AutocastState
    st.on = False
    try:
        return fn(*cast[:len(args)], **dict(zip(names, cast[len(args):])))
    finally:
        _refresh_on()


# ---- state functions (torch.is_autocast_enabled & co.) -------------------------------------------
def _check_device_type(device_type: str, what: str) -> str:
    if device_type not in _DEVICE_TYPES:
        raise RuntimeError(f"{what}: unknown device type for autocast {device_type!r} (minitorch has 'cpu' and "
                           f"'cuda')")
    return device_type


def is_autocast_available(device_type: str) -> bool:
    """True for the device types minitorch can autocast on: ``'cpu'`` and ``'cuda'``."""
    return device_type in _DEVICE_TYPES


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for ``device_type`` (``'cuda'`` when omitted, as torch)."""
    return _AutocastState.enabled[_check_device_type(device_type or "cuda", "is_autocast_enabled")]


def set_autocast_enabled(device_type: str, enabled: bool) -> None:
    _AutocastState.enabled[_check_device_type(device_type, "set_autocast_enabled")] = bool(enabled)
    _refresh_on()


def get_autocast_dtype(device_type: str) -> _dtype_cls:
    """The dtype lower-precision ops run in under autocast on ``device_type`` (float16 by default)."""
    return _AutocastState.dtype[_check_device_type(device_type, "get_autocast_dtype")]


def set_autocast_dtype(device_type: str, dtype) -> None:
    _AutocastState.dtype[_check_device_type(device_type, "set_autocast_dtype")] = to_dtype(dtype)


def is_autocast_cache_enabled() -> bool:
    return _AutocastState.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    _AutocastState.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    _AutocastState.cache.clear()


def autocast_increment_nesting() -> int:
    _AutocastState.nesting += 1
    return _AutocastState.nesting


def autocast_decrement_nesting() -> int:
    _AutocastState.nesting -= 1
    return _AutocastState.nesting


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"torch.{old}() is deprecated. Please use torch.{new} instead.", DeprecationWarning, stacklevel=3)


def get_autocast_gpu_dtype() -> _dtype_cls:
    _deprecated("get_autocast_gpu_dtype", "get_autocast_dtype('cuda')")
    return get_autocast_dtype("cuda")


def get_autocast_cpu_dtype() -> _dtype_cls:
    _deprecated("get_autocast_cpu_dtype", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def set_autocast_gpu_dtype(dtype) -> None:
    _deprecated("set_autocast_gpu_dtype", "set_autocast_dtype('cuda', dtype)")
    set_autocast_dtype("cuda", dtype)


def set_autocast_cpu_dtype(dtype) -> None:
    _deprecated("set_autocast_cpu_dtype", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype)


def is_autocast_cpu_enabled() -> bool:
    _deprecated("is_autocast_cpu_enabled", "is_autocast_enabled('cpu')")
    return is_autocast_enabled("cpu")


# ---- the context manager / decorator ---------------------------------------------------------------
def _cuda_available() -> bool:
    from .. import cuda

    return cuda.is_available()


class autocast:
    """``with minitorch.autocast("cuda"):`` (or ``"cpu"``) runs the region's ops in mixed precision,
    as ``torch.autocast``: matmul / linear / conv run in ``dtype`` (float16), losses in float32.

    Also a decorator (``@minitorch.autocast("cpu")``); regions nest and restore the outer state;
    ``enabled=False`` switches autocast off inside an enabled region. Wrap only the forward pass
    and the loss; gradients come back in each input's own dtype.

    Differences from torch: the CPU default ``dtype`` is float16 (torch: bfloat16, which NumPy has
    no type for); asking for bfloat16 (or another unsupported dtype) warns and disables autocast.
    """

    def __init__(self, device_type: str, dtype=None, enabled: bool = True, cache_enabled: bool | None = None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if not is_autocast_available(device_type):
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
        self.device = device_type
        self._cache_enabled = is_autocast_cache_enabled() if cache_enabled is None else bool(cache_enabled)
        self._stack: list = []
        fast = get_autocast_dtype(device_type) if dtype is None else _as_autocast_dtype(dtype)
        if enabled:
            if device_type == "cuda" and not _cuda_available():
                warnings.warn("CUDA is not available (minitorch needs CuPy and a GPU). Disabling autocast.",
                              stacklevel=2)
                enabled = False
            elif fast is None or (device_type == "cpu" and fast is not float16):
                name = device_type.upper()
                warnings.warn(
                    f"In {name} autocast, but the target dtype is not supported. Disabling autocast.\n"
                    f"{name} Autocast only supports dtypes of minitorch.float16 currently (minitorch has no "
                    f"bfloat16: NumPy has no such type).",
                    stacklevel=2,
                )
                enabled = False
        self.fast_dtype = fast if fast is not None else get_autocast_dtype(device_type)
        self._enabled = bool(enabled)

    def __enter__(self):
        st = _AutocastState
        self._stack.append((st.cache_enabled, st.enabled[self.device], st.dtype[self.device]))
        st.enabled[self.device] = self._enabled
        st.dtype[self.device] = self.fast_dtype
        st.nesting += 1
        st.cache_enabled = self._cache_enabled
        _refresh_on()
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> bool:
        st = _AutocastState
        st.nesting -= 1
        if st.nesting == 0:  # left the outermost region: drop the cached weight casts
            st.cache.clear()
        st.cache_enabled, st.enabled[self.device], st.dtype[self.device] = self._stack.pop()
        _refresh_on()
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(func).__name__}. Did you mean to use "
                f"autocast as a context manager? For example:\n    with torch.autocast(device_type=...):\n"
                f"        output = model(input)"
            )

        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return decorate_autocast


def _as_autocast_dtype(dtype):
    """A minitorch dtype for ``dtype``, or None where autocast cannot use it (bfloat16, which minitorch
    lacks, or a non-floating type)."""
    try:
        d = to_dtype(dtype)
    except TypeError:
        if "bfloat16" in str(dtype):
            return None
        raise
    return d if d.is_floating_point and d.name != "bfloat16" else None


# ---- custom autograd Functions under autocast ------------------------------------------------------
def _cast(value, device_type: str, dtype):
    """Cast floating (non-float64) Tensors on ``device_type`` inside ``value`` (nested containers) to ``dtype``."""
    if isinstance(value, Tensor):
        eligible = value.is_floating_point() and value.device.type == device_type and value.dtype is not float64
        return value.to(dtype) if eligible else value
    if isinstance(value, (str, bytes, np.ndarray)):
        return value
    if isinstance(value, Mapping):
        return {_cast(k, device_type, dtype): _cast(v, device_type, dtype) for k, v in value.items()}
    if isinstance(value, Iterable):
        it = (_cast(v, device_type, dtype) for v in value)
        return type(value)(it) if isinstance(value, (list, tuple)) else it
    return value


def custom_fwd(fwd=None, *, device_type: str, cast_inputs=None):
    """Decorator for the ``forward`` of a custom ``autograd.Function`` (``torch.amp.custom_fwd``): with
    ``cast_inputs``, floating inputs are cast to it and ``forward`` runs with autocast off; without it,
    ``forward`` runs under the caller's autocast state, which ``custom_bwd`` restores for ``backward``."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        args[0]._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            args[0]._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        args[0]._fwd_used_autocast = False
        if is_autocast_enabled(device_type):
            with autocast(device_type=device_type, enabled=False):
                return fwd(*_cast(args, device_type, cast_inputs), **_cast(kwargs, device_type, cast_inputs))
        return fwd(*args, **kwargs)

    return decorate_fwd


def custom_bwd(bwd=None, *, device_type: str):
    """Decorator for the ``backward`` of a custom ``autograd.Function``: runs it with the autocast state
    that ``forward`` (decorated with ``custom_fwd``) ran with."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast, dtype=args[0]._dtype):
            return bwd(*args, **kwargs)

    return decorate_bwd
