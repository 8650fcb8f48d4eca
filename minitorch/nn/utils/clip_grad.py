"""Gradient clipping: rescale (clip_grad_norm_) or clamp (clip_grad_value_) the ``.grad`` of parameters."""
from __future__ import annotations

import math
from collections.abc import Iterable

from ...backend import xp_of
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm"]


def _as_list(parameters) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _norm_of(arr, norm_type: float):
    """The p-norm of one array as a 0-d array in its dtype (inf: max |x|, -inf: min |x|)."""
    xp = xp_of(arr)
    a = xp.abs(arr)
    if a.size == 0:
        return xp.zeros((), dtype=arr.dtype)
    if norm_type == math.inf:
        return a.max()
    if norm_type == -math.inf:
        return a.min()
    if norm_type == 0:
        return (a != 0).sum().astype(arr.dtype)
    if norm_type == 2:
        return xp.sqrt((a * a).sum())
    return (a ** norm_type).sum() ** (1.0 / norm_type)


def get_total_norm(tensors: Iterable[Tensor] | Tensor, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """The norm of the norms of ``tensors`` (the norm of all of them concatenated)."""
    tensors = [t for t in _as_list(tensors) if t is not None]
    norm_type = float(norm_type)
    if not tensors:
        from ...creation import tensor

        return tensor(0.0)
    xp = xp_of(tensors[0].array)
    norms = xp.stack([_norm_of(t.array, norm_type) for t in tensors])
    total = _norm_of(norms, norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return Tensor._wrap(xp.asarray(total))


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale all gradients by min(1, max_norm / (total_norm + 1e-6)) in place; return total_norm.

    total_norm is the ``norm_type``-norm of all gradients together (``inf``: the largest |g|).
    """
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if not grads:
        return total
    coef = float(max_norm) / (float(total.item()) + 1e-6)
    coef = min(coef, 1.0)
    for g in grads:
        g.array *= g.array.dtype.type(coef)
        g._version += 1
    return total


def clip_grad_norm(parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """Deprecated alias of ``clip_grad_norm_``."""
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient elementwise into [-clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            xp = xp_of(p.grad.array)
            xp.clip(p.grad.array, -clip_value, clip_value, out=p.grad.array)
            p.grad._version += 1
