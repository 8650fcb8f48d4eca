"""Forward-mode AD with dual tensors, as ``torch.autograd.forward_ad``, built on reverse mode.

    with forward_ad.dual_level():
        x = forward_ad.make_dual(primal, tangent)
        y = f(x)
        y_primal, y_tangent = forward_ad.unpack_dual(y)   # y_tangent = J_f(primal) @ tangent

How: ``make_dual`` returns a tensor that the reverse-mode engine tracks (a fresh leaf, or a view of
``primal`` when it already requires grad) and remembers its tangent in the current level. Ops record
their graph as usual. ``unpack_dual(y)`` materialises the tangent lazily by the double-vjp trick:
with a dummy cotangent ``u``, ``g = J^T u`` is recorded (create_graph=True), then
``J v = d <g, v> / du``: two backward passes over y's graph. The tangent is None when ``y`` does
not depend on any dual tensor, as in torch.

Differences from torch: a dual tensor requires grad (the engine must record the ops on it), and ops
run under ``no_grad`` inside a dual level are not tracked, so their results carry no tangent.
Only one level at a time, as in torch.
"""
from __future__ import annotations

import contextlib
from typing import NamedTuple

from ..tensor import Tensor
from .grad_mode import enable_grad, is_grad_enabled

__all__ = ["UnpackedDualTensor", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual", "dual_level"]


class _Level:
    __slots__ = ("duals", "private")

    def __init__(self):
        self.duals: dict = {}  # id(dual tensor) -> (dual tensor, tangent)
        self.private: set = set()  # ids of the fresh leaves created for duals


_current_level = -1
_level: _Level | None = None


class UnpackedDualTensor(NamedTuple):
    """What ``unpack_dual`` returns: the primal and the tangent (None when there is none)."""

    primal: Tensor
    tangent: Tensor | None


def enter_dual_level() -> int:
    """Open a forward-AD level and return its number (0: nesting is not supported, as in torch)."""
    global _current_level, _level
    if _current_level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _current_level = 0
    _level = _Level()
    return _current_level


def exit_dual_level(*, level: int | None = None) -> None:
    """Close the level: every dual tensor made in it loses its tangent."""
    global _current_level, _level
    if level is None:
        level = _current_level
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    if level != _current_level:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that was created. "
                           "This is not supported.")
    _current_level = -1
    _level = None


class dual_level(contextlib.ContextDecorator):  # noqa: N801  (torch's name)
    """Context manager (or decorator) for a forward-AD level: ``with dual_level(): ...``."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc) -> None:
        exit_dual_level()


def _check_level(level, op: str) -> _Level:
    if level is not None and level != _current_level:
        raise RuntimeError(f"Invalid level given to {op}")
    return _level


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A dual tensor with the values of ``tensor`` and the forward gradient ``tangent`` (same shape)."""
    if _current_level < 0:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                           "enter_dual_level() first.")
    lvl = _check_level(level, "_make_dual")
    if not tensor.is_floating_point():
        raise ValueError(f"Expected primal to be floating point or complex, but got: {tensor.dtype}")
    if not tangent.is_floating_point():
        raise ValueError(f"Expected tangent to be floating point or complex, but got: {tangent.dtype}")
    if tuple(tensor.shape) != tuple(tangent.shape):
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the original Tensor, this "
            f"is not supported. Tensor is of size {list(tensor.shape)} while the given forward gradient is of "
            f"size {list(tangent.shape)}."
        )
    if tangent.device != tensor.device:
        raise RuntimeError(f"Expected tangent to be on the same device as primal ({tensor.device}), but got "
                           f"{tangent.device}")
    with enable_grad():
        if tensor._requires_grad and is_grad_enabled():
            dual = tensor.view(tuple(tensor.shape))
        else:
            dual = tensor.detach().requires_grad_(True)
            lvl.private.add(id(dual))
    lvl.duals[id(dual)] = (dual, tangent)
    return dual


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """(primal, tangent) of ``tensor`` at the current level; tangent None when it depends on no dual tensor."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"_unpack_dual(): argument 'dual' (position 1) must be Tensor, not {type(tensor).__name__}")
    if _current_level < 0:
        return UnpackedDualTensor(tensor, None)
    lvl = _level
    if tensor._requires_grad and lvl.duals:  # torch checks the level of tensors that carry a tangent
        _check_level(level, "_fw_primal")
    from ..func._common import depends_on_outer, grads_or_zeros, unwrap, zeros_like
    from .engine import grad

    grad_on = is_grad_enabled()
    primal = unwrap(tensor, lvl.private, grad_on)
    entry = lvl.duals.get(id(tensor))
    if entry is not None and entry[0] is tensor:
        return UnpackedDualTensor(primal, entry[1])
    if not tensor._requires_grad or not lvl.duals:
        return UnpackedDualTensor(primal, None)
    duals = [d for d, _ in lvl.duals.values()]
    tangents = [t for _, t in lvl.duals.values()]
    with enable_grad():
        u = zeros_like(tensor).requires_grad_(True)
        gs = grad(tensor, duals, u, retain_graph=True, create_graph=True, allow_unused=True)
        used = [(g, t.to(g.dtype) if t.dtype != g.dtype else t) for g, t in zip(gs, tangents) if g is not None]
        if not used:
            return UnpackedDualTensor(primal, None)
        create = grad_on and (depends_on_outer((tensor,), lvl.private) or any(t._requires_grad for _, t in used))
        (tan,) = grads_or_zeros([g for g, _ in used], [u], [t for _, t in used], create_graph=create)
    return UnpackedDualTensor(primal, unwrap(tan, lvl.private | {id(u)}, grad_on))

