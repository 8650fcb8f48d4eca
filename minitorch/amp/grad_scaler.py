"""``GradScaler``: loss scaling for float16 training (``torch.amp.GradScaler``).

float16 gradients of small magnitude underflow to zero. The scaler multiplies the loss by a large
factor (``scale``) before ``backward``, divides the gradients by it again before the optimizer step
(``unscale_``), skips the step when any gradient came out inf/NaN, and adapts the factor:
``update()`` halves it after a skipped step and doubles it after ``growth_interval`` clean steps.
The scale and the step counter live in 0-d tensors on the loss's device, and the checks run on
that device's arrays, so nothing waits for the GPU until ``step`` asks whether to skip.
"""
from __future__ import annotations

import warnings
from collections import abc, defaultdict
from enum import Enum
from typing import Any

import numpy as np

from ..backend import xp_of
from ..tensor import Tensor

__all__ = ["OptState", "GradScaler"]


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state() -> dict[str, Any]:
    return {"stage": OptState.READY, "found_inf_per_device": {}}


def _full_like_device(like_array, value, np_dtype) -> Tensor:
    """A 0-d tensor holding ``value`` on the device of ``like_array``."""
    return Tensor._wrap(xp_of(like_array).full((), value, dtype=np_dtype))


def _non_finite_check_and_unscale_(grads: list, found_inf: Tensor, inv_scale: Tensor) -> None:
    """``torch._amp_foreach_non_finite_check_and_unscale_``: ``found_inf`` becomes 1.0 when any of
    ``grads`` holds an inf/NaN; every grad is multiplied in place by ``inv_scale``."""
    flag = found_inf.array
    for g in grads:
        arr = g.array
        xp = xp_of(arr)
        bad = ~xp.isfinite(arr).all()
        flag[...] = xp.maximum(flag, bad.astype(flag.dtype))
        if arr.dtype == np.float32:
            arr *= inv_scale.array
        else:  # float16 / float64 grads: multiply in float32 (or float64) math, store in the grad's dtype
            arr[...] = (arr.astype(np.promote_types(arr.dtype, np.float32)) * inv_scale.array).astype(arr.dtype)


#: float64 values from here up round to inf in float32
_F32_OVERFLOW = 2.0**128 - 2.0**103


def _amp_update_scale_(scale: Tensor, growth_tracker: Tensor, found_inf: Tensor, growth_factor: float,
                       backoff_factor: float, growth_interval: int) -> None:
    """``torch._amp_update_scale_``, in place and without reading the values back to the host:
    inf/NaN found -> ``scale *= backoff_factor``, tracker 0; otherwise the tracker counts clean steps
    and at ``growth_interval`` the scale grows by ``growth_factor`` (unless that overflows float32)."""
    s, t = scale.array, growth_tracker.array
    xp = xp_of(s)
    found = found_inf.array > 0
    s64 = s.astype(np.float64)
    successful = t + 1
    interval_done = ~found & (successful == growth_interval)
    grown = s64 * growth_factor
    grow = interval_done & (grown < _F32_OVERFLOW)  # only while the float32 result stays finite
    backed_off = (s64 * backoff_factor).astype(np.float32)
    new_scale = xp.where(found, backed_off, xp.where(grow, grown, s64).astype(np.float32))
    new_tracker = xp.where(found | interval_done, 0, successful)
    s[...] = new_scale
    t[...] = new_tracker.astype(t.dtype)


class GradScaler:
    """Loss scaling for mixed-precision training, as ``torch.amp.GradScaler``::

        scaler = minitorch.amp.GradScaler("cuda")
        for x, y in data:
            optimizer.zero_grad()
            with minitorch.autocast("cuda"):
                loss = loss_fn(model(x), y)
            scaler.scale(loss).backward()
            scaler.step(optimizer)      # unscales, skips the step on inf/NaN gradients
            scaler.update()             # backs the scale off or grows it

    ``device="cuda"`` (the default) without a GPU warns and disables the scaler; a disabled scaler
    passes everything through (``scale`` returns its input, ``step`` calls ``optimizer.step()``).
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if self._device == "cuda" and enabled:
            from .. import cuda

            if not cuda.is_available():
                warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                              stacklevel=2)
                self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale: Tensor | None = None  # created lazily by the first scale(), on the loss's device
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker: Tensor | None = None
            self._per_optimizer_states: dict[int, dict[str, Any]] = defaultdict(_refresh_per_optimizer_state)

    def _check_scale_growth_tracker(self, funcname: str) -> tuple[Tensor, Tensor]:
        fix = "This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration."
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  " + fix)
        return self._scale, self._growth_tracker

    def _lazy_init_scale_growth_tracker(self, like: Tensor) -> None:
        self._scale = _full_like_device(like.array, self._init_scale, np.float32)
        self._growth_tracker = _full_like_device(like.array, self._init_growth_tracker, np.int32)

    def _scale_on(self, device) -> Tensor:
        return self._scale if self._scale.device == device else self._scale.to(device)

    def scale(self, outputs):
        """``outputs`` (a Tensor or nested lists/tuples/iterables of Tensors) multiplied by the scale."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            if self._scale is None:
                self._lazy_init_scale_growth_tracker(outputs)
            return outputs * self._scale_on(outputs.device)

        def apply_scale(val):
            if isinstance(val, Tensor):
                if self._scale is None:
                    self._lazy_init_scale_growth_tracker(val)
                return val * self._scale_on(val.device)
            if isinstance(val, abc.Iterable):
                iterable = map(apply_scale, val)
                if isinstance(val, (list, tuple)):
                    return type(val)(iterable)
                return iterable
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")

        return apply_scale(outputs)

    def _unscale_grads_(self, optimizer, inv_scale: Tensor, found_inf: Tensor, allow_fp16: bool) -> dict:
        """Unscale the optimizer's grads in place, one found_inf flag per device."""
        per_device: dict = defaultdict(list)
        for group in optimizer.param_groups:
            for param in group["params"]:
                if not isinstance(param, Tensor):
                    raise AssertionError(f"expected param to be torch.Tensor, got {type(param).__name__}")
                if param.grad is None:
                    continue
                if not allow_fp16 and param.grad.array.dtype == np.float16:
                    raise ValueError("Attempting to unscale FP16 gradients.")
                per_device[param.grad.device].append(param.grad)
        found_per_device = {}
        for device, grads in per_device.items():
            found = found_inf if found_inf.device == device else found_inf.to(device, copy=True)
            inv = inv_scale if inv_scale.device == device else inv_scale.to(device)
            _non_finite_check_and_unscale_(grads, found, inv)
            found_per_device[device] = found
        return found_per_device

    def unscale_(self, optimizer) -> None:
        """Divide the optimizer's gradients by the scale in place (once per optimizer per step), e.g.
        before ``clip_grad_norm_``; ``step`` calls it when you did not."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        optimizer_state = self._per_optimizer_states[id(optimizer)]
        if optimizer_state["stage"] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if optimizer_state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        # 1/scale in float64, then float32 (as torch: FP32 division can be imprecise)
        inv_scale = Tensor._wrap((1.0 / self._scale.array.astype(np.float64)).astype(np.float32))
        found_inf = _full_like_device(self._scale.array, 0.0, np.float32)
        optimizer_state["found_inf_per_device"] = self._unscale_grads_(optimizer, inv_scale, found_inf, False)
        optimizer_state["stage"] = OptState.UNSCALED

    def _maybe_opt_step(self, optimizer, optimizer_state: dict, *args, **kwargs):
        retval = None
        if not sum(float(v.array) for v in optimizer_state["found_inf_per_device"].values()):
            retval = optimizer.step(*args, **kwargs)
        return retval

    def step(self, optimizer, *args, **kwargs):
        """Unscale (unless ``unscale_`` ran) and call ``optimizer.step(*args, **kwargs)`` when every
        gradient is finite; returns its result (None when the step was skipped)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        optimizer_state = self._per_optimizer_states[id(optimizer)]
        if optimizer_state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if optimizer_state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if len(optimizer_state["found_inf_per_device"]) == 0:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = self._maybe_opt_step(optimizer, optimizer_state, *args, **kwargs)
        optimizer_state["stage"] = OptState.STEPPED
        return retval

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Back the scale off (any optimizer step skipped this iteration) or grow it (``growth_interval``
        clean steps in a row); ``new_scale`` (a float or a 1-element tensor) sets it instead."""
        if not self._enabled:
            return
        _scale, _growth_tracker = self._check_scale_growth_tracker("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                _scale.array[...] = new_scale
            else:
                reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or torch.FloatTensor "
                          "with requires_grad=False.")
                if not isinstance(new_scale, Tensor) or new_scale.device.type != self._device:
                    raise AssertionError(reason)
                if new_scale.numel() != 1:
                    raise AssertionError(reason)
                if new_scale.requires_grad is True:
                    raise AssertionError(reason)
                _scale.array[...] = new_scale.array.reshape(())
        else:
            found_infs = [
                found.to(_scale.device)
                for state in self._per_optimizer_states.values()
                for found in state["found_inf_per_device"].values()
            ]
            if len(found_infs) == 0:
                raise AssertionError("No inf checks were recorded prior to update.")
            combined = found_infs[0].array.copy()
            for f in found_infs[1:]:
                combined += f.array
            _amp_update_scale_(_scale, _growth_tracker, Tensor._wrap(combined), self._growth_factor,
                               self._backoff_factor, self._growth_interval)
        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def _get_scale_async(self) -> Tensor | None:
        return self._scale

    def get_scale(self) -> float:
        """The current scale as a Python float (1.0 when disabled); reads the value back from the device."""
        if self._enabled:
            return self._init_scale if self._scale is None else float(self._scale.array)
        return 1.0

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if self._enabled:
            return self._init_growth_tracker if self._growth_tracker is None else int(self._growth_tracker.array)
        return 0

    def is_enabled(self) -> bool:
        return self._enabled

    def state_dict(self) -> dict[str, Any]:
        """``scale``, ``growth_factor``, ``backoff_factor``, ``growth_interval``, ``_growth_tracker``
        (torch's keys); an empty dict when disabled."""
        if self._enabled:
            return {
                "scale": self.get_scale(),
                "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker(),
            }
        return {}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a disabled "
                               "instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale.array[...] = state_dict["scale"]
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker.array[...] = state_dict["_growth_tracker"]

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError("A GradScaler instance may only be pickled at the beginning of an iteration, "
                                     "or at the end after scaler.update().")
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = None
            state["_growth_tracker"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
