"""Rprop (resilient backpropagation: per-element step sizes driven by gradient signs), PyTorch's order."""
from __future__ import annotations

from typing import Any

from ..backend import xp_of
from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    ParamsT,
    _as_real,
    _bump,
    _check,
    _check_common,
    _check_unsupported,
    _params_with_grad,
    _step_tensor,
)


class Rprop(Optimizer):
    """Rprop: only the sign of the gradient is used; each element has its own step size.

    ``s = sign(g * g_prev)``; the step size is multiplied by ``etaplus`` where ``s > 0``, by ``etaminus``
    where ``s < 0`` (and that element's gradient is then treated as 0), and clamped to ``step_sizes``;
    ``p -= sign(g) * step_size``; ``g_prev = g``. Step sizes start at ``lr``.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        _check_common(lr)
        _check(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        _check_unsupported(differentiable)
        defaults = {
            "lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach, "maximize": maximize,
            "differentiable": differentiable, "capturable": capturable,
        }
        super().__init__(params, defaults)

    def step(self, closure=None) -> Any:
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = (float(e) for e in group["etas"])
            step_size_min, step_size_max = (float(s) for s in group["step_sizes"])
            for p in _params_with_grad(group):
                arr = p.array
                xp = xp_of(arr)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["prev"] = Tensor._wrap(xp.zeros_like(arr))
                    lr0 = float(group["lr"])  # complex: re and im step sizes both start at lr, as torch
                    state["step_size"] = Tensor._wrap(xp.full_like(arr, complex(lr0, lr0) if arr.dtype.kind == "c"
                                                                    else lr0))
                _bump(state["step"])
                grad = p.grad.array
                g = xp.negative(grad) if group["maximize"] else grad
                prev, step_size = state["prev"].array, state["step_size"].array
                if arr.dtype.kind == "c":  # as torch: re and im updated as independent reals
                    arr, g, prev, step_size = _as_real(arr), _as_real(g), _as_real(prev), _as_real(step_size)
                dt = arr.dtype.type
                sign = xp.multiply(g, prev, out=xp.empty_like(arr))
                xp.sign(sign, out=sign)
                # in torch's order: > 0 -> etaplus, then < 0 -> etaminus, then == 0 -> 1 (NaN stays NaN)
                sign = xp.where(sign > 0, dt(etaplus), sign)
                sign = xp.where(sign < 0, dt(etaminus), sign)
                sign = xp.where(sign == 0, dt(1), sign)
                xp.multiply(step_size, sign, out=step_size)
                xp.clip(step_size, step_size_min, step_size_max, out=step_size)
                g = xp.where(sign == dt(etaminus), dt(0), g)  # after a sign change the element waits a step
                prev[...] = g
                xp.sign(g, out=g)
                xp.multiply(g, step_size, out=g)
                xp.subtract(arr, g, out=arr)
        return loss
