"""``nn.utils.clip_grads_with_norm_``: scale gradients given an already computed total norm."""
from __future__ import annotations

from collections.abc import Iterable

from ...backend import xp_of
from ...tensor import Tensor

__all__ = ["clip_grads_with_norm_"]


def clip_grads_with_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Multiply every ``p.grad`` in place by ``min(max_norm / (total_norm + 1e-6), 1)``, as torch's
    (``clip_grad_norm_`` = ``get_total_norm`` + this). The coefficient stays an array on the gradients'
    device (no host sync). ``foreach`` is accepted: there is a single implementation."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return None
    if not isinstance(total_norm, Tensor):
        raise TypeError(f"clamp(): argument 'input' (position 1) must be Tensor, not {type(total_norm).__name__}")
    total = total_norm.array
    xp = xp_of(total)
    coef = xp.minimum(max_norm / (total + total.dtype.type(1e-6)), total.dtype.type(1.0))
    for g in grads:
        g.array *= xp_of(g.array).asarray(coef).astype(g.array.dtype)
        g._version += 1
    return None
