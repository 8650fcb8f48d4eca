"""The ``Optimizer`` base: parameter groups, per-parameter state, ``state_dict`` in PyTorch's layout.

Subclasses implement ``step()``; the update runs on the raw arrays (``p.array``, state buffers) in
place, outside the autograd graph, so a step records nothing and keeps every dtype.
"""
from __future__ import annotations

import functools
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from itertools import chain
from typing import Any

from ..autograd.grad_mode import enable_grad, no_grad
from ..backend import xp_of
from ..backend.device import device_of, parameter_moves
from ..tensor import Tensor


class _RequiredParameter:
    """Singleton marking an option that every parameter group must give (``optim.optimizer.required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

ParamsT = Iterable  # Tensors, (name, Tensor) pairs, or dicts defining parameter groups

# Options PyTorch added over the years: a saved group lacking one gets the optimizer's default.
_LATE_OPTIONS = ("foreach", "fused", "capturable", "differentiable", "maximize", "decoupled_weight_decay")


def _typename(obj) -> str:
    t = type(obj)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


class _Handle:
    """Returned by the ``register_*_hook`` methods; ``remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks: dict):
        self._hooks = hooks
        self.id = _Handle._next_id
        _Handle._next_id += 1

    def remove(self) -> None:
        self._hooks.pop(self.id, None)


def _hooked_step(step: Callable) -> Callable:
    """Wrap a subclass's ``step``: pre/post hooks, no graph recording, the flag schedulers check."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if self._in_step:  # a subclass's step calling super().step(): hooks run once
            return step(self, *args, **kwargs)
        for hook in list(self._optimizer_step_pre_hooks.values()):
            res = hook(self, args, kwargs)
            if res is not None:
                if not (isinstance(res, tuple) and len(res) == 2):
                    raise RuntimeError(
                        f"optimizer step pre-hook must return None or a tuple of (new_args, new_kwargs), "
                        f"but got {res!r}"
                    )
                args, kwargs = res
        if getattr(self, "_moves_seen", -1) != parameter_moves():  # Module.to moved parameters: bring the state along
            self._state_follows_parameters()
        self._opt_called = True
        self._in_step = True
        try:
            with no_grad():
                out = step(self, *args, **kwargs)
        finally:
            self._in_step = False
        for hook in list(self._optimizer_step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    wrapper._minitorch_hooked = True
    return wrapper


class Optimizer:
    """Base class of all optimizers (``torch.optim.Optimizer``).

    ``params`` is an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts each defining a
    parameter group (``{"params": [...], "lr": ...}``); options a group leaves out come from
    ``defaults``.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_minitorch_hooked", False):
            cls.step = _hooked_step(step)

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: dict[int, Callable] = OrderedDict()
        self._optimizer_step_post_hooks: dict[int, Callable] = OrderedDict()
        self._in_step = False
        self._opt_called = False
        self._moves_seen = parameter_moves()
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                f"but got {_typename(params)}"
            )
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ---- groups ------------------------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with its own options) to ``param_groups``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {_typename(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of "
                "tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        tensors, names = [], []
        for p in params:
            if isinstance(p, tuple):
                names.append(p[0])
                tensors.append(p[1])
            else:
                tensors.append(p)
        if names and len(names) != len(tensors):
            raise ValueError("all optimizer params should be with/without names. Some param names are missing")
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {_typename(p)}")
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group)
        group["params"] = tensors
        if names:
            group["param_names"] = names
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization parameter {name}"
                )
            group.setdefault(name, default)
        ids = [id(p) for p in tensors]
        if len(set(ids)) != len(ids):
            first = next(i for i, k in enumerate(ids) if ids.index(k) != i)
            raise ValueError(
                "optimizer contains a parameter group with duplicate parameters "
                f"(parameter {first} of the group was already given); pass each parameter once"
            )
        seen: set[int] = set()
        for g in self.param_groups:
            seen.update(id(p) for p in g["params"])
            if ("param_names" in g) != bool(names):
                which = "with names" if names else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if not seen.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        param_group.clear()  # like torch, the caller's dict becomes the stored group
        param_group.update(group)
        self.param_groups.append(param_group)

    # ---- gradients and steps ----------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad``: to None (default) or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g.array[...] = 0

    def step(self, closure: Callable[[], Any] | None = None):
        """Update the parameters once; ``closure`` (re-evaluating the loss) is called first if given."""
        raise NotImplementedError

    @staticmethod
    def _eval_closure(closure: Callable[[], Any] | None):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def register_step_pre_hook(self, hook: Callable) -> _Handle:
        """``hook(optimizer, args, kwargs)`` runs before each ``step``; may return new (args, kwargs)."""
        handle = _Handle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable) -> _Handle:
        """``hook(optimizer, args, kwargs)`` runs after each ``step``."""
        handle = _Handle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    # ---- state dict ------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}`` (PyTorch's layout).

        State tensors are returned by reference, as in torch: copy (or ``minitorch.save``) them to keep
        a snapshot while training goes on.
        """
        mapping: dict[int, int] = {}
        start = 0
        groups = []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            for i, p in enumerate(g["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in g["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load what ``state_dict()`` returned (from an optimizer of the same kind over same-shaped params).

        Everything is checked before anything changes: a mismatched state dict raises ``ValueError``
        and leaves this optimizer as it was. State tensors are copied onto each parameter's device (and,
        for floating parameters, cast to its dtype; ``step`` stays as saved), so the loaded optimizer
        never shares buffers with the one that saved.
        """
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError(
                "optimizer state_dict must be a dict with keys 'state' and 'param_groups', "
                f"got {_typename(state_dict)}" + (f" with keys {sorted(map(str, state_dict))}"
                                                   if isinstance(state_dict, dict) else "")
            )
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError(
                "loaded state dict has a different number of parameter groups "
                f"({len(saved_groups)} saved, optimizer has {len(groups)})"
            )
        for i, (g, sg) in enumerate(zip(groups, saved_groups)):
            if len(g["params"]) != len(sg["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size of optimizer's "
                    f"group (group {i}: {len(sg['params'])} saved parameters, optimizer has {len(g['params'])})"
                )
            for name, default in self.defaults.items():
                if name not in sg:
                    if name in _LATE_OPTIONS:
                        sg[name] = default
                    else:
                        raise ValueError(
                            f"loaded state dict's parameter group {i} has no '{name}' option: was it saved by "
                            f"another kind of optimizer than {type(self).__name__}?"
                        )
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = self._cast_state(param, k, v)
            else:
                state[k] = deepcopy(v)
        for g, sg in zip(groups, saved_groups):
            sg["params"] = g["params"]
            if "param_names" in g and "param_names" not in sg:
                sg["param_names"] = g["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})

    def _state_follows_parameters(self) -> None:
        """Move each parameter's state tensors to that parameter's device (torch raises instead)."""
        for param, state in self.state.items():
            where = device_of(param.array)
            for key, value in list(state.items()):
                if isinstance(value, Tensor) and key != "step" and device_of(value.array) != where:
                    state[key] = self._cast_state(param, None, value, key)
        self._moves_seen = parameter_moves()

    @staticmethod
    def _cast_state(param: Tensor, index, value, key=None):
        """A copy of a saved state value with tensors on ``param``'s device (floating: its dtype)."""
        if isinstance(value, Tensor):
            if key == "step":
                return Tensor._wrap(value.array.copy())
            if key is not None and value.ndim > 0 and tuple(value.shape) != tuple(param.shape):
                raise ValueError(
                    f"loaded state dict has state '{key}' of shape {tuple(value.shape)} for parameter {index} "
                    f"of shape {tuple(param.shape)}"
                )
            if param.is_floating_point():
                moved = value.to(device=param.device, dtype=param.dtype)
            else:
                moved = value.to(device=param.device)
            arr = moved.array
            if arr is value.array:
                arr = xp_of(arr).array(arr, copy=True)
            return Tensor._wrap(arr)
        if isinstance(value, dict):
            return {k: Optimizer._cast_state(param, index, v, k) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(Optimizer._cast_state(param, index, v) for v in value)
        return deepcopy(value)

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks"):
            if name not in self.__dict__:
                self.__dict__[name] = OrderedDict()
        self.__dict__.setdefault("_in_step", False)
        self.__dict__.setdefault("_opt_called", False)
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state.get(p)
                if st and "step" in st and not isinstance(st["step"], Tensor):
                    st["step"] = _step_tensor(float(st["step"]))

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


# ---- helpers shared by the algorithms --------------------------------------------------------------------
def _step_tensor(value: float = 0.0) -> Tensor:
    """The ``step`` counter: a 0-d float32 CPU tensor, as torch keeps it (non-capturable)."""
    import numpy as np

    return Tensor._wrap(np.array(value, dtype=np.float32))


def _bump(step: Tensor) -> float:
    """``step += 1`` in place; returns the new count as a Python float."""
    arr = step.array
    arr += 1
    return float(arr)


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _check_common(lr, eps=None, weight_decay=None) -> None:
    _check(0.0 <= lr, f"Invalid learning rate: {lr}")
    if eps is not None:
        _check(0.0 < eps, f"Invalid epsilon value: {eps} (must be > 0)")
    if weight_decay is not None:
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")


def _check_unsupported(differentiable: bool) -> None:
    if differentiable:
        raise NotImplementedError(
            "differentiable=True is not supported: minitorch optimizers update the raw arrays outside the graph"
        )


def _effective_grad(grad, param, weight_decay: float, maximize: bool):
    """``(g, owned)``: the gradient after ``maximize`` (negate) and L2 ``weight_decay`` (g + wd * p).

    ``owned`` says ``g`` is a fresh scratch array the caller may overwrite; otherwise it is the
    parameter's ``.grad`` array, which must not change.
    """
    xp = xp_of(grad)
    if weight_decay != 0:
        out = xp.multiply(param, weight_decay, out=xp.empty_like(param))
        if maximize:
            return xp.subtract(out, grad, out=out), True  # -g + wd p
        return xp.add(grad, out, out=out), True
    if maximize:
        return xp.negative(grad, out=xp.empty_like(grad)), True
    return grad, False


def _params_with_grad(group: dict[str, Any]) -> Iterable[Tensor]:
    for p in group["params"]:
        if p.grad is not None:
            if p.grad.array.shape != p.array.shape:
                raise RuntimeError(
                    f"optimizer step: parameter of shape {tuple(p.shape)} has a gradient of shape "
                    f"{tuple(p.grad.shape)}"
                )
            yield p


def _as_real(arr):
    """``torch.view_as_real``: a complex array as (re, im) pairs in a trailing axis of 2, sharing its memory.

    The complex-parameter path of the adaptive optimizers (as torch) treats re and im as independent reals.
    """
    real = "f" if arr.dtype.char == "F" else "d"
    try:
        return arr[..., None].view(real)
    except ValueError:  # a strided layout the backend's view() refuses: same pairs by explicit strides
        re = arr.real
        return xp_of(arr).lib.stride_tricks.as_strided(re, shape=arr.shape + (2,),
                                                       strides=arr.strides + (re.itemsize,))


def _lerp_(start, end, weight: float, scratch):
    """``start = torch.lerp(start, end, weight)`` in place (same two-branch formula; ``scratch`` is clobbered)."""
    xp = xp_of(start)
    xp.subtract(end, start, out=scratch)
    if abs(weight) < 0.5:
        xp.multiply(scratch, weight, out=scratch)
        return xp.add(start, scratch, out=start)
    dt = start.dtype.type
    xp.multiply(scratch, dt(weight) - dt(1), out=scratch)
    return xp.add(end, scratch, out=start)
