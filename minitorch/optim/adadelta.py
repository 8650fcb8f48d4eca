"""Adadelta, in PyTorch's single-tensor order."""
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
    _params_with_grad,
    _step_tensor,
)


class Adadelta(Optimizer):
    """Adadelta: ``v = rho v + (1 - rho) g^2``; ``d = sqrt(u + eps) / sqrt(v + eps) * g``;
    ``u = rho u + (1 - rho) d^2``; ``p -= lr d``."""

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0,
                 foreach: bool | None = None, *, capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_common(lr, eps, weight_decay)
        _check(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        _check_unsupported(differentiable)
        defaults = {
            "lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
            "capturable": capturable, "foreach": foreach, "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure=None) -> Any:
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr, rho, eps = float(group["lr"]), float(group["rho"]), float(group["eps"])
            for p in _params_with_grad(group):
                arr = p.array
                xp = xp_of(arr)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["square_avg"] = Tensor._wrap(xp.zeros_like(arr))
                    state["acc_delta"] = Tensor._wrap(xp.zeros_like(arr))
                _bump(state["step"])
                g, _ = _effective_grad(p.grad.array, arr, float(group["weight_decay"]), group["maximize"])
                v, u = state["square_avg"].array, state["acc_delta"].array
                if arr.dtype.kind == "c":  # as torch: re and im updated as independent reals
                    arr, g, v, u = _as_real(arr), _as_real(g), _as_real(v), _as_real(u)
                std = xp.empty_like(arr)
                xp.multiply(v, rho, out=v)
                xp.multiply(g, 1 - rho, out=std)
                xp.multiply(std, g, out=std)
                xp.add(v, std, out=v)
                xp.add(v, eps, out=std)
                xp.sqrt(std, out=std)
                delta = xp.add(u, eps, out=xp.empty_like(arr))  # delta = sqrt(u + eps) / std * g
                xp.sqrt(delta, out=delta)
                xp.divide(delta, std, out=delta)
                xp.multiply(delta, g, out=delta)
                xp.multiply(u, rho, out=u)
                xp.multiply(delta, 1 - rho, out=std)
                xp.multiply(std, delta, out=std)
                xp.add(u, std, out=u)
                xp.multiply(delta, lr, out=delta)
                xp.subtract(arr, delta, out=arr)
        return loss
