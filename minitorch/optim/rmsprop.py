"""RMSprop (optionally centered, with momentum), in PyTorch's single-tensor order."""
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
    _effective_grad,
    _lerp_,
    _params_with_grad,
    _step_tensor,
)


class RMSprop(Optimizer):
    """RMSprop: scale the gradient by a running RMS of past gradients.

    ``v = alpha v + (1 - alpha) g^2``; centered: ``ga = lerp(ga, g, 1 - alpha)``, ``s = sqrt(v - ga^2)``,
    else ``s = sqrt(v)``; ``s += eps``; with momentum ``b = momentum b + g / s``, ``p -= lr b``,
    else ``p -= lr g / s``.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        _check_common(lr, eps, weight_decay)
        _check(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        _check(0.0 <= alpha, f"Invalid alpha value: {alpha}")
        _check_unsupported(differentiable)
        defaults = {
            "lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
            "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach, "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure=None) -> Any:
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
            momentum, centered = float(group["momentum"]), group["centered"]
            for p in _params_with_grad(group):
                arr = p.array
                xp = xp_of(arr)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["square_avg"] = Tensor._wrap(xp.zeros_like(arr))
                    if momentum > 0:
                        state["momentum_buffer"] = Tensor._wrap(xp.zeros_like(arr))
                    if centered:
                        state["grad_avg"] = Tensor._wrap(xp.zeros_like(arr))
                _bump(state["step"])
                g, owned = _effective_grad(p.grad.array, arr, float(group["weight_decay"]), group["maximize"])
                v = state["square_avg"].array
                cplx = arr.dtype.kind == "c"
                if cplx:  # as torch: re and im updated as independent reals
                    arr, g, v = _as_real(arr), _as_real(g), _as_real(v)
                avg = xp.empty_like(arr)
                xp.multiply(v, alpha, out=v)
                xp.multiply(g, 1 - alpha, out=avg)
                xp.multiply(avg, g, out=avg)
                xp.add(v, avg, out=v)
                if centered:
                    ga = _as_real(state["grad_avg"].array) if cplx else state["grad_avg"].array
                    _lerp_(ga, g, 1 - alpha, avg)
                    xp.multiply(ga, ga, out=avg)
                    xp.subtract(v, avg, out=avg)
                    xp.sqrt(avg, out=avg)
                else:
                    xp.sqrt(v, out=avg)
                xp.add(avg, eps, out=avg)
                if momentum > 0:
                    buf = _as_real(state["momentum_buffer"].array) if cplx else state["momentum_buffer"].array
                    xp.multiply(buf, momentum, out=buf)
                    xp.divide(g, avg, out=avg)
                    xp.add(buf, avg, out=buf)
                    xp.multiply(buf, lr, out=avg)
                    xp.subtract(arr, avg, out=arr)
                else:
                    upd = g if owned else xp.empty_like(arr)
                    xp.multiply(g, -lr, out=upd)
                    xp.divide(upd, avg, out=upd)
                    xp.add(arr, upd, out=arr)
        return loss
