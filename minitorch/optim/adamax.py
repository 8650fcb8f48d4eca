"""Adamax (Adam with the infinity norm), in PyTorch's single-tensor order."""
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


class Adamax(Optimizer):
    """Adamax: ``m = lerp(m, g, 1 - beta1)``; ``u = max(beta2 u, |g| + eps)``;
    ``p -= lr / (1 - beta1^t) * m / u`` (g = grad, + weight_decay * p)."""

    def __init__(self, params: ParamsT, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False) -> None:
        _check_common(lr, eps, weight_decay)
        _check(len(betas) == 2, f"betas must be a pair (beta1, beta2), got {betas!r}")
        _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        _check_unsupported(differentiable)
        defaults = {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
            "maximize": maximize, "differentiable": differentiable, "capturable": capturable,
        }
        super().__init__(params, defaults)

    def step(self, closure=None) -> Any:
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = (float(b) for b in group["betas"])
            eps = float(group["eps"])
            for p in _params_with_grad(group):
                arr = p.array
                xp = xp_of(arr)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = Tensor._wrap(xp.zeros_like(arr))
                    state["exp_inf"] = Tensor._wrap(xp.zeros_like(arr))
                step = _bump(state["step"])
                g, owned = _effective_grad(p.grad.array, arr, float(group["weight_decay"]), group["maximize"])
                m, u = state["exp_avg"].array, state["exp_inf"].array
                if arr.dtype.kind == "c":  # as torch: re and im updated as independent reals
                    arr, g, m, u = _as_real(arr), _as_real(g), _as_real(m), _as_real(u)
                tmp = xp.empty_like(arr)
                _lerp_(m, g, 1 - beta1, tmp)
                xp.multiply(u, beta2, out=u)
                xp.abs(g, out=tmp)
                xp.add(tmp, eps, out=tmp)
                xp.maximum(u, tmp, out=u)
                clr = lr / (1 - beta1**step)
                # p += (-clr * m) / u   (torch.addcdiv order)
                xp.multiply(m, -clr, out=tmp)
                xp.divide(tmp, u, out=tmp)
                xp.add(arr, tmp, out=arr)
        return loss
